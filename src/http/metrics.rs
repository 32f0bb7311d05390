//! Prometheus metrics, served at `GET /metrics` in the text exposition format.
//!
//! Contract:
//! - One [`Metrics`] (its own `prometheus::Registry`) per [`crate::startup::Application`],
//!   built once and shared by every worker; several applications in one
//!   process (the tests) never mix their numbers.
//! - Metric names, all prefixed `xietong_`:
//!   - `xietong_graphql_requests_total{operation,outcome}`: GraphQL operations
//!     answered over HTTP; `outcome` is `ok` or the `extensions.code` of the
//!     response's first error (`UNAUTHENTICATED`, `FORBIDDEN`, …).
//!   - `xietong_graphql_request_duration_seconds{operation}`: histogram of
//!     their latency (for a batch: the whole batch's).
//!   - `xietong_graphql_errors_total{code}`: every error of every response,
//!     by `extensions.code`, including rate-limit refusals.
//!   - `xietong_rate_limited_total`: requests refused by the rate limiter.
//!   - `xietong_http_requests_total{route,method,status}`: every HTTP
//!     request, by matched route pattern (`unmatched` for none).
//!   - `xietong_subscriptions_open`: WebSocket subscription connections open now.
//!   - `xietong_db_pool_connections{state="in_use"|"idle"}` and
//!     `xietong_db_pool_max_connections`: the database pool, sampled at scrape time.
//! - Label cardinality is bounded: an operation label is the request's
//!   `operationName` if the document defines it, else the name of the
//!   document's (first) operation, else `anonymous`; a name longer than
//!   [`MAX_OPERATION_NAME`] characters, with characters outside
//!   `[A-Za-z0-9_]`, not in the document, or beyond the first
//!   [`MAX_OPERATION_LABELS`] distinct names, is `other`. Error codes are
//!   chosen by the server; anything not shaped like one is `OTHER`.
//! - Recording never fails a request: a metric that cannot be updated is skipped.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::parser::types::DocumentOperations;
use async_graphql::{BatchRequest, BatchResponse, Request, Response};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};
use sea_orm::{DatabaseConnection, DatabaseConnectionType};
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Instant;

/// Longest operation name kept as a label; longer ones are `other`.
pub const MAX_OPERATION_NAME: usize = 64;

/// Most distinct operation labels one process records; later names are `other`.
pub const MAX_OPERATION_LABELS: usize = 256;

/// Operations of one batch that get their own label (the rest are `other`).
pub const MAX_LABELLED_IN_BATCH: usize = 32;

/// Label of a request whose document names no operation (or cannot be parsed).
const ANONYMOUS: &str = "anonymous";

/// Label of an operation name that is not kept (see the module contract).
const OTHER: &str = "other";

/// Latency buckets, in seconds.
const LATENCY_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Registers the `/metrics` route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(scrape));
}

/// The application's metrics and the registry that exposes them.
pub struct Metrics {
    registry: Registry,
    graphql_requests: IntCounterVec,
    graphql_duration: HistogramVec,
    graphql_errors: IntCounterVec,
    rate_limited: IntCounter,
    http_requests: IntCounterVec,
    subscriptions_open: IntGauge,
    pool_connections: IntGaugeVec,
    pool_max_connections: IntGauge,
    operation_labels: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// Creates every metric in a fresh registry.
    ///
    /// # Errors
    /// Only if a metric definition is invalid (a bug).
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let graphql_requests = IntCounterVec::new(
            Opts::new(
                "xietong_graphql_requests_total",
                "GraphQL operations answered over HTTP, by operation and outcome",
            ),
            &["operation", "outcome"],
        )?;
        let graphql_duration = HistogramVec::new(
            HistogramOpts::new("xietong_graphql_request_duration_seconds", "Latency of GraphQL operations over HTTP")
                .buckets(LATENCY_BUCKETS.to_vec()),
            &["operation"],
        )?;
        let graphql_errors = IntCounterVec::new(
            Opts::new("xietong_graphql_errors_total", "Errors in GraphQL responses, by extensions.code"),
            &["code"],
        )?;
        let rate_limited = IntCounter::new("xietong_rate_limited_total", "Requests refused by the rate limiter")?;
        let http_requests = IntCounterVec::new(
            Opts::new("xietong_http_requests_total", "HTTP requests, by route pattern, method and status"),
            &["route", "method", "status"],
        )?;
        let subscriptions_open =
            IntGauge::new("xietong_subscriptions_open", "WebSocket subscription connections currently open")?;
        let pool_connections = IntGaugeVec::new(
            Opts::new("xietong_db_pool_connections", "Database pool connections, by state (in_use, idle)"),
            &["state"],
        )?;
        let pool_max_connections =
            IntGauge::new("xietong_db_pool_max_connections", "Largest number of connections the database pool opens")?;
        registry.register(Box::new(graphql_requests.clone()))?;
        registry.register(Box::new(graphql_duration.clone()))?;
        registry.register(Box::new(graphql_errors.clone()))?;
        registry.register(Box::new(rate_limited.clone()))?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(subscriptions_open.clone()))?;
        registry.register(Box::new(pool_connections.clone()))?;
        registry.register(Box::new(pool_max_connections.clone()))?;
        Ok(Self {
            registry,
            graphql_requests,
            graphql_duration,
            graphql_errors,
            rate_limited,
            http_requests,
            subscriptions_open,
            pool_connections,
            pool_max_connections,
            operation_labels: Mutex::new(HashSet::new()),
        })
    }

    /// Fixes each operation's label. Parses each document (the parse is kept
    /// in the request and reused by execution, so nothing is parsed twice).
    /// Only the first [`MAX_LABELLED_IN_BATCH`] operations of a batch are
    /// parsed here; later ones are labelled `other`.
    fn operation_labels(&self, batch: &mut BatchRequest) -> Vec<String> {
        let label = |(index, request): (usize, &mut Request)| {
            if index < MAX_LABELLED_IN_BATCH { self.operation_label(request) } else { OTHER.to_owned() }
        };
        batch.iter_mut().enumerate().map(label).collect()
    }

    /// Counts a request refused by the rate limiter (one `RATE_LIMITED` error).
    pub fn record_rate_limited(&self) {
        self.rate_limited.inc();
        self.count_error("RATE_LIMITED");
    }

    /// Marks a subscription connection open until the returned guard is dropped.
    pub fn subscription_opened(&self) -> OpenSubscription {
        self.subscriptions_open.inc();
        OpenSubscription(self.subscriptions_open.clone())
    }

    /// Samples the pool and renders every metric in the text exposition format.
    ///
    /// # Errors
    /// When encoding fails (a bug).
    pub fn render(&self, db: &DatabaseConnection) -> prometheus::Result<String> {
        self.sample_pool(db);
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        String::from_utf8(buffer).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }

    /// Sets the pool gauges from the sqlx pool behind `db` (nothing for other connections).
    fn sample_pool(&self, db: &DatabaseConnection) {
        let (size, idle, max) = match &db.inner {
            DatabaseConnectionType::SqlxPostgresPoolConnection(_) => {
                let pool = db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle(), pool.options().get_max_connections())
            }
            DatabaseConnectionType::SqlxSqlitePoolConnection(_) => {
                let pool = db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle(), pool.options().get_max_connections())
            }
            _ => return,
        };
        let idle = i64::try_from(idle).unwrap_or(i64::MAX);
        let in_use = (i64::from(size) - idle).max(0);
        set_gauge(&self.pool_connections, "in_use", in_use);
        set_gauge(&self.pool_connections, "idle", idle);
        self.pool_max_connections.set(i64::from(max));
    }

    /// The label of one request's operation (see the module contract).
    fn operation_label(&self, request: &mut Request) -> String {
        let requested = request.operation_name.clone();
        let Ok(document) = request.parsed_query() else {
            return requested.map_or_else(|| ANONYMOUS.to_owned(), |_| OTHER.to_owned());
        };
        let name = match (&document.operations, requested) {
            (DocumentOperations::Single(_), None) => return ANONYMOUS.to_owned(),
            (DocumentOperations::Single(_), Some(_)) => return OTHER.to_owned(),
            (DocumentOperations::Multiple(operations), Some(requested)) => {
                if !operations.keys().any(|name| name.as_str() == requested) {
                    return OTHER.to_owned();
                }
                requested
            }
            (DocumentOperations::Multiple(operations), None) => {
                let first = operations.iter().min_by_key(|(_, op)| (op.pos.line, op.pos.column));
                let Some((name, _)) = first else { return ANONYMOUS.to_owned() };
                name.to_string()
            }
        };
        self.bounded_label(name)
    }

    /// `name` if it is a well-formed label and there is room for it; else `other`.
    fn bounded_label(&self, name: String) -> String {
        let well_formed = !name.is_empty()
            && name.len() <= MAX_OPERATION_NAME
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !well_formed || name == OTHER || name == ANONYMOUS {
            return OTHER.to_owned();
        }
        let Ok(mut labels) = self.operation_labels.lock() else { return OTHER.to_owned() };
        if labels.contains(&name) {
            return name;
        }
        if labels.len() >= MAX_OPERATION_LABELS {
            return OTHER.to_owned();
        }
        labels.insert(name.clone());
        name
    }

    fn count_error(&self, code: &str) {
        if let Ok(counter) = self.graphql_errors.get_metric_with_label_values(&[error_code_label(code)]) {
            counter.inc();
        }
    }

    fn count_request(&self, operation: &str, outcome: &str, seconds: f64) {
        if let Ok(counter) = self.graphql_requests.get_metric_with_label_values(&[operation, outcome]) {
            counter.inc();
        }
        if let Ok(histogram) = self.graphql_duration.get_metric_with_label_values(&[operation]) {
            histogram.observe(seconds);
        }
    }
}

/// A GraphQL request being answered: its operations' labels and start time.
#[derive(Debug)]
pub struct Observation {
    metrics: Option<web::Data<Metrics>>,
    operations: Vec<String>,
    started: Instant,
}

impl Observation {
    /// Starts observing a request (or batch) with the app's [`Metrics`]
    /// (none in the app data: records nothing); see the module contract for labels.
    pub fn start(http: &HttpRequest, batch: &mut BatchRequest) -> Self {
        let metrics = http.app_data::<web::Data<Metrics>>().cloned();
        let operations = metrics.as_ref().map(|m| m.operation_labels(batch)).unwrap_or_default();
        Self { metrics, operations, started: Instant::now() }
    }

    /// Records the responses of an executed request: one count and one
    /// latency sample per operation, one error count per error.
    pub fn executed(self, response: &BatchResponse) {
        let Some(metrics) = &self.metrics else { return };
        let seconds = self.started.elapsed().as_secs_f64();
        let responses: &[Response] = match response {
            BatchResponse::Single(response) => std::slice::from_ref(response),
            BatchResponse::Batch(responses) => responses,
        };
        for (index, response) in responses.iter().enumerate() {
            let operation = self.operations.get(index).map_or(ANONYMOUS, String::as_str);
            let codes: Vec<&str> = response.errors.iter().map(|e| code_of(e.extensions.as_ref())).collect();
            for code in &codes {
                metrics.count_error(code);
            }
            let outcome = codes.first().map_or("ok", |code| error_code_label(code));
            metrics.count_request(operation, outcome, seconds);
        }
    }

    /// Records a request refused before execution with one error of `code`
    /// (e.g. `UNAUTHENTICATED` for a bad token): each operation of the
    /// request counts with that outcome, and the error once.
    pub fn refused(self, code: &str) {
        let Some(metrics) = &self.metrics else { return };
        let seconds = self.started.elapsed().as_secs_f64();
        metrics.count_error(code);
        let outcome = error_code_label(code);
        for operation in &self.operations {
            metrics.count_request(operation, outcome, seconds);
        }
    }
}

/// Keeps `xietong_subscriptions_open` incremented while alive.
#[derive(Debug)]
pub struct OpenSubscription(IntGauge);

impl Drop for OpenSubscription {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Middleware counting every HTTP request by route pattern, method and status.
///
/// # Errors
/// Those of the wrapped service, unchanged.
pub async fn track_http(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let metrics = request.app_data::<web::Data<Metrics>>().cloned();
    let method: &'static str = match request.method().as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        _ => "other",
    };
    let result = next.call(request).await;
    if let Some(metrics) = metrics {
        let (route, status) = match &result {
            Ok(response) => (
                response.request().match_pattern().unwrap_or_else(|| "unmatched".to_owned()),
                response.status().as_u16(),
            ),
            Err(error) => ("unmatched".to_owned(), error.as_response_error().status_code().as_u16()),
        };
        if let Ok(counter) = metrics.http_requests.get_metric_with_label_values(&[&route, method, &status.to_string()])
        {
            counter.inc();
        }
    }
    result
}

/// `GET /metrics`.
async fn scrape(metrics: web::Data<Metrics>, db: web::Data<DatabaseConnection>) -> HttpResponse {
    match metrics.render(&db) {
        Ok(text) => HttpResponse::Ok().content_type(prometheus::TEXT_FORMAT).body(text),
        Err(error) => {
            tracing::error!(%error, "rendering metrics failed");
            HttpResponse::InternalServerError().finish()
        }
    }
}

fn set_gauge(gauge: &IntGaugeVec, state: &str, value: i64) {
    if let Ok(gauge) = gauge.get_metric_with_label_values(&[state]) {
        gauge.set(value);
    }
}

/// The `extensions.code` of an error, or `OTHER`.
fn code_of(extensions: Option<&async_graphql::ErrorExtensionValues>) -> &str {
    match extensions.and_then(|e| e.get("code")) {
        Some(async_graphql::Value::String(code)) => code.as_str(),
        Some(async_graphql::Value::Enum(code)) => code.as_str(),
        _ => "OTHER",
    }
}

/// `code` if shaped like an error code (`[A-Z_]`, at most 32 characters), else `OTHER`.
fn error_code_label(code: &str) -> &str {
    let well_formed = !code.is_empty() && code.len() <= 32 && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
    if well_formed { code } else { "OTHER" }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn label(metrics: &Metrics, query: &str, name: Option<&str>) -> String {
        let mut request = Request::new(query);
        request.operation_name = name.map(str::to_owned);
        metrics.operation_label(&mut request)
    }

    #[test]
    fn operation_labels_are_bounded() {
        let metrics = Metrics::new().unwrap();
        assert_eq!(label(&metrics, "{ viewer { authenticated } }", None), "anonymous");
        assert_eq!(label(&metrics, "query Plans { plans { totalCount } }", None), "Plans");
        assert_eq!(label(&metrics, "query B { a } query A { b }", None), "B");
        assert_eq!(label(&metrics, "query B { a } query A { b }", Some("A")), "A");
        assert_eq!(label(&metrics, "query B { a }", Some("Missing")), "other");
        assert_eq!(label(&metrics, "{ a }", Some("A")), "other");
        assert_eq!(label(&metrics, "not graphql", None), "anonymous");
        let long = "Q".repeat(MAX_OPERATION_NAME + 1);
        assert_eq!(label(&metrics, &format!("query {long} {{ a }}"), None), "other");
        for i in 0..MAX_OPERATION_LABELS + 10 {
            label(&metrics, &format!("query Op{i} {{ a }}"), None);
        }
        assert_eq!(label(&metrics, "query Fresh { a }", None), "other");
        assert_eq!(label(&metrics, "query Plans { a }", None), "Plans");
    }

    #[test]
    fn error_codes_are_bounded() {
        assert_eq!(error_code_label("FORBIDDEN"), "FORBIDDEN");
        assert_eq!(error_code_label("forbidden"), "OTHER");
        assert_eq!(error_code_label(&"X".repeat(40)), "OTHER");
    }
}
