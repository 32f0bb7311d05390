//! Limits are answered with a clear code before any database work.

use crate::helpers::{error_code, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use xietong::graphql::Limits;

/// Asserts the response's first error code, and that no SQL statement ran.
async fn refused_without_database_work(app: &crate::helpers::TestApp, body: Value, code: &str, mentions: &str) {
    let before = app.statements.get();
    let response = app.client.post(format!("{}/graphql", app.address)).json(&body).send().await.expect("request");
    let status = response.status();
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(error_code(&body), Some(code), "{status} {body:#}");
    let message = body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains(mentions), "the message should name the limit: {message}");
    assert_eq!(app.statements.get(), before, "no statement may run for a refused request");
}

#[tokio::test]
async fn depth_complexity_aliases_and_batch_size_are_limited() {
    let shallow = spawn_app_with(Limits { max_depth: 6, ..Limits::default() }).await;
    let deep = "{ plans(first: 1) { nodes { tasks(first: 1) { nodes { children { nodes { children { nodes { code } } } } } } } } }";
    refused_without_database_work(&shallow, json!({ "query": deep }), "QUERY_TOO_COMPLEX", "6 levels").await;
    let app = spawn_app_with(Limits { max_complexity: 500, ..Limits::default() }).await;
    let costly = "{ tasks(first: 100) { nodes { code assignments { department { name } } } } }";
    refused_without_database_work(&app, json!({ "query": costly }), "QUERY_TOO_COMPLEX", "500").await;
    let aliases: String = (0..31).map(|i| format!("a{i}: regions {{ totalCount }} ")).collect();
    refused_without_database_work(&app, json!({ "query": format!("{{ {aliases} }}") }), "QUERY_TOO_COMPLEX", "30")
        .await;
    let batch: Vec<Value> = (0..11).map(|_| json!({ "query": "{ regions { totalCount } }" })).collect();
    refused_without_database_work(&app, json!(batch), "BAD_USER_INPUT", "10").await;
    // Within the limits the same shapes run.
    let body = app.graphql("{ plans(first: 2) { nodes { tasks(first: 2) { nodes { code } } } } }", json!({})).await;
    assert!(body.get("errors").is_none(), "{body:#}");
}

#[tokio::test]
async fn document_limits_are_configurable_and_named_in_the_refusal() {
    let app = spawn_app_with(Limits {
        max_tokens: 40,
        max_fields: 6,
        max_fragment_spreads: 3,
        max_directives: 2,
        max_introspection_depth: 3,
        ..Limits::default()
    })
    .await;
    for (query, mentions) in [
        (format!("{{ {}}}", "__typename ".repeat(41)), "40 tokens"),
        (
            "{ ...F ...F } fragment F on Query { a: __typename b: __typename c: __typename d: __typename }".into(),
            "8 fields",
        ),
        ("{ ...F ...F ...F ...F } fragment F on Query { __typename }".into(), "4 fragment spreads"),
        (
            "{ a: __typename @skip(if: false) b: __typename @skip(if: false) c: __typename @skip(if: false) }".into(),
            "3 directives",
        ),
        ("{ __type(name: \"Plan\") { fields { type { name } } } }".into(), "3 levels for introspection"),
    ] {
        refused_without_database_work(&app, json!({ "query": query }), "QUERY_TOO_COMPLEX", mentions).await;
    }
    // Fragments within the limits run.
    let body = app.graphql("{ ...F } fragment F on Query { plans { totalCount } }", json!({})).await;
    assert_eq!(body["data"]["plans"]["totalCount"], 7, "{body}");
}

#[tokio::test]
async fn oversized_and_malformed_bodies_are_refused_cleanly() {
    let app = spawn_app().await;
    let huge = json!({ "query": "{ regions { totalCount } }", "variables": { "x": "字".repeat(200_000) } });
    let response = app.client.post(format!("{}/graphql", app.address)).json(&huge).send().await.expect("request");
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    // A body not declared as JSON is 415 (GraphQL over HTTP, tests/api/http_conformance.rs).
    for (content_type, raw, status) in [
        ("application/json", "{\"query\": \"{ plans { totalCount }", 400),
        ("application/json", "{\"query\": 5}", 400),
        ("application/json", "[1, 2", 400),
        ("text/plain", "hello", 415),
        ("application/json", "\u{0}\u{1}", 400),
    ] {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("content-type", content_type)
            .body(raw.to_owned())
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), status, "{raw:?}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{raw:?}: {body}");
    }
}

#[tokio::test]
async fn syntax_type_and_variable_errors_carry_codes() {
    let app = spawn_app().await;
    for (query, variables) in [
        ("{ plans { ", json!({})),
        ("{ nothing }", json!({})),
        ("{ plans(first: \"ten\") { totalCount } }", json!({})),
        ("query($n: Int!) { plans(first: $n) { totalCount } }", json!({ "n": "x" })),
        ("query($n: Int!) { plans(first: $n) { totalCount } }", json!({})),
        ("{ plans(filter: {year: 99999999999}) { totalCount } }", json!({})),
    ] {
        let body = app.graphql(query, variables).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{query}: {body}");
    }
}

#[tokio::test]
async fn mutations_are_refused_over_get() {
    let app = spawn_app().await;
    let query = "mutation { archivePlan(input: {id: \"x\", expectedVersion: 1}) { plan { id } } }";
    let response =
        app.client.get(format!("{}/graphql", app.address)).query(&[("query", query)]).send().await.expect("request");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap_or("").contains("POST"));
    let ok =
        app.client.get(format!("{}/graphql", app.address)).query(&[("query", "{ plans { totalCount } }")]).send().await;
    let body: Value = ok.expect("request").json().await.expect("JSON");
    assert_eq!(body["data"]["plans"]["totalCount"], 7);
}

#[tokio::test]
async fn allow_list_mode_runs_only_registered_operations() {
    let registered = "query Registered { plans { totalCount } }";
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("allowed.txt");
    let hash = xietong::graphql::limits::operation_hash(registered);
    std::fs::write(&path, format!("# operations of the city platform\nsha256:{hash}\n")).expect("write allow-list");
    let app = spawn_app_with(Limits { allowed_operations: Some(path), ..Limits::default() }).await;
    let body = app.graphql(registered, json!({})).await;
    assert_eq!(body["data"]["plans"]["totalCount"], 7, "{body}");
    let before = app.statements.get();
    let body = app.graphql("{ plans { totalCount } }", json!({})).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap_or("").contains("not registered"));
    assert_eq!(app.statements.get(), before);
}

#[tokio::test]
async fn page_size_is_limited() {
    let app = spawn_app().await;
    let body = app.graphql("{ tasks(first: 1000) { totalCount } }", json!({})).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert!(body["errors"][0]["message"].as_str().unwrap_or("").contains("100"), "{body}");
}
