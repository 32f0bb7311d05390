//! The aggregate queries for supervision: `statistics` agrees with the lists
//! (`tasks`, `indicators { progress }`) for every caller and every grouping,
//! costs a fixed number of statements whatever the number of groups, and
//! `overdueTasks`, `missingReports` and `Indicator.trajectory` answer as
//! documented.

use crate::helpers::{TestApp, error_code, spawn_app};
use chrono::Datelike;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use xietong::access::Role;

const JINGHAI_PLAN: &str = "天津市静海区碳达峰实施方案";
const NANKAI_PLAN: &str = "天津市南开区碳达峰实施方案";
const GROUPINGS: [&str; 5] = ["NONE", "PLAN", "REGION", "DEPARTMENT", "ACTION_GROUP"];
const TASK_STATUSES: [(&str, &str); 5] = [
    ("NOT_STARTED", "notStarted"),
    ("IN_PROGRESS", "inProgress"),
    ("COMPLETED", "completed"),
    ("DELAYED", "delayed"),
    ("ARCHIVED", "archived"),
];
const PROGRESS_STATUSES: [(&str, &str); 5] = [
    ("ACHIEVED", "achieved"),
    ("ON_TRACK", "onTrack"),
    ("AT_RISK", "atRisk"),
    ("OFF_TRACK", "offTrack"),
    ("NO_DATA", "noData"),
];
const GROUP: &str = "plan { id } region { id } department { id } role actionGroup { id }
    tasks { total notStarted inProgress completed delayed archived completedShare }
    indicators { total achieved onTrack atRisk offTrack noData achievedShare } overdueTasks lastReportAt";

/// `data` of a request by `token` (anonymous without one), failing on any error.
async fn ask(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> Value {
    match token {
        Some(token) => app.data_as(token, query, variables).await,
        None => app.data(query, variables).await,
    }
}

/// Every item of the root list `field` the caller may see, paged through.
async fn all(app: &TestApp, token: Option<&str>, field: &str, args: &str, selection: &str) -> Vec<Value> {
    let (mut items, mut after) = (Vec::new(), Value::Null);
    loop {
        let query = format!(
            "query($after: String) {{ {field}({args} first: 100, after: $after) {{
                pageInfo {{ hasNextPage endCursor }} nodes {{ {selection} }} }} }}"
        );
        let data = ask(app, token, &query, json!({ "after": after })).await;
        items.extend(data[field]["nodes"].as_array().expect("nodes").iter().cloned());
        if data[field]["pageInfo"]["hasNextPage"] != json!(true) {
            return items;
        }
        after = data[field]["pageInfo"]["endCursor"].clone();
    }
}

/// The counts of one group, as comparable maps: task statuses, progress statuses, overdue tasks.
#[derive(Debug, Default, PartialEq)]
struct Counts {
    tasks: BTreeMap<String, i64>,
    indicators: BTreeMap<String, i64>,
    overdue: i64,
}

/// A group's key as the test names it.
fn key_of(group: &Value) -> String {
    let id = |field: &str| group[field]["id"].as_str().map(str::to_owned);
    if let Some(task) = id("actionGroup") {
        return format!("group {task}");
    }
    if let Some(department) = id("department") {
        return format!("department {department} {}", group["role"].as_str().expect("a role"));
    }
    match (id("plan"), id("region")) {
        (Some(plan), _) => format!("plan {plan}"),
        (_, Some(region)) => format!("region {region}"),
        _ => "all".to_owned(),
    }
}

/// What `statistics(groupBy:)` answered, by group key.
async fn statistics(app: &TestApp, token: Option<&str>, group_by: &str, filter: Value) -> BTreeMap<String, Counts> {
    let query = format!("query($f: StatisticsFilter) {{ statistics(groupBy: {group_by}, filter: $f) {{ {GROUP} }} }}");
    let data = ask(app, token, &query, json!({ "f": filter })).await;
    let mut found = BTreeMap::new();
    for group in data["statistics"].as_array().expect("groups") {
        let mut counts = Counts { overdue: group["overdueTasks"].as_i64().expect("overdue"), ..Counts::default() };
        for (status, field) in TASK_STATUSES {
            counts.tasks.insert(status.to_owned(), group["tasks"][field].as_i64().expect("a count"));
        }
        for (status, field) in PROGRESS_STATUSES {
            counts.indicators.insert(status.to_owned(), group["indicators"][field].as_i64().expect("a count"));
        }
        let tasks: i64 = counts.tasks.values().sum();
        assert_eq!(group["tasks"]["total"].as_i64(), Some(tasks), "{group:#}");
        let indicators: i64 = counts.indicators.values().sum();
        assert_eq!(group["indicators"]["total"].as_i64(), Some(indicators), "{group:#}");
        assert!(found.insert(key_of(group), counts).is_none(), "one group per key: {group:#}");
    }
    found
}

const TASK: &str =
    "id kind status dueYear plan { id region { id } } parent { id } assignments { role department { id } }";
const INDICATOR: &str = "id plan { id region { id } } task { id }";

/// The groups a task (kind ACTION_GROUP counted only as the group of what is under it) belongs to.
fn groups_of_task(group_by: &str, task: &Value, tasks: &HashMap<String, Value>) -> Vec<String> {
    let text = |v: &Value| v.as_str().expect("an ID").to_owned();
    match group_by {
        "NONE" => vec!["all".to_owned()],
        "PLAN" => vec![format!("plan {}", text(&task["plan"]["id"]))],
        "REGION" => vec![format!("region {}", text(&task["plan"]["region"]["id"]))],
        "DEPARTMENT" => {
            let mut keys: Vec<String> = task["assignments"]
                .as_array()
                .expect("assignments")
                .iter()
                .map(|a| format!("department {} {}", text(&a["department"]["id"]), text(&a["role"])))
                .collect();
            keys.dedup();
            keys
        }
        _ => {
            let (mut keys, mut at) = (Vec::new(), Some(task));
            while let Some(node) = at {
                if node["kind"] == "ACTION_GROUP" {
                    keys.push(format!("group {}", text(&node["id"])));
                }
                at = node["parent"]["id"].as_str().and_then(|p| tasks.get(p));
            }
            keys
        }
    }
}

/// The counts the lists imply for every group of `group_by`, with indicators judged for `year`.
async fn expected(app: &TestApp, token: Option<&str>, group_by: &str, year: Option<i32>) -> BTreeMap<String, Counts> {
    let tasks: HashMap<String, Value> = all(app, token, "tasks", "", TASK)
        .await
        .into_iter()
        .map(|t| (t["id"].as_str().expect("an ID").to_owned(), t))
        .collect();
    let progress = match year {
        Some(year) => format!("progress(year: {year}) {{ status }}"),
        None => "progress { status }".to_owned(),
    };
    let indicators = all(app, token, "indicators", "", &format!("{INDICATOR} {progress}")).await;
    let this_year = i64::from(chrono::Utc::now().year());
    let mut groups: BTreeMap<String, Counts> = BTreeMap::new();
    if group_by == "NONE" {
        groups.insert("all".to_owned(), Counts::default());
    }
    for task in tasks.values().filter(|t| t["kind"] != "ACTION_GROUP") {
        if year.is_some_and(|y| task["dueYear"] != json!(y)) {
            continue;
        }
        let status = task["status"].as_str().expect("a status").to_owned();
        let overdue = task["dueYear"].as_i64().is_some_and(|due| due < this_year)
            && !matches!(status.as_str(), "COMPLETED" | "ARCHIVED");
        for key in groups_of_task(group_by, task, &tasks) {
            let counts = groups.entry(key).or_default();
            *counts.tasks.entry(status.clone()).or_default() += 1;
            counts.overdue += i64::from(overdue);
        }
    }
    for indicator in &indicators {
        let status = indicator["progress"]["status"].as_str().expect("a status").to_owned();
        let keys = match (group_by, indicator["task"]["id"].as_str().and_then(|t| tasks.get(t))) {
            ("NONE" | "PLAN" | "REGION", _) => groups_of_task(group_by, indicator, &tasks),
            (_, Some(task)) => groups_of_task(group_by, task, &tasks),
            (_, None) => Vec::new(),
        };
        for key in keys {
            *groups.entry(key).or_default().indicators.entry(status.clone()).or_default() += 1;
        }
    }
    for counts in groups.values_mut() {
        for (status, _) in TASK_STATUSES {
            counts.tasks.entry(status.to_owned()).or_default();
        }
        for (status, _) in PROGRESS_STATUSES {
            counts.indicators.entry(status.to_owned()).or_default();
        }
    }
    groups
}

/// The global ID and version of the plan titled `title`, as ADMIN sees it.
async fn plan(app: &TestApp, admin: &str, title: &str) -> (String, i64) {
    let query = "query($t: String) { plans(filter: { search: $t }) { nodes { id version } } }";
    let data = app.data_as(admin, query, json!({ "t": title })).await;
    let node = &data["plans"]["nodes"][0];
    (node["id"].as_str().expect("the plan").to_owned(), node["version"].as_i64().expect("a version"))
}

/// Varied data: reports that move tasks to every status, actuals on a few
/// indicators, and two plans no longer PUBLIC (Nankai's CONDITIONAL and
/// outside the bureau's district, Jinghai's CONDITIONAL and inside it), so
/// anonymous callers, the Jinghai bureau and ADMIN each see a different set.
async fn prepare(app: &TestApp, admin: &str) {
    let ids = app.data("{ plans { nodes { tasks(first: 12, filter: { kind: TASK }) { nodes { id } } indicators(first: 6) { nodes { id } } } } }", json!({})).await;
    let statuses = ["IN_PROGRESS", "COMPLETED", "DELAYED", "NOT_STARTED"];
    for (p, plan) in ids["plans"]["nodes"].as_array().expect("plans").iter().enumerate() {
        for (i, task) in plan["tasks"]["nodes"].as_array().expect("tasks").iter().enumerate().take(8) {
            let input = json!({ "taskId": task["id"], "period": "2025-Q3", "status": statuses[(i + p) % statuses.len()], "narrative": "进展" });
            let mutation = "mutation($input: ReportProgressInput!) { reportProgress(input: $input) { report { id } } }";
            app.data_as(admin, mutation, json!({ "input": input })).await;
        }
        for (i, indicator) in plan["indicators"]["nodes"].as_array().expect("indicators").iter().enumerate() {
            let input = json!({ "indicatorId": indicator["id"], "period": "2024", "value": 5.0 * i as f64 });
            let mutation = "mutation($input: RecordActualInput!) { recordActual(input: $input) { actual { id } } }";
            app.data_as(admin, mutation, json!({ "input": input })).await;
        }
    }
    for title in [NANKAI_PLAN, JINGHAI_PLAN] {
        let (id, version) = plan(app, admin, title).await;
        let input = json!({ "id": id, "expectedVersion": version, "sharingClass": "CONDITIONAL" });
        app.data_as(
            admin,
            "mutation($input: UpdatePlanInput!) { updatePlan(input: $input) { plan { id } } }",
            json!({ "input": input }),
        )
        .await;
    }
}

#[tokio::test]
async fn statistics_equal_the_lists_for_every_caller_and_grouping() {
    let app = spawn_app().await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let bureau = app.token("静海区发展改革委", Role::Bureau).await;
    prepare(&app, &admin).await;
    let mut totals = Vec::new();
    for token in [None, Some(bureau.as_str()), Some(admin.as_str())] {
        for group_by in GROUPINGS {
            let found = statistics(&app, token, group_by, Value::Null).await;
            let wanted = expected(&app, token, group_by, None).await;
            assert_eq!(found, wanted, "{group_by} for {}", if token.is_some() { "a token" } else { "anonymous" });
        }
        let all = &statistics(&app, token, "NONE", Value::Null).await["all"];
        let overdue = ask(&app, token, "{ overdueTasks { totalCount } }", json!({})).await;
        assert_eq!(overdue["overdueTasks"]["totalCount"].as_i64(), Some(all.overdue), "overdueTasks agrees");
        totals.push((all.tasks.values().sum::<i64>(), all.indicators.values().sum::<i64>()));
    }
    let [anonymous, bureau, admin] = totals[..] else { panic!("three callers") };
    assert!(anonymous.0 < bureau.0 && bureau.0 < admin.0, "tasks seen: {totals:?}");
    assert!(anonymous.1 < bureau.1 && bureau.1 < admin.1, "indicators seen: {totals:?}");
}

#[tokio::test]
async fn filters_narrow_the_counts_and_a_year_judges_indicators_against_its_target() {
    let app = spawn_app().await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    prepare(&app, &admin).await;
    let token = Some(admin.as_str());
    let found = statistics(&app, token, "NONE", json!({ "year": 2025 })).await;
    assert_eq!(found, expected(&app, token, "NONE", Some(2025)).await, "year 2025");
    // The last report or actual came before the plans' sharing classes changed, the last change.
    let query = "{ statistics { lastReportAt } changes(last: 1) { nodes { occurredAt } } }";
    let latest = ask(&app, token, query, json!({})).await;
    let time = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().expect("a time")).expect("RFC 3339");
    let at = time(&latest["statistics"][0]["lastReportAt"]);
    assert!(at < time(&latest["changes"]["nodes"][0]["occurredAt"]), "{latest:#}");
    let (jinghai, _) = plan(&app, &admin, JINGHAI_PLAN).await;
    let by_plan = statistics(&app, token, "PLAN", Value::Null).await;
    let one = statistics(&app, token, "PLAN", json!({ "planId": jinghai })).await;
    assert_eq!(one.len(), 1);
    assert_eq!(one.values().next(), by_plan.get(&one.keys().next().cloned().unwrap_or_default()), "planId");
    // Tianjin with its districts is every plan of a Tianjin region (not the Jing-Jin-Ji area's);
    // Jinghai alone is its plan.
    let tianjin = statistics(&app, token, "NONE", json!({ "regionCode": "120000" })).await;
    let plans = ask(&app, token, "{ plans(first: 50) { nodes { id region { code } } } }", json!({})).await;
    let of_tianjin: Vec<String> = plans["plans"]["nodes"]
        .as_array()
        .expect("plans")
        .iter()
        .filter(|p| p["region"]["code"].as_str().is_some_and(|code| code.starts_with("12")))
        .map(|p| format!("plan {}", p["id"].as_str().unwrap_or_default()))
        .collect();
    assert!(of_tianjin.len() < plans["plans"]["nodes"].as_array().map_or(0, Vec::len), "a plan outside Tianjin");
    let mut sum = Counts::default();
    for (key, counts) in &by_plan {
        if of_tianjin.contains(key) {
            sum.overdue += counts.overdue;
            for (status, n) in &counts.tasks {
                *sum.tasks.entry(status.clone()).or_default() += n;
            }
            for (status, n) in &counts.indicators {
                *sum.indicators.entry(status.clone()).or_default() += n;
            }
        }
    }
    assert_eq!(tianjin.get("all"), Some(&sum), "Tianjin and its districts");
    let district = statistics(&app, token, "NONE", json!({ "regionCode": "120118" })).await;
    assert_eq!(district.get("all"), one.values().next(), "Jinghai district is the Jinghai plan");
    // A department's filter keeps the tasks it is assigned to: its LEAD and SUPPORT groups cover them.
    let by_department = statistics(&app, token, "DEPARTMENT", Value::Null).await;
    let department = by_department.keys().next().and_then(|k| k.split(' ').nth(1)).expect("a department").to_owned();
    let mine = statistics(&app, token, "NONE", json!({ "departmentId": department })).await;
    let tasks = ask(
        &app,
        token,
        "query($d: ID) { a: tasks(filter: { departmentId: $d, kind: TASK }) { totalCount }
        b: tasks(filter: { departmentId: $d, kind: FEATURED_PROJECT }) { totalCount } }",
        json!({ "d": department }),
    )
    .await;
    let listed = tasks["a"]["totalCount"].as_i64().unwrap() + tasks["b"]["totalCount"].as_i64().unwrap();
    assert_eq!(mine["all"].tasks.values().sum::<i64>(), listed, "departmentId");
}

/// The statements one request costs, the fewest of two runs (a late change
/// notification can cost the caller cache one, as in statements.rs).
async fn statements(app: &TestApp, token: &str, query: &str, variables: Value) -> u64 {
    let mut fewest = u64::MAX;
    for _ in 0..2 {
        let before = app.statements.get();
        app.data_as(token, query, variables.clone()).await;
        fewest = fewest.min(app.statements.get() - before);
    }
    fewest
}

#[tokio::test]
async fn statistics_cost_a_fixed_number_of_statements_whatever_the_number_of_groups() {
    let app = spawn_app().await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let bureau = app.token("静海区发展改革委", Role::Bureau).await;
    prepare(&app, &admin).await;
    let (jinghai, _) = plan(&app, &admin, JINGHAI_PLAN).await;
    app.warm_caller(&admin).await;
    app.warm_caller(&bureau).await;
    // Tasks, indicators, their targets and current actuals; then one loader per level of group record.
    let wanted = [("NONE", 4), ("PLAN", 5), ("REGION", 5), ("DEPARTMENT", 5), ("ACTION_GROUP", 6)];
    for token in [&admin, &bureau] {
        for (group_by, cost) in wanted {
            let query = format!(
                "query($f: StatisticsFilter) {{ statistics(groupBy: {group_by}, filter: $f) {{
                    plan {{ title }} region {{ name }} department {{ name }} actionGroup {{ title }}
                    tasks {{ total }} indicators {{ total }} overdueTasks lastReportAt }} }}"
            );
            let many = statements(&app, token, &query, json!({ "f": null })).await;
            let few = statements(&app, token, &query, json!({ "f": { "planId": jinghai } })).await;
            assert_eq!((many, few), (cost, cost), "{group_by}: statements for all groups and for one plan's");
        }
        // The indicators, the LEAD assignments of their tasks, the plans' issuers, the latest actuals; the departments.
        let missing = "query($f: StatisticsFilter) { missingReports(period: \"2025\", filter: $f) {
            indicator { name } departments { name } lastPeriod } }";
        let many = statements(&app, token, missing, json!({ "f": null })).await;
        let few = statements(&app, token, missing, json!({ "f": { "planId": jinghai } })).await;
        assert_eq!((many, few), (5, 5), "missingReports for every plan and for one");
        // The indicators, then their targets and every actual, once for the whole page.
        let charts = "query($n: Int) { indicators(first: $n) { nodes { trajectory {
            baseline { year } targets { year } actuals { period revision } path { year value } } } } }";
        let few = statements(&app, token, charts, json!({ "n": 2 })).await;
        let many = statements(&app, token, charts, json!({ "n": 100 })).await;
        assert_eq!((few, many), (3, 3), "trajectories of 2 indicators and of 100");
    }
}

#[tokio::test]
async fn the_complexity_limit_bounds_what_hangs_under_the_aggregates() {
    let app = spawn_app().await;
    let query = "{ statistics(groupBy: PLAN) { plan { tasks(first: 100) { nodes { indicators(first: 100) {
        nodes { trajectory { actuals { value } } } } } } } } }";
    let body = app.graphql(query, json!({})).await;
    assert_eq!(error_code(&body), Some("QUERY_TOO_COMPLEX"), "{body:#}");
    let body = app
        .graphql(
            "{ missingReports(period: \"2025\") { indicator { contributors(first: 100) {
        nodes { contributors(first: 100) { nodes { trajectory { actuals { value } } } } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("QUERY_TOO_COMPLEX"), "{body:#}");
}

#[tokio::test]
async fn overdue_tasks_are_past_due_unfinished_tasks_paged_like_tasks() {
    let app = spawn_app().await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    prepare(&app, &admin).await;
    let tasks = all(&app, Some(&admin), "tasks", "", TASK).await;
    let wanted: Vec<&Value> = tasks
        .iter()
        .filter(|t| t["kind"] != "ACTION_GROUP" && t["dueYear"].as_i64().is_some_and(|due| due < 2026))
        .filter(|t| !matches!(t["status"].as_str(), Some("COMPLETED" | "ARCHIVED")))
        .collect();
    assert!(wanted.len() > 10, "the dataset has overdue tasks by 2026");
    let query = "query($after: String) { overdueTasks(asOfYear: 2026, first: 10, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { id dueYear status kind } } }";
    let first = app.data_as(&admin, query, json!({ "after": null })).await;
    assert_eq!(first["overdueTasks"]["totalCount"].as_i64(), Some(wanted.len() as i64));
    let after = first["overdueTasks"]["pageInfo"]["endCursor"].clone();
    let second = app.data_as(&admin, query, json!({ "after": after })).await;
    let mut seen: Vec<&str> = Vec::new();
    for page in [&first, &second] {
        seen.extend(page["overdueTasks"]["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()));
    }
    seen.dedup();
    assert_eq!(seen.len(), 20, "two pages of ten, none repeated");
    assert!(seen.iter().all(|id| wanted.iter().any(|t| t["id"] == *id)), "every one listed is overdue");
}

#[tokio::test]
async fn missing_reports_name_who_should_report_and_leave_out_what_was_reported() {
    let app = spawn_app().await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let (jinghai, _) = plan(&app, &admin, JINGHAI_PLAN).await;
    let query = "query($p: String!, $f: StatisticsFilter) { missingReports(period: $p, filter: $f) {
        indicator { id targets { year } task { assignments { role department { id } } } plan { issuer { id } } }
        departments { id } lastPeriod } }";
    let filter = json!({ "planId": jinghai });
    let before = app.data_as(&admin, query, json!({ "p": "2025", "f": filter })).await;
    let missing = before["missingReports"].as_array().expect("a list").clone();
    assert!(missing.len() > 5, "the Jinghai plan's indicators lack 2025 values");
    for report in &missing {
        let indicator = &report["indicator"];
        let years = indicator["targets"].as_array().unwrap().iter().map(|t| t["year"].as_i64().unwrap());
        assert!(years.max().is_some_and(|y| y >= 2025), "a target still due: {report:#}");
        let leads: Vec<&Value> = indicator["task"]["assignments"]
            .as_array()
            .map(|a| a.iter().filter(|a| a["role"] == "LEAD").map(|a| &a["department"]["id"]).collect())
            .unwrap_or_default();
        let named: Vec<&Value> = report["departments"].as_array().unwrap().iter().map(|d| &d["id"]).collect();
        if leads.is_empty() {
            assert_eq!(named, vec![&indicator["plan"]["issuer"]["id"]], "the issuer when no LEAD: {report:#}");
        } else {
            assert_eq!(named, leads, "the LEAD departments: {report:#}");
        }
    }
    let (reported, earlier) = (&missing[0]["indicator"]["id"], &missing[1]["indicator"]["id"]);
    let mutation = "mutation($input: RecordActualInput!) { recordActual(input: $input) { actual { id } } }";
    for (indicator, period) in [(reported, "2025"), (earlier, "2024")] {
        let input = json!({ "indicatorId": indicator, "period": period, "value": 1.0 });
        app.data_as(&admin, mutation, json!({ "input": input })).await;
    }
    let after = app.data_as(&admin, query, json!({ "p": "2025", "f": filter })).await;
    let after = after["missingReports"].as_array().unwrap();
    assert_eq!(after.len(), missing.len() - 1, "the reported one is no longer missing");
    assert!(after.iter().all(|r| &r["indicator"]["id"] != reported));
    let still = after.iter().find(|r| &r["indicator"]["id"] == earlier).expect("still missing for 2025");
    assert_eq!(still["lastPeriod"], "2024");
    let wrong = app.graphql_as(&admin, query, json!({ "p": "2025-Q5" })).await;
    assert_eq!(error_code(&wrong), Some("BAD_USER_INPUT"), "{wrong:#}");
}

#[tokio::test]
async fn the_trajectory_holds_every_revision_and_the_path_from_baseline_to_each_target() {
    let app = spawn_app().await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let indicators =
        all(&app, Some(&admin), "indicators", "", "id baseline { year value } targets { year value }").await;
    let chosen = indicators
        .iter()
        .find(|i| i["baseline"]["value"].is_number() && !i["targets"].as_array().unwrap().is_empty())
        .expect("an indicator with a baseline value and a target");
    let mutation = "mutation($input: RecordActualInput!) { recordActual(input: $input) { actual { id } } }";
    for (period, value, reason) in [("2024", 1.0, None), ("2023", 0.5, None), ("2024", 1.5, Some("统计口径调整"))]
    {
        let input = json!({ "indicatorId": chosen["id"], "period": period, "value": value, "reason": reason });
        app.data_as(&admin, mutation, json!({ "input": input })).await;
    }
    let data = app
        .data_as(
            &admin,
            "query($id: ID!) { node(id: $id) { ... on Indicator { trajectory {
                baseline { year value } targets { year value } actuals { period value revision } path { year value } } } } }",
            json!({ "id": chosen["id"] }),
        )
        .await;
    let trajectory = &data["node"]["trajectory"];
    assert_eq!(trajectory["baseline"], chosen["baseline"]);
    assert_eq!(trajectory["targets"], chosen["targets"]);
    let actuals: Vec<(&str, i64)> = trajectory["actuals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["period"].as_str().unwrap(), a["revision"].as_i64().unwrap()))
        .collect();
    assert_eq!(actuals, [("2023", 1), ("2024", 1), ("2024", 2)], "every revision, by period then revision");
    let path = trajectory["path"].as_array().unwrap();
    let baseline = &chosen["baseline"];
    assert_eq!((&path[0]["year"], &path[0]["value"]), (&baseline["year"], &baseline["value"]));
    let years: Vec<i64> = path.iter().map(|p| p["year"].as_i64().unwrap()).collect();
    let last = chosen["targets"].as_array().unwrap().iter().filter_map(|t| t["year"].as_i64()).max().unwrap();
    assert_eq!(years, (baseline["year"].as_i64().unwrap()..=last).collect::<Vec<_>>(), "a point a year");
    for target in chosen["targets"].as_array().unwrap() {
        let point = path.iter().find(|p| p["year"] == target["year"]).expect("each target on the path");
        assert_eq!(point["value"], target["value"], "the path passes through each target");
    }
}

#[tokio::test]
async fn the_graphiql_example_of_the_aggregates_runs() {
    let app = spawn_app().await;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/web/graphiql/examples/5-supervision-by-department.graphql");
    let example = std::fs::read_to_string(path).expect("the example");
    let data = app.data(&example, json!({})).await;
    let groups = data["statistics"].as_array().expect("groups");
    assert!(groups.iter().any(|g| g["role"] == "LEAD") && groups.iter().any(|g| g["role"] == "SUPPORT"), "{data:#}");
    assert!(!data["missingReports"].as_array().expect("a list").is_empty(), "{data:#}");
}
