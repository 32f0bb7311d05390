//! Webhook endpoints: registerWebhookEndpoint, enableWebhookEndpoint,
//! disableWebhookEndpoint, deleteWebhookEndpoint, rotateWebhookSecret (ADMIN,
//! or a COORDINATOR for departments of its jurisdiction) and
//! resendWebhookDelivery.

use super::write_context;
use crate::error::GqlResult;
use crate::graphql::types::common::decode_id;
use crate::graphql::types::enums::{ChangeAction, ChangeEntity, Role};
use crate::graphql::types::webhook::{WebhookDelivery, WebhookEndpoint};
use crate::ids::{NodeKind, from_global};
use crate::service::webhooks::{registry, resend};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

/// Webhook mutations.
#[derive(Default)]
pub struct WebhookMutation;

/// 注册回调端点 — Input of registerWebhookEndpoint.
#[derive(InputObject)]
pub struct RegisterWebhookEndpointInput {
    /// 地址 — An http or https URL on a host the server allows (`--webhook-allow-hosts`); any other is refused
    /// with BAD_USER_INPUT naming `input.url`.
    pub url: String,
    /// 身份单位 — The department the endpoint acts as: it receives exactly what a token of this department and
    /// `role` may read.
    pub department_id: ID,
    /// 身份角色 — The role it acts as (a COORDINATOR may not register an ADMIN endpoint).
    pub role: Role,
    /// 方案筛选 — Only changes of records of this plan.
    pub plan_id: Option<ID>,
    /// 对象类型筛选 — Only changes of this kind of record.
    pub entity: Option<ChangeEntity>,
    /// 操作筛选 — Only changes with this action.
    pub action: Option<ChangeAction>,
    /// 幂等键 — A retry with the same key returns the first result (with its secret) instead of a duplicate.
    pub idempotency_key: Option<String>,
}

/// 注册回调端点结果 — Result of registerWebhookEndpoint.
#[derive(SimpleObject)]
pub struct RegisterWebhookEndpointPayload {
    /// 回调端点 — The endpoint; it receives the changes committed from now on.
    pub endpoint: WebhookEndpoint,
    /// 签名密钥 — `whsec_…`, shown only here: receivers verify `webhook-signature` with it.
    pub secret: String,
}

/// Input and payload types of the mutations that act on one endpoint.
macro_rules! endpoint_operation {
    ($input:ident, $payload:ident, $input_doc:literal, $payload_doc:literal) => {
        #[doc = $input_doc]
        #[derive(InputObject)]
        pub struct $input {
            /// 回调端点 — The endpoint.
            pub id: ID,
            /// 期望版本 — The version the change is based on; a stale version is refused with CONFLICT.
            pub expected_version: Option<i32>,
        }

        #[doc = $payload_doc]
        #[derive(SimpleObject)]
        pub struct $payload {
            /// 回调端点 — The endpoint.
            pub endpoint: WebhookEndpoint,
        }
    };
}

endpoint_operation!(
    EnableWebhookEndpointInput,
    EnableWebhookEndpointPayload,
    "启用回调端点 — Input of enableWebhookEndpoint.",
    "启用回调端点结果 — Result of enableWebhookEndpoint."
);
endpoint_operation!(
    DisableWebhookEndpointInput,
    DisableWebhookEndpointPayload,
    "停用回调端点 — Input of disableWebhookEndpoint.",
    "停用回调端点结果 — Result of disableWebhookEndpoint."
);

/// 删除回调端点 — Input of deleteWebhookEndpoint.
#[derive(InputObject)]
pub struct DeleteWebhookEndpointInput {
    /// 回调端点 — The endpoint.
    pub id: ID,
}

/// 删除回调端点结果 — Result of deleteWebhookEndpoint.
#[derive(SimpleObject)]
pub struct DeleteWebhookEndpointPayload {
    /// 已删除 — The ID of the deleted endpoint.
    pub deleted_id: ID,
}

/// 轮换密钥 — Input of rotateWebhookSecret.
#[derive(InputObject)]
pub struct RotateWebhookSecretInput {
    /// 回调端点 — The endpoint.
    pub id: ID,
    /// 重叠秒数 — How long the old secret keeps signing beside the new one (default one day, at most seven).
    #[graphql(default = 86400)]
    pub overlap_seconds: i32,
    /// 期望版本 — The version the change is based on; a stale version is refused with CONFLICT.
    pub expected_version: Option<i32>,
}

/// 轮换密钥结果 — Result of rotateWebhookSecret.
#[derive(SimpleObject)]
pub struct RotateWebhookSecretPayload {
    /// 回调端点 — The endpoint.
    pub endpoint: WebhookEndpoint,
    /// 新密钥 — The new `whsec_…` secret, shown only here.
    pub secret: String,
}

/// 重新投递 — Input of resendWebhookDelivery.
#[derive(InputObject)]
pub struct ResendWebhookDeliveryInput {
    /// 投递 — The delivery to send again.
    pub id: ID,
}

/// 重新投递结果 — Result of resendWebhookDelivery.
#[derive(SimpleObject)]
pub struct ResendWebhookDeliveryPayload {
    /// 投递 — The delivery, with the new attempt.
    pub delivery: WebhookDelivery,
}

#[Object]
impl WebhookMutation {
    /// 注册回调端点 — Registers a webhook endpoint and returns its secret, once (ADMIN, or a COORDINATOR for a
    /// department of its jurisdiction).
    async fn register_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `RegisterWebhookEndpointInput`.")]
        input: RegisterWebhookEndpointInput,
    ) -> async_graphql::Result<RegisterWebhookEndpointPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let new = registry::NewEndpoint {
            url: input.url,
            department_id: from_global(NodeKind::Department, &input.department_id, "input.departmentId").gql()?,
            role: input.role.into(),
            plan_id: decode_id(NodeKind::Plan, &input.plan_id, "input.planId").gql()?,
            entity: input.entity.map(Into::into),
            action: input.action.map(Into::into),
        };
        let allowed = &state.webhooks.settings.webhook_allow_hosts;
        let key = input.idempotency_key.as_deref();
        let created = registry::register(&state.writer, viewer, &actor, allowed, new, key).await.gql()?;
        Ok(RegisterWebhookEndpointPayload { endpoint: WebhookEndpoint(created.endpoint), secret: created.secret })
    }

    /// 启用回调端点 — Switches an endpoint on: ACTIVE again, delivering from where it stopped.
    async fn enable_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `EnableWebhookEndpointInput`.")]
        input: EnableWebhookEndpointInput,
    ) -> async_graphql::Result<EnableWebhookEndpointPayload> {
        let endpoint = set_enabled(ctx, &input.id, input.expected_version, true).await?;
        Ok(EnableWebhookEndpointPayload { endpoint })
    }

    /// 停用回调端点 — Switches an endpoint off; its cursor waits where it stopped.
    async fn disable_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `DisableWebhookEndpointInput`.")]
        input: DisableWebhookEndpointInput,
    ) -> async_graphql::Result<DisableWebhookEndpointPayload> {
        let endpoint = set_enabled(ctx, &input.id, input.expected_version, false).await?;
        Ok(DisableWebhookEndpointPayload { endpoint })
    }

    /// 删除回调端点 — Deletes an endpoint with its delivery records.
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `DeleteWebhookEndpointInput`.")]
        input: DeleteWebhookEndpointInput,
    ) -> async_graphql::Result<DeleteWebhookEndpointPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let id = from_global(NodeKind::WebhookEndpoint, &input.id, "input.id").gql()?;
        let deleted = registry::delete(&state.writer, viewer, &actor, &id).await.gql()?;
        Ok(DeleteWebhookEndpointPayload { deleted_id: crate::ids::to_global(NodeKind::WebhookEndpoint, &deleted.id) })
    }

    /// 轮换密钥 — Replaces an endpoint's secret; the old one keeps signing beside it for `overlapSeconds`.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `RotateWebhookSecretInput`.")]
        input: RotateWebhookSecretInput,
    ) -> async_graphql::Result<RotateWebhookSecretPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let id = from_global(NodeKind::WebhookEndpoint, &input.id, "input.id").gql()?;
        let overlap = u64::try_from(input.overlap_seconds).map_err(|_| {
            crate::error::AppError::bad_input("input.overlapSeconds", "must not be negative").into_graphql()
        })?;
        let overlap = std::time::Duration::from_secs(overlap);
        let rotated =
            registry::rotate_secret(&state.writer, viewer, &actor, &id, overlap, input.expected_version).await.gql()?;
        Ok(RotateWebhookSecretPayload { endpoint: WebhookEndpoint(rotated.endpoint), secret: rotated.secret })
    }

    /// 重新投递 — Sends a delivery again now (same `webhook-id`, new signature), outside the endpoint's order.
    async fn resend_webhook_delivery(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `ResendWebhookDeliveryInput`.")]
        input: ResendWebhookDeliveryInput,
    ) -> async_graphql::Result<ResendWebhookDeliveryPayload> {
        let (state, viewer, _) = write_context(ctx)?;
        let id = from_global(NodeKind::WebhookDelivery, &input.id, "input.id").gql()?;
        let delivery = resend::resend(&state.db, &state.writer, viewer, &state.webhooks, &id).await.gql()?;
        Ok(ResendWebhookDeliveryPayload { delivery: WebhookDelivery(delivery) })
    }
}

async fn set_enabled(
    ctx: &Context<'_>,
    id: &ID,
    expected_version: Option<i32>,
    enabled: bool,
) -> async_graphql::Result<WebhookEndpoint> {
    let (state, viewer, actor) = write_context(ctx)?;
    let id = from_global(NodeKind::WebhookEndpoint, id, "input.id").gql()?;
    let endpoint = registry::set_enabled(&state.writer, viewer, &actor, &id, enabled, expected_version).await.gql()?;
    Ok(WebhookEndpoint(endpoint))
}
