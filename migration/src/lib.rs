//! Schema migrations of xietong, one per change, for SQLite and PostgreSQL.
//!
//! The same migrations run on both stores; they use only portable column
//! types (text, integer, double, boolean, timestamps) and enumerations are
//! stored as text.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_core_tables;
mod m20261122_000002_create_audit_and_access;
mod m20261122_000003_nested_page_indexes;
mod m20261202_000004_child_page_indexes;
mod m20261202_000005_latest_actual_index;
mod m20261202_000006_task_own_class_index;
mod m20261202_000007_verbatim_provenance;
mod m20261202_000008_actual_provenance;
mod m20261202_000009_create_webhooks;
mod m20261203_000010_create_coordination_records;
mod m20261203_000011_target_kinds;
mod m20261203_000012_create_projects;
mod m20261203_000013_seed_rows;
mod m20261203_000014_qualitative_targets;
mod m20261204_000015_indicator_latest_actual;

/// Applies the migrations in order; used by `xietong migrate` and at start-up.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_core_tables::Migration),
            Box::new(m20261122_000002_create_audit_and_access::Migration),
            Box::new(m20261122_000003_nested_page_indexes::Migration),
            Box::new(m20261202_000004_child_page_indexes::Migration),
            Box::new(m20261202_000005_latest_actual_index::Migration),
            Box::new(m20261202_000006_task_own_class_index::Migration),
            Box::new(m20261202_000007_verbatim_provenance::Migration),
            Box::new(m20261202_000008_actual_provenance::Migration),
            Box::new(m20261202_000009_create_webhooks::Migration),
            Box::new(m20261203_000010_create_coordination_records::Migration),
            Box::new(m20261203_000011_target_kinds::Migration),
            Box::new(m20261203_000012_create_projects::Migration),
            Box::new(m20261203_000013_seed_rows::Migration),
            Box::new(m20261203_000014_qualitative_targets::Migration),
            Box::new(m20261204_000015_indicator_latest_actual::Migration),
        ]
    }
}
