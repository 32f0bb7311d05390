//! Random valid and invalid GraphQL documents and variables against the real
//! server, for a bounded number of cases (`XIETONG_FUZZ_CASES`, default 400;
//! `XIETONG_FUZZ_SEED` to reproduce a run): no panic, no 5xx, every error
//! has a known code, and the server still answers afterwards. A second test
//! sends NUL and other control characters in every kind of string argument,
//! and cursors of other lists and sort orders and forged ones to every list:
//! each is BAD_USER_INPUT, never INTERNAL or a 5xx, on either store.

use crate::helpers::spawn_app;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use xietong::access::Role;

const CODES: [&str; 9] = [
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "BAD_USER_INPUT",
    "CONFLICT",
    "QUERY_TOO_COMPLEX",
    "RATE_LIMITED",
    "SERVICE_UNAVAILABLE",
    "INTERNAL",
];

const LISTS: [&str; 6] = ["regions", "departments", "plans", "tasks", "indicators", "changes"];
const MUTATIONS: [&str; 8] = [
    "createPlan",
    "updatePlan",
    "archivePlan",
    "reportProgress",
    "recordActual",
    "setTarget",
    "assignDepartment",
    "revokeToken",
];
const FIELDS: [&str; 22] = [
    "id",
    "title",
    "name",
    "code",
    "totalCount",
    "unit",
    "documentNumber",
    "issuedOn",
    "status",
    "kind",
    "version",
    "sharingClass",
    "body",
    "year",
    "value",
    "aliases",
    "sequence",
    "entity",
    "nameEn",
    "dueYear",
    "__typename",
    "bogus",
];
const NESTED: [&str; 12] = [
    "region",
    "issuer",
    "plan",
    "task",
    "tasks",
    "indicators",
    "assignments",
    "department",
    "targets",
    "actuals",
    "progress",
    "children",
];
const FILTER_KEYS: [&str; 10] = [
    "search",
    "regionId",
    "regionCode",
    "planId",
    "departmentId",
    "status",
    "year",
    "kind",
    "nonsense",
    "includeSubregions",
];

fn scalar(rng: &mut StdRng) -> String {
    match rng.random_range(0..15) {
        12 => format!("\"{}\"", HOSTILE_LITERALS.choose(rng).copied().unwrap_or("\\u0000")),
        13 => format!("\"{}\"", "%_".repeat(rng.random_range(100..25_000))),
        14 => format!("\"{}\"", FORGED_CURSORS.choose(rng).copied().unwrap_or("")),
        0 => rng.random_range(-5..200).to_string(),
        1 => i64::MAX.to_string(),
        2 => "-2147483649".into(),
        3 => format!("\"{}\"", ["静海", "", "%", "_", "\\\\", "a'b", "120118"].choose(rng).copied().unwrap_or("")),
        4 => "true".into(),
        5 => "null".into(),
        6 => "3.14".into(),
        7 => "IN_FORCE".into(),
        8 => "[1, 2]".into(),
        9 => format!("\"{}\"", "长".repeat(rng.random_range(0..3000))),
        10 => "{ a: 1 }".into(),
        _ => "\"UGxhbjowMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDA\"".into(),
    }
}

/// String literals (GraphQL escapes) with NUL and other control characters.
const HOSTILE_LITERALS: [&str; 6] = ["\\u0000", "a\\u0000b", "\\u0001\\u001f", "\\u001b[2J", "x\\u007f", "\\u0008"];

/// Cursors no list issued (base64url of JSON): untagged, of a wrong kind,
/// with a NUL, a float, a null, garbage.
const FORGED_CURSORS: [&str; 6] = [
    "WyJhIiwiYiJd",
    "WyJUYXNrLmRvY09yZGVyOmFzYyIsNSwieCJd",
    "WyJUYXNrLmRvY09yZGVyOmFzYyIsImFcdTAwMDAiLCJ4Il0",
    "WyJUYXNrLmR1ZVllYXI6YXNjIiwxLjUsIngiXQ",
    "WyJSZWdpb24ubmFtZTphc2MiLG51bGwsIngiXQ",
    "%%%",
];

fn selection(rng: &mut StdRng, depth: usize) -> String {
    let mut fields: Vec<String> =
        (0..rng.random_range(1..5)).map(|_| FIELDS.choose(rng).copied().unwrap_or("id").to_owned()).collect();
    if depth < 6 && rng.random_bool(0.6) {
        let nested = NESTED.choose(rng).copied().unwrap_or("region");
        fields.push(format!("{nested} {{ {} }}", selection(rng, depth + 1)));
    }
    if depth < 4 && rng.random_bool(0.3) {
        fields.push(format!("nodes {{ {} }}", selection(rng, depth + 1)));
    }
    fields.join(" ")
}

fn arguments(rng: &mut StdRng) -> String {
    let mut args = Vec::new();
    for key in ["first", "last", "after", "before"] {
        if rng.random_bool(0.25) {
            args.push(format!("{key}: {}", scalar(rng)));
        }
    }
    if rng.random_bool(0.5) {
        let entries: Vec<String> = (0..rng.random_range(0..4))
            .map(|_| format!("{}: {}", FILTER_KEYS.choose(rng).copied().unwrap_or("search"), scalar(rng)))
            .collect();
        args.push(format!("filter: {{ {} }}", entries.join(", ")));
    }
    if args.is_empty() { String::new() } else { format!("({})", args.join(", ")) }
}

/// A document that is often valid, sometimes subtly not, occasionally garbage.
fn document(rng: &mut StdRng) -> (String, Value) {
    match rng.random_range(0..10) {
        0 => {
            // Token soup.
            let parts = ["{", "}", "(", ")", "query", "mutation", "plans", ":", "$x", "\"", "...", "@skip", "#", "字"];
            let soup: Vec<&str> =
                (0..rng.random_range(0..40)).map(|_| parts.choose(rng).copied().unwrap_or("{")).collect();
            (soup.join(" "), json!({}))
        }
        1 | 2 => {
            let name = MUTATIONS.choose(rng).copied().unwrap_or("createPlan");
            let entries: Vec<String> = (0..rng.random_range(0..5))
                .map(|_| {
                    let key = [
                        "id",
                        "title",
                        "taskId",
                        "indicatorId",
                        "period",
                        "value",
                        "expectedVersion",
                        "jti",
                        "regionId",
                    ]
                    .choose(rng)
                    .copied()
                    .unwrap_or("id");
                    format!("{key}: {}", scalar(rng))
                })
                .collect();
            (format!("mutation {{ {name}(input: {{ {} }}) {{ __typename }} }}", entries.join(", ")), json!({}))
        }
        3 => {
            let query = "query($id: ID!, $n: Int, $f: PlanFilter) { node(id: $id) { id } plans(first: $n, filter: $f) { totalCount } }";
            let ids = [json!("x"), json!(5), json!(null), json!("UGxhbjp4")];
            let sizes = [json!(3), json!(-1), json!("3"), json!(1e20)];
            let filters = [json!({"year": 2025}), json!({"bogus": 1}), json!("x"), json!({"regionCode": ["120118"]})];
            let mut variables = serde_json::Map::new();
            variables.insert("id".into(), ids.choose(rng).cloned().unwrap_or(Value::Null));
            variables.insert("n".into(), sizes.choose(rng).cloned().unwrap_or(Value::Null));
            variables.insert("f".into(), filters.choose(rng).cloned().unwrap_or(Value::Null));
            let variables = Value::Object(variables);
            (query.to_owned(), variables)
        }
        _ => {
            let list = LISTS.choose(rng).copied().unwrap_or("plans");
            let body = format!("totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {} }}", selection(rng, 0));
            (format!("{{ {list}{} {{ {body} }} }}", arguments(rng)), json!({}))
        }
    }
}

#[tokio::test]
async fn random_documents_never_crash_the_server_and_every_error_has_a_code() {
    let app = spawn_app().await;
    let cases: usize = std::env::var("XIETONG_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(400);
    let seed: u64 = std::env::var("XIETONG_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(20261122);
    let mut rng = StdRng::seed_from_u64(seed);
    let tokens = [
        None,
        Some(app.token("静海区发展改革委", Role::Bureau).await),
        Some(app.token("天津市人民政府", Role::Admin).await),
    ];
    for case in 0..cases {
        let (query, variables) = document(&mut rng);
        let token = tokens.choose(&mut rng).cloned().flatten();
        let mut request = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = &token {
            request = request.bearer_auth(token);
        }
        let response =
            request.send().await.unwrap_or_else(|e| panic!("case {case} (seed {seed}): no response: {e}\n{query}"));
        let status = response.status();
        assert!(status.as_u16() < 500, "case {case} (seed {seed}): status {status}\n{query}");
        let body: Value = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("case {case} (seed {seed}): body is not JSON: {e}\n{query}"));
        for error in body["errors"].as_array().into_iter().flatten() {
            let code = error["extensions"]["code"].as_str();
            assert!(
                code.is_some_and(|c| CODES.contains(&c)),
                "case {case} (seed {seed}): error without a known code: {error}\n{query}"
            );
            assert_ne!(code, Some("INTERNAL"), "case {case} (seed {seed}): internal error for\n{query}\n{body}");
        }
    }
    let health = app.client.get(format!("{}/healthz", app.address)).send().await.expect("alive");
    assert_eq!(health.status(), 200);
}

/// Asserts a caller's fault: a 4xx-or-200 answer whose errors are all BAD_USER_INPUT.
fn assert_callers_fault(case: &str, status: reqwest::StatusCode, body: &Value) {
    assert!(status.as_u16() < 500, "{case}: status {status}: {body}");
    let codes: Vec<&str> =
        body["errors"].as_array().into_iter().flatten().filter_map(|e| e["extensions"]["code"].as_str()).collect();
    assert!(!codes.is_empty() && codes.iter().all(|c| *c == "BAD_USER_INPUT"), "{case}: {body}");
}

#[tokio::test]
async fn hostile_strings_and_foreign_cursors_are_bad_user_input_in_every_argument() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let auth = Some(format!("Bearer {admin}"));
    let task_id =
        app.data("{ tasks(first: 1) { nodes { id version } } }", json!({})).await["tasks"]["nodes"][0].clone();
    let (id, version) = (task_id["id"].clone(), task_id["version"].clone());
    #[rustfmt::skip]
    let arguments: Vec<(&str, String)> = vec![
        ("search", "query($s: String) { tasks(filter: { search: $s }) { totalCount } }".into()),
        ("regionCode", "query($s: String) { plans(filter: { regionCode: $s }) { totalCount } }".into()),
        ("id", "query($s: ID!) { node(id: $s) { id } }".into()),
        ("planId", "query($s: ID) { tasks(filter: { planId: $s }) { totalCount } }".into()),
        ("after", "query($s: String) { indicators(after: $s) { totalCount } }".into()),
        ("entity", "query($s: ChangeEntity) { changes(filter: { entity: $s }) { totalCount } }".into()),
        ("narrative", format!(r#"mutation($s: String!) {{ reportProgress(input: {{ taskId: {id}, period: "2025", status: IN_PROGRESS, narrative: $s }}) {{ __typename }} }}"#)),
        ("period", format!(r#"mutation($s: String!) {{ reportProgress(input: {{ taskId: {id}, period: $s, status: IN_PROGRESS, narrative: "x" }}) {{ __typename }} }}"#)),
        ("idempotencyKey", format!(r#"mutation($s: String) {{ reportProgress(input: {{ taskId: {id}, period: "2025", status: IN_PROGRESS, narrative: "x", idempotencyKey: $s }}) {{ __typename }} }}"#)),
        ("title", format!("mutation($s: String) {{ updateTask(input: {{ id: {id}, expectedVersion: {version}, title: $s }}) {{ __typename }} }}")),
        ("jti", "mutation($s: String!) { revokeToken(input: { jti: $s }) { jti } }".into()),
        ("alias", "mutation($s: String!) { addDepartmentAlias(input: { departmentId: \"x\", alias: $s }) { __typename } }".into()),
    ];
    for (name, query) in &arguments {
        for value in ["\u{0}", "a\u{0}b", "\u{1}\u{1f}", "\u{1b}[2J", "x\u{7f}", "\u{8}"] {
            let (status, body) = app.post_graphql(auth.as_deref(), query, json!({ "s": value })).await;
            assert_callers_fault(&format!("{name} = {value:?}"), status, &body);
        }
    }

    // Every list's cursors, in every sort order, given to every other list and order.
    let orders: [(&str, &[&str]); 5] = [
        ("tasks", &["", "orderBy: { field: TITLE }", "orderBy: { field: DUE_YEAR, direction: DESC }"]),
        ("plans", &["", "orderBy: { field: TITLE, direction: DESC }"]),
        ("indicators", &["", "orderBy: { field: NAME }"]),
        ("regions", &["", "orderBy: { field: NAME }"]),
        ("departments", &[""]),
    ];
    let mut cursors = Vec::new();
    for (list, sorts) in orders {
        for sort in sorts {
            let data =
                app.data(&format!("{{ {list}(first: 2 {sort}) {{ pageInfo {{ endCursor }} }} }}"), json!({})).await;
            let cursor = data[list]["pageInfo"]["endCursor"].as_str().expect("a cursor").to_owned();
            cursors.push((list, *sort, cursor));
        }
    }
    for (list, sorts) in orders {
        for sort in sorts {
            for (from_list, from_sort, cursor) in &cursors {
                let query = format!("query($c: String) {{ {list}(first: 2, after: $c {sort}) {{ totalCount }} }}");
                let (status, body) = app.post_graphql(None, &query, json!({ "c": cursor })).await;
                let case = format!("{list} {sort} with a cursor of {from_list} {from_sort}");
                if (*from_list, *from_sort) == (list, *sort) {
                    assert!(status.is_success() && body.get("errors").is_none(), "{case}: {body}");
                } else {
                    assert_callers_fault(&case, status, &body);
                }
            }
            for forged in FORGED_CURSORS {
                let query = format!("query($c: String) {{ {list}(last: 2, before: $c {sort}) {{ totalCount }} }}");
                let (status, body) = app.post_graphql(None, &query, json!({ "c": forged })).await;
                assert_callers_fault(&format!("{list} {sort} with {forged}"), status, &body);
            }
        }
    }
}
