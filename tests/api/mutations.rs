//! Writes through the API: the bureau's walkthrough, revisions, concurrency,
//! idempotency and the audit trail.

use crate::helpers::{TestApp, error_code, spawn_app};
use serde_json::{Value, json};
use xietong::access::Role;

/// The Jinghai task with the 280万千瓦 renewable capacity target: LEAD 静海区发展改革委,
/// SUPPORT 静海区城市管理委, 国网天津静海供电有限公司, 静海区各乡镇园区.
async fn renewable_task(app: &TestApp) -> (String, i64, String) {
    let data = app
        .data(
            r#"{ indicators(filter: {regionCode: "120118", search: "可再生能源电力装机容量"}) { nodes { id task { id version } } } }"#,
            json!({}),
        )
        .await;
    let node = &data["indicators"]["nodes"][0];
    (
        node["task"]["id"].as_str().expect("task").to_owned(),
        node["task"]["version"].as_i64().expect("version"),
        node["id"].as_str().expect("indicator").to_owned(),
    )
}

async fn change_count(app: &TestApp) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    entity::change::Entity::find().count(&app.db).await.expect("count changes")
}

const REPORT: &str = "mutation($input: ReportProgressInput!) { reportProgress(input: $input) {
    report { id period status percent narrative department { name } } task { id status version } } }";

#[tokio::test]
async fn a_bureau_reports_progress_on_its_own_task_and_sees_it_in_changes() {
    let app = spawn_app().await;
    let (task_id, version, _) = renewable_task(&app).await;
    let bureau = app.token("静海区发展改革委", Role::Bureau).await;
    let input = json!({ "taskId": task_id, "period": "2024-Q3", "status": "IN_PROGRESS", "percent": 60,
                        "narrative": "新增光伏并网 12 万千瓦", "idempotencyKey": "jh-drc-2024q3" });
    let body = app.graphql_as(&bureau, REPORT, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let payload = &body["data"]["reportProgress"];
    assert_eq!(payload["report"]["department"]["name"], "静海区发展改革委");
    assert_eq!(payload["task"]["status"], "IN_PROGRESS", "the LEAD's report sets the task's status");
    assert_eq!(payload["task"]["version"].as_i64(), Some(version + 1));

    let changes = app
        .graphql_as(
            &bureau,
            "{ changes(filter: {entity: PROGRESS_REPORT}, last: 5) { totalCount nodes {
                entity action actorSubject actorRole actorDepartment { name } after } } }",
            json!({}),
        )
        .await;
    let nodes = changes["data"]["changes"]["nodes"].as_array().expect("changes");
    assert_eq!(nodes.len(), 1, "{changes:#}");
    assert_eq!(nodes[0]["action"], "REPORT_PROGRESS");
    assert_eq!(nodes[0]["actorRole"], "BUREAU");
    assert_eq!(nodes[0]["actorDepartment"]["name"], "静海区发展改革委");
    assert_eq!(nodes[0]["after"]["percent"], 60);
}

#[tokio::test]
async fn a_bureau_is_refused_on_a_task_that_is_not_its_own_and_nothing_changes() {
    let app = spawn_app().await;
    let nankai = app
        .data(
            r#"{ tasks(filter: {regionCode: "120104", kind: TASK}, first: 1) { nodes { id status version } } }"#,
            json!({}),
        )
        .await;
    let task = &nankai["tasks"]["nodes"][0];
    let bureau = app.token("静海区发展改革委", Role::Bureau).await;
    let before = change_count(&app).await;
    let input = json!({ "taskId": task["id"], "period": "2024", "status": "IN_PROGRESS", "narrative": "x" });
    let body = app.graphql_as(&bureau, REPORT, json!({ "input": input })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body:#}");
    assert!(body["errors"][0]["message"].as_str().unwrap_or("").contains("not assigned"));
    assert_eq!(change_count(&app).await, before, "a refused mutation writes no audit entry");
    let after = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Task { status version progressReports { totalCount nodes { id } } } } }",
            json!({ "id": task["id"] }),
        )
        .await;
    assert_eq!(after["node"]["version"], task["version"]);
    assert_eq!(after["node"]["progressReports"], json!({ "totalCount": 0, "nodes": [] }));
}

#[tokio::test]
async fn only_the_lead_may_close_a_task_and_support_reports_leave_the_status_alone() {
    let app = spawn_app().await;
    let (task_id, version, _) = renewable_task(&app).await;
    let support = app.token("静海区城市管理委", Role::Bureau).await;
    let close = json!({ "taskId": task_id, "period": "2025", "status": "COMPLETED", "narrative": "完成" });
    let body = app.graphql_as(&support, REPORT, json!({ "input": close })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body:#}");

    let contribute =
        json!({ "taskId": task_id, "period": "2025", "status": "IN_PROGRESS", "percent": 30, "narrative": "配合推进" });
    let body = app.graphql_as(&support, REPORT, json!({ "input": contribute })).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    assert_eq!(body["data"]["reportProgress"]["task"]["status"], "NOT_STARTED");
    assert_eq!(body["data"]["reportProgress"]["task"]["version"].as_i64(), Some(version));

    let lead = app.token("静海区发展改革委", Role::Bureau).await;
    let body = app.graphql_as(&lead, REPORT, json!({ "input": close })).await;
    assert_eq!(body["data"]["reportProgress"]["task"]["status"], "COMPLETED", "{body:#}");
}

const RECORD: &str = "mutation($input: RecordActualInput!) { recordActual(input: $input) {
    actual { id period value revision reason supersedesId } indicator { id } } }";

#[tokio::test]
async fn a_correction_is_a_new_revision_with_a_reason_and_nothing_is_overwritten() {
    let app = spawn_app().await;
    let (_, _, indicator_id) = renewable_task(&app).await;
    let bureau = app.token("国网天津静海供电有限公司", Role::Bureau).await;
    let first = json!({ "indicatorId": indicator_id, "period": "2024", "value": 196.5, "status": "PROVISIONAL" });
    let body = app.graphql_as(&bureau, RECORD, json!({ "input": first })).await;
    assert_eq!(body["data"]["recordActual"]["actual"]["revision"], 1, "{body:#}");
    let first_id = body["data"]["recordActual"]["actual"]["id"].clone();

    let no_reason = json!({ "indicatorId": indicator_id, "period": "2024", "value": 201.0, "status": "VERIFIED" });
    let body = app.graphql_as(&bureau, RECORD, json!({ "input": no_reason })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["fields"][0]["field"], "input.reason");

    let corrected = json!({ "indicatorId": indicator_id, "period": "2024", "value": 201.0, "status": "VERIFIED",
                            "reason": "统计局核定数" });
    let body = app.graphql_as(&bureau, RECORD, json!({ "input": corrected })).await;
    let actual = &body["data"]["recordActual"]["actual"];
    assert_eq!((actual["revision"].clone(), actual["supersedesId"].clone()), (json!(2), first_id));

    let data = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Indicator { actuals { nodes { value revision } }
                all: actuals(includeSuperseded: true) { nodes { value revision } }
                progress { latestActual { value } status share } } } }",
            json!({ "id": indicator_id }),
        )
        .await;
    assert_eq!(data["node"]["actuals"]["nodes"], json!([{ "value": 201.0, "revision": 2 }]));
    assert_eq!(
        data["node"]["all"]["nodes"],
        json!([{ "value": 196.5, "revision": 1 }, { "value": 201.0, "revision": 2 }])
    );
    assert_eq!(data["node"]["progress"]["latestActual"]["value"], 201.0);
}

#[tokio::test]
async fn the_latest_actual_is_the_latest_period_s_current_revision_after_every_write() {
    let app = spawn_app().await;
    let (_, _, indicator_id) = renewable_task(&app).await;
    let bureau = app.token("国网天津静海供电有限公司", Role::Bureau).await;
    let latest = || async {
        let query = "query($id: ID!) { node(id: $id) { ... on Indicator { progress { latestActual { period value revision } } } } }";
        app.data(query, json!({ "id": indicator_id })).await["node"]["progress"]["latestActual"].clone()
    };
    let record = |period: &str, value: f64, reason: Option<&str>| {
        json!({ "input": { "indicatorId": indicator_id, "period": period, "value": value, "status": "PROVISIONAL",
                           "reason": reason } })
    };
    // Each step: a write, then the latest actual it leaves. Periods compare byte by byte:
    // "2025" < "2025-H1"; an earlier period recorded later does not become the latest.
    let steps = [
        (record("2025", 210.0, None), json!({ "period": "2025", "value": 210.0, "revision": 1 })),
        (record("2024", 190.0, None), json!({ "period": "2025", "value": 210.0, "revision": 1 })),
        (record("2025", 215.0, Some("统计局核定数")), json!({ "period": "2025", "value": 215.0, "revision": 2 })),
        (record("2025-H1", 100.0, None), json!({ "period": "2025-H1", "value": 100.0, "revision": 1 })),
        (record("2024", 191.0, Some("更正")), json!({ "period": "2025-H1", "value": 100.0, "revision": 1 })),
    ];
    for (input, expected) in steps {
        let body = app.graphql_as(&bureau, RECORD, input.clone()).await;
        assert!(body.get("errors").is_none(), "{input}: {body:#}");
        assert_eq!(latest().await, expected, "after {input}");
    }
    // A refused write changes nothing.
    let body = app.graphql_as(&bureau, RECORD, record("2026-13", 1.0, None)).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body:#}");
    assert_eq!(latest().await, json!({ "period": "2025-H1", "value": 100.0, "revision": 1 }));
    let stale = xietong::service::latest_actuals::discrepancies(&app.db).await.expect("recompute");
    assert!(stale.is_empty(), "stored latest actuals differ from the actuals (seed and writes): {stale:#?}");
}

#[tokio::test]
async fn the_migration_that_keeps_latest_actuals_fills_them_from_the_actuals_already_stored() {
    use migration::MigratorTrait;
    use sea_orm::{EntityTrait, PaginatorTrait};
    let app = spawn_app().await;
    // Back to the schema before the table existed (it is the last migration; the seeded actuals
    // stay), then forward again.
    migration::Migrator::down(&app.db, Some(1)).await.expect("migrate down one step");
    migration::Migrator::up(&app.db, None).await.expect("migrate up");
    let rows = entity::indicator_latest_actual::Entity::find().count(&app.db).await.expect("count");
    assert!(rows > 0, "the seeded dataset has indicators with actuals");
    let stale = xietong::service::latest_actuals::discrepancies(&app.db).await.expect("recompute");
    assert!(stale.is_empty(), "{stale:#?}");
}

#[tokio::test]
async fn bad_input_is_refused_naming_each_field_and_writes_nothing() {
    let app = spawn_app().await;
    let (task_id, _, _) = renewable_task(&app).await;
    let bureau = app.token("静海区发展改革委", Role::Bureau).await;
    let before = change_count(&app).await;
    let input = json!({ "taskId": task_id, "period": "2024-13", "status": "IN_PROGRESS", "percent": 101,
                        "narrative": "x".repeat(20_001) });
    let body = app.graphql_as(&bureau, REPORT, json!({ "input": input })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    let fields: Vec<&str> = body["errors"][0]["extensions"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["input.period", "input.percent", "input.narrative"]);
    assert_eq!(change_count(&app).await, before);
}

#[tokio::test]
async fn anonymous_and_reader_callers_may_not_write() {
    let app = spawn_app().await;
    let (task_id, _, _) = renewable_task(&app).await;
    let input = json!({ "taskId": task_id, "period": "2024", "status": "IN_PROGRESS", "narrative": "x" });
    let body = app.graphql(REPORT, json!({ "input": input })).await;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    let reader = app.token("静海区发展改革委", Role::Reader).await;
    let body = app.graphql_as(&reader, REPORT, json!({ "input": input })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
}

const UPDATE_TASK: &str =
    "mutation($input: UpdateTaskInput!) { updateTask(input: $input) { task { id title version } } }";

#[tokio::test]
async fn concurrent_updates_with_one_version_let_exactly_one_win() {
    let app = spawn_app().await;
    let (task_id, version, _) = renewable_task(&app).await;
    let coordinator = app.token("天津市人民政府", Role::Coordinator).await;
    let before = change_count(&app).await;
    let attempts = (0..12).map(|i| {
        let input = json!({ "id": task_id, "expectedVersion": version, "title": format!("标题 {i}") });
        let (app, token) = (&app, &coordinator);
        async move { app.graphql_as(token, UPDATE_TASK, json!({ "input": input })).await }
    });
    let results = futures_util::future::join_all(attempts).await;
    let wins = results.iter().filter(|b| b.get("errors").is_none()).count();
    let conflicts: Vec<&Value> = results.iter().filter(|b| error_code(b) == Some("CONFLICT")).collect();
    assert_eq!(wins, 1, "{results:#?}");
    assert_eq!(conflicts.len(), 11, "{results:#?}");
    assert_eq!(conflicts[0]["errors"][0]["extensions"]["currentVersion"].as_i64(), Some(version + 1));
    assert_eq!(change_count(&app).await, before + 1, "exactly one audit entry");
}

#[tokio::test]
async fn a_coordinator_of_another_district_may_not_change_jinghai() {
    let app = spawn_app().await;
    let (task_id, version, _) = renewable_task(&app).await;
    let nankai = app.token("南开区人民政府", Role::Coordinator).await;
    let before = change_count(&app).await;
    let input = json!({ "id": task_id, "expectedVersion": version, "title": "改" });
    let body = app.graphql_as(&nankai, UPDATE_TASK, json!({ "input": input })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body:#}");
    assert_eq!(change_count(&app).await, before);
    let jinghai = app.token("静海区人民政府", Role::Coordinator).await;
    let body = app.graphql_as(&jinghai, UPDATE_TASK, json!({ "input": input })).await;
    assert_eq!(body["data"]["updateTask"]["task"]["version"].as_i64(), Some(version + 1), "{body:#}");
}

#[tokio::test]
async fn the_same_report_sent_twice_at_once_is_recorded_once() {
    let app = spawn_app().await;
    let (_, _, indicator_id) = renewable_task(&app).await;
    let bureau = app.token("静海区发展改革委", Role::Bureau).await;
    let input =
        json!({ "indicatorId": indicator_id, "period": "2024-06", "value": 150.0, "idempotencyKey": "retry-1" });
    let send = || app.graphql_as(&bureau, RECORD, json!({ "input": input }));
    let (a, b) = tokio::join!(send(), send());
    let id_a = a["data"]["recordActual"]["actual"]["id"].clone();
    assert!(id_a.is_string(), "{a:#}");
    assert_eq!(id_a, b["data"]["recordActual"]["actual"]["id"], "{b:#}");
    let data = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Indicator { actuals(includeSuperseded: true) { nodes { id } } } } }",
            json!({ "id": indicator_id }),
        )
        .await;
    assert_eq!(data["node"]["actuals"]["nodes"].as_array().map(Vec::len), Some(1));

    let other =
        json!({ "indicatorId": indicator_id, "period": "2024-06", "value": 999.0, "idempotencyKey": "retry-1" });
    let body = app.graphql_as(&bureau, RECORD, json!({ "input": other })).await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "a reused key with other input is refused: {body:#}");
}

#[tokio::test]
async fn audit_verify_passes_on_a_clean_trail_and_names_an_altered_row() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    let (task_id, version, indicator_id) = renewable_task(&app).await;
    let coordinator = app.token("静海区人民政府", Role::Coordinator).await;
    for (i, title) in ["一", "二", "三"].iter().enumerate() {
        let input = json!({ "id": task_id, "expectedVersion": version + i as i64, "title": title });
        let body = app.graphql_as(&coordinator, UPDATE_TASK, json!({ "input": input })).await;
        assert!(body.get("errors").is_none(), "{body:#}");
    }
    let input = json!({ "indicatorId": indicator_id, "period": "2024", "value": 1.0 });
    app.data_as(&coordinator, RECORD, json!({ "input": input })).await;
    let clean = xietong::service::audit::verify(&app.db).await.expect("verify");
    assert_eq!((clean.checked, clean.first_broken), (4, None));

    app.db
        .execute_unprepared(r#"UPDATE "change" SET "actor_subject" = 'someone-else' WHERE "seq" = 2"#)
        .await
        .expect("tamper");
    let tampered = xietong::service::audit::verify(&app.db).await.expect("verify");
    assert_eq!(tampered.first_broken.map(|b| b.0), Some(2));
}

#[tokio::test]
async fn an_idempotency_key_never_replays_another_callers_result() {
    let app = spawn_app().await;
    // Both tokens carry the same subject ("test-user"); only department and role differ.
    let jinghai = app.token("静海区人民政府", Role::Coordinator).await;
    let beijing = app.token("通州区生态环境局", Role::Bureau).await;
    let region = app.data(r#"{ regions(filter: {code: "120118"}) { nodes { id } } }"#, json!({})).await["regions"]["nodes"][0]
        ["id"]
        .clone();
    let create = "mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id title } } }";
    let input = json!({ "title": "内部工作方案", "regionId": region, "kind": "ACTION_PLAN", "sharingClass": "NOT_SHARED",
                        "legalBasis": "《政务数据共享条例》", "idempotencyKey": "same-key" });
    let first = app.graphql_as(&jinghai, create, json!({ "input": input })).await;
    assert!(first["data"]["createPlan"]["plan"]["id"].is_string(), "{first:#}");
    let replayed = app.graphql_as(&beijing, create, json!({ "input": input })).await;
    assert_eq!(error_code(&replayed), Some("FORBIDDEN"), "{replayed:#}");
    assert!(replayed["data"].is_null() || replayed["data"]["createPlan"].is_null());
    let again = app.graphql_as(&jinghai, create, json!({ "input": input })).await;
    assert_eq!(again["data"]["createPlan"]["plan"]["id"], first["data"]["createPlan"]["plan"]["id"]);
}

#[tokio::test]
async fn a_report_with_a_stale_expected_version_is_a_conflict_and_changes_nothing() {
    let app = spawn_app().await;
    let (task_id, version, _) = renewable_task(&app).await;
    let bureau = app.token("静海区发展改革委", Role::Bureau).await;
    let first = json!({ "taskId": task_id, "period": "2024-Q3", "status": "IN_PROGRESS",
                        "narrative": "first", "expectedVersion": version, "idempotencyKey": "ev-1" });
    let body = app.graphql_as(&bureau, REPORT, json!({ "input": first })).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    // Sent again (a resubmitted form): the first answer, not a conflict, though the version moved.
    let again = app.graphql_as(&bureau, REPORT, json!({ "input": first })).await;
    assert_eq!(again["data"]["reportProgress"]["report"]["id"], body["data"]["reportProgress"]["report"]["id"]);

    let changes_before = change_count(&app).await;
    let stale = json!({ "taskId": task_id, "period": "2024-Q4", "status": "DELAYED",
                        "narrative": "second", "expectedVersion": version, "idempotencyKey": "ev-2" });
    let refused = app.graphql_as(&bureau, REPORT, json!({ "input": stale })).await;
    assert_eq!(error_code(&refused), Some("CONFLICT"), "{refused:#}");
    assert_eq!(refused["errors"][0]["extensions"]["currentVersion"].as_i64(), Some(version + 1));
    assert_eq!(change_count(&app).await, changes_before, "a refused report writes nothing");
    let task = app
        .data("query($id: ID!) { node(id: $id) { ... on Task { status version } } }", json!({ "id": task_id }))
        .await;
    assert_eq!(task["node"]["status"], "IN_PROGRESS");
}
