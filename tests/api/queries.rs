//! Filters, ordering and `node(id)` through the real HTTP API.

use crate::helpers::{error_code, spawn_app};
use serde_json::json;

#[tokio::test]
async fn node_round_trips_every_type() {
    let app = spawn_app().await;
    for (list, typename) in [
        ("regions", "Region"),
        ("departments", "Department"),
        ("plans", "Plan"),
        ("tasks", "Task"),
        ("indicators", "Indicator"),
    ] {
        let data = app.data(&format!("{{ {list}(first: 3) {{ nodes {{ id }} }} }}"), json!({})).await;
        let nodes = data[list]["nodes"].as_array().expect("nodes").clone();
        assert!(!nodes.is_empty(), "{list} is empty");
        for node in nodes {
            let id = node["id"].as_str().expect("id");
            let found = app.data("query($id: ID!) { node(id: $id) { id __typename } }", json!({ "id": id })).await;
            assert_eq!(found["node"]["id"], id);
            assert_eq!(found["node"]["__typename"], typename);
        }
    }
}

#[tokio::test]
async fn node_answers_null_for_unknown_ids_and_refuses_malformed_ones() {
    let app = spawn_app().await;
    // A well-formed Plan ID of a record that does not exist.
    let unknown = base64_url("Plan:00000000-0000-4000-8000-000000000000");
    let data = app.data("query($id: ID!) { node(id: $id) { id } }", json!({ "id": unknown })).await;
    assert!(data["node"].is_null());
    for bad in ["", "plan-1", "!!!!", &"A".repeat(300), &base64_url("Bogus:00000000-0000-4000-8000-000000000000")] {
        let body = app.graphql("query($id: ID!) { node(id: $id) { id } }", json!({ "id": bad })).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{bad}: {body}");
    }
}

fn base64_url(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

#[tokio::test]
async fn plan_filters_narrow_the_list() {
    let app = spawn_app().await;
    let all = app.data("{ plans { totalCount } }", json!({})).await["plans"]["totalCount"].as_u64().expect("count");
    let data = app
        .data(r#"{ plans(filter: {search: "静海"}) { totalCount nodes { title region { code } } } }"#, json!({}))
        .await;
    let nodes = data["plans"]["nodes"].as_array().expect("nodes");
    assert!(!nodes.is_empty() && (nodes.len() as u64) < all);
    assert!(nodes.iter().all(|n| n["title"].as_str().unwrap_or("").contains("静海")));

    let data = app.data(r#"{ plans(filter: {regionCode: "120104"}) { nodes { region { code } } } }"#, json!({})).await;
    let nodes = data["plans"]["nodes"].as_array().expect("nodes");
    assert!(!nodes.is_empty());
    assert!(nodes.iter().all(|n| n["region"]["code"] == "120104"));

    // Tianjin with its districts holds more plans than Tianjin alone.
    let city = app.data(r#"{ plans(filter: {regionCode: "120000"}) { totalCount } }"#, json!({})).await;
    let with_districts = app
        .data(r#"{ plans(filter: {regionCode: "120000", includeSubregions: true}) { totalCount } }"#, json!({}))
        .await;
    assert!(with_districts["plans"]["totalCount"].as_u64() > city["plans"]["totalCount"].as_u64());

    let data = app.data(r#"{ plans(filter: {status: REPEALED}) { totalCount } }"#, json!({})).await;
    assert_eq!(data["plans"]["totalCount"], 0);
    let data = app.data(r#"{ plans(filter: {regionCode: "999999"}) { totalCount } }"#, json!({})).await;
    assert_eq!(data["plans"]["totalCount"], 0);
}

#[tokio::test]
async fn task_filters_by_plan_kind_and_department() {
    let app = spawn_app().await;
    let plan = app.data(r#"{ plans(filter: {search: "静海"}) { nodes { id } } }"#, json!({})).await;
    let plan_id = plan["plans"]["nodes"][0]["id"].as_str().expect("plan id").to_owned();
    let data = app
        .data(
            "query($p: ID) { tasks(filter: {planId: $p, kind: ACTION_GROUP}, first: 50) { totalCount nodes { kind plan { id } } } }",
            json!({ "p": plan_id }),
        )
        .await;
    let nodes = data["tasks"]["nodes"].as_array().expect("nodes");
    assert!(!nodes.is_empty());
    assert!(nodes.iter().all(|n| n["kind"] == "ACTION_GROUP" && n["plan"]["id"] == plan_id.as_str()));

    let dept =
        app.data(r#"{ departments(filter: {search: "静海区发展改革委"}) { nodes { id name } } }"#, json!({})).await;
    let dept_id = dept["departments"]["nodes"][0]["id"].as_str().expect("department").to_owned();
    let data = app
        .data(
            "query($d: ID) { tasks(filter: {departmentId: $d}, first: 100) { totalCount nodes { assignments { department { id } } } } }",
            json!({ "d": dept_id }),
        )
        .await;
    let nodes = data["tasks"]["nodes"].as_array().expect("nodes");
    assert!(nodes.len() > 5, "the Jinghai DRC leads or supports many tasks");
    for node in nodes {
        let assigned = node["assignments"].as_array().expect("assignments");
        assert!(assigned.iter().any(|a| a["department"]["id"] == dept_id.as_str()));
    }
    // The nested list agrees with the root filter.
    let nested = app
        .data("query($d: ID!) { node(id: $d) { ... on Department { tasks { totalCount } } } }", json!({ "d": dept_id }))
        .await;
    assert_eq!(nested["node"]["tasks"]["totalCount"], data["tasks"]["totalCount"]);
}

#[tokio::test]
async fn indicator_year_filter_returns_only_indicators_with_a_target_that_year() {
    let app = spawn_app().await;
    let data = app
        .data(r#"{ indicators(filter: {regionCode: "120118", year: 2025}, first: 100) { totalCount nodes { targets { year kind } } } }"#, json!({}))
        .await;
    let nodes = data["indicators"]["nodes"].as_array().expect("nodes");
    assert!(!nodes.is_empty());
    for node in nodes {
        // Due that year, or standing (no year: 静海's 专栏 counts), so in force that year too.
        let targets = node["targets"].as_array().expect("targets");
        assert!(targets.iter().any(|t| t["year"] == 2025 || (t["year"].is_null() && t["kind"] == "STANDING")));
    }
}

#[tokio::test]
async fn order_by_sorts_both_ways() {
    let app = spawn_app().await;
    let asc = app.data("{ plans(orderBy: {field: TITLE}) { nodes { title } } }", json!({})).await;
    let desc = app.data("{ plans(orderBy: {field: TITLE, direction: DESC}) { nodes { title } } }", json!({})).await;
    let titles = |v: &serde_json::Value| -> Vec<String> {
        v["plans"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n["title"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let (asc, mut desc) = (titles(&asc), titles(&desc));
    let mut sorted = asc.clone();
    sorted.sort();
    assert_eq!(asc, sorted);
    desc.reverse();
    assert_eq!(asc, desc);

    let years = app
        .data("{ tasks(orderBy: {field: DUE_YEAR, direction: DESC}, first: 100) { nodes { dueYear } } }", json!({}))
        .await;
    let years: Vec<i64> =
        years["tasks"]["nodes"].as_array().expect("nodes").iter().map(|n| n["dueYear"].as_i64().unwrap_or(0)).collect();
    assert!(years.windows(2).all(|w| w[0] >= w[1]));
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz"] {
        let response = app.client.get(format!("{}{path}", app.address)).send().await.expect("request");
        assert_eq!(response.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn a_departments_tasks_filtered_by_role_are_those_it_has_that_role_in() {
    let app = spawn_app().await;
    let ids = |nodes: &serde_json::Value| -> Vec<String> {
        let mut ids: Vec<String> =
            nodes.as_array().expect("a list").iter().map(|t| t["id"].as_str().expect("id").to_owned()).collect();
        ids.sort();
        ids
    };
    let found =
        app.data(r#"{ departments(filter: {search: "静海区发展改革委"}) { nodes { id name } } }"#, json!({})).await;
    let department =
        found["departments"]["nodes"].as_array().expect("departments").iter().find(|d| d["name"] == "静海区发展改革委");
    let id = department.expect("静海区发展改革委 exists")["id"].clone();
    let mut seen = Vec::new();
    for role in ["LEAD", "SUPPORT"] {
        let nested = app
            .data(
                "query($id: ID!, $role: AssignmentRole) { node(id: $id) { ... on Department {
                    tasks(filter: {role: $role}, first: 100) { nodes { id } } } } }",
                json!({ "id": id, "role": role }),
            )
            .await;
        let root = app
            .data(
                "query($id: ID!, $role: AssignmentRole) { tasks(filter: {departmentId: $id, role: $role}, first: 100) { nodes { id } } }",
                json!({ "id": id, "role": role }),
            )
            .await;
        let (nested, root) = (ids(&nested["node"]["tasks"]["nodes"]), ids(&root["tasks"]["nodes"]));
        assert!(!root.is_empty(), "静海区发展改革委 has {role} tasks");
        assert_eq!(nested, root, "Department.tasks(filter: {{role: {role}}}) and the root list agree");
        seen.push(nested);
    }
    assert!(seen[0].iter().all(|t| !seen[1].contains(t)), "no task is both LEAD and SUPPORT for one department");
}
