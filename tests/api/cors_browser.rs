//! End-to-end: a web page of another origin calls `/graphql` with a token in
//! headless Chromium — answered when `--cors-origins` allows the page's
//! origin, blocked by the browser when it does not.
//!
//! The page is served by a second small HTTP server on its own random port
//! (so its origin differs from the API's); its script POSTs a query with an
//! `Authorization: Bearer` header, which makes the browser send a preflight.
//!
//! Needs the Debian packages `chromium` and `chromium-driver`. Without them the test is skipped
//! (with a line on stderr), except under CI (`CI` set), where it fails.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use fantoccini::Client;
use serde_json::Value;
use xietong::access::Role;

use crate::browser::{ChromeDriver, STEP_TIMEOUT, browser_installed};
use crate::helpers::spawn_app_with_cors;

/// The page of the other origin: its script reads the API's address and the
/// token from its own query string, calls `/graphql` and leaves the outcome in
/// `window.xietongOutcome`.
const PAGE: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>agency app</title></head>
<body><script>
const params = new URLSearchParams(location.search);
fetch(params.get('api') + '/graphql', {
  method: 'POST',
  headers: {
    'Content-Type': 'application/json',
    'Accept': 'application/graphql-response+json',
    'Authorization': 'Bearer ' + params.get('token'),
  },
  body: JSON.stringify({ query: '{ viewer { authenticated role department { name } } }' }),
})
  .then(async (response) => { window.xietongOutcome = { status: response.status, body: await response.json() }; })
  .catch((error) => { window.xietongOutcome = { error: String(error) }; });
</script></body></html>"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_of_an_allowed_origin_calls_the_api_and_another_is_refused() {
    // Two rustls crypto back-ends are compiled in (via different crates); the WebDriver client needs one chosen.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    if !browser_installed("the CORS browser test") {
        return;
    }
    let page_server = HttpServer::new(|| {
        App::new().route(
            "/",
            web::get().to(|| async { HttpResponse::Ok().content_type("text/html; charset=utf-8").body(PAGE) }),
        )
    })
    .workers(1)
    .bind((Ipv4Addr::LOCALHOST, 0))
    .expect("bind the page server");
    let page_origin = format!("http://127.0.0.1:{}", page_server.addrs()[0].port());
    let page_server = page_server.run();
    let page_handle = page_server.handle();
    tokio::spawn(page_server);

    let allowing = spawn_app_with_cors(&[&page_origin]).await;
    let refusing = spawn_app_with_cors(&["http://127.0.0.1:9"]).await;
    let token = allowing.token("静海区发展改革委", Role::Bureau).await;
    let other_token = refusing.token("静海区发展改革委", Role::Bureau).await;

    let profile = tempfile::tempdir().expect("a browser profile directory");
    let driver = ChromeDriver::start().unwrap_or_else(|e| panic!("{e}"));
    let client = driver.session(profile.path()).await.unwrap_or_else(|e| panic!("{e}"));
    let allowed = outcome(&client, &page_origin, &allowing.address, &token).await;
    let refused = outcome(&client, &page_origin, &refusing.address, &other_token).await;
    // Close the browser before judging, so a failure leaves no browser behind.
    let _ = client.close().await;
    drop(driver);
    page_handle.stop(false).await;

    let allowed = allowed.unwrap_or_else(|e| panic!("allowed origin: {e}"));
    assert_eq!(allowed["status"], 200, "{allowed:#}");
    assert_eq!(allowed["body"]["data"]["viewer"]["authenticated"], true, "{allowed:#}");
    assert_eq!(allowed["body"]["data"]["viewer"]["role"], "BUREAU", "{allowed:#}");
    assert_eq!(allowed["body"]["data"]["viewer"]["department"]["name"], "静海区发展改革委", "{allowed:#}");

    let refused = refused.unwrap_or_else(|e| panic!("refused origin: {e}"));
    assert!(refused.get("status").is_none(), "the page read an answer it must not: {refused:#}");
    assert!(refused["error"].as_str().is_some_and(|e| e.contains("Failed to fetch")), "{refused:#}");
}

/// Opens the page against `api` and waits for its script's outcome.
async fn outcome(client: &Client, page_origin: &str, api: &str, token: &str) -> Result<Value, String> {
    let mut url = reqwest::Url::parse(&format!("{page_origin}/")).map_err(|e| e.to_string())?;
    url.query_pairs_mut().append_pair("api", api).append_pair("token", token);
    client.goto(url.as_str()).await.map_err(|e| format!("cannot open {url}: {e}"))?;
    let started = Instant::now();
    while started.elapsed() < STEP_TIMEOUT {
        let outcome = client
            .execute("return window.xietongOutcome || null;", vec![])
            .await
            .map_err(|e| format!("script failed: {e}"))?;
        if !outcome.is_null() {
            return Ok(outcome);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("the page's request to {api} never finished"))
}
