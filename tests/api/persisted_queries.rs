//! Automatic Persisted Queries (src/graphql/persisted.rs): documents sent by
//! their SHA-256, learnt from requests or registered by a manifest.

use crate::helpers::{TestApp, error_code, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};
use xietong::graphql::Limits;
use xietong::graphql::limits::operation_hash;

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

/// POSTs `body` as JSON, asking for `application/graphql-response+json`.
async fn post(app: &TestApp, body: &Value) -> (StatusCode, Value) {
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header(reqwest::header::ACCEPT, "application/graphql-response+json")
        .json(body)
        .send()
        .await
        .expect("request");
    (response.status(), response.json().await.expect("JSON body"))
}

/// GETs `/graphql` with `extensions` (and `query`, if given) in the query string.
async fn get(app: &TestApp, query: Option<&str>, extensions: &Value) -> (StatusCode, Value) {
    let mut parameters = vec![("extensions", extensions.to_string())];
    if let Some(query) = query {
        parameters.push(("query", query.to_owned()));
    }
    let response = app.client.get(format!("{}/graphql", app.address)).query(&parameters).send().await.expect("request");
    (response.status(), response.json().await.expect("JSON body"))
}

#[tokio::test]
async fn a_hash_unknown_then_sent_with_its_text_is_served_by_hash_alone_afterwards() {
    let app = spawn_app().await;
    let query = "query PlanCount { plans { totalCount } }";
    let hash = operation_hash(query);

    let before = app.statements.get();
    let (status, body) = post(&app, &json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_code(&body), Some("PERSISTED_QUERY_NOT_FOUND"), "{body}");
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(app.statements.get(), before, "nothing ran");

    let (status, body) = post(&app, &json!({ "query": query, "extensions": persisted(&hash) })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["plans"]["totalCount"], 7);

    for (status, body) in [
        post(&app, &json!({ "extensions": persisted(&hash) })).await,
        post(&app, &json!({ "query": null, "extensions": persisted(&hash.to_uppercase()) })).await,
        get(&app, None, &persisted(&hash)).await,
    ] {
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["plans"]["totalCount"], 7, "{body}");
    }
    // In a batch, each element by its own hash.
    let (status, body) =
        post(&app, &json!([{ "extensions": persisted(&hash) }, { "query": "{ tasks { totalCount } }" }])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body[0]["data"]["plans"]["totalCount"], 7, "{body}");
    assert!(body[1]["data"]["tasks"]["totalCount"].as_i64().is_some_and(|n| n > 0), "{body}");
}

#[tokio::test]
async fn a_hash_that_is_not_the_texts_or_a_malformed_extension_is_refused_and_nothing_is_learnt() {
    let app = spawn_app().await;
    let query = "{ plans { totalCount } }";
    let wrong = operation_hash("{ tasks { totalCount } }");
    let (status, body) = post(&app, &json!({ "query": query, "extensions": persisted(&wrong) })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("SHA-256")), "{body}");
    let (_, body) = post(&app, &json!({ "extensions": persisted(&wrong) })).await;
    assert_eq!(error_code(&body), Some("PERSISTED_QUERY_NOT_FOUND"), "the wrong pairing was not learnt: {body}");

    for extension in
        [json!({ "version": 2, "sha256Hash": wrong }), json!({ "version": 1, "sha256Hash": "abc" }), json!("x")]
    {
        let (status, body) = post(&app, &json!({ "extensions": { "persistedQuery": extension } })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{extension}: {body}");
    }
    // A document refused by the checks is not learnt either.
    let refused = "{ plans(first: 1000) { totalCount } tasks(filter: { search: \"\\u0000\" }) { totalCount } }";
    let (_, body) = post(&app, &json!({ "query": refused, "extensions": persisted(&operation_hash(refused)) })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let (_, body) = post(&app, &json!({ "extensions": persisted(&operation_hash(refused)) })).await;
    assert_eq!(error_code(&body), Some("PERSISTED_QUERY_NOT_FOUND"), "{body}");
}

#[tokio::test]
async fn a_persisted_mutation_is_refused_over_get_like_any_other() {
    let app = spawn_app().await;
    let mutation = r#"mutation { revokeToken(input: { jti: "never-issued" }) { jti } }"#;
    let hash = operation_hash(mutation);
    // Anonymous: the mutation executes and is refused at its field, so its document is learnt.
    let (status, body) = post(&app, &json!({ "query": mutation, "extensions": persisted(&hash) })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["errors"][0]["path"].is_array(), "a field error: {body}");
    let (_, body) = post(&app, &json!({ "extensions": persisted(&hash) })).await;
    assert!(body["errors"][0]["path"].is_array(), "found by its hash: {body}");

    let (status, body) = get(&app, None, &persisted(&hash)).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("POST")), "{body}");
}

#[tokio::test]
async fn a_document_that_fails_validation_is_not_learnt() {
    let app = spawn_app().await;
    let invalid = "{ plans { noSuchField } }";
    let hash = operation_hash(invalid);
    let (status, body) = post(&app, &json!({ "query": invalid, "extensions": persisted(&hash) })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let (_, body) = post(&app, &json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(error_code(&body), Some("PERSISTED_QUERY_NOT_FOUND"), "{body}");
}

#[tokio::test]
async fn a_manifest_allow_list_serves_its_documents_by_hash_from_the_start_and_nothing_else() {
    let registered = "query Registered { plans { totalCount } }";
    let hash = operation_hash(registered);
    let manifest = json!({
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{ "id": hash, "name": "Registered", "type": "query", "body": registered }],
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("operations.json");
    std::fs::write(&path, manifest.to_string()).expect("write the manifest");
    let app = spawn_app_with(Limits { allowed_operations: Some(path), ..Limits::default() }).await;

    let (status, body) = post(&app, &json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["plans"]["totalCount"], 7);
    let (_, body) = post(&app, &json!({ "query": registered })).await;
    assert_eq!(body["data"]["plans"]["totalCount"], 7, "the text runs too: {body}");

    let other = "{ tasks { totalCount } }";
    let (_, body) = post(&app, &json!({ "extensions": persisted(&operation_hash(other)) })).await;
    assert_eq!(error_code(&body), Some("PERSISTED_QUERY_NOT_FOUND"), "{body}");
    let (_, body) = post(&app, &json!({ "query": other, "extensions": persisted(&operation_hash(other)) })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("not registered")), "{body}");
}

#[tokio::test]
async fn with_learning_off_an_unknown_hash_is_not_supported() {
    let app = spawn_app_with(Limits { persisted_query_cache: 0, ..Limits::default() }).await;
    let query = "{ plans { totalCount } }";
    let hash = operation_hash(query);
    let (_, body) = post(&app, &json!({ "query": query, "extensions": persisted(&hash) })).await;
    assert_eq!(body["data"]["plans"]["totalCount"], 7, "{body}");
    let (_, body) = post(&app, &json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(error_code(&body), Some("PERSISTED_QUERY_NOT_SUPPORTED"), "{body}");
}
