//! The mutation root: thin resolvers over `service::writes`.
//!
//! Each mutation takes one `…Input` object and returns a `…Payload` with the
//! changed record. Decoding IDs and enums happens here; every rule (access,
//! validation, versions, idempotency, audit) lives in the service.

mod admin;
mod imports;
mod indicators;
mod plans;
mod reports;
mod tasks;
mod webhooks;

use super::context::{AppState, ContextExt};
use crate::access::Actor;
use crate::access::Viewer;
use crate::error::GqlResult;
use async_graphql::{Context, MergedObject};

/// 变更 — Writes: plans, tasks, indicators, progress reports, actual values and administration, each audited.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    plans::PlanMutation,
    tasks::TaskMutation,
    reports::ReportMutation,
    indicators::IndicatorMutation,
    admin::AdminMutation,
    webhooks::WebhookMutation,
    imports::ImportMutation,
);

/// What every mutation resolver needs: the state, the caller and the caller as audit actor.
///
/// # Errors
/// UNAUTHENTICATED for anonymous callers: every mutation needs a token.
pub fn write_context<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<(&'a AppState, &'a Viewer, Actor)> {
    let state = ctx.state()?;
    let viewer = &ctx.scope()?.viewer;
    let request_id = ctx.data_opt::<tracing_actix_web::RequestId>().map(|id| id.to_string());
    let actor = viewer.actor(request_id).gql()?;
    Ok((state, viewer, actor))
}
