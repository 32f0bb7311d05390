//! The webhook types: endpoints, their deliveries and each delivery's attempts.

use super::change::Change;
use super::common::{ListConnection, connection, loader_error, page_args, wants_total};
use super::department::Department;
use super::enums::{ChangeAction, ChangeEntity, Role, WebhookDeliveryStatus, WebhookEndpointStatus};
use super::plan::Plan;
use crate::auth::claims::parse_role;
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::ids::{NodeKind, to_global};
use crate::service::audit::{AuditAction, AuditEntity};
use crate::service::changes::{self, ChangeFilter};
use crate::service::page;
use crate::service::webhooks::{DeliveryStatus, EndpointStatus, history};
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, TimeZone, Utc};
use entity::{webhook_attempt, webhook_delivery, webhook_endpoint};

/// A registered endpoint.
#[derive(Clone)]
pub struct WebhookEndpoint(pub webhook_endpoint::Model);

/// 回调端点 — An agency system's webhook: xietong POSTs each change its identity may see, signed to the Standard
/// Webhooks specification, in order, at least once.
#[Object]
impl WebhookEndpoint {
    /// 全局标识 — Opaque global ID.
    pub async fn id(&self) -> ID {
        to_global(NodeKind::WebhookEndpoint, &self.0.id)
    }

    /// 地址 — The URL changes are POSTed to.
    async fn url(&self) -> &str {
        &self.0.url
    }

    /// 身份单位 — The department the endpoint acts as: it receives what a token of this department and `role` may read.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Department>> {
        let id = self.0.department_id.clone();
        Ok(ctx.scope()?.loaders.department.load_one(id).await.map_err(loader_error)?.map(Department))
    }

    /// 身份角色 — The role the endpoint acts as.
    async fn role(&self) -> Option<Role> {
        parse_role(&self.0.role).ok().map(Into::into)
    }

    /// 方案筛选 — Only changes of records of this plan (null: every plan), if the caller may see it.
    async fn plan(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Plan>> {
        let Some(id) = &self.0.filter_plan_id else { return Ok(None) };
        Ok(ctx.scope()?.loaders.plan.load_one(id.clone()).await.map_err(loader_error)?.map(Plan))
    }

    /// 对象类型筛选 — Only changes of this kind of record (null: every kind).
    async fn entity(&self) -> Option<ChangeEntity> {
        self.0.filter_entity.as_deref().and_then(AuditEntity::parse).map(Into::into)
    }

    /// 操作筛选 — Only changes with this action (null: every action).
    async fn action(&self) -> Option<ChangeAction> {
        self.0.filter_action.as_deref().and_then(AuditAction::parse).map(Into::into)
    }

    /// 状态 — ACTIVE, FAILING or DISABLED.
    async fn status(&self) -> WebhookEndpointStatus {
        EndpointStatus::parse(&self.0.status).into()
    }

    /// 已投递序号 — Sequence number of the last change delivered or passed over (not visible or not wanted).
    async fn delivered_through_sequence(&self) -> i64 {
        self.0.cursor
    }

    /// 连续失败 — Failed attempts in a row at the next change.
    async fn consecutive_failures(&self) -> i32 {
        self.0.failures
    }

    /// 下次尝试 — When the next attempt is due after a failure (null: as soon as a change commits).
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.next_attempt_ms > 0).then(|| Utc.timestamp_millis_opt(self.0.next_attempt_ms).single()).flatten()
    }

    /// 旧密钥到期 — Until when the secret replaced by the last rotation still signs (a second signature).
    async fn previous_secret_expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.previous_secret_expires_at.filter(|until| *until > Utc::now())
    }

    /// 创建时间 — When the endpoint was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// 版本 — Raised by every change of the registration (not by deliveries).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// 投递记录 — Deliveries to this endpoint, by change sequence number (`last: N` gives the latest).
    #[graphql(complexity = "crate::graphql::types::common::page_cost(first, last, child_complexity)")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "状态 — Only deliveries in this state.")] status: Option<WebhookDeliveryStatus>,
        #[graphql(desc = "前N条 — The first N items after `after`.")] first: Option<i32>,
        #[graphql(desc = "之后 — Cursor: the items after this one.")] after: Option<String>,
        #[graphql(desc = "后N条 — The last N items before `before`.")] last: Option<i32>,
        #[graphql(desc = "之前 — Cursor: the items before this one.")] before: Option<String>,
    ) -> async_graphql::Result<ListConnection<WebhookDelivery>> {
        let state = ctx.state()?;
        let viewer = &ctx.scope()?.viewer;
        let args = page_args(first, after, last, before);
        let status = status.map(DeliveryStatus::from);
        let (found, query) =
            history::deliveries(&state.db, viewer, &self.0.id, status, &args, state.limits.max_page_size)
                .await
                .gql()?;
        let total = if wants_total(ctx) { page::count(&state.db, query).await.gql()? } else { 0 };
        Ok(connection(found, total, WebhookDelivery))
    }
}

/// The delivery of one change to one endpoint.
#[derive(Clone)]
pub struct WebhookDelivery(pub webhook_delivery::Model);

/// 投递 — One change's message to one endpoint and how its attempts went.
#[Object]
impl WebhookDelivery {
    /// 全局标识 — Opaque global ID.
    pub async fn id(&self) -> ID {
        to_global(NodeKind::WebhookDelivery, &self.0.id)
    }

    /// 消息标识 — The `webhook-id` header: the same for every attempt and re-send of this message.
    async fn message_id(&self) -> &str {
        &self.0.id
    }

    /// 序号 — Sequence number of the change delivered.
    async fn sequence(&self) -> i64 {
        self.0.seq
    }

    /// 变更 — The change delivered, if the caller may see it.
    async fn change(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Change>> {
        let state = ctx.state()?;
        let viewer = &ctx.scope()?.viewer;
        let found = changes::next_batch(&state.db, viewer, &ChangeFilter::default(), self.0.seq - 1, 1).await.gql()?;
        Ok(found.into_iter().find(|c| c.seq == self.0.seq).map(|c| Change(c, None)))
    }

    /// 状态 — DELIVERED or RETRYING.
    async fn status(&self) -> WebhookDeliveryStatus {
        DeliveryStatus::parse(&self.0.status).into()
    }

    /// 尝试次数 — Attempts so far (re-sends included).
    async fn attempt_count(&self) -> i32 {
        self.0.attempts
    }

    /// 响应码 — HTTP status of the last answer (null: no answer).
    async fn last_status_code(&self) -> Option<i32> {
        self.0.last_status_code
    }

    /// 耗时 — Milliseconds the last attempt took.
    async fn last_latency_ms(&self) -> Option<i64> {
        self.0.last_latency_ms
    }

    /// 错误 — Why the last attempt failed (a timeout, a refused connection, a non-2xx answer).
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    /// 下次尝试 — When the next attempt is due, while RETRYING.
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        if DeliveryStatus::parse(&self.0.status) == DeliveryStatus::Retrying { self.0.next_attempt_at } else { None }
    }

    /// 首次尝试 — When the first attempt was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// 送达时间 — When the receiver first answered 2xx.
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }

    /// 尝试记录 — Every attempt, oldest first.
    async fn attempts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<WebhookAttempt>> {
        let found = history::attempts(&ctx.state()?.db, &self.0.id).await.gql()?;
        Ok(found.into_iter().map(WebhookAttempt).collect())
    }
}

/// One HTTP attempt.
#[derive(Clone)]
pub struct WebhookAttempt(pub webhook_attempt::Model);

/// 投递尝试 — One POST of a delivery.
#[Object]
impl WebhookAttempt {
    /// 时间 — When it was made.
    async fn attempted_at(&self) -> DateTime<Utc> {
        self.0.attempted_at
    }

    /// 成功 — Whether the receiver answered 2xx within the timeout.
    async fn succeeded(&self) -> bool {
        self.0.succeeded
    }

    /// 响应码 — The receiver's HTTP status (null: no answer).
    async fn status_code(&self) -> Option<i32> {
        self.0.status_code
    }

    /// 耗时 — Milliseconds from sending to the end of the answer or the failure.
    async fn latency_ms(&self) -> i64 {
        self.0.latency_ms
    }

    /// 错误 — Why it failed.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
}
