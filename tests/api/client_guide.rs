//! The client guide (docs/clients.md) and its examples (docs/clients/), run
//! against a real server so that they cannot rot: every code block of the
//! guide is an example file, quoted exactly, and every example file is run
//! here with the client it is written for — curl, GraphQL Code Generator (and
//! `tsc` on the types it generates), Apollo Client in Node.js and the Python
//! `gql` client, over HTTP and WebSocket.
//!
//! The clients are installed by .ci/run: the npm packages of
//! tests/clients/package.json in tests/clients/node_modules (or in the
//! directory named by `XIETONG_CLIENT_MODULES`), the Python packages of
//! tests/clients/requirements.txt in tests/clients/.venv (or for the Python
//! named by `XIETONG_CLIENT_PYTHON`). Without one, its test says so and passes,
//! except under CI, where it fails.

pub(crate) mod programs;

use crate::helpers::{TEST_JWT_SECRET, TestApp, spawn_app, spawn_app_with};
use crate::process::BIN;
use programs::{Follower, available, example, examples, node_modules, node_project, python, root, run, run_json, runs};
use serde_json::{Value, json};
use std::path::Path;
use xietong::access::Role;
use xietong::graphql::Limits;

/// The bureau whose token the examples use, and the name of its system.
const BUREAU: &str = "静海区发展改革委";
const CLIENT: &str = "jinghai-drc-system";

/// A task the bureau leads (so its report also sets the task's status) and an indicator of one of its tasks.
async fn bureau_task_and_indicator(app: &TestApp, token: &str) -> (String, String) {
    let viewer = app.data_as(token, "{ viewer { department { id } } }", json!({})).await;
    let department = viewer["viewer"]["department"]["id"].clone();
    let data = app
        .data(
            "query($d: ID!) { tasks(filter: { departmentId: $d, role: LEAD }, first: 1) { nodes { id } }
               indicators(filter: { departmentId: $d }, first: 1) { nodes { id } } }",
            json!({ "d": department }),
        )
        .await;
    let task = data["tasks"]["nodes"][0]["id"].as_str().expect("the bureau leads a task");
    let indicator = data["indicators"]["nodes"][0]["id"].as_str().expect("the bureau has an indicator");
    (task.to_owned(), indicator.to_owned())
}

/// The IDs of a connection's `nodes` in `data`, in order.
fn ids(nodes: &Value) -> Vec<String> {
    nodes.as_array().expect("a list").iter().map(|n| n["id"].as_str().expect("an id").to_owned()).collect()
}

fn assert_unique(ids: &[String]) {
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "a page repeated a record: {ids:?}");
}

#[test]
fn every_code_block_of_the_guide_is_an_example_file_quoted_exactly() {
    let docs = root().join("docs");
    let guide = std::fs::read_to_string(docs.join("clients.md")).expect("docs/clients.md");
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    assert!(readme.contains("](docs/clients.md)"), "README.md links the client guide");

    let lines: Vec<&str> = guide.lines().collect();
    let mut quoted = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].starts_with("```") {
            i += 1;
            continue;
        }
        let caption = lines[..i].iter().rev().find(|l| !l.trim().is_empty()).copied().unwrap_or_default();
        let path = caption
            .strip_prefix("[`")
            .and_then(|rest| rest.split_once("`]("))
            .map(|(path, _)| path)
            .filter(|path| caption == format!("[`{path}`]({path}):"))
            .unwrap_or_else(|| panic!("line {}: a code block must follow a caption \"[`FILE`](FILE):\"", i + 1));
        let end = i + 1 + lines[i + 1..].iter().position(|l| l.starts_with("```")).expect("a closing fence");
        let block = lines[i + 1..end].iter().map(|l| format!("{l}\n")).collect::<String>();
        let file = std::fs::read_to_string(docs.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(block, file, "the block at line {} differs from docs/{path}", i + 1);
        quoted.push(path.to_owned());
        i = end + 1;
    }
    assert!(!quoted.is_empty(), "the guide quotes its examples");

    // Every example file is in the guide, quoted or linked: none is run without being shown.
    // (What running an example in place leaves behind is not an example.)
    let mut pending = vec![examples()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                let name = path.file_name().unwrap_or_default();
                if !["generated", "node_modules", "__pycache__"].iter().any(|skip| name == *skip) {
                    pending.push(path);
                }
                continue;
            }
            let relative = path.strip_prefix(&docs).unwrap().to_string_lossy().into_owned();
            assert!(guide.contains(&format!("]({relative})")), "docs/clients.md does not show {relative}");
        }
    }
}

#[tokio::test]
async fn the_curl_examples_issue_a_token_read_report_and_poll_the_feed() {
    if !available(
        "client_guide::the_curl_examples_issue_a_token_read_report_and_poll_the_feed",
        runs("curl", "--version") && runs("bash", "--version"),
        "curl or bash",
    ) {
        return;
    }
    let app = spawn_app().await;
    let curl = |script: &str| {
        let mut command = example("bash", &app);
        command.arg(examples().join("curl").join(script));
        command
    };

    // token.sh: the real `xietong token issue`, with this server's database and secret.
    let mut issue = example("bash", &app);
    let path = std::env::join_paths(
        std::iter::once(Path::new(BIN).parent().unwrap().to_owned())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    issue
        .args(["-c", r#". "$1" && printf %s "$XIETONG_TOKEN""#, "token.sh"])
        .arg(examples().join("token.sh"))
        .env("PATH", path)
        .env("DATABASE_URL", &app.database_url)
        .env("XIETONG_JWT_SECRET", TEST_JWT_SECRET);
    let token = run(issue).await;
    let viewer = app.graphql_as(&token, "{ viewer { role client department { name } } }", json!({})).await;
    assert_eq!(
        viewer["data"]["viewer"],
        json!({ "role": "BUREAU", "client": CLIENT, "department": { "name": BUREAU } })
    );

    // schema.sh writes the served schema, which is the repository's.
    let dir = tempfile::tempdir().unwrap();
    let mut schema = curl("schema.sh");
    schema.current_dir(dir.path());
    run(schema).await;
    let served = std::fs::read_to_string(dir.path().join("schema.graphql")).unwrap();
    let repository = std::fs::read_to_string(root().join("schema.graphql")).unwrap();
    assert!(served == repository, "GET /schema.graphql differs from schema.graphql");

    // query.sh: the three latest plans and a cursor for more.
    let expected = app
        .data("{ plans(first: 100, orderBy: { field: ISSUED_ON, direction: DESC }) { nodes { id } } }", json!({}))
        .await;
    let expected = ids(&expected["plans"]["nodes"]);
    let plans = run_json(curl("query.sh")).await["data"]["plans"].clone();
    assert_eq!(plans["totalCount"], expected.len(), "{plans:#}");
    assert_eq!(ids(&plans["nodes"]), expected[..3], "{plans:#}");
    assert_eq!(plans["pageInfo"]["hasNextPage"], true, "{plans:#}");
    assert_eq!(plans["nodes"][0]["issuedOn"], "2023-06-15", "a Date is YYYY-MM-DD: {plans:#}");

    // node.sh: one of them over GET.
    let mut node = curl("node.sh");
    node.env("PLAN_ID", &expected[0]);
    let plan = run_json(node).await["data"]["node"].clone();
    assert_eq!(plan["id"], expected[0].as_str());
    assert_eq!(
        (plan["title"].as_str(), plan["region"]["name"].as_str()),
        (Some("天津市静海区碳达峰实施方案"), Some("静海区"))
    );

    // my-tasks.sh: the bureau's tasks with their indicators.
    let (task, indicator) = bureau_task_and_indicator(&app, &token).await;
    let mut mine = curl("my-tasks.sh");
    mine.env("XIETONG_TOKEN", &token);
    let viewer = run_json(mine).await["data"]["viewer"].clone();
    assert_eq!((viewer["role"].as_str(), viewer["department"]["name"].as_str()), (Some("BUREAU"), Some(BUREAU)));
    let tasks = &viewer["department"]["tasks"];
    assert!(ids(&tasks["nodes"]).contains(&task), "{tasks:#}");
    let indicators: Vec<String> =
        tasks["nodes"].as_array().unwrap().iter().flat_map(|t| ids(&t["indicators"]["nodes"])).collect();
    assert!(indicators.contains(&indicator), "{tasks:#}");

    // report.sh, twice: one report (the idempotency key), and the lead's report sets the task's status.
    let report = || {
        let mut command = curl("report.sh");
        command.env("XIETONG_TOKEN", &token).env("TASK_ID", &task);
        command
    };
    let first = run_json(report()).await["data"]["reportProgress"].clone();
    assert_eq!(first["report"]["period"], "2024-Q3", "{first:#}");
    assert_eq!(
        (first["report"]["status"].as_str(), first["report"]["percent"].as_i64()),
        (Some("IN_PROGRESS"), Some(60))
    );
    assert_eq!(first["task"]["status"], "IN_PROGRESS", "{first:#}");
    let again = run_json(report()).await["data"]["reportProgress"].clone();
    assert_eq!(again["report"]["id"], first["report"]["id"], "a retry returns the first report");

    // changes.sh: the report and the task's new status, by this system, then nothing after the end cursor.
    let feed = |after: Option<&str>| {
        let mut command = curl("changes.sh");
        command.env("XIETONG_TOKEN", &token);
        if let Some(after) = after {
            command.env("AFTER", after);
        }
        command
    };
    let changes = run_json(feed(None)).await["data"]["changes"].clone();
    let entries: Vec<(&str, &str)> = changes["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["node"]["entity"].as_str().unwrap(), e["node"]["entityId"].as_str().unwrap()))
        .collect();
    assert_eq!(entries, [("ProgressReport", first["report"]["id"].as_str().unwrap()), ("Task", task.as_str())]);
    assert!(changes["edges"].as_array().unwrap().iter().all(|e| e["node"]["actorClient"] == CLIENT), "{changes:#}");
    let end = changes["pageInfo"]["endCursor"].as_str().unwrap();
    let later = run_json(feed(Some(end))).await["data"]["changes"].clone();
    assert_eq!(later["edges"], json!([]), "{later:#}");
}

#[tokio::test]
async fn graphql_code_generator_types_the_schema_by_introspection_and_from_schema_graphql() {
    let packages =
        ["@graphql-codegen/cli", "@graphql-codegen/typescript", "@graphql-codegen/typescript-operations", "typescript"];
    let modules = node_modules(&packages);
    if !available(
        "client_guide::graphql_code_generator_types_the_schema_by_introspection_and_from_schema_graphql",
        runs("node", "--version") && modules.is_some(),
        "node or the npm packages of tests/clients",
    ) {
        return;
    }
    let modules = modules.unwrap();
    let codegen = |dir: &Path, schema: String, app: &TestApp| {
        let mut command = example("node", app);
        command
            .arg(modules.join("@graphql-codegen/cli/cjs/bin.js"))
            .args(["--config", "codegen.yml"])
            .env("XIETONG_SCHEMA", schema)
            .current_dir(dir);
        command
    };

    // By introspection of /graphql.
    let app = spawn_app().await;
    let project = node_project("codegen", &modules);
    run(codegen(project.path(), format!("{}/graphql", app.address), &app)).await;
    let schema = std::fs::read_to_string(project.path().join("generated/schema.ts")).unwrap();
    let operations = std::fs::read_to_string(project.path().join("generated/operations.ts")).unwrap();
    for scalar in [
        "ID: { input: string; output: string; }",
        "Date: { input: string; output: string; }",
        "DateTime: { input: string; output: string; }",
        "JSON: { input: unknown; output: unknown; }",
    ] {
        assert!(schema.contains(scalar), "generated/schema.ts maps {scalar}");
    }
    for declaration in ["export type Plan = Node & {", "export type TaskStatus =", "export type RecordActualInput = {"]
    {
        assert!(schema.contains(declaration), "generated/schema.ts declares {declaration}");
    }
    for expected in [
        "documentNumber: string | null, issuedOn: string | null, updatedAt: string, status: PlanStatus",
        "export type RecordActualMutationVariables = Exact<{\n  input: RecordActualInput;\n}>;",
        "change: { sequence: number, entity: string, entityId: string, action: string, after: unknown, occurredAt: string }",
    ] {
        assert!(operations.contains(expected), "generated/operations.ts has {expected}:\n{operations}");
    }
    // The example that uses the types compiles with them under `strict`.
    let mut tsc = example("node", &app);
    tsc.arg(modules.join("typescript/bin/tsc")).args(["-p", "."]).current_dir(project.path());
    run(tsc).await;

    // From GET /schema.graphql on a server that refuses introspection: the same types.
    let closed = spawn_app_with(Limits { no_introspection: true, ..Limits::default() }).await;
    let introspection = closed.graphql("{ __schema { queryType { name } } }", json!({})).await;
    assert!(introspection.get("errors").is_some(), "introspection is off: {introspection}");
    let sdl = node_project("codegen", &modules);
    run(codegen(sdl.path(), format!("{}/schema.graphql", closed.address), &closed)).await;
    // Only the descriptions of scalars differ: an SDL keeps them where codegen reads them.
    let code = |text: &str| text.lines().filter(|l| !l.trim_start().starts_with("/**")).collect::<Vec<_>>().join("\n");
    for file in ["generated/schema.ts", "generated/operations.ts"] {
        let from_sdl = std::fs::read_to_string(sdl.path().join(file)).unwrap();
        let by_introspection = std::fs::read_to_string(project.path().join(file)).unwrap();
        assert!(code(&from_sdl) == code(&by_introspection), "{file} differs between the two schema sources");
    }
}

#[tokio::test]
async fn apollo_client_pages_through_edges_and_nodes_connections_without_gaps_or_repeats() {
    let modules = node_modules(&["@apollo/client", "graphql", "rxjs"]);
    if !available(
        "client_guide::apollo_client_pages_through_edges_and_nodes_connections_without_gaps_or_repeats",
        runs("node", "--version") && modules.is_some(),
        "node or the npm packages of tests/clients",
    ) {
        return;
    }
    let app = spawn_app().await;
    let project = node_project("apollo", &modules.unwrap());
    let mut paging = example("node", &app);
    paging.arg("paging.mjs").current_dir(project.path());
    let report = run_json(paging).await;

    let expected = app
        .data(
            r#"{ plans(first: 100, orderBy: { field: ISSUED_ON, direction: DESC }) { nodes { id } }
                 indicators(filter: { regionCode: "120118", year: 2025 }, first: 100) { nodes { id } } }"#,
            json!({}),
        )
        .await;
    for (field, page_size) in [("plans", 3), ("indicators", 10)] {
        let got: Vec<String> = serde_json::from_value(report[field]["ids"].clone()).unwrap();
        let want = ids(&expected[field]["nodes"]);
        assert_unique(&got);
        assert_eq!(got, want, "{field}: every record once, in the server's order");
        assert_eq!(report[field]["totalCount"], want.len(), "{field}");
        assert_eq!(report[field]["pages"], want.len().div_ceil(page_size), "{field}: {report}");
        assert!(report[field]["pages"].as_u64() >= Some(2), "{field} takes more than one page: {report}");
    }
}

#[tokio::test]
async fn apollo_clients_persisted_query_link_sends_the_document_once_then_its_hash_alone() {
    let modules = node_modules(&["@apollo/client", "graphql", "rxjs"]);
    if !available(
        "client_guide::apollo_clients_persisted_query_link_sends_the_document_once_then_its_hash_alone",
        runs("node", "--version") && modules.is_some(),
        "node or the npm packages of tests/clients",
    ) {
        return;
    }
    let app = spawn_app().await;
    let project = node_project("apollo", &modules.unwrap());
    let mut persisted = example("node", &app);
    persisted.arg("persisted.mjs").current_dir(project.path());
    let report = run_json(persisted).await;

    let request = |method: &str, query: bool| json!({ "method": method, "query": query, "hash": true });
    // Unknown hash, then the document with its hash; afterwards the hash alone, over POST and GET.
    assert_eq!(report["first"]["requests"], json!([request("POST", false), request("POST", true)]), "{report}");
    assert_eq!(report["again"]["requests"], json!([request("POST", false)]), "{report}");
    assert_eq!(report["overGet"]["requests"], json!([request("GET", false)]), "{report}");
    for run in ["first", "again", "overGet"] {
        assert_eq!(report[run]["totalCount"], 7, "{run}: {report}");
    }
}

#[tokio::test]
async fn python_gql_pages_records_an_actual_with_a_token_and_follows_the_feed_over_websocket() {
    let python = python();
    if !available(
        "client_guide::python_gql_pages_records_an_actual_with_a_token_and_follows_the_feed_over_websocket",
        python.is_some(),
        "Python with the gql client (tests/clients/requirements.txt)",
    ) {
        return;
    }
    let python = python.unwrap();
    let app = spawn_app().await;
    let script = |name: &str| {
        let mut command = example(&python, &app);
        command.arg(examples().join("python").join(name));
        command
    };

    // tasks.py: all of 静海区's tasks, page by page, in document order.
    let mut tasks = script("tasks.py");
    tasks.arg("120118");
    let printed = run(tasks).await;
    let codes: Vec<&str> = printed.lines().map(|line| line.split('\t').next().unwrap()).collect();
    let expected = app
        .data(r#"{ tasks(filter: { regionCode: "120118", kind: TASK }, first: 100) { nodes { code } } }"#, json!({}))
        .await;
    let expected: Vec<&str> =
        expected["tasks"]["nodes"].as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap()).collect();
    assert!(codes.len() > 10, "more than one page: {printed}");
    assert_eq!(codes, expected);

    // record_actual.py with a bureau's token; follow_changes.py replays from a cursor, then continues live.
    let token = app.token(BUREAU, Role::Bureau).await;
    let (_, indicator) = bureau_task_and_indicator(&app, &token).await;
    let record = |period: &str| {
        let mut command = script("record_actual.py");
        command.env("XIETONG_TOKEN", &token).args([indicator.as_str(), period, "3.2"]);
        command
    };
    let first = run_json(record("2024-Q2")).await;
    assert_eq!((first["actual"]["period"].as_str(), first["actual"]["value"].as_f64()), (Some("2024-Q2"), Some(3.2)));
    assert_eq!(first["actual"]["status"], "PROVISIONAL", "{first}");
    let feed = app.graphql_as(&token, "{ changes(last: 1) { edges { cursor node { entityId } } } }", json!({})).await;
    let edge = &feed["data"]["changes"]["edges"][0];
    assert_eq!(edge["node"]["entityId"], first["actual"]["id"], "{feed}");

    let replayed = run_json(record("2024-Q3")).await;
    let mut follower = script("follow_changes.py");
    follower.env("XIETONG_TOKEN", &token).arg(edge["cursor"].as_str().unwrap());
    let mut follower = Follower::start(follower);
    let event = follower.next().await;
    assert_eq!(event["change"]["entityId"], replayed["actual"]["id"], "the change after the cursor first: {event}");
    assert_eq!(
        (event["change"]["entity"].as_str(), event["change"]["action"].as_str()),
        (Some("Actual"), Some("RECORD_ACTUAL"))
    );
    assert_eq!(event["change"]["actorDepartment"]["name"], BUREAU, "{event}");
    assert_eq!(event["change"]["after"]["period"], "2024-Q3", "{event}");

    let live = run_json(record("2024-Q4")).await;
    let next = follower.next().await;
    assert_eq!(next["change"]["entityId"], live["actual"]["id"], "then live: {next}");
    assert_eq!(next["change"]["sequence"].as_i64(), event["change"]["sequence"].as_i64().map(|s| s + 1), "{next}");
}
