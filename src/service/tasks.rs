//! Tasks, their assignments and progress reports, always under the caller's
//! visibility. Assignments and reports are read only through a task the
//! caller may see.

use super::page::{self, GroupedPage, Page, PageArgs, SortSpec, SortValue};
use super::{Direction, group_by, region_subtree, tasks_assigned_to};
use crate::access::Viewer;
use crate::error::AppResult;
use entity::enums::{AssignmentRole, TaskKind, TaskStatus};
use entity::plan;
use entity::{progress_report, task, task_assignment};
use sea_orm::sea_query::Expr;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select};
use std::collections::HashMap;

/// Which tasks a list returns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TaskFilter {
    /// Substring of the code, title or full text.
    pub search: Option<String>,
    pub plan_id: Option<String>,
    /// Tasks of plans of this region (and, with `include_subregions`, regions under it).
    pub region_id: Option<String>,
    pub include_subregions: bool,
    /// Tasks assigned to this department.
    pub department_id: Option<String>,
    /// With `department_id`: only tasks where it has this role.
    pub role: Option<AssignmentRole>,
    pub status: Option<TaskStatus>,
    pub kind: Option<TaskKind>,
    pub due_year: Option<i32>,
    pub parent_id: Option<String>,
}

/// Sort fields of task lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum TaskOrderField {
    /// 文件顺序 — in the order of the plan document.
    #[default]
    DocumentOrder,
    /// 标题 — by title.
    Title,
    /// 完成年份 — by due year (tasks without one first).
    DueYear,
}

impl TaskFilter {
    fn condition(&self) -> Condition {
        let mut cond = Condition::all();
        if let Some(text) = &self.search {
            cond = cond.add(page::search_condition(
                &[
                    Expr::col((task::Entity, task::Column::Code)),
                    Expr::col((task::Entity, task::Column::Title)),
                    Expr::col((task::Entity, task::Column::Body)),
                ],
                text,
            ));
        }
        if let Some(plan) = &self.plan_id {
            cond = cond.add(task::Column::PlanId.eq(plan.clone()));
        }
        if let Some(region) = &self.region_id {
            let mut plans = Query::select().column(plan::Column::Id).from(plan::Entity).to_owned();
            if self.include_subregions {
                plans.and_where(plan::Column::RegionId.in_subquery(region_subtree(region)));
            } else {
                plans.and_where(plan::Column::RegionId.eq(region.clone()));
            }
            cond = cond.add(task::Column::PlanId.in_subquery(plans));
        }
        if let Some(department) = &self.department_id {
            cond = cond.add(task::Column::Id.in_subquery(tasks_assigned_to(department, self.role)));
        }
        if let Some(status) = self.status {
            cond = cond.add(task::Column::Status.eq(status));
        }
        if let Some(kind) = self.kind {
            cond = cond.add(task::Column::Kind.eq(kind));
        }
        if let Some(year) = self.due_year {
            cond = cond.add(task::Column::DueYear.eq(year));
        }
        if let Some(parent) = &self.parent_id {
            cond = cond.add(task::Column::ParentId.eq(parent.clone()));
        }
        cond
    }
}

/// The sort of a task list.
pub fn sort(field: TaskOrderField, direction: Direction) -> SortSpec<task::Model> {
    let descending = direction == Direction::Desc;
    let id = Expr::col((task::Entity, task::Column::Id));
    match field {
        TaskOrderField::DocumentOrder => SortSpec {
            list: "Task.docOrder",
            kind: page::SortKind::Text,
            expr: Expr::col((task::Entity, task::Column::DocOrder)),
            then: None,
            id,
            descending,
            value_of: |m| SortValue::Text(m.doc_order.clone()),
            id_of: |m| &m.id,
        },
        TaskOrderField::Title => SortSpec {
            list: "Task.title",
            kind: page::SortKind::Text,
            expr: Expr::col((task::Entity, task::Column::Title)),
            then: None,
            id,
            descending,
            value_of: |m| SortValue::Text(m.title.clone()),
            id_of: |m| &m.id,
        },
        TaskOrderField::DueYear => SortSpec {
            list: "Task.dueYear",
            kind: page::SortKind::Int,
            expr: Expr::cust(r#"COALESCE("task"."due_year", 0)"#),
            then: None,
            id,
            descending,
            value_of: |m| SortValue::Int(i64::from(m.due_year.unwrap_or(0))),
            id_of: |m| &m.id,
        },
    }
}

/// The visible tasks matching `filter`, for statements whose rows are not
/// bounded by a key or a parent (root lists and their counts, exports, per-parent
/// counts): the access rule as sets computed once per statement, whose cost
/// does not grow with the rows a sparse caller's scan passes over.
pub fn select(viewer: &Viewer, filter: &TaskFilter) -> Select<task::Entity> {
    task::Entity::find().filter(viewer.task_condition()).filter(filter.condition())
}

/// The visible tasks matching `filter`, for statements bounded by keys or by
/// parents (a batch of IDs, one page per parent): the access rule judged row
/// by row (`Viewer::task_condition_per_row`), one probe per row read.
fn select_per_row(viewer: &Viewer, filter: &TaskFilter) -> Select<task::Entity> {
    task::Entity::find().filter(viewer.task_condition_per_row()).filter(filter.condition())
}

/// [`select`] when each parent's rows are also counted, else [`select_per_row`].
fn select_for_pages(viewer: &Viewer, filter: &TaskFilter, with_total: bool) -> Select<task::Entity> {
    if with_total { select(viewer, filter) } else { select_per_row(viewer, filter) }
}

/// One page of visible tasks, and the query that counts them all.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &TaskFilter,
    order: (TaskOrderField, Direction),
    args: &PageArgs,
    max_page_size: u32,
) -> AppResult<(Page<task::Model>, Select<task::Entity>)> {
    let query = select(viewer, filter);
    let page = page::fetch_page(db, query.clone(), &sort(order.0, order.1), args, max_page_size).await?;
    Ok((page, query))
}

/// Visible tasks by ID.
pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    ids: &[String],
) -> AppResult<HashMap<String, task::Model>> {
    let query = task::Entity::find().filter(viewer.task_condition_per_row());
    let groups = group_by(db, query, task::Column::Id, ids).await?;
    Ok(groups.into_iter().filter_map(|(k, mut v)| v.pop().map(|m| (k, m))).collect())
}

/// One page of each plan's visible tasks matching `filter`, for `Plan.tasks`
/// (paging arguments already checked against the limits).
pub async fn pages_by_plans<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &TaskFilter,
    order: (TaskOrderField, Direction),
    args: &PageArgs,
    with_total: bool,
    plan_ids: &[String],
) -> AppResult<HashMap<String, GroupedPage<task::Model>>> {
    let spec = sort(order.0, order.1);
    let query = select_for_pages(viewer, filter, with_total);
    page::fetch_grouped_pages(db, query, task::Column::PlanId, plan_ids, &spec, args, u32::MAX, with_total).await
}

/// One page of each task's visible children matching `filter`, for
/// `Task.children` (paging arguments already checked against the limits).
/// A child the caller may not see is neither returned nor counted.
pub async fn pages_by_parents<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &TaskFilter,
    order: (TaskOrderField, Direction),
    args: &PageArgs,
    with_total: bool,
    parent_ids: &[String],
) -> AppResult<HashMap<String, GroupedPage<task::Model>>> {
    let spec = sort(order.0, order.1);
    let query = select_for_pages(viewer, filter, with_total);
    page::fetch_grouped_pages(db, query, task::Column::ParentId, parent_ids, &spec, args, u32::MAX, with_total).await
}

/// Visible tasks matching `filter` assigned to each department, for `Department.tasks`.
pub async fn by_departments<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &TaskFilter,
    department_ids: &[String],
) -> AppResult<HashMap<String, Vec<task::Model>>> {
    // The role is that of each parent department's own assignment (`Department.tasks(filter: {role})`).
    let mut own = task_assignment::Entity::find();
    if let Some(role) = filter.role {
        own = own.filter(task_assignment::Column::Role.eq(role.as_str()));
    }
    let assignments = group_by(db, own, task_assignment::Column::DepartmentId, department_ids).await?;
    let task_ids: Vec<String> = assignments
        .values()
        .flatten()
        .map(|a| a.task_id.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let tasks = group_by(db, select_per_row(viewer, filter), task::Column::Id, &task_ids).await?;
    Ok(assignments
        .into_iter()
        .map(|(department, rows)| {
            let list = rows.iter().filter_map(|a| tasks.get(&a.task_id).and_then(|t| t.first().cloned())).collect();
            (department, list)
        })
        .collect())
}

/// Assignments of each task, in document order.
pub async fn assignments_of<C: ConnectionTrait>(
    db: &C,
    task_ids: &[String],
) -> AppResult<HashMap<String, Vec<task_assignment::Model>>> {
    let query = task_assignment::Entity::find().order_by_asc(task_assignment::Column::Position);
    group_by(db, query, task_assignment::Column::TaskId, task_ids).await
}

/// The order of a task's progress reports: oldest first, as reported.
pub fn report_sort() -> SortSpec<progress_report::Model> {
    SortSpec {
        list: "ProgressReport.createdAt",
        kind: page::SortKind::Time,
        expr: Expr::col((progress_report::Entity, progress_report::Column::CreatedAt)),
        then: None,
        id: Expr::col((progress_report::Entity, progress_report::Column::Id)),
        descending: false,
        value_of: |m| SortValue::Text(page::instant(&m.created_at)),
        id_of: |m| &m.id,
    }
}

/// One page of each task's progress reports in [`report_sort`] order, for
/// `Task.progressReports` (paging arguments already checked against the
/// limits; the tasks are ones the caller may see).
pub async fn report_pages_by_tasks<C: ConnectionTrait>(
    db: &C,
    args: &PageArgs,
    with_total: bool,
    task_ids: &[String],
) -> AppResult<HashMap<String, GroupedPage<progress_report::Model>>> {
    let query = progress_report::Entity::find();
    let column = progress_report::Column::TaskId;
    page::fetch_grouped_pages(db, query, column, task_ids, &report_sort(), args, u32::MAX, with_total).await
}

/// The latest progress report of each task that has one (the last in
/// [`report_sort`] order), for `Task.latestProgress`. One statement: for each
/// task a correlated `ORDER BY created_at DESC, id DESC LIMIT 1` through the
/// (task, created_at) index, so the other reports stay in the database.
pub async fn latest_reports_of<C: ConnectionTrait>(
    db: &C,
    task_ids: &[String],
) -> AppResult<HashMap<String, progress_report::Model>> {
    use progress_report::{Column, Entity};
    use sea_orm::sea_query::{Alias, SubQueryStatement};
    use sea_orm::{ExprTrait, Order};
    let mut latest = HashMap::new();
    if task_ids.is_empty() {
        return Ok(latest);
    }
    let (report, of) = (Alias::new("xt_report"), Alias::new("xt_task"));
    let latest_of_one = Query::select()
        .column((report.clone(), Column::Id))
        .from_as(Entity, report.clone())
        .and_where(Expr::col((report.clone(), Column::TaskId)).equals((of.clone(), task::Column::Id)))
        .order_by((report.clone(), Column::CreatedAt), Order::Desc)
        .order_by((report, Column::Id), Order::Desc)
        .limit(1)
        .to_owned();
    let latest_ids = Query::select()
        .expr(Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(latest_of_one))))
        .from_as(task::Entity, of.clone())
        .and_where(crate::db::keys::one_of(db.get_database_backend(), Expr::col((of, task::Column::Id)), task_ids))
        .to_owned();
    for report in Entity::find().filter(Column::Id.in_subquery(latest_ids)).all(db).await? {
        latest.insert(report.task_id.clone(), report);
    }
    Ok(latest)
}
