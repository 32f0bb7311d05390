//! The `xietong` binary: parses the command line and dispatches.

use clap::Parser;
use std::process::ExitCode;
use xietong::config::{AuditCommand, Cli, Command, TokenCommand};
use xietong::{auth, db, failure, generate, seed, startup::Application, telemetry};

/// mimalloc instead of glibc's malloc: a GraphQL response is built from many
/// small, short-lived allocations, which glibc served with lock contention
/// and consolidation (a third of a nested request's CPU in the profile).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    match dispatch(cli).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", failure::one_line(&error));
            ExitCode::FAILURE
        }
    }
}

/// Runs the command the line names; `Ok` carries the exit status of a command that judged its own outcome.
async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(settings) => {
            let app = Application::build(&cli.database, &settings).await?;
            tracing::info!(port = app.port(), "xietong is listening; GraphiQL at /graphiql");
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            let conn = db::connect(&cli.database).await?;
            db::migrate(&conn).await?;
            tracing::info!("migrations applied");
        }
        Command::Seed => {
            let conn = db::connect(&cli.database).await?;
            db::migrate(&conn).await?;
            let report = seed::run(&conn).await?;
            print!("{report}");
        }
        Command::Token(TokenCommand::Issue(args)) => {
            println!("{}", auth::cli::issue(&cli.database, &args).await?);
        }
        Command::Generate(args) => {
            let conn = db::connect(&cli.database).await?;
            print!("{}", generate::run(&conn, &args).await?);
        }
        Command::Audit(AuditCommand::Verify) => {
            let conn = db::connect(&cli.database).await?;
            let result = xietong::service::audit::verify(&conn).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
            match result.first_broken {
                None => println!("audit trail intact: {} changes verified", result.checked),
                Some((seq, reason)) => {
                    println!(
                        "audit trail BROKEN at change {seq}: {reason} ({} changes verified before it)",
                        result.checked
                    );
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
