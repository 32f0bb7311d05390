//! Paging forward and backward through every root list never skips or repeats.

use crate::helpers::{TestApp, spawn_app};
use serde_json::{Value, json};
use std::collections::HashSet;

async fn page(app: &TestApp, list: &str, order: &str, args: Value) -> Value {
    let query = format!(
        "query($first: Int, $after: String, $last: Int, $before: String) {{
           {list}(first: $first, after: $after, last: $last, before: $before{order}) {{
             totalCount
             pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
             edges {{ cursor node {{ id }} }}
             nodes {{ id }}
           }}
         }}"
    );
    app.data(&query, args).await[list].clone()
}

fn ids(conn: &Value) -> Vec<String> {
    let nodes: Vec<String> =
        conn["nodes"].as_array().expect("nodes").iter().map(|n| n["id"].as_str().expect("id").to_owned()).collect();
    let edges: Vec<String> = conn["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(nodes, edges, "nodes and edges disagree");
    nodes
}

/// Walks `list` forward with `first: size`, then backward with `last: size`,
/// and checks both walks see every record exactly once, in mirrored order.
async fn walk(app: &TestApp, list: &str, order: &str, size: i64) {
    let mut forward = Vec::new();
    let mut after: Option<String> = None;
    let mut total = None;
    loop {
        let conn = page(app, list, order, json!({ "first": size, "after": after })).await;
        total.get_or_insert(conn["totalCount"].as_u64().expect("totalCount"));
        let chunk = ids(&conn);
        assert!(chunk.len() as i64 <= size);
        forward.extend(chunk);
        if !conn["pageInfo"]["hasNextPage"].as_bool().expect("hasNextPage") {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        assert!(forward.len() < 10_000, "paging does not terminate");
    }
    let mut backward = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let conn = page(app, list, order, json!({ "last": size, "before": before })).await;
        let mut chunk = ids(&conn);
        chunk.extend(backward);
        backward = chunk;
        if !conn["pageInfo"]["hasPreviousPage"].as_bool().expect("hasPreviousPage") {
            break;
        }
        before = conn["pageInfo"]["startCursor"].as_str().map(str::to_owned);
        assert!(backward.len() < 10_000, "paging does not terminate");
    }
    let total = total.expect("a first page") as usize;
    let unique: HashSet<&String> = forward.iter().collect();
    assert_eq!(unique.len(), forward.len(), "{list}{order}: forward paging repeated a record");
    assert_eq!(forward.len(), total, "{list}{order}: forward paging saw {} of {total}", forward.len());
    assert_eq!(forward, backward, "{list}{order}: backward paging differs from forward paging");
    assert!(total > 0, "{list} is empty in the default dataset");
}

#[tokio::test]
async fn every_root_list_pages_forward_and_backward_without_gaps_or_repeats() {
    let app = spawn_app().await;
    walk(&app, "regions", "", 4).await;
    walk(&app, "regions", ", orderBy: {field: NAME, direction: DESC}", 5).await;
    walk(&app, "departments", "", 9).await;
    walk(&app, "plans", "", 2).await;
    walk(&app, "plans", ", orderBy: {field: TITLE, direction: DESC}", 1).await;
    walk(&app, "tasks", "", 25).await;
    walk(&app, "tasks", ", orderBy: {field: DUE_YEAR, direction: DESC}", 30).await;
    walk(&app, "indicators", "", 7).await;
    walk(&app, "indicators", ", orderBy: {field: NAME}", 11).await;
}

#[tokio::test]
async fn nested_lists_page_like_root_lists() {
    let app = spawn_app().await;
    let query = "query($after: String) { plans(filter: {regionCode: \"120118\"}) { nodes {
        tasks(first: 4, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } nodes { id } } } } }";
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut total;
    loop {
        let data = app.data(query, json!({ "after": after })).await;
        let conn = &data["plans"]["nodes"][0]["tasks"];
        total = conn["totalCount"].as_u64().expect("totalCount");
        seen.extend(ids(conn));
        if !conn["pageInfo"]["hasNextPage"].as_bool().expect("hasNextPage") {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!((unique.len(), seen.len()), (total as usize, total as usize));
    assert!(total > 10);
}

#[tokio::test]
async fn bad_paging_arguments_are_refused_with_bad_user_input() {
    let app = spawn_app().await;
    for args in ["first: 101", "first: -1", "first: 2, last: 2", "after: \"not-a-cursor\"", "last: 2, after: \"x\""] {
        let body = app.graphql(&format!("{{ plans({args}) {{ nodes {{ id }} }} }}"), json!({})).await;
        assert_eq!(crate::helpers::error_code(&body), Some("BAD_USER_INPUT"), "{args}: {body}");
    }
}
