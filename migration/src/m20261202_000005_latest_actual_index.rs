//! An index for each indicator's latest actual (its progress), on PostgreSQL.
//!
//! Periods are compared bytewise on both stores (`2024` < `2024-H1` <
//! `2024-H2`), so on PostgreSQL the query orders by `period COLLATE "C"`,
//! which the unique (indicator_id, period, revision) index under the
//! database's own collation cannot serve: every actual of the indicator was
//! read and sorted. This index gives the latest one with a single probe.
//! SQLite compares text bytewise already and uses the unique index.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "ix_indicator_actual_latest";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm_migration::sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        let sql = format!(
            r#"CREATE INDEX IF NOT EXISTS "{NAME}" ON "indicator_actual" ("indicator_id", ("period" COLLATE "C") DESC, "revision" DESC)"#
        );
        manager.get_connection().execute_unprepared(&sql).await.map(drop)
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm_migration::sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        manager.get_connection().execute_unprepared(&format!(r#"DROP INDEX IF EXISTS "{NAME}""#)).await.map(drop)
    }
}
