//! The `Grant` type: an access grant opening a CONDITIONAL plan to a department.
//!

use super::common::loader_error;
use super::department::Department;
use super::plan::Plan;
use crate::graphql::context::ContextExt;
use crate::ids::{NodeKind, to_global};
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::access_grant;

/// An access grant.
#[derive(Clone)]
pub struct Grant(pub access_grant::Model);

/// 授权 — A grant opening a CONDITIONAL plan (and its tasks and indicators that inherit its class) to a department until it expires.
#[Object]
impl Grant {
    /// 全局标识 — Opaque global ID.
    pub async fn id(&self) -> ID {
        to_global(NodeKind::AccessGrant, &self.0.id)
    }

    /// 方案 — The plan the grant opens.
    async fn plan(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Plan>> {
        let found = ctx.scope()?.loaders.plan.load_one(self.0.plan_id.clone()).await.map_err(loader_error)?;
        Ok(found.map(Plan))
    }

    /// 被授权单位 — The department that may read the plan.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Department>> {
        let id = self.0.department_id.clone();
        let found = ctx.scope()?.loaders.department.load_one(id).await.map_err(loader_error)?;
        Ok(found.map(Department))
    }

    /// 到期时间 — When the grant expires.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }

    /// 事由 — Why access was granted.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// 授权人 — Subject of the token that granted it.
    async fn granted_by(&self) -> &str {
        &self.0.granted_by
    }

    /// 授权时间 — When it was granted.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// 撤销时间 — When it was revoked; null while not revoked.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }

    /// 有效 — Whether the grant is in effect now: not revoked and not expired.
    async fn active(&self) -> bool {
        self.0.revoked_at.is_none() && self.0.expires_at > Utc::now()
    }

    /// 版本 — Record version, for `expectedVersion` on revokeGrant.
    async fn version(&self) -> i32 {
        self.0.version
    }
}
