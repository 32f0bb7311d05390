//! Random valid and invalid GraphQL documents and variables against the real
//! server, for a bounded number of cases (`XIETONG_FUZZ_CASES`, default 400;
//! `XIETONG_FUZZ_SEED` to reproduce a run): no panic, no 5xx, every error
//! has a known code, and the server still answers afterwards.

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
    match rng.random_range(0..12) {
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
