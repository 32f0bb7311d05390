//! `GET /export/plans/{plan}/{table}.{format}` (src/http/export.rs): a plan's
//! task split table and indicator table as CSV and XLSX, under the caller's
//! visibility, each row what the API says of the same record.

use crate::helpers::{TestApp, error_code, spawn_app};
use calamine::{Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::{Value, json};
use xietong::access::Role;

const JINGHAI_PLAN: &str = "天津市静海区碳达峰实施方案";

/// The Jinghai carbon-peak plan: its ID, title and document number.
async fn jinghai_plan(app: &TestApp) -> (String, String, String) {
    let data = app.data("{ plans(first: 50) { nodes { id title documentNumber } } }", json!({})).await;
    let plan = data["plans"]["nodes"]
        .as_array()
        .and_then(|plans| plans.iter().find(|p| p["title"].as_str().is_some_and(|t| t.contains(JINGHAI_PLAN))))
        .cloned()
        .expect("the Jinghai plan is in the dataset");
    let text = |field: &str| plan[field].as_str().unwrap_or_default().to_owned();
    (text("id"), text("title"), text("documentNumber"))
}

/// Every task of the plan as the API answers the caller, as rows of the task split table.
async fn task_rows_from_the_api(app: &TestApp, token: Option<&str>, plan: &str) -> Vec<Vec<String>> {
    let query = r#"query($plan: ID!, $after: String) {
        tasks(filter: { planId: $plan }, first: 100, after: $after) {
            nodes { code title dueYear assignments { role position department { name } } }
            pageInfo { endCursor hasNextPage } } }"#;
    let (mut rows, mut after) = (Vec::new(), Value::Null);
    loop {
        let variables = json!({ "plan": plan, "after": after });
        let data = match token {
            Some(token) => app.data_as(token, query, variables).await,
            None => app.data(query, variables).await,
        };
        for task in data["tasks"]["nodes"].as_array().expect("tasks") {
            let units = |role: &str| {
                let mut of_role: Vec<&Value> =
                    task["assignments"].as_array().expect("assignments").iter().filter(|a| a["role"] == role).collect();
                of_role.sort_by_key(|a| a["position"].as_i64());
                of_role.iter().filter_map(|a| a["department"]["name"].as_str()).collect::<Vec<_>>().join("、")
            };
            rows.push(vec![
                task["code"].as_str().expect("code").to_owned(),
                task["title"].as_str().expect("title").to_owned(),
                units("LEAD"),
                units("SUPPORT"),
                task["dueYear"].as_i64().map(|year| format!("{year}年")).unwrap_or_default(),
            ]);
        }
        if data["tasks"]["pageInfo"]["hasNextPage"] != true {
            return rows;
        }
        after = data["tasks"]["pageInfo"]["endCursor"].clone();
    }
}

async fn download(app: &TestApp, token: Option<&str>, plan: &str, file: &str) -> reqwest::Response {
    let mut request = app.client.get(format!("{}/export/plans/{plan}/{file}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request")
}

/// The records of a CSV export (its byte-order mark checked and dropped).
async fn csv_records(response: reqwest::Response) -> Vec<Vec<String>> {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let body = response.bytes().await.expect("body");
    let text = body.strip_prefix(b"\xEF\xBB\xBF".as_slice()).expect("a UTF-8 byte-order mark");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text);
    reader.records().map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect()).collect()
}

/// The cells of the first sheet of an XLSX export, as text, empty cells as "".
async fn xlsx_records(response: reqwest::Response) -> Vec<Vec<String>> {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let body = response.bytes().await.expect("body").to_vec();
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(body)).expect("an XLSX workbook");
    let sheet = workbook.worksheet_range_at(0).expect("a sheet").expect("readable");
    sheet.rows().map(|row| row.iter().map(|cell| cell.to_string()).collect()).collect()
}

#[tokio::test]
async fn the_task_split_table_holds_what_the_api_says_of_every_task_in_csv_and_xlsx() {
    let app = spawn_app().await;
    let (plan, title, number) = jinghai_plan(&app).await;
    let expected = task_rows_from_the_api(&app, None, &plan).await;
    assert!(expected.len() > 20, "the plan has its tasks: {}", expected.len());
    assert!(expected.iter().any(|row| !row[2].is_empty() && !row[3].is_empty()), "some task has both kinds of unit");

    let response = download(&app, None, &plan, "tasks.csv").await;
    let disposition = response.headers()["content-disposition"].to_str().expect("ASCII").to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    let csv = csv_records(response).await;
    assert_eq!(csv[0], vec![title.clone()]);
    assert!(csv[1][0].contains(&format!("文号：{number}")), "{:?}", csv[1]);
    assert_eq!(csv[2], ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]);
    assert_eq!(csv[3..], expected[..]);

    let xlsx = xlsx_records(download(&app, None, &plan, "tasks.xlsx").await).await;
    assert_eq!(xlsx[0][0], title, "the title row");
    assert_eq!(xlsx[1][0], csv[1][0]);
    assert_eq!(xlsx[2], csv[2]);
    assert_eq!(xlsx[3..], expected[..]);
}

#[tokio::test]
async fn the_indicator_table_lists_each_visible_indicator_with_its_targets_and_progress() {
    let app = spawn_app().await;
    let (plan, _, _) = jinghai_plan(&app).await;
    let data = app
        .data(
            r#"query($plan: ID!) { indicators(filter: { planId: $plan }, first: 100) {
                   totalCount nodes { name unit progress { status } } } }"#,
            json!({ "plan": plan }),
        )
        .await;
    let indicators = data["indicators"]["nodes"].as_array().expect("indicators").clone();
    assert!(!indicators.is_empty());
    let csv = csv_records(download(&app, None, &plan, "indicators.csv").await).await;
    assert_eq!(csv[2][..3], ["序号", "指标名称", "单位"]);
    let rows = &csv[3..];
    assert_eq!(rows.len(), indicators.len());
    for (n, (row, indicator)) in rows.iter().zip(&indicators).enumerate() {
        assert_eq!(row[0], (n + 1).to_string());
        assert_eq!(row[1], indicator["name"].as_str().unwrap_or_default());
        assert_eq!(row[2], indicator["unit"].as_str().unwrap_or_default());
        let status = match indicator["progress"]["status"].as_str() {
            Some("ACHIEVED") => "已完成",
            Some("ON_TRACK") => "进度正常",
            Some("AT_RISK") => "存在风险",
            Some("OFF_TRACK") => "进度滞后",
            _ => "暂无数据",
        };
        assert_eq!(row[8], status, "{row:?}");
    }
    // 森林覆盖率 2025 ≥ 10.5 (津静海政发〔2023〕11号).
    assert!(rows.iter().any(|row| row[1] == "森林覆盖率" && row[5].contains("2025年≥10.5")), "{rows:?}");
    let xlsx = xlsx_records(download(&app, None, &plan, "indicators.xlsx").await).await;
    assert_eq!(xlsx[3..], csv[3..]);
}

#[tokio::test]
async fn a_plan_the_caller_may_not_see_is_404_and_refusals_carry_codes() {
    let app = spawn_app().await;
    let (plan, _, _) = jinghai_plan(&app).await;
    let admin = app.token("静海区人民政府", Role::Admin).await;
    let version =
        app.data(r#"query($id: ID!) { node(id: $id) { ... on Plan { version } } }"#, json!({ "id": plan })).await;
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: UpdatePlanInput!) { updatePlan(input: $input) { plan { sharingClass } } }",
            json!({ "input": { "id": plan, "sharingClass": "CONDITIONAL", "expectedVersion": version["node"]["version"] } }),
        )
        .await;
    assert_eq!(body["data"]["updatePlan"]["plan"]["sharingClass"], "CONDITIONAL", "{body}");

    let refused = download(&app, None, &plan, "tasks.csv").await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let body: Value = refused.json().await.expect("JSON");
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    // The administrator still sees it, and the same rows as the API gives it.
    let expected = task_rows_from_the_api(&app, Some(&admin), &plan).await;
    let csv = csv_records(download(&app, Some(&admin), &plan, "tasks.csv").await).await;
    assert_eq!(csv[3..], expected[..]);

    for (file, plan_id, token, status, code) in [
        ("tasks.pdf", plan.as_str(), None, StatusCode::BAD_REQUEST, "BAD_USER_INPUT"),
        ("budget.csv", plan.as_str(), None, StatusCode::BAD_REQUEST, "BAD_USER_INPUT"),
        ("tasks.csv", "not-an-id", None, StatusCode::BAD_REQUEST, "BAD_USER_INPUT"),
        ("tasks.csv", plan.as_str(), Some("not-a-token"), StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"),
    ] {
        let response = download(&app, token, plan_id, file).await;
        assert_eq!(response.status(), status, "{file} {plan_id}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(error_code(&body), Some(code), "{file}: {body}");
    }
}
