//! `xietong seed`: imports the default dataset (see [`crate::seed`]) and prints what it wrote.

use crate::db::{self, DatabaseSettings};
use crate::seed;
use std::process::ExitCode;

/// Connects, migrates and imports the default dataset; idempotent.
///
/// # Errors
/// An unreachable database, a failed migration, or a dataset that no longer parses or loads.
pub async fn run(database: &DatabaseSettings) -> anyhow::Result<ExitCode> {
    let conn = db::connect(database).await?;
    db::migrate(&conn).await?;
    let report = seed::run(&conn).await?;
    print!("{report}");
    Ok(ExitCode::SUCCESS)
}
