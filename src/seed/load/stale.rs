//! What an earlier import wrote and this one no longer produces.
//!
//! The table `seed_row` lists every row the importer wrote, by table and ID
//! (rows created through the API, by a spreadsheet import or by `xietong
//! generate` are never listed). Each import lists the IDs it produces and
//! finds the listed ones it no longer produces: stale rows. Those are deleted
//! after every table is written, children before parents; a stale row that a
//! delete refuses — records not written by the importer still refer to it
//! (an actual reported through the API, say) — is kept, and stays listed so
//! a later import tries again. Like the rows it inserts and updates, the
//! importer's removals are not changes of the audit trail: the documents,
//! not a caller, are their source.

use super::TableCounts;
use crate::error::{AppError, AppResult};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait};
use std::collections::HashSet;

const REGISTRY: &str = "seed_row";

/// One table as an import left it: its counts, and the IDs it listed before
/// and no longer produces.
pub(super) struct Written {
    pub(super) table: String,
    pub(super) counts: TableCounts,
    stale: Vec<String>,
}

/// Lists `ids` as the importer's rows of `table`; returns the table's
/// written counts with the rows listed before and missing from `ids`.
pub(super) async fn list<C: ConnectionTrait>(
    db: &C,
    table: String,
    counts: TableCounts,
    ids: &[String],
) -> AppResult<Written> {
    let select = Query::select()
        .column(Alias::new("row_id"))
        .from(Alias::new(REGISTRY))
        .and_where(Expr::col(Alias::new("table_name")).eq(table.as_str()))
        .to_owned();
    let mut listed = HashSet::new();
    for row in db.query_all(&select).await? {
        listed.insert(row.try_get_by_index::<String>(0)?);
    }
    let current: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let new: Vec<&String> = ids.iter().filter(|id| !listed.contains(id.as_str())).collect();
    for chunk in new.chunks(200) {
        let mut insert = Query::insert();
        insert.into_table(Alias::new(REGISTRY)).columns([Alias::new("table_name"), Alias::new("row_id")]);
        for id in chunk {
            insert
                .values([table.as_str().into(), id.as_str().into()])
                .map_err(|e| AppError::Internal(anyhow::anyhow!("listing seeded rows: {e}")))?;
        }
        db.execute(&insert).await?;
    }
    let mut stale: Vec<String> = listed.into_iter().filter(|id| !current.contains(id.as_str())).collect();
    stale.sort();
    Ok(Written { table, counts, stale })
}

/// Deletes the stale rows of `written` (given parents before children),
/// children first and again while a pass deletes something (a row may
/// refer to another of its table); counts what was removed and kept.
pub(super) async fn remove(txn: &DatabaseTransaction, written: Vec<Written>) -> AppResult<Vec<(String, TableCounts)>> {
    let mut tables = written;
    loop {
        let mut progress = false;
        for table in tables.iter_mut().rev() {
            let mut kept = Vec::new();
            for id in std::mem::take(&mut table.stale) {
                match delete(txn, &table.table, &id).await? {
                    Some(deleted) => {
                        table.counts.removed += deleted;
                        progress = true;
                    }
                    None => kept.push(id),
                }
            }
            table.stale = kept;
        }
        if !progress {
            break;
        }
    }
    Ok(tables.into_iter().map(|t| (t.table, TableCounts { kept: t.stale.len(), ..t.counts })).collect())
}

/// Deletes one row and unlists it, inside a savepoint: `Some(rows deleted)`
/// (0 when the row was already gone), or `None` when the delete is refused.
async fn delete(txn: &DatabaseTransaction, table: &str, id: &str) -> AppResult<Option<usize>> {
    let savepoint = txn.begin().await?;
    let row = Query::delete().from_table(Alias::new(table)).and_where(Expr::col(Alias::new("id")).eq(id)).to_owned();
    let deleted = match savepoint.execute(&row).await {
        Ok(result) => result.rows_affected(),
        Err(_) => {
            savepoint.rollback().await?;
            return Ok(None);
        }
    };
    let unlist = Query::delete()
        .from_table(Alias::new(REGISTRY))
        .and_where(Expr::col(Alias::new("table_name")).eq(table))
        .and_where(Expr::col(Alias::new("row_id")).eq(id))
        .to_owned();
    savepoint.execute(&unlist).await?;
    savepoint.commit().await?;
    Ok(Some(usize::try_from(deleted).unwrap_or(usize::MAX)))
}
