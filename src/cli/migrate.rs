//! `xietong migrate`: applies pending database migrations and exits.

use crate::db::{self, DatabaseSettings};
use std::process::ExitCode;

/// Connects and applies every pending migration.
///
/// # Errors
/// An unreachable database or a failed migration.
pub async fn run(database: &DatabaseSettings) -> anyhow::Result<ExitCode> {
    let conn = db::connect(database).await?;
    db::migrate(&conn).await?;
    tracing::info!("migrations applied");
    Ok(ExitCode::SUCCESS)
}
