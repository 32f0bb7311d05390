//! Task split tables (任务分工表: 序号 / 重点任务 / 牵头单位 / 配合单位 / 完成时限) into a plan — the
//! table a government office keeps, and the one `GET /export/plans/{id}/tasks.xlsx` writes.
//!
//! Contract:
//! - only a coordinator of the plan's region (or an administrator) may import; the plan must be
//!   visible to the caller (else `NOT_FOUND`);
//! - a row is a task, matched to the plan's tasks by its 序号 (code): a new code is CREATED, a
//!   known one whose title, due year or units differ is UPDATED (its units made to match the
//!   row: added, re-ordered, re-roled or removed), an identical one is UNCHANGED;
//! - a task's parent is the task whose code is the longest earlier part of its own (`三.（一）` of
//!   `三.（一）.1`, `.` separating the parts); a `专栏` code is a FEATURED_PROJECT, a task with a
//!   parent a TASK, one without an ACTION_GROUP;
//! - units are written 牵头 first, then 配合, in the row's order, separated by `、`, `，`, `,`, `；`
//!   or `;`; each is a department's name or alias (a name shared by departments of several regions
//!   means the plan region's); an unknown one is an ERROR naming the cell, with the closest names;
//! - 完成时限 is empty, a year (`2025`, `2025年`, `2025年底前`) or words without a year (`长期坚持`:
//!   no due year);
//! - as for statistics uploads: a dry run by default, all rows or none when applied, one audit
//!   entry per record written (task or assignment), and the same table twice changes nothing.

use super::{Cell, ImportReport, Outcome, Refusal};
use crate::access::{Actor, Viewer};
use crate::db::Writer;
use crate::error::AppResult;
use crate::service::audit::{AuditAction, ChangeInput};
use crate::service::departments::Directory;
use crate::service::writes::tasks::{assignment_change, change};
use crate::service::writes::{Changes, WriteTxn, load};
use chrono::Utc;
use entity::enums::{AssignmentRole, TaskKind, TaskStatus};
use entity::{plan, task, task_assignment};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, ModelTrait, QueryFilter,
    QueryOrder,
};
use std::collections::HashMap;

/// One row of a task split table, as the sheet gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskRow {
    /// The row's number in the sheet (from 1).
    pub line: u32,
    /// 序号: the task's code in the plan (`三.（一）.1`).
    pub code: Cell,
    /// 重点任务: the task's title.
    pub title: Cell,
    /// 牵头单位.
    pub lead: Cell,
    /// 配合单位.
    pub support: Cell,
    /// 完成时限; `None` when the sheet has no such column.
    pub due: Option<Cell>,
}

/// A row read and resolved: what the task must look like.
struct Wanted {
    code: String,
    title: String,
    due_year: Option<i32>,
    /// (department ID, role), in the written order.
    units: Vec<(String, AssignmentRole)>,
}

/// The plan's tasks as the import goes: by code, with their units in order.
struct PlanTasks {
    by_code: HashMap<String, task::Model>,
    units: HashMap<String, Vec<task_assignment::Model>>,
    /// Next position under each parent (`None`: top level).
    next_position: HashMap<Option<String>, i32>,
}

/// Stages every row of a task split table into `plan_id`, then commits them when `apply` and no
/// row is refused, else rolls back (see the module documentation).
///
/// # Errors
/// `NOT_FOUND` for a plan the caller may not see, `FORBIDDEN` for a caller who does not
/// coordinate its region; store failures. Refused rows are in the report, not errors.
pub async fn import_task_table(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    plan_id: &str,
    rows: Vec<TaskRow>,
    apply: bool,
) -> AppResult<ImportReport> {
    let write = WriteTxn::begin(writer, actor).await?;
    let txn = write.db();
    let plan =
        load(txn, "Plan", plan_id, plan::Entity::find().filter(viewer.plan_condition()), plan::Column::Id).await?;
    viewer.require_coordinator_of(&plan.region_id, "import tasks into this plan")?;
    let directory = Directory::load(txn).await?;
    let mut tasks = PlanTasks::load(txn, &plan.id).await?;

    let mut report = ImportReport::default();
    let mut changes = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for row in rows {
        let line = row.line;
        let outcome = match read_row(&row, &directory, &plan, &seen) {
            Err(refusal) => Err(refusal),
            Ok(wanted) => {
                seen.insert(wanted.code.clone(), line);
                Ok(match tasks.stage(txn, &write, &plan, wanted, line, &mut changes).await? {
                    None => Outcome::Unchanged,
                    Some(true) => Outcome::Created,
                    Some(false) => Outcome::Updated,
                })
            }
        };
        report.count(line, outcome);
    }
    if apply && report.errors == 0 && !changes.is_empty() {
        write.commit(changes.into_iter().collect::<Changes>()).await?;
        report.applied = true;
    } else {
        write.end_unchanged().await?;
    }
    Ok(report)
}

/// Reads one row: its code, title, due year and units, resolved.
fn read_row(
    row: &TaskRow,
    directory: &Directory,
    plan: &plan::Model,
    seen: &HashMap<String, u32>,
) -> Result<Wanted, Refusal> {
    let refuse = |cell: &Cell, message: String| Refusal { cell: cell.at.clone(), message };
    let code = row.code.text.trim().to_owned();
    if code.is_empty() {
        return Err(refuse(
            &row.code,
            "序号 is empty: every task needs its code in the plan (e.g. 三.（一）.1)".into(),
        ));
    }
    if let Some(first) = seen.get(&code) {
        return Err(refuse(&row.code, format!("{code} is already the code of row {first}")));
    }
    let title = row.title.text.trim().to_owned();
    if title.is_empty() {
        return Err(refuse(&row.title, "重点任务 is empty: every task needs its title".into()));
    }
    let due_year = match &row.due {
        Some(cell) => due_year(&cell.text).map_err(|message| refuse(cell, message))?,
        None => None,
    };
    let mut units: Vec<(String, AssignmentRole)> = Vec::new();
    for (cell, role) in [(&row.lead, AssignmentRole::Lead), (&row.support, AssignmentRole::Support)] {
        for name in unit_names(&cell.text) {
            let department = directory.resolve(name, &plan.region_id).map_err(|message| refuse(cell, message))?;
            if units.iter().any(|(id, _)| *id == department.id) {
                return Err(refuse(cell, format!("{} is listed twice in this row", department.name)));
            }
            units.push((department.id.clone(), role));
        }
    }
    Ok(Wanted { code, title, due_year, units })
}

/// The names in a cell of units, in order.
fn unit_names(text: &str) -> impl Iterator<Item = &str> {
    text.split(['、', '，', ',', '；', ';', '\n']).map(str::trim).filter(|name| !name.is_empty())
}

/// 完成时限 as a due year: the first four-digit year in it; no year at all is no due year.
fn due_year(text: &str) -> Result<Option<i32>, String> {
    let digits: Vec<(usize, char)> = text.char_indices().filter(|(_, c)| c.is_ascii_digit()).collect();
    let Some(&(start, _)) = digits.first() else { return Ok(None) };
    let run: String = text[start..].chars().take_while(char::is_ascii_digit).collect();
    match run.parse::<i32>() {
        Ok(year) if run.len() == 4 && crate::service::writes::YEARS.contains(&year) => Ok(Some(year)),
        _ => Err(format!("{text:?} is not a due year: write a year such as 2025 or 2025年, or leave it empty")),
    }
}

/// A task's kind from its code and whether it has a parent (see the module documentation).
fn kind_of(code: &str, has_parent: bool) -> TaskKind {
    if code.rsplit('.').next().is_some_and(|last| last.starts_with("专栏")) {
        TaskKind::FeaturedProject
    } else if has_parent {
        TaskKind::Task
    } else {
        TaskKind::ActionGroup
    }
}

impl PlanTasks {
    async fn load(txn: &DatabaseTransaction, plan_id: &str) -> AppResult<Self> {
        let all = task::Entity::find().filter(task::Column::PlanId.eq(plan_id)).all(txn).await?;
        let ids: Vec<String> = all.iter().map(|t| t.id.clone()).collect();
        let mut units: HashMap<String, Vec<task_assignment::Model>> = HashMap::new();
        for assignment in task_assignment::Entity::find()
            .filter(task_assignment::Column::TaskId.is_in(ids))
            .order_by_asc(task_assignment::Column::Position)
            .all(txn)
            .await?
        {
            units.entry(assignment.task_id.clone()).or_default().push(assignment);
        }
        let mut next_position: HashMap<Option<String>, i32> = HashMap::new();
        for task in &all {
            let next = next_position.entry(task.parent_id.clone()).or_insert(0);
            *next = (*next).max(task.position + 1);
        }
        let by_code = all.into_iter().map(|t| (t.code.clone(), t)).collect();
        Ok(Self { by_code, units, next_position })
    }

    /// The task whose code is the longest earlier part of `code`.
    fn parent_of(&self, code: &str) -> Option<&task::Model> {
        let mut prefix = code;
        while let Some((head, _)) = prefix.rsplit_once('.') {
            if let Some(parent) = self.by_code.get(head) {
                return Some(parent);
            }
            prefix = head;
        }
        None
    }

    /// Creates or updates the row's task and units; `Some(true)` created, `Some(false)` updated,
    /// `None` unchanged.
    async fn stage(
        &mut self,
        txn: &DatabaseTransaction,
        write: &WriteTxn<'_>,
        plan: &plan::Model,
        wanted: Wanted,
        line: u32,
        changes: &mut Vec<ChangeInput>,
    ) -> AppResult<Option<bool>> {
        let existing = self.by_code.get(&wanted.code).cloned();
        let (saved, created) = match existing {
            Some(before) if before.title == wanted.title && before.due_year == wanted.due_year => (before, false),
            Some(before) => {
                let mut am = before.clone().into_active_model();
                am.title = Set(wanted.title.clone());
                am.due_year = Set(wanted.due_year);
                let after = write.save_next_version(am, before.version).await?;
                changes.push(change(AuditAction::Update, plan, Some(&before), &after));
                (after, false)
            }
            None => {
                let parent_id = self.parent_of(&wanted.code).map(|p| p.id.clone());
                let position = self.next_position.entry(parent_id.clone()).or_insert(0);
                let now = Utc::now();
                let created = task::Model {
                    id: crate::ids::new_uuid(),
                    plan_id: plan.id.clone(),
                    kind: kind_of(&wanted.code, parent_id.is_some()),
                    parent_id,
                    code: wanted.code.clone(),
                    position: *position,
                    // After the document's tasks and earlier imports, in the table's order.
                    doc_order: format!("{}:z{:020}{line:08}", plan.id, now.timestamp_micros()),
                    title: wanted.title.clone(),
                    body: String::new(),
                    due_year: wanted.due_year,
                    status: TaskStatus::NotStarted,
                    sharing_class: None,
                    legal_basis: None,
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
                *position += 1;
                changes.push(change(AuditAction::Create, plan, None, &created));
                (created, true)
            }
        };
        let units_changed = self.stage_units(txn, plan, &saved, &wanted.units, changes).await?;
        let task_changed =
            created || self.by_code.get(&wanted.code).is_some_and(|before| before.version != saved.version);
        self.by_code.insert(saved.code.clone(), saved);
        Ok((task_changed || units_changed).then_some(created))
    }

    /// Makes the task's units exactly `wanted` (in that order); whether anything changed.
    async fn stage_units(
        &mut self,
        txn: &DatabaseTransaction,
        plan: &plan::Model,
        task: &task::Model,
        wanted: &[(String, AssignmentRole)],
        changes: &mut Vec<ChangeInput>,
    ) -> AppResult<bool> {
        let current = self.units.remove(&task.id).unwrap_or_default();
        let same = current.len() == wanted.len()
            && current.iter().zip(wanted).all(|(a, (id, role))| a.department_id == *id && a.role == *role);
        if same {
            self.units.insert(task.id.clone(), current);
            return Ok(false);
        }
        let mut kept = Vec::new();
        for before in current {
            if wanted.iter().any(|(id, _)| *id == before.department_id) {
                kept.push(before);
            } else {
                before.clone().delete(txn).await?;
                changes.push(assignment_change(AuditAction::Delete, plan, &task.id, Some(&before), None, &before.id));
            }
        }
        let mut now_units = Vec::new();
        for (position, (department_id, role)) in wanted.iter().enumerate() {
            let position = i32::try_from(position).unwrap_or(i32::MAX);
            match kept.iter().find(|a| a.department_id == *department_id) {
                Some(before) if before.role == *role && before.position == position => now_units.push(before.clone()),
                Some(before) => {
                    let mut am = before.clone().into_active_model();
                    am.role = Set(*role);
                    am.position = Set(position);
                    let after = am.update(txn).await?;
                    changes.push(assignment_change(
                        AuditAction::Update,
                        plan,
                        &task.id,
                        Some(before),
                        Some(&after),
                        &after.id,
                    ));
                    now_units.push(after);
                }
                None => {
                    let created = task_assignment::Model {
                        id: crate::ids::new_uuid(),
                        task_id: task.id.clone(),
                        department_id: department_id.clone(),
                        role: *role,
                        position,
                        created_at: Utc::now(),
                    }
                    .into_active_model()
                    .insert(txn)
                    .await?;
                    changes.push(assignment_change(
                        AuditAction::Create,
                        plan,
                        &task.id,
                        None,
                        Some(&created),
                        &created.id,
                    ));
                    now_units.push(created);
                }
            }
        }
        self.units.insert(task.id.clone(), now_units);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_years_are_read_as_offices_write_them() {
        assert_eq!(due_year("2025年"), Ok(Some(2025)));
        assert_eq!(due_year(" 2030 "), Ok(Some(2030)));
        assert_eq!(due_year("2025年底前"), Ok(Some(2025)));
        assert_eq!(due_year(""), Ok(None));
        assert_eq!(due_year("长期坚持"), Ok(None));
        assert!(due_year("25年").is_err());
        assert!(due_year("12345").is_err());
    }

    #[test]
    fn units_are_split_on_the_separators_offices_use() {
        let names: Vec<&str> =
            unit_names("静海区发展改革委、静海区城市管理委，国网天津静海供电有限公司; 各乡镇").collect();
        assert_eq!(names, ["静海区发展改革委", "静海区城市管理委", "国网天津静海供电有限公司", "各乡镇"]);
        assert_eq!(unit_names("  ").count(), 0);
    }

    #[test]
    fn kinds_follow_the_code_and_the_parent() {
        assert_eq!(kind_of("三.（一）", false), TaskKind::ActionGroup);
        assert_eq!(kind_of("三.（一）.1", true), TaskKind::Task);
        assert_eq!(kind_of("三.（一）.专栏1", true), TaskKind::FeaturedProject);
    }
}
