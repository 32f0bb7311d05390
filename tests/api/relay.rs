//! Relay object identification: every type with an `id` implements `Node`
//! and round-trips through `node(id)` and `nodes(ids)`, under the same
//! visibility as the lists that show it.

use crate::helpers::{TestApp, error_code, spawn_app};
use serde_json::{Value, json};
use xietong::access::Role;

const ROUND_TRIP: &str = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }";

/// Creates one record of every kind through the API (as the departments the
/// rules require) and returns `(typename, id)` of each.
async fn one_of_each(app: &TestApp, admin: &str) -> Vec<(String, String)> {
    let data = app
        .data_as(
            admin,
            r#"{ indicators(filter: {regionCode: "120118", search: "可再生能源电力装机容量"}, first: 1) {
                   nodes { id targets { id } task { id assignments { id } plan { id issuer { id region { id } } } } } } }"#,
            json!({}),
        )
        .await;
    let indicator = &data["indicators"]["nodes"][0];
    let task = &indicator["task"];
    let bureau = app.token("静海区发展改革委", Role::Bureau).await;
    let report = app
        .graphql_as(
            &bureau,
            "mutation($input: ReportProgressInput!) { reportProgress(input: $input) { report { id } } }",
            json!({ "input": { "taskId": task["id"], "period": "2024", "status": "IN_PROGRESS", "narrative": "进展" } }),
        )
        .await;
    assert!(report.get("errors").is_none(), "{report:#}");
    let grid = app.token("国网天津静海供电有限公司", Role::Bureau).await;
    let actual = app
        .graphql_as(
            &grid,
            "mutation($input: RecordActualInput!) { recordActual(input: $input) { actual { id } } }",
            json!({ "input": { "indicatorId": indicator["id"], "period": "2024", "value": 196.5, "status": "PROVISIONAL" } }),
        )
        .await;
    assert!(actual.get("errors").is_none(), "{actual:#}");
    let coordinator = app.token("静海区发展改革委", Role::Coordinator).await;
    let grant = conditional_plan_granted_to_nankai(app, &coordinator).await;
    let changes = app.data_as(admin, "{ changes(last: 1) { nodes { id } } }", json!({})).await;
    let plan = &task["plan"];
    vec![
        ("Region".into(), plan["issuer"]["region"]["id"].as_str().unwrap().into()),
        ("Department".into(), plan["issuer"]["id"].as_str().unwrap().into()),
        ("Plan".into(), plan["id"].as_str().unwrap().into()),
        ("Task".into(), task["id"].as_str().unwrap().into()),
        ("Indicator".into(), indicator["id"].as_str().unwrap().into()),
        ("Target".into(), indicator["targets"][0]["id"].as_str().unwrap().into()),
        ("Assignment".into(), task["assignments"][0]["id"].as_str().unwrap().into()),
        ("ProgressReport".into(), report["data"]["reportProgress"]["report"]["id"].as_str().unwrap().into()),
        ("Actual".into(), actual["data"]["recordActual"]["actual"]["id"].as_str().unwrap().into()),
        ("Grant".into(), grant),
        ("Change".into(), changes["changes"]["nodes"][0]["id"].as_str().unwrap().into()),
    ]
}

/// A CONDITIONAL Jinghai plan, granted to 南开区发展改革委 until tomorrow; returns the grant's ID.
async fn conditional_plan_granted_to_nankai(app: &TestApp, coordinator: &str) -> String {
    let ids = app
        .data(
            r#"{ regions(filter: {code: "120118"}) { nodes { id } }
                 departments(filter: {search: "南开区发展改革委"}, first: 1) { nodes { id } } }"#,
            json!({}),
        )
        .await;
    let created = app
        .graphql_as(
            coordinator,
            "mutation($r: ID!) { createPlan(input: {title: \"静海区有条件共享方案\", regionId: $r, kind: ACTION_PLAN, \
             sharingClass: CONDITIONAL}) { plan { id } } }",
            json!({ "r": ids["regions"]["nodes"][0]["id"] }),
        )
        .await;
    assert!(created.get("errors").is_none(), "{created:#}");
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let input = json!({ "planId": created["data"]["createPlan"]["plan"]["id"],
                        "departmentId": ids["departments"]["nodes"][0]["id"], "expiresAt": tomorrow });
    let granted = app
        .graphql_as(
            coordinator,
            "mutation($input: GrantAccessInput!) { grantAccess(input: $input) { grant { id } } }",
            json!({ "input": input }),
        )
        .await;
    assert!(granted.get("errors").is_none(), "{granted:#}");
    granted["data"]["grantAccess"]["grant"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_kind_round_trips_through_node_and_nodes_in_order() {
    let app = spawn_app().await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let records = one_of_each(&app, &admin).await;
    for (typename, id) in &records {
        let body =
            app.graphql_as(&admin, "query($id: ID!) { node(id: $id) { __typename id } }", json!({ "id": id })).await;
        assert_eq!(body["data"]["node"], json!({ "__typename": typename, "id": id }), "{typename}: {body:#}");
    }
    // In the order given, repeats kept, reversed to show the order is the caller's.
    let mut ids: Vec<&str> = records.iter().rev().map(|(_, id)| id.as_str()).collect();
    ids.push(&records[0].1);
    let body = app.graphql_as(&admin, ROUND_TRIP, json!({ "ids": ids })).await;
    let answered: Vec<&str> =
        body["data"]["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(answered, ids, "{body:#}");
}

#[tokio::test]
async fn nodes_answers_null_for_what_the_caller_may_not_see_and_refuses_bad_ids() {
    let app = spawn_app().await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let records = one_of_each(&app, &admin).await;
    let ids: Vec<&str> = records.iter().map(|(_, id)| id.as_str()).collect();
    // Anonymous: the Jinghai plan is PUBLIC, so its region, department, plan, task, indicator, target,
    // assignment, report and actual are seen; the grant (ADMIN, grantee, the plan's coordinators) is not.
    let body = app.graphql(ROUND_TRIP, json!({ "ids": ids })).await;
    let seen = body["data"]["nodes"].as_array().unwrap();
    for (i, (typename, _)) in records.iter().enumerate().take(9) {
        assert_eq!(seen[i]["__typename"].as_str(), Some(typename.as_str()), "{typename}: {body:#}");
    }
    assert_eq!(records[9].0, "Grant");
    assert_eq!(seen[9], Value::Null, "anonymous callers see no grant: {body:#}");
    let grantee = app.token("南开区发展改革委", Role::Reader).await;
    let body = app.graphql_as(&grantee, ROUND_TRIP, json!({ "ids": [ids[9]] })).await;
    assert_eq!(body["data"]["nodes"][0]["__typename"], "Grant", "the grantee sees its grant: {body:#}");
    let other = app.token("天津市发展改革委", Role::Reader).await;
    let body = app.graphql_as(&other, ROUND_TRIP, json!({ "ids": [ids[9]] })).await;
    assert_eq!(body["data"]["nodes"], json!([null]), "another department does not: {body:#}");

    let missing = xietong::ids::to_global(xietong::ids::NodeKind::Task, &xietong::ids::new_uuid()).0;
    let body = app.graphql(ROUND_TRIP, json!({ "ids": [missing, ids[3]] })).await;
    assert_eq!(body["data"]["nodes"][0], Value::Null);
    assert_eq!(body["data"]["nodes"][1]["__typename"], "Task");

    let body = app.graphql(ROUND_TRIP, json!({ "ids": [ids[0], "not-an-id"] })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body:#}");
    let too_many: Vec<&str> = std::iter::repeat_n(ids[0], 101).collect();
    let body = app.graphql(ROUND_TRIP, json!({ "ids": too_many })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body:#}");
}

#[tokio::test]
async fn hidden_records_and_their_children_are_null_through_node() {
    let app = spawn_app().await;
    let coordinator = app.token("静海区发展改革委", Role::Coordinator).await;
    let region = app.data(r#"{ regions(filter: {code: "120118"}) { nodes { id } } }"#, json!({})).await;
    let created = app
        .graphql_as(
            &coordinator,
            "mutation($r: ID!) { createPlan(input: {title: \"不予共享方案\", regionId: $r, kind: ACTION_PLAN, \
             sharingClass: NOT_SHARED, legalBasis: \"内部工作方案\"}) { plan { id } } }",
            json!({ "r": region["regions"]["nodes"][0]["id"] }),
        )
        .await;
    assert!(created.get("errors").is_none(), "{created:#}");
    let plan_id = created["data"]["createPlan"]["plan"]["id"].clone();
    let body = app.graphql_as(&coordinator, ROUND_TRIP, json!({ "ids": [plan_id] })).await;
    assert_eq!(body["data"]["nodes"][0]["__typename"], "Plan", "the owner sees it: {body:#}");
    let reader = app.token("南开区发展改革委", Role::Reader).await;
    let body = app.graphql_as(&reader, ROUND_TRIP, json!({ "ids": [plan_id] })).await;
    assert_eq!(body["data"]["nodes"], json!([null]), "{body:#}");
    assert_eq!(app.graphql(ROUND_TRIP, json!({ "ids": [plan_id] })).await["data"]["nodes"], json!([null]));
}

#[tokio::test]
async fn nodes_costs_the_same_statements_for_few_and_many_ids() {
    let app = spawn_app().await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let data = app.graphql_as(&admin, "{ tasks(first: 60) { nodes { id assignments { id } } } }", json!({})).await;
    let tasks = data["data"]["tasks"]["nodes"].as_array().unwrap();
    let ids = |n: usize| -> Vec<Value> {
        tasks
            .iter()
            .filter(|t| !t["assignments"][0]["id"].is_null())
            .take(n)
            .flat_map(|t| [t["id"].clone(), t["assignments"][0]["id"].clone()])
            .collect()
    };
    let count = |ids: Vec<Value>| {
        let app = &app;
        let admin = admin.clone();
        async move {
            // The fewer of two runs: a late commit notification makes the caller
            // cache read the feed once, which is not this request's cost.
            let mut fewest = u64::MAX;
            for _ in 0..2 {
                let before = app.statements.get();
                let body = app.graphql_as(&admin, ROUND_TRIP, json!({ "ids": ids.clone() })).await;
                assert!(body.get("errors").is_none(), "{body:#}");
                fewest = fewest.min(app.statements.get() - before);
            }
            fewest
        }
    };
    app.warm_caller(&admin).await;
    let few = count(ids(2)).await;
    let many = count(ids(40)).await;
    assert_eq!(few, many, "statements for 4 IDs: {few}; for 80 IDs: {many}");
}
