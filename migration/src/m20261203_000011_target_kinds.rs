//! Every kind of target: besides a value by a year (`BY_YEAR`), a standing
//! rule with no year (`STANDING`), a value for every year of the plan
//! (`ANNUAL`), for every year from `start_year` on (`FROM_YEAR`), and 100 %
//! implied by a phrase (`IMPLICIT_FULL`: 全部, 全覆盖, 全面执行). `year`
//! becomes nullable, as standing and recurring targets have none; `phrase`
//! keeps the words that state the target when they are not a number.
//!
//! PostgreSQL drops the NOT NULL in place. SQLite cannot, so the table is
//! rebuilt from its own stored definition with only that column changed
//! (rows, foreign keys and column order kept), and its index recreated.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "indicator_target";
const NOT_NULL_YEAR: &str = r#""year" integer NOT NULL"#;

fn columns() -> [ColumnDef; 3] {
    [
        string_len(Alias::new("kind"), 32).default("BY_YEAR").take(),
        integer_null(Alias::new("start_year")),
        text_null(Alias::new("phrase")),
    ]
}

/// The unique index of a year's target per indicator; NULL years do not collide.
fn year_index() -> IndexCreateStatement {
    Index::create()
        .name("ux_indicator_target_year")
        .table(Alias::new(TABLE))
        .col(Alias::new("indicator_id"))
        .col(Alias::new("year"))
        .unique()
        .take()
}

/// SQLite: rebuilds the table with `year` nullable (or NOT NULL again).
async fn sqlite_rebuild(manager: &SchemaManager<'_>, nullable: bool) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let found = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            format!("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{TABLE}'"),
        ))
        .await?
        .ok_or_else(|| DbErr::Migration(format!("table {TABLE} not found")))?;
    let ddl: String = found.try_get("", "sql")?;
    let null_year = r#""year" integer NULL"#;
    let (from, to) = if nullable { (NOT_NULL_YEAR, null_year) } else { (null_year, NOT_NULL_YEAR) };
    if !ddl.contains(from) {
        return Err(DbErr::Migration(format!("unexpected definition of {TABLE}: {ddl}")));
    }
    let next =
        ddl.replacen(from, to, 1).replacen(&format!(r#"TABLE "{TABLE}""#), r#"TABLE "indicator_target_next""#, 1);
    // One batch on one connection: the steps must not be spread over the pool.
    let index = year_index().to_string(SqliteQueryBuilder);
    db.execute_unprepared(&format!(
        r#"{next};
        INSERT INTO "indicator_target_next" SELECT * FROM "{TABLE}";
        DROP TABLE "{TABLE}";
        ALTER TABLE "indicator_target_next" RENAME TO "{TABLE}";
        {index};"#
    ))
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for mut column in columns() {
            manager.alter_table(Table::alter().table(Alias::new(TABLE)).add_column(&mut column).take()).await?;
        }
        match manager.get_database_backend() {
            DbBackend::Sqlite => sqlite_rebuild(manager, true).await,
            _ => {
                let nullable = ColumnDef::new(Alias::new("year")).integer().null().take();
                manager.alter_table(Table::alter().table(Alias::new(TABLE)).modify_column(nullable).take()).await
            }
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Targets without a year cannot be kept in a NOT NULL column.
        let db = manager.get_connection();
        db.execute_unprepared(&format!(r#"DELETE FROM "{TABLE}" WHERE "year" IS NULL"#)).await?;
        match manager.get_database_backend() {
            DbBackend::Sqlite => sqlite_rebuild(manager, false).await?,
            _ => {
                let required = ColumnDef::new(Alias::new("year")).integer().not_null().take();
                manager.alter_table(Table::alter().table(Alias::new(TABLE)).modify_column(required).take()).await?;
            }
        }
        for column in ["kind", "start_year", "phrase"] {
            manager.alter_table(Table::alter().table(Alias::new(TABLE)).drop_column(Alias::new(column)).take()).await?;
        }
        Ok(())
    }
}
