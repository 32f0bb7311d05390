//! The change feed: the audit trail as the caller may read it.
//!
//! Entries are totally ordered by `seq`, which is assigned and committed in
//! the same order (see [`super::audit`]), so a reader paging by cursor never
//! skips an entry that commits late. An entry is visible when the record
//! named by its scope is visible to the caller now; reference-data entries
//! are visible to everyone, administrative ones to administrators only.

use super::audit::{AuditAction, AuditEntity, ScopeKind};
use super::page::{self, Page, PageArgs, SortSpec, SortValue};
use crate::access::Viewer;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::{change, indicator, plan, task};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Select};

/// Which changes a feed returns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ChangeFilter {
    /// The kind of record changed.
    pub entity: Option<AuditEntity>,
    /// What was done to it.
    pub action: Option<AuditAction>,
    /// Record ID of the changed entity.
    pub entity_id: Option<String>,
    /// Changes made by callers of this department.
    pub department_id: Option<String>,
    /// Changes of records of this plan.
    pub plan_id: Option<String>,
    /// Changes of records of this region.
    pub region_id: Option<String>,
    /// Changes at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Changes after this sequence number.
    pub after_seq: Option<i64>,
}

/// A kind of record a payload may refer to by ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reference {
    Plan,
    Task,
    Indicator,
}

/// The fields of an entity's payload that name plans, tasks or indicators.
/// The entry itself is visible (the change feed's condition), but what it
/// refers to may not be: a task moved out from under a NOT_SHARED one, an
/// indicator contributing to a hidden one.
pub fn references(entity: AuditEntity) -> &'static [(&'static str, Reference)] {
    use AuditEntity as E;
    match entity {
        E::Plan => &[("parent_id", Reference::Plan)],
        E::Task => &[("plan_id", Reference::Plan), ("parent_id", Reference::Task)],
        E::Indicator => {
            &[("plan_id", Reference::Plan), ("task_id", Reference::Task), ("contributes_to_id", Reference::Indicator)]
        }
        E::ProgressReport | E::Assignment => &[("task_id", Reference::Task)],
        E::Target | E::Actual => &[("indicator_id", Reference::Indicator)],
        // Reference data and administrative records, visible whole or not at all.
        E::Region | E::Department | E::DepartmentAlias | E::Grant | E::RevokedToken | E::WebhookEndpoint => &[],
    }
}

/// The node kind whose global ID names the record a stored entity name is
/// about; grants and revoked tokens have no node of their own.
pub fn node_kind(entity: &str) -> Option<crate::ids::NodeKind> {
    use crate::ids::NodeKind;
    use AuditEntity as E;
    Some(match AuditEntity::parse(entity)? {
        E::Plan => NodeKind::Plan,
        E::Task => NodeKind::Task,
        E::Indicator => NodeKind::Indicator,
        E::Target => NodeKind::IndicatorTarget,
        E::Actual => NodeKind::IndicatorActual,
        E::ProgressReport => NodeKind::ProgressReport,
        E::Assignment => NodeKind::TaskAssignment,
        E::Region => NodeKind::Region,
        E::Department => NodeKind::Department,
        E::DepartmentAlias => NodeKind::DepartmentAlias,
        E::WebhookEndpoint => NodeKind::WebhookEndpoint,
        E::Grant | E::RevokedToken => return None,
    })
}

/// Replaces by null each reference of `payload` (a stored payload of
/// `entity`) to a plan, task or indicator not in `visible`.
pub fn redact(entity: &str, payload: &mut serde_json::Value, visible: &std::collections::HashSet<String>) {
    for (key, _) in references_of_stored(entity) {
        let hidden = payload.get(*key).and_then(|v| v.as_str()).is_some_and(|id| !visible.contains(id));
        if hidden && let Some(field) = payload.get_mut(*key) {
            *field = serde_json::Value::Null;
        }
    }
}

/// The references of a stored entry's payload; an entity name this version
/// does not know refers to nothing it could hide.
pub fn references_of_stored(entity: &str) -> &'static [(&'static str, Reference)] {
    AuditEntity::parse(entity).map_or(&[], references)
}

/// The condition on `change` rows this caller may read.
pub fn visibility(viewer: &Viewer) -> Condition {
    if viewer.is_admin() {
        return Condition::all();
    }
    let scoped = |kind: ScopeKind, ids: sea_orm::sea_query::SelectStatement| {
        Condition::all()
            .add(change::Column::ScopeEntity.eq(kind.as_str()))
            .add(change::Column::ScopeId.in_subquery(ids))
    };
    Condition::any()
        .add(change::Column::ScopeEntity.eq(ScopeKind::Public.as_str()))
        .add(scoped(
            ScopeKind::Plan,
            Query::select().column(plan::Column::Id).from(plan::Entity).cond_where(viewer.plan_condition()).to_owned(),
        ))
        .add(scoped(
            ScopeKind::Task,
            Query::select().column(task::Column::Id).from(task::Entity).cond_where(viewer.task_condition()).to_owned(),
        ))
        .add(scoped(
            ScopeKind::Indicator,
            Query::select()
                .column(indicator::Column::Id)
                .from(indicator::Entity)
                .cond_where(viewer.indicator_condition())
                .to_owned(),
        ))
}

/// The visible changes matching `filter`.
pub fn select(viewer: &Viewer, filter: &ChangeFilter) -> Select<change::Entity> {
    let mut cond = Condition::all();
    if let Some(entity) = filter.entity {
        cond = cond.add(change::Column::Entity.eq(entity.as_str()));
    }
    if let Some(action) = filter.action {
        cond = cond.add(change::Column::Action.eq(action.as_str()));
    }
    if let Some(id) = &filter.entity_id {
        cond = cond.add(change::Column::EntityId.eq(id.clone()));
    }
    if let Some(department) = &filter.department_id {
        cond = cond.add(change::Column::ActorDepartmentId.eq(department.clone()));
    }
    if let Some(plan) = &filter.plan_id {
        cond = cond.add(change::Column::PlanId.eq(plan.clone()));
    }
    if let Some(region) = &filter.region_id {
        cond = cond.add(change::Column::RegionId.eq(region.clone()));
    }
    if let Some(since) = filter.since {
        cond = cond.add(change::Column::OccurredAt.gte(since));
    }
    if let Some(seq) = filter.after_seq {
        cond = cond.add(change::Column::Seq.gt(seq));
    }
    change::Entity::find().filter(visibility(viewer)).filter(cond)
}

/// Feed order: by sequence number.
pub fn sort() -> SortSpec<change::Model> {
    SortSpec {
        list: page::CHANGE_FEED_LIST,
        kind: page::SortKind::Int,
        expr: Expr::col((change::Entity, change::Column::Seq)),
        then: None,
        id: Expr::col((change::Entity, change::Column::Id)),
        descending: false,
        value_of: |m| SortValue::Int(m.seq),
        id_of: |m| &m.id,
    }
}

/// One page of the visible feed, and the query that counts it.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &ChangeFilter,
    args: &PageArgs,
    max_page_size: u32,
) -> AppResult<(Page<change::Model>, Select<change::Entity>)> {
    if filter.since.is_some_and(|since| !super::writes::within_calendar(&since)) {
        return Err(crate::error::AppError::bad_input(
            "filter.since",
            format!("must be before the year {}", super::writes::MAX_CALENDAR_YEAR + 1),
        ));
    }
    let query = select(viewer, filter);
    let page = page::fetch_page(db, query.clone(), &sort(), args, max_page_size).await?;
    Ok((page, query))
}

/// The next `limit` visible changes after `after_seq`, in order.
pub async fn next_batch<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &ChangeFilter,
    after_seq: i64,
    limit: u64,
) -> AppResult<Vec<change::Model>> {
    use sea_orm::{QueryOrder, QuerySelect};
    let filter = ChangeFilter { after_seq: Some(after_seq), ..filter.clone() };
    Ok(select(viewer, &filter).order_by_asc(change::Column::Seq).limit(limit).all(db).await?)
}

/// The sequence number of the latest committed change (0 when there is none).
pub async fn head_seq<C: ConnectionTrait>(db: &C) -> AppResult<i64> {
    Ok(entity::audit_head::Entity::find_by_id(1).one(db).await?.map_or(0, |h| h.last_seq))
}

/// The feed cursor just after change `seq` (the start of the feed for 0).
pub async fn cursor_at<C: ConnectionTrait>(db: &C, seq: i64) -> AppResult<String> {
    let id = change::Entity::find_by_id(seq).one(db).await?.map(|c| c.id).unwrap_or_default();
    Ok(page::encode(SortValue::Int(seq), &id))
}
