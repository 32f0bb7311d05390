//! The `Plan` type and its list inputs.

use super::common::{
    Date, ListConnection, Provenance, decode_id, load_page, loader_error, page_args, provenance_of, resolve_region,
};
use super::department::Department;
use super::enums::{OrderDirection, PlanKind, PlanOrderField, PlanStatus, SharingClass};
use super::indicator::{Indicator, IndicatorFilterInput, IndicatorOrderBy};
use super::region::Region;
use super::task::{Task, TaskFilterInput, TaskOrderBy};
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::ids::{NodeKind, to_global};
use crate::service::plans::{self, PlanFilter};
use crate::service::{Direction, indicators, tasks};
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::plan;

/// A plan document.
#[derive(Clone)]
pub struct Plan(pub plan::Model);

/// 方案 — A plan document: 实施方案, 行动方案, 年度重点工作 or 协同措施, with its task tree and indicators.
#[Object]
impl Plan {
    /// 全局标识 — Opaque, stable global ID.
    pub async fn id(&self) -> ID {
        to_global(NodeKind::Plan, &self.0.id)
    }

    /// 标题 — Title, e.g. 天津市静海区碳达峰实施方案.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// 文号 — Document number as printed, e.g. 津静海政发〔2023〕11号.
    async fn document_number(&self) -> Option<&str> {
        self.0.document_number.as_deref()
    }

    /// 印发日期 — Issue date, when the document states it.
    async fn issued_on(&self) -> Option<Date> {
        self.0.issued_on.map(Date)
    }

    /// 起始年份 — First year of the plan period.
    async fn period_start(&self) -> Option<i32> {
        self.0.period_start
    }

    /// 截止年份 — Last year of the plan period.
    async fn period_end(&self) -> Option<i32> {
        self.0.period_end
    }

    /// 类型 — Kind of document.
    async fn kind(&self) -> PlanKind {
        self.0.kind.into()
    }

    /// 状态 — Lifecycle status.
    async fn status(&self) -> PlanStatus {
        self.0.status.into()
    }

    /// 共享类别 — Sharing class; tasks and indicators inherit it unless they set their own.
    async fn sharing_class(&self) -> SharingClass {
        self.0.sharing_class.into()
    }

    /// 不予共享依据 — Legal basis for withholding (NOT_SHARED records).
    async fn legal_basis(&self) -> Option<&str> {
        self.0.legal_basis.as_deref()
    }

    /// 版本 — Record version, for `expectedVersion` on updates.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// 创建时间 — When the record was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// 更新时间 — When the record last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// 出处 — Source document, section and sentence.
    async fn provenance(&self) -> Option<Provenance> {
        provenance_of!(&self.0)
    }

    /// 所属区域 — The region the plan applies to.
    async fn region(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Region>> {
        let found = ctx.scope()?.loaders.region.load_one(self.0.region_id.clone()).await.map_err(loader_error)?;
        Ok(found.map(Region))
    }

    /// 印发单位 — The issuing department.
    async fn issuer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Department>> {
        let Some(issuer) = &self.0.issuer_id else { return Ok(None) };
        let found = ctx.scope()?.loaders.department.load_one(issuer.clone()).await.map_err(loader_error)?;
        Ok(found.map(Department))
    }

    /// 上位方案 — The plan this one implements (e.g. the city plan a district plan implements), if visible.
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Plan>> {
        let Some(parent) = &self.0.parent_id else { return Ok(None) };
        let found = ctx.scope()?.loaders.plan.load_one(parent.clone()).await.map_err(loader_error)?;
        Ok(found.map(Plan))
    }

    /// 任务 — Tasks of the plan (all levels unless filtered), in document order by default.
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
        let filter = filter.unwrap_or_default().into_service(ctx).await?;
        let (field, direction) = order_by.unwrap_or_default().into_service();
        let spec = tasks::sort(field, direction);
        let loader = &ctx.scope()?.loaders.tasks_by_plan;
        let key = (filter, field, direction);
        load_page(ctx, loader, &self.0.id, key, page_args(first, after, last, before), &spec, Task).await
    }

    /// 指标 — Indicators of the plan, in document order by default.
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
        let loader = &ctx.scope()?.loaders.indicators_by_plan;
        let key = (filter, field, direction);
        load_page(ctx, loader, &self.0.id, key, page_args(first, after, last, before), &spec, Indicator).await
    }
}

/// 方案筛选 — Which plans a list returns.
#[derive(InputObject, Default)]
#[graphql(name = "PlanFilter")]
pub struct PlanFilterInput {
    /// 标题或文号包含 — Substring of the title or document number. At most 200 characters (BAD_USER_INPUT beyond).
    #[graphql(validator(custom = "crate::graphql::types::common::check_search"))]
    pub search: Option<String>,
    /// 区域 — Plans of this region.
    pub region_id: Option<ID>,
    /// 行政区划代码 — Plans of the region with this code (e.g. `120118` for 静海区).
    pub region_code: Option<String>,
    /// 含下级区域 — With a region: also plans of regions under it.
    #[graphql(default)]
    pub include_subregions: bool,
    /// 单位 — Plans issued by this department or with a task assigned to it.
    pub department_id: Option<ID>,
    /// 状态 — Lifecycle status.
    pub status: Option<PlanStatus>,
    /// 类型 — Kind of document.
    pub kind: Option<PlanKind>,
    /// 年份 — Plans whose period covers this year or with a target in force in it (standing and recurring
    /// targets included).
    pub year: Option<i32>,
    /// 上位方案 — Plans implementing this plan.
    pub parent_id: Option<ID>,
}

impl PlanFilterInput {
    /// Decodes IDs and resolves codes into the service filter.
    pub async fn into_service(self, ctx: &Context<'_>) -> async_graphql::Result<PlanFilter> {
        Ok(PlanFilter {
            region_id: resolve_region(ctx, &self.region_id, &self.region_code).await?,
            include_subregions: self.include_subregions,
            department_id: decode_id(NodeKind::Department, &self.department_id, "filter.departmentId").gql()?,
            parent_id: decode_id(NodeKind::Plan, &self.parent_id, "filter.parentId").gql()?,
            search: self.search,
            status: self.status.map(Into::into),
            kind: self.kind.map(Into::into),
            year: self.year,
        })
    }
}

/// 方案排序 — Order of a plan list.
#[derive(InputObject, Default)]
pub struct PlanOrderBy {
    /// 排序字段 — Sort field.
    #[graphql(default)]
    pub field: PlanOrderField,
    /// 方向 — Direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl PlanOrderBy {
    /// The sort field and direction in the service's terms.
    pub fn into_service(self) -> (plans::PlanOrderField, Direction) {
        (self.field.into(), self.direction.into())
    }
}
