//! reportProgress and recordActual: what bureaus write about their own tasks.

use super::{Checks, Idempotency, MAX_TEXT, json, load};
use crate::access::Actor;
use crate::access::{Role, Viewer};
use crate::db::Writer;
use crate::error::{AppError, AppResult};
use crate::service::audit::{AuditAction, AuditEntity, ChangeInput, Scope};
use crate::service::latest_actuals;
use crate::service::writes::{Changes, WriteTxn};
use chrono::Utc;
use entity::enums::{ActualStatus, AssignmentRole, TaskStatus};
use entity::{indicator, indicator_actual, plan, progress_report, task, task_assignment};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};
use serde::Serialize;

/// Whether `period` is `YYYY`, `YYYY-H1`/`H2`, `YYYY-Q1`…`Q4` or `YYYY-MM`.
pub fn valid_period(period: &str) -> bool {
    let Some(year) = period.get(..4).and_then(|y| y.parse::<i32>().ok()) else { return false };
    if !super::YEARS.contains(&year) || !period.is_char_boundary(4) {
        return false;
    }
    match &period[4..] {
        "" => true,
        "-H1" | "-H2" | "-Q1" | "-Q2" | "-Q3" | "-Q4" => true,
        rest => {
            rest.len() == 3
                && rest.starts_with('-')
                && rest[1..].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
                && rest[1..].chars().all(|c| c.is_ascii_digit())
        }
    }
}

/// Input of reportProgress.
#[derive(Debug, Clone, Serialize)]
pub struct NewReport {
    pub task_id: String,
    pub period: String,
    pub status: TaskStatus,
    pub percent: Option<i32>,
    pub narrative: String,
    /// The task version the reporter last saw; a task changed since is a CONFLICT.
    pub expected_version: Option<i32>,
}

/// Input of recordActual.
#[derive(Debug, Clone, Serialize)]
pub struct NewActual {
    pub indicator_id: String,
    pub period: String,
    pub value: f64,
    pub status: ActualStatus,
    pub note: Option<String>,
    pub reason: Option<String>,
}

/// The caller's role on a task: its assignment for bureaus; coordinators of
/// the plan's region and administrators act as LEAD.
async fn role_on_task(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    task_id: &str,
    plan: &plan::Model,
    action: &str,
) -> AppResult<AssignmentRole> {
    let identity = viewer.identity()?;
    match identity.role {
        Role::Admin => Ok(AssignmentRole::Lead),
        Role::Coordinator => viewer.require_coordinator_of(&plan.region_id, action).map(|_| AssignmentRole::Lead),
        Role::Reader => Err(AppError::Forbidden(format!("a READER may not {action}"))),
        Role::Bureau => task_assignment::Entity::find()
            .filter(task_assignment::Column::TaskId.eq(task_id))
            .filter(task_assignment::Column::DepartmentId.eq(identity.department_id.clone()))
            .one(txn)
            .await?
            .map(|a| a.role)
            .ok_or_else(|| {
                AppError::Forbidden(format!("your department is not assigned to this task, so it may not {action}"))
            }),
    }
}

/// Records a progress report; a LEAD's report (or a coordinator's) also sets the task's status.
/// With an expected version, a task changed since the reporter saw it is a CONFLICT (checked after
/// the idempotency replay, so resubmitting the same report still returns the first one).
/// An archived task takes no reports (BAD_USER_INPUT): only a coordinator un-archives it.
pub async fn report_progress(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    input: NewReport,
    idempotency_key: Option<&str>,
) -> AppResult<(progress_report::Model, task::Model)> {
    let mut checks = Checks::default();
    checks
        .require(valid_period(&input.period), "input.period", "must be YYYY, YYYY-H1, YYYY-Q3 or YYYY-MM")
        .require(input.percent.is_none_or(|p| (0..=100).contains(&p)), "input.percent", "must be between 0 and 100")
        .text("input.narrative", &input.narrative, MAX_TEXT)
        .require(input.status != TaskStatus::Archived, "input.status", "a report cannot archive a task");
    checks.finish()?;
    let idempotency = Idempotency::new("reportProgress", idempotency_key, &input)?;

    let write = WriteTxn::begin_idempotent(writer, actor, idempotency).await?;
    let txn = write.db();
    let (before, plan) = super::tasks::load_visible(txn, viewer, &input.task_id).await?;
    let role = role_on_task(txn, viewer, &before.id, &plan, "report progress on it").await?;
    if let Some(id) = write.replay().await? {
        let report =
            load(txn, "ProgressReport", &id, progress_report::Entity::find(), progress_report::Column::Id).await?;
        let found =
            load(txn, "Task", &report.task_id, task::Entity::find().filter(viewer.task_condition()), task::Column::Id)
                .await?;
        write.end_unchanged().await?;
        return Ok((report, found));
    }
    if let Some(expected) = input.expected_version {
        super::check_version("Task", before.version, expected)?;
    }
    // Archiving is the coordinator's (updateTask): no report, not even a
    // LEAD's or a coordinator's, reopens or otherwise moves an archived task.
    if before.status == TaskStatus::Archived {
        return Err(AppError::bad_input(
            "input.taskId",
            "the task is archived; a coordinator must restore it before progress can be reported",
        ));
    }
    if input.status == TaskStatus::Completed && role != AssignmentRole::Lead {
        return Err(AppError::Forbidden(
            "only the LEAD department may close a task; a SUPPORT department reports its contribution".into(),
        ));
    }
    let identity = viewer.identity()?;
    let report = progress_report::Model {
        id: crate::ids::new_uuid(),
        task_id: before.id.clone(),
        period: input.period,
        status: input.status,
        percent: input.percent,
        narrative: input.narrative,
        department_id: identity.department_id.clone(),
        reporter: identity.subject.clone(),
        created_at: Utc::now(),
    }
    .into_active_model()
    .insert(txn)
    .await?;
    let reported = ChangeInput {
        entity: AuditEntity::ProgressReport,
        entity_id: report.id.clone(),
        action: AuditAction::ReportProgress,
        before: None,
        after: json(&report),
        scope: Scope::Task(before.id.clone()),
        plan_id: Some(plan.id.clone()),
        region_id: Some(plan.region_id.clone()),
    };
    // A LEAD's report moves the task to the reported status.
    let (after, status_change) = if role == AssignmentRole::Lead && before.status != report.status {
        let mut am = before.clone().into_active_model();
        am.status = Set(report.status);
        let after = write.save_next_version(am, before.version).await?;
        let change = super::tasks::change(AuditAction::Update, &plan, Some(&before), &after);
        (after, Some(change))
    } else {
        (before, None)
    };
    write.commit(Changes::from(reported).and(status_change)).await?;
    Ok((report, after))
}

/// Records a value of an indicator for a period. A second value for the same
/// period is a new revision that supersedes the first and must give a reason;
/// nothing is overwritten.
pub async fn record_actual(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    input: NewActual,
    idempotency_key: Option<&str>,
) -> AppResult<(indicator_actual::Model, indicator::Model)> {
    check_actual(&input, "input")?;
    let idempotency = Idempotency::new("recordActual", idempotency_key, &input)?;

    let write = WriteTxn::begin_idempotent(writer, actor, idempotency).await?;
    let txn = write.db();
    let found = visible_indicator(txn, viewer, &input.indicator_id).await?;
    may_record_actuals_of(txn, viewer, &found).await?;
    if let Some(id) = write.replay().await? {
        let actual = load(txn, "Actual", &id, indicator_actual::Entity::find(), indicator_actual::Column::Id).await?;
        let found = visible_indicator(txn, viewer, &actual.indicator_id).await?;
        write.end_unchanged().await?;
        return Ok((actual, found));
    }
    let staged = stage_actual(txn, viewer, &found, input, Repeat::Revise).await?;
    match staged.change {
        Some(change) => write.commit(change).await?,
        None => write.end_unchanged().await?,
    }
    Ok((staged.actual, found))
}

/// Checks the fields of an actual, naming them under `prefix` (`input.period`).
///
/// # Errors
/// `BAD_USER_INPUT` naming each field that does not fit.
pub fn check_actual(input: &NewActual, prefix: &str) -> AppResult<()> {
    let mut checks = Checks::default();
    checks
        .require(valid_period(&input.period), &format!("{prefix}.period"), "must be YYYY, YYYY-H1, YYYY-Q3 or YYYY-MM")
        .number(&format!("{prefix}.value"), Some(input.value))
        .opt_text(&format!("{prefix}.note"), input.note.as_deref(), MAX_TEXT)
        .opt_text(&format!("{prefix}.reason"), input.reason.as_deref(), MAX_TEXT);
    checks.finish()
}

/// The indicator `id`, if the caller may see it.
///
/// # Errors
/// `NOT_FOUND` when it does not exist or is hidden from the caller.
pub async fn visible_indicator(txn: &DatabaseTransaction, viewer: &Viewer, id: &str) -> AppResult<indicator::Model> {
    let query = indicator::Entity::find().filter(viewer.indicator_condition());
    load(txn, "Indicator", id, query, indicator::Column::Id).await
}

/// Refuses a caller who may not record actuals of `found`: those of a task's
/// indicator are for its departments (and the coordinators of its region),
/// those of a plan's main goals for the coordinators of its region.
///
/// # Errors
/// `FORBIDDEN` naming what the caller may not do.
pub async fn may_record_actuals_of(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    found: &indicator::Model,
) -> AppResult<()> {
    let plan = load(txn, "Plan", &found.plan_id, plan::Entity::find(), plan::Column::Id).await?;
    match &found.task_id {
        Some(task_id) => {
            role_on_task(txn, viewer, task_id, &plan, "record actuals of its indicators").await?;
        }
        None => {
            viewer.require_coordinator_of(&plan.region_id, "record actuals of a plan's main goals")?;
        }
    }
    Ok(())
}

/// What to do when the period already has a value equal to the new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Record it as a revision all the same (the mutation: the caller asked for one).
    Revise,
    /// Leave it: nothing changes (an import run again).
    Keep,
}

/// One actual staged in an open write: the actual now current for the
/// period, and the change to audit when one was written.
pub struct StagedActual {
    pub actual: indicator_actual::Model,
    pub change: Option<ChangeInput>,
}

/// Writes `input` as the value of `found` for its period inside `txn` (the
/// caller has checked the fields, the indicator's visibility and the caller's
/// right to record it); the caller commits the change with the others of its
/// write. A period that has a value gets a revision, which needs a reason.
///
/// # Errors
/// `BAD_USER_INPUT` (`reason`) for a correction without a reason.
pub async fn stage_actual(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    found: &indicator::Model,
    input: NewActual,
    repeat: Repeat,
) -> AppResult<StagedActual> {
    let previous = indicator_actual::Entity::find()
        .filter(indicator_actual::Column::IndicatorId.eq(found.id.clone()))
        .filter(indicator_actual::Column::Period.eq(input.period.clone()))
        .order_by_desc(indicator_actual::Column::Revision)
        .one(txn)
        .await?;
    if let Some(previous) = &previous
        && repeat == Repeat::Keep
        && previous.value == input.value
        && previous.status == input.status
        && previous.note == input.note
    {
        return Ok(StagedActual { actual: previous.clone(), change: None });
    }
    if previous.is_some() && input.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(AppError::bad_input(
            "input.reason",
            format!("{} already has a value for {}; a correction must give its reason", found.name, input.period),
        ));
    }
    let identity = viewer.identity()?;
    let actual = indicator_actual::Model {
        id: crate::ids::new_uuid(),
        indicator_id: found.id.clone(),
        period: input.period,
        value: input.value,
        status: input.status,
        revision: previous.as_ref().map_or(1, |p| p.revision + 1),
        supersedes_id: previous.as_ref().map(|p| p.id.clone()),
        reason: input.reason,
        note: input.note,
        department_id: Some(identity.department_id.clone()),
        reported_by: Some(identity.subject.clone()),
        reported_at: Utc::now(),
        source_document_id: None,
        source_section: None,
        source_quote: None,
        source_start: None,
        source_end: None,
        source_cleaned: None,
    }
    .into_active_model()
    .insert(txn)
    .await?;
    latest_actuals::refresh(txn, latest_actuals::one(&found.id)).await?;
    let change = ChangeInput {
        entity: AuditEntity::Actual,
        entity_id: actual.id.clone(),
        action: if previous.is_some() { AuditAction::ReviseActual } else { AuditAction::RecordActual },
        before: previous.as_ref().and_then(json),
        after: json(&actual),
        scope: Scope::Indicator(found.id.clone()),
        plan_id: Some(found.plan_id.clone()),
        region_id: Some(found.region_id.clone()),
    };
    Ok(StagedActual { actual, change: Some(change) })
}

#[cfg(test)]
mod tests {
    use super::valid_period;

    #[test]
    fn periods() {
        for ok in ["2024", "2024-H1", "2024-Q4", "2024-07", "2024-12"] {
            assert!(valid_period(ok), "{ok}");
        }
        for bad in
            ["", "24", "2024-13", "2024-00", "2024-Q5", "2024-7", "abcd", "2024-", "2024-H1x", "1800", "２０２４"]
        {
            assert!(!valid_period(bad), "{bad}");
        }
    }
}
