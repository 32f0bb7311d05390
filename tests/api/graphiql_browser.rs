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

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::helpers::spawn_app;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long any one step may take (2 cores, a debug build, a cold browser).
const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// The query typed into the editor, and what its answer must contain.
/// Text the first example's answer holds: the LEAD of Jinghai's renewable-capacity task.
const EXPECTED: &str = "静海区发展改革委";

/// The example operations the page must offer as tabs.
const EXAMPLE_TABS: [&str; 4] = ["JinghaiIndicators2025", "PlansWithActionGroups", "DepartmentTasks", "Node"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_runs_a_query_in_chromium_without_outside_network() {
    // Two rustls crypto back-ends are compiled in (via different crates); the WebDriver client needs one chosen.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    if !browser_installed() {
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

/// Whether Chromium and chromedriver are there; under CI their absence is a failure.
fn browser_installed() -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER].into_iter().filter(|path| !Path::new(path).exists()).collect();
    if missing.is_empty() {
        return true;
    }
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    if ci {
        panic!(
            "{} missing: install the Debian packages `chromium chromium-driver` \
             (apt-get install -y chromium chromium-driver) for the GraphiQL browser test",
            missing.join(" and ")
        );
    }
    eprintln!(
        "skipped: chromium not installed ({} missing; apt-get install -y chromium chromium-driver)",
        missing.join(" and ")
    );
    false
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

/// A chromedriver on a free local port, in its own process group; on drop the group (the
/// driver and any browser it started) is killed.
struct ChromeDriver {
    child: Child,
    port: u16,
}

impl ChromeDriver {
    fn start() -> Result<Self, String> {
        let port = free_port()?;
        let mut command = Command::new(CHROMEDRIVER);
        command.arg(format!("--port={port}")).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command.spawn().map_err(|e| format!("cannot start {CHROMEDRIVER}: {e}"))?;
        let driver = Self { child, port };
        let started = Instant::now();
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            if started.elapsed() > STEP_TIMEOUT {
                return Err(format!("chromedriver did not listen on port {port}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }

    /// A headless Chromium session that can reach nothing but this machine's loopback address.
    async fn session(&self, profile: &Path) -> Result<Client, String> {
        // Proxied requests go to a port nobody listens on: they fail at once.
        let closed_port = free_port()?;
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-default-apps".to_owned(),
            "--disable-domain-reliability".to_owned(),
            "--no-first-run".to_owned(),
            "--no-default-browser-check".to_owned(),
            "--window-size=1400,900".to_owned(),
            format!("--user-data-dir={}", profile.display()),
            // No name resolves, except the loopback address the server listens on…
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost".to_owned(),
            // …and anything that would go through a proxy hits a closed port. Loopback is
            // (by Chromium's default) not proxied.
            format!("--proxy-server=http://127.0.0.1:{closed_port}"),
            "--proxy-bypass-list=127.0.0.1;localhost".to_owned(),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".to_owned(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".to_owned(), json!({ "binary": CHROMIUM, "args": args }));
        let mut builder = ClientBuilder::rustls().map_err(|e| format!("cannot set up TLS for WebDriver: {e}"))?;
        builder.capabilities(capabilities);
        builder
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .map_err(|e| format!("cannot start a Chromium session through chromedriver: {e}"))
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            let group = format!("-{}", self.child.id());
            let _ =
                Command::new("kill").args(["-KILL", "--", &group]).stdout(Stdio::null()).stderr(Stdio::null()).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A local port that was free a moment ago.
fn free_port() -> Result<u16, String> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|e| format!("no free local port: {e}"))
}
