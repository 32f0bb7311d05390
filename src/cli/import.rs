//! `xietong import actuals FILE` and `xietong import tasks --plan ID FILE`: the spreadsheet
//! imports of `POST /import/…` from the command line, for an operator on the server's machine.
//!
//! Contract: the rows are written exactly as the HTTP import writes them, under the rights of
//! the department and role given (`--dept`, `--role`: the identity a token of that department and
//! role would carry), audited with the subject given (default: the local user name) and the
//! client `xietong-cli`. A dry run unless `--apply`. The per-row report goes to standard output
//! as JSON; the exit status is 0 when no row was refused, 1 otherwise.

use crate::access::{Role, Viewer};
use crate::auth::claims::parse_role;
use crate::auth::identity::acting_as;
use crate::db::{self, DatabaseSettings};
use crate::ids::{NodeKind, from_global};
use crate::service::departments::resolve_department;
use crate::service::imports::sheet::{actual_rows, read_sheet, task_rows};
use crate::service::imports::{self, ImportReport, tasks::import_task_table};
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// `xietong import …`.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Indicator actuals (a statistics upload): columns 指标ID, 期间, 数值, 状态, optionally 备注, 更正原因.
    Actuals(ImportArgs),
    /// A task split table into a plan: columns 序号, 重点任务, 牵头单位, 配合单位, optionally 完成时限.
    Tasks {
        /// The plan's global ID (as the API gives it).
        #[arg(long)]
        plan: String,
        #[command(flatten)]
        args: ImportArgs,
    },
}

/// What every import takes.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The spreadsheet: XLSX (its first sheet) or CSV (UTF-8).
    pub file: PathBuf,

    /// Write the rows (all or none); without it, a dry run that reports what would happen.
    #[arg(long)]
    pub apply: bool,

    /// The department whose rights the import uses: its global ID, name or alias.
    #[arg(long)]
    pub dept: String,

    /// The role whose rights the import uses: ADMIN, COORDINATOR, BUREAU or READER.
    #[arg(long, value_parser = parse_role)]
    pub role: Role,

    /// Who is importing, for the audit trail; default: the local user name.
    #[arg(long)]
    pub subject: Option<String>,
}

/// Runs an import and prints its report.
///
/// # Errors
/// An unreadable file, an unknown department, an unreachable database, or a refusal of the whole
/// import (no header row, a plan the identity may not see or manage).
pub async fn run(database: &DatabaseSettings, command: &ImportCommand) -> anyhow::Result<ExitCode> {
    let args = match command {
        ImportCommand::Actuals(args) | ImportCommand::Tasks { args, .. } => args,
    };
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let sheet = read_sheet(&bytes)?;
    let conn = db::connect(database).await.context("connecting to the database")?;
    let department = resolve_department(&conn, &args.dept).await?;
    let subject = args.subject.clone().unwrap_or_else(super::token::default_subject);
    let mut identity = acting_as(&conn, &subject, &department.id, args.role).await?;
    identity.client = Some("xietong-cli".into());
    let viewer = Viewer { identity: Some(identity) };
    let actor = viewer.actor(None)?;
    let writer = db::connect_writer(database, &conn).await.context("connecting to the database")?;
    let report: ImportReport = match command {
        ImportCommand::Actuals(_) => {
            imports::import_actuals(&writer, &viewer, &actor, actual_rows(&sheet)?, args.apply).await?
        }
        ImportCommand::Tasks { plan, .. } => {
            let plan_id = from_global(NodeKind::Plan, plan, "plan")?;
            import_task_table(&writer, &viewer, &actor, &plan_id, task_rows(&sheet)?, args.apply).await?
        }
    };
    writer.close().await;
    conn.close().await.ok();
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(if report.errors == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
