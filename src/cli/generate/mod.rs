//! `xietong generate`: a large, synthetic but well-formed dataset for benchmarks.
//!
//! Contract:
//! - Migrates the store, and loads the default dataset first when it holds no plans.
//! - Writes plans under the first `--districts` of Tianjin's 16 districts (by administrative
//!   code), each with `--tasks-per-plan` tasks (action groups of up to 20 nodes and their
//!   numbered tasks), each task with 1–3 assigned departments and `--indicators-per-task`
//!   indicators, each indicator with targets for 2025 and 2030 and `--actuals-per-indicator`
//!   reported values (periods `YYYY-H1`, `YYYY-H2`, `YYYY` from 2021 on, the yearly value with
//!   revisions 1–3 that supersede each other).
//! - Departments: ten bureaus per district named `<district><bureau>` (静海区发展改革委 …);
//!   existing departments of that name are used, missing ones are created.
//! - IDs are name-based UUIDs ([`stable_uuid`](crate::ids::stable_uuid)) of keys like
//!   `gen/<code>/<plan>/<task>`, so every run writes the same IDs; values come from a RNG
//!   seeded by `--seed` and the plan.
//! - Each plan is written with all its rows in one transaction, in multi-row INSERTs of at
//!   most [`CHUNK_ROWS`] rows (under SQLite's 32,766 bound parameters). A plan that already
//!   exists is skipped, so running again (or after an interruption) completes the dataset
//!   and never fails or duplicates.
//! - This is seeding, not a mutation: no audit Changes are written.
//! - Ends with `ANALYZE`, as a bulk load should, so both stores plan with current statistics.
//!
//! Modules: `districts` (where plans go, and their bureaus), `plan` (the rows
//! of one plan), `insert` (writing rows in chunks), `report` (what a run wrote).

mod districts;
mod insert;
mod plan;
mod report;

pub use insert::CHUNK_ROWS;
pub use report::GenerateReport;

use crate::db::{self, DatabaseSettings};
use crate::ids::{NodeKind, stable_uuid};
use anyhow::{Context, bail};
use chrono::Utc;
use clap::Args;
use entity::{indicator, indicator_actual, indicator_target, plan as plan_entity, task, task_assignment};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, TransactionTrait};
use std::process::ExitCode;
use std::time::Instant;

/// Settings of `xietong generate` (see [`crate::cli::generate`]).
#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// Tianjin districts to generate plans for (at most 16), in order of administrative code.
    #[arg(long, env = "XIETONG_GEN_DISTRICTS", default_value_t = 16)]
    pub districts: usize,

    /// Plans per district.
    #[arg(long, env = "XIETONG_GEN_PLANS_PER_DISTRICT", default_value_t = 20)]
    pub plans_per_district: usize,

    /// Tasks per plan (action groups and their numbered tasks together).
    #[arg(long, env = "XIETONG_GEN_TASKS_PER_PLAN", default_value_t = 200)]
    pub tasks_per_plan: usize,

    /// Indicators per task.
    #[arg(long, env = "XIETONG_GEN_INDICATORS_PER_TASK", default_value_t = 3)]
    pub indicators_per_task: usize,

    /// Reported actuals per indicator (periods from 2021 on, with revisions).
    #[arg(long, env = "XIETONG_GEN_ACTUALS_PER_INDICATOR", default_value_t = 20)]
    pub actuals_per_indicator: usize,

    /// Seed of the generated values (IDs depend only on the record's position).
    #[arg(long, env = "XIETONG_GEN_SEED", default_value_t = 1)]
    pub seed: u64,
}

/// Runs `xietong generate` and prints its report.
///
/// # Errors
/// An unreachable database, and those of [`generate`].
pub async fn run(database: &DatabaseSettings, args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let conn = db::connect(database).await?;
    print!("{}", generate(&conn, args).await?);
    Ok(ExitCode::SUCCESS)
}

/// Writes the synthetic dataset described by `args` into `db` (see the module docs).
///
/// # Errors
/// Invalid sizes, fewer Tianjin districts than asked for, or database errors
/// (the plan being written is rolled back; plans written before it stay).
pub async fn generate(db: &DatabaseConnection, args: &GenerateArgs) -> anyhow::Result<GenerateReport> {
    if args.tasks_per_plan == 0 || args.plans_per_district == 0 {
        bail!("--plans-per-district and --tasks-per-plan must be at least 1");
    }
    if args.actuals_per_indicator > 400 {
        bail!("--actuals-per-indicator must be at most 400 (periods run from 2021 to 2100)");
    }
    db::migrate(db).await.context("migrating the database")?;
    let mut report = GenerateReport::default();
    if crate::seed::load::is_empty(db).await? {
        crate::seed::run(db).await.context("loading the default dataset")?;
        report.seeded = true;
    }
    let districts = districts::tianjin_districts(db).await?;
    if args.districts > districts.len() {
        bail!(
            "--districts {} asks for more than the {} Tianjin districts in the store",
            args.districts,
            districts.len()
        );
    }
    let started = Instant::now();
    let now = Utc::now();
    for (d, district) in districts.iter().take(args.districts).enumerate() {
        let (departments, created) = districts::ensure_departments(db, district, now).await?;
        report.departments += created;
        for p in 0..args.plans_per_district {
            let code = district.code.as_deref().unwrap_or("?");
            let id = stable_uuid(NodeKind::Plan, &format!("gen/{code}/{p}"));
            if plan_entity::Entity::find_by_id(id).one(db).await?.is_some() {
                report.plans_skipped += 1;
                continue;
            }
            let rows = plan::PlanRows::build(args, district, &departments, d, p, now);
            let txn = db.begin().await?;
            if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
                // A 256 MiB page cache for this bulk load: random UUID keys touch index pages all over the file.
                txn.execute_unprepared("PRAGMA cache_size = -262144").await?;
            }
            rows.insert(&txn, &mut report).await.with_context(|| format!("writing plan gen/{code}/{p}"))?;
            txn.commit().await?;
        }
        tracing::info!(district = %district.name, elapsed_s = started.elapsed().as_secs(), "district generated");
    }
    report.elapsed = started.elapsed();
    let analyzing = Instant::now();
    db.execute_unprepared("ANALYZE").await.context("ANALYZE")?;
    report.analyze = analyzing.elapsed();
    report.totals = vec![
        ("plan", plan_entity::Entity::find().count(db).await?),
        ("task", task::Entity::find().count(db).await?),
        ("task_assignment", task_assignment::Entity::find().count(db).await?),
        ("indicator", indicator::Entity::find().count(db).await?),
        ("indicator_target", indicator_target::Entity::find().count(db).await?),
        ("indicator_actual", indicator_actual::Entity::find().count(db).await?),
    ];
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn generating_twice_writes_once_and_never_fails() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let settings = DatabaseSettings {
            database_url: format!("sqlite://{}?mode=rwc", dir.path().join("gen.db").display()),
            db_max_connections: 2,
            db_acquire_timeout: 5,
        };
        let db = db::connect(&settings).await?;
        let args = GenerateArgs {
            districts: 2,
            plans_per_district: 2,
            tasks_per_plan: 25,
            indicators_per_task: 2,
            actuals_per_indicator: 6,
            seed: 1,
        };
        let first = generate(&db, &args).await?;
        assert!(first.seeded);
        assert_eq!((first.plans, first.tasks, first.indicators), (4, 100, 200));
        assert_eq!((first.targets, first.actuals), (400, 1200));
        let stale = crate::service::latest_actuals::discrepancies(&db).await?;
        assert!(stale.is_empty(), "latest actuals out of step with the generated actuals: {stale:?}");
        let listed = entity::indicator_latest_actual::Entity::find().count(&db).await?;
        assert!(listed >= 200, "every generated indicator has actuals, so a latest one: {listed} rows");
        let second = generate(&db, &args).await?;
        assert_eq!((second.seeded, second.plans, second.plans_skipped, second.departments), (false, 0, 4, 0));
        let audit = entity::change::Entity::find().count(&db).await?;
        assert_eq!(audit, 0, "generated data is seeding, not a mutation");
        Ok(())
    }
}
