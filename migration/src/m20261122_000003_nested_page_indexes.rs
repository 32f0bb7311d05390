//! Indexes for paging in document order, so a page costs about a page of
//! rows however many there are: a plan's tasks and indicators are read
//! through (plan_id, doc_order, id), the root lists of tasks and indicators
//! through (doc_order, id).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (name, table, columns) of each index.
const INDEXES: [(&str, &str, &[&str]); 4] = [
    ("ix_task_plan_doc_order", "task", &["plan_id", "doc_order", "id"]),
    ("ix_indicator_plan_doc_order", "indicator", &["plan_id", "doc_order", "id"]),
    ("ix_task_doc_order", "task", &["doc_order", "id"]),
    ("ix_indicator_doc_order", "indicator", &["doc_order", "id"]),
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
