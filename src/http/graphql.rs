//! `POST /graphql` and `GET /graphql`: GraphQL over HTTP
//! (<https://graphql.github.io/graphql-over-http/draft/>).
//!
//! Contract (media types and the error shape: [`super::response`]):
//! - POST takes `Content-Type: application/json` (charset, if given, UTF-8;
//!   else 415) with a body `{"query": …, "operationName": …, "variables": …,
//!   "extensions": …}` or a non-empty list of them (a batch); `query` may be
//!   left out when `extensions.persistedQuery` names the document by its
//!   hash (see `graphql::persisted`); GET takes the
//!   same parameters in the query string (`variables` and `extensions` as
//!   JSON text) and runs queries only: a mutation is answered 405 with
//!   `Allow: POST`. Other methods are answered 405.
//! - A missing, empty or mistyped parameter, a body that is not JSON, or an
//!   empty body is answered 400; a body over the limit 413; an `Accept` with
//!   no supported type 406.
//! - The caller is established before anything executes: no `Authorization`
//!   header is the anonymous viewer; a refused token or malformed header
//!   answers the whole request 401 (`UNAUTHENTICATED`).
//! - A document that fails before execution (syntax, validation, variables,
//!   limits) is answered, with `application/graphql-response+json`, 400 and
//!   no `data`; with `application/json`, 200 and `"data": null` (legacy).
//!   An executed operation is answered 200, field errors included.

use super::response::{MediaType, authorization, caller_refusal, json_response, negotiate, read_body, refusal};
use crate::auth::Authenticator;
use crate::error::AppError;
use crate::graphql::Limits;
use crate::graphql::context::RequestScope;
use crate::graphql::{Pipeline, is_request_error};
use crate::http::metrics::Observation;
use actix_web::http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::parser::types::OperationType;
use async_graphql::{BatchRequest, BatchResponse, Executor, Response, ServerError};
use sea_orm::DatabaseConnection;
use serde::Serialize;
use serde_json::{Map, Value as Json};
use tracing_actix_web::RequestId;

/// Registers the GraphQL endpoint.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            // Rate limiting (src/http/rate_limit.rs): before the body is read or anything runs.
            .wrap(actix_web::middleware::from_fn(super::rate_limit::limit))
            .route(web::post().to(execute))
            .route(web::get().guard(actix_web::guard::Header("upgrade", "websocket")).to(super::subscriptions::serve))
            .route(web::get().to(execute))
            .default_service(web::to(method_not_allowed)),
    )
    .route("/schema.graphql", web::get().to(sdl));
}

/// The served schema in SDL: the contract, as committed in `schema.graphql`.
async fn sdl(schema: web::Data<Pipeline>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(crate::graphql::schema_text::sdl(schema.schema()))
}

/// 405 for a method `/graphql` does not serve, naming those it does.
async fn method_not_allowed(http: HttpRequest) -> HttpResponse {
    let message = format!("{} is not served here: send POST (or GET for queries)", http.method());
    let mut response = refusal(&http, StatusCode::METHOD_NOT_ALLOWED, &bad_request(message));
    response.headers_mut().insert(ALLOW, actix_web::http::header::HeaderValue::from_static("GET, POST"));
    response
}

/// A `BAD_USER_INPUT` error about the HTTP request itself.
fn bad_request(message: impl Into<String>) -> async_graphql::Error {
    AppError::bad_input("request", message).into_graphql()
}

/// Executes a GraphQL request (or batch) as the caller.
async fn execute(
    schema: web::Data<Pipeline>,
    db: web::Data<DatabaseConnection>,
    authenticator: web::Data<Authenticator>,
    limits: web::Data<Limits>,
    request_id: RequestId,
    http: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let Some(media) = negotiate(http.headers()) else {
        let message = "the Accept header names no type this server writes: \
                       accept application/graphql-response+json or application/json";
        return refusal(&http, StatusCode::NOT_ACCEPTABLE, &bad_request(message));
    };
    let mut request = match read_request(&http, payload, limits.max_body_bytes, &schema).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    match &mut request {
        BatchRequest::Single(request) => schema.fill_persisted_text(request),
        BatchRequest::Batch(requests) => requests.iter_mut().for_each(|request| schema.fill_persisted_text(request)),
    }
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
            return caller_refusal(&http, error);
        }
    };
    if let BatchRequest::Batch(operations) = &request
        && operations.len() > limits.max_batch
    {
        let error = AppError::bad_input(
            "batch",
            format!("the batch holds {} operations; the limit is {}", operations.len(), limits.max_batch),
        );
        observation.refused(error.code());
        return caller_refusal(&http, error);
    }
    let (scope, loads) = RequestScope::new(db.get_ref().clone(), viewer);
    // A mutation over GET was refused by `read_request` (405), judged by the
    // operation the request selects, so a GET document may also hold mutations.
    let request = request.data(scope).data(request_id);
    let response = loads.drive(schema.execute_batch(request)).await;
    observation.executed(&response);
    graphql_response(media, &response)
}

/// A response as written to the wire: without `data` for a request error
/// under `application/graphql-response+json`.
#[derive(Serialize)]
#[serde(untagged)]
enum Wire<'a> {
    Executed(&'a Response),
    Refused {
        errors: &'a [ServerError],
        #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
        extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
    },
}

impl<'a> Wire<'a> {
    fn of(media: MediaType, response: &'a Response) -> Self {
        if media == MediaType::GraphqlResponse && is_request_error(response) {
            Wire::Refused { errors: &response.errors, extensions: &response.extensions }
        } else {
            Wire::Executed(response)
        }
    }
}

/// The HTTP answer to an executed request or batch: 200, except a single
/// request error under `application/graphql-response+json` (400). A batch is
/// answered 200 with each element shaped by the same rule.
fn graphql_response(media: MediaType, response: &BatchResponse) -> HttpResponse {
    let mut http = match response {
        BatchResponse::Single(single) => {
            let status = if media == MediaType::GraphqlResponse && is_request_error(single) {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            json_response(status, media, &Wire::of(media, single))
        }
        BatchResponse::Batch(responses) => {
            let wire: Vec<Wire<'_>> = responses.iter().map(|r| Wire::of(media, r)).collect();
            json_response(StatusCode::OK, media, &wire)
        }
    };
    if response.is_ok()
        && let Some(cache_control) = response.cache_control().value()
        && let Ok(value) = actix_web::http::header::HeaderValue::from_str(&cache_control)
    {
        http.headers_mut().insert(CACHE_CONTROL, value);
    }
    for (name, value) in response.http_headers_iter() {
        if let (Ok(name), Ok(value)) = (
            actix_web::http::header::HeaderName::from_bytes(name.as_str().as_bytes()),
            actix_web::http::header::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            http.headers_mut().append(name, value);
        }
    }
    http
}

/// Reads the GraphQL request from the query string (GET) or a JSON body
/// (POST), refusing bodies over `max_body_bytes` before reading them whole.
/// `Err` is the finished refusal (400, 405, 413 or 415).
async fn read_request(
    http: &HttpRequest,
    payload: web::Payload,
    max_body_bytes: usize,
    pipeline: &Pipeline,
) -> Result<BatchRequest, HttpResponse> {
    let bad = |message: String| refusal(http, StatusCode::BAD_REQUEST, &bad_request(message));
    if http.method() == Method::GET {
        let mut request = get_parameters(http.query_string()).and_then(graphql_request).map_err(bad)?;
        // A document sent by its hash is judged by its text, like any other.
        pipeline.fill_persisted_text(&mut request);
        if crate::graphql::selected_operation_type(&mut request) == Some(OperationType::Mutation) {
            let mut response = refusal(
                http,
                StatusCode::METHOD_NOT_ALLOWED,
                &bad_request("mutations must be sent with POST, not GET"),
            );
            response.headers_mut().insert(ALLOW, actix_web::http::header::HeaderValue::from_static("POST"));
            return Err(response);
        }
        return Ok(BatchRequest::Single(request));
    }
    if is_multipart(http) {
        return read_multipart(http, payload).await;
    }
    if let Err(message) = check_content_type(http) {
        return Err(refusal(http, StatusCode::UNSUPPORTED_MEDIA_TYPE, &bad_request(message)));
    }
    let body = read_body(http, payload, max_body_bytes).await?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad(r#"the request body is empty: send {"query": "…"}"#.to_owned()));
    }
    let json: Json = serde_json::from_slice(&body).map_err(|e| bad(format!("the request body is not JSON: {e}")))?;
    match json {
        Json::Array(items) if items.is_empty() => Err(bad("the batch is empty".to_owned())),
        Json::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(n, item)| graphql_request(item).map_err(|message| format!("batch element {n}: {message}")))
            .collect::<Result<Vec<_>, _>>()
            .map(BatchRequest::Batch)
            .map_err(bad),
        item => graphql_request(item).map(BatchRequest::Single).map_err(bad),
    }
}

/// Whether a POST is a GraphQL multipart request (a file upload).
fn is_multipart(http: &HttpRequest) -> bool {
    let value = http.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    value.split(';').next().is_some_and(|essence| essence.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// Headers of which one must come with a multipart request: a web page of another site can post
/// `multipart/form-data` without asking first (a "simple" request), but cannot add such a header
/// without the CORS preflight this server answers only for allowed origins.
const PREFLIGHT_HEADERS: [&str; 3] =
    ["graphql-require-preflight", "apollo-require-preflight", "x-apollo-operation-name"];

/// Reads a request of the GraphQL multipart request specification (`operations`, `map` and the
/// files): at most one file of at most [`crate::http::imports::MAX_UPLOAD_BYTES`], and only with a
/// preflight header ([`PREFLIGHT_HEADERS`]).
async fn read_multipart(http: &HttpRequest, payload: web::Payload) -> Result<BatchRequest, HttpResponse> {
    let bad = |message: String| refusal(http, StatusCode::BAD_REQUEST, &bad_request(message));
    if !PREFLIGHT_HEADERS.iter().any(|name| http.headers().contains_key(*name)) {
        return Err(bad("a multipart request (file upload) must carry the header GraphQL-Require-Preflight: 1 \
             (or Apollo-Require-Preflight), so that no other site's page can send it"
            .to_owned()));
    }
    let limit = super::imports::MAX_UPLOAD_BYTES;
    // The file and the multipart framing around it (operations, map, boundaries).
    let body = read_body(http, payload, limit + 64 * 1024).await?;
    let content_type = http.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let options = async_graphql::http::MultipartOptions::default().max_file_size(limit).max_num_files(1);
    async_graphql::http::receive_batch_body(content_type, futures_util::io::Cursor::new(body), options)
        .await
        .map_err(|e| bad(format!("the multipart request cannot be read: {e}")))
}

/// Refuses (with the reason) a POST whose `Content-Type` is not JSON in UTF-8.
fn check_content_type(http: &HttpRequest) -> Result<(), String> {
    let Some(value) = http.headers().get(CONTENT_TYPE) else {
        return Err("the request has no Content-Type: send the body as application/json".to_owned());
    };
    let value = value.to_str().unwrap_or_default();
    let mut parts = value.split(';').map(str::trim);
    let essence = parts.next().unwrap_or_default();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(format!("Content-Type {value:?} is not supported: send the body as application/json"));
    }
    let charset = parts
        .filter_map(|p| p.split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("charset"))
        .map(|(_, v)| v.trim().trim_matches('"').to_ascii_lowercase());
    match charset.as_deref() {
        None | Some("utf-8" | "utf8") => Ok(()),
        Some(other) => Err(format!("charset {other} is not supported: send the body as application/json in UTF-8")),
    }
}

/// The GET parameters as the JSON object a POST would carry: `query` and
/// `operationName` as text, `variables` and `extensions` parsed from JSON.
fn get_parameters(query_string: &str) -> Result<Json, String> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(query_string)
        .map_err(|e| format!("the query string cannot be decoded: {e}"))?
        .into_inner();
    let mut object = Map::new();
    for (name, value) in pairs {
        let value = match name.as_str() {
            "query" | "operationName" => Json::String(value),
            "variables" | "extensions" => serde_json::from_str(&value)
                .map_err(|e| format!("`{name}` must be a JSON object (URL-encoded): {e}"))?,
            _ => continue,
        };
        if object.insert(name.clone(), value).is_some() {
            return Err(format!("`{name}` is given more than once"));
        }
    }
    Ok(Json::Object(object))
}

/// One GraphQL request from its JSON parameters, each checked for its type:
/// `query` a non-empty string (absent or null when `extensions` names a
/// persisted query by its hash); `operationName` a string or null;
/// `variables` and `extensions` objects or null. Other keys are ignored.
fn graphql_request(parameters: Json) -> Result<async_graphql::Request, String> {
    let Json::Object(mut parameters) = parameters else {
        return Err(r#"the request must be a JSON object {"query": "…", "variables": {…}}"#.to_owned());
    };
    let by_hash = matches!(parameters.get("extensions"), Some(Json::Object(e)) if e.contains_key("persistedQuery"));
    let query = match parameters.remove("query") {
        Some(Json::String(query)) if !query.trim().is_empty() => query,
        Some(Json::String(_)) => return Err("`query` is empty: it must hold a GraphQL document".to_owned()),
        // The pipeline finds the document by its hash (src/graphql/persisted.rs).
        None | Some(Json::Null) if by_hash => String::new(),
        None | Some(Json::Null) => {
            return Err(r#"the request has no `query`: send {"query": "{ … }"} with a GraphQL document"#.to_owned());
        }
        Some(other) => return Err(format!("`query` must be a string, not {}", json_kind(&other))),
    };
    let mut request = async_graphql::Request::new(query);
    match parameters.remove("operationName") {
        None | Some(Json::Null) => {}
        Some(Json::String(name)) => request = request.operation_name(name),
        Some(other) => return Err(format!("`operationName` must be a string or null, not {}", json_kind(&other))),
    }
    match parameters.remove("variables") {
        None | Some(Json::Null) => {}
        Some(variables @ Json::Object(_)) => {
            request = request.variables(async_graphql::Variables::from_json(variables))
        }
        Some(other) => return Err(format!("`variables` must be an object or null, not {}", json_kind(&other))),
    }
    match parameters.remove("extensions") {
        None | Some(Json::Null) => {}
        Some(extensions @ Json::Object(_)) => {
            request.extensions =
                serde_json::from_value(extensions).map_err(|e| format!("`extensions` cannot be read: {e}"))?;
        }
        Some(other) => return Err(format!("`extensions` must be an object or null, not {}", json_kind(&other))),
    }
    Ok(request)
}

fn json_kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}
