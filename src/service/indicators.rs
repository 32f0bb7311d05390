//! Indicators, their targets and actuals, always under the caller's visibility.

use super::page::{self, GroupedPage, Page, PageArgs, SortSpec, SortValue};
use super::{Direction, group_by, indicators_with_target_in, region_subtree, tasks_assigned_to};
use crate::access::Viewer;
use crate::error::AppResult;
use entity::enums::Nature;
use entity::{indicator, indicator_actual, indicator_target};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select};
use std::collections::HashMap;

/// Which indicators a list returns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct IndicatorFilter {
    /// Substring of the name or unit.
    pub search: Option<String>,
    pub plan_id: Option<String>,
    pub task_id: Option<String>,
    pub region_id: Option<String>,
    pub include_subregions: bool,
    /// Indicators of tasks assigned to this department.
    pub department_id: Option<String>,
    /// Indicators with a target in this year.
    pub year: Option<i32>,
    pub nature: Option<Nature>,
    /// Indicators contributing to this (city) indicator.
    pub contributes_to_id: Option<String>,
}

/// Sort fields of indicator lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum IndicatorOrderField {
    /// 文件顺序 — in the order of the plan document.
    #[default]
    DocumentOrder,
    /// 名称 — by name.
    Name,
}

impl IndicatorFilter {
    fn condition(&self) -> Condition {
        let mut cond = Condition::all();
        if let Some(text) = &self.search {
            cond = cond.add(page::search_condition(
                &[
                    Expr::col((indicator::Entity, indicator::Column::Name)),
                    Expr::col((indicator::Entity, indicator::Column::Unit)),
                ],
                text,
            ));
        }
        if let Some(plan) = &self.plan_id {
            cond = cond.add(indicator::Column::PlanId.eq(plan.clone()));
        }
        if let Some(task) = &self.task_id {
            cond = cond.add(indicator::Column::TaskId.eq(task.clone()));
        }
        if let Some(region) = &self.region_id {
            cond = cond.add::<Condition>(if self.include_subregions {
                indicator::Column::RegionId.in_subquery(region_subtree(region)).into()
            } else {
                indicator::Column::RegionId.eq(region.clone()).into()
            });
        }
        if let Some(department) = &self.department_id {
            cond = cond.add(indicator::Column::TaskId.in_subquery(tasks_assigned_to(department, None)));
        }
        if let Some(year) = self.year {
            cond = cond.add(indicator::Column::Id.in_subquery(indicators_with_target_in(year)));
        }
        if let Some(nature) = self.nature {
            cond = cond.add(indicator::Column::Nature.eq(nature));
        }
        if let Some(city) = &self.contributes_to_id {
            cond = cond.add(indicator::Column::ContributesToId.eq(city.clone()));
        }
        cond
    }
}

/// The sort of an indicator list.
pub fn sort(field: IndicatorOrderField, direction: Direction) -> SortSpec<indicator::Model> {
    let descending = direction == Direction::Desc;
    let id = Expr::col((indicator::Entity, indicator::Column::Id));
    match field {
        IndicatorOrderField::DocumentOrder => SortSpec {
            list: "Indicator.docOrder",
            kind: page::SortKind::Text,
            expr: Expr::col((indicator::Entity, indicator::Column::DocOrder)),
            then: None,
            id,
            descending,
            value_of: |m| SortValue::Text(m.doc_order.clone()),
            id_of: |m| &m.id,
        },
        IndicatorOrderField::Name => SortSpec {
            list: "Indicator.name",
            kind: page::SortKind::Text,
            expr: Expr::col((indicator::Entity, indicator::Column::Name)),
            then: None,
            id,
            descending,
            value_of: |m| SortValue::Text(m.name.clone()),
            id_of: |m| &m.id,
        },
    }
}

/// The visible indicators matching `filter`, for statements whose rows are not
/// bounded by a key or a parent (root lists and their counts, exports, per-parent
/// counts): the access rule as sets computed once per statement, whose cost
/// does not grow with the rows a sparse caller's scan passes over.
pub fn select(viewer: &Viewer, filter: &IndicatorFilter) -> Select<indicator::Entity> {
    indicator::Entity::find().filter(viewer.indicator_condition()).filter(filter.condition())
}

/// The visible indicators matching `filter`, for statements bounded by keys or by
/// parents (a batch of IDs, one page per parent): the access rule judged row
/// by row (`Viewer::indicator_condition_per_row`), one probe per row read.
fn select_per_row(viewer: &Viewer, filter: &IndicatorFilter) -> Select<indicator::Entity> {
    indicator::Entity::find().filter(viewer.indicator_condition_per_row()).filter(filter.condition())
}

/// [`select`] when each parent's rows are also counted, else [`select_per_row`].
fn select_for_pages(viewer: &Viewer, filter: &IndicatorFilter, with_total: bool) -> Select<indicator::Entity> {
    if with_total { select(viewer, filter) } else { select_per_row(viewer, filter) }
}

/// One page of visible indicators, and the query that counts them all.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &IndicatorFilter,
    order: (IndicatorOrderField, Direction),
    args: &PageArgs,
    max_page_size: u32,
) -> AppResult<(Page<indicator::Model>, Select<indicator::Entity>)> {
    let query = select(viewer, filter);
    let page = page::fetch_page(db, query.clone(), &sort(order.0, order.1), args, max_page_size).await?;
    Ok((page, query))
}

/// Visible indicators by ID.
pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    ids: &[String],
) -> AppResult<HashMap<String, indicator::Model>> {
    let query = indicator::Entity::find().filter(viewer.indicator_condition_per_row());
    let groups = group_by(db, query, indicator::Column::Id, ids).await?;
    Ok(groups.into_iter().filter_map(|(k, mut v)| v.pop().map(|m| (k, m))).collect())
}

/// One page of each plan's visible indicators matching `filter`, for
/// `Plan.indicators` (paging arguments already checked against the limits).
pub async fn pages_by_plans<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &IndicatorFilter,
    order: (IndicatorOrderField, Direction),
    args: &PageArgs,
    with_total: bool,
    plan_ids: &[String],
) -> AppResult<HashMap<String, GroupedPage<indicator::Model>>> {
    pages_grouped_by(db, viewer, filter, order, args, with_total, indicator::Column::PlanId, plan_ids).await
}

/// One page of each task's visible indicators matching `filter`, for
/// `Task.indicators` (paging arguments already checked against the limits).
pub async fn pages_by_tasks<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &IndicatorFilter,
    order: (IndicatorOrderField, Direction),
    args: &PageArgs,
    with_total: bool,
    task_ids: &[String],
) -> AppResult<HashMap<String, GroupedPage<indicator::Model>>> {
    pages_grouped_by(db, viewer, filter, order, args, with_total, indicator::Column::TaskId, task_ids).await
}

/// One page of the visible indicators matching `filter` that contribute to
/// each (city) indicator, for `Indicator.contributors` (paging arguments
/// already checked against the limits).
pub async fn pages_by_contributed_to<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &IndicatorFilter,
    order: (IndicatorOrderField, Direction),
    args: &PageArgs,
    with_total: bool,
    indicator_ids: &[String],
) -> AppResult<HashMap<String, GroupedPage<indicator::Model>>> {
    let column = indicator::Column::ContributesToId;
    pages_grouped_by(db, viewer, filter, order, args, with_total, column, indicator_ids).await
}

/// One page of the visible indicators matching `filter` of each parent named
/// by `column`. An indicator the caller may not see is neither returned nor
/// counted.
#[allow(clippy::too_many_arguments)]
async fn pages_grouped_by<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &IndicatorFilter,
    order: (IndicatorOrderField, Direction),
    args: &PageArgs,
    with_total: bool,
    column: indicator::Column,
    keys: &[String],
) -> AppResult<HashMap<String, GroupedPage<indicator::Model>>> {
    let spec = sort(order.0, order.1);
    page::fetch_grouped_pages(
        db,
        select_for_pages(viewer, filter, with_total),
        column,
        keys,
        &spec,
        args,
        u32::MAX,
        with_total,
    )
    .await
}

/// Targets of each indicator: those due by a year in year order, then the
/// standing and recurring ones (the same on both stores, which place NULLs
/// differently).
pub async fn targets_of<C: ConnectionTrait>(
    db: &C,
    indicator_ids: &[String],
) -> AppResult<HashMap<String, Vec<indicator_target::Model>>> {
    let query = indicator_target::Entity::find()
        .order_by_asc(Expr::col(indicator_target::Column::Year).is_null())
        .order_by_asc(indicator_target::Column::Year)
        .order_by_asc(indicator_target::Column::Kind)
        .order_by_asc(indicator_target::Column::StartYear);
    group_by(db, query, indicator_target::Column::IndicatorId, indicator_ids).await
}

/// Every actual of each indicator, every revision included, by period (byte
/// by byte, as [`super::progress::current_actuals`] compares them), then
/// revision: what a chart of the indicator draws.
pub async fn all_actuals_of<C: ConnectionTrait>(
    db: &C,
    indicator_ids: &[String],
) -> AppResult<HashMap<String, Vec<indicator_actual::Model>>> {
    let mut found =
        group_by(db, indicator_actual::Entity::find(), indicator_actual::Column::IndicatorId, indicator_ids).await?;
    for actuals in found.values_mut() {
        actuals.sort_by(|a, b| (a.period.as_bytes(), a.revision).cmp(&(b.period.as_bytes(), b.revision)));
    }
    Ok(found)
}

/// The order of an indicator's actuals: by period, then revision. Periods
/// compare byte by byte, as in [`super::progress::current_actuals`]
/// (`COLLATE "C"` on PostgreSQL).
pub fn actual_sort(backend: sea_orm::DbBackend) -> SortSpec<indicator_actual::Model> {
    use indicator_actual::{Column, Entity};
    SortSpec {
        list: "Actual.period",
        kind: page::SortKind::TextInt,
        expr: period_bytewise(backend),
        then: Some(Expr::col((Entity, Column::Revision))),
        id: Expr::col((Entity, Column::Id)),
        descending: false,
        value_of: |m| SortValue::TextInt(m.period.clone(), i64::from(m.revision)),
        id_of: |m| &m.id,
    }
}

/// One page of each indicator's actuals in [`actual_sort`] order, for
/// `Indicator.actuals` (paging arguments already checked against the limits;
/// the indicators are ones the caller may see). Without `include_superseded`
/// only the current revision of each period (the one no later revision of
/// the same period supersedes), as [`super::progress::current_actuals`] keeps.
pub async fn actual_pages_by_indicators<C: ConnectionTrait>(
    db: &C,
    include_superseded: bool,
    args: &PageArgs,
    with_total: bool,
    indicator_ids: &[String],
) -> AppResult<HashMap<String, GroupedPage<indicator_actual::Model>>> {
    use indicator_actual::{Column, Entity};
    use sea_orm::ExprTrait;
    use sea_orm::sea_query::{Alias, Query};
    let mut query = Entity::find();
    if !include_superseded {
        let newer = Alias::new("xt_newer");
        let later_revision = Query::select()
            .column((newer.clone(), Column::Id))
            .from_as(Entity, newer.clone())
            .and_where(Expr::col((newer.clone(), Column::IndicatorId)).equals((Entity, Column::IndicatorId)))
            .and_where(Expr::col((newer.clone(), Column::Period)).equals((Entity, Column::Period)))
            .and_where(Expr::col((newer, Column::Revision)).gt(Expr::col((Entity, Column::Revision))))
            .to_owned();
        query = query.filter(Expr::not_exists(later_revision));
    }
    let spec = actual_sort(db.get_database_backend());
    page::fetch_grouped_pages(db, query, Column::IndicatorId, indicator_ids, &spec, args, u32::MAX, with_total).await
}

/// An actual's period as "latest" and the actuals' order compare it: byte by
/// byte on both stores (`COLLATE "C"` on PostgreSQL, which
/// `ix_indicator_actual_latest` serves; SQLite compares text so already), as
/// [`super::progress::current_actuals`] does in memory.
pub(super) fn period_bytewise(backend: sea_orm::DbBackend) -> Expr {
    match backend {
        sea_orm::DbBackend::Postgres => Expr::cust(r#""indicator_actual"."period" COLLATE "C""#),
        _ => Expr::col((indicator_actual::Entity, indicator_actual::Column::Period)),
    }
}
