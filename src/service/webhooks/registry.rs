//! Registering and managing webhook endpoints (audited mutations, one
//! [`WriteTxn`] each), and reading their deliveries.
//!
//! Who may: an ADMIN for any department; a COORDINATOR for departments of its
//! jurisdiction, acting as any role but ADMIN. An endpoint another caller may
//! not manage is NOT_FOUND. Secrets are shown once (registration, rotation)
//! and never written to the audit trail. What was delivered: [`super::history`].

use super::{EndpointStatus, guard, signing};
use crate::access::Actor;
use crate::access::{Role, Viewer};
use crate::db::Writer;
use crate::error::{AppError, AppResult};
use crate::service::audit::{AuditAction, AuditEntity, ChangeInput, Scope};
use crate::service::writes::{Checks, Idempotency, WriteTxn, check_version};
use chrono::{DateTime, Utc};
use entity::{department, plan, webhook_attempt, webhook_delivery, webhook_endpoint};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder,
};
use serde_json::json;
use std::time::Duration;

/// Longest URL accepted.
pub const MAX_URL: usize = 2000;
/// Longest overlap of an old secret after a rotation.
pub const MAX_OVERLAP: Duration = Duration::from_secs(7 * 24 * 3600);

/// Input of registerWebhookEndpoint, with IDs decoded.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    /// Where changes are POSTed (checked against the allow-list).
    pub url: String,
    /// The department the endpoint acts as.
    pub department_id: String,
    /// The role it acts as.
    pub role: Role,
    /// Only changes of records of this plan.
    pub plan_id: Option<String>,
    /// Only changes of this kind of record.
    pub entity: Option<AuditEntity>,
    /// Only changes with this action.
    pub action: Option<AuditAction>,
}

/// An endpoint with the secret that is shown only now.
pub struct WithSecret {
    /// The endpoint as stored.
    pub endpoint: webhook_endpoint::Model,
    /// Its current `whsec_…` secret.
    pub secret: String,
}

/// The audit trail's picture of an endpoint: everything but its secrets.
fn audit_view(m: &webhook_endpoint::Model) -> serde_json::Value {
    json!({
        "id": m.id, "url": m.url, "department_id": m.department_id, "role": m.role,
        "filter_plan_id": m.filter_plan_id, "filter_entity": m.filter_entity, "filter_action": m.filter_action,
        "status": m.status, "previous_secret_expires_at": m.previous_secret_expires_at, "version": m.version,
    })
}

fn change(
    action: AuditAction,
    region_id: &str,
    before: Option<&webhook_endpoint::Model>,
    after: &webhook_endpoint::Model,
) -> ChangeInput {
    ChangeInput {
        entity: AuditEntity::WebhookEndpoint,
        entity_id: after.id.clone(),
        action,
        before: before.map(audit_view),
        after: Some(audit_view(after)),
        scope: Scope::Admin,
        plan_id: after.filter_plan_id.clone(),
        region_id: Some(region_id.to_owned()),
    }
}

/// The endpoints `viewer` may manage, as a condition on `webhook_endpoint`.
///
/// # Errors
/// FORBIDDEN for callers that are neither ADMIN nor COORDINATOR.
pub(super) fn managed(viewer: &Viewer) -> AppResult<Condition> {
    let identity = viewer.identity()?;
    match identity.role {
        Role::Admin => Ok(Condition::all()),
        Role::Coordinator => {
            let departments = Query::select()
                .column(department::Column::Id)
                .from(department::Entity)
                .and_where(department::Column::RegionId.is_in(identity.jurisdiction.clone()))
                .to_owned();
            Ok(Condition::all().add(webhook_endpoint::Column::DepartmentId.in_subquery(departments)))
        }
        Role::Bureau | Role::Reader => {
            Err(AppError::Forbidden("only a COORDINATOR or ADMIN may manage webhook endpoints".into()))
        }
    }
}

/// The endpoint `id` if `viewer` may manage it, with its department's region.
pub(super) async fn load_managed<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: &str,
) -> AppResult<(webhook_endpoint::Model, String)> {
    let found = webhook_endpoint::Entity::find_by_id(id).filter(managed(viewer)?).one(db).await?;
    let found = found.ok_or_else(|| AppError::not_found("WebhookEndpoint", id))?;
    let region = department::Entity::find_by_id(found.department_id.as_str()).one(db).await?.map(|d| d.region_id);
    Ok((found, region.unwrap_or_default()))
}

/// Registers an endpoint; its secret is generated here and returned once.
///
/// # Errors
/// BAD_USER_INPUT for a URL the allow-list refuses (`input.url`) or an
/// unknown department; FORBIDDEN outside the caller's rights; NOT_FOUND for a
/// filter plan the caller may not see.
pub async fn register(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    allowed: &[String],
    input: NewEndpoint,
    idempotency_key: Option<&str>,
) -> AppResult<WithSecret> {
    let mut checks = Checks::default();
    checks.text("input.url", &input.url, MAX_URL);
    if let Err(refusal) = guard::check(allowed, &input.url) {
        checks.require(false, "input.url", refusal);
    }
    checks.finish()?;
    let request = json!({
        "url": input.url, "department": input.department_id, "role": input.role.as_str(), "plan": input.plan_id,
        "entity": input.entity.map(AuditEntity::as_str), "action": input.action.map(AuditAction::as_str),
    });
    let idempotency = Idempotency::new("registerWebhookEndpoint", idempotency_key, &request)?;

    let write = WriteTxn::begin_idempotent(writer, actor, idempotency).await?;
    let txn = write.db();
    let department = department::Entity::find_by_id(input.department_id.as_str())
        .one(txn)
        .await?
        .ok_or_else(|| AppError::bad_input("input.departmentId", "no such department"))?;
    let identity = viewer.require_coordinator_of(&department.region_id, "register webhooks for a department")?;
    if input.role == Role::Admin && identity.role != Role::Admin {
        return Err(AppError::Forbidden("only an ADMIN may register an endpoint acting as ADMIN".into()));
    }
    if let Some(plan_id) = &input.plan_id
        && plan::Entity::find_by_id(plan_id.as_str()).filter(viewer.plan_condition()).one(txn).await?.is_none()
    {
        return Err(AppError::not_found("Plan", plan_id));
    }
    if let Some(id) = write.replay().await? {
        let found = webhook_endpoint::Entity::find_by_id(id.as_str()).one(txn).await?;
        let found = found.ok_or_else(|| AppError::not_found("WebhookEndpoint", &id))?;
        write.end_unchanged().await?;
        let secret = found.secret.clone();
        return Ok(WithSecret { endpoint: found, secret });
    }
    let now = Utc::now();
    let secret = signing::new_secret();
    // New endpoints start at the head of the feed: they receive what commits from now on.
    let head = crate::service::changes::head_seq(txn).await?;
    let created = webhook_endpoint::Model {
        id: crate::ids::new_uuid(),
        url: input.url.trim().to_owned(),
        department_id: department.id.clone(),
        role: input.role.as_str().to_owned(),
        filter_plan_id: input.plan_id,
        filter_entity: input.entity.map(|e| e.as_str().to_owned()),
        filter_action: input.action.map(|a| a.as_str().to_owned()),
        secret: secret.clone(),
        previous_secret: None,
        previous_secret_expires_at: None,
        status: EndpointStatus::Active.as_str().to_owned(),
        cursor: head,
        failures: 0,
        next_attempt_ms: 0,
        lease_owner: None,
        lease_until_ms: 0,
        created_by: actor.subject.clone(),
        created_at: now,
        updated_at: now,
        version: 1,
    }
    .into_active_model()
    .insert(txn)
    .await?;
    write.commit(change(AuditAction::Create, &department.region_id, None, &created)).await?;
    Ok(WithSecret { endpoint: created, secret })
}

/// The endpoints the caller may manage, oldest first.
///
/// # Errors
/// FORBIDDEN for callers that are neither ADMIN nor COORDINATOR.
pub async fn list(db: &DatabaseConnection, viewer: &Viewer) -> AppResult<Vec<webhook_endpoint::Model>> {
    Ok(webhook_endpoint::Entity::find()
        .filter(managed(viewer)?)
        .order_by_asc(webhook_endpoint::Column::CreatedAt)
        .order_by_asc(webhook_endpoint::Column::Id)
        .all(db)
        .await?)
}

/// The endpoints of `ids` the caller may manage (none for callers that manage none), for `node(id)`.
///
/// # Errors
/// Store failures.
pub async fn by_ids(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ids: Vec<String>,
) -> AppResult<Vec<webhook_endpoint::Model>> {
    let Ok(managed) = managed(viewer) else { return Ok(Vec::new()) };
    Ok(webhook_endpoint::Entity::find().filter(managed).filter(webhook_endpoint::Column::Id.is_in(ids)).all(db).await?)
}

/// One endpoint the caller may manage.
///
/// # Errors
/// NOT_FOUND when it does not exist or the caller may not manage it.
pub async fn find(db: &DatabaseConnection, viewer: &Viewer, id: &str) -> AppResult<webhook_endpoint::Model> {
    Ok(load_managed(db, viewer, id).await?.0)
}

/// Switches an endpoint on (ACTIVE, failures forgotten, delivering from its
/// cursor at once) or off (DISABLED). Setting the state it has changes nothing.
///
/// # Errors
/// NOT_FOUND, FORBIDDEN, CONFLICT for a stale `expected_version`.
pub async fn set_enabled(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    id: &str,
    enabled: bool,
    expected_version: Option<i32>,
) -> AppResult<webhook_endpoint::Model> {
    let write = WriteTxn::begin(writer, actor).await?;
    let (before, region) = load_managed(write.db(), viewer, id).await?;
    if let Some(expected) = expected_version {
        check_version("WebhookEndpoint", before.version, expected)?;
    }
    let status = EndpointStatus::parse(&before.status);
    let target = if enabled { EndpointStatus::Active } else { EndpointStatus::Disabled };
    if status == target {
        write.end_unchanged().await?;
        return Ok(before);
    }
    let mut am = before.clone().into_active_model();
    am.status = Set(target.as_str().to_owned());
    if enabled {
        am.failures = Set(0);
        am.next_attempt_ms = Set(0);
    }
    let after = write.save_next_version(am, before.version).await?;
    let action = if enabled { AuditAction::Enable } else { AuditAction::Disable };
    write.commit(change(action, &region, Some(&before), &after)).await?;
    Ok(after)
}

/// Deletes an endpoint with its deliveries and their attempts.
///
/// # Errors
/// NOT_FOUND, FORBIDDEN.
pub async fn delete(writer: &Writer, viewer: &Viewer, actor: &Actor, id: &str) -> AppResult<webhook_endpoint::Model> {
    let write = WriteTxn::begin(writer, actor).await?;
    let txn = write.db();
    let (before, region) = load_managed(txn, viewer, id).await?;
    let deliveries = Query::select()
        .column(webhook_delivery::Column::Id)
        .from(webhook_delivery::Entity)
        .and_where(webhook_delivery::Column::EndpointId.eq(id))
        .to_owned();
    webhook_attempt::Entity::delete_many()
        .filter(webhook_attempt::Column::DeliveryId.in_subquery(deliveries))
        .exec(txn)
        .await?;
    webhook_delivery::Entity::delete_many().filter(webhook_delivery::Column::EndpointId.eq(id)).exec(txn).await?;
    webhook_endpoint::Entity::delete_by_id(id).exec(txn).await?;
    let mut entry = change(AuditAction::Delete, &region, Some(&before), &before);
    entry.after = None;
    write.commit(entry).await?;
    Ok(before)
}

/// Replaces an endpoint's secret; the old one keeps signing (a second
/// signature in `webhook-signature`) for `overlap`, so receivers can switch
/// without losing a message.
///
/// # Errors
/// BAD_USER_INPUT for an overlap above [`MAX_OVERLAP`]; NOT_FOUND, FORBIDDEN, CONFLICT.
pub async fn rotate_secret(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    id: &str,
    overlap: Duration,
    expected_version: Option<i32>,
) -> AppResult<WithSecret> {
    let mut checks = Checks::default();
    checks.require(overlap <= MAX_OVERLAP, "input.overlapSeconds", "must be at most 604800 (seven days)");
    checks.finish()?;
    let write = WriteTxn::begin(writer, actor).await?;
    let (before, region) = load_managed(write.db(), viewer, id).await?;
    if let Some(expected) = expected_version {
        check_version("WebhookEndpoint", before.version, expected)?;
    }
    let secret = signing::new_secret();
    let until = Utc::now() + chrono::Duration::from_std(overlap).unwrap_or_default();
    let mut am = before.clone().into_active_model();
    am.secret = Set(secret.clone());
    am.previous_secret = Set(Some(before.secret.clone()));
    am.previous_secret_expires_at = Set(Some(until));
    let after = write.save_next_version(am, before.version).await?;
    write.commit(change(AuditAction::RotateSecret, &region, Some(&before), &after)).await?;
    Ok(WithSecret { endpoint: after, secret })
}

/// The secrets that sign a message of `endpoint` at `now`: the current one,
/// then the previous one while its overlap lasts.
pub fn signing_secrets(endpoint: &webhook_endpoint::Model, now: DateTime<Utc>) -> Vec<&str> {
    let mut secrets = vec![endpoint.secret.as_str()];
    if let (Some(previous), Some(until)) = (&endpoint.previous_secret, endpoint.previous_secret_expires_at)
        && until > now
    {
        secrets.push(previous);
    }
    secrets
}
