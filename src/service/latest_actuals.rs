//! Each indicator's latest actual: how it is read, and how it is kept.
//!
//! Contract: `indicator_latest_actual` holds, for every indicator with at
//! least one actual, the ID of its current (highest) revision of its latest
//! period — periods compared byte by byte, as [`super::progress`] compares
//! them — and the latest `reported_at` of any of its actuals. Every write that
//! adds actuals calls [`refresh`] for the indicators it touched, inside its own
//! transaction, so the rows commit (or roll back) with the actuals; writes are
//! serialized ([`super::audit`]), so a refresh never races another. Deleting an
//! indicator or an actual deletes its row (the foreign keys cascade); whoever
//! deletes an actual refreshes its indicator.

use crate::db::{keys, rows};
use crate::error::AppResult;
use entity::{indicator, indicator_actual, indicator_latest_actual as latest};
use sea_orm::sea_query::{Alias, Expr, Func, Query, SelectStatement, SubQueryStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, Order, QueryFilter};
use std::collections::HashMap;

/// The latest actual of each of `indicator_ids` that has actuals: the one
/// value its progress is measured on (see [`super::progress::compute`]). One
/// statement, two primary-key probes per indicator.
pub async fn of<C: ConnectionTrait>(
    db: &C,
    indicator_ids: &[String],
) -> AppResult<HashMap<String, indicator_actual::Model>> {
    if indicator_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let which = keys::one_of(
        db.get_database_backend(),
        Expr::col((latest::Entity, latest::Column::IndicatorId)),
        indicator_ids,
    );
    read(db, which).await
}

/// Like [`of`], for the indicators whose IDs `ids` selects (a subquery, so a
/// statement over thousands of indicators binds no list of their IDs).
pub async fn of_selected<C: ConnectionTrait>(
    db: &C,
    ids: SelectStatement,
) -> AppResult<HashMap<String, indicator_actual::Model>> {
    read(db, Expr::col((latest::Entity, latest::Column::IndicatorId)).in_subquery(ids)).await
}

/// Subquery: the last time any actual of an indicator was reported, for the
/// indicator whose ID is `indicator_id` (an expression of the outer statement).
pub fn last_reported_at(indicator_id: Expr) -> SelectStatement {
    Query::select()
        .column(latest::Column::LastReportedAt)
        .from(latest::Entity)
        .and_where(Expr::col((latest::Entity, latest::Column::IndicatorId)).eq(indicator_id))
        .to_owned()
}

async fn read<C: ConnectionTrait>(db: &C, which: Expr) -> AppResult<HashMap<String, indicator_actual::Model>> {
    let actual_ids = Query::select().column(latest::Column::ActualId).from(latest::Entity).and_where(which).to_owned();
    let actuals =
        rows::all(db, indicator_actual::Entity::find().filter(indicator_actual::Column::Id.in_subquery(actual_ids)))
            .await?;
    Ok(actuals.into_iter().map(|actual| (actual.indicator_id.clone(), actual)).collect())
}

/// Recomputes the rows of the indicators whose IDs `ids` selects, from their
/// actuals (two statements: the old rows go, the current ones are written).
/// Called inside the transaction that changed the actuals.
pub async fn refresh<C: ConnectionTrait>(db: &C, ids: SelectStatement) -> AppResult<()> {
    let backend = db.get_database_backend();
    let stale = Query::delete()
        .from_table(latest::Entity)
        .and_where(latest::Column::IndicatorId.in_subquery(ids.clone()))
        .to_owned();
    db.execute(&stale).await?;
    let of = Alias::new("xt_indicator");
    let of_id = || Expr::col((of.clone(), indicator::Column::Id));
    let actuals_of = || {
        Query::select()
            .from(indicator_actual::Entity)
            .and_where(Expr::col((indicator_actual::Entity, indicator_actual::Column::IndicatorId)).eq(of_id()))
            .to_owned()
    };
    let latest_of_one = actuals_of()
        .column((indicator_actual::Entity, indicator_actual::Column::Id))
        .order_by_expr(super::indicators::period_bytewise(backend), Order::Desc)
        .order_by((indicator_actual::Entity, indicator_actual::Column::Revision), Order::Desc)
        .limit(1)
        .to_owned();
    let last_reported = actuals_of().expr(Func::max(Expr::col(indicator_actual::Column::ReportedAt))).to_owned();
    let current = Query::select()
        .expr(of_id())
        .expr(Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(latest_of_one))))
        .expr(Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(last_reported))))
        .from_as(indicator::Entity, of.clone())
        .and_where(of_id().in_subquery(ids))
        .and_where(Expr::exists(actuals_of().expr(Expr::val(1)).to_owned()))
        .to_owned();
    let insert = Query::insert()
        .into_table(latest::Entity)
        .columns([latest::Column::IndicatorId, latest::Column::ActualId, latest::Column::LastReportedAt])
        .select_from(current)
        .map_err(|e| crate::error::AppError::Internal(e.into()))?
        .to_owned();
    db.execute(&insert).await?;
    Ok(())
}

/// The selection of one indicator, for [`refresh`].
pub fn one(indicator_id: &str) -> SelectStatement {
    Query::select()
        .column(indicator::Column::Id)
        .from(indicator::Entity)
        .and_where(indicator::Column::Id.eq(indicator_id))
        .to_owned()
}

/// Where the stored rows differ from a recomputation over every actual (empty
/// when they agree), one line per indicator. Reads the whole actual table: a
/// check for tests and for anyone who wrote actuals outside xietong, never
/// for a request.
pub async fn discrepancies<C: ConnectionTrait>(db: &C) -> AppResult<Vec<String>> {
    use chrono::{DateTime, Utc};
    /// Per indicator: the latest actual's ID and (period, revision), and the last report time.
    type Expected = (String, (Vec<u8>, i32), DateTime<Utc>);
    let mut expected: HashMap<String, Expected> = HashMap::new();
    for actual in indicator_actual::Entity::find().all(db).await? {
        let rank = (actual.period.into_bytes(), actual.revision);
        let entry = expected
            .entry(actual.indicator_id)
            .or_insert_with(|| (actual.id.clone(), rank.clone(), actual.reported_at));
        if rank > entry.1 {
            (entry.0, entry.1) = (actual.id, rank);
        }
        entry.2 = std::cmp::Ord::max(entry.2, actual.reported_at);
    }
    let mut found = Vec::new();
    for row in latest::Entity::find().all(db).await? {
        match expected.remove(&row.indicator_id) {
            Some((id, _, at)) if id == row.actual_id && at == row.last_reported_at => {}
            Some((id, _, at)) => found.push(format!(
                "indicator {}: stored ({}, {}), actuals give ({id}, {at})",
                row.indicator_id, row.actual_id, row.last_reported_at
            )),
            None => found.push(format!("indicator {}: a row, but no actuals", row.indicator_id)),
        }
    }
    found.extend(expected.into_keys().map(|indicator| format!("indicator {indicator}: actuals, but no row")));
    found.sort();
    Ok(found)
}
