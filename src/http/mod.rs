//! HTTP routes: GraphQL, GraphiQL, spreadsheet export and import, health and readiness, metrics; rate limiting;
//! CORS (`cors`);
//! the media types and error shape of `/graphql` answers (`response`).

pub mod cors;
mod export;
pub mod graphiql;
mod graphql;
mod health;
mod imports;
pub mod metrics;
pub mod rate_limit;
pub mod response;
pub mod subscriptions;

use actix_web::web;

/// Registers every route of xietong.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(graphql::configure)
        .configure(graphiql::configure)
        .configure(export::configure)
        .configure(imports::configure)
        .configure(health::configure)
        .configure(metrics::configure);
}
