//! CORS headers of `--cors-origins`: allowed origins get a full preflight and
//! response headers; other origins (and servers without the option) get none.

use crate::helpers::{spawn_app, spawn_app_with_cors};
use reqwest::header::{HeaderMap, ORIGIN};
use reqwest::{Method, StatusCode};
use serde_json::json;
use xietong::access::Role;

const ALLOWED: &str = "https://app.example.gov.cn";
const OTHER: &str = "https://elsewhere.example.com";

/// A browser's preflight for a POST with a token and a JSON body.
async fn preflight(client: &reqwest::Client, address: &str, origin: &str) -> reqwest::Response {
    client
        .request(Method::OPTIONS, format!("{address}/graphql"))
        .header(ORIGIN, origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization,content-type")
        .send()
        .await
        .expect("preflight")
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
}

/// Names of the `Access-Control-*` headers present.
fn cors_headers(headers: &HeaderMap) -> Vec<String> {
    headers.keys().map(|k| k.as_str().to_owned()).filter(|k| k.starts_with("access-control-")).collect()
}

fn list(value: &str) -> Vec<String> {
    value.split(',').map(|item| item.trim().to_ascii_lowercase()).collect()
}

#[tokio::test]
async fn an_allowed_origin_gets_a_full_preflight_answer() {
    let app = spawn_app_with_cors(&[ALLOWED, "http://127.0.0.1:3000"]).await;
    let response = preflight(&app.client, &app.address, ALLOWED).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert_eq!(header(headers, "access-control-allow-origin"), ALLOWED);
    assert_eq!(header(headers, "access-control-allow-credentials"), "true");
    let methods = list(header(headers, "access-control-allow-methods"));
    for method in ["get", "post", "options"] {
        assert!(methods.contains(&method.to_owned()), "{methods:?}");
    }
    let allowed_headers = list(header(headers, "access-control-allow-headers"));
    for name in ["authorization", "content-type"] {
        assert!(allowed_headers.contains(&name.to_owned()), "{allowed_headers:?}");
    }
    assert_eq!(header(headers, "access-control-max-age"), "3600");
    assert!(list(header(headers, "vary")).contains(&"origin".to_owned()));
}

#[tokio::test]
async fn an_allowed_origin_reads_the_answer_to_a_request_with_a_token() {
    let app = spawn_app_with_cors(&[ALLOWED]).await;
    let token = app.token("静海区发展改革委", Role::Bureau).await;
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header(ORIGIN, ALLOWED)
        .bearer_auth(token)
        .json(&json!({ "query": "{ viewer { authenticated role } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(header(&headers, "access-control-allow-origin"), ALLOWED);
    assert_eq!(header(&headers, "access-control-allow-credentials"), "true");
    assert!(list(header(&headers, "vary")).contains(&"origin".to_owned()));
    let exposed = list(header(&headers, "access-control-expose-headers"));
    assert!(exposed.contains(&"retry-after".to_owned()), "{exposed:?}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["data"]["viewer"], json!({ "authenticated": true, "role": "BUREAU" }));
}

#[tokio::test]
async fn another_origin_gets_no_cors_headers() {
    let app = spawn_app_with_cors(&[ALLOWED]).await;
    let response = preflight(&app.client, &app.address, OTHER).await;
    assert!(!response.status().is_success(), "{}", response.status());
    assert_eq!(cors_headers(response.headers()), Vec::<String>::new());

    for origin in [Some(OTHER), None] {
        let mut request =
            app.client.post(format!("{}/graphql", app.address)).json(&json!({ "query": "{ __typename }" }));
        if let Some(origin) = origin {
            request = request.header(ORIGIN, origin);
        }
        let response = request.send().await.unwrap();
        // Clients outside a browser still get their answer.
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(cors_headers(response.headers()), Vec::<String>::new(), "origin {origin:?}");
    }
}

#[tokio::test]
async fn without_cors_origins_a_preflight_gets_no_cors_headers() {
    let app = spawn_app().await;
    let response = preflight(&app.client, &app.address, ALLOWED).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(cors_headers(response.headers()), Vec::<String>::new());
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header(ORIGIN, ALLOWED)
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(cors_headers(response.headers()), Vec::<String>::new());
}
