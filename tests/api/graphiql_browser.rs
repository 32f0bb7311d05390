//! End-to-end: the GraphiQL page in a real browser, offline.
//!
//! Debian's headless Chromium, driven by chromedriver through WebDriver (fantoccini), opens
//! `/graphiql` of a real server with the default dataset, with every outside host made
//! unresolvable and every proxied request sent to a closed local port. It runs the first example
//! operation and checks that the answer shows real data, that the Docs pane lists the schema loaded
//! by the standard introspection query and the editor completes field names, that everything the
//! page loaded came from the server itself, and that the page's Content-Security-Policy blocked nothing.
//!
//! Needs the Debian packages `chromium` and `chromium-driver`. Without them the test is skipped
//! (with a line on stderr), except under CI (`CI` set), where it fails.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::browser::{ChromeDriver, STEP_TIMEOUT, browser_installed};
use crate::helpers::spawn_app;

/// The query typed into the editor, and what its answer must contain.
/// Text the first example's answer holds: the LEAD of Jinghai's renewable-capacity task.
const EXPECTED: &str = "静海区发展改革委";

/// The example operations the page must offer as tabs.
const EXAMPLE_TABS: [&str; 4] = ["JinghaiIndicators2025", "PlansWithActionGroups", "DepartmentTasks", "Node"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_runs_a_query_in_chromium_without_outside_network() {
    // Two rustls crypto back-ends are compiled in (via different crates); the WebDriver client needs one chosen.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    if !browser_installed("the GraphiQL browser test") {
        return;
    }
    // A build without GraphiQL's scripts (npm missing) serves a 503 instead of the page.
    let built = xietong::http::graphiql::missing_reason().is_none();
    if !crate::helpers::needs_installed(built, "the GraphiQL browser test", "the GraphiQL page (see build.rs)") {
        return;
    }
    let app = spawn_app().await;
    let profile = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(e) => panic!("cannot create a browser profile directory: {e}"),
    };
    let driver = match ChromeDriver::start() {
        Ok(driver) => driver,
        Err(e) => panic!("{e}"),
    };
    let client = match driver.session(profile.path()).await {
        Ok(client) => client,
        Err(e) => panic!("{e}"),
    };

    let outcome = exercise(&client, &app.address).await;
    if let Ok(path) = std::env::var("XIETONG_GRAPHIQL_SCREENSHOT") {
        match client.screenshot().await {
            Ok(png) => match std::fs::write(&path, png) {
                Ok(()) => eprintln!("screenshot of /graphiql written to {path}"),
                Err(e) => eprintln!("cannot write screenshot {path}: {e}"),
            },
            Err(e) => eprintln!("cannot take screenshot: {e}"),
        }
    }
    // Close the browser before judging, so a failure leaves no browser behind.
    let _ = client.close().await;
    drop(driver);
    if let Err(message) = outcome {
        panic!("GraphiQL in Chromium: {message}");
    }
}

/// The steps a person would take; `Err` says which one went wrong.
async fn exercise(client: &Client, address: &str) -> Result<(), String> {
    let page = format!("{address}/graphiql");
    client.goto(&page).await.map_err(|e| format!("cannot open {page}: {e}"))?;
    client
        .wait()
        .at_most(STEP_TIMEOUT)
        .for_element(Locator::Css(".graphiql-query-editor .CodeMirror"))
        .await
        .map_err(|e| format!("the query editor did not appear: {e}"))?;

    let tabs = script(
        client,
        "return Array.from(document.querySelectorAll('.graphiql-tab-button'))
             .map(t => t.textContent.trim());",
        vec![],
    )
    .await?;
    for example in EXAMPLE_TABS {
        let found = tabs.as_array().is_some_and(|tabs| tabs.iter().any(|tab| tab.as_str() == Some(example)));
        if !found {
            return Err(format!("example tab {example} missing; tabs: {tabs}"));
        }
    }

    // Run the first example as a developer would: it is open when GraphiQL starts.
    let active = script(
        client,
        "const tab = document.querySelector('.graphiql-tab-active .graphiql-tab-button');
         return tab ? tab.textContent.trim() : null;",
        vec![],
    )
    .await?;
    if active.as_str() != Some(EXAMPLE_TABS[0]) {
        return Err(format!("the first example should be the active tab, found {active}"));
    }
    client
        .find(Locator::Css(".graphiql-execute-button"))
        .await
        .map_err(|e| format!("no run button: {e}"))?
        .click()
        .await
        .map_err(|e| format!("cannot click the run button: {e}"))?;

    let started = Instant::now();
    let mut result = Value::Null;
    while started.elapsed() < STEP_TIMEOUT {
        result = script(
            client,
            "const el = document.querySelector('.result-window .CodeMirror');
             return el && el.CodeMirror ? el.CodeMirror.getValue() : '';",
            vec![],
        )
        .await?;
        if result.as_str().is_some_and(|text| text.contains(EXPECTED)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    if !result.as_str().is_some_and(|text| text.contains(EXPECTED)) {
        return Err(format!("the result pane never showed {EXPECTED}; it shows: {result}"));
    }

    let loaded = script(
        client,
        "return { origin: location.origin, urls: performance.getEntriesByType('navigation')
             .concat(performance.getEntriesByType('resource')).map(e => e.name) };",
        vec![],
    )
    .await?;
    if loaded["origin"].as_str() != Some(address) {
        return Err(format!("the page's origin is {}, not {address}", loaded["origin"]));
    }
    let urls: Vec<&str> =
        loaded["urls"].as_array().map(|urls| urls.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let same_origin = format!("{address}/");
    let outside: Vec<&&str> = urls.iter().filter(|url| !url.starts_with(&same_origin)).collect();
    if !outside.is_empty() {
        return Err(format!("the page loaded from outside: {outside:?}"));
    }
    for needed in [
        "/graphiql",
        "/graphiql/assets/react.production.min.js",
        "/graphiql/assets/react-dom.production.min.js",
        "/graphiql/assets/graphiql.min.js",
        "/graphiql/assets/graphiql.min.css",
        "/graphql",
    ] {
        let url = format!("{address}{needed}");
        if !urls.iter().any(|loaded| loaded.split('?').next() == Some(url.as_str())) {
            return Err(format!("{url} was not loaded; loaded: {urls:?}"));
        }
    }

    docs_and_autocompletion(client).await?;

    let violations = script(client, "return window.xietongCspViolations || null;", vec![]).await?;
    if violations != json!([]) {
        return Err(format!("Content-Security-Policy violations: {violations}"));
    }
    Ok(())
}

/// The schema as GraphiQL loads it with the standard introspection query: the
/// Docs pane lists the Query fields, and the editor completes field names.
async fn docs_and_autocompletion(client: &Client) -> Result<(), String> {
    client
        .find(Locator::Css(".graphiql-sidebar button[aria-label='Show Documentation Explorer']"))
        .await
        .map_err(|e| format!("no Docs button: {e}"))?
        .click()
        .await
        .map_err(|e| format!("cannot open the Docs pane: {e}"))?;
    // Wait for the root types, then open Query as a developer would.
    let started = Instant::now();
    let mut pane = Value::Null;
    while started.elapsed() < STEP_TIMEOUT {
        pane = script(
            client,
            "const el = document.querySelector('.graphiql-doc-explorer');
             if (!el) return '';
             const query = Array.from(el.querySelectorAll('a')).find(a => a.textContent.trim() === 'Query');
             if (query) { query.click(); }
             return el.textContent;",
            vec![],
        )
        .await?;
        let text = pane.as_str().unwrap_or("");
        if text.contains("Error fetching schema") {
            return Err(format!("the Docs pane could not load the schema: {text}"));
        }
        if ["plans", "tasks", "indicators", "nodes"].iter().all(|field| text.contains(field)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let text = pane.as_str().unwrap_or("");
    for field in ["node", "nodes", "plans", "tasks", "indicators", "departments", "regions", "changes", "viewer"] {
        if !text.contains(field) {
            return Err(format!("the Docs pane does not list Query.{field}; it shows: {text}"));
        }
    }

    // Completion inside `{ pla| }` offers `plans`, from the loaded schema.
    let started = Instant::now();
    let mut hints = Value::Null;
    while started.elapsed() < STEP_TIMEOUT {
        hints = script(
            client,
            "const cm = document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror;
             cm.focus();
             cm.setValue('{ pla }');
             cm.setCursor({ line: 0, ch: 5 });
             cm.execCommand('autocomplete');
             return Array.from(document.querySelectorAll('.CodeMirror-hints li')).map(li => li.textContent.trim());",
            vec![],
        )
        .await?;
        if hints.as_array().is_some_and(|h| h.iter().any(|hint| hint.as_str() == Some("plans"))) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Err(format!("autocompletion did not offer `plans`; it offered {hints}"))
}

async fn script(client: &Client, code: &str, args: Vec<Value>) -> Result<Value, String> {
    client.execute(code, args).await.map_err(|e| format!("script failed: {e}\n{code}"))
}
