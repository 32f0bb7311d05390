//! Each indicator's latest actual and last report time, kept in a table of
//! their own (`indicator_latest_actual`) instead of searched for at each read.
//!
//! Reading the latest actual of 100 indicators took one correlated
//! `ORDER BY period DESC, revision DESC LIMIT 1` probe per indicator (1.25 ms
//! of the nested benchmark query's 2.8 ms of SQL on the large dataset), and
//! the statistics' "last reported" took `MAX(reported_at)` grouped over every
//! actual. Both become primary-key probes. The rows are derived: this
//! migration fills them from the actuals, and the writes that add actuals
//! refresh them in their own transaction.

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Width of an ID column: UUIDs as text.
const ID: u32 = 36;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LatestActual::Table)
                    .col(string_len(LatestActual::IndicatorId, ID).primary_key())
                    .col(string_len(LatestActual::ActualId, ID))
                    .col(timestamp_with_time_zone(LatestActual::LastReportedAt))
                    // Derived rows follow what they are derived from: deleting an
                    // indicator or an actual (the seed removing a stale row) takes
                    // them along, and the writer refreshes what is left.
                    .foreign_key(
                        ForeignKey::create()
                            .from(LatestActual::Table, LatestActual::IndicatorId)
                            .to(Indicator::Table, Indicator::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(LatestActual::Table, LatestActual::ActualId)
                            .to(IndicatorActual::Table, IndicatorActual::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        let backend = manager.get_database_backend();
        manager.get_connection().execute_unprepared(&fill(backend)).await.map(drop)
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(LatestActual::Table).take()).await
    }
}

/// Fills the table from every indicator's actuals. Periods compare byte by
/// byte (`COLLATE "C"` on PostgreSQL, served by `ix_indicator_actual_latest`;
/// SQLite compares text so already).
fn fill(backend: DatabaseBackend) -> String {
    let period = match backend {
        DatabaseBackend::Postgres => r#"a."period" COLLATE "C""#,
        _ => r#"a."period""#,
    };
    format!(
        r#"INSERT INTO "indicator_latest_actual" ("indicator_id", "actual_id", "last_reported_at")
SELECT i."id",
  (SELECT a."id" FROM "indicator_actual" a WHERE a."indicator_id" = i."id" ORDER BY {period} DESC, a."revision" DESC LIMIT 1),
  (SELECT MAX(a."reported_at") FROM "indicator_actual" a WHERE a."indicator_id" = i."id")
FROM "indicator" i
WHERE EXISTS (SELECT 1 FROM "indicator_actual" a WHERE a."indicator_id" = i."id")"#
    )
}

#[derive(DeriveIden)]
enum LatestActual {
    #[sea_orm(iden = "indicator_latest_actual")]
    Table,
    IndicatorId,
    ActualId,
    LastReportedAt,
}

#[derive(DeriveIden)]
enum Indicator {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum IndicatorActual {
    Table,
    Id,
}
