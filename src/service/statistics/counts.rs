//! The two halves of `statistics`: tasks counted by a `GROUP BY` in SQL,
//! indicators loaded with their groups, targets and current actuals and
//! judged here, as `Indicator.progress` judges them.

use super::groups::{GroupColumns, KEY, ROLE};
use super::{Group, GroupBy, GroupKey, StatisticsFilter, current_year, indicator_select};
use crate::access::Viewer;
use crate::error::AppResult;
use crate::service::latest_actuals;
use crate::service::progress::{self, ProgressStatus};
use chrono::{DateTime, Utc};
use entity::enums::{AssignmentRole, TaskStatus};
use entity::{indicator, indicator_target, progress_report, task};
use sea_orm::sea_query::{Alias, Expr, Func, JoinType, Query, SelectStatement, SubQueryStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};
use std::collections::{BTreeMap, HashMap};

/// One row of the task counts: a group, a status and how many.
#[derive(FromQueryResult)]
struct TaskCountRow {
    xt_key: Option<String>,
    xt_role: Option<AssignmentRole>,
    xt_status: TaskStatus,
    xt_count: i64,
    xt_past_due: Option<i64>,
    xt_at: Option<DateTime<Utc>>,
}

/// Adds the task counts of each group: one `GROUP BY` statement.
pub(super) async fn count_tasks<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &StatisticsFilter,
    group_by: GroupBy,
    groups: &mut HashMap<GroupKey, Group>,
) -> AppResult<()> {
    let mut query = task::Entity::find().filter(viewer.task_condition()).filter(filter.task_condition()).into_query();
    query.clear_selects();
    let task_id = Expr::col((task::Entity, task::Column::Id));
    let plan_id = Expr::col((task::Entity, task::Column::PlanId));
    let columns = GroupColumns::join(&mut query, viewer, group_by, task_id, plan_id);
    let (reports, at) = (Alias::new("xt_reports"), Alias::new("xt_at"));
    let latest_report = Query::select()
        .column(progress_report::Column::TaskId)
        .expr_as(Func::max(Expr::col(progress_report::Column::CreatedAt)), at.clone())
        .from(progress_report::Entity)
        .group_by_col(progress_report::Column::TaskId)
        .to_owned();
    query.join_subquery(
        JoinType::LeftJoin,
        latest_report,
        reports.clone(),
        Expr::col((reports.clone(), progress_report::Column::TaskId)).equals((task::Entity, task::Column::Id)),
    );
    let status = Expr::col((task::Entity, task::Column::Status));
    let past_due = Expr::case(Expr::col((task::Entity, task::Column::DueYear)).lt(current_year()), Expr::val(1))
        .finally(Expr::val(0));
    columns.select(&mut query);
    query
        .expr_as(status.clone(), Alias::new("xt_status"))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("xt_count"))
        .expr_as(Func::sum(past_due), Alias::new("xt_past_due"))
        .expr_as(Func::max(Expr::col((reports, at))), Alias::new("xt_at"))
        .add_group_by(columns.exprs().chain([status]));
    let rows = TaskCountRow::find_by_statement(columns.finish(db, query)).all(db).await?;
    for row in rows {
        let Some(key) = GroupKey::of(group_by, row.xt_key, row.xt_role) else { continue };
        let group = groups.entry(key.clone()).or_insert_with(|| Group::empty(key));
        let n = u64::try_from(row.xt_count).unwrap_or(0);
        group.tasks.add(row.xt_status, n);
        if !matches!(row.xt_status, TaskStatus::Completed | TaskStatus::Archived) {
            group.overdue_tasks += u64::try_from(row.xt_past_due.unwrap_or(0)).unwrap_or(0);
        }
        group.reported(row.xt_at);
    }
    Ok(())
}

/// Adds the indicator counts of each group: the indicators with their
/// groups, their targets and their current actuals (three statements),
/// judged as `Indicator.progress(year:)` judges them.
pub(super) async fn count_indicators<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &StatisticsFilter,
    group_by: GroupBy,
    groups: &mut HashMap<GroupKey, Group>,
) -> AppResult<()> {
    let mut query = indicator_select(viewer, filter).into_query();
    let columns = GroupColumns::join(
        &mut query,
        viewer,
        group_by,
        Expr::col((indicator::Entity, indicator::Column::TaskId)),
        Expr::col((indicator::Entity, indicator::Column::PlanId)),
    );
    columns.select(&mut query);
    let last_reported = latest_actuals::last_reported_at(Expr::col((indicator::Entity, indicator::Column::Id)));
    query.expr_as(
        Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(last_reported))),
        Alias::new("xt_at"),
    );
    let rows = db.query_all_raw(columns.finish(db, query)).await?;
    let mut members: Vec<(GroupKey, String, Option<DateTime<Utc>>)> = Vec::with_capacity(rows.len());
    let mut models: BTreeMap<String, indicator::Model> = BTreeMap::new();
    for row in rows {
        let model = indicator::Model::from_query_result(&row, "")?;
        let key: Option<String> = row.try_get("", KEY).ok().flatten();
        let role: Option<AssignmentRole> = row.try_get("", ROLE).ok().flatten();
        let at: Option<DateTime<Utc>> = row.try_get("", "xt_at")?;
        let Some(key) = GroupKey::of(group_by, key, role) else { continue };
        members.push((key, model.id.clone(), at));
        models.insert(model.id.clone(), model);
    }
    if models.is_empty() {
        return Ok(());
    }
    let ids = indicator_select(viewer, filter).select_only().column(indicator::Column::Id).into_query();
    let (targets, latest) = futures_util::try_join!(targets_in(db, ids.clone()), latest_actuals::of_selected(db, ids))?;
    let statuses: HashMap<&str, ProgressStatus> = models
        .values()
        .map(|m| {
            let targets = targets.get(&m.id).map(Vec::as_slice).unwrap_or_default();
            let latest = latest.get(&m.id).cloned();
            (m.id.as_str(), progress::compute(m, targets, latest.as_slice(), filter.year).status)
        })
        .collect();
    for (key, id, at) in members {
        let Some(status) = statuses.get(id.as_str()) else { continue };
        let group = groups.entry(key.clone()).or_insert_with(|| Group::empty(key));
        group.indicators.add(*status);
        group.reported(at);
    }
    Ok(())
}

/// Targets of the indicators `ids` selects, by indicator, by year.
async fn targets_in<C: ConnectionTrait>(
    db: &C,
    ids: SelectStatement,
) -> AppResult<HashMap<String, Vec<indicator_target::Model>>> {
    let rows = indicator_target::Entity::find()
        .filter(indicator_target::Column::IndicatorId.in_subquery(ids))
        .order_by_asc(indicator_target::Column::Year)
        .all(db)
        .await?;
    let mut found: HashMap<String, Vec<indicator_target::Model>> = HashMap::new();
    for row in rows {
        found.entry(row.indicator_id.clone()).or_default().push(row);
    }
    Ok(found)
}
