//! `seed_row`: which rows the importer (`xietong seed`) wrote, by table and
//! ID. A re-import removes the rows it wrote before and no longer produces;
//! a row not listed here — created through the API, by a spreadsheet import
//! or by `xietong generate` — is never removed by a re-import.
//!
//! Rows imported before this table existed are adopted where they can be
//! told apart: a row with a source document (its provenance) was written by
//! the importer, as nothing else sets one. The importer lists the rest of
//! what it still produces on its next run.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose imported rows carry a source document.
const WITH_PROVENANCE: [&str; 6] =
    ["plan", "task", "indicator", "indicator_target", "indicator_actual", "coordination_record"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SeedRow::Table)
                    .col(string_len(SeedRow::TableName, 64))
                    .col(string_len(SeedRow::RowId, 36))
                    .primary_key(Index::create().col(SeedRow::TableName).col(SeedRow::RowId))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for table in WITH_PROVENANCE {
            db.execute_unprepared(&format!(
                "INSERT INTO seed_row (table_name, row_id) \
                 SELECT '{table}', id FROM {table} WHERE source_document_id IS NOT NULL"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SeedRow::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum SeedRow {
    Table,
    TableName,
    RowId,
}
