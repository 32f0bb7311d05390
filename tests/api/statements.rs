//! A request's SQL statement count grows with the depth of its query, not
//! with the number of rows it returns (no N+1).

use crate::helpers::{TestApp, spawn_app_with};
use serde_json::json;
use xietong::access::Role;
use xietong::config::Limits;

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
    // A wide batch window, so the count shows the loaders' design, not this machine's scheduling under load.
    let app = spawn_app_with(Limits { batch_window_ms: 50, ..Limits::default() }).await;
    // Give some indicators actuals so the progress path has data to batch.
    let bureau = app.token("静海区发展改革委", Role::Bureau).await;
    let ids = app
        .data(
            r#"{ indicators(filter: {regionCode: "120118", departmentId: null}, first: 5) { nodes { id } } }"#,
            json!({}),
        )
        .await;
    for node in ids["indicators"]["nodes"].as_array().expect("nodes") {
        let input = json!({ "indicatorId": node["id"], "period": "2024", "value": 1.0 });
        app.graphql_as(
            &bureau,
            "mutation($input: RecordActualInput!) { recordActual(input: $input) { actual { id } } }",
            json!({ "input": input }),
        )
        .await;
    }
    for token in [None, Some(bureau.as_str())] {
        let (small, small_rows) = statements_for(&app, token, 5).await;
        let (large, large_rows) = statements_for(&app, token, 50).await;
        assert!(
            large_rows > 5 * small_rows / 2,
            "page size 50 must return many more rows ({small_rows} vs {large_rows})"
        );
        assert_eq!(small, large, "statements at page size 5 vs 50 (rows {small_rows} vs {large_rows})");
        assert!(large <= 25, "{large} statements for one nested request");
    }
}
