//! `GET /metrics`: Prometheus text with GraphQL, HTTP, pool and subscription metrics.

use crate::helpers::{TestApp, spawn_app};
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Scrapes `/metrics`.
async fn scrape(app: &TestApp) -> String {
    let response = app.client.get(format!("{}/metrics", app.address)).send().await.expect("GET /metrics");
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    response.text().await.expect("text")
}

/// The value of sample `name` whose labels include every `key="value"` of `labels`.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines().filter(|line| !line.starts_with('#')).find_map(|line| {
        let (series, value) = line.rsplit_once(' ')?;
        let (metric, label_text) = series.split_once('{').unwrap_or((series, ""));
        let matches = metric == name && labels.iter().all(|(k, v)| label_text.contains(&format!(r#"{k}="{v}""#)));
        matches.then(|| value.parse().expect("a number"))
    })
}

async fn post(app: &TestApp, body: Value, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = app.client.post(format!("{}/graphql", app.address)).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    (response.status(), response.json().await.expect("JSON"))
}

#[tokio::test]
async fn graphql_requests_are_counted_by_operation_and_outcome() {
    let app = spawn_app().await;
    let (status, body) = post(&app, json!({ "query": "query Who { viewer { authenticated } }" }), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    post(&app, json!({ "query": "query Who { viewer { authenticated } }" }), None).await;
    post(&app, json!({ "query": "{ viewer { authenticated } }" }), None).await;
    // Several operations: the one named by operationName; an unknown name is `other`.
    post(
        &app,
        json!({ "query": "query A { viewer { role } } query B { viewer { role } }", "operationName": "B" }),
        None,
    )
    .await;
    post(&app, json!({ "query": "query A { viewer { role } }", "operationName": "Nope" }), None).await;
    // Failures: a validation error, and a refused token (401 before execution).
    let (_, body) = post(&app, json!({ "query": "query Broken { noSuchField }" }), None).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    let (status, _) = post(&app, json!({ "query": "query Who { viewer { authenticated } }" }), Some("not.a.jwt")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let text = scrape(&app).await;
    let requests = |operation: &str, outcome: &str| {
        sample(&text, "xietong_graphql_requests_total", &[("operation", operation), ("outcome", outcome)])
    };
    assert_eq!(requests("Who", "ok"), Some(2.0), "{text}");
    assert_eq!(requests("anonymous", "ok"), Some(1.0), "{text}");
    assert_eq!(requests("B", "ok"), Some(1.0), "{text}");
    assert_eq!(requests("A", "ok"), None, "{text}");
    assert!(requests("other", "BAD_USER_INPUT").is_some(), "{text}");
    assert_eq!(requests("Broken", "BAD_USER_INPUT"), Some(1.0), "{text}");
    assert_eq!(requests("Who", "UNAUTHENTICATED"), Some(1.0), "{text}");
    let errors = |code: &str| sample(&text, "xietong_graphql_errors_total", &[("code", code)]);
    assert_eq!(errors("UNAUTHENTICATED"), Some(1.0), "{text}");
    assert!(errors("BAD_USER_INPUT").is_some_and(|n| n >= 2.0), "{text}");

    // The latency histogram, by operation.
    let latency = "xietong_graphql_request_duration_seconds";
    assert_eq!(sample(&text, &format!("{latency}_count"), &[("operation", "Who")]), Some(3.0), "{text}");
    assert_eq!(sample(&text, &format!("{latency}_bucket"), &[("operation", "Who"), ("le", "+Inf")]), Some(3.0));
    assert!(sample(&text, &format!("{latency}_sum"), &[("operation", "Who")]).is_some_and(|s| s > 0.0));

    // HTTP requests by route and status.
    let http = |status: &str| {
        sample(&text, "xietong_http_requests_total", &[("route", "/graphql"), ("method", "POST"), ("status", status)])
    };
    assert_eq!(http("200"), Some(6.0), "{text}");
    assert_eq!(http("401"), Some(1.0), "{text}");

    // The pool, sampled at scrape time (the test apps allow 5 connections).
    let pool = |state: &str| sample(&text, "xietong_db_pool_connections", &[("state", state)]);
    let (in_use, idle) = (pool("in_use").expect("in_use"), pool("idle").expect("idle"));
    assert!(in_use >= 0.0 && idle >= 0.0 && in_use + idle >= 1.0 && in_use + idle <= 5.0, "{text}");
    assert_eq!(sample(&text, "xietong_db_pool_max_connections", &[]), Some(5.0), "{text}");
    assert_eq!(sample(&text, "xietong_subscriptions_open", &[]), Some(0.0), "{text}");
}

#[tokio::test]
async fn open_subscription_connections_are_gauged() {
    let app = spawn_app().await;
    let url = format!("{}/graphql", app.address.replacen("http", "ws", 1));
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().expect("header"));
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("connect");
    socket.send(Message::Text(json!({ "type": "connection_init" }).to_string().into())).await.expect("send");
    let ack = loop {
        match tokio::time::timeout(Duration::from_secs(20), socket.next()).await.expect("ack in time") {
            Some(Ok(Message::Text(text))) => break serde_json::from_str::<Value>(&text).expect("JSON"),
            Some(Ok(_)) => continue,
            other => panic!("expected connection_ack, got {other:?}"),
        }
    };
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    assert_eq!(sample(&scrape(&app).await, "xietong_subscriptions_open", &[]), Some(1.0));

    socket.close(None).await.expect("close");
    drop(socket);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let open = sample(&scrape(&app).await, "xietong_subscriptions_open", &[]);
        if open == Some(0.0) {
            break;
        }
        assert!(Instant::now() < deadline, "the gauge stayed at {open:?} after the socket closed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let text = scrape(&app).await;
    let upgrades =
        sample(&text, "xietong_http_requests_total", &[("route", "/graphql"), ("method", "GET"), ("status", "101")]);
    assert_eq!(upgrades, Some(1.0), "{text}");
}
