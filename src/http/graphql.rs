//! `POST /graphql` and `GET /graphql`: GraphQL over HTTP.
//!
//! The caller is established before anything executes: no `Authorization`
//! header is the anonymous viewer; a refused token or malformed header
//! answers the whole request 401 with a GraphQL-shaped body
//! `{"errors":[{"message":…,"extensions":{"code":"UNAUTHENTICATED"}}]}`.

use crate::auth::Authenticator;
use crate::config::Limits;
use crate::error::AppError;
use crate::graphql::AppSchema;
use crate::graphql::context::RequestScope;
use crate::http::metrics::Observation;
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use actix_web::{Either, HttpRequest, HttpResponse, web};
use async_graphql_actix_web::GraphQLResponse;
use sea_orm::DatabaseConnection;
use tracing_actix_web::RequestId;

/// Registers the GraphQL endpoint.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            // Rate limiting (src/http/rate_limit.rs): before the body is read or anything runs.
            .wrap(actix_web::middleware::from_fn(super::rate_limit::limit))
            .route(web::post().to(execute))
            .route(web::get().guard(actix_web::guard::Header("upgrade", "websocket")).to(super::subscriptions::serve))
            .route(web::get().to(execute)),
    )
    .route("/schema.graphql", web::get().to(sdl));
}

/// The served schema in SDL: the contract, as committed in `schema.graphql`.
async fn sdl(schema: web::Data<AppSchema>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(crate::graphql::schema_text::sdl(schema.get_ref()))
}

/// Executes a GraphQL request (or batch) as the caller.
async fn execute(
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    authenticator: web::Data<Authenticator>,
    limits: web::Data<Limits>,
    request_id: RequestId,
    http: HttpRequest,
    payload: web::Payload,
) -> Either<GraphQLResponse, HttpResponse> {
    let mut request = match read_request(&http, payload, limits.max_body_bytes).await {
        Ok(request) => request,
        Err((status, error)) => {
            let mut response = refusal(error);
            *response.status_mut() = status;
            return Either::Right(response);
        }
    };
    // Metrics (src/http/metrics.rs): labels each operation and times the request; outcomes recorded below.
    let observation = Observation::start(&http, &mut request);
    let viewer = match authorization(&http) {
        Ok(header) => authenticator.viewer(db.get_ref(), header).await,
        Err(error) => Err(error),
    };
    let viewer = match viewer {
        Ok(viewer) => viewer,
        Err(error) => {
            observation.refused(error.code());
            return Either::Right(refusal(error));
        }
    };
    if let async_graphql::BatchRequest::Batch(operations) = &request
        && operations.len() > limits.max_batch
    {
        let error = AppError::bad_input(
            "batch",
            format!("the batch holds {} operations; the limit is {}", operations.len(), limits.max_batch),
        );
        observation.refused(error.code());
        return Either::Right(refusal(error));
    }
    let scope = std::sync::Arc::new(RequestScope::new(db.get_ref().clone(), viewer, limits.batch_window()));
    let mut request = request.data(scope).data(request_id);
    if http.method() == actix_web::http::Method::GET {
        request = request.data(crate::graphql::limits::ReadOnlyTransport);
    }
    let response = schema.execute_batch(request).await;
    observation.executed(&response);
    Either::Left(response.into())
}

/// Reads the GraphQL request from the query string (GET) or a JSON body
/// (POST), refusing bodies over `max_body_bytes` before reading them whole.
async fn read_request(
    http: &HttpRequest,
    mut payload: web::Payload,
    max_body_bytes: usize,
) -> Result<async_graphql::BatchRequest, (StatusCode, AppError)> {
    use futures_util::StreamExt;
    let bad = |message: String| (StatusCode::BAD_REQUEST, AppError::bad_input("request", message));
    if http.method() == actix_web::http::Method::GET {
        return async_graphql::http::parse_query_string(http.query_string())
            .map(async_graphql::BatchRequest::Single)
            .map_err(|e| bad(format!("invalid GraphQL GET request: {e}")));
    }
    let too_large = || {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            AppError::bad_input("request", format!("the request body exceeds the limit of {max_body_bytes} bytes")),
        )
    };
    let declared = http
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max_body_bytes) {
        return Err(too_large());
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| bad(format!("cannot read the request body: {e}")))?;
        if body.len() + chunk.len() > max_body_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice::<async_graphql::BatchRequest>(&body).map_err(|e| {
        bad(format!(
            "the body must be a GraphQL request in JSON ({{\"query\": …, \"variables\": …}}) or a list of them: {e}"
        ))
    })
}

/// The request's one `Authorization` header value, if any.
fn authorization(http: &HttpRequest) -> Result<Option<&str>, AppError> {
    let mut values = http.headers().get_all(AUTHORIZATION);
    let Some(value) = values.next() else { return Ok(None) };
    if values.next().is_some() {
        return Err(AppError::Unauthenticated("more than one Authorization header".into()));
    }
    value
        .to_str()
        .map(Some)
        .map_err(|_| AppError::Unauthenticated("malformed Authorization header: expected `Bearer <token>`".into()))
}

/// The answer to a request whose caller could not be established: 401 for a
/// refused token, 503/500 when the store failed; nothing was executed.
fn refusal(error: AppError) -> HttpResponse {
    let status = match &error {
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::ServiceUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::BadUserInput { .. } => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let code = error.code();
    // Logs internal causes; the message shown is the safe one.
    let message = error.into_graphql().message;
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    let mut response = HttpResponse::build(status);
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header((WWW_AUTHENTICATE, r#"Bearer error="invalid_token""#));
    }
    response.json(body)
}
