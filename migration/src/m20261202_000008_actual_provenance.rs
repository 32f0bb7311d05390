//! Provenance of actual values: past results stated by the source texts
//! (2023 figures, 十三五 results) are imported as actuals, with the same
//! `source_*` columns as plans, tasks, indicators and targets. All nullable:
//! values reported through the API have no source. One `ALTER` per column
//! (SQLite adds one column per statement).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "indicator_actual";
/// Width of an ID column: UUIDs as text.
const ID: u32 = 36;

fn columns() -> [ColumnDef; 6] {
    [
        string_len_null(Alias::new("source_document_id"), ID),
        text_null(Alias::new("source_section")),
        text_null(Alias::new("source_quote")),
        integer_null(Alias::new("source_start")),
        integer_null(Alias::new("source_end")),
        text_null(Alias::new("source_cleaned")),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for mut column in columns() {
            manager.alter_table(Table::alter().table(Alias::new(TABLE)).add_column(&mut column).take()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in
            ["source_document_id", "source_section", "source_quote", "source_start", "source_end", "source_cleaned"]
        {
            manager.alter_table(Table::alter().table(Alias::new(TABLE)).drop_column(Alias::new(column)).take()).await?;
        }
        Ok(())
    }
}
