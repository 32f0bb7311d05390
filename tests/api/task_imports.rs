//! `POST /import/plans/{id}/tasks` (src/http/imports.rs, src/service/imports/tasks.rs): a task
//! split table into a plan — the round trip an office makes: export Jinghai's table as XLSX,
//! import it into a new plan, get the same tasks and units as the seed importer made, export the
//! same table back; a misspelt unit is named with its cell and the closest names.

use crate::helpers::{TestApp, error_code, spawn_app};
use calamine::{Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::{Value, json};
use xietong::access::Role;

const JINGHAI_PLAN: &str = "天津市静海区碳达峰实施方案";

/// Jinghai's carbon-peak plan: ID, region ID, kind and sharing class.
async fn jinghai_plan(app: &TestApp) -> Value {
    let data = app
        .data(
            r#"{ plans(filter: {regionCode: "120118"}, first: 20) { nodes { id title kind sharingClass region { id } } } }"#,
            json!({}),
        )
        .await;
    data["plans"]["nodes"]
        .as_array()
        .and_then(|plans| plans.iter().find(|p| p["title"] == JINGHAI_PLAN))
        .cloned()
        .expect("the Jinghai plan")
}

async fn new_plan(app: &TestApp, token: &str, like: &Value) -> String {
    let data = app
        .data_as(
            token,
            "mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id } } }",
            json!({ "input": { "title": "静海区碳达峰实施方案（导入）", "regionId": like["region"]["id"],
                               "kind": like["kind"], "sharingClass": like["sharingClass"] } }),
        )
        .await;
    data["createPlan"]["plan"]["id"].as_str().expect("plan ID").to_owned()
}

async fn export_xlsx(app: &TestApp, token: &str, plan: &str) -> Vec<u8> {
    let response = app
        .client
        .get(format!("{}/export/plans/{plan}/tasks.xlsx", app.address))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    response.bytes().await.expect("body").to_vec()
}

fn xlsx_cells(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX workbook");
    let sheet = workbook.worksheet_range_at(0).expect("a sheet").expect("readable");
    sheet.rows().map(|row| row.iter().map(|cell| cell.to_string()).collect()).collect()
}

async fn import(app: &TestApp, token: &str, plan: &str, body: Vec<u8>, apply: bool) -> (StatusCode, Value) {
    let response = app
        .client
        .post(format!("{}/import/plans/{plan}/tasks?apply={apply}", app.address))
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .expect("request");
    (response.status(), response.json().await.expect("JSON"))
}

/// A plan's tasks as the comparison needs them, in document order.
async fn tasks_of(app: &TestApp, token: &str, plan: &str) -> Vec<Value> {
    let data = app
        .data_as(
            token,
            "query($p: ID!) { tasks(filter: {planId: $p}, first: 100) { nodes {
                code kind title dueYear parent { code } assignments { role position department { name } } } } }",
            json!({ "p": plan }),
        )
        .await;
    data["tasks"]["nodes"].as_array().cloned().unwrap_or_default()
}

async fn change_count(app: &TestApp, token: &str) -> i64 {
    let data = app.data_as(token, "{ changes(first: 1) { totalCount } }", json!({})).await;
    data["changes"]["totalCount"].as_i64().expect("totalCount")
}

/// `cells` as CSV bytes.
fn csv_bytes(cells: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    for row in cells {
        writer.write_record(row).expect("a CSV record");
    }
    writer.into_inner().expect("CSV bytes")
}

#[tokio::test]
async fn a_jinghai_task_split_table_in_xlsx_imports_into_a_new_plan_and_exports_back_unchanged() {
    let app = spawn_app().await;
    let coordinator = app.token("静海区人民政府", Role::Coordinator).await;
    let jinghai = jinghai_plan(&app).await;
    let source = jinghai["id"].as_str().expect("plan ID");
    let table = export_xlsx(&app, &coordinator, source).await;
    let target = new_plan(&app, &coordinator, &jinghai).await;
    let expected = tasks_of(&app, &coordinator, source).await;
    assert!(expected.len() > 50, "Jinghai's plan has its tasks: {}", expected.len());

    // A dry run says what would happen and writes nothing.
    let before = change_count(&app, &coordinator).await;
    let (status, dry) = import(&app, &coordinator, &target, table.clone(), false).await;
    assert_eq!(status, StatusCode::OK, "{dry:#}");
    assert_eq!((dry["applied"].as_bool(), dry["errors"].as_i64()), (Some(false), Some(0)), "{dry:#}");
    assert_eq!(dry["created"].as_u64(), Some(expected.len() as u64), "{dry:#}");
    assert!(tasks_of(&app, &coordinator, &target).await.is_empty());
    assert_eq!(change_count(&app, &coordinator).await, before);

    let (_, applied) = import(&app, &coordinator, &target, table.clone(), true).await;
    assert_eq!((applied["applied"].as_bool(), applied["created"].as_u64()), (Some(true), Some(expected.len() as u64)));
    let imported = tasks_of(&app, &coordinator, &target).await;
    assert_eq!(imported, expected, "the same tasks, kinds, parents, due years and units in the same order");
    let units: usize = expected.iter().map(|t| t["assignments"].as_array().map_or(0, Vec::len)).sum();
    assert_eq!(
        change_count(&app, &coordinator).await,
        before + i64::try_from(expected.len() + units).unwrap_or(0),
        "one audit entry per task and per assignment"
    );

    // Exported back: the same table below the title rows (which name the new plan).
    let back = xlsx_cells(&export_xlsx(&app, &coordinator, &target).await);
    let original = xlsx_cells(&table);
    let header = |cells: &[Vec<String>]| cells.iter().position(|row| row.first().is_some_and(|c| c == "序号"));
    let (at_back, at_original) = (header(&back).expect("a header"), header(&original).expect("a header"));
    assert_eq!(back[at_back..], original[at_original..]);

    // The same table again changes nothing.
    let after = change_count(&app, &coordinator).await;
    let (_, again) = import(&app, &coordinator, &target, table, true).await;
    assert_eq!((again["applied"].as_bool(), again["unchanged"].as_u64()), (Some(false), Some(expected.len() as u64)));
    assert_eq!(change_count(&app, &coordinator).await, after);
}

#[tokio::test]
async fn a_misspelt_unit_is_named_with_its_cell_and_nothing_is_applied_while_an_edit_updates_one_task() {
    let app = spawn_app().await;
    let coordinator = app.token("静海区人民政府", Role::Coordinator).await;
    let jinghai = jinghai_plan(&app).await;
    let source = jinghai["id"].as_str().expect("plan ID");
    let mut cells = xlsx_cells(&export_xlsx(&app, &coordinator, source).await);
    let target = new_plan(&app, &coordinator, &jinghai).await;
    let (_, first) = import(&app, &coordinator, &target, csv_bytes(&cells), true).await;
    assert_eq!(first["applied"], true, "{first:#}");

    // Row 5 of the sheet: its title edited, and a unit misspelt in 牵头单位 (column C) of the next row.
    let header = cells.iter().position(|row| row.first().is_some_and(|c| c == "序号")).expect("a header");
    let (edited, misspelt) = (header + 2, header + 3);
    cells[edited][1].push_str("（修订）");
    cells[misspelt][2] = "区发改局".into();
    let before = change_count(&app, &coordinator).await;
    let (status, report) = import(&app, &coordinator, &target, csv_bytes(&cells), true).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((report["applied"].as_bool(), report["errors"].as_u64()), (Some(false), Some(1)), "{report:#}");
    let refused = report["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["outcome"] == "ERROR"))
        .expect("a refused row");
    assert_eq!(refused["cell"], format!("C{}", misspelt + 1));
    let message = refused["message"].as_str().unwrap_or_default();
    assert!(message.contains("unknown department 区发改局") && message.contains("did you mean"), "{message}");
    assert!(message.contains("静海区发展改革委"), "{message}");
    assert_eq!(change_count(&app, &coordinator).await, before, "one bad row applies nothing");

    // Without the misspelling, exactly the edited task is updated.
    cells[misspelt][2] = xlsx_cells(&export_xlsx(&app, &coordinator, source).await)[misspelt][2].clone();
    let (_, report) = import(&app, &coordinator, &target, csv_bytes(&cells), true).await;
    assert_eq!(
        (report["applied"].as_bool(), report["updated"].as_u64(), report["created"].as_u64()),
        (Some(true), Some(1), Some(0)),
        "{report:#}"
    );
    assert_eq!(report["rows"][edited - header - 1]["outcome"], "UPDATED", "{report:#}");
}

#[tokio::test]
async fn only_a_coordinator_of_the_plans_region_may_import_tasks() {
    let app = spawn_app().await;
    let jinghai = jinghai_plan(&app).await;
    let source = jinghai["id"].as_str().expect("plan ID");
    let coordinator = app.token("静海区人民政府", Role::Coordinator).await;
    let table = export_xlsx(&app, &coordinator, source).await;
    for token in
        [app.token("静海区发展改革委", Role::Bureau).await, app.token("西青区人民政府", Role::Coordinator).await]
    {
        let (status, body) = import(&app, &token, source, table.clone(), false).await;
        assert!(matches!(error_code(&body), Some("FORBIDDEN" | "NOT_FOUND")), "{status} {body:#}");
    }
    let (status, body) = import(&app, &coordinator, source, b"not,a,task,table\n1,2,3,4\n".to_vec(), false).await;
    assert_eq!((status, error_code(&body)), (StatusCode::BAD_REQUEST, Some("BAD_USER_INPUT")), "{body:#}");
}

/// A GraphQL multipart request (the upload specification): `operations`, `map`, one file.
fn multipart(operations: &Value, file: &[u8], file_name: &str) -> (String, Vec<u8>) {
    let boundary = "xietong-test-boundary-7d0f";
    let mut body = Vec::new();
    let mut part = |headers: &str, content: &[u8]| {
        body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    };
    part("Content-Disposition: form-data; name=\"operations\"", operations.to_string().as_bytes());
    part("Content-Disposition: form-data; name=\"map\"", br#"{"0": ["variables.file"]}"#);
    part(
        &format!(
            "Content-Disposition: form-data; name=\"0\"; filename=\"{file_name}\"\r\nContent-Type: \
             application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        file,
    );
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn a_task_split_table_uploads_through_graphql_multipart_requests_with_a_preflight_header() {
    let app = spawn_app().await;
    let coordinator = app.token("静海区人民政府", Role::Coordinator).await;
    let jinghai = jinghai_plan(&app).await;
    let table = export_xlsx(&app, &coordinator, jinghai["id"].as_str().expect("plan ID")).await;
    let target = new_plan(&app, &coordinator, &jinghai).await;
    let operations = json!({
        "query": "mutation($plan: ID!, $file: Upload!, $apply: Boolean!) {
            importTaskTable(planId: $plan, file: $file, apply: $apply) { applied created errors rows { line outcome } } }",
        "variables": { "plan": target, "file": null, "apply": true },
    });
    let (content_type, body) = multipart(&operations, &table, "静海区任务分工表.xlsx");
    let send = |preflight: bool| {
        let mut request = app
            .client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(&coordinator)
            .header("content-type", content_type.clone())
            .body(body.clone());
        if preflight {
            request = request.header("GraphQL-Require-Preflight", "1");
        }
        request.send()
    };

    // Without the preflight header a page of another site could have sent it: refused, nothing written.
    let refused = send(false).await.expect("request");
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(tasks_of(&app, &coordinator, &target).await.is_empty());

    let answer: Value = send(true).await.expect("request").json().await.expect("JSON");
    let report = &answer["data"]["importTaskTable"];
    assert_eq!((report["applied"].as_bool(), report["errors"].as_i64()), (Some(true), Some(0)), "{answer:#}");
    let expected = tasks_of(&app, &coordinator, jinghai["id"].as_str().unwrap_or_default()).await;
    assert_eq!(report["created"].as_u64(), Some(expected.len() as u64));
    assert_eq!(tasks_of(&app, &coordinator, &target).await, expected);
}

#[tokio::test]
async fn upload_mutations_refuse_whom_the_import_routes_refuse() {
    let app = spawn_app().await;
    let coordinator = app.token("静海区人民政府", Role::Coordinator).await;
    let jinghai = jinghai_plan(&app).await;
    let plan = jinghai["id"].as_str().expect("plan ID").to_owned();
    let table = export_xlsx(&app, &coordinator, &plan).await;
    let bureau = app.token("静海区发展改革委", Role::Bureau).await;
    let cases = [
        (None, "importTaskTable(planId: $plan, file: $file)", "UNAUTHENTICATED"),
        (Some(bureau.as_str()), "importTaskTable(planId: $plan, file: $file)", "FORBIDDEN"),
    ];
    for (token, field, code) in cases {
        let operations = json!({
            "query": format!("mutation($plan: ID!, $file: Upload!) {{ {field} {{ applied }} }}"),
            "variables": { "plan": plan, "file": null },
        });
        let (content_type, body) = multipart(&operations, &table, "t.xlsx");
        let mut request = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("content-type", content_type)
            .header("GraphQL-Require-Preflight", "1")
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let answer: Value = request.send().await.expect("request").json().await.expect("JSON");
        assert_eq!(error_code(&answer), Some(code), "{answer:#}");
    }
}
