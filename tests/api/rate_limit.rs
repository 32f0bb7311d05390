//! Rate limiting per caller on `/graphql`: a token's subject, else the client IP.

use crate::helpers::spawn_app_configured;
use crate::helpers::{TEST_JWT_SECRET, TestApp, error_code};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use xietong::access::Role;
use xietong::auth::issue::{TokenRequest, sign_hs256};
use xietong::http::rate_limit::RateLimitSettings;
use xietong::ids::{NodeKind, to_global};

const VIEWER: &str = "query Who { viewer { authenticated subject } }";

/// Bursts of `burst`, then one request a minute: nothing refills during a test.
async fn spawn_limited(burst: u32) -> TestApp {
    let rate_limit = RateLimitSettings { rate_limit_per_minute: 1, rate_limit_burst: burst };
    spawn_app_configured(|s| s.rate_limit = rate_limit).await
}

/// A valid token for subject `subject` (the helpers' tokens all say `test-user`).
async fn token_for(app: &TestApp, subject: &str) -> String {
    let department =
        xietong::service::departments::resolve_department(&app.db, "静海区发展改革委").await.expect("department");
    let request = TokenRequest {
        subject: subject.into(),
        department: to_global(NodeKind::Department, &department.id).0,
        role: Role::Reader,
        client: None,
        ttl: std::time::Duration::from_secs(3600),
    };
    sign_hs256(TEST_JWT_SECRET.as_bytes(), &app.auth.jwt_issuer, &app.auth.jwt_audience, &request).expect("sign").0
}

/// POSTs [`VIEWER`] (as `token`, if any): status, `Retry-After` and body.
async fn call(app: &TestApp, token: Option<&str>) -> (StatusCode, Option<String>, Value) {
    let mut request = app.client.post(format!("{}/graphql", app.address)).json(&json!({ "query": VIEWER }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let retry_after = response.headers().get("retry-after").map(|v| v.to_str().expect("ASCII").to_owned());
    (status, retry_after, response.json().await.expect("JSON body"))
}

/// Asserts a 429 RATE_LIMITED answer whose header and body agree on the wait.
fn assert_limited(case: &str, (status, retry_after, body): &(StatusCode, Option<String>, Value)) {
    assert_eq!(*status, StatusCode::TOO_MANY_REQUESTS, "{case}: {body}");
    assert_eq!(error_code(body), Some("RATE_LIMITED"), "{case}: {body}");
    let header: u64 = retry_after.as_deref().expect("Retry-After").parse().expect("Retry-After in seconds");
    assert!((1..=60).contains(&header), "{case}: Retry-After {header}");
    assert_eq!(body["errors"][0]["extensions"]["retryAfterSeconds"], json!(header), "{case}: {body}");
    assert!(body.get("data").is_none(), "{case}: {body}");
}

#[tokio::test]
async fn the_request_after_a_burst_is_refused_per_caller() {
    let app = spawn_limited(3).await;
    let alice = token_for(&app, "alice").await;
    let bob = token_for(&app, "bob").await;

    for i in 0..3 {
        let (status, _, body) = call(&app, Some(&alice)).await;
        assert_eq!(status, StatusCode::OK, "request {i}: {body}");
        assert_eq!(body["data"]["viewer"]["subject"], "alice", "{body}");
    }
    assert_limited("alice's 4th request", &call(&app, Some(&alice)).await);

    // GET is limited too, and nothing is read or parsed first (a bad body is not a 400).
    let get = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", VIEWER)])
        .bearer_auth(&alice)
        .send()
        .await
        .expect("GET");
    assert_eq!(get.status(), StatusCode::TOO_MANY_REQUESTS);
    let garbage = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&alice)
        .header("content-type", "application/json")
        .body("{ not json")
        .send()
        .await
        .expect("POST");
    assert_eq!(garbage.status(), StatusCode::TOO_MANY_REQUESTS);

    // Another subject, and anonymous callers (keyed by IP), have their own allowance.
    let (status, _, body) = call(&app, Some(&bob)).await;
    assert_eq!(status, StatusCode::OK, "bob: {body}");
    assert_eq!(body["data"]["viewer"]["subject"], "bob", "{body}");
    for i in 0..3 {
        let (status, _, body) = call(&app, None).await;
        assert_eq!(status, StatusCode::OK, "anonymous request {i}: {body}");
    }
    assert_limited("the 4th anonymous request", &call(&app, None).await);

    // A WebSocket upgrade is limited by IP, before the upgrade.
    let url = format!("{}/graphql", app.address.replacen("http", "ws", 1));
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().expect("header"));
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status().as_u16(), 429);
            assert!(response.headers().get("retry-after").is_some());
        }
        Err(other) => panic!("expected a 429 refusal, got {other}"),
        Ok(_) => panic!("expected a 429 refusal, got an open socket"),
    }

    // Health, readiness and metrics are never limited.
    for path in ["/healthz", "/readyz", "/metrics", "/healthz", "/readyz", "/metrics"] {
        let response = app.client.get(format!("{}{path}", app.address)).send().await.expect("GET");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let metrics = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap();
    let refused = metrics.lines().find_map(|l| l.strip_prefix("xietong_rate_limited_total ")).expect("counter");
    assert_eq!(refused.trim(), "5", "{metrics}");
    assert!(metrics.contains(r#"xietong_graphql_errors_total{code="RATE_LIMITED"} 5"#), "{metrics}");
}

#[tokio::test]
async fn a_rate_of_zero_disables_limiting() {
    let rate_limit = RateLimitSettings { rate_limit_per_minute: 0, rate_limit_burst: 1 };
    let app = spawn_app_configured(|s| s.rate_limit = rate_limit).await;
    for i in 0..10 {
        let (status, _, body) = call(&app, None).await;
        assert_eq!(status, StatusCode::OK, "request {i}: {body}");
    }
}
