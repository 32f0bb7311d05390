//! `xietong audit verify`: recomputes the audit trail's hash chain.
//!
//! Contract: prints `audit trail intact: N changes verified` and exits 0, or
//! `audit trail BROKEN at change SEQ: REASON (N changes verified before it)`
//! and exits 1; both on standard output.

use crate::db::{self, DatabaseSettings};
use crate::service::audit;
use clap::Subcommand;
use std::process::ExitCode;

/// `xietong audit …`.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain of the audit trail and name the first broken link (exit status 1 if any).
    Verify,
}

/// Runs an `audit` command.
///
/// # Errors
/// An unreachable database or an unreadable trail (a broken chain is an exit status, not an error).
pub async fn run(database: &DatabaseSettings, command: &AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify => verify(database).await,
    }
}

/// `xietong audit verify`: see the module's contract.
async fn verify(database: &DatabaseSettings) -> anyhow::Result<ExitCode> {
    let conn = db::connect(database).await?;
    let result = audit::verify(&conn).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    match result.first_broken {
        None => {
            println!("audit trail intact: {} changes verified", result.checked);
            Ok(ExitCode::SUCCESS)
        }
        Some((seq, reason)) => {
            println!("audit trail BROKEN at change {seq}: {reason} ({} changes verified before it)", result.checked);
            Ok(ExitCode::FAILURE)
        }
    }
}
