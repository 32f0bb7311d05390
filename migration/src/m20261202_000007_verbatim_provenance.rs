//! Verbatim provenance: where in its source file each quote is.
//!
//! `source_quote` of the document-derived tables now holds the file's exact
//! text; beside it come the character offsets of that text in the file
//! (`source_start`, `source_end`: Unicode scalar values from 0, end
//! exclusive) and the text as the importer read it after cleaning
//! (`source_cleaned`). All nullable: records created through the API have no
//! source. SQLite adds one column per statement, so each is its own `ALTER`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 4] = ["plan", "task", "indicator", "indicator_target"];

fn columns() -> [ColumnDef; 3] {
    [
        integer_null(Alias::new("source_start")),
        integer_null(Alias::new("source_end")),
        text_null(Alias::new("source_cleaned")),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            for mut column in columns() {
                manager.alter_table(Table::alter().table(Alias::new(table)).add_column(&mut column).take()).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            for column in ["source_start", "source_end", "source_cleaned"] {
                manager
                    .alter_table(Table::alter().table(Alias::new(table)).drop_column(Alias::new(column)).take())
                    .await?;
            }
        }
        Ok(())
    }
}
