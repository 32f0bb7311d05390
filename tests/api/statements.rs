//! A request's SQL statement count grows with the depth of its query, not
//! with the number of rows it returns (no N+1).

use crate::helpers::{TestApp, spawn_app};
use serde_json::{Value, json};
use xietong::access::Role;

/// plans → tasks → assignments → departments → regions, and indicators →
/// targets, actuals and progress (latest actual). Every relation in it is
/// non-empty at both page sizes, so the same loaders run in both.
const NESTED: &str = "query($n: Int) { plans(first: $n) { totalCount nodes { title issuer { name } region { name }
    tasks(first: $n) { totalCount nodes { code parent { code } assignments { role department { name region { name } } }
        indicators(first: 3) { nodes { name } } } }
    indicators(first: $n) { nodes { name targets { year comparator value } actuals(last: 3) { nodes { value } }
        progress { status latestActual { value } } } } } } }";

/// The fewest statements of two identical requests: on PostgreSQL a commit's
/// notification can arrive late, and the caller cache then spends one statement
/// reading the feed, which is not the request's cost.
async fn statements_for(app: &TestApp, token: Option<&str>, page_size: i64) -> (u64, usize) {
    let first = statements_once(app, token, page_size).await;
    let second = statements_once(app, token, page_size).await;
    (first.0.min(second.0), second.1)
}

async fn statements_once(app: &TestApp, token: Option<&str>, page_size: i64) -> (u64, usize) {
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
        // latest actual; departments; their regions. (The departments' regions
        // were all cached from the plans' regions until the Jing-Jin-Ji measures
        // were assigned to agencies of Beijing and Hebei, regions no plan has:
        // 15, was 14.)
        assert_eq!(large, 15, "statements for one nested request (token: {})", token.is_some());
    }
}

/// Each nested list of tasks and indicators: its name, the list of its
/// parents (`tasks` or `indicators` of every plan) and its selection, where
/// `TOTAL` stands for `totalCount` when it is asked for.
const NESTED_LISTS: [(&str, &str, &str); 6] = [
    ("Task.children", "tasks", "children(first: 2) { TOTAL nodes { code } }"),
    ("Task.indicators", "tasks", "indicators(first: 2) { TOTAL nodes { name } }"),
    ("Task.progressReports", "tasks", "progressReports(last: 2) { TOTAL nodes { period } }"),
    ("Task.latestProgress", "tasks", "latestProgress { period }"),
    ("Indicator.actuals", "indicators", "actuals(first: 2, includeSuperseded: true) { TOTAL nodes { value } }"),
    ("Indicator.contributors", "indicators", "contributors(first: 2) { TOTAL nodes { name } }"),
];

/// What `{ plans { nodes { <parents>(first: n) { nodes { id <selection> } } } } }`
/// costs: its statements, its number of parents and the number of items the
/// nested lists returned.
///
/// The fewest statements of two runs, as in [`statements_for`].
async fn count(app: &TestApp, token: &str, parents: &str, selection: &str, n: i64) -> (u64, usize, usize) {
    let first = count_once(app, token, parents, selection, n).await;
    let second = count_once(app, token, parents, selection, n).await;
    (first.0.min(second.0), second.1, second.2)
}

async fn count_once(app: &TestApp, token: &str, parents: &str, selection: &str, n: i64) -> (u64, usize, usize) {
    let query =
        format!("query($n: Int) {{ plans {{ nodes {{ {parents}(first: $n) {{ nodes {{ id {selection} }} }} }} }} }}");
    let before = app.statements.get();
    let body = app.graphql_as(token, &query, json!({ "n": n })).await;
    assert!(body.get("errors").is_none(), "{query}: {body:#}");
    let statements = app.statements.get() - before;
    let parents: Vec<&Value> = body["data"]["plans"]["nodes"]
        .as_array()
        .expect("plans")
        .iter()
        .flat_map(|plan| plan[parents]["nodes"].as_array().expect("parents"))
        .collect();
    let field = selection.split(['(', ' ']).next().unwrap_or("");
    let items = parents
        .iter()
        .map(|parent| &parent[field])
        .map(|list| list["nodes"].as_array().map_or(usize::from(list.is_object()), Vec::len))
        .sum();
    (statements, parents.len(), items)
}

#[tokio::test]
async fn each_nested_list_costs_one_statement_per_level_for_a_few_parents_as_for_many() {
    let app = spawn_app().await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    // Reports and actuals on the first task and indicator of each plan (among the few parents) and on
    // the 41st (among the many).
    let ids = app
        .data(
            "{ plans { nodes { tasks(first: 60) { nodes { id } } indicators(first: 60) { nodes { id } } } } }",
            json!({}),
        )
        .await;
    for plan in ids["plans"]["nodes"].as_array().expect("plans") {
        for k in [0, 40] {
            if let Some(task) = plan["tasks"]["nodes"][k]["id"].as_str() {
                let input = json!({ "taskId": task, "period": "2024", "status": "IN_PROGRESS", "narrative": "进展" });
                let mutation =
                    "mutation($input: ReportProgressInput!) { reportProgress(input: $input) { report { id } } }";
                let body = app.graphql_as(&admin, mutation, json!({ "input": input })).await;
                assert!(body.get("errors").is_none(), "{body:#}");
            }
            if let Some(indicator) = plan["indicators"]["nodes"][k]["id"].as_str() {
                let input = json!({ "indicatorId": indicator, "period": "2024", "value": 1.0 });
                let mutation = "mutation($input: RecordActualInput!) { recordActual(input: $input) { actual { id } } }";
                let body = app.graphql_as(&admin, mutation, json!({ "input": input })).await;
                assert!(body.get("errors").is_none(), "{body:#}");
            }
        }
    }
    let bureau = app.token("静海区发展改革委", Role::Bureau).await;
    app.warm_caller(&admin).await;
    app.warm_caller(&bureau).await;
    let mut bases = std::collections::HashMap::new();
    for token in [&admin, &bureau] {
        for (list, parents, selection) in NESTED_LISTS {
            let mut seen = Vec::new();
            for n in [2, 100] {
                let key = (token.as_str(), parents, n);
                let base = match bases.get(&key) {
                    Some(base) => *base,
                    None => *bases.entry(key).or_insert(count(&app, token, parents, "", n).await.0),
                };
                let (plain, found, items) = count(&app, token, parents, &selection.replace("TOTAL", ""), n).await;
                assert_eq!(plain - base, 1, "{list} under {found} parents: one statement for the level");
                if selection.contains("TOTAL") {
                    let with_total = selection.replace("TOTAL", "totalCount");
                    let (total, _, _) = count(&app, token, parents, &with_total, n).await;
                    assert_eq!(total - base, 2, "{list} under {found} parents with totalCount: one more, to count");
                }
                seen.push((found, items));
            }
            // A few parents are paged with one `UNION ALL` arm each, many with a window function.
            let (few, many) = (seen[0], seen[1]);
            assert!(few.0 <= 20 && many.0 > 100, "{list}: parents {few:?} and {many:?}");
            assert!(many.1 > 0 && many.1 >= few.1, "{list}: items under {few:?} and {many:?} parents");
        }
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

/// The session settings `db::connect` promises for each store hold on the
/// connections requests use: on PostgreSQL no JIT compilation (a page
/// statement's estimated cost crossed `jit_above_cost`, and compiling it cost
/// a thousand times its run) and one generic plan per prepared statement (the
/// visibility statements were planned again at every execution), unless the
/// URL chooses its own plan cache mode; on SQLite the write-ahead log and
/// enforced foreign keys.
#[tokio::test]
async fn connections_carry_the_session_settings_of_their_store() {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    let app = spawn_app().await;
    let backend = app.db.get_database_backend();
    let setting = |sql: &'static str| {
        let db = app.db.clone();
        async move {
            let row = db.query_one_raw(Statement::from_string(backend, sql)).await.expect(sql).expect("one row");
            row.try_get_by_index::<String>(0)
                .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))
                .expect("a setting")
        }
    };
    match backend {
        DatabaseBackend::Postgres => {
            assert_eq!(setting("SHOW jit").await, "off");
            assert_eq!(setting("SHOW plan_cache_mode").await, "force_generic_plan");
            let separator = if app.database_url.contains('?') { '&' } else { '?' };
            let own = xietong::db::DatabaseSettings {
                database_url: format!("{}{separator}options=-c%20plan_cache_mode%3Dauto", app.database_url),
                db_max_connections: 1,
                db_acquire_timeout: 5,
            };
            let db = xietong::db::connect(&own).await.expect("connect with the URL's own options");
            let row = db
                .query_one_raw(Statement::from_string(backend, "SHOW plan_cache_mode"))
                .await
                .expect("SHOW")
                .expect("one row");
            assert_eq!(row.try_get_by_index::<String>(0).expect("a setting"), "auto", "the URL's own mode is kept");
            assert_eq!(
                db.query_one_raw(Statement::from_string(backend, "SHOW jit"))
                    .await
                    .expect("SHOW")
                    .expect("one row")
                    .try_get_by_index::<String>(0)
                    .expect("a setting"),
                "off"
            );
        }
        DatabaseBackend::Sqlite => {
            assert_eq!(setting("PRAGMA journal_mode").await, "wal");
            assert_eq!(setting("PRAGMA foreign_keys").await, "1");
        }
        other => panic!("unexpected store {other:?}"),
    }
}
