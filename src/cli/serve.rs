//! `xietong serve` (and `xietong` without a command): runs the HTTP server until SIGINT or SIGTERM.

use crate::config::ServeSettings;
use crate::db::DatabaseSettings;
use crate::startup::Application;
use std::process::ExitCode;

/// Builds the application (migrating, and seeding an empty database, first) and serves until stopped.
///
/// # Errors
/// Those of [`Application::build`], and I/O errors of the server.
pub async fn run(database: &DatabaseSettings, settings: &ServeSettings) -> anyhow::Result<ExitCode> {
    let app = Application::build(database, settings).await?;
    match crate::http::graphiql::missing_reason() {
        None => tracing::info!(port = app.port(), "xietong is listening; GraphiQL at /graphiql"),
        Some(reason) => {
            tracing::warn!(port = app.port(), reason, "xietong is listening; this build has no GraphiQL page")
        }
    }
    app.run_until_stopped().await?;
    Ok(ExitCode::SUCCESS)
}
