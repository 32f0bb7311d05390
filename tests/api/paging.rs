//! Paging forward and backward through every root list, and through the
//! nested lists of tasks and indicators, never skips or repeats, and a
//! nested list shows and counts only what the caller may see.

use crate::helpers::{TestApp, spawn_app};
use serde_json::{Value, json};
use std::collections::HashSet;
use xietong::access::Role;

async fn page(app: &TestApp, list: &str, order: &str, args: Value) -> Value {
    let query = format!(
        "query($first: Int, $after: String, $last: Int, $before: String) {{
           {list}(first: $first, after: $after, last: $last, before: $before{order}) {{
             totalCount
             pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
             edges {{ cursor node {{ id }} }}
             nodes {{ id }}
           }}
         }}"
    );
    app.data(&query, args).await[list].clone()
}

fn ids(conn: &Value) -> Vec<String> {
    let nodes: Vec<String> =
        conn["nodes"].as_array().expect("nodes").iter().map(|n| n["id"].as_str().expect("id").to_owned()).collect();
    let edges: Vec<String> = conn["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(nodes, edges, "nodes and edges disagree");
    nodes
}

/// Walks `list` forward with `first: size`, then backward with `last: size`,
/// and checks both walks see every record exactly once, in mirrored order.
async fn walk(app: &TestApp, list: &str, order: &str, size: i64) {
    let mut forward = Vec::new();
    let mut after: Option<String> = None;
    let mut total = None;
    loop {
        let conn = page(app, list, order, json!({ "first": size, "after": after })).await;
        total.get_or_insert(conn["totalCount"].as_u64().expect("totalCount"));
        let chunk = ids(&conn);
        assert!(chunk.len() as i64 <= size);
        forward.extend(chunk);
        if !conn["pageInfo"]["hasNextPage"].as_bool().expect("hasNextPage") {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        assert!(forward.len() < 10_000, "paging does not terminate");
    }
    let mut backward = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let conn = page(app, list, order, json!({ "last": size, "before": before })).await;
        let mut chunk = ids(&conn);
        chunk.extend(backward);
        backward = chunk;
        if !conn["pageInfo"]["hasPreviousPage"].as_bool().expect("hasPreviousPage") {
            break;
        }
        before = conn["pageInfo"]["startCursor"].as_str().map(str::to_owned);
        assert!(backward.len() < 10_000, "paging does not terminate");
    }
    let total = total.expect("a first page") as usize;
    let unique: HashSet<&String> = forward.iter().collect();
    assert_eq!(unique.len(), forward.len(), "{list}{order}: forward paging repeated a record");
    assert_eq!(forward.len(), total, "{list}{order}: forward paging saw {} of {total}", forward.len());
    assert_eq!(forward, backward, "{list}{order}: backward paging differs from forward paging");
    assert!(total > 0, "{list} is empty in the default dataset");
}

#[tokio::test]
async fn every_root_list_pages_forward_and_backward_without_gaps_or_repeats() {
    let app = spawn_app().await;
    walk(&app, "regions", "", 4).await;
    walk(&app, "regions", ", orderBy: {field: NAME, direction: DESC}", 5).await;
    walk(&app, "departments", "", 9).await;
    walk(&app, "plans", "", 2).await;
    walk(&app, "plans", ", orderBy: {field: TITLE, direction: DESC}", 1).await;
    walk(&app, "tasks", "", 25).await;
    walk(&app, "tasks", ", orderBy: {field: DUE_YEAR, direction: DESC}", 30).await;
    walk(&app, "indicators", "", 7).await;
    walk(&app, "indicators", ", orderBy: {field: NAME}", 11).await;
}

#[tokio::test]
async fn nested_lists_page_like_root_lists() {
    let app = spawn_app().await;
    let query = "query($after: String) { plans(filter: {regionCode: \"120118\"}) { nodes {
        tasks(first: 4, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } nodes { id } } } } }";
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut total;
    loop {
        let data = app.data(query, json!({ "after": after })).await;
        let conn = &data["plans"]["nodes"][0]["tasks"];
        total = conn["totalCount"].as_u64().expect("totalCount");
        seen.extend(ids(conn));
        if !conn["pageInfo"]["hasNextPage"].as_bool().expect("hasNextPage") {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!((unique.len(), seen.len()), (total as usize, total as usize));
    assert!(total > 10);
}

#[tokio::test]
async fn bad_paging_arguments_are_refused_with_bad_user_input() {
    let app = spawn_app().await;
    for args in ["first: 101", "first: -1", "first: 2, last: 2", "after: \"not-a-cursor\"", "last: 2, after: \"x\""] {
        let body = app.graphql(&format!("{{ plans({args}) {{ nodes {{ id }} }} }}"), json!({})).await;
        assert_eq!(crate::helpers::error_code(&body), Some("BAD_USER_INPUT"), "{args}: {body}");
    }
}

/// Walks the nested connection at `path` of `query` (which takes `$first`,
/// `$after`, `$last` and `$before` besides `vars`) forward with `first: size`,
/// then backward with `last: size`, as `token` (or anonymously); checks that
/// both walks see each of `totalCount` items once, in the same order, and
/// returns the items.
async fn walk_nested(
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    vars: &Value,
    path: &[&str],
    size: i64,
) -> Vec<Value> {
    let fetch = |args: Value| {
        let mut variables = vars.clone();
        variables.as_object_mut().expect("variables").extend(args.as_object().expect("args").clone());
        async move {
            let body = match token {
                Some(token) => app.graphql_as(token, query, variables).await,
                None => app.graphql(query, variables).await,
            };
            assert!(body.get("errors").is_none(), "{body:#}");
            path.iter().fold(body["data"].clone(), |value, key| value[*key].clone())
        }
    };
    let (mut forward, mut after, mut total) = (Vec::<Value>::new(), None::<String>, None);
    loop {
        let conn = fetch(json!({ "first": size, "after": after })).await;
        total.get_or_insert(conn["totalCount"].as_u64().expect("totalCount"));
        ids(&conn);
        forward.extend(conn["nodes"].as_array().expect("nodes").iter().cloned());
        if !conn["pageInfo"]["hasNextPage"].as_bool().expect("hasNextPage") {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        assert!(forward.len() < 1_000, "paging does not terminate");
    }
    let (mut backward, mut before) = (Vec::<Value>::new(), None::<String>);
    loop {
        let conn = fetch(json!({ "last": size, "before": before })).await;
        let mut chunk: Vec<Value> = conn["nodes"].as_array().expect("nodes").clone();
        chunk.extend(backward);
        backward = chunk;
        if !conn["pageInfo"]["hasPreviousPage"].as_bool().expect("hasPreviousPage") {
            break;
        }
        before = conn["pageInfo"]["startCursor"].as_str().map(str::to_owned);
        assert!(backward.len() < 1_000, "paging does not terminate");
    }
    let unique: HashSet<String> = forward.iter().map(|n| n["id"].to_string()).collect();
    assert_eq!(unique.len(), forward.len(), "{path:?}: forward paging repeated an item");
    assert_eq!(forward.len() as u64, total.expect("a first page"), "{path:?}: forward paging missed items");
    assert_eq!(forward, backward, "{path:?}: backward paging differs from forward paging");
    forward
}

/// The Jinghai renewable-capacity indicator and its task (global IDs).
async fn renewable(app: &TestApp) -> (Value, Value) {
    let data = app
        .data(
            r#"{ indicators(filter: {regionCode: "120118", search: "可再生能源电力装机容量"}) { nodes { id task { id } } } }"#,
            json!({}),
        )
        .await;
    let node = &data["indicators"]["nodes"][0];
    (node["id"].clone(), node["task"]["id"].clone())
}

const PAGE_ARGS: &str = "first: $first, after: $after, last: $last, before: $before";
const PAGE_VARS: &str = "$first: Int, $after: String, $last: Int, $before: String";

#[tokio::test]
async fn a_tasks_progress_reports_page_oldest_first_forward_and_backward() {
    let app = spawn_app().await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let (_, task) = renewable(&app).await;
    for k in 1..=7 {
        let input =
            json!({ "taskId": task, "period": "2024", "status": "IN_PROGRESS", "narrative": format!("第{k}次") });
        let mutation = "mutation($input: ReportProgressInput!) { reportProgress(input: $input) { report { id } } }";
        let body = app.graphql_as(&admin, mutation, json!({ "input": input })).await;
        assert!(body.get("errors").is_none(), "{body:#}");
    }
    let query = format!(
        "query($task: ID!, {PAGE_VARS}) {{ node(id: $task) {{ ... on Task {{ progressReports({PAGE_ARGS}) {{
           totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
           edges {{ cursor node {{ id narrative }} }} nodes {{ id narrative }} }} }} }} }}"
    );
    let vars = json!({ "task": task });
    let path = ["node", "progressReports"];
    for size in [1, 3, 7, 20] {
        let reports = walk_nested(&app, None, &query, &vars, &path, size).await;
        let narratives: Vec<&str> = reports.iter().map(|r| r["narrative"].as_str().unwrap()).collect();
        assert_eq!(narratives, (1..=7).map(|k| format!("第{k}次")).collect::<Vec<_>>(), "page size {size}");
    }

    // `last: 2` is the two latest, and `latestProgress` the last of them.
    let data = app
        .data(
            "query($task: ID!) { node(id: $task) { ... on Task { latestProgress { narrative }
               progressReports(last: 2) { totalCount pageInfo { hasPreviousPage hasNextPage }
                 nodes { narrative } } } } }",
            vars.clone(),
        )
        .await;
    let node = &data["node"];
    assert_eq!(node["latestProgress"]["narrative"], "第7次");
    assert_eq!(node["progressReports"]["nodes"], json!([{ "narrative": "第6次" }, { "narrative": "第7次" }]));
    assert_eq!(node["progressReports"]["pageInfo"], json!({ "hasPreviousPage": true, "hasNextPage": false }));
    assert_eq!(node["progressReports"]["totalCount"], 7);

    // A task without reports has an empty first page, and the page size is limited as elsewhere.
    let other = app
        .data(
            "{ tasks(first: 1) { nodes { latestProgress { id }
               progressReports { totalCount nodes { id } pageInfo { hasNextPage endCursor } } } } }",
            json!({}),
        )
        .await;
    let empty = &other["tasks"]["nodes"][0];
    assert_eq!(
        empty["progressReports"],
        json!({ "totalCount": 0, "nodes": [], "pageInfo": { "hasNextPage": false, "endCursor": null } })
    );
    assert_eq!(empty["latestProgress"], Value::Null);
    let body =
        app.graphql("{ tasks(first: 1) { nodes { progressReports(first: 101) { nodes { id } } } } }", json!({})).await;
    assert_eq!(crate::helpers::error_code(&body), Some("BAD_USER_INPUT"), "{body}");
}

#[tokio::test]
async fn an_indicators_actuals_page_by_period_then_revision_with_and_without_superseded_ones() {
    let app = spawn_app().await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let (indicator, _) = renewable(&app).await;
    // (period, value) in the order reported; a second value of a period is a correction.
    let reported =
        [("2023", 10.0), ("2021", 1.0), ("2022-H1", 4.0), ("2022", 5.0), ("2022", 6.0), ("2023", 11.0), ("2022", 7.0)];
    for (period, value) in reported {
        let input = json!({ "indicatorId": indicator, "period": period, "value": value, "reason": "更正" });
        let mutation = "mutation($input: RecordActualInput!) { recordActual(input: $input) { actual { id } } }";
        let body = app.graphql_as(&admin, mutation, json!({ "input": input })).await;
        assert!(body.get("errors").is_none(), "{body:#}");
    }
    let query = |superseded: bool| {
        format!(
            "query($indicator: ID!, {PAGE_VARS}) {{ node(id: $indicator) {{ ... on Indicator {{
               actuals(includeSuperseded: {superseded}, {PAGE_ARGS}) {{
               totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
               edges {{ cursor node {{ id period revision value }} }} nodes {{ id period revision value }} }} }} }} }}"
        )
    };
    let vars = json!({ "indicator": indicator });
    let path = ["node", "actuals"];
    let rows = |actuals: Vec<Value>| -> Vec<(String, i64, f64)> {
        actuals
            .iter()
            .map(|a| {
                (
                    a["period"].as_str().unwrap().to_owned(),
                    a["revision"].as_i64().unwrap(),
                    a["value"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let current = vec![
        ("2021".to_owned(), 1, 1.0),
        ("2022".to_owned(), 3, 7.0),
        ("2022-H1".to_owned(), 1, 4.0),
        ("2023".to_owned(), 2, 11.0),
    ];
    let every = vec![
        ("2021".to_owned(), 1, 1.0),
        ("2022".to_owned(), 1, 5.0),
        ("2022".to_owned(), 2, 6.0),
        ("2022".to_owned(), 3, 7.0),
        ("2022-H1".to_owned(), 1, 4.0),
        ("2023".to_owned(), 1, 10.0),
        ("2023".to_owned(), 2, 11.0),
    ];
    for size in [1, 2, 3, 10] {
        assert_eq!(rows(walk_nested(&app, None, &query(false), &vars, &path, size).await), current, "page size {size}");
        assert_eq!(rows(walk_nested(&app, None, &query(true), &vars, &path, size).await), every, "page size {size}");
    }

    // A cursor of another list is refused, not misread.
    let plans = app.data("{ plans(first: 1) { pageInfo { endCursor } } }", json!({})).await;
    let foreign = plans["plans"]["pageInfo"]["endCursor"].clone();
    assert!(foreign.is_string(), "{plans}");
    let body = app.graphql(&query(true), json!({ "indicator": indicator, "first": 2, "after": foreign })).await;
    assert_eq!(crate::helpers::error_code(&body), Some("BAD_USER_INPUT"), "{body}");
}

#[tokio::test]
async fn nested_lists_of_tasks_and_indicators_neither_return_nor_count_what_the_caller_may_not_see() {
    use entity::enums::SharingClass;
    use entity::{indicator, plan, task};
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};
    use xietong::ids::{NodeKind, to_global};
    let app = spawn_app().await;
    // A task of a PUBLIC plan with at least three children, and a task with at least two indicators.
    let public: Vec<String> = plan::Entity::find()
        .filter(plan::Column::SharingClass.eq(SharingClass::Public))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    let tasks = task::Entity::find()
        .filter(task::Column::PlanId.is_in(public.clone()))
        .filter(task::Column::SharingClass.is_null())
        .order_by_asc(task::Column::DocOrder)
        .all(&app.db)
        .await
        .unwrap();
    let children_of = |id: &str| tasks.iter().filter(|t| t.parent_id.as_deref() == Some(id)).collect::<Vec<_>>();
    let parent = tasks.iter().find(|t| children_of(&t.id).len() >= 3).expect("a task with three children");
    let children = children_of(&parent.id);
    let indicators = indicator::Entity::find()
        .filter(indicator::Column::PlanId.is_in(public))
        .filter(indicator::Column::SharingClass.is_null())
        .order_by_asc(indicator::Column::DocOrder)
        .all(&app.db)
        .await
        .unwrap();
    let measured_by = |id: &str| indicators.iter().filter(|i| i.task_id.as_deref() == Some(id)).collect::<Vec<_>>();
    let measured = tasks.iter().find(|t| measured_by(&t.id).len() >= 2).expect("a task with two indicators");
    let measures = measured_by(&measured.id);
    // Hide the second child and the first indicator.
    let (hidden_child, hidden_indicator) = (children[1].clone(), measures[0].clone());
    let mut am = hidden_child.clone().into_active_model();
    am.sharing_class = sea_orm::ActiveValue::Set(Some(SharingClass::NotShared));
    am.update(&app.db).await.unwrap();
    let mut am = hidden_indicator.clone().into_active_model();
    am.sharing_class = sea_orm::ActiveValue::Set(Some(SharingClass::NotShared));
    am.update(&app.db).await.unwrap();

    let query = |list: &str| {
        format!(
            "query($task: ID!, {PAGE_VARS}) {{ node(id: $task) {{ ... on Task {{ {list}({PAGE_ARGS}) {{
               totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
               edges {{ cursor node {{ id }} }} nodes {{ id }} }} }} }} }}"
        )
    };
    let gids = |ids: Vec<&String>| -> Vec<Value> {
        ids.into_iter().map(|id| json!({ "id": to_global(NodeKind::Task, id).0 })).collect()
    };
    let indicator_gids = |ids: Vec<&String>| -> Vec<Value> {
        ids.into_iter().map(|id| json!({ "id": to_global(NodeKind::Indicator, id).0 })).collect()
    };
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let reader = app.token("天津市生态环境局", Role::Reader).await;
    let parent_vars = json!({ "task": to_global(NodeKind::Task, &parent.id).0 });
    let measured_vars = json!({ "task": to_global(NodeKind::Task, &measured.id).0 });
    for (who, token) in [("anonymous", None), ("reader", Some(reader.as_str())), ("admin", Some(admin.as_str()))] {
        let sees_all = who == "admin";
        let expected_children =
            gids(children.iter().filter(|c| sees_all || c.id != hidden_child.id).map(|c| &c.id).collect());
        let expected_indicators = indicator_gids(
            measures.iter().filter(|i| sees_all || i.id != hidden_indicator.id).map(|i| &i.id).collect(),
        );
        for size in [1, 2] {
            let seen = walk_nested(&app, token, &query("children"), &parent_vars, &["node", "children"], size).await;
            assert_eq!(seen, expected_children, "{who}: Task.children, page size {size}");
            let seen =
                walk_nested(&app, token, &query("indicators"), &measured_vars, &["node", "indicators"], size).await;
            assert_eq!(seen, expected_indicators, "{who}: Task.indicators, page size {size}");
        }
    }
}

#[tokio::test]
async fn nested_lists_under_many_parents_page_exactly_as_under_few() {
    let app = spawn_app().await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    // Actuals of three periods, one of them corrected, on the first indicators of every plan.
    let plans = app.data("{ plans { nodes { id indicators(first: 3) { nodes { id } } } } }", json!({})).await;
    let plans = plans["plans"]["nodes"].as_array().unwrap().clone();
    for indicator in plans.iter().flat_map(|p| p["indicators"]["nodes"].as_array().unwrap()) {
        for (period, value) in [("2022", 1.0), ("2023", 2.0), ("2023", 3.0), ("2024", 4.0)] {
            let input = json!({ "indicatorId": indicator["id"], "period": period, "value": value, "reason": "更正" });
            let mutation = "mutation($input: RecordActualInput!) { recordActual(input: $input) { actual { id } } }";
            let body = app.graphql_as(&admin, mutation, json!({ "input": input })).await;
            assert!(body.get("errors").is_none(), "{body:#}");
        }
    }
    let connection =
        "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }";
    for (parents, list) in [("tasks", "children"), ("indicators", "actuals")] {
        let selection = format!("{parents}(first: 100) {{ nodes {{ id {list}({PAGE_ARGS}) {{ {connection} }} }} }}");
        // Every plan's parents at once (more than 100), and one plan's at a time (fewer).
        let many = format!("query({PAGE_VARS}) {{ plans {{ nodes {{ id {selection} }} }} }}");
        let few =
            format!("query($plan: ID!, {PAGE_VARS}) {{ node(id: $plan) {{ ... on Plan {{ id {selection} }} }} }}");
        let first = app.data(&many, json!({ "first": 2 })).await;
        let lists: Vec<&Value> = first["plans"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|plan| plan[parents]["nodes"].as_array().unwrap())
            .map(|parent| &parent[list])
            .collect();
        assert!(lists.len() > 100, "{parents}: {} parents", lists.len());
        let longer = lists.iter().find(|c| c["pageInfo"]["hasNextPage"] == true).expect("a list of three or more");
        let cursor = longer["pageInfo"]["endCursor"].clone();
        for args in [
            json!({ "first": 2 }),
            json!({ "last": 2 }),
            json!({ "first": 1, "after": cursor }),
            json!({ "last": 1, "before": cursor }),
            json!({ "first": 0 }),
        ] {
            let all = app.data(&many, args.clone()).await;
            for (i, plan) in plans.iter().enumerate() {
                let mut vars = args.clone();
                vars["plan"] = plan["id"].clone();
                let one = app.data(&few, vars).await;
                assert_eq!(all["plans"]["nodes"][i], one["node"], "{parents}.{list} with {args}");
            }
        }
    }
}
