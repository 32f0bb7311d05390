//! The `Viewer` type: who the caller is and what they may do.

use super::common::loader_error;
use super::department::Department;
use super::enums::Role;
use super::region::Region;
use crate::access::{self, Viewer};
use crate::graphql::context::ContextExt;
use async_graphql::{Context, Enum, Object};

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
        self.0.identity.as_ref().map(|i| i.role.into())
    }

    /// 所属单位 — The caller's department.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Department>> {
        let Some(identity) = &self.0.identity else { return Ok(None) };
        let found =
            ctx.scope()?.loaders.department.load_one(identity.department_id.clone()).await.map_err(loader_error)?;
        Ok(found.map(Department))
    }

    /// 管辖范围 — The caller's region and every region under it (empty when anonymous).
    #[graphql(complexity = "1 + 20 * child_complexity")]
    async fn jurisdiction(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Region>> {
        let Some(identity) = &self.0.identity else { return Ok(Vec::new()) };
        let found =
            ctx.scope()?.loaders.region.load_many(identity.jurisdiction.iter().cloned()).await.map_err(loader_error)?;
        let mut regions: Vec<Region> = found.into_values().map(Region).collect();
        regions.sort_by(|a, b| a.0.code.cmp(&b.0.code).then_with(|| a.0.name.cmp(&b.0.name)));
        Ok(regions)
    }

    /// 权限 — What the caller may do; the server enforces these on every path.
    async fn permissions(&self) -> Vec<Permission> {
        use Permission::*;
        match self.0.identity.as_ref().map(|i| i.role) {
            None => vec![ReadPublic],
            Some(access::Role::Reader) => vec![ReadPublic, ReadShared],
            Some(access::Role::Bureau) => vec![ReadPublic, ReadShared, ReportProgress, RecordActuals],
            Some(access::Role::Coordinator) => {
                vec![ReadPublic, ReadShared, ReportProgress, RecordActuals, ManagePlans, GrantAccess]
            }
            Some(access::Role::Admin) => vec![
                ReadPublic,
                ReadShared,
                ReadAll,
                ReportProgress,
                RecordActuals,
                ManagePlans,
                GrantAccess,
                ManageReferenceData,
                RevokeTokens,
            ],
        }
    }
}

/// 权限 — Something a caller may do.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Permission {
    /// 读取主动公开数据 — read PUBLIC records.
    ReadPublic,
    /// 读取共享数据 — read UNCONDITIONAL records, CONDITIONAL ones in the jurisdiction, assigned or granted.
    ReadShared,
    /// 读取全部数据 — read everything, NOT_SHARED included.
    ReadAll,
    /// 报告进展 — report progress on assigned tasks (only a LEAD closes a task).
    ReportProgress,
    /// 填报实际值 — record actuals of the indicators of assigned tasks.
    RecordActuals,
    /// 管理方案 — manage plans, tasks, assignments, indicators and targets inside the jurisdiction.
    ManagePlans,
    /// 授权访问 — grant access to CONDITIONAL plans of the jurisdiction.
    GrantAccess,
    /// 管理基础数据 — manage regions and departments.
    ManageReferenceData,
    /// 吊销令牌 — revoke tokens.
    RevokeTokens,
}
