//! `POST /import/actuals` (src/http/imports.rs, src/service/imports.rs): a
//! statistics upload checked row by row, a dry run by default, applied all or
//! nothing, idempotent, one audit entry per record.

use crate::helpers::{TestApp, error_code, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use xietong::access::Role;

const JINGHAI: &str = "静海区人民政府";

/// IDs and names of `n` indicators of a region's plans.
async fn indicators(app: &TestApp, region: &str, n: usize) -> Vec<(String, String)> {
    let data = app
        .data(
            "query($region: String!, $n: Int!) { indicators(filter: { regionCode: $region }, first: $n) { nodes { id name } } }",
            json!({ "region": region, "n": n }),
        )
        .await;
    data["indicators"]["nodes"]
        .as_array()
        .expect("indicators")
        .iter()
        .map(|i| (i["id"].as_str().unwrap_or_default().to_owned(), i["name"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

/// A CSV upload: a title row, the header, then `rows`.
fn csv(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut text = String::from("\u{feff}静海区2024年统计报表\n");
    text.push_str(&header.join(","));
    text.push('\n');
    for row in rows {
        text.push_str(&row.join(","));
        text.push('\n');
    }
    text.into_bytes()
}

async fn upload(app: &TestApp, token: Option<&str>, body: Vec<u8>, apply: bool) -> (StatusCode, Value) {
    let mut request = app.client.post(format!("{}/import/actuals?apply={apply}", app.address)).body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    (response.status(), response.json().await.expect("JSON"))
}

/// How many entries the change feed holds.
async fn changes(app: &TestApp, token: &str) -> i64 {
    let data = app.data_as(token, "{ changes(first: 1) { totalCount } }", json!({})).await;
    data["changes"]["totalCount"].as_i64().expect("totalCount")
}

async fn actuals_of(app: &TestApp, token: &str, indicator: &str) -> Vec<Value> {
    let data = app
        .data_as(
            token,
            "query($id: ID!) { node(id: $id) { ... on Indicator { actuals(first: 20, includeSuperseded: true) { nodes { period value revision } } } } }",
            json!({ "id": indicator }),
        )
        .await;
    data["node"]["actuals"]["nodes"].as_array().cloned().unwrap_or_default()
}

const HEADER: [&str; 6] = ["序号", "指标ID", "期间", "数值", "状态", "备注"];

fn row(n: usize, indicator: &str, period: &str, value: &str, status: &str) -> Vec<String> {
    [n.to_string().as_str(), indicator, period, value, status, ""].map(str::to_owned).to_vec()
}

#[tokio::test]
async fn a_dry_run_reports_and_writes_nothing_then_apply_writes_each_row_once_with_its_audit_entry() {
    let app = spawn_app().await;
    let coordinator = app.token(JINGHAI, Role::Coordinator).await;
    let targets = indicators(&app, "120118", 3).await;
    let rows: Vec<Vec<String>> = targets
        .iter()
        .enumerate()
        .map(|(n, (id, _))| row(n + 1, id, "2024", &format!("{}.5", n + 10), "初步"))
        .collect();
    let file = csv(&HEADER, &rows);
    let feed = changes(&app, &coordinator).await;

    let (status, report) = upload(&app, Some(&coordinator), file.clone(), false).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!((report["applied"].clone(), report["created"].clone()), (json!(false), json!(3)), "{report}");
    assert_eq!(report["rows"][0]["line"], 3, "rows are numbered as the sheet numbers them: {report}");
    assert_eq!(changes(&app, &coordinator).await, feed, "a dry run writes nothing");
    assert!(actuals_of(&app, &coordinator, &targets[0].0).await.iter().all(|a| a["period"] != "2024"));

    let (_, report) = upload(&app, Some(&coordinator), file.clone(), true).await;
    assert_eq!((report["applied"].clone(), report["created"].clone()), (json!(true), json!(3)), "{report}");
    assert_eq!(changes(&app, &coordinator).await, feed + 3, "one audit entry per record");
    let written = actuals_of(&app, &coordinator, &targets[1].0).await;
    assert!(written.iter().any(|a| a["period"] == "2024" && a["value"] == 11.5), "{written:?}");

    let (_, report) = upload(&app, Some(&coordinator), file, true).await;
    assert_eq!((report["applied"].clone(), report["unchanged"].clone()), (json!(false), json!(3)), "{report}");
    assert_eq!(changes(&app, &coordinator).await, feed + 3, "the same file twice changes nothing");

    // A correction needs its reason: without the column the row is refused, with it a revision is written.
    let corrected = vec![row(1, &targets[0].0, "2024", "10.75", "核实")];
    let (_, report) = upload(&app, Some(&coordinator), csv(&HEADER, &corrected), true).await;
    assert_eq!(report["rows"][0]["outcome"], "ERROR", "{report}");
    assert!(report["rows"][0]["message"].as_str().is_some_and(|m| m.contains("更正原因")), "{report}");
    let mut with_reason = HEADER.to_vec();
    with_reason.push("更正原因");
    let mut corrected_row = corrected[0].clone();
    corrected_row.push("统计局核实".to_owned());
    let (_, report) = upload(&app, Some(&coordinator), csv(&with_reason, &[corrected_row]), true).await;
    assert_eq!((report["applied"].clone(), report["updated"].clone()), (json!(true), json!(1)), "{report}");
    let revisions = actuals_of(&app, &coordinator, &targets[0].0).await;
    assert!(
        revisions.iter().any(|a| a["period"] == "2024" && a["revision"] == 2 && a["value"] == 10.75),
        "{revisions:?}"
    );
}

#[tokio::test]
async fn one_bad_row_applies_nothing_and_is_named_by_its_cell() {
    let app = spawn_app().await;
    let coordinator = app.token(JINGHAI, Role::Coordinator).await;
    let ours = indicators(&app, "120118", 2).await;
    let theirs = indicators(&app, "120104", 1).await;
    let rows = vec![
        row(1, &ours[0].0, "2024", "12", "初步"),
        row(2, &ours[1].0, "2024", "abc", "初步"),
        row(3, &ours[1].0, "2024-13", "5", "初步"),
        row(4, &theirs[0].0, "2024", "5", "初步"),
        row(5, "not-an-id", "2024", "5", "初步"),
        row(6, &ours[1].0, "2024", "5", "maybe"),
    ];
    let feed = changes(&app, &coordinator).await;
    let (status, report) = upload(&app, Some(&coordinator), csv(&HEADER, &rows), true).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!((report["applied"].clone(), report["errors"].clone()), (json!(false), json!(5)), "{report}");
    let cells: Vec<&str> =
        report["rows"].as_array().unwrap().iter().map(|r| r["cell"].as_str().unwrap_or("")).collect();
    assert_eq!(cells, ["", "D4", "C5", "B6", "B7", "E8"], "{report}");
    assert_eq!(report["rows"][0]["outcome"], "CREATED", "the good row would be written: {report}");
    assert_eq!(changes(&app, &coordinator).await, feed, "nothing applied");
    assert!(actuals_of(&app, &coordinator, &ours[0].0).await.iter().all(|a| a["period"] != "2024"));
}

#[tokio::test]
async fn an_xlsx_upload_is_read_from_its_first_sheet() {
    let app = spawn_app().await;
    let coordinator = app.token(JINGHAI, Role::Coordinator).await;
    let target = indicators(&app, "120118", 1).await.remove(0);
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "静海区2024年统计报表").unwrap();
    for (column, name) in ["指标ID", "期间", "数值", "状态"].iter().enumerate() {
        sheet.write_string(1, column as u16, *name).unwrap();
    }
    sheet.write_string(2, 0, target.0.as_str()).unwrap();
    sheet.write_string(2, 1, "2024").unwrap();
    sheet.write_number(2, 2, 42.0).unwrap();
    sheet.write_string(2, 3, "VERIFIED").unwrap();
    let (status, report) = upload(&app, Some(&coordinator), workbook.save_to_buffer().unwrap(), true).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!((report["applied"].clone(), report["created"].clone()), (json!(true), json!(1)), "{report}");
    let written = actuals_of(&app, &coordinator, &target.0).await;
    assert!(written.iter().any(|a| a["period"] == "2024" && a["value"] == 42.0), "{written:?}");
}

#[tokio::test]
async fn an_upload_without_a_token_or_a_header_row_is_refused_with_a_code() {
    let app = spawn_app().await;
    let (status, body) = upload(&app, None, csv(&HEADER, &[]), false).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    let coordinator = app.token(JINGHAI, Role::Coordinator).await;
    let (status, body) = upload(&app, Some(&coordinator), b"a,b\n1,2\n".to_vec(), false).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("指标ID")), "{body}");
    // Over the 4 MiB limit: 413 in the same error shape, before the body is read whole.
    let (status, body) = upload(&app, Some(&coordinator), vec![b'x'; 4 * 1024 * 1024 + 1], false).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
}
