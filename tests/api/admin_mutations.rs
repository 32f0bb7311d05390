//! Administrative mutations through the real server: regions, departments and
//! aliases and token revocation (ADMIN only), and access grants (ADMIN or the
//! coordinator owning the plan). Every refusal writes nothing.

use crate::helpers::{TestApp, error_code, spawn_app};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::{access_grant, change, department, department_alias, plan, region, revoked_token};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use xietong::access::Role;
use xietong::ids::{NodeKind, to_global};

const ADMIN: &str = "天津市人民政府";
const JINGHAI: &str = "静海区发展改革委";
const NANKAI: &str = "南开区发展改革委";

/// Row counts that a refused mutation must leave as they were.
async fn counts(app: &TestApp) -> [u64; 6] {
    [
        change::Entity::find().count(&app.db).await.unwrap(),
        region::Entity::find().count(&app.db).await.unwrap(),
        department::Entity::find().count(&app.db).await.unwrap(),
        department_alias::Entity::find().count(&app.db).await.unwrap(),
        revoked_token::Entity::find().count(&app.db).await.unwrap(),
        access_grant::Entity::find().count(&app.db).await.unwrap(),
    ]
}

async fn last_change(app: &TestApp) -> change::Model {
    change::Entity::find().order_by_desc(change::Column::Seq).one(&app.db).await.unwrap().expect("a change")
}

async fn region_id(app: &TestApp, name: &str) -> String {
    let found = region::Entity::find().filter(region::Column::Name.eq(name)).one(&app.db).await.unwrap();
    to_global(NodeKind::Region, &found.expect("the region").id).0
}

async fn department_id(app: &TestApp, name: &str) -> String {
    let found = department::Entity::find().filter(department::Column::Name.eq(name)).one(&app.db).await.unwrap();
    to_global(NodeKind::Department, &found.expect("the department").id).0
}

/// The field names of a BAD_USER_INPUT error.
fn fields(body: &Value) -> Vec<String> {
    let list = body["errors"][0]["extensions"]["fields"].as_array().cloned().unwrap_or_default();
    list.iter().filter_map(|f| f["field"].as_str().map(str::to_owned)).collect()
}

fn assert_bad(body: &Value, field: &str) {
    assert_eq!((error_code(body), fields(body)), (Some("BAD_USER_INPUT"), vec![field.to_owned()]), "{body:#}");
}

fn ok<'a>(body: &'a Value, name: &str) -> &'a Value {
    assert!(body.get("errors").is_none(), "{body:#}");
    &body["data"][name]
}

const CREATE_REGION: &str = "mutation($input: CreateRegionInput!) {
  createRegion(input: $input) { region { id code name nameEn level version parent { name } } } }";
const UPDATE_REGION: &str = "mutation($input: UpdateRegionInput!) {
  updateRegion(input: $input) { region { id code name version parent { name } } } }";

#[tokio::test]
async fn only_an_admin_creates_and_updates_regions() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN, Role::Admin).await;
    let tianjin = region_id(&app, "天津市").await;
    let before = counts(&app).await;
    let input = json!({ "code": "120199", "name": "测试区", "nameEn": "Test District", "level": "DISTRICT", "parentId": tianjin });

    for role in [Role::Coordinator, Role::Bureau, Role::Reader] {
        let token = app.token(JINGHAI, role).await;
        let body = app.graphql_as(&token, CREATE_REGION, json!({ "input": input })).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{role:?}: {body:#}");
    }
    let anonymous = app.graphql(CREATE_REGION, json!({ "input": input })).await;
    assert_eq!(error_code(&anonymous), Some("UNAUTHENTICATED"));
    let mut taken = input.clone();
    taken["code"] = json!("120118");
    assert_bad(&app.graphql_as(&admin, CREATE_REGION, json!({ "input": taken })).await, "input.code");
    let mut malformed = input.clone();
    malformed["code"] = json!("12011x");
    assert_bad(&app.graphql_as(&admin, CREATE_REGION, json!({ "input": malformed })).await, "input.code");
    assert_eq!(counts(&app).await, before, "no refusal wrote anything");

    let body = app.graphql_as(&admin, CREATE_REGION, json!({ "input": input })).await;
    let created = &ok(&body, "createRegion")["region"];
    assert_eq!((created["code"].as_str(), created["parent"]["name"].as_str()), (Some("120199"), Some("天津市")));
    let id = created["id"].as_str().unwrap().to_owned();
    let after = counts(&app).await;
    assert_eq!((after[0], after[1]), (before[0] + 1, before[1] + 1));
    let audit = last_change(&app).await;
    assert_eq!(
        (audit.entity.as_str(), audit.action.as_str(), audit.scope_entity.as_str()),
        ("Region", "CREATE", "PUBLIC")
    );

    let rename = json!({ "id": id, "expectedVersion": 1, "name": "测试新区", "code": "120198" });
    let body = app.graphql_as(&admin, UPDATE_REGION, json!({ "input": rename })).await;
    let updated = &ok(&body, "updateRegion")["region"];
    assert_eq!((updated["name"].as_str(), updated["version"].as_i64()), (Some("测试新区"), Some(2)));

    let before = counts(&app).await;
    let stale = app.graphql_as(&admin, UPDATE_REGION, json!({ "input": rename })).await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale:#}");
    // 天津市 under its own district would be a cycle; so would a region under itself.
    let cycle = json!({ "id": tianjin, "expectedVersion": 1, "parentId": id });
    assert_bad(&app.graphql_as(&admin, UPDATE_REGION, json!({ "input": cycle })).await, "input.parentId");
    let own = json!({ "id": id, "expectedVersion": 2, "parentId": id });
    assert_bad(&app.graphql_as(&admin, UPDATE_REGION, json!({ "input": own })).await, "input.parentId");
    let duplicate = json!({ "id": id, "expectedVersion": 2, "code": "120118" });
    assert_bad(&app.graphql_as(&admin, UPDATE_REGION, json!({ "input": duplicate })).await, "input.code");
    let coordinator = app.token(JINGHAI, Role::Coordinator).await;
    let body =
        app.graphql_as(&coordinator, UPDATE_REGION, json!({ "input": { "id": id, "expectedVersion": 2 } })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body:#}");
    assert_eq!(counts(&app).await, before, "no refusal wrote anything");
}

const DEPARTMENT_FIELDS: &str = "id name kind version aliases region { name } parent { name }";

#[tokio::test]
async fn only_an_admin_manages_departments_and_aliases() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN, Role::Admin).await;
    let jinghai = region_id(&app, "静海区").await;
    let create = format!(
        "mutation($input: CreateDepartmentInput!) {{ createDepartment(input: $input) {{ department {{ {DEPARTMENT_FIELDS} }} }} }}"
    );
    let update = format!(
        "mutation($input: UpdateDepartmentInput!) {{ updateDepartment(input: $input) {{ department {{ {DEPARTMENT_FIELDS} }} }} }}"
    );
    let add = "mutation($input: AddDepartmentAliasInput!) { addDepartmentAlias(input: $input) { department { version aliases } } }";
    let remove = "mutation($input: RemoveDepartmentAliasInput!) { removeDepartmentAlias(input: $input) { department { version aliases } } }";
    let input =
        json!({ "name": "静海区数据局", "kind": "BUREAU", "regionId": jinghai, "aliases": ["区数据局", "区数据局"] });
    let before = counts(&app).await;

    let coordinator = app.token(JINGHAI, Role::Coordinator).await;
    assert_eq!(error_code(&app.graphql_as(&coordinator, &create, json!({ "input": input })).await), Some("FORBIDDEN"));
    let mut taken = input.clone();
    taken["name"] = json!(JINGHAI);
    assert_bad(&app.graphql_as(&admin, &create, json!({ "input": taken })).await, "input.name");
    let mut blank = input.clone();
    blank["aliases"] = json!([" "]);
    assert_bad(&app.graphql_as(&admin, &create, json!({ "input": blank })).await, "input.aliases");
    assert_eq!(counts(&app).await, before, "no refusal wrote anything");

    let body = app.graphql_as(&admin, &create, json!({ "input": input })).await;
    let created = &ok(&body, "createDepartment")["department"];
    assert_eq!(created["aliases"], json!(["区数据局"]));
    assert_eq!((created["region"]["name"].as_str(), created["version"].as_i64()), (Some("静海区"), Some(1)));
    let id = created["id"].as_str().unwrap().to_owned();
    let after = counts(&app).await;
    assert_eq!((after[0], after[2], after[3]), (before[0] + 1, before[2] + 1, before[3] + 1));
    let audit = last_change(&app).await;
    assert_eq!((audit.entity.as_str(), audit.scope_entity.as_str()), ("Department", "PUBLIC"));

    let parent = department_id(&app, JINGHAI).await;
    let patch = json!({ "id": id, "expectedVersion": 1, "kind": "GOVERNMENT", "parentId": parent });
    let body = app.graphql_as(&admin, &update, json!({ "input": patch })).await;
    let updated = &ok(&body, "updateDepartment")["department"];
    assert_eq!((updated["kind"].as_str(), updated["parent"]["name"].as_str()), (Some("GOVERNMENT"), Some(JINGHAI)));

    let before = counts(&app).await;
    assert_eq!(error_code(&app.graphql_as(&admin, &update, json!({ "input": patch })).await), Some("CONFLICT"));
    let cycle = json!({ "id": parent, "expectedVersion": 1, "parentId": id });
    assert_bad(&app.graphql_as(&admin, &update, json!({ "input": cycle })).await, "input.parentId");
    let bureau = app.token(JINGHAI, Role::Bureau).await;
    let alias = json!({ "departmentId": id, "alias": "数据局" });
    assert_eq!(error_code(&app.graphql_as(&bureau, add, json!({ "input": alias })).await), Some("FORBIDDEN"));
    let missing = json!({ "departmentId": id, "alias": "没有这个别名" });
    assert_bad(&app.graphql_as(&admin, remove, json!({ "input": missing })).await, "input.alias");
    assert_eq!(counts(&app).await, before, "no refusal wrote anything");

    let body = app.graphql_as(&admin, add, json!({ "input": alias })).await;
    let department = &ok(&body, "addDepartmentAlias")["department"];
    assert_eq!(
        (department["aliases"].clone(), department["version"].as_i64()),
        (json!(["区数据局", "数据局"]), Some(3))
    );
    let again = app.graphql_as(&admin, add, json!({ "input": alias })).await;
    assert_eq!(ok(&again, "addDepartmentAlias")["department"]["version"], 3, "adding it twice changes nothing");
    let body = app.graphql_as(&admin, remove, json!({ "input": alias })).await;
    assert_eq!(ok(&body, "removeDepartmentAlias")["department"]["aliases"], json!(["区数据局"]));
    let after = counts(&app).await;
    assert_eq!((after[0], after[3]), (before[0] + 2, before[3]));
}

#[tokio::test]
async fn an_admin_revokes_a_token_once() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN, Role::Admin).await;
    let victim = app.token(JINGHAI, Role::Coordinator).await;
    let payload = victim.split('.').nth(1).expect("a JWT payload");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let jti = claims["jti"].as_str().expect("jti").to_owned();
    let revoke = "mutation($input: RevokeTokenInput!) { revokeToken(input: $input) { jti revokedAt } }";
    let input = json!({ "jti": jti, "reason": "device lost" });
    let before = counts(&app).await;

    let body = app.graphql_as(&victim, revoke, json!({ "input": input })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body:#}");
    assert_bad(&app.graphql_as(&admin, revoke, json!({ "input": { "jti": " " } })).await, "input.jti");
    assert_eq!(counts(&app).await, before, "no refusal wrote anything");

    let first = app.graphql_as(&admin, revoke, json!({ "input": input })).await;
    let revoked_at = ok(&first, "revokeToken")["revokedAt"].clone();
    assert_eq!(first["data"]["revokeToken"]["jti"], json!(jti));
    let again = app.graphql_as(&admin, revoke, json!({ "input": input })).await;
    assert_eq!(ok(&again, "revokeToken")["revokedAt"], revoked_at, "revoking twice keeps the first time");
    let after = counts(&app).await;
    assert_eq!((after[0], after[4]), (before[0] + 1, before[4] + 1));
    let audit = last_change(&app).await;
    assert_eq!(
        (audit.entity.as_str(), audit.entity_id.as_str(), audit.scope_entity.as_str()),
        ("RevokedToken", jti.as_str(), "ADMIN")
    );

    // A `jti` longer than an audit entity ID is recorded under a UUID derived from it.
    let long = "j".repeat(150);
    let body = app.graphql_as(&admin, revoke, json!({ "input": { "jti": long } })).await;
    assert_eq!(ok(&body, "revokeToken")["jti"], json!(long));
    assert_eq!(last_change(&app).await.entity_id.len(), 36);

    let refused = app.graphql_as(&victim, "{ viewer { authenticated } }", json!({})).await;
    assert_eq!(error_code(&refused), Some("UNAUTHENTICATED"), "the revoked token is refused: {refused:#}");
}

const GRANT: &str = "mutation($input: GrantAccessInput!) {
  grantAccess(input: $input) { grant { id active version expiresAt reason grantedBy revokedAt plan { title } department { name } } } }";
const REVOKE_GRANT: &str =
    "mutation($input: RevokeGrantInput!) { revokeGrant(input: $input) { grant { id active version revokedAt } } }";
const SEES_PLAN: &str = "query($id: ID!) { node(id: $id) { id } }";

#[tokio::test]
async fn the_owning_coordinator_grants_and_revokes_access() {
    let app = spawn_app().await;
    let owner = app.token(JINGHAI, Role::Coordinator).await;
    let created = app
        .graphql_as(
            &owner,
            "mutation($r: ID!) { createPlan(input: {title: \"静海区有条件共享方案\", regionId: $r, kind: ACTION_PLAN, \
             sharingClass: CONDITIONAL}) { plan { id } } }",
            json!({ "r": region_id(&app, "静海区").await }),
        )
        .await;
    let plan_id = ok(&created, "createPlan")["plan"]["id"].as_str().unwrap().to_owned();
    let reader = app.token(NANKAI, Role::Reader).await;
    assert_eq!(app.graphql_as(&reader, SEES_PLAN, json!({ "id": plan_id })).await["data"]["node"], Value::Null);
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let input = json!({ "planId": plan_id, "departmentId": department_id(&app, NANKAI).await, "expiresAt": tomorrow, "reason": "联合督查" });
    let before = counts(&app).await;

    let outsider = app.token(NANKAI, Role::Coordinator).await;
    assert_eq!(error_code(&app.graphql_as(&outsider, GRANT, json!({ "input": input })).await), Some("NOT_FOUND"));
    let bureau = app.token(JINGHAI, Role::Bureau).await;
    assert_eq!(error_code(&app.graphql_as(&bureau, GRANT, json!({ "input": input })).await), Some("FORBIDDEN"));
    let mut expired = input.clone();
    expired["expiresAt"] = json!("2020-01-01T00:00:00Z");
    assert_bad(&app.graphql_as(&owner, GRANT, json!({ "input": expired })).await, "input.expiresAt");
    let public = plan::Entity::find().filter(plan::Column::Title.eq("天津市静海区碳达峰实施方案")).one(&app.db).await;
    let mut open = input.clone();
    open["planId"] = json!(to_global(NodeKind::Plan, &public.unwrap().expect("plan").id).0);
    assert_bad(&app.graphql_as(&owner, GRANT, json!({ "input": open })).await, "input.planId");
    assert_eq!(counts(&app).await, before, "no refusal wrote anything");

    let body = app.graphql_as(&owner, GRANT, json!({ "input": input })).await;
    let grant = ok(&body, "grantAccess")["grant"].clone();
    assert_eq!((grant["active"].as_bool(), grant["department"]["name"].as_str()), (Some(true), Some(NANKAI)));
    assert_eq!(grant["plan"]["title"], "静海区有条件共享方案");
    let after = counts(&app).await;
    assert_eq!((after[0], after[5]), (before[0] + 1, before[5] + 1));
    let audit = last_change(&app).await;
    assert_eq!(
        (audit.entity.as_str(), audit.action.as_str(), audit.scope_entity.as_str()),
        ("Grant", "GRANT", "ADMIN")
    );
    assert_eq!(
        app.graphql_as(&reader, SEES_PLAN, json!({ "id": plan_id })).await["data"]["node"]["id"],
        json!(plan_id)
    );

    let before = counts(&app).await;
    let stale = json!({ "id": grant["id"], "expectedVersion": 5 });
    assert_eq!(error_code(&app.graphql_as(&owner, REVOKE_GRANT, json!({ "input": stale })).await), Some("CONFLICT"));
    // Nankai's coordinator now sees the plan through the grant, but does not own it.
    let by_grantee = json!({ "id": grant["id"] });
    let body = app.graphql_as(&outsider, REVOKE_GRANT, json!({ "input": by_grantee })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body:#}");
    let xiqing = app.token("西青区人民政府", Role::Coordinator).await;
    let body = app.graphql_as(&xiqing, REVOKE_GRANT, json!({ "input": by_grantee })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body:#}");
    assert_eq!(counts(&app).await, before, "no refusal wrote anything");

    // The city coordinator's jurisdiction contains the plan's region: it owns the plan too.
    let city = app.token("天津市发展改革委", Role::Coordinator).await;
    let body =
        app.graphql_as(&city, REVOKE_GRANT, json!({ "input": { "id": grant["id"], "expectedVersion": 1 } })).await;
    let revoked = &ok(&body, "revokeGrant")["grant"];
    assert_eq!((revoked["active"].as_bool(), revoked["version"].as_i64()), (Some(false), Some(2)));
    assert!(revoked["revokedAt"].is_string());
    assert_eq!(app.graphql_as(&reader, SEES_PLAN, json!({ "id": plan_id })).await["data"]["node"], Value::Null);
    let again = app.graphql_as(&owner, REVOKE_GRANT, json!({ "input": { "id": grant["id"] } })).await;
    assert_eq!(ok(&again, "revokeGrant")["grant"]["revokedAt"], revoked["revokedAt"]);
    assert_eq!(counts(&app).await[0], before[0] + 1);
}

/// Asks `address` who is calling with `token`; `true` when the token is accepted.
async fn accepted_at(address: &str, token: &str) -> bool {
    let body: Value = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": "{ viewer { authenticated } }" }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON body");
    match error_code(&body) {
        None => body["data"]["viewer"]["authenticated"] == json!(true),
        Some(code) => {
            assert_eq!(code, "UNAUTHENTICATED", "{body:#}");
            false
        }
    }
}

#[tokio::test]
async fn a_revocation_holds_on_every_instance_within_the_documented_bound() {
    let app = spawn_app().await;
    let other = app.another_instance().await;
    let admin = app.token(ADMIN, Role::Admin).await;
    let victim = app.token(JINGHAI, Role::Coordinator).await;
    let payload = victim.split('.').nth(1).expect("a JWT payload");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    // Both instances have the caller in memory before the revocation.
    assert!(accepted_at(&app.address, &victim).await && accepted_at(&other.address, &victim).await);

    let revoke = "mutation($input: RevokeTokenInput!) { revokeToken(input: $input) { jti } }";
    let body = app.graphql_as(&admin, revoke, json!({ "input": { "jti": claims["jti"] } })).await;
    ok(&body, "revokeToken");
    let revoked_at = std::time::Instant::now();
    assert!(!accepted_at(&app.address, &victim).await, "the instance that revoked refuses at once");

    // The other instance learns it from a notification (PostgreSQL) or its periodic reload.
    let bound = xietong::auth::identity::RELOAD + std::time::Duration::from_secs(2);
    while accepted_at(&other.address, &victim).await {
        assert!(revoked_at.elapsed() < bound, "another instance still accepts a token revoked {bound:?} ago");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(accepted_at(&other.address, &admin).await, "other tokens still work there");
    other.server.stop(false).await;
}

#[tokio::test]
async fn a_caller_whose_department_moves_gets_the_new_jurisdiction_on_its_next_request() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN, Role::Admin).await;
    let bureau = app.token(JINGHAI, Role::Bureau).await;
    let jurisdiction = "{ viewer { jurisdiction { name } } }";
    let names = |body: &Value| -> Vec<String> {
        let regions = body["data"]["viewer"]["jurisdiction"].as_array().expect("jurisdiction");
        regions.iter().map(|r| r["name"].as_str().expect("name").to_owned()).collect()
    };
    assert_eq!(names(&app.graphql_as(&bureau, jurisdiction, json!({})).await), ["静海区"]);

    let id = department_id(&app, JINGHAI).await;
    let version = app
        .data("query($id: ID!) { node(id: $id) { ... on Department { version } } }", json!({ "id": id }))
        .await["node"]["version"]
        .clone();
    let nankai = region_id(&app, "南开区").await;
    let moved = app
        .graphql_as(
            &admin,
            "mutation($input: UpdateDepartmentInput!) { updateDepartment(input: $input) { department { id } } }",
            json!({ "input": { "id": id, "expectedVersion": version, "regionId": nankai } }),
        )
        .await;
    ok(&moved, "updateDepartment");
    assert_eq!(names(&app.graphql_as(&bureau, jurisdiction, json!({})).await), ["南开区"]);
}

/// Whether the caller of `token` can read the plan `plan_id` (a global ID) at `address`.
async fn sees_plan_at(address: &str, token: &str, plan_id: &Value) -> bool {
    let body: Value = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": "query($id: ID!) { node(id: $id) { id } }", "variables": { "id": plan_id } }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON body");
    assert_eq!(error_code(&body), None, "{body:#}");
    !body["data"]["node"].is_null()
}

/// A department's assigned plans are kept with the caller in memory (they open CONDITIONAL
/// plans to it): an assignment, and its removal, must show on the instance that made it at its
/// next request, and on every other instance within the documented bound.
#[tokio::test]
async fn an_assignment_opens_and_its_removal_closes_a_conditional_plan_on_every_instance() {
    let app = spawn_app().await;
    let other = app.another_instance().await;
    let admin = app.token(ADMIN, Role::Admin).await;
    // A 南开区 bureau: the 静海区 plan is outside its jurisdiction, so only an assignment opens it.
    let bureau = app.token(NANKAI, Role::Bureau).await;
    let found = plan::Entity::find().filter(plan::Column::Title.eq("天津市静海区碳达峰实施方案")).one(&app.db).await;
    let plan = found.expect("plan query").expect("the 静海区 plan");
    let plan_id = json!(to_global(NodeKind::Plan, &plan.id).0);
    let update = "mutation($input: UpdatePlanInput!) { updatePlan(input: $input) { plan { sharingClass } } }";
    let input = json!({ "id": plan_id, "expectedVersion": plan.version, "sharingClass": "CONDITIONAL" });
    assert_eq!(
        ok(&app.graphql_as(&admin, update, json!({ "input": input })).await, "updatePlan")["plan"]["sharingClass"],
        "CONDITIONAL"
    );
    let task = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Plan { tasks(first: 1) { nodes { id } } } } }",
            json!({ "id": plan_id }),
        )
        .await;
    assert_eq!(task["node"], Value::Null, "anonymous callers do not see a CONDITIONAL plan");
    let task = app
        .graphql_as(
            &admin,
            "query($id: ID!) { node(id: $id) { ... on Plan { tasks(first: 1) { nodes { id } } } } }",
            json!({ "id": plan_id }),
        )
        .await;
    let task_id = task["data"]["node"]["tasks"]["nodes"][0]["id"].clone();
    assert!(task_id.is_string(), "{task:#}");
    let department = json!(department_id(&app, NANKAI).await);
    // Both instances have the caller, and its assigned plans, in memory before the assignment.
    assert!(!sees_plan_at(&app.address, &bureau, &plan_id).await);
    assert!(!sees_plan_at(&other.address, &bureau, &plan_id).await);

    let bound = xietong::auth::identity::RELOAD + std::time::Duration::from_secs(2);
    let assign = "mutation($input: AssignDepartmentInput!) { assignDepartment(input: $input) { assignment { role } } }";
    let input = json!({ "taskId": task_id, "departmentId": department, "role": "SUPPORT" });
    ok(&app.graphql_as(&admin, assign, json!({ "input": input })).await, "assignDepartment");
    let assigned_at = std::time::Instant::now();
    assert!(sees_plan_at(&app.address, &bureau, &plan_id).await, "the instance that assigned opens the plan at once");
    while !sees_plan_at(&other.address, &bureau, &plan_id).await {
        assert!(assigned_at.elapsed() < bound, "another instance still hides a plan assigned {bound:?} ago");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    let unassign = "mutation($input: UnassignDepartmentInput!) { unassignDepartment(input: $input) { task { id } } }";
    let input = json!({ "taskId": task_id, "departmentId": department });
    ok(&app.graphql_as(&admin, unassign, json!({ "input": input })).await, "unassignDepartment");
    let unassigned_at = std::time::Instant::now();
    assert!(
        !sees_plan_at(&app.address, &bureau, &plan_id).await,
        "the instance that unassigned closes the plan at once"
    );
    while sees_plan_at(&other.address, &bureau, &plan_id).await {
        assert!(unassigned_at.elapsed() < bound, "another instance still shows a plan unassigned {bound:?} ago");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    other.server.stop(false).await;
}
