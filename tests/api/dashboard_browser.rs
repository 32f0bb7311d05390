//! End-to-end: the supervision dashboard (`/dashboard`) and the reporting page (`/report`) in a
//! real browser, offline.
//!
//! Debian's headless Chromium (see `browser.rs`: every outside host unresolvable, proxied requests
//! sent to a closed port) opens the pages of a real server with the default dataset and checks what
//! a supervisor and a bureau clerk would: the charts render (their canvases hold drawn pixels), the
//! figures on the page equal the aggregate queries' answers for the same caller, a bureau signed in
//! by a link reports progress and sees it, a stale form is answered with the CONFLICT explanation,
//! what a caller may not do is not offered, the dashboard's live feed shows a change made
//! elsewhere within seconds, signing out forgets the token, and every request went to the server
//! itself with nothing blocked by the pages' Content-Security-Policy.
//!
//! With `XIETONG_SCREENSHOTS_DIR` set, a screenshot of each page is written there (the README's
//! screenshots: `XIETONG_SCREENSHOTS_DIR=docs/screenshots cargo test --test api dashboard_browser`).
//!
//! Needs the Debian packages `chromium` and `chromium-driver`; without them the test is skipped
//! (with a line on stderr), except under CI (`CI` set), where it fails.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use xietong::access::Role;

use crate::browser::{ChromeDriver, STEP_TIMEOUT, browser_installed};
use crate::helpers::{TestApp, spawn_app};

/// The aggregate fields the page shows per group, as the API names them.
const COUNTS: &str = "tasks { total notStarted inProgress completed delayed archived completedShare }
    indicators { total achieved onTrack atRisk offTrack noData achievedShare } overdueTasks lastReportAt";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_and_the_reporting_page_work_in_chromium_without_outside_network() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    if !browser_installed("the dashboard browser test") {
        return;
    }
    let built = xietong::http::dashboard::missing_reason().is_none();
    if !crate::helpers::needs_installed(built, "the dashboard browser test", "the dashboard's scripts (see build.rs)") {
        return;
    }
    let app = spawn_app().await;
    let profile = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a browser profile directory: {e}"));
    let driver = ChromeDriver::start().unwrap_or_else(|e| panic!("{e}"));
    let client = driver.session(profile.path()).await.unwrap_or_else(|e| panic!("{e}"));

    let outcome = exercise(&client, &app).await;
    let _ = client.close().await;
    drop(driver);
    if let Err(message) = outcome {
        panic!("dashboard in Chromium: {message}");
    }
}

async fn exercise(client: &Client, app: &TestApp) -> Result<(), String> {
    let address = app.address.as_str();
    anonymous_overview(client, app).await?;
    screenshot(client, "dashboard-overview").await;
    other_views(client, app).await?;
    let bureau = app.token("静海区发展改革委", Role::Bureau).await;
    let task = bureau_reports(client, app, &bureau).await?;
    live_feed(client, app, &bureau, &task).await?;
    reader_is_offered_nothing(client, app).await?;
    same_origin_only(client, address).await
}

/// Anonymous: the overview's cards and per-plan table equal `statistics` for an anonymous caller,
/// and both charts are drawn.
async fn anonymous_overview(client: &Client, app: &TestApp) -> Result<(), String> {
    open(client, &format!("{}/dashboard", app.address), "overview").await?;
    let expected = app
        .data(
            &format!(
                "{{ total: statistics(groupBy: NONE) {{ {COUNTS} }} groups: statistics(groupBy: PLAN) {{ plan {{ id }} {COUNTS} }} }}"
            ),
            json!({}),
        )
        .await;
    let groups = expected["groups"].as_array().cloned().unwrap_or_default();
    if groups.is_empty() {
        return Err(format!("an anonymous caller sees no plan in statistics: {expected}"));
    }
    compare_table(client, "table-plans", &groups, |g| g["plan"]["id"].as_str().unwrap_or("").to_owned()).await?;
    let cards = script(
        client,
        "return ['card-tasks','card-indicators','card-overdue']
             .map(id => document.querySelector('#' + id + ' .card-value').textContent);",
        vec![],
    )
    .await?;
    let want = json!([
        expected["total"][0]["tasks"]["total"].to_string(),
        expected["total"][0]["indicators"]["total"].to_string(),
        expected["total"][0]["overdueTasks"].to_string(),
    ]);
    if cards != want {
        return Err(format!("overview cards show {cards}, the API says {want}"));
    }
    charts_drawn(client, &["chart-plan-tasks", "chart-plan-indicators"]).await
}

/// By region, by department (filters kept in the URL), and an indicator's chart with its quote.
async fn other_views(client: &Client, app: &TestApp) -> Result<(), String> {
    let address = &app.address;
    open(client, &format!("{address}/dashboard?view=region"), "region").await?;
    let regions =
        app.data(&format!("{{ statistics(groupBy: REGION) {{ region {{ id }} {COUNTS} }} }}"), json!({})).await;
    let regions = regions["statistics"].as_array().cloned().unwrap_or_default();
    compare_table(client, "table-regions", &regions, |g| g["region"]["id"].as_str().unwrap_or("").to_owned()).await?;
    charts_drawn(client, &["chart-region-tasks", "chart-region-indicators", "chart-partners"]).await?;
    // The partners side by side: each province's coordination records and indicators, as the API counts them.
    let shown = script(
        client,
        "return Array.from(document.querySelectorAll('#table-partners tbody tr')).map(tr => [tr.dataset.key,
             tr.querySelector('[data-field=records]').textContent, tr.querySelector('[data-field=indicators]').textContent]);",
        vec![],
    )
    .await?;
    let shown = shown.as_array().cloned().unwrap_or_default();
    if shown.len() != 3 {
        return Err(format!("the partners table should hold Beijing, Tianjin and Hebei: {shown:?}"));
    }
    for row in &shown {
        let counts = app
            .data(
                "query($r: ID!) { coordinationRecords(filter: {regionId: $r}) { totalCount }
                   indicators(filter: {regionId: $r, includeSubregions: true}) { totalCount } }",
                json!({ "r": row[0] }),
            )
            .await;
        let want = json!([
            row[0],
            counts["coordinationRecords"]["totalCount"].to_string(),
            counts["indicators"]["totalCount"].to_string()
        ]);
        if *row != want {
            return Err(format!("partners row {row}, the API says {want}"));
        }
    }
    screenshot(client, "dashboard-region").await;

    // A filter chosen on the page lands in the URL, and the URL alone reproduces the view.
    let plan = app.data("{ plans(first: 1, filter: {regionCode: \"120118\"}) { nodes { id } } }", json!({})).await;
    let plan_id = plan["plans"]["nodes"][0]["id"].as_str().ok_or("no Jinghai plan")?.to_owned();
    open(client, &format!("{address}/dashboard?view=department"), "department").await?;
    script(
        client,
        "const s = document.getElementById('filter-plan'); s.value = arguments[0];
         s.dispatchEvent(new Event('change')); document.body.dataset.loaded = '';",
        vec![json!(plan_id)],
    )
    .await?;
    wait_loaded(client, "department").await?;
    let url = client.current_url().await.map_err(|e| e.to_string())?;
    if !url.as_str().contains(&format!("plan={}", urlencoding(&plan_id))) {
        return Err(format!("the plan filter is not in the URL: {url}"));
    }
    let departments = app
        .data(
            &format!("query($p: ID!) {{ statistics(groupBy: DEPARTMENT, filter: {{planId: $p}}) {{ department {{ id }} role {COUNTS} }} }}"),
            json!({ "p": plan_id }),
        )
        .await;
    let departments = departments["statistics"].as_array().cloned().unwrap_or_default();
    compare_table(client, "table-departments", &departments, |g| {
        format!("{}:{}", g["department"]["id"].as_str().unwrap_or(""), g["role"].as_str().unwrap_or(""))
    })
    .await?;
    screenshot(client, "dashboard-department").await;

    // An indicator with actual values: its chart, every actual in the table, the verbatim quote.
    let indicators = app
        .data(
            "{ indicators(first: 100) { nodes { id provenance { quote } trajectory { actuals { id } } } } }",
            json!({}),
        )
        .await;
    let chosen = indicators["indicators"]["nodes"]
        .as_array()
        .and_then(|nodes| {
            nodes.iter().find(|n| {
                n["trajectory"]["actuals"].as_array().is_some_and(|a| !a.is_empty())
                    && n["provenance"]["quote"].is_string()
            })
        })
        .cloned()
        .ok_or("no visible indicator with actual values and a quote")?;
    let id = chosen["id"].as_str().unwrap_or_default();
    open(client, &format!("{address}/dashboard?view=indicator&indicator={}", urlencoding(id)), "indicator").await?;
    charts_drawn(client, &["chart-indicator"]).await?;
    let shown = script(
        client,
        "return { rows: document.querySelectorAll('#table-actuals tbody tr').length,
                  quote: document.getElementById('indicator-quote').textContent };",
        vec![],
    )
    .await?;
    let actuals = chosen["trajectory"]["actuals"].as_array().map(Vec::len).unwrap_or(0);
    if shown["rows"] != json!(actuals) || shown["quote"] != chosen["provenance"]["quote"] {
        return Err(format!(
            "the indicator page shows {shown}; the API has {actuals} actuals and {}",
            chosen["provenance"]
        ));
    }
    screenshot(client, "dashboard-indicator").await;
    Ok(())
}

/// A Jinghai bureau signed in by a link: its tasks, COMPLETED offered only where it is the LEAD,
/// a report submitted and shown, and a stale form answered with the CONFLICT explanation.
/// Answers the task it reported on.
async fn bureau_reports(client: &Client, app: &TestApp, bureau: &str) -> Result<String, String> {
    let address = &app.address;
    open(client, &format!("{address}/report#token={bureau}"), "tasks").await?;
    let url = client.current_url().await.map_err(|e| e.to_string())?;
    if url.as_str().contains("token=") {
        return Err(format!("the token stayed in the address bar: {url}"));
    }
    let offered = script(
        client,
        "return Array.from(document.querySelectorAll('article.task')).map(a => ({
             task: a.dataset.task, role: a.dataset.role,
             statuses: Array.from(a.querySelectorAll('form.report-form select[name=status] option')).map(o => o.value) }));",
        vec![],
    )
    .await?;
    let offered = offered.as_array().cloned().unwrap_or_default();
    let assigned = app
        .data_as(
            bureau,
            "query($d: ID!) { tasks(filter: {departmentId: $d}, first: 100) { nodes { id kind } } }",
            json!({ "d": department_id(app, bureau).await }),
        )
        .await;
    let expected_tasks =
        assigned["tasks"]["nodes"].as_array().map(|n| n.iter().filter(|t| t["kind"] != "ACTION_GROUP").count());
    if Some(offered.len()) != expected_tasks {
        return Err(format!("the page lists {} tasks, the API {expected_tasks:?}", offered.len()));
    }
    for task in &offered {
        let completes = task["statuses"].as_array().is_some_and(|s| s.contains(&json!("COMPLETED")));
        if completes != (task["role"] == "LEAD") {
            return Err(format!("COMPLETED offered wrongly: {task}"));
        }
    }
    let lead = offered.iter().filter(|t| t["role"] == "LEAD").map(|t| t["task"].as_str().unwrap_or("").to_owned());
    let lead: Vec<String> = lead.collect();
    let (first, second) = match lead.as_slice() {
        [first, second, ..] => (first.clone(), second.clone()),
        _ => return Err(format!("the bureau leads fewer than two tasks: {offered:?}")),
    };

    // Report on the first LEAD task as a clerk would: type, choose, click.
    let form = format!("form.report-form[data-task='{first}']");
    let narrative = "浏览器填报：光伏并网进展";
    client
        .find(Locator::Css(&format!("{form} textarea[name=narrative]")))
        .await
        .map_err(|e| format!("no narrative field: {e}"))?
        .send_keys(narrative)
        .await
        .map_err(|e| e.to_string())?;
    script(
        client,
        "document.querySelector(arguments[0] + ' select[name=status]').value = 'IN_PROGRESS';",
        vec![json!(form)],
    )
    .await?;
    client
        .find(Locator::Css(&format!("{form} button[type=submit]")))
        .await
        .map_err(|e| format!("no submit button: {e}"))?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    wait_for(client, &format!("{form} .result .ok"), "the report's confirmation").await?;
    let stored = app
        .data_as(
            bureau,
            "query($id: ID!) { node(id: $id) { ... on Task { latestProgress { narrative } } } }",
            json!({ "id": first }),
        )
        .await;
    if stored["node"]["latestProgress"]["narrative"] != json!(narrative) {
        return Err(format!("the report did not reach the task: {stored}"));
    }

    // Someone else changes the second task after the page loaded: the form's report is a CONFLICT.
    let other = app
        .graphql_as(
            bureau,
            "mutation($t: ID!) { reportProgress(input: {taskId: $t, period: \"2026-Q3\", status: DELAYED, narrative: \"elsewhere\"}) { task { version } } }",
            json!({ "t": second }),
        )
        .await;
    if other.get("errors").is_some() {
        return Err(format!("the concurrent report failed: {other}"));
    }
    let form = format!("form.report-form[data-task='{second}']");
    script(
        client,
        "const f = document.querySelector(arguments[0]); f.querySelector('textarea').value = 'stale';
         f.requestSubmit();",
        vec![json!(form)],
    )
    .await?;
    wait_for(client, &format!("{form} .result .conflict button.reload"), "the CONFLICT explanation").await?;
    screenshot(client, "report").await;
    Ok(first)
}

/// The dashboard, signed in as the city's administrator in one tab, shows within seconds a report
/// the Jinghai bureau submits through `/report` in another tab (each tab keeps its own token).
async fn live_feed(client: &Client, app: &TestApp, bureau: &str, task: &str) -> Result<(), String> {
    sign_out(client).await?;
    let admin = app.token("天津市人民政府", Role::Admin).await;
    open(client, &format!("{}/dashboard#token={admin}", app.address), "overview").await?;
    let started = Instant::now();
    while script(client, "return document.body.dataset.feed || '';", vec![]).await? != json!("live") {
        if started.elapsed() > STEP_TIMEOUT {
            return Err("the live feed never connected".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let dashboard = client.window().await.map_err(|e| e.to_string())?;
    let tab = client.new_window(true).await.map_err(|e| format!("cannot open a second tab: {e}"))?;
    client.switch_to_window(tab.handle).await.map_err(|e| e.to_string())?;
    open(client, &format!("{}/report#token={bureau}", app.address), "tasks").await?;
    let form = format!("form.report-form[data-task='{task}']");
    script(
        client,
        "const f = document.querySelector(arguments[0]);
         f.querySelector('textarea').value = '动态：第二个标签页的填报'; f.requestSubmit();",
        vec![json!(form)],
    )
    .await?;
    wait_for(client, &format!("{form} .result .ok"), "the second report's confirmation").await?;
    client.close_window().await.map_err(|e| e.to_string())?;
    client.switch_to_window(dashboard).await.map_err(|e| e.to_string())?;

    let change = app
        .data_as(
            &admin,
            "{ changes(last: 1, filter: {entity: PROGRESS_REPORT}) { nodes { sequence after } } }",
            json!({}),
        )
        .await;
    if change["changes"]["nodes"][0]["after"]["narrative"] != json!("动态：第二个标签页的填报") {
        return Err(format!("the last change is not the tab's report: {change}"));
    }
    let sequence = change["changes"]["nodes"][0]["sequence"].clone();
    wait_for(client, &format!("#feed-list li[data-sequence='{sequence}']"), "the report in the live feed").await
}

/// A READER may read but is offered no form; signing out forgets the token.
async fn reader_is_offered_nothing(client: &Client, app: &TestApp) -> Result<(), String> {
    sign_out(client).await?;
    let reader = app.token("静海区发展改革委", Role::Reader).await;
    open(client, &format!("{}/report#token={reader}", app.address), "tasks").await?;
    let forms =
        script(client, "return document.querySelectorAll('form.report-form, form.actual-form').length;", vec![])
            .await?;
    let read_only = script(client, "return !!document.getElementById('read-only');", vec![]).await?;
    if forms != json!(0) || read_only != json!(true) {
        return Err(format!("a READER is offered {forms} forms (read-only note: {read_only})"));
    }
    sign_out(client).await?;
    open(client, &format!("{}/report", app.address), "anonymous").await?;
    let stored = script(client, "return sessionStorage.getItem('xietong.token');", vec![]).await?;
    if !stored.is_null() {
        return Err(format!("signing out left the token in sessionStorage: {stored}"));
    }
    Ok(())
}

/// Every URL the pages loaded is the server's own, and the policy blocked nothing.
async fn same_origin_only(client: &Client, address: &str) -> Result<(), String> {
    open(client, &format!("{address}/dashboard"), "overview").await?;
    let loaded = script(
        client,
        "return { urls: performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
                     .map(e => e.name), violations: window.xietongCspViolations };",
        vec![],
    )
    .await?;
    let same_origin = format!("{address}/");
    let urls: Vec<&str> =
        loaded["urls"].as_array().map(|u| u.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let outside: Vec<&&str> = urls.iter().filter(|url| !url.starts_with(&same_origin)).collect();
    if !outside.is_empty() {
        return Err(format!("the dashboard loaded from outside: {outside:?}"));
    }
    for needed in ["echarts.min.js", "graphql-ws.min.js", "dashboard.js", "app.css"] {
        if !urls.iter().any(|url| url.contains(&format!("/dashboard/assets/{needed}"))) {
            return Err(format!("{needed} was not loaded: {urls:?}"));
        }
    }
    if loaded["violations"] != json!([]) {
        return Err(format!("Content-Security-Policy violations: {}", loaded["violations"]));
    }
    Ok(())
}

// ---- helpers -------------------------------------------------------------------------------

async fn script(client: &Client, code: &str, args: Vec<Value>) -> Result<Value, String> {
    client.execute(code, args).await.map_err(|e| format!("script failed: {e}\n{code}"))
}

/// Opens `url` and waits until the page says it rendered `view` (`body[data-loaded]`).
async fn open(client: &Client, url: &str, view: &str) -> Result<(), String> {
    client.goto(url).await.map_err(|e| format!("cannot open {url}: {e}"))?;
    wait_loaded(client, view).await
}

async fn wait_loaded(client: &Client, view: &str) -> Result<(), String> {
    let started = Instant::now();
    loop {
        let loaded = script(client, "return document.body.dataset.loaded || '';", vec![]).await?;
        if loaded == json!(view) {
            return Ok(());
        }
        if loaded == json!("error") || started.elapsed() > STEP_TIMEOUT {
            let text = script(client, "return document.getElementById('content').textContent;", vec![]).await?;
            return Err(format!("the page did not render {view} (state {loaded}): {text}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_for(client: &Client, css: &str, what: &str) -> Result<(), String> {
    client
        .wait()
        .at_most(STEP_TIMEOUT)
        .for_element(Locator::Css(css))
        .await
        .map(|_| ())
        .map_err(|e| format!("{what} did not appear ({css}): {e}"))
}

async fn sign_out(client: &Client) -> Result<(), String> {
    script(
        client,
        "const b = document.getElementById('sign-out'); if (b) { b.click(); } sessionStorage.clear();",
        vec![],
    )
    .await
    .map(|_| ())
}

/// Each group's counts as the table shows them (`tr[data-key] td[data-field]`) equal the API's.
async fn compare_table(
    client: &Client,
    table: &str,
    groups: &[Value],
    key: impl Fn(&Value) -> String,
) -> Result<(), String> {
    let shown = script(
        client,
        "const rows = {};
         for (const tr of document.querySelectorAll('#' + arguments[0] + ' tbody tr')) {
             const cells = {};
             for (const td of tr.querySelectorAll('td[data-field]')) cells[td.dataset.field] = td.textContent;
             rows[tr.dataset.key] = cells;
         }
         return rows;",
        vec![json!(table)],
    )
    .await?;
    let rows = shown.as_object().map(|o| o.len()).unwrap_or(0);
    if rows != groups.len() {
        return Err(format!("#{table} shows {rows} rows, the API has {} groups", groups.len()));
    }
    for group in groups {
        let row = &shown[key(group).as_str()];
        for part in ["tasks", "indicators"] {
            for (field, value) in group[part].as_object().into_iter().flatten() {
                if field.ends_with("Share") {
                    continue;
                }
                let cell = &row[format!("{part}.{field}")];
                if cell != &json!(value.to_string()) {
                    return Err(format!(
                        "#{table} row {}: {part}.{field} shows {cell}, the API says {value}",
                        key(group)
                    ));
                }
            }
        }
        if row["overdueTasks"] != json!(group["overdueTasks"].to_string()) {
            return Err(format!(
                "#{table} row {}: overdue shows {}, the API says {}",
                key(group),
                row["overdueTasks"],
                group["overdueTasks"]
            ));
        }
    }
    Ok(())
}

/// Each chart's canvas holds drawn pixels.
async fn charts_drawn(client: &Client, ids: &[&str]) -> Result<(), String> {
    for id in ids {
        let painted = script(
            client,
            "const canvas = document.querySelector('#' + arguments[0] + ' canvas');
             if (!canvas || !canvas.width || !canvas.height) return -1;
             const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
             let painted = 0;
             for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
             return painted;",
            vec![json!(id)],
        )
        .await?;
        if painted.as_i64().unwrap_or(-1) < 500 {
            return Err(format!("chart {id} is empty ({painted} painted pixels)"));
        }
    }
    Ok(())
}

async fn department_id(app: &TestApp, token: &str) -> Value {
    app.data_as(token, "{ viewer { department { id } } }", json!({})).await["viewer"]["department"]["id"].clone()
}

/// `text` as a URL query value (IDs are base64: `+`, `/` and `=` need escaping).
fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Writes a screenshot of the current page to `$XIETONG_SCREENSHOTS_DIR/{name}.png`, when set.
async fn screenshot(client: &Client, name: &str) {
    let Ok(dir) = std::env::var("XIETONG_SCREENSHOTS_DIR") else { return };
    let path = std::path::Path::new(&dir).join(format!("{name}.png"));
    match client.screenshot().await {
        Ok(png) => match std::fs::write(&path, png) {
            Ok(()) => eprintln!("screenshot written to {}", path.display()),
            Err(e) => eprintln!("cannot write {}: {e}", path.display()),
        },
        Err(e) => eprintln!("cannot take a screenshot: {e}"),
    }
}
