//! Hostile documents are refused before they cost anything, the server keeps
//! answering while they are in flight, and standard introspection is answered
//! under the default limits.

use crate::helpers::{TestApp, error_code, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use std::time::Duration;
use xietong::graphql::Limits;

/// `{ ...F0 }` where each fragment spreads the next one `width` times, `levels` deep.
fn amplified(levels: usize, width: usize) -> String {
    let mut text = String::from("{ ...F0 }");
    for level in 0..levels - 1 {
        let spreads = vec![format!("...F{}", level + 1); width].join(" ");
        text.push_str(&format!(" fragment F{level} on Query {{ {spreads} }}"));
    }
    text.push_str(&format!(" fragment F{} on Query {{ viewer {{ role }} }}", levels - 1));
    text
}

/// `open` `n` times, then `middle`, then `close` `n` times.
fn nested(open: &str, middle: &str, close: &str, n: usize) -> String {
    format!("{}{middle}{}", open.repeat(n), close.repeat(n))
}

/// Each hostile request body, what it is, and the code it must get.
fn corpus() -> Vec<(String, Value, &'static str)> {
    let mut corpus: Vec<(String, Value, &'static str)> = Vec::new();
    let mut query = |what: String, query: String, code| corpus.push((what, json!({ "query": query }), code));
    for (levels, width) in [(15, 4), (20, 4), (30, 4), (8, 16), (12, 8), (60, 2), (17, 16)] {
        query(format!("{levels} fragment levels × {width}"), amplified(levels, width), "QUERY_TOO_COMPLEX");
    }
    // A chain of fragments that each spread the next once: nothing amplified, only deep.
    query("a chain of 100 fragments".into(), amplified(100, 1), "QUERY_TOO_COMPLEX");
    query("a fragment spreading itself".into(), "{ ...A } fragment A on Query { ...A }".into(), "BAD_USER_INPUT");
    query(
        "two fragments spreading each other twice".into(),
        "{ ...A } fragment A on Query { viewer { role } ...B ...B } fragment B on Query { ...A ...A }".into(),
        "BAD_USER_INPUT",
    );
    let ring: String =
        (0..50).map(|i| format!(" fragment R{i} on Query {{ ...R{} ...R{} }}", (i + 1) % 50, i)).collect();
    query("a ring of 50 fragments".into(), format!("{{ ...R0 }}{ring}"), "BAD_USER_INPUT");
    query(
        "600 directives on one field".into(),
        format!("{{ viewer {} {{ role }} }}", "@include(if: true) ".repeat(600)),
        "QUERY_TOO_COMPLEX",
    );
    query(
        "directives amplified by fragments".into(),
        format!(
            "{{ ...D ...D ...D ...D ...D ...D ...D ...D }} fragment D on Query {{ viewer {{ {} }} }}",
            "role @skip(if: false) ".repeat(100)
        ),
        "QUERY_TOO_COMPLEX",
    );
    let aliases: String = (0..2_000).map(|i| format!("a{i}: __typename ")).collect();
    query("2,000 aliases".into(), format!("{{ {aliases}}}"), "QUERY_TOO_COMPLEX");
    query("6,000 fields".into(), format!("{{ {}}}", "__typename ".repeat(6_000)), "QUERY_TOO_COMPLEX");
    query("20,000 tokens".into(), format!("{{ {}}}", "__typename ".repeat(20_000)), "QUERY_TOO_COMPLEX");
    let variables: String = (0..20_000).map(|i| format!("$v{i}: Int ")).collect();
    query("20,000 variable definitions".into(), format!("query({variables}) {{ __typename }}"), "QUERY_TOO_COMPLEX");
    query(
        "selections nested 100 deep".into(),
        format!("{{{}}}", nested("viewer { ", "role", " }", 100)),
        "QUERY_TOO_COMPLEX",
    );
    query(
        "selections nested 60,000 deep".into(),
        format!("{{{}}}", nested("a{", "b", "}", 60_000)),
        "QUERY_TOO_COMPLEX",
    );
    // The deepest of each still fits in the default body limit.
    for n in [100, 100_000] {
        query(
            format!("a list argument nested {n} deep"),
            format!("{{ plans(filter: {}) {{ totalCount }} }}", nested("[", "1", "]", n)),
            "QUERY_TOO_COMPLEX",
        );
    }
    for n in [100, 40_000] {
        query(
            format!("an object argument nested {n} deep"),
            format!("{{ plans(filter: {}) {{ totalCount }} }}", nested("{a: ", "1", "}", n)),
            "QUERY_TOO_COMPLEX",
        );
    }
    query(
        "ofType nested 100 deep".into(),
        format!("{{ __type(name: \"Query\") {{ {} }} }}", nested("ofType { ", "name", " }", 100)),
        "QUERY_TOO_COMPLEX",
    );
    query(
        "ofType nested 40 deep".into(),
        format!("{{ __type(name: \"Query\") {{ {} }} }}", nested("ofType { ", "name", " }", 40)),
        "QUERY_TOO_COMPLEX",
    );
    query(
        "introspection lists nested 4 deep".into(),
        "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }".into(),
        "QUERY_TOO_COMPLEX",
    );
    query(
        "introspection lists nested through fragments".into(),
        "{ __schema { types { ...T } } } fragment T on __Type { fields { type { ...U } } } \
         fragment U on __Type { fields { type { fields { name } } } }"
            .into(),
        "QUERY_TOO_COMPLEX",
    );
    query(
        "introspection below a normal field takes the normal depth".into(),
        format!(
            "{{ __typename plans {{ totalCount }} __type(name: \"Query\") {{ {} }} }}",
            nested("ofType { ", "name", " }", 14)
        ),
        "QUERY_TOO_COMPLEX",
    );
    let filter = "query($f: PlanFilter) { plans(filter: $f) { totalCount } }";
    for (what, value) in [
        ("a list variable nested 100 deep", nested("[", "1", "]", 100)),
        ("a list variable nested 100,000 deep", nested("[", "1", "]", 100_000)),
        ("an object variable nested 100 deep", nested("{\"a\": ", "1", "}", 100)),
        ("an object variable nested 30,000 deep", nested("{\"a\": ", "1", "}", 30_000)),
    ] {
        let body = format!("{{\"query\": {}, \"variables\": {{\"f\": {value}}}}}", json!(filter));
        // Too deep for `serde_json::Value` to hold: sent as raw text (see `post_raw`).
        corpus.push((what.to_owned(), Value::String(body), "BAD_USER_INPUT"));
    }
    corpus
}

/// POSTs a corpus body: a JSON value, or (a string) the raw JSON text of the request.
async fn post(client: &reqwest::Client, address: &str, body: &Value) -> Value {
    let request = client.post(format!("{address}/graphql"));
    let request = match body {
        Value::String(raw) => request.header("content-type", "application/json").body(raw.clone()),
        body => request.json(body),
    };
    let response = request.send().await.expect("request");
    response.json().await.expect("JSON body")
}

/// The start of a response, for assertion messages (parser errors quote the whole query).
fn brief(body: &Value) -> String {
    body.to_string().chars().take(2_000).collect()
}

async fn assert_refused(app: &TestApp, what: &str, body: &Value, code: &str) {
    let before = app.statements.get();
    let answer = post(&app.client, &app.address, body).await;
    assert_eq!(error_code(&answer), Some(code), "{what}: {}", brief(&answer));
    assert!(answer["data"].is_null(), "{what}: nothing may run");
    assert_eq!(app.statements.get(), before, "{what}: no statement may run for a refused document");
}

#[tokio::test]
async fn every_hostile_document_is_refused_before_any_work() {
    let app = spawn_app().await;
    let outcome = tokio::time::timeout(Duration::from_secs(120), async {
        for (what, body, code) in corpus() {
            assert_refused(&app, &what, &body, code).await;
        }
    })
    .await;
    assert!(outcome.is_ok(), "the corpus took more than two minutes: some document is not refused at once");
}

#[tokio::test]
async fn the_server_keeps_answering_while_hostile_documents_are_in_flight() {
    let app = spawn_app().await;
    let outcome = tokio::time::timeout(Duration::from_secs(120), async {
        // Several of each, more than the server has workers.
        let hostile: Vec<_> = corpus()
            .into_iter()
            .filter(|(what, _, _)| what.contains("fragment") || what.contains("tokens"))
            .chain(corpus().into_iter().filter(|(what, _, _)| what.contains("× 4")))
            .map(|(what, body, code)| {
                let (client, address) = (app.client.clone(), app.address.clone());
                tokio::spawn(async move { (what, code, post(&client, &address, &body).await) })
            })
            .collect();
        assert!(hostile.len() >= 8);
        // Answered while the hostile requests were sent and may still be running.
        let health = app.client.get(format!("{}/healthz", app.address)).send().await.expect("healthz");
        assert!(health.status().is_success(), "{}", health.status());
        let body = app.graphql("{ plans { totalCount } }", json!({})).await;
        assert_eq!(body["data"]["plans"]["totalCount"], 7, "{body}");
        for task in hostile {
            let (what, code, answer) = task.await.expect("request task");
            assert_eq!(error_code(&answer), Some(code), "{what}: {}", brief(&answer));
        }
    })
    .await;
    assert!(outcome.is_ok(), "requests hung while hostile documents were in flight");
}

/// The texts of graphql-js `getIntrospectionQuery()` in every combination of its options.
fn introspection_queries() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/introspection");
    let mut queries: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("the introspection fixtures")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "graphql"))
        .map(|path| (path.display().to_string(), std::fs::read_to_string(&path).expect("a fixture")))
        .collect();
    queries.sort();
    assert_eq!(queries.len(), 64, "one fixture for each of the 2^6 option combinations");
    queries
}

#[tokio::test]
async fn standard_introspection_is_answered_under_the_default_limits() {
    let app = spawn_app().await;
    for (file, query) in introspection_queries() {
        let body = app.graphql(&query, json!({})).await;
        assert!(body.get("errors").is_none(), "{file}: {}", brief(&body));
        let schema = &body["data"]["__schema"];
        assert_eq!(schema["queryType"]["name"], "Query", "{file}");
        let types = schema["types"].as_array().expect("types");
        assert!(types.iter().any(|t| t["name"] == "Plan" && t["fields"].as_array().is_some_and(|f| !f.is_empty())));
        assert!(!schema["directives"].as_array().expect("directives").is_empty(), "{file}");
    }
}

#[tokio::test]
async fn introspection_can_be_turned_off() {
    let app = spawn_app_with(Limits { no_introspection: true, ..Limits::default() }).await;
    for (file, query) in introspection_queries() {
        let body = app.graphql(&query, json!({})).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{file}: {}", brief(&body));
        assert!(body["data"].is_null(), "{file}: {}", brief(&body));
        let message = body["errors"][0]["message"].as_str().unwrap_or("");
        assert!(message.contains("/schema.graphql"), "{message}");
    }
    let body = app.graphql("{ __type(name: \"Plan\") { name } }", json!({})).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    // `__typename` is not introspection of the schema, and the SDL stays published.
    let body = app.graphql("{ __typename plans { totalCount } }", json!({})).await;
    assert_eq!(body["data"]["__typename"], "Query", "{body}");
    let sdl = app.client.get(format!("{}/schema.graphql", app.address)).send().await.expect("SDL");
    assert!(sdl.text().await.expect("SDL text").contains("type Query"));
}
