//! The `Task` type, its assignments and progress reports, and its list inputs.

use super::common::{
    ListConnection, Provenance, decode_id, load_page, loader_error, page_args, provenance_of, resolve_region,
};
use super::department::Department;
use super::enums::{AssignmentRole, OrderDirection, SharingClass, TaskKind, TaskOrderField, TaskStatus};
use super::indicator::{Indicator, IndicatorFilterInput, IndicatorOrderBy};
use super::plan::Plan;
use super::project::Project;
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::ids::{NodeKind, to_global};
use crate::service::tasks::{self, TaskFilter};
use crate::service::{Direction, indicators};
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::{progress_report, task, task_assignment};

/// A node of a plan's task tree.
#[derive(Clone)]
pub struct Task(pub task::Model);

/// 任务 — A node of a plan's task tree: action group （一）, numbered task 1., or featured-project column 专栏.
#[Object]
impl Task {
    /// 全局标识 — Opaque, stable global ID.
    pub async fn id(&self) -> ID {
        to_global(NodeKind::Task, &self.0.id)
    }

    /// 位置编码 — Position in the document, e.g. `三.（三）.1` or `三.（一）.专栏1`.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// 序号 — Order among its siblings, from 0.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// 层级 — Level in the tree.
    async fn kind(&self) -> TaskKind {
        self.0.kind.into()
    }

    /// 标题 — Title (the heading or first sentence).
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// 全文 — Full text as printed in the document.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// 完成年份 — Year the task is due, when stated.
    async fn due_year(&self) -> Option<i32> {
        self.0.due_year
    }

    /// 状态 — Progress state.
    async fn status(&self) -> TaskStatus {
        self.0.status.into()
    }

    /// 自身共享类别 — Own sharing class; null means inherited from the plan.
    async fn sharing_class(&self) -> Option<SharingClass> {
        self.0.sharing_class.map(Into::into)
    }

    /// 版本 — Record version, for `expectedVersion` on updates.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// 更新时间 — When the record last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// 出处 — Source document, section and sentence.
    async fn provenance(&self) -> Option<Provenance> {
        provenance_of!(&self.0)
    }

    /// 所属方案 — The plan.
    async fn plan(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Plan>> {
        let found = ctx.scope()?.loaders.plan.load_one(self.0.plan_id.clone()).await.map_err(loader_error)?;
        Ok(found.map(Plan))
    }

    /// 上级任务 — The parent node (an action group for a numbered task).
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Task>> {
        let Some(parent) = &self.0.parent_id else { return Ok(None) };
        let found = ctx.scope()?.loaders.task.load_one(parent.clone()).await.map_err(loader_error)?;
        Ok(found.map(Task))
    }

    /// 下级任务 — Child nodes that the caller may see, in document order by default.
    #[graphql(complexity = "crate::graphql::types::common::page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn children(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "筛选 — Only the items that match every condition given.")] filter: Option<TaskFilterInput>,
        #[graphql(desc = "排序 — Sort order; ties are broken by ID, so pages never skip or repeat an item.")] order_by: Option<TaskOrderBy>,
        #[graphql(
            desc = "前N条 — Return the first N items after `after` (default 20, at most the server's page-size limit)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "之后 — Cursor: return the items after this one (an `endCursor` or edge `cursor` of the same list and order)."
        )]
        after: Option<String>,
        #[graphql(desc = "后N条 — Return the last N items before `before` (at most the server's page-size limit).")]
        last: Option<i32>,
        #[graphql(
            desc = "之前 — Cursor: return the items before this one (a `startCursor` or edge `cursor` of the same list and order)."
        )]
        before: Option<String>,
    ) -> async_graphql::Result<ListConnection<Task>> {
        let filter = filter.unwrap_or_default().into_service(ctx).await?;
        let (field, direction) = order_by.unwrap_or_default().into_service();
        let spec = tasks::sort(field, direction);
        let loader = &ctx.scope()?.loaders.task_children;
        let key = (filter, field, direction);
        load_page(ctx, loader, &self.0.id, key, page_args(first, after, last, before), &spec, Task).await
    }

    /// 责任单位 — Responsible units in the order the document lists them; the first is LEAD. At most one per
    /// department.
    #[graphql(complexity = "1 + 5 * child_complexity")]
    async fn assignments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Assignment>> {
        let found = ctx.scope()?.loaders.task_assignments.load_one(self.0.id.clone()).await.map_err(loader_error)?;
        Ok(found.unwrap_or_default().into_iter().map(Assignment).collect())
    }

    /// 重点项目 — The key projects listed in this 专栏 (or named by this task) that the caller may see, in
    /// document order.
    #[graphql(complexity = "1 + 10 * child_complexity")]
    async fn projects(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Project>> {
        let found = ctx.scope()?.loaders.projects_of_task.load_one(self.0.id.clone()).await.map_err(loader_error)?;
        Ok(found.unwrap_or_default().into_iter().map(Project).collect())
    }

    /// 指标 — Indicators this task must move that the caller may see, in document order by default.
    #[graphql(complexity = "crate::graphql::types::common::page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn indicators(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "筛选 — Only the items that match every condition given.")] filter: Option<
            IndicatorFilterInput,
        >,
        #[graphql(desc = "排序 — Sort order; ties are broken by ID, so pages never skip or repeat an item.")] order_by: Option<IndicatorOrderBy>,
        #[graphql(
            desc = "前N条 — Return the first N items after `after` (default 20, at most the server's page-size limit)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "之后 — Cursor: return the items after this one (an `endCursor` or edge `cursor` of the same list and order)."
        )]
        after: Option<String>,
        #[graphql(desc = "后N条 — Return the last N items before `before` (at most the server's page-size limit).")]
        last: Option<i32>,
        #[graphql(
            desc = "之前 — Cursor: return the items before this one (a `startCursor` or edge `cursor` of the same list and order)."
        )]
        before: Option<String>,
    ) -> async_graphql::Result<ListConnection<Indicator>> {
        let filter = filter.unwrap_or_default().into_service(ctx).await?;
        let (field, direction) = order_by.unwrap_or_default().into_service();
        let spec = indicators::sort(field, direction);
        let loader = &ctx.scope()?.loaders.indicators_by_task;
        let key = (filter, field, direction);
        load_page(ctx, loader, &self.0.id, key, page_args(first, after, last, before), &spec, Indicator).await
    }

    /// 进展报告 — Progress reports, oldest first (`last: N` gives the N latest).
    #[graphql(complexity = "crate::graphql::types::common::page_cost(first, last, child_complexity)")]
    async fn progress_reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "前N条 — Return the first N items after `after` (default 20, at most the server's page-size limit)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "之后 — Cursor: return the items after this one (an `endCursor` or edge `cursor` of the same list and order)."
        )]
        after: Option<String>,
        #[graphql(desc = "后N条 — Return the last N items before `before` (at most the server's page-size limit).")]
        last: Option<i32>,
        #[graphql(
            desc = "之前 — Cursor: return the items before this one (a `startCursor` or edge `cursor` of the same list and order)."
        )]
        before: Option<String>,
    ) -> async_graphql::Result<ListConnection<ProgressReport>> {
        let loader = &ctx.scope()?.loaders.task_reports;
        let key = ((), (), Direction::Asc);
        let args = page_args(first, after, last, before);
        load_page(ctx, loader, &self.0.id, key, args, &tasks::report_sort(), ProgressReport).await
    }

    /// 最新进展 — The latest progress report, if any.
    async fn latest_progress(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ProgressReport>> {
        let loader = &ctx.scope()?.loaders.task_latest_report;
        let found = loader.load_one(self.0.id.clone()).await.map_err(loader_error)?;
        Ok(found.map(ProgressReport))
    }
}

/// A department assigned to a task.
#[derive(Clone)]
pub struct Assignment(pub task_assignment::Model);

/// 责任分工 — A department assigned to a task as LEAD or SUPPORT, in document order.
#[Object]
impl Assignment {
    /// 全局标识 — Opaque global ID.
    pub async fn id(&self) -> ID {
        to_global(NodeKind::TaskAssignment, &self.0.id)
    }

    /// 角色 — LEAD (牵头) or SUPPORT (配合).
    async fn role(&self) -> AssignmentRole {
        self.0.role.into()
    }

    /// 顺序 — Position in the document's 责任单位 list, from 0.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// 单位 — The department.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Department>> {
        let found =
            ctx.scope()?.loaders.department.load_one(self.0.department_id.clone()).await.map_err(loader_error)?;
        Ok(found.map(Department))
    }
}

/// A progress report on a task.
#[derive(Clone)]
pub struct ProgressReport(pub progress_report::Model);

/// 进展报告 — A progress report on a task by a responsible department. Never changed once written.
#[Object]
impl ProgressReport {
    /// 全局标识 — Opaque global ID.
    pub async fn id(&self) -> ID {
        to_global(NodeKind::ProgressReport, &self.0.id)
    }

    /// 报告期 — Period reported on: `2024`, `2024-H1`, `2024-Q3` or `2024-07`.
    async fn period(&self) -> &str {
        &self.0.period
    }

    /// 状态 — Task state as reported.
    async fn status(&self) -> TaskStatus {
        self.0.status.into()
    }

    /// 完成百分比 — Percent complete, 0–100.
    async fn percent(&self) -> Option<i32> {
        self.0.percent
    }

    /// 进展说明 — Narrative.
    async fn narrative(&self) -> &str {
        &self.0.narrative
    }

    /// 报告人 — Subject of the token that reported it.
    async fn reporter(&self) -> &str {
        &self.0.reporter
    }

    /// 报告时间 — When it was reported.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// 报告单位 — The reporting department.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Department>> {
        let found =
            ctx.scope()?.loaders.department.load_one(self.0.department_id.clone()).await.map_err(loader_error)?;
        Ok(found.map(Department))
    }
}

/// 任务筛选 — Which tasks a list returns.
#[derive(InputObject, Default)]
#[graphql(name = "TaskFilter")]
pub struct TaskFilterInput {
    /// 编码、标题或全文包含 — Substring of the code, title or full text. At most 200 characters (BAD_USER_INPUT beyond).
    #[graphql(validator(custom = "crate::graphql::types::common::check_search"))]
    pub search: Option<String>,
    /// 方案 — Tasks of this plan.
    pub plan_id: Option<ID>,
    /// 区域 — Tasks of plans of this region.
    pub region_id: Option<ID>,
    /// 行政区划代码 — Tasks of plans of the region with this code.
    pub region_code: Option<String>,
    /// 含下级区域 — With a region: also regions under it.
    #[graphql(default)]
    pub include_subregions: bool,
    /// 单位 — Tasks assigned to this department.
    pub department_id: Option<ID>,
    /// 角色 — With `departmentId`: only where it has this role.
    pub role: Option<AssignmentRole>,
    /// 状态 — Progress state.
    pub status: Option<TaskStatus>,
    /// 层级 — Level in the tree (e.g. ACTION_GROUP for the top level).
    pub kind: Option<TaskKind>,
    /// 完成年份 — Due year.
    pub year: Option<i32>,
    /// 上级任务 — Children of this task.
    pub parent_id: Option<ID>,
}

impl TaskFilterInput {
    /// Decodes IDs and resolves codes into the service filter.
    pub async fn into_service(self, ctx: &Context<'_>) -> async_graphql::Result<TaskFilter> {
        Ok(TaskFilter {
            region_id: resolve_region(ctx, &self.region_id, &self.region_code).await?,
            include_subregions: self.include_subregions,
            plan_id: decode_id(NodeKind::Plan, &self.plan_id, "filter.planId").gql()?,
            department_id: decode_id(NodeKind::Department, &self.department_id, "filter.departmentId").gql()?,
            parent_id: decode_id(NodeKind::Task, &self.parent_id, "filter.parentId").gql()?,
            role: self.role.map(Into::into),
            search: self.search,
            status: self.status.map(Into::into),
            kind: self.kind.map(Into::into),
            due_year: self.year,
        })
    }
}

/// 任务排序 — Order of a task list.
#[derive(InputObject, Default)]
pub struct TaskOrderBy {
    /// 排序字段 — Sort field.
    #[graphql(default)]
    pub field: TaskOrderField,
    /// 方向 — Direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl TaskOrderBy {
    /// The sort field and direction in the service's terms.
    pub fn into_service(self) -> (tasks::TaskOrderField, Direction) {
        (self.field.into(), self.direction.into())
    }
}
