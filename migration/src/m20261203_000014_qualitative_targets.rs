//! Qualitative targets: a goal stated in words with no figure (到2025年，完成…
//! 循环化改造) is a target of kind `QUALITATIVE` whose `value` is NULL. `value`
//! becomes nullable, and a check keeps it NULL for exactly that kind, so a
//! numeric target can never lose its figure.
//!
//! PostgreSQL drops the NOT NULL and adds the check in place. SQLite cannot,
//! so the table is rebuilt from its own stored definition with only that
//! column changed (rows, foreign keys and column order kept), and its index
//! recreated, as in `m20261203_000011_target_kinds`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "indicator_target";
const CHECK: &str = r#"CHECK (("value" IS NULL) = ("kind" = 'QUALITATIVE'))"#;
const CONSTRAINT: &str = "ck_indicator_target_value";

fn not_null_value() -> &'static str {
    r#""value" double NOT NULL"#
}

fn null_value() -> String {
    format!(r#""value" double NULL CONSTRAINT "{CONSTRAINT}" {CHECK}"#)
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

/// SQLite: rebuilds the table with `value` nullable and checked (or NOT NULL again).
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
    let checked = null_value();
    let (from, to) = if nullable { (not_null_value(), checked.as_str()) } else { (checked.as_str(), not_null_value()) };
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
        match manager.get_database_backend() {
            DbBackend::Sqlite => sqlite_rebuild(manager, true).await,
            _ => {
                manager
                    .get_connection()
                    .execute_unprepared(&format!(
                        r#"ALTER TABLE "{TABLE}" ALTER COLUMN "value" DROP NOT NULL;
                        ALTER TABLE "{TABLE}" ADD CONSTRAINT "{CONSTRAINT}" {CHECK};"#
                    ))
                    .await?;
                Ok(())
            }
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A target without a figure cannot be kept in a NOT NULL column.
        let db = manager.get_connection();
        db.execute_unprepared(&format!(r#"DELETE FROM "{TABLE}" WHERE "value" IS NULL"#)).await?;
        match manager.get_database_backend() {
            DbBackend::Sqlite => sqlite_rebuild(manager, false).await,
            _ => {
                db.execute_unprepared(&format!(
                    r#"ALTER TABLE "{TABLE}" DROP CONSTRAINT "{CONSTRAINT}";
                    ALTER TABLE "{TABLE}" ALTER COLUMN "value" SET NOT NULL;"#
                ))
                .await?;
                Ok(())
            }
        }
    }
}
