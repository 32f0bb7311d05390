//! A request's SQL statement count grows with the depth of its query, not
//! with the number of rows it returns (no N+1).

use crate::helpers::{TestApp, spawn_app};
use serde_json::json;
use xietong::access::Role;

/// plans → tasks → assignments → departments → regions, and indicators →
/// targets, actuals and progress (latest actual). Every relation in it is
/// non-empty at both page sizes, so the same loaders run in both.
const NESTED: &str = "query($n: Int) { plans(first: $n) { totalCount nodes { title issuer { name } region { name }
    tasks(first: $n) { totalCount nodes { code parent { code } assignments { role department { name region { name } } }
        indicators { name } } }
    indicators(first: $n) { nodes { name targets { year comparator value } actuals { value }
        progress { status latestActual { value } } } } } } }";

async fn statements_for(app: &TestApp, token: Option<&str>, page_size: i64) -> (u64, usize) {
    let before = app.statements.get();
    let body = match token {
        Some(token) => app.graphql_as(token, NESTED, json!({ "n": page_size })).await,
        None => app.graphql(NESTED, json!({ "n": page_size })).await,
    };
    assert!(body.get("errors").is_none(), "{body:#}");
    let rows: usize = body["data"]["plans"]["nodes"]
        .as_array()
        .expect("plans")
        .iter()
        .map(|p| {
            p["tasks"]["nodes"].as_array().map_or(0, Vec::len) + p["indicators"]["nodes"].as_array().map_or(0, Vec::len)
        })
        .sum();
    (app.statements.get() - before, rows)
}

#[tokio::test]
async fn the_nested_query_runs_as_many_statements_at_page_size_50_as_at_5() {
    let app = spawn_app().await;
    // Give some indicators actuals so the progress path has data to batch.
    let bureau = app.token("静海区发展改革委", Role::Bureau).await;
    let coordinator = app.token("静海区人民政府", Role::Coordinator).await;
    let ids = app
        .data(
            r#"{ indicators(filter: {regionCode: "120118", departmentId: null}, first: 5) { nodes { id } } }"#,
            json!({}),
        )
        .await;
    for node in ids["indicators"]["nodes"].as_array().expect("nodes") {
        let input = json!({ "indicatorId": node["id"], "period": "2024", "value": 1.0 });
        let recorded = app
            .graphql_as(
                &coordinator,
                "mutation($input: RecordActualInput!) { recordActual(input: $input) { actual { id } } }",
                json!({ "input": input }),
            )
            .await;
        assert!(recorded["errors"].is_null(), "setting up an actual failed: {recorded:#}");
    }
    // The caller's identity comes from memory once known: a warm-up request
    // loads it, and from then on a token costs no statement.
    app.warm_caller(&bureau).await;
    for token in [None, Some(bureau.as_str())] {
        let (small, small_rows) = statements_for(&app, token, 5).await;
        let (large, large_rows) = statements_for(&app, token, 50).await;
        assert!(
            large_rows > 5 * small_rows / 2,
            "page size 50 must return many more rows ({small_rows} vs {large_rows})"
        );
        assert_eq!(small, large, "statements at page size 5 vs 50 (rows {small_rows} vs {large_rows})");
        // One per relation and level: plans, their count; issuer, region, tasks,
        // indicators; parent, assignments, task indicators, targets, actuals,
        // latest actual; departments; their regions.
        assert_eq!(large, 14, "statements for one nested request (token: {})", token.is_some());
    }
}

#[tokio::test]
async fn a_node_lookup_by_a_known_caller_is_one_statement() {
    let app = spawn_app().await;
    let bureau = app.token("静海区发展改革委", Role::Bureau).await;
    let tasks = app.data("{ tasks(first: 1) { nodes { id } } }", json!({})).await;
    let id = tasks["tasks"]["nodes"][0]["id"].clone();
    app.warm_caller(&bureau).await;
    let before = app.statements.get();
    let body = app
        .graphql_as(&bureau, "query($id: ID!) { node(id: $id) { id ... on Task { code title } } }", json!({ "id": id }))
        .await;
    assert_eq!(body["data"]["node"]["id"], id, "{body:#}");
    assert_eq!(app.statements.get() - before, 1, "the task, with the caller's visibility inside the statement");
}
