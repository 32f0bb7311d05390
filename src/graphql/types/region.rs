//! The `Region` type and its list inputs.

use super::common::{ListConnection, load_page, loader_error, page_args};
use super::enums::{OrderDirection, RegionLevel, RegionOrderField};
use super::plan::{Plan, PlanFilterInput, PlanOrderBy};
use crate::graphql::context::ContextExt;
use crate::ids::{NodeKind, to_global};
use crate::service::{Direction, plans, regions};
use async_graphql::{Context, ID, InputObject, Object};
use entity::region;

/// A node of the administrative tree.
#[derive(Clone)]
pub struct Region(pub region::Model);

/// 行政区域 — A node of the administrative tree: 京津冀 → 北京市 / 天津市 / 河北省 → districts.
#[Object]
impl Region {
    /// 全局标识 — Opaque, stable global ID.
    pub async fn id(&self) -> ID {
        to_global(NodeKind::Region, &self.0.id)
    }

    /// 行政区划代码 — GB/T 2260 administrative division code, e.g. `120118`; null for 京津冀.
    async fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }

    /// 名称 — Chinese name, e.g. 静海区.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// 英文名称 — English name, e.g. Jinghai District.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }

    /// 层级 — Level in the tree.
    async fn level(&self) -> RegionLevel {
        self.0.level.into()
    }

    /// 版本 — Record version, for `expectedVersion` on updates.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// 上级区域 — The parent region.
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Region>> {
        let Some(parent) = &self.0.parent_id else { return Ok(None) };
        let found = ctx.scope()?.loaders.region.load_one(parent.clone()).await.map_err(loader_error)?;
        Ok(found.map(Region))
    }

    /// 下级区域 — Child regions, by code.
    #[graphql(complexity = "1 + 20 * child_complexity")]
    async fn children(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Region>> {
        let found = ctx.scope()?.loaders.region_children.load_one(self.0.id.clone()).await.map_err(loader_error)?;
        Ok(found.unwrap_or_default().into_iter().map(Region).collect())
    }

    /// 本区域方案 — Plans of this region that the caller may see.
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
        let filter = filter.unwrap_or_default().into_service(ctx).await?;
        let (field, direction) = order_by.unwrap_or_default().into_service();
        let spec = plans::sort(field, direction);
        let loader = &ctx.scope()?.loaders.plans_by_region;
        let key = (filter, field, direction);
        load_page(ctx, loader, &self.0.id, key, page_args(first, after, last, before), &spec, Plan).await
    }
}

/// 区域筛选 — Which regions a list returns.
#[derive(InputObject, Default)]
pub struct RegionFilter {
    /// 名称包含 — Substring of the Chinese or English name. At most 200 characters (BAD_USER_INPUT beyond).
    #[graphql(validator(custom = "crate::graphql::types::common::check_search"))]
    pub search: Option<String>,
    /// 上级区域 — Only children of this region.
    pub parent_id: Option<ID>,
    /// 行政区划代码 — Only the region with this code.
    pub code: Option<String>,
    /// 仅顶层 — Only regions without a parent.
    #[graphql(default)]
    pub roots_only: bool,
}

/// 区域排序 — Order of a region list.
#[derive(InputObject, Default)]
pub struct RegionOrderBy {
    /// 排序字段 — Sort field.
    #[graphql(default)]
    pub field: RegionOrderField,
    /// 方向 — Direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl RegionOrderBy {
    /// The sort field and direction in the service's terms.
    pub fn into_service(self) -> (regions::RegionOrderField, Direction) {
        (self.field.into(), self.direction.into())
    }
}
