//! createTask, updateTask, moveTask, archiveTask, assignDepartment, unassignDepartment.

use super::{Checks, Idempotency, MAX_CODE, MAX_TEXT, MAX_TITLE, check_version, json, load, set_if};
use crate::access::Actor;
use crate::access::Viewer;
use crate::db::Writer;
use crate::error::{AppError, AppResult};
use crate::service::audit::{AuditAction, AuditEntity, ChangeInput, Scope};
use crate::service::writes::WriteTxn;
use chrono::Utc;
use entity::enums::{AssignmentRole, SharingClass, TaskKind, TaskStatus};
use entity::{department, plan, task, task_assignment};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, ModelTrait, QueryFilter,
    QueryOrder,
};
use serde::Serialize;

/// Input of createTask, with IDs decoded.
#[derive(Debug, Clone, Serialize)]
pub struct NewTask {
    pub plan_id: String,
    pub parent_id: Option<String>,
    pub kind: TaskKind,
    pub code: String,
    pub title: String,
    pub body: String,
    pub due_year: Option<i32>,
    pub sharing_class: Option<SharingClass>,
    pub legal_basis: Option<String>,
}

/// Changes of updateTask; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TaskPatch {
    pub code: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub due_year: Option<i32>,
    pub status: Option<TaskStatus>,
    pub sharing_class: Option<SharingClass>,
    pub legal_basis: Option<String>,
}

fn check_fields(checks: &mut Checks, code: Option<&str>, title: Option<&str>, body: Option<&str>, due: Option<i32>) {
    checks.opt_text("input.code", code, MAX_CODE).opt_text("input.title", title, MAX_TITLE).year("input.dueYear", due);
    if let Some(body) = body {
        checks.require(
            body.chars().count() <= MAX_TEXT,
            "input.body",
            format!("must be at most {MAX_TEXT} characters"),
        );
    }
}

/// The change record of a task.
pub(crate) fn change(
    action: AuditAction,
    plan: &plan::Model,
    before: Option<&task::Model>,
    after: &task::Model,
) -> ChangeInput {
    ChangeInput {
        entity: AuditEntity::Task,
        entity_id: after.id.clone(),
        action,
        before: before.and_then(json),
        after: json(after),
        scope: Scope::Task(after.id.clone()),
        plan_id: Some(plan.id.clone()),
        region_id: Some(plan.region_id.clone()),
    }
}

/// Loads a task the caller may see, with its plan, inside the transaction.
pub(crate) async fn load_visible(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    id: &str,
) -> AppResult<(task::Model, plan::Model)> {
    let found = load(txn, "Task", id, task::Entity::find().filter(viewer.task_condition()), task::Column::Id).await?;
    let plan = load(txn, "Plan", &found.plan_id, plan::Entity::find(), plan::Column::Id).await?;
    Ok((found, plan))
}

async fn load_managed(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    id: &str,
    action: &str,
) -> AppResult<(task::Model, plan::Model)> {
    let (found, plan) = load_visible(txn, viewer, id).await?;
    viewer.require_coordinator_of(&plan.region_id, action)?;
    Ok((found, plan))
}

/// Creates a task in a plan the caller coordinates.
pub async fn create_task(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    input: NewTask,
    idempotency_key: Option<&str>,
) -> AppResult<task::Model> {
    let mut checks = Checks::default();
    checks.text("input.code", &input.code, MAX_CODE).text("input.title", &input.title, MAX_TITLE);
    check_fields(&mut checks, None, None, Some(&input.body), input.due_year);
    checks.finish()?;
    let idempotency = Idempotency::new("createTask", idempotency_key, &input)?;

    let write = WriteTxn::begin_idempotent(writer, actor, idempotency).await?;
    let txn = write.db();
    let plan =
        load(txn, "Plan", &input.plan_id, plan::Entity::find().filter(viewer.plan_condition()), plan::Column::Id)
            .await?;
    viewer.require_coordinator_of(&plan.region_id, "create tasks")?;
    if let Some(id) = write.replay().await? {
        let found =
            load(txn, "Task", &id, task::Entity::find().filter(viewer.task_condition()), task::Column::Id).await?;
        write.end_unchanged().await?;
        return Ok(found);
    }
    if let Some(parent) = &input.parent_id {
        let (parent, _) = load_visible(txn, viewer, parent).await?;
        if parent.plan_id != plan.id {
            return Err(AppError::bad_input("input.parentId", "the parent task belongs to another plan"));
        }
    }
    let siblings = task::Entity::find()
        .filter(task::Column::PlanId.eq(plan.id.clone()))
        .filter(match &input.parent_id {
            Some(p) => task::Column::ParentId.eq(p.clone()),
            None => task::Column::ParentId.is_null(),
        })
        .order_by_desc(task::Column::Position)
        .one(txn)
        .await?;
    let now = Utc::now();
    let created = task::Model {
        id: crate::ids::new_uuid(),
        plan_id: plan.id.clone(),
        parent_id: input.parent_id,
        kind: input.kind,
        code: input.code.trim().to_owned(),
        position: siblings.map_or(0, |s| s.position + 1),
        // Tasks added through the API sort after the document's, in creation order.
        doc_order: format!("{}:z{:020}", plan.id, now.timestamp_micros()),
        title: input.title.trim().to_owned(),
        body: input.body,
        due_year: input.due_year,
        status: TaskStatus::NotStarted,
        sharing_class: input.sharing_class,
        legal_basis: input.legal_basis,
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
    write.commit(change(AuditAction::Create, &plan, None, &created)).await?;
    Ok(created)
}

/// Updates the given fields of a task at `expected_version`.
pub async fn update_task(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    id: &str,
    expected_version: i32,
    patch: TaskPatch,
) -> AppResult<task::Model> {
    let mut checks = Checks::default();
    check_fields(&mut checks, patch.code.as_deref(), patch.title.as_deref(), patch.body.as_deref(), patch.due_year);
    checks.opt_text("input.legalBasis", patch.legal_basis.as_deref(), MAX_TEXT);
    checks.finish()?;

    let write = WriteTxn::begin(writer, actor).await?;
    let txn = write.db();
    let (before, plan) = load_managed(txn, viewer, id, "update tasks").await?;
    check_version("Task", before.version, expected_version)?;
    let class = patch.sharing_class.or(before.sharing_class);
    if class == Some(SharingClass::NotShared)
        && patch.legal_basis.as_deref().or(before.legal_basis.as_deref()).is_none_or(|b| b.trim().is_empty())
    {
        return Err(AppError::bad_input("input.legalBasis", "a NOT_SHARED record must state its legal basis"));
    }
    let mut am = before.clone().into_active_model();
    set_if(&mut am.code, patch.code.map(|v| v.trim().to_owned()));
    set_if(&mut am.title, patch.title.map(|v| v.trim().to_owned()));
    set_if(&mut am.body, patch.body);
    set_if(&mut am.due_year, patch.due_year.map(Some));
    set_if(&mut am.status, patch.status);
    set_if(&mut am.sharing_class, patch.sharing_class.map(Some));
    set_if(&mut am.legal_basis, patch.legal_basis.map(Some));
    let after = write.save_next_version(am, before.version).await?;
    write.commit(change(AuditAction::Update, &plan, Some(&before), &after)).await?;
    Ok(after)
}

/// Moves a task under another parent of the same plan (or to the top), at `position` among its new siblings.
pub async fn move_task(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    id: &str,
    expected_version: i32,
    new_parent_id: Option<String>,
    position: i32,
) -> AppResult<task::Model> {
    let mut checks = Checks::default();
    checks.require((0..=10_000).contains(&position), "input.position", "must be between 0 and 10000");
    checks.finish()?;

    let write = WriteTxn::begin(writer, actor).await?;
    let txn = write.db();
    let (before, plan) = load_managed(txn, viewer, id, "move tasks").await?;
    check_version("Task", before.version, expected_version)?;
    if let Some(parent_id) = &new_parent_id {
        let (parent, _) = load_visible(txn, viewer, parent_id).await?;
        if parent.plan_id != before.plan_id {
            return Err(AppError::bad_input("input.parentId", "the new parent belongs to another plan"));
        }
        // Walk up from the new parent to the root: meeting the task itself
        // would make a cycle, however deep. A task seen before ends the walk.
        let mut cursor = Some(parent);
        let mut seen = std::collections::HashSet::new();
        while let Some(node) = cursor {
            if node.id == before.id {
                return Err(AppError::bad_input(
                    "input.parentId",
                    "a task cannot move under itself or its descendants",
                ));
            }
            if !seen.insert(node.id.clone()) {
                break;
            }
            cursor = match node.parent_id {
                Some(p) => task::Entity::find_by_id(p).one(txn).await?,
                None => None,
            };
        }
    }
    let mut am = before.clone().into_active_model();
    am.parent_id = Set(new_parent_id);
    am.position = Set(position);
    let after = write.save_next_version(am, before.version).await?;
    write.commit(change(AuditAction::Move, &plan, Some(&before), &after)).await?;
    Ok(after)
}

/// Archives a task (status ARCHIVED).
pub async fn archive_task(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    id: &str,
    expected_version: i32,
) -> AppResult<task::Model> {
    let write = WriteTxn::begin(writer, actor).await?;
    let txn = write.db();
    let (before, plan) = load_managed(txn, viewer, id, "archive tasks").await?;
    check_version("Task", before.version, expected_version)?;
    let mut am = before.clone().into_active_model();
    am.status = Set(TaskStatus::Archived);
    let after = write.save_next_version(am, before.version).await?;
    write.commit(change(AuditAction::Archive, &plan, Some(&before), &after)).await?;
    Ok(after)
}

/// The change record of an assignment.
pub(crate) fn assignment_change(
    action: AuditAction,
    plan: &plan::Model,
    task_id: &str,
    before: Option<&task_assignment::Model>,
    after: Option<&task_assignment::Model>,
    id: &str,
) -> ChangeInput {
    ChangeInput {
        entity: AuditEntity::Assignment,
        entity_id: id.to_owned(),
        action,
        before: before.and_then(json),
        after: after.and_then(json),
        scope: Scope::Task(task_id.to_owned()),
        plan_id: Some(plan.id.clone()),
        region_id: Some(plan.region_id.clone()),
    }
}

/// Assigns a department to a task as LEAD or SUPPORT (at the end of the list unless `position` is given);
/// an existing assignment of that department changes its role.
pub async fn assign_department(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    task_id: &str,
    department_id: &str,
    role: AssignmentRole,
    position: Option<i32>,
) -> AppResult<(task::Model, task_assignment::Model)> {
    let mut checks = Checks::default();
    checks.require(position.is_none_or(|p| (0..=1000).contains(&p)), "input.position", "must be between 0 and 1000");
    checks.finish()?;
    let write = WriteTxn::begin(writer, actor).await?;
    let txn = write.db();
    let (found, plan) = load_managed(txn, viewer, task_id, "assign departments").await?;
    if department::Entity::find_by_id(department_id).one(txn).await?.is_none() {
        return Err(AppError::bad_input("input.departmentId", "no such department"));
    }
    let existing = task_assignment::Entity::find().filter(task_assignment::Column::TaskId.eq(task_id)).all(txn).await?;
    let current = existing.iter().find(|a| a.department_id == department_id).cloned();
    let (assignment, change) = match current {
        Some(before) => {
            let mut am = before.clone().into_active_model();
            am.role = Set(role);
            if let Some(p) = position {
                am.position = Set(p);
            }
            let after = am.update(txn).await?;
            let change = assignment_change(AuditAction::Update, &plan, task_id, Some(&before), Some(&after), &after.id);
            (after, change)
        }
        None => {
            let next = existing.iter().map(|a| a.position + 1).max().unwrap_or(0);
            let created = task_assignment::Model {
                id: crate::ids::new_uuid(),
                task_id: task_id.to_owned(),
                department_id: department_id.to_owned(),
                role,
                position: position.unwrap_or(next),
                created_at: Utc::now(),
            }
            .into_active_model()
            .insert(txn)
            .await?;
            let change = assignment_change(AuditAction::Create, &plan, task_id, None, Some(&created), &created.id);
            (created, change)
        }
    };
    let task = write.save_next_version(found.clone().into_active_model(), found.version).await?;
    write.commit(change).await?;
    Ok((task, assignment))
}

/// Removes a department from a task.
pub async fn unassign_department(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    task_id: &str,
    department_id: &str,
) -> AppResult<task::Model> {
    let write = WriteTxn::begin(writer, actor).await?;
    let txn = write.db();
    let (found, plan) = load_managed(txn, viewer, task_id, "unassign departments").await?;
    let before = task_assignment::Entity::find()
        .filter(task_assignment::Column::TaskId.eq(task_id))
        .filter(task_assignment::Column::DepartmentId.eq(department_id))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::bad_input("input.departmentId", "this department is not assigned to the task"))?;
    before.clone().delete(txn).await?;
    let task = write.save_next_version(found.clone().into_active_model(), found.version).await?;
    write.commit(assignment_change(AuditAction::Delete, &plan, task_id, Some(&before), None, &before.id)).await?;
    Ok(task)
}
