//! Access administration: grants opening a CONDITIONAL plan to a department
//! (ADMIN, or the coordinator whose jurisdiction contains the plan's region),
//! and revoked tokens (ADMIN). Their changes are visible to administrators only.

use super::super::{Checks, Idempotency, MAX_TEXT, check_version, json, load};
use crate::access::Actor;
use crate::access::Viewer;
use crate::db::Writer;
use crate::error::{AppError, AppResult};
use crate::service::audit::{AuditAction, AuditEntity, ChangeInput, Scope};
use crate::service::writes::WriteTxn;
use chrono::{DateTime, Utc};
use entity::enums::SharingClass;
use entity::{access_grant, department, plan, revoked_token};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Input of grantAccess, with IDs decoded.
#[derive(Debug, Clone, Serialize)]
pub struct NewGrant {
    pub plan_id: String,
    pub department_id: String,
    pub expires_at: DateTime<Utc>,
    pub reason: Option<String>,
}

fn grant_change(
    action: AuditAction,
    owner: &plan::Model,
    before: Option<&access_grant::Model>,
    after: &access_grant::Model,
) -> ChangeInput {
    ChangeInput {
        entity: AuditEntity::Grant,
        entity_id: after.id.clone(),
        action,
        before: before.and_then(json),
        after: json(after),
        scope: Scope::Admin,
        plan_id: Some(owner.id.clone()),
        region_id: Some(owner.region_id.clone()),
    }
}

/// Loads a plan the caller may see and owns (ADMIN, or coordinator of its region).
async fn load_owned(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    id: &str,
    field: &str,
    action: &str,
) -> AppResult<plan::Model> {
    let found = plan::Entity::find_by_id(id).filter(viewer.plan_condition()).one(txn).await?;
    let found = found.ok_or_else(|| AppError::not_found(field, id))?;
    viewer.require_coordinator_of(&found.region_id, action)?;
    Ok(found)
}

/// Opens a CONDITIONAL plan (and what inherits its class) to a department until `expires_at`.
pub async fn grant_access(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    input: NewGrant,
    idempotency_key: Option<&str>,
) -> AppResult<access_grant::Model> {
    let mut checks = Checks::default();
    checks.require(input.expires_at > Utc::now(), "input.expiresAt", "must be in the future");
    checks.timestamp("input.expiresAt", &input.expires_at).opt_text("input.reason", input.reason.as_deref(), MAX_TEXT);
    checks.finish()?;
    let idempotency = Idempotency::new("grantAccess", idempotency_key, &input)?;

    let write = WriteTxn::begin_idempotent(writer, actor, idempotency).await?;
    let txn = write.db();
    let owner = load_owned(txn, viewer, &input.plan_id, "Plan", "grant access to its plans").await?;
    if let Some(id) = write.replay().await? {
        let found = load(txn, "Grant", &id, access_grant::Entity::find(), access_grant::Column::Id).await?;
        write.end_unchanged().await?;
        return Ok(found);
    }
    if owner.sharing_class != SharingClass::Conditional {
        return Err(AppError::bad_input(
            "input.planId",
            format!("grants only open CONDITIONAL records; this plan is {}", owner.sharing_class.as_str()),
        ));
    }
    if department::Entity::find_by_id(input.department_id.as_str()).one(txn).await?.is_none() {
        return Err(AppError::bad_input("input.departmentId", "no such department"));
    }
    let created = access_grant::Model {
        id: crate::ids::new_uuid(),
        plan_id: owner.id.clone(),
        department_id: input.department_id,
        expires_at: input.expires_at,
        reason: input.reason,
        granted_by: actor.subject.clone(),
        created_at: Utc::now(),
        revoked_at: None,
        version: 1,
    }
    .into_active_model()
    .insert(txn)
    .await?;
    write.commit(grant_change(AuditAction::Grant, &owner, None, &created)).await?;
    Ok(created)
}

/// Revokes a grant; revoking a revoked grant changes nothing.
pub async fn revoke_grant(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    id: &str,
    expected_version: Option<i32>,
) -> AppResult<access_grant::Model> {
    let write = WriteTxn::begin(writer, actor).await?;
    let txn = write.db();
    let before = load(txn, "Grant", id, access_grant::Entity::find(), access_grant::Column::Id).await?;
    // A grant of a plan the caller may not see is as missing as the plan.
    let owner = load_owned(txn, viewer, &before.plan_id, "Grant", "revoke grants of its plans")
        .await
        .map_err(|e| if matches!(e, AppError::NotFound(_)) { AppError::not_found("Grant", id) } else { e })?;
    if let Some(expected) = expected_version {
        check_version("Grant", before.version, expected)?;
    }
    if before.revoked_at.is_some() {
        write.end_unchanged().await?;
        return Ok(before);
    }
    let mut am = before.clone().into_active_model();
    am.revoked_at = Set(Some(Utc::now()));
    let after = write.save_next_version(am, before.version).await?;
    write.commit(grant_change(AuditAction::Revoke, &owner, Some(&before), &after)).await?;
    Ok(after)
}

/// The audit entity ID of a token ID: the `jti` itself when it fits (36
/// characters), else a UUID made of the first 16 bytes of its SHA-256
/// (the full `jti` is in the change's `after`).
fn jti_entity_id(jti: &str) -> String {
    if jti.len() <= 36 {
        return jti.to_owned();
    }
    let digest = Sha256::digest(jti.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Uuid::from_bytes(bytes).to_string()
}

/// Revokes a token by its `jti` (ADMIN). Revoking it again changes nothing
/// and returns the first revocation.
pub async fn revoke_token(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    jti: &str,
    reason: Option<String>,
) -> AppResult<revoked_token::Model> {
    // The same rule as verification, and the `jti` exactly as given (never
    // trimmed): every token that verifies can be revoked by its own `jti`.
    let mut checks = Checks::default();
    let jti_rule = crate::auth::claims::check_jti(jti);
    checks.require(jti_rule.is_ok(), "input.jti", jti_rule.err().unwrap_or_default()).opt_text(
        "input.reason",
        reason.as_deref(),
        MAX_TEXT,
    );
    checks.finish()?;

    let write = WriteTxn::begin(writer, actor).await?;
    let txn = write.db();
    viewer.require_admin("revoke tokens")?;
    if let Some(existing) = revoked_token::Entity::find_by_id(jti).one(txn).await? {
        write.end_unchanged().await?;
        return Ok(existing);
    }
    let row =
        revoked_token::Model { jti: jti.to_owned(), revoked_at: Utc::now(), revoked_by: actor.subject.clone(), reason };
    let created = row.into_active_model().insert(txn).await?;
    let change = ChangeInput {
        entity: AuditEntity::RevokedToken,
        entity_id: jti_entity_id(jti),
        action: AuditAction::Revoke,
        before: None,
        after: json(&created),
        scope: Scope::Admin,
        plan_id: None,
        region_id: None,
    };
    write.commit(change).await?;
    Ok(created)
}
