//! createDepartment, updateDepartment, addDepartmentAlias, removeDepartmentAlias (ADMIN).

use super::{check_no_cycle, public_change, require_region, set_if};
use crate::access::Actor;
use crate::access::Viewer;
use crate::db::Writer;
use crate::error::{AppError, AppResult};
use crate::service::audit::{AuditAction, AuditEntity};
use crate::service::writes::WriteTxn;
use crate::service::writes::{Checks, Idempotency, MAX_TITLE, check_version, json, load};
use chrono::Utc;
use entity::enums::DepartmentKind;
use entity::{department, department_alias};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, ModelTrait, QueryFilter,
};
use serde::Serialize;

/// Input of createDepartment, with IDs decoded.
#[derive(Debug, Clone, Serialize)]
pub struct NewDepartment {
    pub name: String,
    pub kind: DepartmentKind,
    pub region_id: String,
    pub parent_id: Option<String>,
    pub aliases: Vec<String>,
}

/// Changes of updateDepartment; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DepartmentPatch {
    pub name: Option<String>,
    pub kind: Option<DepartmentKind>,
    pub region_id: Option<String>,
    pub parent_id: Option<String>,
}

async fn require_department(txn: &DatabaseTransaction, id: &str, field: &str) -> AppResult<()> {
    match department::Entity::find_by_id(id).one(txn).await? {
        Some(_) => Ok(()),
        None => Err(AppError::bad_input(field, "no such department")),
    }
}

/// Checks no other department of `region_id` is named `name`.
async fn check_unique_name(
    txn: &DatabaseTransaction,
    region_id: &str,
    name: &str,
    own_id: Option<&str>,
) -> AppResult<()> {
    let taken = department::Entity::find()
        .filter(department::Column::RegionId.eq(region_id))
        .filter(department::Column::Name.eq(name.trim()))
        .one(txn)
        .await?;
    match taken {
        Some(other) if Some(other.id.as_str()) != own_id => {
            Err(AppError::bad_input("input.name", "another department of this region has this name"))
        }
        _ => Ok(()),
    }
}

/// The department as JSON for the audit record, with its aliases.
async fn department_json(txn: &DatabaseTransaction, found: &department::Model) -> AppResult<Option<serde_json::Value>> {
    let rows = department_alias::Entity::find()
        .filter(department_alias::Column::DepartmentId.eq(found.id.clone()))
        .all(txn)
        .await?;
    let mut aliases: Vec<String> = rows.into_iter().map(|a| a.alias).collect();
    aliases.sort();
    let mut value = json(found);
    if let Some(serde_json::Value::Object(map)) = value.as_mut() {
        map.insert("aliases".into(), aliases.into());
    }
    Ok(value)
}

/// Creates a department with its aliases (ADMIN).
pub async fn create_department(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    input: NewDepartment,
    idempotency_key: Option<&str>,
) -> AppResult<department::Model> {
    let mut checks = Checks::default();
    checks.text("input.name", &input.name, MAX_TITLE);
    for alias in &input.aliases {
        checks.text("input.aliases", alias, MAX_TITLE);
    }
    checks.finish()?;
    let idempotency = Idempotency::new("createDepartment", idempotency_key, &input)?;

    let write = WriteTxn::begin_idempotent(writer, actor, idempotency).await?;
    let txn = write.db();
    viewer.require_admin("create departments")?;
    if let Some(id) = write.replay().await? {
        let found = load(txn, "Department", &id, department::Entity::find(), department::Column::Id).await?;
        write.end_unchanged().await?;
        return Ok(found);
    }
    require_region(txn, &input.region_id, "input.regionId").await?;
    if let Some(parent) = &input.parent_id {
        require_department(txn, parent, "input.parentId").await?;
    }
    check_unique_name(txn, &input.region_id, &input.name, None).await?;
    let now = Utc::now();
    let created = department::Model {
        id: crate::ids::new_uuid(),
        name: input.name.trim().to_owned(),
        kind: input.kind,
        region_id: input.region_id,
        parent_id: input.parent_id,
        version: 1,
        created_at: now,
        updated_at: now,
    }
    .into_active_model()
    .insert(txn)
    .await?;
    let mut aliases: Vec<String> = input.aliases.iter().map(|a| a.trim().to_owned()).collect();
    aliases.sort();
    aliases.dedup();
    for alias in aliases.into_iter().filter(|a| *a != created.name) {
        let row = department_alias::Model { id: crate::ids::new_uuid(), department_id: created.id.clone(), alias };
        row.into_active_model().insert(txn).await?;
    }
    let after = department_json(txn, &created).await?;
    write.commit(public_change(AuditEntity::Department, AuditAction::Create, &created.id, None, after)).await?;
    Ok(created)
}

/// Updates a department at `expected_version` (ADMIN).
pub async fn update_department(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    id: &str,
    expected_version: i32,
    patch: DepartmentPatch,
) -> AppResult<department::Model> {
    let mut checks = Checks::default();
    checks.opt_text("input.name", patch.name.as_deref(), MAX_TITLE);
    checks.finish()?;

    let write = WriteTxn::begin(writer, actor).await?;
    let txn = write.db();
    let before = load(txn, "Department", id, department::Entity::find(), department::Column::Id).await?;
    viewer.require_admin("update departments")?;
    check_version("Department", before.version, expected_version)?;
    if let Some(region_id) = &patch.region_id {
        require_region(txn, region_id, "input.regionId").await?;
    }
    if let Some(parent) = &patch.parent_id {
        require_department(txn, parent, "input.parentId").await?;
        let parent_of =
            |d: String| async move { Ok(department::Entity::find_by_id(d).one(txn).await?.and_then(|d| d.parent_id)) };
        check_no_cycle(id, parent, "input.parentId", parent_of).await?;
    }
    let region_id = patch.region_id.as_deref().unwrap_or(&before.region_id);
    check_unique_name(txn, region_id, patch.name.as_deref().unwrap_or(&before.name), Some(id)).await?;
    let mut am = before.clone().into_active_model();
    set_if(&mut am.name, patch.name.map(|v| v.trim().to_owned()));
    set_if(&mut am.kind, patch.kind);
    set_if(&mut am.region_id, patch.region_id);
    set_if(&mut am.parent_id, patch.parent_id.map(Some));
    let after = write.save_next_version(am, before.version).await?;
    write.commit(public_change(AuditEntity::Department, AuditAction::Update, id, json(&before), json(&after))).await?;
    Ok(after)
}

async fn find_alias(
    txn: &DatabaseTransaction,
    department_id: &str,
    alias: &str,
) -> AppResult<Option<department_alias::Model>> {
    Ok(department_alias::Entity::find()
        .filter(department_alias::Column::DepartmentId.eq(department_id))
        .filter(department_alias::Column::Alias.eq(alias))
        .one(txn)
        .await?)
}

/// Adds another spelling of a department's name (ADMIN); adding an existing alias changes nothing.
pub async fn add_department_alias(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    department_id: &str,
    alias: &str,
) -> AppResult<department::Model> {
    let mut checks = Checks::default();
    checks.text("input.alias", alias, MAX_TITLE);
    checks.finish()?;
    let alias = alias.trim();

    let write = WriteTxn::begin(writer, actor).await?;
    let txn = write.db();
    let found = load(txn, "Department", department_id, department::Entity::find(), department::Column::Id).await?;
    viewer.require_admin("change department aliases")?;
    if alias == found.name {
        return Err(AppError::bad_input("input.alias", "an alias must differ from the department's name"));
    }
    if find_alias(txn, department_id, alias).await?.is_some() {
        write.end_unchanged().await?;
        return Ok(found);
    }
    let row =
        department_alias::Model { id: crate::ids::new_uuid(), department_id: found.id.clone(), alias: alias.into() };
    let created = row.into_active_model().insert(txn).await?;
    let after = write.save_next_version(found.clone().into_active_model(), found.version).await?;
    write
        .commit(public_change(AuditEntity::DepartmentAlias, AuditAction::Create, &created.id, None, json(&created)))
        .await?;
    Ok(after)
}

/// Removes an alias of a department (ADMIN).
pub async fn remove_department_alias(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    department_id: &str,
    alias: &str,
) -> AppResult<department::Model> {
    let write = WriteTxn::begin(writer, actor).await?;
    let txn = write.db();
    let found = load(txn, "Department", department_id, department::Entity::find(), department::Column::Id).await?;
    viewer.require_admin("change department aliases")?;
    let before = find_alias(txn, department_id, alias.trim())
        .await?
        .ok_or_else(|| AppError::bad_input("input.alias", "not an alias of this department"))?;
    before.clone().delete(txn).await?;
    let after = write.save_next_version(found.clone().into_active_model(), found.version).await?;
    write
        .commit(public_change(AuditEntity::DepartmentAlias, AuditAction::Delete, &before.id, json(&before), None))
        .await?;
    Ok(after)
}
