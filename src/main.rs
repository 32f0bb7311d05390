//! The `xietong` binary: parses the command line and dispatches to [`xietong::cli`].

use clap::Parser;
use std::process::ExitCode;
use xietong::cli::{self, Cli, Command};
use xietong::{failure, telemetry};

/// mimalloc instead of glibc's malloc: a GraphQL response is built from many
/// small, short-lived allocations, which glibc served with lock contention
/// and consolidation (a third of a nested request's CPU in the profile).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    let (database, command) = cli.into_command();
    let outcome = match &command {
        Command::Serve(settings) => cli::serve::run(&database, settings).await,
        Command::Migrate => cli::migrate::run(&database).await,
        Command::Seed => cli::seed::run(&database).await,
        Command::Token(command) => cli::token::run(&database, command).await,
        Command::Audit(command) => cli::audit::run(&database, command).await,
        Command::Import(command) => cli::import::run(&database, command).await,
        Command::Generate(args) => cli::generate::run(&database, args).await,
    };
    outcome.unwrap_or_else(|error| {
        eprintln!("error: {}", failure::one_line(&error));
        ExitCode::FAILURE
    })
}
