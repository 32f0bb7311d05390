//! createPlan, updatePlan, archivePlan.

use super::{Checks, Idempotency, MAX_CODE, MAX_TEXT, MAX_TITLE, check_version, json, load, set_if};
use crate::access::Actor;
use crate::access::Viewer;
use crate::db::Writer;
use crate::error::{AppError, AppResult};
use crate::service::audit::{AuditAction, AuditEntity, ChangeInput, Scope};
use crate::service::writes::WriteTxn;
use chrono::{NaiveDate, Utc};
use entity::enums::{PlanKind, PlanStatus, SharingClass};
use entity::{department, plan, region};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter};
use serde::Serialize;

/// Input of createPlan, with IDs already decoded.
#[derive(Debug, Clone, Serialize)]
pub struct NewPlan {
    pub title: String,
    pub document_number: Option<String>,
    pub region_id: String,
    pub issuer_id: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub period_start: Option<i32>,
    pub period_end: Option<i32>,
    pub kind: PlanKind,
    pub status: PlanStatus,
    pub sharing_class: SharingClass,
    pub legal_basis: Option<String>,
    pub parent_id: Option<String>,
}

/// Changes of updatePlan; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PlanPatch {
    pub title: Option<String>,
    pub document_number: Option<String>,
    pub issuer_id: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub period_start: Option<i32>,
    pub period_end: Option<i32>,
    pub kind: Option<PlanKind>,
    pub status: Option<PlanStatus>,
    pub sharing_class: Option<SharingClass>,
    pub legal_basis: Option<String>,
    pub parent_id: Option<String>,
}

fn check_fields(
    checks: &mut Checks,
    title: Option<&str>,
    document_number: Option<&str>,
    period: (Option<i32>, Option<i32>),
    legal_basis: Option<&str>,
) {
    checks
        .opt_text("input.title", title, MAX_TITLE)
        .opt_text("input.documentNumber", document_number, MAX_CODE)
        .year("input.periodStart", period.0)
        .year("input.periodEnd", period.1)
        .opt_text("input.legalBasis", legal_basis, MAX_TEXT);
    if let (Some(start), Some(end)) = period {
        checks.require(start <= end, "input.periodEnd", "must not be before periodStart");
    }
}

/// A NOT_SHARED record must state its legal basis.
fn check_legal_basis(checks: &mut Checks, class: SharingClass, legal_basis: Option<&str>) {
    checks.require(
        class != SharingClass::NotShared || legal_basis.is_some_and(|b| !b.trim().is_empty()),
        "input.legalBasis",
        "a NOT_SHARED record must state its legal basis",
    );
}

/// Checks that referenced records exist (and the parent plan is visible).
async fn check_references(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    region_id: Option<&str>,
    issuer_id: Option<&str>,
    parent_id: Option<&str>,
) -> AppResult<()> {
    let mut checks = Checks::default();
    if let Some(id) = region_id {
        checks.require(region::Entity::find_by_id(id).one(txn).await?.is_some(), "input.regionId", "no such region");
    }
    if let Some(id) = issuer_id {
        let found = department::Entity::find_by_id(id).one(txn).await?;
        checks.require(found.is_some(), "input.issuerId", "no such department");
    }
    if let Some(id) = parent_id {
        let found = plan::Entity::find_by_id(id).filter(viewer.plan_condition()).one(txn).await?;
        checks.require(found.is_some(), "input.parentId", "no such plan");
    }
    checks.finish()
}

fn change(action: AuditAction, before: Option<&plan::Model>, after: &plan::Model) -> ChangeInput {
    ChangeInput {
        entity: AuditEntity::Plan,
        entity_id: after.id.clone(),
        action,
        before: before.and_then(json),
        after: json(after),
        scope: Scope::Plan(after.id.clone()),
        plan_id: Some(after.id.clone()),
        region_id: Some(after.region_id.clone()),
    }
}

/// Creates a plan in a region the caller coordinates.
pub async fn create_plan(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    input: NewPlan,
    idempotency_key: Option<&str>,
) -> AppResult<plan::Model> {
    let mut checks = Checks::default();
    checks.text("input.title", &input.title, MAX_TITLE);
    check_fields(
        &mut checks,
        None,
        input.document_number.as_deref(),
        (input.period_start, input.period_end),
        input.legal_basis.as_deref(),
    );
    check_legal_basis(&mut checks, input.sharing_class, input.legal_basis.as_deref());
    checks.finish()?;
    let idempotency = Idempotency::new("createPlan", idempotency_key, &input)?;

    let write = WriteTxn::begin_idempotent(writer, actor, idempotency).await?;
    let txn = write.db();
    viewer.require_coordinator_of(&input.region_id, "create plans")?;
    if let Some(id) = write.replay().await? {
        let plan =
            load(txn, "Plan", &id, plan::Entity::find().filter(viewer.plan_condition()), plan::Column::Id).await?;
        write.end_unchanged().await?;
        return Ok(plan);
    }
    check_references(txn, viewer, Some(&input.region_id), input.issuer_id.as_deref(), input.parent_id.as_deref())
        .await?;
    let now = Utc::now();
    let created = plan::Model {
        id: crate::ids::new_uuid(),
        title: input.title.trim().to_owned(),
        document_number: input.document_number,
        issuer_id: input.issuer_id,
        region_id: input.region_id,
        issued_on: input.issued_on,
        period_start: input.period_start,
        period_end: input.period_end,
        kind: input.kind,
        status: input.status,
        sharing_class: input.sharing_class,
        legal_basis: input.legal_basis,
        parent_id: input.parent_id,
        source_document_id: None,
        source_section: None,
        source_quote: None,
        source_start: None,
        source_end: None,
        source_cleaned: None,
        version: 1,
        created_at: now,
        updated_at: now,
    }
    .into_active_model()
    .insert(txn)
    .await?;
    write.commit(change(AuditAction::Create, None, &created)).await?;
    Ok(created)
}

/// Loads a plan the caller may see and coordinate, inside the transaction.
async fn load_managed(txn: &DatabaseTransaction, viewer: &Viewer, id: &str, action: &str) -> AppResult<plan::Model> {
    let found = load(txn, "Plan", id, plan::Entity::find().filter(viewer.plan_condition()), plan::Column::Id).await?;
    viewer.require_coordinator_of(&found.region_id, action)?;
    Ok(found)
}

/// Updates the given fields of a plan at `expected_version`.
pub async fn update_plan(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    id: &str,
    expected_version: i32,
    patch: PlanPatch,
) -> AppResult<plan::Model> {
    let mut checks = Checks::default();
    check_fields(
        &mut checks,
        patch.title.as_deref(),
        patch.document_number.as_deref(),
        (patch.period_start, patch.period_end),
        patch.legal_basis.as_deref(),
    );
    checks.finish()?;

    let write = WriteTxn::begin(writer, actor).await?;
    let txn = write.db();
    let before = load_managed(txn, viewer, id, "update plans").await?;
    check_version("Plan", before.version, expected_version)?;
    if patch.parent_id.as_deref() == Some(id) {
        return Err(AppError::bad_input("input.parentId", "a plan cannot implement itself"));
    }
    check_references(txn, viewer, None, patch.issuer_id.as_deref(), patch.parent_id.as_deref()).await?;
    let mut checks = Checks::default();
    let period = (patch.period_start.or(before.period_start), patch.period_end.or(before.period_end));
    if let (Some(start), Some(end)) = period {
        checks.require(start <= end, "input.periodEnd", "must not be before periodStart");
    }
    let class = patch.sharing_class.unwrap_or(before.sharing_class);
    check_legal_basis(&mut checks, class, patch.legal_basis.as_deref().or(before.legal_basis.as_deref()));
    checks.finish()?;

    let mut am = before.clone().into_active_model();
    set_if(&mut am.title, patch.title.map(|v| v.trim().to_owned()));
    set_if(&mut am.document_number, patch.document_number.map(Some));
    set_if(&mut am.issuer_id, patch.issuer_id.map(Some));
    set_if(&mut am.issued_on, patch.issued_on.map(Some));
    set_if(&mut am.period_start, patch.period_start.map(Some));
    set_if(&mut am.period_end, patch.period_end.map(Some));
    set_if(&mut am.kind, patch.kind);
    set_if(&mut am.status, patch.status);
    set_if(&mut am.sharing_class, patch.sharing_class);
    set_if(&mut am.legal_basis, patch.legal_basis.map(Some));
    set_if(&mut am.parent_id, patch.parent_id.map(Some));
    let after = write.save_next_version(am, before.version).await?;
    write.commit(change(AuditAction::Update, Some(&before), &after)).await?;
    Ok(after)
}

/// Archives a plan (status ARCHIVED); its records stay readable.
pub async fn archive_plan(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    id: &str,
    expected_version: i32,
) -> AppResult<plan::Model> {
    let write = WriteTxn::begin(writer, actor).await?;
    let txn = write.db();
    let before = load_managed(txn, viewer, id, "archive plans").await?;
    check_version("Plan", before.version, expected_version)?;
    let mut am = before.clone().into_active_model();
    am.status = Set(PlanStatus::Archived);
    let after = write.save_next_version(am, before.version).await?;
    write.commit(change(AuditAction::Archive, Some(&before), &after)).await?;
    Ok(after)
}
