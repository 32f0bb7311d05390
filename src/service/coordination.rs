//! Jing-Jin-Ji coordination records: the list, its filters, and the
//! participating agencies and regions of each record, under the read rule of
//! the record's plan ([`Viewer::coordination_condition`]).

use super::group_by;
use super::page::{self, Page, PageArgs, SortSpec, SortValue};
use crate::access::Viewer;
use crate::error::AppResult;
use entity::enums::CoordinationKind;
use entity::{coordination_participant, coordination_record, coordination_region};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select};
use std::collections::HashMap;

/// Which coordination records a list returns.
#[derive(Debug, Clone, Default)]
pub struct CoordinationFilter {
    pub plan_id: Option<String>,
    /// Records concerning this region (one of the record's regions).
    pub region_id: Option<String>,
    pub kind: Option<CoordinationKind>,
}

fn select(viewer: &Viewer, filter: &CoordinationFilter) -> Select<coordination_record::Entity> {
    let mut cond = Condition::all().add(viewer.coordination_condition());
    if let Some(plan) = &filter.plan_id {
        cond = cond.add(coordination_record::Column::PlanId.eq(plan.clone()));
    }
    if let Some(kind) = filter.kind {
        cond = cond.add(coordination_record::Column::Kind.eq(kind.as_str()));
    }
    if let Some(region) = &filter.region_id {
        let concerning = Query::select()
            .column(coordination_region::Column::RecordId)
            .from(coordination_region::Entity)
            .and_where(coordination_region::Column::RegionId.eq(region.clone()))
            .to_owned();
        cond = cond.add(coordination_record::Column::Id.in_subquery(concerning));
    }
    coordination_record::Entity::find().filter(cond)
}

/// Document order: by plan, then position in the plan's text.
fn sort() -> SortSpec<coordination_record::Model> {
    SortSpec {
        list: "CoordinationRecord.docOrder",
        kind: page::SortKind::Text,
        expr: Expr::col((coordination_record::Entity, coordination_record::Column::DocOrder)),
        then: None,
        id: Expr::col((coordination_record::Entity, coordination_record::Column::Id)),
        descending: false,
        value_of: |m| SortValue::Text(m.doc_order.clone()),
        id_of: |m| &m.id,
    }
}

/// One page of the visible records matching `filter`, in document order,
/// and the query that counts them all.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &CoordinationFilter,
    args: &PageArgs,
    max_page_size: u32,
) -> AppResult<(Page<coordination_record::Model>, Select<coordination_record::Entity>)> {
    let query = select(viewer, filter);
    let page = page::fetch_page(db, query.clone(), &sort(), args, max_page_size).await?;
    Ok((page, query))
}

/// Visible records by ID, for `node(id)`.
pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    ids: Vec<String>,
) -> AppResult<Vec<coordination_record::Model>> {
    let query = coordination_record::Entity::find().filter(viewer.coordination_condition());
    let groups = group_by(db, query, coordination_record::Column::Id, &ids).await?;
    Ok(groups.into_values().flatten().collect())
}

/// The participating departments' IDs of each record, in listed order.
pub async fn participants_of<C: ConnectionTrait>(
    db: &C,
    record_ids: &[String],
) -> AppResult<HashMap<String, Vec<String>>> {
    let query = coordination_participant::Entity::find().order_by_asc(coordination_participant::Column::Position);
    let groups = group_by(db, query, coordination_participant::Column::RecordId, record_ids).await?;
    Ok(groups.into_iter().map(|(k, rows)| (k, rows.into_iter().map(|r| r.department_id).collect())).collect())
}

/// The regions' IDs of each record, in listed order.
pub async fn regions_of<C: ConnectionTrait>(db: &C, record_ids: &[String]) -> AppResult<HashMap<String, Vec<String>>> {
    let query = coordination_region::Entity::find().order_by_asc(coordination_region::Column::Position);
    let groups = group_by(db, query, coordination_region::Column::RecordId, record_ids).await?;
    Ok(groups.into_iter().map(|(k, rows)| (k, rows.into_iter().map(|r| r.region_id).collect())).collect())
}
