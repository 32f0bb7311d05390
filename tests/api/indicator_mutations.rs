//! createIndicator, updateIndicator, setTarget and removeTarget through the
//! real server: the coordinator of the plan's region (or ADMIN) may change
//! indicators and targets; every refusal writes nothing, not even a Change.

use crate::helpers::{TestApp, error_code, spawn_app};
use entity::{change, indicator, indicator_target, plan, task};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use xietong::access::Role;
use xietong::ids::{NodeKind, new_uuid, to_global};

const JINGHAI_PLAN: &str = "天津市静海区碳达峰实施方案";
const NANKAI_PLAN: &str = "天津市南开区碳达峰实施方案";
const JINGHAI: &str = "静海区发展改革委";
const NANKAI: &str = "南开区发展改革委";
const JINGHAI_BUREAU: &str = "静海区生态环境局";

const CREATE: &str = "mutation($input: CreateIndicatorInput!) {
  createIndicator(input: $input) { indicator { id name unit version region { name } task { id } plan { title } } } }";
const UPDATE: &str = "mutation($input: UpdateIndicatorInput!) {
  updateIndicator(input: $input) { indicator { id name unit version baseline { year value } contributesTo { id } } } }";
const SET_TARGET: &str = "mutation($input: SetTargetInput!) {
  setTarget(input: $input) { target { id year comparator value valueMax version } indicator { id version targets { year } } } }";
const REMOVE_TARGET: &str = "mutation($input: RemoveTargetInput!) {
  removeTarget(input: $input) { indicator { id version targets { year } } } }";

/// Row counts that a refused mutation must leave as they were.
async fn counts(app: &TestApp) -> (u64, u64, u64) {
    let changes = change::Entity::find().count(&app.db).await.unwrap();
    let indicators = indicator::Entity::find().count(&app.db).await.unwrap();
    let targets = indicator_target::Entity::find().count(&app.db).await.unwrap();
    (changes, indicators, targets)
}

async fn plan_of(app: &TestApp, title: &str) -> plan::Model {
    plan::Entity::find().filter(plan::Column::Title.eq(title)).one(&app.db).await.unwrap().expect("the plan")
}

async fn first_task_of(app: &TestApp, plan_id: &str) -> String {
    let found = task::Entity::find()
        .filter(task::Column::PlanId.eq(plan_id))
        .order_by_asc(task::Column::DocOrder)
        .one(&app.db)
        .await
        .unwrap()
        .expect("a task");
    to_global(NodeKind::Task, &found.id).0
}

/// The field names of a BAD_USER_INPUT error.
fn fields(body: &Value) -> Vec<String> {
    let list = body["errors"][0]["extensions"]["fields"].as_array().cloned().unwrap_or_default();
    list.iter().filter_map(|f| f["field"].as_str().map(str::to_owned)).collect()
}

fn new_input(plan_id: &str) -> Value {
    json!({
        "planId": plan_id, "name": "分布式光伏装机容量", "unit": "万千瓦", "measure": "QUANTITY",
        "direction": "HIGHER_IS_BETTER", "summable": true, "nature": "EXPECTED", "baselineYear": 2020, "baselineValue": 12.5,
    })
}

/// Creates an indicator in the Jinghai plan as its coordinator; returns its global ID.
async fn create(app: &TestApp, token: &str, input: Value) -> String {
    let body = app.graphql_as(token, CREATE, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"]["createIndicator"]["indicator"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_coordinator_creates_an_indicator_once_per_idempotency_key() {
    let app = spawn_app().await;
    let plan = plan_of(&app, JINGHAI_PLAN).await;
    let plan_id = to_global(NodeKind::Plan, &plan.id).0;
    let task_id = first_task_of(&app, &plan.id).await;
    let token = app.token(JINGHAI, Role::Coordinator).await;
    let before = counts(&app).await;

    let mut input = new_input(&plan_id);
    input["taskId"] = json!(task_id);
    input["idempotencyKey"] = json!("create-pv-1");
    let body = app.graphql_as(&token, CREATE, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let created = &body["data"]["createIndicator"]["indicator"];
    assert_eq!(created["name"], "分布式光伏装机容量");
    assert_eq!(created["version"], 1);
    assert_eq!(created["region"]["name"], "静海区", "the region defaults to the plan's");
    assert_eq!(created["task"]["id"], json!(task_id));
    assert_eq!(created["plan"]["title"], JINGHAI_PLAN);
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(counts(&app).await, (before.0 + 1, before.1 + 1, before.2));
    let record = xietong::ids::from_global(NodeKind::Indicator, &id, "id").unwrap();
    let audit = change::Entity::find().filter(change::Column::EntityId.eq(record)).all(&app.db).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!((audit[0].entity.as_str(), audit[0].action.as_str()), ("Indicator", "CREATE"));

    // A retry returns the first result and writes nothing.
    let retry = app.graphql_as(&token, CREATE, json!({ "input": input })).await;
    assert_eq!(retry["data"]["createIndicator"]["indicator"]["id"], json!(id), "{retry:#}");
    assert_eq!(counts(&app).await, (before.0 + 1, before.1 + 1, before.2));

    // The same key with other input is refused.
    input["name"] = json!("另一个指标");
    let other = app.graphql_as(&token, CREATE, json!({ "input": input })).await;
    assert_eq!(error_code(&other), Some("CONFLICT"), "{other:#}");
    assert_eq!(counts(&app).await, (before.0 + 1, before.1 + 1, before.2));
}

#[tokio::test]
async fn create_indicator_refusals_write_nothing() {
    let app = spawn_app().await;
    let plan = plan_of(&app, JINGHAI_PLAN).await;
    let plan_id = to_global(NodeKind::Plan, &plan.id).0;
    let coordinator = app.token(JINGHAI, Role::Coordinator).await;
    let before = counts(&app).await;

    let anonymous = app.graphql(CREATE, json!({ "input": new_input(&plan_id) })).await;
    assert_eq!(error_code(&anonymous), Some("UNAUTHENTICATED"), "{anonymous:#}");
    for (dept, role) in [(JINGHAI_BUREAU, Role::Reader), (JINGHAI_BUREAU, Role::Bureau), (NANKAI, Role::Coordinator)] {
        let token = app.token(dept, role).await;
        let body = app.graphql_as(&token, CREATE, json!({ "input": new_input(&plan_id) })).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{dept} {role:?}: {body:#}");
    }

    let mut bad = new_input(&plan_id);
    bad["name"] = json!("  ");
    bad["unit"] = json!("furlongs");
    bad["baselineYear"] = json!(1800);
    bad["sharingClass"] = json!("NOT_SHARED");
    let body = app.graphql_as(&coordinator, CREATE, json!({ "input": bad })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body:#}");
    for field in ["input.name", "input.unit", "input.baselineYear", "input.legalBasis"] {
        assert!(fields(&body).contains(&field.to_owned()), "{field} missing in {body:#}");
    }
    assert!(body["errors"][0]["extensions"]["fields"].to_string().contains("万千瓦"), "lists known units: {body:#}");

    let nankai = plan_of(&app, NANKAI_PLAN).await;
    let mut other_task = new_input(&plan_id);
    other_task["taskId"] = json!(first_task_of(&app, &nankai.id).await);
    let body = app.graphql_as(&coordinator, CREATE, json!({ "input": other_task })).await;
    assert_eq!((error_code(&body), fields(&body)), (Some("BAD_USER_INPUT"), vec!["input.taskId".to_owned()]));

    let mut outside = new_input(&plan_id);
    outside["regionId"] = json!(to_global(NodeKind::Region, &nankai.region_id).0);
    let body = app.graphql_as(&coordinator, CREATE, json!({ "input": outside })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "a region outside the jurisdiction: {body:#}");

    let missing = new_input(&to_global(NodeKind::Plan, &new_uuid()).0);
    let body = app.graphql_as(&coordinator, CREATE, json!({ "input": missing })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body:#}");
    assert_eq!(counts(&app).await, before, "no refusal wrote anything");

    // A CONDITIONAL plan of Nankai is invisible to Jinghai's coordinator: NOT_FOUND, not FORBIDDEN.
    let nankai_token = app.token(NANKAI, Role::Coordinator).await;
    let created = app
        .data_as(
            &nankai_token,
            "mutation($r: ID!) { createPlan(input: {title: \"南开区内部方案\", regionId: $r, kind: ACTION_PLAN, \
             sharingClass: CONDITIONAL}) { plan { id } } }",
            json!({ "r": to_global(NodeKind::Region, &nankai.region_id).0 }),
        )
        .await;
    let hidden = created["createPlan"]["plan"]["id"].as_str().expect("created plan").to_owned();
    let before = counts(&app).await;
    let body = app.graphql_as(&coordinator, CREATE, json!({ "input": new_input(&hidden) })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body:#}");
    assert_eq!(counts(&app).await, before);
}

#[tokio::test]
async fn update_indicator_checks_versions_and_references() {
    let app = spawn_app().await;
    let plan = plan_of(&app, JINGHAI_PLAN).await;
    let plan_id = to_global(NodeKind::Plan, &plan.id).0;
    let token = app.token(JINGHAI, Role::Coordinator).await;
    let id = create(&app, &token, new_input(&plan_id)).await;
    let other = create(&app, &token, new_input(&plan_id)).await;
    let before = counts(&app).await;

    let input = json!({ "id": id, "expectedVersion": 1, "name": "光伏装机", "unit": "%", "contributesToId": other });
    let body = app.graphql_as(&token, UPDATE, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let updated = &body["data"]["updateIndicator"]["indicator"];
    assert_eq!(
        (updated["name"].as_str(), updated["unit"].as_str(), updated["version"].as_i64()),
        (Some("光伏装机"), Some("%"), Some(2))
    );
    assert_eq!(updated["contributesTo"]["id"], json!(other));
    assert_eq!(counts(&app).await, (before.0 + 1, before.1, before.2));

    let before = counts(&app).await;
    let stale =
        app.graphql_as(&token, UPDATE, json!({ "input": { "id": id, "expectedVersion": 1, "name": "x" } })).await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale:#}");
    assert_eq!(stale["errors"][0]["extensions"]["currentVersion"], 2);

    let cases = [
        (json!({ "id": id, "expectedVersion": 2, "contributesToId": id }), "input.contributesToId"),
        (json!({ "id": other, "expectedVersion": 1, "contributesToId": id }), "input.contributesToId"),
        (json!({ "id": id, "expectedVersion": 2, "unit": "furlongs" }), "input.unit"),
    ];
    for (input, field) in cases {
        let body = app.graphql_as(&token, UPDATE, json!({ "input": input })).await;
        assert_eq!((error_code(&body), fields(&body)), (Some("BAD_USER_INPUT"), vec![field.to_owned()]), "{body:#}");
    }
    let bureau = app.token(JINGHAI_BUREAU, Role::Bureau).await;
    let body =
        app.graphql_as(&bureau, UPDATE, json!({ "input": { "id": id, "expectedVersion": 2, "name": "x" } })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body:#}");
    assert_eq!(counts(&app).await, before, "no refusal wrote anything");

    // A baseline after an existing target is refused.
    let set = json!({ "indicatorId": id, "year": 2025, "comparator": "GTE", "value": 30 });
    assert!(app.graphql_as(&token, SET_TARGET, json!({ "input": set })).await.get("errors").is_none());
    let body = app
        .graphql_as(&token, UPDATE, json!({ "input": { "id": id, "expectedVersion": 3, "baselineYear": 2026 } }))
        .await;
    assert_eq!((error_code(&body), fields(&body)), (Some("BAD_USER_INPUT"), vec!["input.baselineYear".to_owned()]));
}

#[tokio::test]
async fn set_target_creates_replaces_and_bumps_the_indicator() {
    let app = spawn_app().await;
    let plan = plan_of(&app, JINGHAI_PLAN).await;
    let token = app.token(JINGHAI, Role::Coordinator).await;
    let id = create(&app, &token, new_input(&to_global(NodeKind::Plan, &plan.id).0)).await;
    let before = counts(&app).await;

    let input = json!({ "indicatorId": id, "year": 2025, "comparator": "GTE", "value": 30 });
    let body = app.graphql_as(&token, SET_TARGET, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let data = &body["data"]["setTarget"];
    assert_eq!((data["target"]["version"].as_i64(), data["indicator"]["version"].as_i64()), (Some(1), Some(2)));
    assert_eq!(data["indicator"]["targets"], json!([{ "year": 2025 }]));
    assert_eq!(counts(&app).await, (before.0 + 1, before.1, before.2 + 1));

    let replace = json!({ "indicatorId": id, "year": 2025, "comparator": "BETWEEN", "value": 30, "valueMax": 35, "expectedVersion": 1 });
    let body = app.graphql_as(&token, SET_TARGET, json!({ "input": replace })).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let data = &body["data"]["setTarget"];
    assert_eq!(data["target"]["comparator"], "BETWEEN");
    assert_eq!((data["target"]["version"].as_i64(), data["indicator"]["version"].as_i64()), (Some(2), Some(3)));
    assert_eq!(counts(&app).await, (before.0 + 2, before.1, before.2 + 1), "replaced, not added");

    let before = counts(&app).await;
    let stale = app.graphql_as(&token, SET_TARGET, json!({ "input": replace })).await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale:#}");
    let target = |year: i32, comparator: &str, value_max: Value| json!({ "indicatorId": id, "year": year, "comparator": comparator, "value": 30, "valueMax": value_max });
    let cases = [
        (target(2030, "BETWEEN", Value::Null), "input.valueMax"),
        (target(2030, "BETWEEN", json!(20)), "input.valueMax"),
        (target(2030, "GTE", json!(40)), "input.valueMax"),
        (target(2019, "GTE", Value::Null), "input.year"),
        (target(2200, "GTE", Value::Null), "input.year"),
    ];
    for (input, field) in cases {
        let body = app.graphql_as(&token, SET_TARGET, json!({ "input": input })).await;
        assert_eq!(
            (error_code(&body), fields(&body)),
            (Some("BAD_USER_INPUT"), vec![field.to_owned()]),
            "{input}: {body:#}"
        );
    }
    for (dept, role) in [(NANKAI, Role::Coordinator), (JINGHAI_BUREAU, Role::Bureau)] {
        let other = app.token(dept, role).await;
        let body = app.graphql_as(&other, SET_TARGET, json!({ "input": target(2030, "GTE", Value::Null) })).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body:#}");
    }
    assert_eq!(counts(&app).await, before, "no refusal wrote anything");

    // An administrator may set targets anywhere.
    let admin = app.token("天津市人民政府", Role::Admin).await;
    let body = app.graphql_as(&admin, SET_TARGET, json!({ "input": target(2030, "LTE", Value::Null) })).await;
    assert!(body.get("errors").is_none(), "{body:#}");
}

#[tokio::test]
async fn remove_target_deletes_one_year() {
    let app = spawn_app().await;
    let plan = plan_of(&app, JINGHAI_PLAN).await;
    let token = app.token(JINGHAI, Role::Coordinator).await;
    let id = create(&app, &token, new_input(&to_global(NodeKind::Plan, &plan.id).0)).await;
    for year in [2025, 2030] {
        let input = json!({ "indicatorId": id, "year": year, "comparator": "GTE", "value": 30 });
        assert!(app.graphql_as(&token, SET_TARGET, json!({ "input": input })).await.get("errors").is_none());
    }
    let before = counts(&app).await;

    let stale = json!({ "indicatorId": id, "year": 2025, "expectedVersion": 7 });
    let body = app.graphql_as(&token, REMOVE_TARGET, json!({ "input": stale })).await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body:#}");
    let nankai = app.token(NANKAI, Role::Coordinator).await;
    let body = app.graphql_as(&nankai, REMOVE_TARGET, json!({ "input": { "indicatorId": id, "year": 2025 } })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body:#}");
    assert_eq!(counts(&app).await, before);

    let input = json!({ "indicatorId": id, "year": 2025, "expectedVersion": 1 });
    let body = app.graphql_as(&token, REMOVE_TARGET, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let indicator = &body["data"]["removeTarget"]["indicator"];
    assert_eq!(indicator["targets"], json!([{ "year": 2030 }]));
    assert_eq!(indicator["version"], 4);
    assert_eq!(counts(&app).await, (before.0 + 1, before.1, before.2 - 1));
    let audit = change::Entity::find().order_by_desc(change::Column::Seq).one(&app.db).await.unwrap().unwrap();
    assert_eq!((audit.entity.as_str(), audit.action.as_str()), ("Target", "DELETE"));

    let again = app.graphql_as(&token, REMOVE_TARGET, json!({ "input": { "indicatorId": id, "year": 2025 } })).await;
    assert_eq!((error_code(&again), fields(&again)), (Some("BAD_USER_INPUT"), vec!["input.year".to_owned()]));
}

#[tokio::test]
async fn set_target_takes_a_goal_in_words_without_a_value_and_refuses_a_mixed_input() {
    let app = spawn_app().await;
    let plan = plan_of(&app, JINGHAI_PLAN).await;
    let token = app.token(JINGHAI, Role::Coordinator).await;
    let id = create(&app, &token, new_input(&to_global(NodeKind::Plan, &plan.id).0)).await;
    let before = counts(&app).await;

    let words = json!({ "indicatorId": id, "year": 2025, "kind": "QUALITATIVE", "phrase": "基本建成分布式光伏示范区" });
    let body = app.graphql_as(&token, SET_WORDS, json!({ "input": words })).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let t = &body["data"]["setTarget"]["target"];
    assert_eq!(
        (&t["kind"], &t["year"], &t["phrase"], &t["comparator"], &t["value"], &t["valueMax"]),
        (
            &json!("QUALITATIVE"),
            &json!(2025),
            &json!("基本建成分布式光伏示范区"),
            &json!("EQ"),
            &Value::Null,
            &Value::Null
        )
    );
    assert_eq!(counts(&app).await, (before.0 + 1, before.1, before.2 + 1));

    // An actual cannot say whether words are met: progress is NO_DATA against the goal in words.
    let actual = json!({ "indicatorId": id, "period": "2024", "value": 20.0, "status": "VERIFIED" });
    let body = app.graphql_as(&token, RECORD_ACTUAL, json!({ "input": actual })).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let progress = "query($id: ID!) { node(id: $id) { ... on Indicator {
        progress { status share target { kind phrase value } latestActual { value } } } } }";
    let data = app.data_as(&token, progress, json!({ "id": id })).await;
    assert_eq!(
        data["node"]["progress"],
        json!({ "status": "NO_DATA", "share": null, "latestActual": { "value": 20.0 },
                "target": { "kind": "QUALITATIVE", "phrase": "基本建成分布式光伏示范区", "value": null } })
    );

    let before = counts(&app).await;
    let input = |extra: Value| {
        let mut base = json!({ "indicatorId": id, "year": 2030 });
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            base[k] = v;
        }
        base
    };
    let cases = [
        (input(json!({ "kind": "QUALITATIVE" })), "input.phrase"),
        (input(json!({ "kind": "QUALITATIVE", "phrase": "  " })), "input.phrase"),
        (input(json!({ "kind": "QUALITATIVE", "phrase": "建成", "value": 3 })), "input.value"),
        (input(json!({ "kind": "QUALITATIVE", "phrase": "建成", "comparator": "GTE" })), "input.comparator"),
        (
            input(json!({ "kind": "QUALITATIVE", "phrase": "建成", "comparator": "BETWEEN", "valueMax": 4 })),
            "input.valueMax",
        ),
        (input(json!({ "comparator": "GTE" })), "input.value"),
        (input(json!({ "value": 30 })), "input.comparator"),
        (input(json!({ "comparator": "GTE", "value": 30, "phrase": "建成" })), "input.phrase"),
        (input(json!({ "kind": "STANDING", "comparator": "GTE", "value": 30 })), "input.kind"),
    ];
    for (input, field) in cases {
        let body = app.graphql_as(&token, SET_WORDS, json!({ "input": input })).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{input}: {body:#}");
        assert!(fields(&body).contains(&field.to_owned()), "{input}: {body:#}");
    }
    assert_eq!(counts(&app).await, before, "no refusal wrote anything");

    // A figure replaces the words of its year: the target becomes BY_YEAR and loses its phrase.
    let figure = json!({ "indicatorId": id, "year": 2025, "comparator": "GTE", "value": 30, "expectedVersion": 1 });
    let body = app.graphql_as(&token, SET_WORDS, json!({ "input": figure })).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let t = &body["data"]["setTarget"]["target"];
    assert_eq!((&t["kind"], &t["phrase"], &t["value"]), (&json!("BY_YEAR"), &Value::Null, &json!(30.0)));
    let data = app.data_as(&token, progress, json!({ "id": id })).await;
    assert_eq!(data["node"]["progress"]["status"], "OFF_TRACK", "{data:#}");
}

const SET_WORDS: &str = "mutation($input: SetTargetInput!) {
  setTarget(input: $input) { target { kind year phrase comparator value valueMax version } } }";
const RECORD_ACTUAL: &str = "mutation($input: RecordActualInput!) { recordActual(input: $input) { actual { id } } }";
