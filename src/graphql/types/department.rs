//! The `Department` type and its list inputs.

use super::common::{ListConnection, loader_error, nested_connection, page_args};
use super::enums::{DepartmentKind, DepartmentOrderField, OrderDirection};
use super::region::Region;
use super::task::{Task, TaskFilterInput, TaskOrderBy};
use crate::graphql::context::ContextExt;
use crate::ids::{NodeKind, to_global};
use crate::service::{Direction, departments, tasks};
use async_graphql::{Context, ID, InputObject, Object};
use entity::department;

/// An agency or responsible unit.
#[derive(Clone)]
pub struct Department(pub department::Model);

/// 单位 — An agency or responsible unit: 市发展改革委, 区工信局, 国网天津静海供电有限公司, 各乡镇园区 …
#[Object]
impl Department {
    /// 全局标识 — Opaque, stable global ID.
    pub async fn id(&self) -> ID {
        to_global(NodeKind::Department, &self.0.id)
    }

    /// 规范名称 — Canonical name, qualified by its region where the documents abbreviate it (静海区发展改革委).
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// 别名 — Other spellings found in the documents (区发改委, 区发展改革委 …).
    async fn aliases(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        let found = ctx.scope()?.loaders.department_aliases.load_one(self.0.id.clone()).await.map_err(loader_error)?;
        Ok(found.unwrap_or_default())
    }

    /// 类型 — Kind of unit.
    async fn kind(&self) -> DepartmentKind {
        self.0.kind.into()
    }

    /// 版本 — Record version, for `expectedVersion` on updates.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// 所属区域 — The region the unit belongs to; its jurisdiction is this region and everything under it.
    async fn region(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Region>> {
        let found = ctx.scope()?.loaders.region.load_one(self.0.region_id.clone()).await.map_err(loader_error)?;
        Ok(found.map(Region))
    }

    /// 上级单位 — The parent unit, if recorded.
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Department>> {
        let Some(parent) = &self.0.parent_id else { return Ok(None) };
        let found = ctx.scope()?.loaders.department.load_one(parent.clone()).await.map_err(loader_error)?;
        Ok(found.map(Department))
    }

    /// 承担任务 — Tasks this unit is assigned to (as LEAD or SUPPORT) that the caller may see.
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
        let rows = ctx
            .scope()?
            .loaders
            .tasks_by_department
            .load_one((self.0.id.clone(), filter))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        let spec = tasks::sort(field, direction);
        nested_connection(ctx, rows, &spec, &page_args(first, after, last, before), Task)
    }
}

/// 单位筛选 — Which departments a list returns.
#[derive(InputObject, Default)]
pub struct DepartmentFilter {
    /// 名称或别名包含 — Substring of the name or of any alias. At most 200 characters (BAD_USER_INPUT beyond).
    #[graphql(validator(custom = "crate::graphql::types::common::check_search"))]
    pub search: Option<String>,
    /// 区域 — Units of this region or any region under it.
    pub region_id: Option<ID>,
    /// 行政区划代码 — Units of the region with this code or under it.
    pub region_code: Option<String>,
    /// 类型 — Kind of unit.
    pub kind: Option<DepartmentKind>,
}

/// 单位排序 — Order of a department list.
#[derive(InputObject, Default)]
pub struct DepartmentOrderBy {
    /// 排序字段 — Sort field.
    #[graphql(default)]
    pub field: DepartmentOrderField,
    /// 方向 — Direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl DepartmentOrderBy {
    /// The sort field and direction in the service's terms.
    pub fn into_service(self) -> (departments::DepartmentOrderField, Direction) {
        (self.field.into(), self.direction.into())
    }
}
