//! GraphQL over HTTP (<https://graphql.github.io/graphql-over-http/draft/>):
//! the status code, media type and error shape of every kind of answer of
//! `/graphql`, and the `graphql-http` package's `serverAudits` run against a
//! real server (tests/clients/graphql-http-audit).

use crate::helpers::spawn_app_configured;
use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value, json};
use xietong::graphql::Limits;
use xietong::http::rate_limit::RateLimitSettings;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// What came back: status, `Content-Type`, all headers and the body as JSON.
struct Answer {
    status: StatusCode,
    content_type: String,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    async fn of(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let text = response.text().await.expect("a body");
        let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        Self { status, content_type, headers, body }
    }

    /// Asserts the refusal shape: one error with a message and a code, no `data`.
    fn assert_refusal(&self, status: StatusCode, media: &str, code: &str) {
        assert_eq!(self.status, status, "{:#}", self.body);
        assert!(
            self.content_type.starts_with(media),
            "Content-Type {} for {media}: {:#}",
            self.content_type,
            self.body
        );
        assert!(self.body.get("data").is_none(), "a refusal has no data: {:#}", self.body);
        assert_eq!(self.body["errors"].as_array().map(Vec::len), Some(1), "{:#}", self.body);
        assert!(self.body["errors"][0]["message"].as_str().is_some_and(|m| !m.is_empty()), "{:#}", self.body);
        assert_eq!(self.body["errors"][0]["extensions"]["code"], code, "{:#}", self.body);
    }
}

/// POSTs `body` as JSON with the given `Accept` (none when `None`).
async fn post(app: &TestApp, accept: Option<&str>, body: &str) -> Answer {
    let mut request =
        app.client.post(format!("{}/graphql", app.address)).header(CONTENT_TYPE, JSON).body(body.to_owned());
    if let Some(accept) = accept {
        request = request.header(ACCEPT, accept);
    }
    Answer::of(request.send().await.expect("request")).await
}

#[tokio::test]
async fn the_answer_is_in_the_media_type_the_accept_header_ranks_highest() {
    let app = spawn_app().await;
    let query = r#"{"query":"{ __typename }"}"#;
    for (accept, expected) in [
        (None, JSON),
        (Some("*/*"), JSON),
        (Some("application/json"), JSON),
        (Some("application/graphql-response+json"), GRAPHQL_RESPONSE),
        (Some("application/graphql-response+json, application/json;q=0.9"), GRAPHQL_RESPONSE),
        (Some("application/json, application/graphql-response+json;q=0.5"), JSON),
        (Some("text/html,application/xhtml+xml,*/*;q=0.8"), JSON),
    ] {
        let answer = post(&app, accept, query).await;
        assert_eq!(answer.status, StatusCode::OK, "Accept {accept:?}");
        assert!(answer.content_type.starts_with(expected), "Accept {accept:?}: {}", answer.content_type);
        assert!(answer.content_type.contains("charset=utf-8"), "{}", answer.content_type);
        assert_eq!(answer.body, json!({ "data": { "__typename": "Query" } }));
    }
    let answer = post(&app, Some("text/html"), query).await;
    answer.assert_refusal(StatusCode::NOT_ACCEPTABLE, JSON, "BAD_USER_INPUT");
}

#[tokio::test]
async fn request_errors_are_400_without_data_in_graphql_response_json_and_200_in_json() {
    let app = spawn_app().await;
    let cases = [
        ("a syntax error", json!({ "query": "{" })),
        ("a validation error", json!({ "query": "{ noSuchField }" })),
        (
            "a variable coercion error",
            json!({ "query": "query Q($id: ID!) { node(id: $id) { id } }", "variables": { "id": null } }),
        ),
        ("an unknown operation", json!({ "query": "query A { __typename }", "operationName": "B" })),
    ];
    for (what, body) in cases {
        let answer = post(&app, Some(GRAPHQL_RESPONSE), &body.to_string()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{what}: {:#}", answer.body);
        assert!(answer.content_type.starts_with(GRAPHQL_RESPONSE), "{what}: {}", answer.content_type);
        assert!(answer.body.get("data").is_none(), "{what}: {:#}", answer.body);
        assert_eq!(answer.body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{what}: {:#}", answer.body);

        // The legacy media type keeps the old behaviour: 200 and `"data": null`.
        let answer = post(&app, Some(JSON), &body.to_string()).await;
        assert_eq!(answer.status, StatusCode::OK, "{what}: {:#}", answer.body);
        assert!(answer.content_type.starts_with(JSON), "{what}: {}", answer.content_type);
        assert_eq!(answer.body["data"], Value::Null, "{what}: {:#}", answer.body);
        assert_eq!(answer.body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{what}: {:#}", answer.body);
    }
}

#[tokio::test]
async fn an_executed_operation_with_field_errors_is_200_with_data_in_both_media_types() {
    let app = spawn_app().await;
    // A node that does not exist: the field is null with an error at its path.
    let body = json!({ "query": r#"{ __typename node(id: "UGxhbjpub25l") { id } }"# }).to_string();
    for accept in [GRAPHQL_RESPONSE, JSON] {
        let answer = post(&app, Some(accept), &body).await;
        assert_eq!(answer.status, StatusCode::OK, "{accept}: {:#}", answer.body);
        assert_eq!(answer.body["data"]["__typename"], "Query", "{accept}: {:#}", answer.body);
        if let Some(errors) = answer.body["errors"].as_array() {
            assert!(errors.iter().all(|e| e["path"].is_array()), "{accept}: {:#}", answer.body);
        }
    }
}

#[tokio::test]
async fn malformed_requests_are_400_with_a_clean_message() {
    let app = spawn_app().await;
    let cases: [(&str, &str, &str); 14] = [
        ("no query", r#"{"notquery":"{ __typename }"}"#, "`query`"),
        ("a null query", r#"{"query":null}"#, "`query`"),
        ("an empty query", r#"{"query":"  "}"#, "`query`"),
        ("an object query", r#"{"query":{"obj":"ect"}}"#, "`query` must be a string"),
        ("a number query", r#"{"query":0}"#, "`query` must be a string"),
        ("a list query", r#"{"query":["array"]}"#, "`query` must be a string"),
        ("a number operationName", r#"{"query":"{ __typename }","operationName":0}"#, "`operationName`"),
        ("a string variables", r#"{"query":"{ __typename }","variables":"string"}"#, "`variables`"),
        ("a list variables", r#"{"query":"{ __typename }","variables":["array"]}"#, "`variables`"),
        ("a boolean extensions", r#"{"query":"{ __typename }","extensions":false}"#, "`extensions`"),
        ("a body that is not JSON", r#"{ "not a JSON"#, "not JSON"),
        ("an empty body", "", "empty"),
        ("a number body", "0", "JSON object"),
        ("an empty batch", "[]", "batch"),
    ];
    for accept in [GRAPHQL_RESPONSE, JSON] {
        for (what, body, mentions) in cases {
            let answer = post(&app, Some(accept), body).await;
            answer.assert_refusal(StatusCode::BAD_REQUEST, accept, "BAD_USER_INPUT");
            let message = answer.body["errors"][0]["message"].as_str().unwrap_or_default();
            assert!(message.contains(mentions), "{what}: {message}");
            assert!(!message.contains("-->") && !message.contains("expected"), "{what}: parser trace: {message}");
        }
    }
    // Null parameters are allowed.
    let body = r#"{"query":"{ __typename }","operationName":null,"variables":null,"extensions":null}"#;
    let answer = post(&app, Some(GRAPHQL_RESPONSE), body).await;
    assert_eq!((answer.status, answer.body), (StatusCode::OK, json!({ "data": { "__typename": "Query" } })));
}

#[tokio::test]
async fn a_post_whose_body_is_not_declared_json_in_utf8_is_415() {
    let app = spawn_app().await;
    let url = format!("{}/graphql", app.address);
    let body = r#"{"query":"{ __typename }"}"#;
    for content_type in
        [None, Some("text/plain"), Some("application/graphql"), Some("application/json; charset=latin1")]
    {
        let mut request = app.client.post(&url).header(ACCEPT, GRAPHQL_RESPONSE).body(body);
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        let answer = Answer::of(request.send().await.unwrap()).await;
        answer.assert_refusal(StatusCode::UNSUPPORTED_MEDIA_TYPE, GRAPHQL_RESPONSE, "BAD_USER_INPUT");
        assert!(answer.body["errors"][0]["message"].as_str().unwrap().contains("application/json"), "{content_type:?}");
    }
    let answer = Answer::of(
        app.client.post(&url).header(CONTENT_TYPE, "Application/JSON; charset=UTF-8").body(body).send().await.unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{:#}", answer.body);
}

#[tokio::test]
async fn get_runs_queries_and_refuses_mutations_with_405() {
    let app = spawn_app().await;
    let url = format!("{}/graphql", app.address);
    let get = |query: &str, extra: &[(&str, &str)]| {
        let mut params = vec![("query", query.to_owned())];
        params.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
        app.client.get(&url).header(ACCEPT, GRAPHQL_RESPONSE).query(&params).send()
    };
    let answer = Answer::of(
        get("query Type($name: String!) { __type(name: $name) { name } }", &[("variables", r#"{"name":"Plan"}"#)])
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((answer.status, answer.body), (StatusCode::OK, json!({ "data": { "__type": { "name": "Plan" } } })));

    let mutation = "mutation { __typename }";
    let answer = Answer::of(get(mutation, &[]).await.unwrap()).await;
    answer.assert_refusal(StatusCode::METHOD_NOT_ALLOWED, GRAPHQL_RESPONSE, "BAD_USER_INPUT");
    assert_eq!(answer.headers.get("allow").unwrap(), "POST");
    // The operation actually selected decides.
    let document = "query Q { __typename } mutation M { __typename }";
    let answer = Answer::of(get(document, &[("operationName", "M")]).await.unwrap()).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{:#}", answer.body);
    let answer = Answer::of(get(document, &[("operationName", "Q")]).await.unwrap()).await;
    assert_eq!(answer.status, StatusCode::OK, "{:#}", answer.body);

    let answer = Answer::of(app.client.get(&url).header(ACCEPT, JSON).send().await.unwrap()).await;
    answer.assert_refusal(StatusCode::BAD_REQUEST, JSON, "BAD_USER_INPUT");
    let answer = Answer::of(get("{ __typename }", &[("variables", "not json")]).await.unwrap()).await;
    answer.assert_refusal(StatusCode::BAD_REQUEST, GRAPHQL_RESPONSE, "BAD_USER_INPUT");
}

#[tokio::test]
async fn other_methods_are_405_naming_get_and_post() {
    let app = spawn_app().await;
    for method in [reqwest::Method::PUT, reqwest::Method::DELETE, reqwest::Method::PATCH, reqwest::Method::OPTIONS] {
        let response = app
            .client
            .request(method.clone(), format!("{}/graphql", app.address))
            .header(ACCEPT, GRAPHQL_RESPONSE)
            .send()
            .await
            .unwrap();
        let answer = Answer::of(response).await;
        answer.assert_refusal(StatusCode::METHOD_NOT_ALLOWED, GRAPHQL_RESPONSE, "BAD_USER_INPUT");
        assert_eq!(answer.headers.get("allow").unwrap(), "GET, POST", "{method}");
    }
}

#[tokio::test]
async fn a_refused_token_is_401_in_the_negotiated_media_type() {
    let app = spawn_app().await;
    for accept in [GRAPHQL_RESPONSE, JSON] {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .header(ACCEPT, accept)
            .header(reqwest::header::AUTHORIZATION, "Bearer not-a-token")
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        let answer = Answer::of(response).await;
        answer.assert_refusal(StatusCode::UNAUTHORIZED, accept, "UNAUTHENTICATED");
        assert!(answer.headers.get("www-authenticate").is_some());
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_in_the_negotiated_media_type() {
    let app = spawn_app_with(Limits { max_body_bytes: 64, ..Limits::default() }).await;
    let body = json!({ "query": format!("{{ __typename }} # {}", "x".repeat(100)) }).to_string();
    for accept in [GRAPHQL_RESPONSE, JSON] {
        post(&app, Some(accept), &body).await.assert_refusal(StatusCode::PAYLOAD_TOO_LARGE, accept, "BAD_USER_INPUT");
    }
}

#[tokio::test]
async fn rate_limiting_is_429_in_the_negotiated_media_type() {
    let rate_limit = RateLimitSettings { rate_limit_per_minute: 1, rate_limit_burst: 1 };
    let app = spawn_app_configured(|s| s.rate_limit = rate_limit).await;
    let body = r#"{"query":"{ __typename }"}"#;
    assert_eq!(post(&app, Some(GRAPHQL_RESPONSE), body).await.status, StatusCode::OK);
    for accept in [GRAPHQL_RESPONSE, JSON] {
        let answer = post(&app, Some(accept), body).await;
        answer.assert_refusal(StatusCode::TOO_MANY_REQUESTS, accept, "RATE_LIMITED");
        assert!(answer.headers.get("retry-after").is_some());
    }
}

/// Where the audit client lives, relative to the crate root.
const AUDIT_DIR: &str = "tests/clients/graphql-http-audit";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_graphql_http_audit_passes_every_must_and_should() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(AUDIT_DIR);
    let installed = dir.join("node_modules/graphql-http").is_dir();
    let what = format!("the graphql-http audit (`npm ci` in {AUDIT_DIR}; needs Node.js and npm)");
    if !crate::helpers::needs_installed(
        installed,
        "http_conformance::the_graphql_http_audit_passes_every_must_and_should",
        &what,
    ) {
        return;
    }
    let app = spawn_app().await;
    let url = format!("{}/graphql", app.address);
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node").arg("audit.mjs").arg(url).current_dir(dir).output()
    })
    .await
    .unwrap()
    .expect("run node (Node.js 18 or later)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "graphql-http audits failed:\n{stdout}");
    assert!(stdout.contains("MUST: 13 passed, 0 failed"), "{stdout}");
}
