//! Spreadsheet uploads, as XLSX (its first sheet) or CSV (UTF-8, a byte-order
//! mark allowed), sent as the request body. A dry run unless `?apply=true`; the
//! answer is the per-row report of `service::imports` as JSON.
//!
//! - `POST /import/actuals`: a statistics upload (indicator actuals). Its
//!   header row names the columns 指标ID (or `indicator`), 期间 (`period`),
//!   数值 (`value`) and 状态 (`status`), and may also name 备注 (`note`) and
//!   更正原因 (`reason`).
//! - `POST /import/plans/{plan ID}/tasks`: a task split table into that plan.
//!   Its header row names 序号 (`code`), 重点任务 (`title`), 牵头单位 (`lead`)
//!   and 配合单位 (`support`), and may also name 完成时限 (`due`) — the layout
//!   `GET /export/plans/{plan ID}/tasks.xlsx` writes.
//!
//! A sheet may start with title rows; its header row is the first that names
//! the required columns. Rows below it are data; empty rows are skipped.
//!
//! The caller must bring a token (401 without); each row is then written
//! under its rights. Refusals have the JSON error shape of `/graphql`.

use super::response::{authorization, caller_refusal, read_body};
use crate::auth::Authenticator;
use crate::db::Writer;
use crate::ids::{NodeKind, from_global};
use crate::service::imports;
use crate::service::imports::sheet::{actual_rows, read_sheet, task_rows};
use crate::service::imports::tasks::import_task_table;
use actix_web::{HttpRequest, HttpResponse, web};
use sea_orm::DatabaseConnection;
use tracing_actix_web::RequestId;

/// Largest upload accepted: a year of monthly figures for every indicator of a district fits.
pub const MAX_UPLOAD_BYTES: usize = 4 * 1024 * 1024;

/// Registers the import routes, rate limited like `/graphql`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/import/actuals")
            .wrap(actix_web::middleware::from_fn(super::rate_limit::limit))
            .route(web::post().to(upload)),
    )
    .service(
        web::resource("/import/plans/{plan}/tasks")
            .wrap(actix_web::middleware::from_fn(super::rate_limit::limit))
            .route(web::post().to(upload_tasks)),
    );
}

/// `?apply=true` writes the rows; anything else is a dry run.
#[derive(serde::Deserialize)]
struct Mode {
    #[serde(default)]
    apply: bool,
}

async fn upload(
    http: HttpRequest,
    mode: web::Query<Mode>,
    payload: web::Payload,
    db: web::Data<DatabaseConnection>,
    writer: web::Data<Writer>,
    authenticator: web::Data<Authenticator>,
    request_id: RequestId,
) -> HttpResponse {
    // Over the limit: 413 in the JSON error shape, before the body is read whole.
    let body = match read_body(&http, payload, MAX_UPLOAD_BYTES).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let answer = async {
        let viewer = authenticator.viewer(db.get_ref(), authorization(&http)?).await?;
        let actor = viewer.actor(Some(request_id.to_string()))?;
        let rows = actual_rows(&read_sheet(&body)?)?;
        imports::import_actuals(writer.get_ref(), &viewer, &actor, rows, mode.apply).await
    };
    match answer.await {
        Ok(report) => HttpResponse::Ok().json(report),
        Err(error) => caller_refusal(&http, error),
    }
}

// Each argument is an actix-web extractor: the handler's inputs, not a call site's burden.
#[allow(clippy::too_many_arguments)]
async fn upload_tasks(
    http: HttpRequest,
    plan: web::Path<String>,
    mode: web::Query<Mode>,
    payload: web::Payload,
    db: web::Data<DatabaseConnection>,
    writer: web::Data<Writer>,
    authenticator: web::Data<Authenticator>,
    request_id: RequestId,
) -> HttpResponse {
    let body = match read_body(&http, payload, MAX_UPLOAD_BYTES).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let answer = async {
        let viewer = authenticator.viewer(db.get_ref(), authorization(&http)?).await?;
        let actor = viewer.actor(Some(request_id.to_string()))?;
        let plan_id = from_global(NodeKind::Plan, &plan, "plan")?;
        let rows = task_rows(&read_sheet(&body)?)?;
        import_task_table(writer.get_ref(), &viewer, &actor, &plan_id, rows, mode.apply).await
    };
    match answer.await {
        Ok(report) => HttpResponse::Ok().json(report),
        Err(error) => caller_refusal(&http, error),
    }
}
