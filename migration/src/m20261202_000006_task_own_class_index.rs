//! A partial index of the tasks that set their own sharing class.
//!
//! Every non-admin read of tasks or indicators excludes the task trees hidden
//! from the caller (`Viewer::task_condition`), whose walk starts from the tasks
//! with a class of their own. They are few (none in the generated dataset);
//! without this index each statement scanned the whole task table to find them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "ix_task_own_class";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Partial indexes are written the same way on SQLite and PostgreSQL.
        let sql = format!(r#"CREATE INDEX IF NOT EXISTS "{NAME}" ON "task" ("id") WHERE "sharing_class" IS NOT NULL"#);
        manager.get_connection().execute_unprepared(&sql).await.map(drop)
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(&format!(r#"DROP INDEX IF EXISTS "{NAME}""#)).await.map(drop)
    }
}
