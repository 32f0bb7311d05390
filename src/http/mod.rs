//! HTTP routes: GraphQL, GraphiQL, the dashboard and reporting pages, spreadsheet export and import, health and readiness, metrics; rate limiting;
//! CORS (`cors`);
//! the media types and error shape of `/graphql` answers (`response`).

pub mod cors;
pub mod dashboard;
mod export;
pub mod graphiql;
mod graphql;
mod health;
mod imports;
pub mod metrics;
pub mod rate_limit;
pub mod response;
mod static_assets;
pub mod subscriptions;

use actix_web::web;

/// Registers every route of xietong.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(graphql::configure)
        .configure(graphiql::configure)
        .configure(dashboard::configure)
        .configure(export::configure)
        .configure(imports::configure)
        .configure(health::configure)
        .configure(metrics::configure);
}
