//! The `xietong` binary: parses the command line and dispatches.

use clap::Parser;
use xietong::config::{Cli, Command};
use xietong::{db, seed, startup::Application, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
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
    }
    Ok(())
}
