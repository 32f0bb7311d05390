//! `/healthz` (the process is alive) and `/readyz` (the database answers).

use actix_web::{HttpResponse, web};
use sea_orm::DatabaseConnection;

/// Registers the health routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz)).route("/readyz", web::get().to(readyz));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

async fn readyz(db: web::Data<DatabaseConnection>) -> HttpResponse {
    if crate::db::ping(&db).await {
        HttpResponse::Ok().json(serde_json::json!({ "status": "ready" }))
    } else {
        HttpResponse::ServiceUnavailable().json(serde_json::json!({ "status": "database unavailable" }))
    }
}
