//! Indexes for the nested connections of tasks and indicators, so each
//! parent's page is read through (parent, doc_order, id) and costs about a
//! page of rows however many children the parent has: a task's children and
//! indicators, an indicator's contributors. (A task's progress reports use
//! (task_id, created_at), an indicator's actuals (indicator_id, period,
//! revision), both created with their tables.)

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (name, table, columns) of each index.
const INDEXES: [(&str, &str, &[&str]); 3] = [
    ("ix_task_parent_doc_order", "task", &["parent_id", "doc_order", "id"]),
    ("ix_indicator_task_doc_order", "indicator", &["task_id", "doc_order", "id"]),
    ("ix_indicator_contributes_doc_order", "indicator", &["contributes_to_id", "doc_order", "id"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, cols) in INDEXES {
            let mut index = Index::create().name(name).table(Alias::new(table)).if_not_exists().take();
            for col in cols.iter().copied() {
                index.col(Alias::new(col));
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            manager.drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
