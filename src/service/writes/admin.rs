//! Administration: regions, departments and their aliases (ADMIN), revoked
//! tokens (ADMIN), and access grants (ADMIN or the owning coordinator).

mod departments;
mod grants;

pub use departments::{
    DepartmentPatch, NewDepartment, add_department_alias, create_department, remove_department_alias, update_department,
};
pub use grants::{NewGrant, grant_access, revoke_grant, revoke_token};

use super::{Checks, Idempotency, MAX_TITLE, check_version, json, load, set_if};
use crate::access::Actor;
use crate::access::Viewer;
use crate::db::Writer;
use crate::error::{AppError, AppResult};
use crate::service::audit::{AuditAction, AuditEntity, ChangeInput, Scope};
use crate::service::writes::WriteTxn;
use chrono::Utc;
use entity::enums::RegionLevel;
use entity::region;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter};
use serde::Serialize;

/// Input of createRegion, with IDs decoded.
#[derive(Debug, Clone, Serialize)]
pub struct NewRegion {
    pub code: Option<String>,
    pub name: String,
    pub name_en: String,
    pub level: RegionLevel,
    pub parent_id: Option<String>,
}

/// Changes of updateRegion; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RegionPatch {
    pub code: Option<String>,
    pub name: Option<String>,
    pub name_en: Option<String>,
    pub parent_id: Option<String>,
}

/// Whether `code` is a GB/T 2260 administrative division code (six digits).
pub fn valid_region_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

fn public_change(
    entity: AuditEntity,
    action: AuditAction,
    id: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> ChangeInput {
    ChangeInput {
        entity,
        entity_id: id.to_owned(),
        action,
        before,
        after,
        scope: Scope::Public,
        plan_id: None,
        region_id: None,
    }
}

/// Walks up a parent chain from `start` all the way to the root: meeting
/// `own_id` would make a cycle, however long. The walk ends at the root or
/// at a record seen before (a cycle that does not pass through `own_id`), so
/// it takes at most one step per record.
async fn check_no_cycle<F, Fut>(own_id: &str, start: &str, field: &str, parent_of: F) -> AppResult<()>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = AppResult<Option<String>>>,
{
    let mut seen = std::collections::HashSet::new();
    let mut cursor = Some(start.to_owned());
    while let Some(node) = cursor {
        if node == own_id {
            return Err(AppError::bad_input(field, "a record cannot be placed under itself or its descendants"));
        }
        if !seen.insert(node.clone()) {
            break;
        }
        cursor = parent_of(node).await?;
    }
    Ok(())
}

/// Checks a region code is well formed and not used by another region.
async fn check_code(txn: &DatabaseTransaction, code: &str, own_id: Option<&str>) -> AppResult<()> {
    let taken = region::Entity::find().filter(region::Column::Code.eq(code)).one(txn).await?;
    match taken {
        Some(other) if Some(other.id.as_str()) != own_id => {
            Err(AppError::bad_input("input.code", format!("code {code} is already used by {}", other.name)))
        }
        _ => Ok(()),
    }
}

async fn require_region(txn: &DatabaseTransaction, id: &str, field: &str) -> AppResult<()> {
    match region::Entity::find_by_id(id).one(txn).await? {
        Some(_) => Ok(()),
        None => Err(AppError::bad_input(field, "no such region")),
    }
}

fn check_region_fields(checks: &mut Checks, code: Option<&str>, name: Option<&str>, name_en: Option<&str>) {
    checks.opt_text("input.name", name, MAX_TITLE).opt_text("input.nameEn", name_en, MAX_TITLE);
    checks.require(code.is_none_or(valid_region_code), "input.code", "must be a six-digit GB/T 2260 code");
}

/// Creates a region (ADMIN).
pub async fn create_region(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    input: NewRegion,
    idempotency_key: Option<&str>,
) -> AppResult<region::Model> {
    let mut checks = Checks::default();
    checks.text("input.name", &input.name, MAX_TITLE).text("input.nameEn", &input.name_en, MAX_TITLE);
    check_region_fields(&mut checks, input.code.as_deref(), None, None);
    checks.finish()?;
    let idempotency = Idempotency::new("createRegion", idempotency_key, &input)?;

    let write = WriteTxn::begin_idempotent(writer, actor, idempotency).await?;
    let txn = write.db();
    viewer.require_admin("create regions")?;
    if let Some(id) = write.replay().await? {
        let found = load(txn, "Region", &id, region::Entity::find(), region::Column::Id).await?;
        write.end_unchanged().await?;
        return Ok(found);
    }
    if let Some(parent) = &input.parent_id {
        require_region(txn, parent, "input.parentId").await?;
    }
    if let Some(code) = &input.code {
        check_code(txn, code, None).await?;
    }
    let now = Utc::now();
    let created = region::Model {
        id: crate::ids::new_uuid(),
        code: input.code,
        name: input.name.trim().to_owned(),
        name_en: input.name_en.trim().to_owned(),
        level: input.level,
        parent_id: input.parent_id,
        version: 1,
        created_at: now,
        updated_at: now,
    }
    .into_active_model()
    .insert(txn)
    .await?;
    write.commit(public_change(AuditEntity::Region, AuditAction::Create, &created.id, None, json(&created))).await?;
    Ok(created)
}

/// Updates a region at `expected_version` (ADMIN); its parent chain must stay acyclic.
pub async fn update_region(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    id: &str,
    expected_version: i32,
    patch: RegionPatch,
) -> AppResult<region::Model> {
    let mut checks = Checks::default();
    check_region_fields(&mut checks, patch.code.as_deref(), patch.name.as_deref(), patch.name_en.as_deref());
    checks.finish()?;

    let write = WriteTxn::begin(writer, actor).await?;
    let txn = write.db();
    let before = load(txn, "Region", id, region::Entity::find(), region::Column::Id).await?;
    viewer.require_admin("update regions")?;
    check_version("Region", before.version, expected_version)?;
    if let Some(parent) = &patch.parent_id {
        require_region(txn, parent, "input.parentId").await?;
        let parent_of =
            |r: String| async move { Ok(region::Entity::find_by_id(r).one(txn).await?.and_then(|r| r.parent_id)) };
        check_no_cycle(id, parent, "input.parentId", parent_of).await?;
    }
    if let Some(code) = &patch.code {
        check_code(txn, code, Some(id)).await?;
    }
    let mut am = before.clone().into_active_model();
    set_if(&mut am.code, patch.code.map(Some));
    set_if(&mut am.name, patch.name.map(|v| v.trim().to_owned()));
    set_if(&mut am.name_en, patch.name_en.map(|v| v.trim().to_owned()));
    set_if(&mut am.parent_id, patch.parent_id.map(Some));
    let after = write.save_next_version(am, before.version).await?;
    write.commit(public_change(AuditEntity::Region, AuditAction::Update, id, json(&before), json(&after))).await?;
    Ok(after)
}
