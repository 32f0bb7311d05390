//! Attacks of issue 8 items 5 and 6, each against the real server on SQLite
//! and (with `DATABASE_URL`) PostgreSQL: the caller's fault gets the caller's
//! code and changes nothing, and the rules have no holes.

use crate::helpers::{TEST_JWT_SECRET, TestApp, error_code, spawn_app, spawn_app_with_auth, test_auth};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::enums::{AssignmentRole, SharingClass, TaskStatus};
use entity::{access_grant, change, department, indicator, plan, progress_report, region, task, task_assignment};
use jsonwebtoken::{EncodingKey, Header};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use xietong::access::Role;
use xietong::ids::{NodeKind, to_global};

const ADMIN: &str = "天津市发展改革委";
const LEAD: &str = "静海区发展改革委";

fn gid(kind: NodeKind, id: &str) -> String {
    to_global(kind, id).0
}

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

async fn dept(app: &TestApp, name: &str) -> department::Model {
    xietong::service::departments::resolve_department(&app.db, name).await.expect("department")
}

/// A token signed with the test secret from `claims`.
fn sign(claims: &Value) -> String {
    jsonwebtoken::encode(&Header::default(), claims, &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()))
        .expect("sign")
}

/// Valid claims of a BUREAU of `dept_gid`, for each case to alter.
fn claims(dept_gid: &str, jti: &str) -> Value {
    json!({
        "sub": "mallory", "dept": dept_gid, "role": "BUREAU", "client": "probe", "jti": jti,
        "iat": now(), "exp": now() + 3600, "iss": "xietong", "aud": "xietong",
    })
}

async fn change_count(app: &TestApp) -> u64 {
    change::Entity::find().count(&app.db).await.expect("count changes")
}

/// Asserts the response is a BAD_USER_INPUT (no 5xx) naming `field`.
fn assert_bad_input(status: reqwest::StatusCode, body: &Value, field: &str, case: &str) {
    assert!(status.as_u16() < 500, "{case}: status {status}: {body}");
    assert_eq!(error_code(body), Some("BAD_USER_INPUT"), "{case}: {body}");
    let named = body["errors"][0]["extensions"]["fields"][0]["field"].as_str().unwrap_or_default().to_owned();
    let message = body["errors"][0]["message"].as_str().unwrap_or_default().to_owned();
    assert!(named.contains(field) || message.contains(field), "{case}: {field} is not named: {body}");
}

// ------------------------------------------------------------------ item 5

#[tokio::test]
async fn control_characters_in_any_string_input_are_bad_user_input_and_change_nothing() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN, Role::Admin).await;
    let lead = app.token(LEAD, Role::Bureau).await;
    let task = task::Entity::find().order_by_asc(task::Column::DocOrder).one(&app.db).await.unwrap().expect("task");
    let task_gid = gid(NodeKind::Task, &task.id);
    let before = change_count(&app).await;
    let auth = |t: &str| Some(format!("Bearer {t}"));
    #[rustfmt::skip]
    let cases: Vec<(&str, Option<String>, String, Value, &str)> = vec![
        ("search literal", None, r#"{ tasks(filter: { search: "a\u0000b" }) { totalCount } }"#.into(), json!({}), "filter.search"),
        ("search variable", None, "query($s: String) { plans(filter: { search: $s }) { totalCount } }".into(), json!({ "s": "x\u{0}" }), "$s"),
        ("regionCode", None, "query($f: PlanFilter) { plans(filter: $f) { totalCount } }".into(), json!({ "f": { "regionCode": "1201\u{1}18" } }), "$f.regionCode"),
        ("node id", None, r#"{ node(id: "UGxhbjp4\u0000") { id } }"#.into(), json!({}), "id"),
        ("cursor", None, "query($c: String) { tasks(after: $c) { totalCount } }".into(), json!({ "c": "\u{1b}[2J" }), "$c"),
        ("narrative", auth(&lead),
            "mutation($i: ReportProgressInput!) { reportProgress(input: $i) { report { id } } }".into(),
            json!({ "i": { "taskId": task_gid, "period": "2025", "status": "IN_PROGRESS", "narrative": "done\u{0}" } }), "$i.narrative"),
        ("idempotencyKey", auth(&lead),
            "mutation($i: ReportProgressInput!) { reportProgress(input: $i) { report { id } } }".into(),
            json!({ "i": { "taskId": task_gid, "period": "2025", "status": "IN_PROGRESS", "narrative": "ok", "idempotencyKey": "k\u{7f}" } }), "$i.idempotencyKey"),
        ("jti", auth(&admin), r#"mutation { revokeToken(input: { jti: "a\u0000b" }) { jti } }"#.into(), json!({}), "input.jti"),
        ("title", auth(&admin),
            format!(r#"mutation {{ updateTask(input: {{ id: "{task_gid}", expectedVersion: {}, title: "t\u0008" }}) {{ task {{ id }} }} }}"#, task.version),
            json!({}), "input.title"),
        ("directive argument", None, r#"query { viewer @include(if: true) { role } ...F } fragment F on Query { plans(filter: { search: "\u0002" }) { totalCount } }"#.into(), json!({}), "filter.search"),
    ];
    for (case, authorization, query, variables, field) in cases {
        let (status, body) = app.post_graphql(authorization.as_deref(), &query, variables).await;
        assert_bad_input(status, &body, field, case);
    }
    // Tabs and line breaks are text.
    let body = app.graphql(r#"{ tasks(filter: { search: "a\tb\r\nc" }) { totalCount } }"#, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(change_count(&app).await, before, "a refused request changed something");
}

#[tokio::test]
async fn control_characters_in_token_claims_are_401() {
    let app = spawn_app().await;
    let dept_gid = gid(NodeKind::Department, &dept(&app, LEAD).await.id);
    for claim in ["jti", "sub", "client", "role", "dept"] {
        for bad in ["a\u{0}b", "a\u{1}b", "\u{7f}"] {
            let mut c = claims(&dept_gid, &uuid::Uuid::new_v4().to_string());
            c[claim] = json!(bad);
            let (status, body) =
                app.post_graphql(Some(&format!("Bearer {}", sign(&c))), "{ viewer { role } }", json!({})).await;
            assert_eq!(status, 401, "{claim}={bad:?}: {body}");
            assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{claim}={bad:?}: {body}");
        }
    }
}

#[tokio::test]
async fn over_long_search_text_is_bad_user_input() {
    let app = spawn_app().await;
    for list in ["tasks", "plans", "indicators", "regions", "departments"] {
        let query = format!("query($s: String) {{ {list}(filter: {{ search: $s }}) {{ totalCount }} }}");
        let (status, body) = app.post_graphql(None, &query, json!({ "s": "%".repeat(50_000) })).await;
        assert!(status.as_u16() < 500, "{list}: {status}");
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{list}: {body}");
        // The cap is in characters: 200 Chinese characters are allowed.
        let body = app.graphql(&query, json!({ "s": "静".repeat(200) })).await;
        assert!(body.get("errors").is_none(), "{list}: {body}");
    }
}

/// The first page's end cursor of `list` in `order` (a GraphQL literal or "").
async fn end_cursor(app: &TestApp, list: &str, order: &str) -> String {
    let args = if order.is_empty() { "first: 2".to_owned() } else { format!("first: 2, orderBy: {order}") };
    let data = app.data(&format!("{{ {list}({args}) {{ pageInfo {{ endCursor }} }} }}"), json!({})).await;
    data[list]["pageInfo"]["endCursor"].as_str().expect("a cursor").to_owned()
}

#[tokio::test]
async fn cursors_from_another_list_or_order_or_forged_are_bad_user_input() {
    let app = spawn_app().await;
    let task_cursor = end_cursor(&app, "tasks", "").await;
    // Stable and opaque: the same page gives the same cursor.
    assert_eq!(task_cursor, end_cursor(&app, "tasks", "").await);
    let page = |cursor: &str| json!({ "c": cursor });
    let next =
        app.graphql("query($c: String) { tasks(first: 2, after: $c) { nodes { id } } }", page(&task_cursor)).await;
    assert!(next.get("errors").is_none(), "{next}");

    let plan_cursor = end_cursor(&app, "plans", "").await;
    let desc_cursor = end_cursor(&app, "tasks", "{ field: DOCUMENT_ORDER, direction: DESC }").await;
    let due_cursor = end_cursor(&app, "tasks", "{ field: DUE_YEAR }").await;
    let change_cursor = xietong::service::page::encode(xietong::service::page::SortValue::Int(1), "x");
    let forged = |v: Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(&v).expect("json"));
    let cases = [
        ("a plans cursor", plan_cursor.clone()),
        ("a descending cursor", desc_cursor),
        ("a due-year cursor", due_cursor),
        ("a change-feed cursor", change_cursor),
        ("forged: a number where text is compared", forged(json!(["Task.docOrder:asc", 5, "x"]))),
        ("forged: NUL in the value", forged(json!(["Task.docOrder:asc", "a\u{0}", "x"]))),
        ("forged: NUL in the ID", forged(json!(["Task.docOrder:asc", "a", "x\u{0}"]))),
        ("forged: untagged", forged(json!(["a", "b"]))),
        ("forged: a float", forged(json!(["Task.docOrder:asc", 1.5, "x"]))),
        ("forged: garbage", "!!!".to_owned()),
    ];
    for (case, cursor) in &cases {
        for (field, query) in [
            ("after", "query($c: String) { tasks(first: 2, after: $c) { nodes { id } } }"),
            ("before", "query($c: String) { tasks(last: 2, before: $c) { nodes { id } } }"),
            (
                "after",
                "query($c: String) { plans(first: 1) { nodes { tasks(first: 2, after: $c) { nodes { id } } } } }",
            ),
        ] {
            let (status, body) = app.post_graphql(None, query, page(cursor)).await;
            assert!(status.as_u16() < 500, "{case}: {status}");
            assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{case} as {field} of {query}: {body}");
        }
    }
    // A tasks cursor in the change feed (integer sequence) is refused too.
    let body = app.graphql("query($c: String) { changes(after: $c) { totalCount } }", page(&task_cursor)).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let body = app.graphql("query($c: String) { plans(after: $c) { totalCount } }", page(&plan_cursor)).await;
    assert!(body.get("errors").is_none(), "{body}");
}

#[tokio::test]
async fn dates_past_the_year_9999_are_refused() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN, Role::Admin).await;
    let plan = plan::Entity::find().one(&app.db).await.unwrap().expect("plan");
    let holder = dept(&app, "南开区发展改革委").await;
    let grant = "mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename } }";
    for expires in ["+10000-01-01T00:00:00Z", "+99999-12-31T23:59:59Z"] {
        let input = json!({ "i": {
            "planId": gid(NodeKind::Plan, &plan.id), "departmentId": gid(NodeKind::Department, &holder.id), "expiresAt": expires,
        } });
        let (status, body) = app.post_graphql(Some(&format!("Bearer {admin}")), grant, input).await;
        assert!(status.as_u16() < 500, "{expires}: {status}");
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{expires}: {body}");
    }
    assert_eq!(
        access_grant::Entity::find()
            .filter(access_grant::Column::DepartmentId.eq(holder.id.clone()))
            .count(&app.db)
            .await
            .unwrap(),
        0
    );
    let body =
        app.graphql(r#"{ changes(filter: { since: "+10000-01-01T00:00:00Z" }) { totalCount } }"#, json!({})).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let body = app
        .graphql_as(
            &admin,
            r#"mutation { updatePlan(input: { id: "x", expectedVersion: 1, issuedOn: "+10000-01-01" }) { __typename } }"#,
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
}

#[tokio::test]
async fn a_locked_sqlite_database_is_service_unavailable() {
    // SQLite's database lock; PostgreSQL has row locks and no busy timeout.
    if !crate::helpers::runs_on(
        crate::helpers::Store::Sqlite,
        "hostile_inputs::a_locked_sqlite_database_is_service_unavailable",
    ) {
        return;
    }
    let app = spawn_app().await;
    let lead = app.token(LEAD, Role::Bureau).await;
    let task = task::Entity::find().one(&app.db).await.unwrap().expect("task");
    // Another process holds the write lock past the server's busy timeout.
    let other = sea_orm::Database::connect(&app.database_url).await.expect("second connection");
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let txn = other.begin().await.expect("begin");
    txn.execute_unprepared("UPDATE region SET version = version").await.expect("take the write lock");
    let input = json!({ "i": { "taskId": gid(NodeKind::Task, &task.id), "period": "2025", "status": "IN_PROGRESS", "narrative": "x" } });
    let (status, body) = app
        .post_graphql(
            Some(&format!("Bearer {lead}")),
            "mutation($i: ReportProgressInput!) { reportProgress(input: $i) { report { id } } }",
            input,
        )
        .await;
    txn.rollback().await.expect("rollback");
    assert!(status.as_u16() == 503 || status.as_u16() < 500, "{status}: {body}");
    assert_eq!(error_code(&body), Some("SERVICE_UNAVAILABLE"), "{body}");
}

// ------------------------------------------------------------------ item 6

#[tokio::test]
async fn no_report_reopens_an_archived_task() {
    let app = spawn_app().await;
    let lead = dept(&app, LEAD).await;
    let assignment = task_assignment::Entity::find()
        .filter(task_assignment::Column::DepartmentId.eq(lead.id.clone()))
        .filter(task_assignment::Column::Role.eq(AssignmentRole::Lead))
        .one(&app.db)
        .await
        .unwrap()
        .expect("a task led by the bureau");
    let found = task::Entity::find_by_id(assignment.task_id.clone()).one(&app.db).await.unwrap().expect("task");
    let task_gid = gid(NodeKind::Task, &found.id);
    let coordinator = app.token("静海区人民政府", Role::Coordinator).await;
    let archived = app
        .graphql_as(
            &coordinator,
            "mutation($i: ArchiveTaskInput!) { archiveTask(input: $i) { task { status } } }",
            json!({ "i": { "id": task_gid, "expectedVersion": found.version } }),
        )
        .await;
    assert_eq!(archived["data"]["archiveTask"]["task"]["status"], "ARCHIVED", "{archived}");
    let reports = progress_report::Entity::find().count(&app.db).await.unwrap();

    for (token, status) in [
        (app.token(LEAD, Role::Bureau).await, "IN_PROGRESS"),
        (app.token(LEAD, Role::Bureau).await, "COMPLETED"),
        (coordinator.clone(), "IN_PROGRESS"),
    ] {
        let body = app
            .graphql_as(
                &token,
                "mutation($i: ReportProgressInput!) { reportProgress(input: $i) { task { status } } }",
                json!({ "i": { "taskId": task_gid, "period": "2025", "status": status, "narrative": "reopen" } }),
            )
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{status}: {body}");
    }
    let after = task::Entity::find_by_id(found.id.clone()).one(&app.db).await.unwrap().expect("task");
    assert_eq!(after.status, TaskStatus::Archived);
    assert_eq!(progress_report::Entity::find().count(&app.db).await.unwrap(), reports);
}

/// Length of the chains of the cycle tests: past any fixed walk of 64 steps.
const CHAIN: usize = 72;

#[tokio::test]
async fn cycles_of_any_length_are_refused_for_tasks_regions_departments_and_indicators() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN, Role::Admin).await;
    let send = |query: &'static str, input: Value| {
        let admin = admin.clone();
        let app = &app;
        async move { app.graphql_as(&admin, query, json!({ "i": input })).await }
    };

    // Tasks: t0 ← t1 ← … ← t71 (each under the previous one).
    let seed = task::Entity::find().one(&app.db).await.unwrap().expect("task");
    let mut tasks: Vec<task::Model> = Vec::new();
    for i in 0..CHAIN {
        let mut model = seed.clone();
        model.id = uuid::Uuid::new_v4().to_string();
        model.parent_id = tasks.last().map(|t| t.id.clone());
        model.code = format!("chain.{i}");
        model.doc_order = format!("{}:chain{i:04}", seed.plan_id);
        model.version = 1;
        tasks.push(model.clone().into_active_model().reset_all().insert(&app.db).await.expect("insert task"));
    }
    let body = send(
        "mutation($i: MoveTaskInput!) { moveTask(input: $i) { task { id } } }",
        json!({ "id": gid(NodeKind::Task, &tasks[0].id), "expectedVersion": 1, "parentId": gid(NodeKind::Task, &tasks[CHAIN - 1].id) }),
    )
    .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "tasks: {body}");
    let root = task::Entity::find_by_id(tasks[0].id.clone()).one(&app.db).await.unwrap().expect("task");
    assert_eq!(root.parent_id, None, "the refused move changed the tree");

    // Regions: r0 ← r1 ← … ← r71.
    let top = region::Entity::find().one(&app.db).await.unwrap().expect("region");
    let mut regions: Vec<region::Model> = Vec::new();
    for i in 0..CHAIN {
        let mut model = top.clone();
        model.id = uuid::Uuid::new_v4().to_string();
        model.code = None;
        model.name = format!("链{i}");
        model.parent_id = Some(regions.last().map_or(top.id.clone(), |r| r.id.clone()));
        model.version = 1;
        regions.push(model.into_active_model().reset_all().insert(&app.db).await.expect("insert region"));
    }
    let body = send(
        "mutation($i: UpdateRegionInput!) { updateRegion(input: $i) { region { id } } }",
        json!({ "id": gid(NodeKind::Region, &regions[0].id), "expectedVersion": 1, "parentId": gid(NodeKind::Region, &regions[CHAIN - 1].id) }),
    )
    .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "regions: {body}");
    let first = region::Entity::find_by_id(regions[0].id.clone()).one(&app.db).await.unwrap().expect("region");
    assert_eq!(first.parent_id, Some(top.id.clone()));

    // Departments: d0 ← d1 ← … ← d71.
    let unit = dept(&app, LEAD).await;
    let mut departments: Vec<department::Model> = Vec::new();
    for i in 0..CHAIN {
        let mut model = unit.clone();
        model.id = uuid::Uuid::new_v4().to_string();
        model.name = format!("链式单位{i}");
        model.parent_id = departments.last().map(|d| d.id.clone());
        model.version = 1;
        departments.push(model.into_active_model().reset_all().insert(&app.db).await.expect("insert department"));
    }
    let body = send(
        "mutation($i: UpdateDepartmentInput!) { updateDepartment(input: $i) { department { id } } }",
        json!({ "id": gid(NodeKind::Department, &departments[0].id), "expectedVersion": 1, "parentId": gid(NodeKind::Department, &departments[CHAIN - 1].id) }),
    )
    .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "departments: {body}");
    let first = department::Entity::find_by_id(departments[0].id.clone()).one(&app.db).await.unwrap().expect("d");
    assert_eq!(first.parent_id, None);

    // Indicators: i0 → i1 → … → i71 (each contributes to the next).
    let seed = indicator::Entity::find().one(&app.db).await.unwrap().expect("indicator");
    let ids: Vec<String> = (0..CHAIN).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    for (i, id) in ids.iter().enumerate().rev() {
        let mut model = seed.clone();
        model.id = id.clone();
        model.name = format!("链式指标{i}");
        model.doc_order = format!("{}:chain{i:04}", seed.plan_id);
        model.contributes_to_id = ids.get(i + 1).cloned();
        model.version = 1;
        model.into_active_model().reset_all().insert(&app.db).await.expect("insert indicator");
    }
    let body = send(
        "mutation($i: UpdateIndicatorInput!) { updateIndicator(input: $i) { indicator { id } } }",
        json!({ "id": gid(NodeKind::Indicator, &ids[CHAIN - 1]), "expectedVersion": 1, "contributesToId": gid(NodeKind::Indicator, &ids[0]) }),
    )
    .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "indicators: {body}");
    let last = indicator::Entity::find_by_id(ids[CHAIN - 1].clone()).one(&app.db).await.unwrap().expect("i");
    assert_eq!(last.contributes_to_id, None);
}

#[tokio::test]
async fn a_hidden_task_or_plan_hides_what_hangs_under_it_and_its_ids_in_change_payloads() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN, Role::Admin).await;
    // A PUBLIC plan's task with children, made NOT_SHARED.
    let public_plans: Vec<String> = plan::Entity::find()
        .filter(plan::Column::SharingClass.eq(SharingClass::Public))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    let children = task::Entity::find()
        .filter(task::Column::PlanId.is_in(public_plans.clone()))
        .filter(task::Column::ParentId.is_not_null())
        .filter(task::Column::SharingClass.is_null())
        .order_by_asc(task::Column::DocOrder)
        .all(&app.db)
        .await
        .unwrap();
    let child = children.first().expect("a child task in a PUBLIC plan").clone();
    let parent_id = child.parent_id.clone().expect("parent");
    let mut hidden =
        task::Entity::find_by_id(parent_id.clone()).one(&app.db).await.unwrap().expect("parent").into_active_model();
    hidden.sharing_class = sea_orm::ActiveValue::Set(Some(SharingClass::NotShared));
    hidden.update(&app.db).await.expect("hide the parent");
    // An indicator of the child, PUBLIC by its own class.
    let mut measure = indicator::Entity::find().one(&app.db).await.unwrap().expect("indicator").into_active_model();
    measure.task_id = sea_orm::ActiveValue::Set(Some(child.id.clone()));
    measure.plan_id = sea_orm::ActiveValue::Set(child.plan_id.clone());
    measure.sharing_class = sea_orm::ActiveValue::Set(Some(SharingClass::Public));
    let measure = measure.update(&app.db).await.expect("attach the indicator");

    let child_gid = gid(NodeKind::Task, &child.id);
    let parent_gid = gid(NodeKind::Task, &parent_id);
    let missing_gid = gid(NodeKind::Task, &uuid::Uuid::new_v4().to_string());
    let reader = app.token("天津市生态环境局", Role::Reader).await;
    let probe = "query($c: ID!, $m: ID!, $p: ID!, $x: ID!) {
        child: node(id: $c) { id } measure: node(id: $m) { id }
        under: tasks(filter: { parentId: $p }) { totalCount } underMissing: tasks(filter: { parentId: $x }) { totalCount }
        of: indicators(filter: { taskId: $p }) { totalCount } ofChild: indicators(filter: { taskId: $c }) { totalCount }
        ofMissing: indicators(filter: { taskId: $x }) { totalCount } }";
    let vars = json!({ "c": child_gid, "m": gid(NodeKind::Indicator, &measure.id), "p": parent_gid, "x": missing_gid });
    for (who, body) in [
        ("anonymous", app.graphql(probe, vars.clone()).await),
        ("reader", app.graphql_as(&reader, probe, vars.clone()).await),
    ] {
        assert!(body.get("errors").is_none(), "{who}: {body}");
        let data = &body["data"];
        assert_eq!(data["child"], Value::Null, "{who}: a child of a hidden task is visible");
        assert_eq!(data["measure"], Value::Null, "{who}: an indicator under a hidden task is visible");
        assert_eq!(data["under"], data["underMissing"], "{who}: parentId confirms the hidden task");
        assert_eq!(data["of"], data["ofMissing"], "{who}: taskId confirms the hidden task");
        assert_eq!(data["ofChild"]["totalCount"], 0, "{who}");
    }
    // The admin still sees everything.
    let body = app.graphql_as(&admin, probe, vars.clone()).await;
    assert_eq!(body["data"]["child"]["id"], child_gid, "{body}");

    // Moving the child out from under the hidden task makes it visible; its
    // MOVE entry must not carry the hidden parent's ID.
    let moved = app
        .graphql_as(
            &admin,
            "mutation($i: MoveTaskInput!) { moveTask(input: $i) { task { id } } }",
            json!({ "i": { "id": child_gid, "expectedVersion": child.version, "parentId": null } }),
        )
        .await;
    assert!(moved.get("errors").is_none(), "{moved}");
    let feed = app.graphql("{ changes(last: 50) { nodes { entity entityId action before after } } }", json!({})).await;
    assert!(feed.get("errors").is_none(), "{feed}");
    let text = feed.to_string();
    assert!(text.contains(&child_gid), "the visible MOVE is in the feed: {feed}");
    assert!(!text.contains(&parent_id) && !text.contains(&parent_gid), "a hidden ID leaked: {feed}");

    // A NOT_SHARED plan hides its tasks, even those that set PUBLIC.
    let plan_id = public_plans.first().expect("plan").clone();
    let mut p =
        plan::Entity::find_by_id(plan_id.clone()).one(&app.db).await.unwrap().expect("plan").into_active_model();
    p.sharing_class = sea_orm::ActiveValue::Set(SharingClass::NotShared);
    p.update(&app.db).await.expect("hide the plan");
    let open =
        task::Entity::find().filter(task::Column::PlanId.eq(plan_id.clone())).one(&app.db).await.unwrap().expect("t");
    let mut open = open.into_active_model();
    open.sharing_class = sea_orm::ActiveValue::Set(Some(SharingClass::Public));
    let open = open.update(&app.db).await.expect("open the task");
    let body =
        app.graphql("query($t: ID!) { node(id: $t) { id } }", json!({ "t": gid(NodeKind::Task, &open.id) })).await;
    assert_eq!(body["data"]["node"], Value::Null, "{body}");
}

#[tokio::test]
async fn revoke_token_matches_the_jti_exactly_with_the_rules_of_verification() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN, Role::Admin).await;
    let dept_gid = gid(NodeKind::Department, &dept(&app, LEAD).await.id);
    let revoke = "mutation($j: String!) { revokeToken(input: { jti: $j }) { jti } }";
    let longest = "j".repeat(xietong::auth::claims::MAX_JTI_CHARS);
    for jti in ["  spaced jti  ", " 中文 ", longest.as_str()] {
        let token = sign(&claims(&dept_gid, jti));
        let (status, _) = app.post_graphql(Some(&format!("Bearer {token}")), "{ viewer { role } }", json!({})).await;
        assert_eq!(status, 200, "{jti:?} verifies before revocation");
        let body = app.graphql_as(&admin, revoke, json!({ "j": jti })).await;
        assert_eq!(body["data"]["revokeToken"]["jti"], jti, "{body}");
        let (status, body) = app.post_graphql(Some(&format!("Bearer {token}")), "{ viewer { role } }", json!({})).await;
        assert_eq!(status, 401, "{jti:?} still works after revocation: {body}");
    }
    // One character more, a blank one or a control character: refused by
    // verification and by revocation alike.
    let too_long = "j".repeat(xietong::auth::claims::MAX_JTI_CHARS + 1);
    for jti in [too_long.as_str(), "   ", "tab\tjti"] {
        let (status, _) = app
            .post_graphql(Some(&format!("Bearer {}", sign(&claims(&dept_gid, jti)))), "{ viewer { role } }", json!({}))
            .await;
        assert_eq!(status, 401, "{jti:?}");
        let body = app.graphql_as(&admin, revoke, json!({ "j": jti })).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{jti:?}: {body}");
    }
}

#[tokio::test]
async fn tokens_living_longer_than_the_maximum_lifetime_are_401() {
    let app = spawn_app().await;
    let dept_gid = gid(NodeKind::Department, &dept(&app, LEAD).await.id);
    let viewer = |token: String| {
        let app = &app;
        async move { app.post_graphql(Some(&format!("Bearer {token}")), "{ viewer { role } }", json!({})).await }
    };
    let mut forever = claims(&dept_gid, "forever");
    forever["exp"] = json!(u64::MAX);
    let mut no_iat = forever.clone();
    no_iat.as_object_mut().expect("object").remove("iat");
    let mut long = claims(&dept_gid, "long");
    long["exp"] = json!(now() + 400 * 24 * 3600);
    for (case, c) in [("exp 2^64-1", forever), ("exp 2^64-1 without iat", no_iat), ("400 days", long)] {
        let (status, body) = viewer(sign(&c)).await;
        assert_eq!(status, 401, "{case}: {body}");
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{case}: {body}");
    }
    let mut year = claims(&dept_gid, "year");
    year["exp"] = json!(now() + 365 * 24 * 3600);
    assert_eq!(viewer(sign(&year)).await.0, 200, "a one-year token is within the default");

    // A configured maximum of one day.
    let auth =
        xietong::auth::AuthSettings { jwt_max_lifetime: std::time::Duration::from_secs(24 * 3600), ..test_auth() };
    let short = spawn_app_with_auth(auth).await;
    let dept_gid = gid(NodeKind::Department, &dept(&short, LEAD).await.id);
    let mut two_days = claims(&dept_gid, "two-days");
    two_days["exp"] = json!(now() + 2 * 24 * 3600);
    let (status, body) =
        short.post_graphql(Some(&format!("Bearer {}", sign(&two_days))), "{ viewer { role } }", json!({})).await;
    assert_eq!(status, 401, "{body}");
    let hour = claims(&dept_gid, "hour");
    let (status, _) =
        short.post_graphql(Some(&format!("Bearer {}", sign(&hour))), "{ viewer { role } }", json!({})).await;
    assert_eq!(status, 200);
}
