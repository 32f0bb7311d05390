//! Administration: createRegion, updateRegion, createDepartment, updateDepartment,
//! addDepartmentAlias, removeDepartmentAlias, revokeToken (ADMIN), and
//! grantAccess, revokeGrant (ADMIN or the owning coordinator).

use super::write_context;
use crate::error::GqlResult;
use crate::graphql::types::common::decode_id;
use crate::graphql::types::department::Department;
use crate::graphql::types::enums::{DepartmentKind, RegionLevel};
use crate::graphql::types::grant::Grant;
use crate::graphql::types::region::Region;
use crate::ids::{NodeKind, from_global};
use crate::service::writes::admin::{self, DepartmentPatch, NewDepartment, NewGrant, NewRegion, RegionPatch};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

/// Administrative mutations.
#[derive(Default)]
pub struct AdminMutation;

/// 新建区域 — Input of createRegion.
#[derive(InputObject)]
pub struct CreateRegionInput {
    /// 行政区划代码 — Six-digit GB/T 2260 code, unique; omitted for areas without one.
    pub code: Option<String>,
    /// 名称 — Chinese name.
    pub name: String,
    /// 英文名称 — English name.
    pub name_en: String,
    /// 层级 — Level in the tree.
    pub level: RegionLevel,
    /// 上级区域 — The parent region.
    pub parent_id: Option<ID>,
    /// 幂等键 — A retry with the same key returns the first result instead of a duplicate.
    pub idempotency_key: Option<String>,
}

/// 新建区域结果 — Result of createRegion.
#[derive(SimpleObject)]
pub struct CreateRegionPayload {
    /// 区域 — The region.
    pub region: Region,
}

/// 修改区域 — Input of updateRegion; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateRegionInput {
    /// 区域 — The region.
    pub id: ID,
    /// 期望版本 — The version the change is based on; a stale version is refused with CONFLICT.
    pub expected_version: i32,
    /// 行政区划代码 — Six-digit GB/T 2260 code, unique.
    pub code: Option<String>,
    /// 名称 — Chinese name.
    pub name: Option<String>,
    /// 英文名称 — English name.
    pub name_en: Option<String>,
    /// 上级区域 — The parent region (not the region itself or one under it).
    pub parent_id: Option<ID>,
}

/// 修改区域结果 — Result of updateRegion.
#[derive(SimpleObject)]
pub struct UpdateRegionPayload {
    /// 区域 — The region.
    pub region: Region,
}

/// 新建单位 — Input of createDepartment.
#[derive(InputObject)]
pub struct CreateDepartmentInput {
    /// 规范名称 — Canonical name, unique within its region.
    pub name: String,
    /// 类型 — Kind of unit.
    pub kind: DepartmentKind,
    /// 所属区域 — The region.
    pub region_id: ID,
    /// 上级单位 — The parent unit.
    pub parent_id: Option<ID>,
    /// 别名 — Other spellings of the name.
    pub aliases: Option<Vec<String>>,
    /// 幂等键 — A retry with the same key returns the first result instead of a duplicate.
    pub idempotency_key: Option<String>,
}

/// 新建单位结果 — Result of createDepartment.
#[derive(SimpleObject)]
pub struct CreateDepartmentPayload {
    /// 单位 — The department.
    pub department: Department,
}

/// 修改单位 — Input of updateDepartment; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateDepartmentInput {
    /// 单位 — The department.
    pub id: ID,
    /// 期望版本 — The version the change is based on; a stale version is refused with CONFLICT.
    pub expected_version: i32,
    /// 规范名称 — Canonical name, unique within its region.
    pub name: Option<String>,
    /// 类型 — Kind of unit.
    pub kind: Option<DepartmentKind>,
    /// 所属区域 — The region.
    pub region_id: Option<ID>,
    /// 上级单位 — The parent unit (not the unit itself or one under it).
    pub parent_id: Option<ID>,
}

/// 修改单位结果 — Result of updateDepartment.
#[derive(SimpleObject)]
pub struct UpdateDepartmentPayload {
    /// 单位 — The department.
    pub department: Department,
}

/// 添加别名 — Input of addDepartmentAlias.
#[derive(InputObject)]
pub struct AddDepartmentAliasInput {
    /// 单位 — The department.
    pub department_id: ID,
    /// 别名 — Another spelling of its name, e.g. 区发改委.
    pub alias: String,
}

/// 添加别名结果 — Result of addDepartmentAlias.
#[derive(SimpleObject)]
pub struct AddDepartmentAliasPayload {
    /// 单位 — The department.
    pub department: Department,
}

/// 删除别名 — Input of removeDepartmentAlias.
#[derive(InputObject)]
pub struct RemoveDepartmentAliasInput {
    /// 单位 — The department.
    pub department_id: ID,
    /// 别名 — The alias to remove.
    pub alias: String,
}

/// 删除别名结果 — Result of removeDepartmentAlias.
#[derive(SimpleObject)]
pub struct RemoveDepartmentAliasPayload {
    /// 单位 — The department.
    pub department: Department,
}

/// 吊销令牌 — Input of revokeToken.
#[derive(InputObject)]
pub struct RevokeTokenInput {
    /// 令牌标识 — The token's `jti` claim.
    pub jti: String,
    /// 原因 — Why the token is revoked.
    pub reason: Option<String>,
}

/// 吊销令牌结果 — Result of revokeToken.
#[derive(SimpleObject)]
pub struct RevokeTokenPayload {
    /// 令牌标识 — The revoked `jti`.
    pub jti: String,
    /// 吊销时间 — When it was first revoked (revoking again keeps this time).
    pub revoked_at: DateTime<Utc>,
}

/// 授予访问 — Input of grantAccess.
#[derive(InputObject)]
pub struct GrantAccessInput {
    /// 方案 — A CONDITIONAL plan.
    pub plan_id: ID,
    /// 被授权单位 — The department that may read it.
    pub department_id: ID,
    /// 到期时间 — When the grant expires; must be in the future.
    pub expires_at: DateTime<Utc>,
    /// 事由 — Why access is granted.
    pub reason: Option<String>,
    /// 幂等键 — A retry with the same key returns the first result instead of a duplicate.
    pub idempotency_key: Option<String>,
}

/// 授予访问结果 — Result of grantAccess.
#[derive(SimpleObject)]
pub struct GrantAccessPayload {
    /// 授权 — The grant.
    pub grant: Grant,
}

/// 撤销授权 — Input of revokeGrant.
#[derive(InputObject)]
pub struct RevokeGrantInput {
    /// 授权 — The grant.
    pub id: ID,
    /// 期望版本 — The version the change is based on; a stale version is refused with CONFLICT.
    pub expected_version: Option<i32>,
}

/// 撤销授权结果 — Result of revokeGrant.
#[derive(SimpleObject)]
pub struct RevokeGrantPayload {
    /// 授权 — The grant, now revoked.
    pub grant: Grant,
}

#[Object]
impl AdminMutation {
    /// 新建区域 — Creates a region (ADMIN).
    async fn create_region(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `CreateRegionInput`.")] input: CreateRegionInput,
    ) -> async_graphql::Result<CreateRegionPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let new = NewRegion {
            code: input.code,
            name: input.name,
            name_en: input.name_en,
            level: input.level.into(),
            parent_id: decode_id(NodeKind::Region, &input.parent_id, "input.parentId").gql()?,
        };
        let key = input.idempotency_key.as_deref();
        let region = admin::create_region(&state.writer, viewer, &actor, new, key).await.gql()?;
        Ok(CreateRegionPayload { region: Region(region) })
    }

    /// 修改区域 — Updates a region at `expectedVersion` (ADMIN).
    async fn update_region(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `UpdateRegionInput`.")] input: UpdateRegionInput,
    ) -> async_graphql::Result<UpdateRegionPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let id = from_global(NodeKind::Region, &input.id, "input.id").gql()?;
        let patch = RegionPatch {
            code: input.code,
            name: input.name,
            name_en: input.name_en,
            parent_id: decode_id(NodeKind::Region, &input.parent_id, "input.parentId").gql()?,
        };
        let region =
            admin::update_region(&state.writer, viewer, &actor, &id, input.expected_version, patch).await.gql()?;
        Ok(UpdateRegionPayload { region: Region(region) })
    }

    /// 新建单位 — Creates a department with its aliases (ADMIN).
    async fn create_department(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `CreateDepartmentInput`.")]
        input: CreateDepartmentInput,
    ) -> async_graphql::Result<CreateDepartmentPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let new = NewDepartment {
            name: input.name,
            kind: input.kind.into(),
            region_id: from_global(NodeKind::Region, &input.region_id, "input.regionId").gql()?,
            parent_id: decode_id(NodeKind::Department, &input.parent_id, "input.parentId").gql()?,
            aliases: input.aliases.unwrap_or_default(),
        };
        let key = input.idempotency_key.as_deref();
        let department = admin::create_department(&state.writer, viewer, &actor, new, key).await.gql()?;
        Ok(CreateDepartmentPayload { department: Department(department) })
    }

    /// 修改单位 — Updates a department at `expectedVersion` (ADMIN).
    async fn update_department(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `UpdateDepartmentInput`.")]
        input: UpdateDepartmentInput,
    ) -> async_graphql::Result<UpdateDepartmentPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let id = from_global(NodeKind::Department, &input.id, "input.id").gql()?;
        let patch = DepartmentPatch {
            name: input.name,
            kind: input.kind.map(Into::into),
            region_id: decode_id(NodeKind::Region, &input.region_id, "input.regionId").gql()?,
            parent_id: decode_id(NodeKind::Department, &input.parent_id, "input.parentId").gql()?,
        };
        let department =
            admin::update_department(&state.writer, viewer, &actor, &id, input.expected_version, patch).await.gql()?;
        Ok(UpdateDepartmentPayload { department: Department(department) })
    }

    /// 添加别名 — Adds another spelling of a department's name (ADMIN); an existing alias changes nothing.
    async fn add_department_alias(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `AddDepartmentAliasInput`.")]
        input: AddDepartmentAliasInput,
    ) -> async_graphql::Result<AddDepartmentAliasPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let id = from_global(NodeKind::Department, &input.department_id, "input.departmentId").gql()?;
        let department = admin::add_department_alias(&state.writer, viewer, &actor, &id, &input.alias).await.gql()?;
        Ok(AddDepartmentAliasPayload { department: Department(department) })
    }

    /// 删除别名 — Removes an alias of a department (ADMIN).
    async fn remove_department_alias(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `RemoveDepartmentAliasInput`.")]
        input: RemoveDepartmentAliasInput,
    ) -> async_graphql::Result<RemoveDepartmentAliasPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let id = from_global(NodeKind::Department, &input.department_id, "input.departmentId").gql()?;
        let department =
            admin::remove_department_alias(&state.writer, viewer, &actor, &id, &input.alias).await.gql()?;
        Ok(RemoveDepartmentAliasPayload { department: Department(department) })
    }

    /// 吊销令牌 — Revokes a token by its `jti` (ADMIN); revoking it again returns the first revocation.
    async fn revoke_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `RevokeTokenInput`.")] input: RevokeTokenInput,
    ) -> async_graphql::Result<RevokeTokenPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let revoked = admin::revoke_token(&state.writer, viewer, &actor, &input.jti, input.reason).await.gql()?;
        Ok(RevokeTokenPayload { jti: revoked.jti, revoked_at: revoked.revoked_at })
    }

    /// 授予访问 — Opens a CONDITIONAL plan to a department until a time (ADMIN, or the coordinator of the plan's region).
    async fn grant_access(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `GrantAccessInput`.")] input: GrantAccessInput,
    ) -> async_graphql::Result<GrantAccessPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let new = NewGrant {
            plan_id: from_global(NodeKind::Plan, &input.plan_id, "input.planId").gql()?,
            department_id: from_global(NodeKind::Department, &input.department_id, "input.departmentId").gql()?,
            expires_at: input.expires_at,
            reason: input.reason,
        };
        let key = input.idempotency_key.as_deref();
        let grant = admin::grant_access(&state.writer, viewer, &actor, new, key).await.gql()?;
        Ok(GrantAccessPayload { grant: Grant(grant) })
    }

    /// 撤销授权 — Revokes a grant (ADMIN, or the coordinator of the plan's region); revoking twice changes nothing.
    async fn revoke_grant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `RevokeGrantInput`.")] input: RevokeGrantInput,
    ) -> async_graphql::Result<RevokeGrantPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let id = crate::ids::from_global(crate::ids::NodeKind::AccessGrant, &input.id, "input.id").gql()?;
        let grant = admin::revoke_grant(&state.writer, viewer, &actor, &id, input.expected_version).await.gql()?;
        Ok(RevokeGrantPayload { grant: Grant(grant) })
    }
}
