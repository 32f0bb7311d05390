//! Jing-Jin-Ji coordination through the API: the records of the joint work
//! of 2023 by province and kind, their agencies and regions, the measures as
//! tasks, the results as FINAL actuals of each province's indicators, and
//! the plan's sharing rule over all of it.

use crate::helpers::{TestApp, spawn_app};
use serde_json::{Value, json};
use xietong::access::Role;

const RECORDS: &str = "query($filter: CoordinationRecordFilter, $n: Int) {
    coordinationRecords(filter: $filter, first: $n) { totalCount nodes {
        id kind date title text version
        participants { name region { code } }
        regions { code }
        plan { title }
        provenance { quote startOffset endOffset document { fileName } } } } }";

async fn id_of(app: &TestApp, query: &str, list: &str) -> String {
    let data = app.data(query, json!({})).await;
    data[list]["nodes"][0]["id"].as_str().unwrap_or_else(|| panic!("no {list}: {data}")).to_string()
}

async fn jjj_plan(app: &TestApp) -> String {
    id_of(app, r#"{ plans(filter: {search: "联防联控协同措施清单"}, first: 1) { nodes { id } } }"#, "plans").await
}

async fn region(app: &TestApp, code: &str) -> String {
    id_of(app, &format!(r#"{{ regions(filter: {{code: "{code}"}}, first: 1) {{ nodes {{ id }} }} }}"#), "regions").await
}

async fn records(app: &TestApp, filter: Value) -> Value {
    app.data(RECORDS, json!({ "filter": filter, "n": 100 })).await["coordinationRecords"].clone()
}

fn names(list: &Value, field: &str) -> Vec<String> {
    list.as_array().into_iter().flatten().map(|x| x[field].as_str().unwrap_or("").to_string()).collect()
}

#[tokio::test]
async fn coordination_records_are_listed_by_province_and_kind_with_their_agencies() {
    let app = spawn_app().await;
    let plan = jjj_plan(&app).await;
    let all = records(&app, json!({ "planId": plan })).await;
    assert_eq!(all["totalCount"], 26);
    let count = |v: &Value| v["totalCount"].as_u64().unwrap_or(0);
    // By province: 23 records concern Beijing; three are Tianjin's and Hebei's alone.
    assert_eq!(count(&records(&app, json!({ "regionId": region(&app, "110000").await })).await), 23);
    assert_eq!(count(&records(&app, json!({ "regionId": region(&app, "120000").await })).await), 26);
    assert_eq!(count(&records(&app, json!({ "regionId": region(&app, "130000").await })).await), 26);
    assert_eq!(count(&records(&app, json!({ "regionId": region(&app, "120116").await })).await), 0);
    for (kind, n) in [("MECHANISM", 7), ("WORKING_GROUP", 1), ("MEETING", 5), ("AGREEMENT", 4), ("JOINT_ACTION", 9)] {
        assert_eq!(count(&records(&app, json!({ "planId": plan, "kind": kind })).await), n, "{kind}");
    }

    let nodes = all["nodes"].as_array().expect("nodes");
    let find = |title: &str| nodes.iter().find(|r| r["title"] == title).unwrap_or_else(|| panic!("{title}")).clone();
    let compensation = find("官厅水库、密云水库、于桥水库横向生态保护补偿协议");
    assert_eq!((&compensation["kind"], &compensation["date"]), (&json!("AGREEMENT"), &json!("2023")));
    assert_eq!(compensation["plan"]["title"], "京津冀生态环境联防联控协同措施清单（两批44项）");
    let agencies: Vec<(String, String)> = compensation["participants"]
        .as_array()
        .expect("participants")
        .iter()
        .map(|d| (d["name"].as_str().unwrap_or("").into(), d["region"]["code"].as_str().unwrap_or("").into()))
        .collect();
    let expected = [("北京市生态环境局", "110000"), ("天津市生态环境局", "120000"), ("河北省生态环境厅", "130000")];
    assert_eq!(agencies, expected.map(|(n, c)| (n.to_string(), c.to_string())));
    assert_eq!(names(&compensation["regions"], "code"), ["110000", "120000", "130000"]);
    let quote = compensation["provenance"]["quote"].as_str().unwrap_or("");
    assert!(quote.ends_with("协议补偿(河北省)资金4.5亿元"), "verbatim, half-width brackets: {quote}");

    // Two provinces only: the emergency water supply of 2023, by their water authorities.
    let water = find("南水北调东线北延应急供水");
    assert_eq!(names(&water["participants"], "name"), ["天津市水务局", "河北省水利厅"]);
    assert_eq!(names(&water["regions"], "code"), ["120000", "130000"]);
    // The press conference: the eight agencies that answered, as listed.
    let press = find("2023年度京津冀生态协同工作新闻发布会");
    assert_eq!(press["date"], Value::Null, "the text gives no date (近日)");
    assert_eq!(press["participants"].as_array().map(Vec::len), Some(8));
    assert_eq!(press["participants"][6]["name"], "滨海新区生态环境局");

    // node(id) gives the same record.
    let node = app
        .data("query($id: ID!) { node(id: $id) { ... on CoordinationRecord { title } } }", json!({ "id": water["id"] }))
        .await;
    assert_eq!(node["node"]["title"], "南水北调东线北延应急供水");
}

#[tokio::test]
async fn the_measures_are_tasks_of_each_provinces_agencies_and_the_results_are_their_regions_actuals() {
    let app = spawn_app().await;
    let plan = jjj_plan(&app).await;
    let data = app
        .data(
            "query($plan: ID!) { tasks(filter: {planId: $plan}, first: 100) { totalCount nodes {
                code title assignments { role department { name region { code } } } } } }",
            json!({ "plan": plan }),
        )
        .await;
    assert_eq!(data["tasks"]["totalCount"], 30, "five areas, 25 measures");
    let tasks = data["tasks"]["nodes"].as_array().expect("tasks");
    let task = |code: &str| tasks.iter().find(|t| t["code"] == code).unwrap_or_else(|| panic!("{code}")).clone();
    let boilers = task("三.1");
    assert_eq!(
        boilers["assignments"],
        json!([{ "role": "LEAD", "department": { "name": "北京市生态环境局", "region": { "code": "110000" } } }])
    );
    let groups = &task("一.5")["assignments"];
    let roles: Vec<(&str, &str)> = groups
        .as_array()
        .expect("assignments")
        .iter()
        .map(|a| (a["role"].as_str().unwrap_or(""), a["department"]["region"]["code"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(roles.len(), 9, "three departments of each of three provinces");
    assert!(roles[..3].iter().all(|(role, _)| *role == "LEAD"));
    assert!(roles[3..].iter().all(|(role, _)| *role == "SUPPORT"));

    // The results of 2023, by the region that achieved them, as the text gives them.
    let query = r#"query($code: String) { indicators(filter: {regionCode: $code, search: ""}, first: 100) { nodes {
        name unit region { code } plan { title }
        actuals(first: 5) { nodes { period value status note provenance { quote } } } } } }"#;
    let results = |code: &'static str| {
        let app = &app;
        async move {
            let data = app.data(query, json!({ "code": code })).await;
            let nodes = data["indicators"]["nodes"].as_array().expect("indicators").clone();
            nodes
                .into_iter()
                .filter(|i| i["plan"]["title"].as_str().is_some_and(|t| t.starts_with("京津冀")))
                .filter(|i| i["region"]["code"] == code)
                .map(|i| {
                    let a = &i["actuals"]["nodes"][0];
                    assert_eq!((&a["period"], &a["status"]), (&json!("2023"), &json!("FINAL")), "{i}");
                    (i["name"].as_str().unwrap_or("").to_string(), i["unit"].clone(), a["value"].clone())
                })
                .collect::<Vec<_>>()
        }
    };
    let beijing = results("110000").await;
    assert_eq!(beijing.len(), 3);
    assert!(beijing.contains(&("完成清洁化改造的燃油锅炉".into(), json!("台"), json!(23.0))));
    assert!(beijing.contains(&("新能源电动车累计推广量".into(), json!("万辆"), json!(74.0))));
    let tianjin = results("120000").await;
    assert_eq!(tianjin.len(), 4);
    assert!(tianjin.contains(&("通过国家超低排放审核的钢铁企业".into(), json!("家"), json!(4.0))));
    let hebei = results("130000").await;
    assert_eq!(hebei.len(), 7);
    assert!(hebei.contains(&("新能源重卡保有量".into(), json!("万辆"), json!(2.0))), "两万辆");
    assert!(hebei.contains(&("横向生态保护补偿协议补偿资金".into(), json!("亿元"), json!(4.5))));
    assert!(hebei.contains(&("白洋淀区野生鸟类".into(), json!("种"), json!(275.0))));
}

#[tokio::test]
async fn coordination_records_follow_their_plans_sharing_class() {
    let app = spawn_app().await;
    let plan = jjj_plan(&app).await;
    let first = records(&app, json!({ "planId": plan })).await;
    let record_id = first["nodes"][0]["id"].clone();
    let admin = app.token("天津市生态环境局", Role::Admin).await;
    let version =
        app.data("query($id: ID!) { node(id: $id) { ... on Plan { version } } }", json!({ "id": plan })).await;
    let input = json!({ "id": plan, "sharingClass": "NOT_SHARED", "legalBasis": "测试：不予共享",
                        "expectedVersion": version["node"]["version"] });
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: UpdatePlanInput!) { updatePlan(input: $input) { plan { id } } }",
            json!({ "input": input }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");

    let hidden = records(&app, json!({ "planId": plan })).await;
    assert_eq!(hidden["totalCount"], 0, "an anonymous caller no longer sees the plan's records");
    let node = app.data("query($id: ID!) { node(id: $id) { id } }", json!({ "id": record_id })).await;
    assert_eq!(node["node"], Value::Null);
    let reader = app.token("北京市生态环境局", Role::Reader).await;
    let seen = app.data_as(&reader, RECORDS, json!({ "filter": { "planId": plan }, "n": 5 })).await;
    assert_eq!(seen["coordinationRecords"]["totalCount"], 0, "nor a reader of another agency");
    let seen = app.data_as(&admin, RECORDS, json!({ "filter": { "planId": plan }, "n": 5 })).await;
    assert_eq!(seen["coordinationRecords"]["totalCount"], 26);
}

/// Each relation of a record is one statement per level, whatever the number of records. (The
/// record's regions and its agencies' regions are asked for in separate queries: in one, the
/// regions already loaded for the records would spare the agencies' a statement on a short page.)
#[tokio::test]
async fn coordination_records_cost_as_many_statements_for_26_records_as_for_2() {
    let app = spawn_app().await;
    let statements = |query: &'static str, n: i64| {
        let app = &app;
        async move {
            let before = app.statements.get();
            let body = app.graphql(query, json!({ "n": n })).await;
            assert!(body.get("errors").is_none(), "{body:#}");
            assert_eq!(body["data"]["coordinationRecords"]["nodes"].as_array().map(Vec::len), Some(n as usize));
            app.statements.get() - before
        }
    };
    for query in [
        "query($n: Int) { coordinationRecords(first: $n) { nodes { title participants { name region { code } }
            plan { title } provenance { document { fileName } } } } }",
        "query($n: Int) { coordinationRecords(first: $n) { nodes { title regions { code } } } }",
    ] {
        let few = statements(query, 2).await.min(statements(query, 2).await);
        let many = statements(query, 26).await.min(statements(query, 26).await);
        assert_eq!(few, many, "no statement per record: {query}");
    }
}
