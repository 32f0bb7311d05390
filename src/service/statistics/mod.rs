//! Aggregates for supervision (督查): counts of tasks by status and of
//! indicators by progress, overdue tasks, missing reports and an indicator's
//! trajectory, always over what the caller may see.
//!
//! The counts are made in a fixed number of statements whatever the number
//! of groups: one `GROUP BY` for the tasks, and for the indicators one
//! statement each for the indicators (with their groups), their targets and
//! their current actuals, judged here by [`progress::compute`] — the rule
//! `Indicator.progress` answers with, so the two always agree.
//!
//! Action groups (行动分组) are headings, not work: they are never counted as
//! tasks; grouped by action group, a group counts the tasks under it.

mod counts;
mod groups;
pub mod missing;
pub mod trajectory;

use super::page::{self, Page, PageArgs};
use super::progress::ProgressStatus;
use super::{Direction, region_subtree, tasks, tasks_assigned_to};
use crate::access::Viewer;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::enums::{AssignmentRole, TaskKind, TaskStatus};
use entity::{indicator, plan, task};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Select};
use std::collections::HashMap;

/// Which tasks and indicators an aggregate covers (besides the caller's visibility).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct StatisticsFilter {
    /// Only this plan.
    pub plan_id: Option<String>,
    /// Only plans of this region or a region under it.
    pub region_id: Option<String>,
    /// Only tasks this department is assigned to (LEAD or SUPPORT), and their indicators.
    pub department_id: Option<String>,
    /// Tasks due that year; indicators judged against that year's target.
    pub year: Option<i32>,
}

impl StatisticsFilter {
    /// Condition on `task`: the counted tasks (never action groups) the filter keeps.
    fn task_condition(&self) -> Condition {
        let mut cond = Condition::all().add(task::Column::Kind.ne(TaskKind::ActionGroup));
        if let Some(plan) = &self.plan_id {
            cond = cond.add(task::Column::PlanId.eq(plan.clone()));
        }
        if let Some(region) = &self.region_id {
            cond = cond.add(task::Column::PlanId.in_subquery(plans_in_subtree(region)));
        }
        if let Some(department) = &self.department_id {
            cond = cond.add(task::Column::Id.in_subquery(tasks_assigned_to(department, None)));
        }
        if let Some(year) = self.year {
            cond = cond.add(task::Column::DueYear.eq(year));
        }
        cond
    }

    /// Condition on `indicator`: the indicators the filter keeps (the year
    /// does not filter them; it picks the target they are judged against).
    fn indicator_condition(&self) -> Condition {
        let mut cond = Condition::all();
        if let Some(plan) = &self.plan_id {
            cond = cond.add(indicator::Column::PlanId.eq(plan.clone()));
        }
        if let Some(region) = &self.region_id {
            cond = cond.add(indicator::Column::PlanId.in_subquery(plans_in_subtree(region)));
        }
        if let Some(department) = &self.department_id {
            cond = cond.add(indicator::Column::TaskId.in_subquery(tasks_assigned_to(department, None)));
        }
        cond
    }
}

/// Subquery: plans of `region_id` or of a region under it.
fn plans_in_subtree(region_id: &str) -> SelectStatement {
    Query::select()
        .column(plan::Column::Id)
        .from(plan::Entity)
        .and_where(plan::Column::RegionId.in_subquery(region_subtree(region_id)))
        .to_owned()
}

/// The visible indicators `filter` keeps.
fn indicator_select(viewer: &Viewer, filter: &StatisticsFilter) -> Select<indicator::Entity> {
    indicator::Entity::find().filter(viewer.indicator_condition()).filter(filter.indicator_condition())
}

/// How the counts are grouped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum GroupBy {
    /// One group of everything.
    #[default]
    None,
    /// By plan.
    Plan,
    /// By the plan's region.
    Region,
    /// By assigned department and its role (LEAD or SUPPORT).
    Department,
    /// By the action group the task (or the indicator's task) sits under.
    ActionGroup,
}

/// What one group is of.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GroupKey {
    All,
    Plan(String),
    Region(String),
    Department(String, AssignmentRole),
    /// The ID of a task of kind ACTION_GROUP.
    ActionGroup(String),
}

impl GroupKey {
    /// Builds the key of a group from the `xt_key` and `xt_role` columns.
    fn of(group_by: GroupBy, key: Option<String>, role: Option<AssignmentRole>) -> Option<Self> {
        Some(match group_by {
            GroupBy::None => GroupKey::All,
            GroupBy::Plan => GroupKey::Plan(key?),
            GroupBy::Region => GroupKey::Region(key?),
            GroupBy::Department => GroupKey::Department(key?, role?),
            GroupBy::ActionGroup => GroupKey::ActionGroup(key?),
        })
    }

    /// Stable order of groups: by record ID, LEAD before SUPPORT.
    fn order(&self) -> (&str, u8) {
        match self {
            GroupKey::All => ("", 0),
            GroupKey::Plan(id) | GroupKey::Region(id) | GroupKey::ActionGroup(id) => (id, 0),
            GroupKey::Department(id, role) => (id, u8::from(*role == AssignmentRole::Support)),
        }
    }
}

/// Tasks by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TaskCounts {
    pub not_started: u64,
    pub in_progress: u64,
    pub completed: u64,
    pub delayed: u64,
    pub archived: u64,
}

impl TaskCounts {
    /// Every task counted.
    pub fn total(&self) -> u64 {
        self.not_started + self.in_progress + self.completed + self.delayed + self.archived
    }

    /// Completed among the tasks not archived; `None` when there are none.
    pub fn completed_share(&self) -> Option<f64> {
        share(self.completed, self.total() - self.archived)
    }

    fn add(&mut self, status: TaskStatus, n: u64) {
        let slot = match status {
            TaskStatus::NotStarted => &mut self.not_started,
            TaskStatus::InProgress => &mut self.in_progress,
            TaskStatus::Completed => &mut self.completed,
            TaskStatus::Delayed => &mut self.delayed,
            TaskStatus::Archived => &mut self.archived,
        };
        *slot += n;
    }
}

/// Indicators by progress status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProgressCounts {
    pub achieved: u64,
    pub on_track: u64,
    pub at_risk: u64,
    pub off_track: u64,
    pub no_data: u64,
}

impl ProgressCounts {
    /// Every indicator counted.
    pub fn total(&self) -> u64 {
        self.achieved + self.on_track + self.at_risk + self.off_track + self.no_data
    }

    /// Achieved among all counted; `None` when there are none.
    pub fn achieved_share(&self) -> Option<f64> {
        share(self.achieved, self.total())
    }

    fn add(&mut self, status: ProgressStatus) {
        let slot = match status {
            ProgressStatus::Achieved => &mut self.achieved,
            ProgressStatus::OnTrack => &mut self.on_track,
            ProgressStatus::AtRisk => &mut self.at_risk,
            ProgressStatus::OffTrack => &mut self.off_track,
            ProgressStatus::NoData => &mut self.no_data,
        };
        *slot += 1;
    }
}

/// `part / whole`, rounded to four decimals; `None` when `whole` is 0.
fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0)
}

/// The counts of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub key: GroupKey,
    pub tasks: TaskCounts,
    pub indicators: ProgressCounts,
    /// Tasks due before the current year and neither COMPLETED nor ARCHIVED.
    pub overdue_tasks: u64,
    /// The latest progress report on the group's tasks or actual of its indicators.
    pub last_report_at: Option<DateTime<Utc>>,
}

impl Group {
    fn empty(key: GroupKey) -> Self {
        Group {
            key,
            tasks: TaskCounts::default(),
            indicators: ProgressCounts::default(),
            overdue_tasks: 0,
            last_report_at: None,
        }
    }

    fn reported(&mut self, at: Option<DateTime<Utc>>) {
        self.last_report_at = Ord::max(self.last_report_at, at);
    }
}

/// The current calendar year (UTC), against which tasks are overdue.
pub fn current_year() -> i32 {
    use chrono::Datelike;
    Utc::now().year()
}

/// Counts of the visible tasks and indicators `filter` keeps, grouped by
/// `group_by`, in a stable order (by the group's record ID). Without
/// grouping there is exactly one group; otherwise only groups with something
/// counted. Four statements, whatever the number of groups.
pub async fn statistics<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &StatisticsFilter,
    group_by: GroupBy,
) -> AppResult<Vec<Group>> {
    let mut groups: HashMap<GroupKey, Group> = HashMap::new();
    if group_by == GroupBy::None {
        groups.insert(GroupKey::All, Group::empty(GroupKey::All));
    }
    counts::count_tasks(db, viewer, filter, group_by, &mut groups).await?;
    counts::count_indicators(db, viewer, filter, group_by, &mut groups).await?;
    let mut list: Vec<Group> = groups.into_values().collect();
    list.sort_by(|a, b| a.key.order().cmp(&b.key.order()));
    Ok(list)
}

/// The visible tasks `filter` keeps that are overdue in `as_of_year`: due
/// before it and neither COMPLETED nor ARCHIVED (action groups never).
pub fn overdue_select(viewer: &Viewer, filter: &StatisticsFilter, as_of_year: i32) -> Select<task::Entity> {
    task::Entity::find()
        .filter(viewer.task_condition())
        .filter(filter.task_condition())
        .filter(task::Column::DueYear.lt(as_of_year))
        .filter(task::Column::Status.is_not_in([TaskStatus::Completed, TaskStatus::Archived]))
}

/// One page of overdue tasks in document order, and the query that counts them all.
pub async fn overdue_tasks<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &StatisticsFilter,
    as_of_year: i32,
    args: &PageArgs,
    max_page_size: u32,
) -> AppResult<(Page<task::Model>, Select<task::Entity>)> {
    let query = overdue_select(viewer, filter, as_of_year);
    let spec = tasks::sort(tasks::TaskOrderField::DocumentOrder, Direction::Asc);
    let found = page::fetch_page(db, query.clone(), &spec, args, max_page_size).await?;
    Ok((found, query))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_leave_archived_tasks_out_and_are_null_on_nothing() {
        let counts = TaskCounts { not_started: 1, in_progress: 0, completed: 2, delayed: 0, archived: 5 };
        assert_eq!(counts.total(), 8);
        assert_eq!(counts.completed_share(), Some(0.6667));
        let archived_only = TaskCounts { archived: 3, ..TaskCounts::default() };
        assert_eq!(archived_only.completed_share(), None);
        assert_eq!(ProgressCounts::default().achieved_share(), None);
    }

    #[test]
    fn departments_order_lead_before_support() {
        let lead = GroupKey::Department("d".into(), AssignmentRole::Lead);
        let support = GroupKey::Department("d".into(), AssignmentRole::Support);
        assert!(lead.order() < support.order());
    }
}
