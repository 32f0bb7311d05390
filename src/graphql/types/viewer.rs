//! The `Viewer` type: who the caller is and what they may do.

use super::common::loader_error;
use super::department::Department;
use crate::access::{Role, Viewer};
use crate::graphql::context::ContextExt;
use async_graphql::{Context, Object};

/// The caller of the current request.
pub struct ViewerInfo(pub Viewer);

/// 当前调用方 — The caller of this request: identity, department, role and jurisdiction.
#[Object(name = "Viewer")]
impl ViewerInfo {
    /// 是否已认证 — Whether a valid token was presented.
    async fn authenticated(&self) -> bool {
        self.0.identity.is_some()
    }

    /// 主体 — Token subject (`sub`).
    async fn subject(&self) -> Option<&str> {
        self.0.identity.as_ref().map(|i| i.subject.as_str())
    }

    /// 调用系统 — Calling system (`client`), if the token names one.
    async fn client(&self) -> Option<&str> {
        self.0.identity.as_ref().and_then(|i| i.client.as_deref())
    }

    /// 角色 — Role; null when anonymous.
    async fn role(&self) -> Option<Role> {
        self.0.identity.as_ref().map(|i| i.role)
    }

    /// 所属单位 — The caller's department.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Department>> {
        let Some(identity) = &self.0.identity else { return Ok(None) };
        let found =
            ctx.scope()?.loaders.department.load_one(identity.department_id.clone()).await.map_err(loader_error)?;
        Ok(found.map(Department))
    }
}
