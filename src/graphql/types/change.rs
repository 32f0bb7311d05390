//! The `Change` type: one entry of the audit trail and change feed.

use super::common::{JsonValue, loader_error};
use super::department::Department;
use super::enums::{ChangeAction, ChangeEntity};
use super::plan::Plan;
use crate::graphql::context::ContextExt;
use crate::ids::{NodeKind, to_global};
use crate::service::changes::{self, Reference};
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::change;
use std::collections::HashSet;
use std::sync::Arc;

/// One committed mutation, and (when the shared feed reader delivers it) the
/// referenced records its reader may see.
#[derive(Clone)]
pub struct Change(pub change::Model, pub Option<Arc<HashSet<String>>>);

/// The node kind whose global ID names a changed record (see [`changes::node_kind`]).
fn kind_of(entity: &str) -> Option<NodeKind> {
    changes::node_kind(entity)
}

/// A stored payload as the caller may read it: each reference to a plan,
/// task or indicator the caller may not see is replaced by null (the
/// loaders apply the one read condition of [`crate::access`]).
///
/// `known_visible`, when given, is the set of referenced IDs the caller may
/// see, worked out once for all subscribers of its kind by the shared feed
/// reader; without it each reference is looked up through the loaders.
async fn redacted(
    ctx: &Context<'_>,
    entity: &str,
    payload: Option<&str>,
    known_visible: Option<&HashSet<String>>,
) -> async_graphql::Result<Option<JsonValue>> {
    let Some(mut value) = payload.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok()) else {
        return Ok(None);
    };
    let scope = ctx.scope()?;
    if scope.viewer.is_admin() {
        return Ok(Some(JsonValue(value)));
    }
    for (key, kind) in changes::references_of_stored(entity) {
        let Some(id) = value.get(*key).and_then(|v| v.as_str()).map(str::to_owned) else { continue };
        let visible = match (known_visible, kind) {
            (Some(known), _) => known.contains(&id),
            (None, Reference::Plan) => scope.loaders.plan.load_one(id).await.map_err(loader_error)?.is_some(),
            (None, Reference::Task) => scope.loaders.task.load_one(id).await.map_err(loader_error)?.is_some(),
            (None, Reference::Indicator) => scope.loaders.indicator.load_one(id).await.map_err(loader_error)?.is_some(),
        };
        if !visible && let Some(field) = value.get_mut(*key) {
            *field = serde_json::Value::Null;
        }
    }
    Ok(Some(JsonValue(value)))
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

    /// 变更前 — The record before the change (null for creations). A reference to a record the caller may not
    /// read is null.
    async fn before(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<JsonValue>> {
        redacted(ctx, &self.0.entity, self.0.before.as_deref(), self.1.as_deref()).await
    }

    /// 变更后 — The record after the change (null for deletions). A reference to a record the caller may not
    /// read is null.
    async fn after(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<JsonValue>> {
        redacted(ctx, &self.0.entity, self.0.after.as_deref(), self.1.as_deref()).await
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
    /// 对象类型 — Only changes of this kind of record.
    pub entity: Option<ChangeEntity>,
    /// 操作 — Only changes with this action.
    pub action: Option<ChangeAction>,
    /// 对象 — Global ID of the changed record.
    pub id: Option<ID>,
    /// 操作单位 — Changes made by this department.
    pub department_id: Option<ID>,
    /// 方案 — Changes of records of this plan.
    pub plan_id: Option<ID>,
    /// 起始时间 — Changes at or after this time.
    pub since: Option<DateTime<Utc>>,
}
