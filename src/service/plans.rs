//! Plans: lists, lookups and batches, always under the caller's visibility.

use super::page::{self, GroupedPage, Page, PageArgs, SortSpec, SortValue};
use super::{Direction, group_by, indicators_with_target_in, plans_assigned_to, region_subtree};
use crate::access::Viewer;
use crate::error::AppResult;
use entity::enums::{PlanKind, PlanStatus};
use entity::indicator;
use entity::plan;
use sea_orm::sea_query::Expr;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Select};
use std::collections::HashMap;

/// Which plans a list returns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PlanFilter {
    /// Substring of the title or document number.
    pub search: Option<String>,
    pub region_id: Option<String>,
    /// With `region_id`: also plans of regions under it.
    pub include_subregions: bool,
    /// Plans issued by this department or with a task assigned to it.
    pub department_id: Option<String>,
    pub status: Option<PlanStatus>,
    pub kind: Option<PlanKind>,
    /// Plans whose period covers this year or with a target in it.
    pub year: Option<i32>,
    /// Plans implementing this plan.
    pub parent_id: Option<String>,
}

/// Sort fields of plan lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum PlanOrderField {
    /// 印发日期 — by issue date (undated plans first).
    #[default]
    IssuedOn,
    /// 标题 — by title.
    Title,
}

impl PlanFilter {
    fn condition(&self) -> Condition {
        let mut cond = Condition::all();
        if let Some(text) = &self.search {
            cond = cond.add(page::search_condition(
                &[
                    Expr::col((plan::Entity, plan::Column::Title)),
                    Expr::cust(r#"COALESCE("plan"."document_number", '')"#),
                ],
                text,
            ));
        }
        if let Some(region) = &self.region_id {
            cond = cond.add::<Condition>(if self.include_subregions {
                plan::Column::RegionId.in_subquery(region_subtree(region)).into()
            } else {
                plan::Column::RegionId.eq(region.clone()).into()
            });
        }
        if let Some(department) = &self.department_id {
            cond = cond.add(
                Condition::any()
                    .add(plan::Column::IssuerId.eq(department.clone()))
                    .add(plan::Column::Id.in_subquery(plans_assigned_to(department))),
            );
        }
        if let Some(status) = self.status {
            cond = cond.add(plan::Column::Status.eq(status));
        }
        if let Some(kind) = self.kind {
            cond = cond.add(plan::Column::Kind.eq(kind));
        }
        if let Some(year) = self.year {
            let with_target = Query::select()
                .column(indicator::Column::PlanId)
                .from(indicator::Entity)
                .and_where(indicator::Column::Id.in_subquery(indicators_with_target_in(year)))
                .to_owned();
            cond = cond.add(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(plan::Column::PeriodStart.lte(year))
                            .add(plan::Column::PeriodEnd.gte(year)),
                    )
                    .add(plan::Column::Id.in_subquery(with_target)),
            );
        }
        if let Some(parent) = &self.parent_id {
            cond = cond.add(plan::Column::ParentId.eq(parent.clone()));
        }
        cond
    }
}

/// The sort of a plan list.
pub fn sort(field: PlanOrderField, direction: Direction) -> SortSpec<plan::Model> {
    let descending = direction == Direction::Desc;
    let id = Expr::col((plan::Entity, plan::Column::Id));
    match field {
        PlanOrderField::IssuedOn => SortSpec {
            list: "Plan.issuedOn",
            kind: page::SortKind::Text,
            expr: Expr::cust(r#"COALESCE(CAST("plan"."issued_on" AS TEXT), '')"#),
            then: None,
            id,
            descending,
            value_of: |m| SortValue::Text(m.issued_on.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()),
            id_of: |m| &m.id,
        },
        PlanOrderField::Title => SortSpec {
            list: "Plan.title",
            kind: page::SortKind::Text,
            expr: Expr::col((plan::Entity, plan::Column::Title)),
            then: None,
            id,
            descending,
            value_of: |m| SortValue::Text(m.title.clone()),
            id_of: |m| &m.id,
        },
    }
}

/// The visible plans matching `filter`.
pub fn select(viewer: &Viewer, filter: &PlanFilter) -> Select<plan::Entity> {
    plan::Entity::find().filter(viewer.plan_condition()).filter(filter.condition())
}

/// One page of visible plans, and the query that counts them all.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &PlanFilter,
    order: (PlanOrderField, Direction),
    args: &PageArgs,
    max_page_size: u32,
) -> AppResult<(Page<plan::Model>, Select<plan::Entity>)> {
    let query = select(viewer, filter);
    let page = page::fetch_page(db, query.clone(), &sort(order.0, order.1), args, max_page_size).await?;
    Ok((page, query))
}

/// Visible plans by ID, for DataLoaders and `node(id)`.
pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    ids: &[String],
) -> AppResult<HashMap<String, plan::Model>> {
    let query = plan::Entity::find().filter(viewer.plan_condition());
    let groups = group_by(db, query, plan::Column::Id, ids).await?;
    Ok(groups.into_iter().filter_map(|(k, mut v)| v.pop().map(|m| (k, m))).collect())
}

/// One page of each region's visible plans matching `filter`, for
/// `Region.plans` (paging arguments already checked against the limits).
pub async fn pages_by_regions<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &PlanFilter,
    order: (PlanOrderField, Direction),
    args: &PageArgs,
    with_total: bool,
    region_ids: &[String],
) -> AppResult<HashMap<String, GroupedPage<plan::Model>>> {
    let spec = sort(order.0, order.1);
    page::fetch_grouped_pages(
        db,
        select(viewer, filter),
        plan::Column::RegionId,
        region_ids,
        &spec,
        args,
        u32::MAX,
        with_total,
    )
    .await
}
