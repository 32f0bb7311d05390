//! The query root: `node`, the resource lists and `viewer` ([`CoreQuery`]),
//! and the aggregates for supervision ([`statistics::StatisticsQuery`]).

mod statistics;

use super::context::ContextExt;
use super::types::Node;
use super::types::change::{Change, ChangeFilterInput};
use super::types::common::{ListConnection, connection, page_args, wants_total};
use super::types::coordination::{CoordinationRecord, CoordinationRecordFilter};
use super::types::department::{Department, DepartmentFilter, DepartmentOrderBy};
use super::types::indicator::{Indicator, IndicatorFilterInput, IndicatorOrderBy};
use super::types::plan::{Plan, PlanFilterInput, PlanOrderBy};
use super::types::project::{Project, ProjectFilter};
use super::types::region::{Region, RegionFilter, RegionOrderBy};
use super::types::task::{Task, TaskFilterInput, TaskOrderBy};
use super::types::viewer::ViewerInfo;
use crate::error::{AppResult, GqlResult};
use crate::ids::{NodeKind, from_global_any};
use crate::service::page::{self, Page};
use crate::service::{changes, coordination, departments, indicators, plans, projects, regions, tasks};
use async_graphql::{Context, ID, MergedObject, Object};
use sea_orm::{EntityTrait, Select};

/// Builds a root connection; counts all matches only when `totalCount` was selected.
pub(super) async fn root_connection<E, N>(
    ctx: &Context<'_>,
    result: AppResult<(Page<E::Model>, Select<E>)>,
    convert: impl Fn(E::Model) -> N,
) -> async_graphql::Result<ListConnection<N>>
where
    E: EntityTrait,
    E::Model: Sync,
    N: async_graphql::OutputType,
{
    let (page, select) = result.gql()?;
    let total = if wants_total(ctx) { page::count(&ctx.state()?.db, select).await.gql()? } else { 0 };
    Ok(connection(page, total, convert))
}

/// 查询 — Read access to plans, tasks, indicators, departments and regions, under the caller's sharing rights.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(CoreQuery, statistics::StatisticsQuery);

/// The lists and lookups of the query root.
#[derive(Default)]
pub struct CoreQuery;

#[Object]
impl CoreQuery {
    /// 按标识取记录 — Fetches any record by its global ID; null when it does not exist or the caller may not see it.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "全局标识 — A global ID as returned in any `id` field.")] id: ID,
    ) -> async_graphql::Result<Option<Node>> {
        Ok(super::node::load(ctx, std::slice::from_ref(&id), "id").await?.pop().flatten())
    }

    /// 按标识批量取记录 — Fetches records by their global IDs, in the order given; null for each one that does
    /// not exist or that the caller may not see. At most the server's page-size limit of IDs per call.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "全局标识列表 — Global IDs as returned in `id` fields; the answer keeps their order.")]
        ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Option<Node>>> {
        let limit = ctx.state()?.limits.max_page_size as usize;
        if ids.len() > limit {
            return Err(crate::error::AppError::bad_input(
                "ids",
                format!("{} IDs were asked for; the limit is {limit} per call", ids.len()),
            )
            .into_graphql());
        }
        super::node::load(ctx, &ids, "ids").await
    }

    /// 行政区域 — Regions of the administrative tree.
    #[graphql(complexity = "crate::graphql::types::common::page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn regions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "筛选 — Only the items that match every condition given.")] filter: Option<RegionFilter>,
        #[graphql(desc = "排序 — Sort order; ties are broken by ID, so pages never skip or repeat an item.")] order_by: Option<RegionOrderBy>,
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
    ) -> async_graphql::Result<ListConnection<Region>> {
        let state = ctx.state()?;
        let f = filter.unwrap_or_default();
        let filter = regions::RegionFilter {
            parent_id: super::types::common::decode_id(NodeKind::Region, &f.parent_id, "filter.parentId").gql()?,
            search: f.search,
            code: f.code,
            roots_only: f.roots_only,
        };
        let order = order_by.unwrap_or_default().into_service();
        let args = page_args(first, after, last, before);
        let result = regions::list(&state.db, &filter, order, &args, state.limits.max_page_size).await;
        root_connection(ctx, result, Region).await
    }

    /// 单位 — Departments and responsible units.
    #[graphql(complexity = "crate::graphql::types::common::page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn departments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "筛选 — Only the items that match every condition given.")] filter: Option<DepartmentFilter>,
        #[graphql(desc = "排序 — Sort order; ties are broken by ID, so pages never skip or repeat an item.")] order_by: Option<DepartmentOrderBy>,
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
    ) -> async_graphql::Result<ListConnection<Department>> {
        let state = ctx.state()?;
        let f = filter.unwrap_or_default();
        let filter = departments::DepartmentFilter {
            region_id: super::types::common::resolve_region(ctx, &f.region_id, &f.region_code).await?,
            search: f.search,
            kind: f.kind.map(Into::into),
        };
        let order = order_by.unwrap_or_default().into_service();
        let args = page_args(first, after, last, before);
        let result = departments::list(&state.db, &filter, order, &args, state.limits.max_page_size).await;
        root_connection(ctx, result, Department).await
    }

    /// 方案 — Plans the caller may see.
    #[graphql(complexity = "crate::graphql::types::common::page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn plans(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "筛选 — Only the items that match every condition given.")] filter: Option<PlanFilterInput>,
        #[graphql(desc = "排序 — Sort order; ties are broken by ID, so pages never skip or repeat an item.")] order_by: Option<PlanOrderBy>,
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
    ) -> async_graphql::Result<ListConnection<Plan>> {
        let state = ctx.state()?;
        let filter = filter.unwrap_or_default().into_service(ctx).await?;
        let order = order_by.unwrap_or_default().into_service();
        let args = page_args(first, after, last, before);
        let viewer = &ctx.scope()?.viewer;
        let result = plans::list(&state.db, viewer, &filter, order, &args, state.limits.max_page_size).await;
        root_connection(ctx, result, Plan).await
    }

    /// 任务 — Tasks the caller may see, across plans.
    #[graphql(complexity = "crate::graphql::types::common::page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn tasks(
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
        let state = ctx.state()?;
        let filter = filter.unwrap_or_default().into_service(ctx).await?;
        let order = order_by.unwrap_or_default().into_service();
        let args = page_args(first, after, last, before);
        let viewer = &ctx.scope()?.viewer;
        let result = tasks::list(&state.db, viewer, &filter, order, &args, state.limits.max_page_size).await;
        root_connection(ctx, result, Task).await
    }

    /// 指标 — Indicators the caller may see, across plans.
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
        let state = ctx.state()?;
        let filter = filter.unwrap_or_default().into_service(ctx).await?;
        let order = order_by.unwrap_or_default().into_service();
        let args = page_args(first, after, last, before);
        let viewer = &ctx.scope()?.viewer;
        let result = indicators::list(&state.db, viewer, &filter, order, &args, state.limits.max_page_size).await;
        root_connection(ctx, result, Indicator).await
    }

    /// 协同记录 — Jing-Jin-Ji coordination records (mechanisms, working groups, meetings, agreements, joint
    /// actions) the caller may see — those of the plans it may see — in document order.
    #[graphql(complexity = "crate::graphql::types::common::page_cost(first, last, child_complexity)")]
    async fn coordination_records(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "筛选 — Only the items that match every condition given.")] filter: Option<
            CoordinationRecordFilter,
        >,
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
    ) -> async_graphql::Result<ListConnection<CoordinationRecord>> {
        let state = ctx.state()?;
        let f = filter.unwrap_or_default();
        let decode = super::types::common::decode_id;
        let filter = coordination::CoordinationFilter {
            plan_id: decode(NodeKind::Plan, &f.plan_id, "filter.planId").gql()?,
            region_id: decode(NodeKind::Region, &f.region_id, "filter.regionId").gql()?,
            kind: f.kind.map(Into::into),
        };
        let args = page_args(first, after, last, before);
        let viewer = &ctx.scope()?.viewer;
        let result = coordination::list(&state.db, viewer, &filter, &args, state.limits.max_page_size).await;
        root_connection(ctx, result, CoordinationRecord).await
    }

    /// 重点项目 — Key projects (重点项目) the caller may see — those of the 专栏 and tasks it may see — in
    /// document order: each with its sizes, place, responsible units and source.
    #[graphql(complexity = "crate::graphql::types::common::page_cost(first, last, child_complexity)")]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "筛选 — Only the items that match every condition given.")] filter: Option<ProjectFilter>,
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
    ) -> async_graphql::Result<ListConnection<Project>> {
        let state = ctx.state()?;
        let f = filter.unwrap_or_default();
        let decode = super::types::common::decode_id;
        let filter = projects::ProjectFilter {
            plan_id: decode(NodeKind::Plan, &f.plan_id, "filter.planId").gql()?,
            task_id: decode(NodeKind::Task, &f.task_id, "filter.taskId").gql()?,
            kind: f.kind,
            region_id: decode(NodeKind::Region, &f.region_id, "filter.regionId").gql()?,
        };
        let args = page_args(first, after, last, before);
        let viewer = &ctx.scope()?.viewer;
        let result = projects::list(&state.db, viewer, &filter, &args, state.limits.max_page_size).await;
        root_connection(ctx, result, Project).await
    }

    /// 变更记录 — The change feed: committed changes the caller may see, in commit order.
    /// Resume with `after` set to the last cursor you processed: nothing is skipped or repeated.
    #[graphql(complexity = "crate::graphql::types::common::page_cost(first, last, child_complexity)")]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "筛选 — Only the items that match every condition given.")] filter: Option<ChangeFilterInput>,
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
    ) -> async_graphql::Result<ListConnection<Change>> {
        let state = ctx.state()?;
        let f = filter.unwrap_or_default();
        let decode = super::types::common::decode_id;
        let entity_id = match &f.id {
            Some(id) => Some(from_global_any(id, "filter.id").gql()?.1),
            None => None,
        };
        let filter = changes::ChangeFilter {
            entity: f.entity.map(Into::into),
            action: f.action.map(Into::into),
            entity_id,
            department_id: decode(NodeKind::Department, &f.department_id, "filter.departmentId").gql()?,
            plan_id: decode(NodeKind::Plan, &f.plan_id, "filter.planId").gql()?,
            since: f.since,
            region_id: None,
            after_seq: None,
        };
        let args = page_args(first, after, last, before);
        let viewer = &ctx.scope()?.viewer;
        let result = changes::list(&state.db, viewer, &filter, &args, state.limits.max_page_size).await;
        root_connection(ctx, result, |row| Change(row, None)).await
    }

    /// 回调端点 — The webhook endpoints the caller manages (ADMIN: all; COORDINATOR: those acting as departments of
    /// its jurisdiction), oldest first; FORBIDDEN for other roles.
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<super::types::webhook::WebhookEndpoint>> {
        let found = crate::service::webhooks::registry::list(&ctx.state()?.db, &ctx.scope()?.viewer).await.gql()?;
        Ok(found.into_iter().map(super::types::webhook::WebhookEndpoint).collect())
    }

    /// 回调端点 — One webhook endpoint the caller manages; NOT_FOUND otherwise.
    async fn webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "回调端点 — Its global ID.")] id: ID,
    ) -> async_graphql::Result<super::types::webhook::WebhookEndpoint> {
        let id = crate::ids::from_global(NodeKind::WebhookEndpoint, &id, "id").gql()?;
        let found =
            crate::service::webhooks::registry::find(&ctx.state()?.db, &ctx.scope()?.viewer, &id).await.gql()?;
        Ok(super::types::webhook::WebhookEndpoint(found))
    }

    /// 当前调用方 — Who is calling: identity, department and role.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<ViewerInfo> {
        Ok(ViewerInfo(ctx.scope()?.viewer.clone()))
    }
}
