//! The `Change` type: one entry of the audit trail and change feed.

use super::common::{JsonValue, loader_error};
use super::department::Department;
use super::plan::Plan;
use crate::graphql::context::ContextExt;
use crate::ids::{NodeKind, to_global};
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::change;

/// One committed mutation.
#[derive(Clone)]
pub struct Change(pub change::Model);

fn kind_of(entity: &str) -> Option<NodeKind> {
    Some(match entity {
        "Plan" => NodeKind::Plan,
        "Task" => NodeKind::Task,
        "Indicator" => NodeKind::Indicator,
        "Target" => NodeKind::IndicatorTarget,
        "Actual" => NodeKind::IndicatorActual,
        "ProgressReport" => NodeKind::ProgressReport,
        "Assignment" => NodeKind::TaskAssignment,
        "Region" => NodeKind::Region,
        "Department" => NodeKind::Department,
        "DepartmentAlias" => NodeKind::DepartmentAlias,
        _ => return None,
    })
}

/// 变更记录 — One committed mutation: who, what, when, before and after. Append-only and hash-chained.
#[Object]
impl Change {
    /// 全局标识 — Opaque global ID of this change; `node(id)` fetches it again.
    pub async fn id(&self) -> ID {
        to_global(NodeKind::Change, &self.0.id)
    }

    /// 序号 — Position in the total order of committed changes (1, 2, 3 … without gaps).
    async fn sequence(&self) -> i64 {
        self.0.seq
    }

    /// 发生时间 — When the change was committed.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }

    /// 操作主体 — Token subject of the caller.
    async fn actor_subject(&self) -> &str {
        &self.0.actor_subject
    }

    /// 调用系统 — Calling system named in the token.
    async fn actor_client(&self) -> Option<&str> {
        self.0.actor_client.as_deref()
    }

    /// 操作角色 — Role of the caller.
    async fn actor_role(&self) -> &str {
        &self.0.actor_role
    }

    /// 操作单位 — Department of the caller.
    async fn actor_department(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Department>> {
        let Some(id) = &self.0.actor_department_id else { return Ok(None) };
        let found = ctx.scope()?.loaders.department.load_one(id.clone()).await.map_err(loader_error)?;
        Ok(found.map(Department))
    }

    /// 对象类型 — Entity type: Plan, Task, Assignment, Indicator, Target, Actual, ProgressReport, Region, Department …
    async fn entity(&self) -> &str {
        &self.0.entity
    }

    /// 对象标识 — Global ID of the changed record.
    async fn entity_id(&self) -> ID {
        match kind_of(&self.0.entity) {
            Some(kind) => to_global(kind, &self.0.entity_id),
            None => ID(self.0.entity_id.clone()),
        }
    }

    /// 操作 — CREATE, UPDATE, MOVE, ARCHIVE, DELETE, REPORT_PROGRESS, RECORD_ACTUAL, REVISE_ACTUAL …
    async fn action(&self) -> &str {
        &self.0.action
    }

    /// 变更前 — The record before the change (null for creations).
    async fn before(&self) -> Option<JsonValue> {
        self.0.before.as_deref().and_then(|s| serde_json::from_str(s).ok()).map(JsonValue)
    }

    /// 变更后 — The record after the change (null for deletions).
    async fn after(&self) -> Option<JsonValue> {
        self.0.after.as_deref().and_then(|s| serde_json::from_str(s).ok()).map(JsonValue)
    }

    /// 所属方案 — The plan the changed record belongs to, if visible.
    async fn plan(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Plan>> {
        let Some(id) = &self.0.plan_id else { return Ok(None) };
        let found = ctx.scope()?.loaders.plan.load_one(id.clone()).await.map_err(loader_error)?;
        Ok(found.map(Plan))
    }

    /// 请求标识 — ID of the HTTP request that made the change (also in the server log).
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// 前序哈希 — Hash of the previous change.
    async fn prev_hash(&self) -> &str {
        &self.0.prev_hash
    }

    /// 哈希 — SHA-256 over this change and `prevHash`; `xietong audit verify` recomputes the chain.
    async fn hash(&self) -> &str {
        &self.0.hash
    }
}

/// 变更筛选 — Which changes a feed returns.
#[derive(InputObject, Default)]
#[graphql(name = "ChangeFilter")]
pub struct ChangeFilterInput {
    /// 对象类型 — Entity type, e.g. `Task`.
    pub entity: Option<String>,
    /// 对象 — Global ID of the changed record.
    pub id: Option<ID>,
    /// 操作单位 — Changes made by this department.
    pub department_id: Option<ID>,
    /// 方案 — Changes of records of this plan.
    pub plan_id: Option<ID>,
    /// 起始时间 — Changes at or after this time.
    pub since: Option<DateTime<Utc>>,
}
