//! The authorization matrix of DESIGN.md §3: every kind of caller × every
//! mutation, and × every sharing class through every read path.
//!
//! The callers' departments are chosen so that each rule shows on its own:
//! - the READER is a city department and the unassigned BUREAU a 静海区 one: both
//!   read the CONDITIONAL records of 静海区 by jurisdiction, and may write nothing;
//! - the SUPPORT BUREAU (南开区城市管理委) and both grant holders are *outside*
//!   静海区, so what an assignment or a grant opens is not masked by jurisdiction;
//! - the NOT_SHARED sample plan is issued by 静海区发展改革委 (a BUREAU), so the
//!   owner's right is seen apart from the coordinators'.
//!
//! Mutations run against the default dataset's 静海区 plan, made CONDITIONAL, so a
//! caller that may not see it gets NOT_FOUND where one that may gets FORBIDDEN.

use crate::helpers::{TestApp, error_code, spawn_app, spawn_app_configured};
use chrono::{Duration, Utc};
use entity::enums::TaskStatus;
use entity::{
    access_grant, change, department, department_alias, idempotency_record, indicator, indicator_actual,
    indicator_target, plan, progress_report, region, revoked_token, task, task_assignment, webhook_delivery,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait, PrimaryKeyTrait,
    QueryFilter, QueryOrder,
};
use serde_json::{Value, json};
use xietong::access::Role;
use xietong::ids::{NodeKind, to_global};

// ------------------------------------------------------------------ callers

/// The twelve kinds of caller of the issue; [`CALLERS`] gives each its department and role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[rustfmt::skip]
enum Caller {
    Anonymous, Reader, Lead, Support, Unassigned, DistrictCoordinator, OtherDistrictCoordinator, CityCoordinator,
    Admin, BeijingPartner, GrantHolder, ExpiredGrant,
}

const LEAD: &str = "静海区发展改革委";
const SUPPORT: &str = "南开区城市管理委";
const GRANT_HOLDER: &str = "南开区发展改革委";
const EXPIRED_HOLDER: &str = "南开区生态环境局";

/// Each caller's department and role; the column order of every table below.
#[rustfmt::skip]
const CALLERS: [(Caller, Option<(&str, Role)>); 12] = [
    (Caller::Anonymous,                None),
    (Caller::Reader,                   Some(("天津市生态环境局", Role::Reader))),
    (Caller::Lead,                     Some((LEAD, Role::Bureau))),
    (Caller::Support,                  Some((SUPPORT, Role::Bureau))),
    (Caller::Unassigned,               Some(("静海区生态环境局", Role::Bureau))),
    (Caller::DistrictCoordinator,      Some(("静海区人民政府", Role::Coordinator))),
    (Caller::OtherDistrictCoordinator, Some(("南开区人民政府", Role::Coordinator))),
    (Caller::CityCoordinator,          Some(("天津市人民政府", Role::Coordinator))),
    (Caller::Admin,                    Some(("天津市发展改革委", Role::Admin))),
    (Caller::BeijingPartner,           Some(("通州区生态环境局", Role::Bureau))),
    (Caller::GrantHolder,              Some((GRANT_HOLDER, Role::Bureau))),
    (Caller::ExpiredGrant,             Some((EXPIRED_HOLDER, Role::Bureau))),
];

/// A caller's token and the department and role its changes are recorded with.
struct Identity {
    token: String,
    department_id: String,
    role: Role,
}

/// The identities of [`CALLERS`], in that order (`None`: anonymous).
struct Callers(Vec<Option<Identity>>);

impl Callers {
    async fn of(app: &TestApp) -> Self {
        let mut all = Vec::new();
        for (_, who) in CALLERS {
            all.push(match who {
                None => None,
                Some((dept, role)) => {
                    Some(Identity { token: app.token(dept, role).await, department_id: dept_id(app, dept).await, role })
                }
            });
        }
        Self(all)
    }

    fn token(&self, caller: Caller) -> &str {
        let i = CALLERS.iter().position(|(c, _)| *c == caller).expect("a caller");
        &self.0[i].as_ref().expect("not anonymous").token
    }

    async fn send(&self, app: &TestApp, i: usize, query: &str, variables: Value) -> Value {
        match &self.0[i] {
            None => app.graphql(query, variables).await,
            Some(who) => app.graphql_as(&who.token, query, variables).await,
        }
    }
}

// ------------------------------------------------------------------ helpers

fn gid(kind: NodeKind, record_id: &str) -> String {
    to_global(kind, record_id).0
}

async fn dept_id(app: &TestApp, name: &str) -> String {
    xietong::service::departments::resolve_department(&app.db, name).await.expect("department").id
}

async fn region_id(db: &DatabaseConnection, code: &str) -> String {
    region::Entity::find().filter(region::Column::Code.eq(code)).one(db).await.unwrap().expect("region").id
}

/// Runs mutation `field` as `token` for setup, failing the test on any error; returns the ID of the
/// payload's `record`.
async fn setup(app: &TestApp, token: &str, field: &str, record: &str, input: Value) -> String {
    let ty = field[..1].to_uppercase() + &field[1..];
    let query = format!("mutation($input: {ty}Input!) {{ {field}(input: $input) {{ {record} {{ id }} }} }}");
    let body = app.graphql_as(token, &query, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "setup failed: {body:#}");
    body["data"][field][record]["id"].as_str().expect("id").to_owned()
}

async fn rows<E>(db: &DatabaseConnection, _: E) -> i64
where
    E: EntityTrait,
    E::Model: Sync,
{
    i64::try_from(E::find().count(db).await.expect("count")).expect("fits")
}

async fn version<E>(db: &DatabaseConnection, _: E, id: &str) -> i64
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<String>,
{
    let row = E::find_by_id(id.to_owned()).into_json().one(db).await.unwrap().expect("row exists");
    row["version"].as_i64().expect("version")
}

async fn last_seq(db: &DatabaseConnection) -> i64 {
    change::Entity::find().order_by_desc(change::Column::Seq).one(db).await.unwrap().map_or(0, |c| c.seq)
}

/// Inserts a grant directly (no mutation, no audit entry); returns its record ID.
async fn insert_grant(db: &DatabaseConnection, plan_id: &str, department_id: &str, expires_in: Duration) -> String {
    let row = access_grant::Model {
        id: uuid::Uuid::new_v4().to_string(),
        plan_id: plan_id.to_owned(),
        department_id: department_id.to_owned(),
        expires_at: Utc::now() + expires_in,
        reason: Some("authorization matrix".into()),
        granted_by: "test-setup".into(),
        created_at: Utc::now() - Duration::days(30),
        revoked_at: None,
        version: 1,
    };
    row.into_active_model().insert(db).await.expect("insert grant").id
}

// ------------------------------------------------------------------ mutation matrix

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    Forbidden,
    Unauthenticated,
    NotFound,
}

const OK: Outcome = Outcome::Ok;
const FB: Outcome = Outcome::Forbidden;
const UA: Outcome = Outcome::Unauthenticated;
const NF: Outcome = Outcome::NotFound;

/// The mutations, one row of [`MATRIX`] each; `CloseTask` is reportProgress with status COMPLETED.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[rustfmt::skip]
enum M {
    CreatePlan, UpdatePlan, ArchivePlan,
    CreateTask, UpdateTask, MoveTask, AssignDepartment, UnassignDepartment, ArchiveTask,
    ReportProgress, CloseTask, RecordActual,
    CreateIndicator, UpdateIndicator, SetTarget, RemoveTarget,
    GrantAccess, RevokeGrant,
    CreateRegion, UpdateRegion, CreateDepartment, UpdateDepartment, AddDepartmentAlias, RemoveDepartmentAlias,
    RevokeToken,
    RegisterWebhookEndpoint, EnableWebhookEndpoint, DisableWebhookEndpoint, RotateWebhookSecret,
    DeleteWebhookEndpoint, ResendWebhookDelivery,
}

/// Expected outcome of each mutation for each caller. The target is the CONDITIONAL 静海区 plan, its task
/// 三.（三）.1 (LEAD 静海区发展改革委, SUPPORT 南开区城市管理委) or that task's indicator 可再生能源电力装机容量;
/// createPlan creates in 静海区; the administrative rows touch regions, departments and tokens.
/// As implemented, a COORDINATOR of the plan's region reports progress and actuals as a LEAD would,
/// and grants and revokes access to its plans; DESIGN.md §3 names neither right explicitly.
#[rustfmt::skip]
const MATRIX: [(M, [Outcome; 12]); 31] = [
    //                          anon READER LEAD SUPP unas 静海 南开 city ADMIN 北京 grant expired
    (M::CreatePlan,            [UA,  FB,    FB,  FB,  FB,  OK,  FB,  OK,  OK,   FB,  FB,   FB]),
    (M::UpdatePlan,            [UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   NF,  FB,   NF]),
    (M::ArchivePlan,           [UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   NF,  FB,   NF]),
    (M::CreateTask,            [UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   NF,  FB,   NF]),
    (M::UpdateTask,            [UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   NF,  FB,   NF]),
    (M::MoveTask,              [UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   NF,  FB,   NF]),
    (M::AssignDepartment,      [UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   NF,  FB,   NF]),
    (M::UnassignDepartment,    [UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   NF,  FB,   NF]),
    (M::ArchiveTask,           [UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   NF,  FB,   NF]),
    (M::ReportProgress,        [UA,  FB,    OK,  OK,  FB,  OK,  NF,  OK,  OK,   NF,  FB,   NF]),
    (M::CloseTask,             [UA,  FB,    OK,  FB,  FB,  OK,  NF,  OK,  OK,   NF,  FB,   NF]),
    (M::RecordActual,          [UA,  FB,    OK,  OK,  FB,  OK,  NF,  OK,  OK,   NF,  FB,   NF]),
    (M::CreateIndicator,       [UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   NF,  FB,   NF]),
    (M::UpdateIndicator,       [UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   NF,  FB,   NF]),
    (M::SetTarget,             [UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   NF,  FB,   NF]),
    (M::RemoveTarget,          [UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   NF,  FB,   NF]),
    (M::GrantAccess,           [UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   NF,  FB,   NF]),
    (M::RevokeGrant,           [UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   NF,  FB,   NF]),
    (M::CreateRegion,          [UA,  FB,    FB,  FB,  FB,  FB,  FB,  FB,  OK,   FB,  FB,   FB]),
    (M::UpdateRegion,          [UA,  FB,    FB,  FB,  FB,  FB,  FB,  FB,  OK,   FB,  FB,   FB]),
    (M::CreateDepartment,      [UA,  FB,    FB,  FB,  FB,  FB,  FB,  FB,  OK,   FB,  FB,   FB]),
    (M::UpdateDepartment,      [UA,  FB,    FB,  FB,  FB,  FB,  FB,  FB,  OK,   FB,  FB,   FB]),
    (M::AddDepartmentAlias,    [UA,  FB,    FB,  FB,  FB,  FB,  FB,  FB,  OK,   FB,  FB,   FB]),
    (M::RemoveDepartmentAlias, [UA,  FB,    FB,  FB,  FB,  FB,  FB,  FB,  OK,   FB,  FB,   FB]),
    (M::RevokeToken,           [UA,  FB,    FB,  FB,  FB,  FB,  FB,  FB,  OK,   FB,  FB,   FB]),
    // Webhook endpoints acting as 静海区统计局: ADMIN, or a coordinator whose jurisdiction holds the department.
    (M::RegisterWebhookEndpoint,[UA, FB,    FB,  FB,  FB,  OK,  FB,  OK,  OK,   FB,  FB,   FB]),
    (M::EnableWebhookEndpoint, [UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   FB,  FB,   FB]),
    (M::DisableWebhookEndpoint,[UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   FB,  FB,   FB]),
    (M::RotateWebhookSecret,   [UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   FB,  FB,   FB]),
    (M::DeleteWebhookEndpoint, [UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   FB,  FB,   FB]),
    (M::ResendWebhookDelivery, [UA,  FB,    FB,  FB,  FB,  OK,  NF,  OK,  OK,   FB,  FB,   FB]),
];

impl M {
    /// The GraphQL field.
    fn field(self) -> String {
        let name = if self == M::CloseTask { "ReportProgress".to_owned() } else { format!("{self:?}") };
        name[..1].to_lowercase() + &name[1..]
    }

    fn document(self) -> String {
        let field = self.field();
        let input = field[..1].to_uppercase() + &field[1..] + "Input";
        format!("mutation($input: {input}!) {{ {field}(input: $input) {{ __typename }} }}")
    }

    /// The audit entries (entity, action) a success adds, in order.
    fn audit(self) -> &'static [(&'static str, &'static str)] {
        match self {
            M::CreatePlan => &[("Plan", "CREATE")],
            M::UpdatePlan => &[("Plan", "UPDATE")],
            M::ArchivePlan => &[("Plan", "ARCHIVE")],
            M::CreateTask => &[("Task", "CREATE")],
            M::UpdateTask => &[("Task", "UPDATE")],
            M::MoveTask => &[("Task", "MOVE")],
            M::AssignDepartment => &[("Assignment", "CREATE")],
            M::UnassignDepartment => &[("Assignment", "DELETE")],
            M::ArchiveTask => &[("Task", "ARCHIVE")],
            M::ReportProgress => &[("ProgressReport", "REPORT_PROGRESS")],
            M::CloseTask => &[("ProgressReport", "REPORT_PROGRESS"), ("Task", "UPDATE")],
            M::RecordActual => &[("Actual", "RECORD_ACTUAL")],
            M::CreateIndicator => &[("Indicator", "CREATE")],
            M::UpdateIndicator => &[("Indicator", "UPDATE")],
            M::SetTarget => &[("Target", "CREATE")],
            M::RemoveTarget => &[("Target", "DELETE")],
            M::GrantAccess => &[("Grant", "GRANT")],
            M::RevokeGrant => &[("Grant", "REVOKE")],
            M::CreateRegion => &[("Region", "CREATE")],
            M::UpdateRegion => &[("Region", "UPDATE")],
            M::CreateDepartment => &[("Department", "CREATE")],
            M::UpdateDepartment => &[("Department", "UPDATE")],
            M::AddDepartmentAlias => &[("DepartmentAlias", "CREATE")],
            M::RemoveDepartmentAlias => &[("DepartmentAlias", "DELETE")],
            M::RevokeToken => &[("RevokedToken", "REVOKE")],
            M::RegisterWebhookEndpoint => &[("WebhookEndpoint", "CREATE")],
            M::EnableWebhookEndpoint => &[("WebhookEndpoint", "ENABLE")],
            M::DisableWebhookEndpoint => &[("WebhookEndpoint", "DISABLE")],
            M::RotateWebhookSecret => &[("WebhookEndpoint", "ROTATE_SECRET")],
            M::DeleteWebhookEndpoint => &[("WebhookEndpoint", "DELETE")],
            // A re-send is recorded as a delivery attempt, not in the audit trail.
            M::ResendWebhookDelivery => &[],
        }
    }
}

/// Record IDs the mutations act on.
struct Fixture {
    plan: String,
    task: String,
    indicator: String,
    jinghai: String,
    /// 宁河区: the region updateRegion changes.
    ninghe: String,
    /// 静海区统计局: the department assigned, unassigned, updated and aliased.
    spare: String,
    /// 滨海新区生态环境局: the department grantAccess and revokeGrant cells grant to.
    grantee: String,
}

/// Makes the 静海区 plan CONDITIONAL, assigns the SUPPORT caller to 三.（三）.1, grants the plan to
/// the grant holder (active) and to the expired holder (expired yesterday).
async fn mutation_fixture(app: &TestApp, callers: &Callers) -> Fixture {
    let db = &app.db;
    let found = plan::Entity::find().filter(plan::Column::Title.eq("天津市静海区碳达峰实施方案")).one(db).await;
    let plan = found.unwrap().expect("the 静海区 plan").id;
    let found = indicator::Entity::find()
        .filter(indicator::Column::PlanId.eq(plan.clone()))
        .filter(indicator::Column::Name.eq("可再生能源电力装机容量"))
        .one(db)
        .await;
    let indicator = found.unwrap().expect("the renewable capacity indicator");
    let fx = Fixture {
        task: indicator.task_id.clone().expect("its task"),
        indicator: indicator.id,
        jinghai: region_id(db, "120118").await,
        ninghe: region_id(db, "120117").await,
        spare: dept_id(app, "静海区统计局").await,
        grantee: dept_id(app, "滨海新区生态环境局").await,
        plan,
    };
    let admin = callers.token(Caller::Admin);
    let input = json!({ "id": gid(NodeKind::Plan, &fx.plan), "sharingClass": "CONDITIONAL",
                        "expectedVersion": version(db, plan::Entity, &fx.plan).await });
    setup(app, admin, "updatePlan", "plan", input).await;
    let input = json!({ "taskId": gid(NodeKind::Task, &fx.task), "role": "SUPPORT",
                        "departmentId": gid(NodeKind::Department, &dept_id(app, SUPPORT).await) });
    setup(app, admin, "assignDepartment", "task", input).await;
    let input = json!({ "planId": gid(NodeKind::Plan, &fx.plan), "expiresAt": (Utc::now() + Duration::days(30)),
                        "departmentId": gid(NodeKind::Department, &dept_id(app, GRANT_HOLDER).await) });
    setup(app, admin, "grantAccess", "grant", input).await;
    insert_grant(db, &fx.plan, &dept_id(app, EXPIRED_HOLDER).await, Duration::days(-1)).await;
    fx
}

/// Everything a mutation could change: row counts, and the versions of the records the cells update.
async fn snapshot(db: &DatabaseConnection, fx: &Fixture) -> Vec<(&'static str, i64)> {
    let active = access_grant::Entity::find().filter(access_grant::Column::RevokedAt.is_null()).count(db).await;
    vec![
        ("plan", rows(db, plan::Entity).await),
        ("task", rows(db, task::Entity).await),
        ("task_assignment", rows(db, task_assignment::Entity).await),
        ("indicator", rows(db, indicator::Entity).await),
        ("indicator_target", rows(db, indicator_target::Entity).await),
        ("indicator_actual", rows(db, indicator_actual::Entity).await),
        ("progress_report", rows(db, progress_report::Entity).await),
        ("region", rows(db, region::Entity).await),
        ("department", rows(db, department::Entity).await),
        ("department_alias", rows(db, department_alias::Entity).await),
        ("access_grant", rows(db, access_grant::Entity).await),
        ("active grants", i64::try_from(active.unwrap()).unwrap()),
        ("revoked_token", rows(db, revoked_token::Entity).await),
        ("idempotency_record", rows(db, idempotency_record::Entity).await),
        ("change", rows(db, change::Entity).await),
        ("plan version", version(db, plan::Entity, &fx.plan).await),
        ("task version", version(db, task::Entity, &fx.task).await),
        ("indicator version", version(db, indicator::Entity, &fx.indicator).await),
        ("region version", version(db, region::Entity, &fx.ninghe).await),
        ("department version", version(db, department::Entity, &fx.spare).await),
    ]
}

/// Prepares the state a cell needs and returns its fresh input; `n` is unique per cell, `i` the caller.
async fn prepare(app: &TestApp, admin: &str, fx: &Fixture, m: M, n: usize, i: usize) -> Value {
    let db = &app.db;
    let (plan_id, task_id) = (gid(NodeKind::Plan, &fx.plan), gid(NodeKind::Task, &fx.task));
    let indicator_id = gid(NodeKind::Indicator, &fx.indicator);
    let spare = gid(NodeKind::Department, &fx.spare);
    let month = format!("{:02}", i + 1);
    let key = format!("authz-{n}");
    match m {
        M::CreatePlan => json!({ "title": format!("授权矩阵新方案{n}"), "regionId": gid(NodeKind::Region, &fx.jinghai),
                                 "kind": "ACTION_PLAN", "sharingClass": "PUBLIC", "idempotencyKey": key }),
        M::UpdatePlan => json!({ "id": plan_id, "expectedVersion": version(db, plan::Entity, &fx.plan).await,
                                 "documentNumber": format!("津静海政发〔2023〕{n}号") }),
        M::ArchivePlan => json!({ "id": plan_id, "expectedVersion": version(db, plan::Entity, &fx.plan).await }),
        M::CreateTask => json!({ "planId": plan_id, "kind": "TASK", "code": format!("九.{n}"),
                                 "title": format!("授权矩阵新任务{n}"), "idempotencyKey": key }),
        M::UpdateTask => json!({ "id": task_id, "expectedVersion": version(db, task::Entity, &fx.task).await,
                                 "title": format!("可再生能源发展（修订{n}）") }),
        M::MoveTask | M::ArchiveTask => {
            json!({ "id": task_id, "expectedVersion": version(db, task::Entity, &fx.task).await })
        }
        M::AssignDepartment => {
            let (on_task, of_spare) = (task_assignment::Column::TaskId, task_assignment::Column::DepartmentId);
            let found = task_assignment::Entity::delete_many().filter(on_task.eq(fx.task.clone()));
            found.filter(of_spare.eq(fx.spare.clone())).exec(db).await.unwrap();
            json!({ "taskId": task_id, "departmentId": spare, "role": "SUPPORT" })
        }
        M::UnassignDepartment => {
            let input = json!({ "taskId": task_id, "departmentId": spare, "role": "SUPPORT" });
            setup(app, admin, "assignDepartment", "task", input).await;
            json!({ "taskId": task_id, "departmentId": spare })
        }
        M::ReportProgress | M::CloseTask => {
            // From IN_PROGRESS, a plain report changes no status and a closing one exactly one.
            let mut found =
                task::Entity::find_by_id(fx.task.clone()).one(db).await.unwrap().unwrap().into_active_model();
            found.status = sea_orm::ActiveValue::Set(TaskStatus::InProgress);
            found.update(db).await.unwrap();
            let (period, status) = if m == M::CloseTask { ("2025", "COMPLETED") } else { ("2024", "IN_PROGRESS") };
            json!({ "taskId": task_id, "period": format!("{period}-{month}"), "status": status, "percent": 50,
                    "narrative": format!("授权矩阵进展{n}"), "idempotencyKey": key })
        }
        M::RecordActual => json!({ "indicatorId": indicator_id, "period": format!("2023-{month}"),
                                   "value": 100 + n, "idempotencyKey": key }),
        M::CreateIndicator => json!({ "planId": plan_id, "taskId": task_id, "name": format!("授权矩阵新指标{n}"),
                                      "unit": "万千瓦", "measure": "QUANTITY", "direction": "HIGHER_IS_BETTER",
                                      "summable": true, "nature": "EXPECTED", "idempotencyKey": key }),
        M::UpdateIndicator => json!({ "id": indicator_id, "summable": true,
                                      "expectedVersion": version(db, indicator::Entity, &fx.indicator).await }),
        M::SetTarget => json!({ "indicatorId": indicator_id, "year": 2040 + i, "comparator": "GTE", "value": 300 }),
        M::RemoveTarget => {
            let target = json!({ "indicatorId": indicator_id, "year": 2060, "comparator": "GTE", "value": 500 });
            setup(app, admin, "setTarget", "target", target).await;
            json!({ "indicatorId": indicator_id, "year": 2060 })
        }
        M::GrantAccess => json!({ "planId": plan_id, "departmentId": gid(NodeKind::Department, &fx.grantee),
                                  "expiresAt": Utc::now() + Duration::days(7), "idempotencyKey": key }),
        M::RevokeGrant => {
            let grant = insert_grant(db, &fx.plan, &fx.grantee, Duration::days(7)).await;
            json!({ "id": gid(NodeKind::AccessGrant, &grant) })
        }
        M::CreateRegion => json!({ "code": format!("99{n:04}"), "name": format!("测试区{n}"), "level": "DISTRICT",
                                   "nameEn": format!("Test District {n}"), "idempotencyKey": key }),
        M::UpdateRegion => json!({ "id": gid(NodeKind::Region, &fx.ninghe), "nameEn": format!("Ninghe {n}"),
                                   "expectedVersion": version(db, region::Entity, &fx.ninghe).await }),
        M::CreateDepartment => json!({ "name": format!("授权矩阵测试单位{n}"), "kind": "BUREAU",
                                       "regionId": gid(NodeKind::Region, &fx.jinghai), "idempotencyKey": key }),
        M::UpdateDepartment => json!({ "id": spare, "kind": "BUREAU",
                                       "expectedVersion": version(db, department::Entity, &fx.spare).await }),
        M::AddDepartmentAlias => json!({ "departmentId": spare, "alias": format!("统计局别名{n}") }),
        M::RemoveDepartmentAlias => {
            let alias = format!("待删别名{n}");
            let input = json!({ "departmentId": spare, "alias": alias });
            setup(app, admin, "addDepartmentAlias", "department", input.clone()).await;
            input
        }
        M::RevokeToken => json!({ "jti": format!("authz-jti-{n}"), "reason": "授权矩阵" }),
        M::RegisterWebhookEndpoint => {
            json!({ "url": HOOK, "departmentId": spare, "role": "READER", "idempotencyKey": key })
        }
        M::EnableWebhookEndpoint | M::DisableWebhookEndpoint | M::RotateWebhookSecret | M::DeleteWebhookEndpoint => {
            let input = json!({ "url": HOOK, "departmentId": spare, "role": "READER" });
            let id = setup(app, admin, "registerWebhookEndpoint", "endpoint", input).await;
            if m == M::EnableWebhookEndpoint {
                setup(app, admin, "disableWebhookEndpoint", "endpoint", json!({ "id": id })).await;
            }
            json!({ "id": id })
        }
        M::ResendWebhookDelivery => {
            let input = json!({ "url": HOOK, "departmentId": spare, "role": "READER" });
            let endpoint = setup(app, admin, "registerWebhookEndpoint", "endpoint", input).await;
            let alias = json!({ "departmentId": spare, "alias": format!("投递别名{n}") });
            setup(app, admin, "addDepartmentAlias", "department", alias).await;
            json!({ "id": gid(NodeKind::WebhookDelivery, &insert_delivery(db, &endpoint).await) })
        }
    }
}

/// The receiver of the webhook rows: nothing listens there, so deliveries fail (and are recorded).
const HOOK: &str = "http://127.0.0.1:9/hook";

/// A delivery of the latest change to endpoint `endpoint` (a global ID); returns its record ID.
async fn insert_delivery(db: &DatabaseConnection, endpoint: &str) -> String {
    let (_, endpoint_id) = xietong::ids::from_global_any(&async_graphql::ID(endpoint.to_owned()), "id").unwrap();
    let now = Utc::now();
    let row = webhook_delivery::Model {
        id: uuid::Uuid::new_v4().to_string(),
        endpoint_id,
        seq: last_seq(db).await,
        status: "DELIVERED".into(),
        attempts: 1,
        last_status_code: Some(204),
        last_latency_ms: Some(1),
        last_error: None,
        next_attempt_at: None,
        created_at: now,
        updated_at: now,
        delivered_at: Some(now),
    };
    // The worker may have recorded its own (failed) delivery of that change first: then that one is used.
    let (endpoint_id, seq) = (row.endpoint_id.clone(), row.seq);
    let keep_first =
        sea_orm::sea_query::OnConflict::columns([webhook_delivery::Column::EndpointId, webhook_delivery::Column::Seq])
            .do_nothing()
            .to_owned();
    webhook_delivery::Entity::insert(row.into_active_model())
        .on_conflict(keep_first)
        .exec_without_returning(db)
        .await
        .expect("insert a delivery");
    let found = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::EndpointId.eq(endpoint_id))
        .filter(webhook_delivery::Column::Seq.eq(seq))
        .one(db)
        .await;
    found.unwrap().expect("the delivery").id
}

/// The outcome of a response, or the whole body when it is none of the four.
fn outcome(body: &Value, field: &str) -> Result<Outcome, String> {
    match error_code(body) {
        None if !body["data"][field].is_null() => Ok(OK),
        Some("FORBIDDEN") => Ok(FB),
        Some("UNAUTHENTICATED") => Ok(UA),
        Some("NOT_FOUND") => Ok(NF),
        _ => Err(body.to_string()),
    }
}

/// Whether the changes after `seq` are exactly `m`'s audit entries, recorded as made by `who`.
async fn audit_failure(db: &DatabaseConnection, seq: i64, m: M, who: &Identity) -> Option<String> {
    let added = change::Entity::find().filter(change::Column::Seq.gt(seq)).order_by_asc(change::Column::Seq).all(db);
    let added = added.await.unwrap();
    let entries: Vec<(&str, &str)> = added.iter().map(|c| (c.entity.as_str(), c.action.as_str())).collect();
    let role = serde_json::to_value(who.role).unwrap();
    let by_caller = added
        .iter()
        .all(|c| c.actor_department_id.as_deref() == Some(who.department_id.as_str()) && c.actor_role == role);
    (entries != m.audit() || !by_caller).then(|| format!("audit entries {entries:?}, expected {:?} by it", m.audit()))
}

/// Runs the cells of the rows `first..=last` of [`MATRIX`] on one app and fails listing every wrong cell.
async fn check_rows(first: M, last: M) {
    // Webhooks on for the webhook rows; their receiver never answers, so nothing else changes.
    let app = spawn_app_configured(|s| s.webhooks.webhook_allow_hosts = vec!["127.0.0.1".into()]).await;
    let callers = Callers::of(&app).await;
    let fx = mutation_fixture(&app, &callers).await;
    let admin = callers.token(Caller::Admin);
    let mut failures = Vec::new();
    let index = |m: M| MATRIX.iter().position(|(r, _)| *r == m).expect("a row");
    for (row, (m, expected)) in MATRIX.iter().enumerate().take(index(last) + 1).skip(index(first)) {
        let m = *m;
        for (i, (caller, _)) in CALLERS.iter().enumerate() {
            let cell = format!("{m:?} × {caller:?}");
            let input = prepare(&app, admin, &fx, m, row * CALLERS.len() + i, i).await;
            let (before, seq) = (snapshot(&app.db, &fx).await, last_seq(&app.db).await);
            let body = callers.send(&app, i, &m.document(), json!({ "input": input })).await;
            let got = match outcome(&body, &m.field()) {
                Ok(got) => got,
                Err(body) => {
                    failures.push(format!("{cell}: expected {:?}, got {body}", expected[i]));
                    continue;
                }
            };
            if got != expected[i] {
                let message = body["errors"][0]["message"].as_str().unwrap_or("").to_owned();
                failures.push(format!("{cell}: expected {:?}, got {got:?} {message}", expected[i]));
            } else if got == OK {
                let who = callers.0[i].as_ref().expect("a success needs a token");
                failures.extend(audit_failure(&app.db, seq, m, who).await.map(|f| format!("{cell}: {f}")));
            } else {
                let after = snapshot(&app.db, &fx).await;
                let changed: Vec<_> = before.iter().zip(&after).filter(|(b, a)| b != a).collect();
                if !changed.is_empty() {
                    failures.push(format!("{cell}: refused with {got:?} but changed {changed:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} wrong cells:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn plan_mutations_follow_the_matrix() {
    check_rows(M::CreatePlan, M::ArchivePlan).await;
}

#[tokio::test]
async fn task_mutations_follow_the_matrix() {
    check_rows(M::CreateTask, M::ArchiveTask).await;
}

#[tokio::test]
async fn reporting_mutations_follow_the_matrix() {
    check_rows(M::ReportProgress, M::RecordActual).await;
}

#[tokio::test]
async fn indicator_mutations_follow_the_matrix() {
    check_rows(M::CreateIndicator, M::RemoveTarget).await;
}

#[tokio::test]
async fn grant_mutations_follow_the_matrix() {
    check_rows(M::GrantAccess, M::RevokeGrant).await;
}

#[tokio::test]
async fn administrative_mutations_follow_the_matrix() {
    check_rows(M::CreateRegion, M::RevokeToken).await;
}

#[tokio::test]
async fn webhook_mutations_follow_the_matrix() {
    check_rows(M::RegisterWebhookEndpoint, M::ResendWebhookDelivery).await;
}

#[tokio::test]
async fn the_matrix_covers_every_mutation_and_every_caller() {
    let app = spawn_app().await;
    let data = app.data("{ __schema { mutationType { fields { name } } } }", json!({})).await;
    let served =
        data["__schema"]["mutationType"]["fields"].as_array().unwrap().iter().filter_map(|f| f["name"].as_str());
    let missing: Vec<&str> =
        served.filter(|f| !MATRIX.iter().any(|(m, _)| m.field() == *f) && !UPLOADS.contains(f)).collect();
    assert!(missing.is_empty(), "mutations without a row in MATRIX: {missing:?}");
    let callers: Vec<Caller> = SEES.iter().map(|(c, _)| *c).collect();
    assert_eq!(callers, CALLERS.map(|(c, _)| c), "SEES lists the callers in CALLERS order");
}

/// Mutations that take a file (`Upload`), which a JSON request cannot carry: each runs the service
/// of an HTTP import route whose rights are tested there (tests/api/imports.rs, task_imports.rs),
/// and their refusals over multipart requests are tested in task_imports.rs.
const UPLOADS: [&str; 2] = ["importActuals", "importTaskTable"];

// ------------------------------------------------------------------ visibility

const Y: bool = true;
const N: bool = false;

/// Which sample records each caller reads. Columns: the PUBLIC, UNCONDITIONAL plans (each with its task
/// and indicator); the CONDITIONAL plan itself; its task A, assigned to 静海区发展改革委 (LEAD) and
/// 南开区城市管理委 (SUPPORT), with A's indicator; its unassigned task B with B's indicator; the
/// NOT_SHARED plan (issued by 静海区发展改革委) with its task and indicator; the Grant entries of the
/// change feed. The CONDITIONAL plan is granted to 南开区发展改革委 and was granted to 南开区生态环境局
/// until yesterday.
#[rustfmt::skip]
const SEES: [(Caller, [bool; 7]); 12] = [
    //                                 PUB UNC C.plan C.A  C.B  NOT_SHARED grants
    (Caller::Anonymous,               [Y,  N,  N,     N,   N,   N,         N]),
    (Caller::Reader,                  [Y,  Y,  Y,     Y,   Y,   N,         N]),
    (Caller::Lead,                    [Y,  Y,  Y,     Y,   Y,   Y,         N]),
    (Caller::Support,                 [Y,  Y,  Y,     Y,   N,   N,         N]),
    (Caller::Unassigned,              [Y,  Y,  Y,     Y,   Y,   N,         N]),
    (Caller::DistrictCoordinator,     [Y,  Y,  Y,     Y,   Y,   Y,         N]),
    (Caller::OtherDistrictCoordinator,[Y,  Y,  N,     N,   N,   N,         N]),
    (Caller::CityCoordinator,         [Y,  Y,  Y,     Y,   Y,   Y,         N]),
    (Caller::Admin,                   [Y,  Y,  Y,     Y,   Y,   Y,         Y]),
    (Caller::BeijingPartner,          [Y,  Y,  N,     N,   N,   N,         N]),
    (Caller::GrantHolder,             [Y,  Y,  Y,     Y,   Y,   N,         N]),
    (Caller::ExpiredGrant,            [Y,  Y,  N,     N,   N,   N,         N]),
];
const GRANTS: usize = 6;

const PREFIX: &str = "授权矩阵样本";

/// A sample plan and its tasks (global IDs), each with the column of [`SEES`] that decides it.
struct Sample {
    column: usize,
    id: String,
    tasks: Vec<SampleTask>,
    grants: usize,
}

struct SampleTask {
    column: usize,
    id: String,
    indicator: String,
    assignments: usize,
}

/// As ADMIN, creates the four sample plans in 静海区 with their tasks, indicators, assignments and grants.
async fn visibility_fixture(app: &TestApp, callers: &Callers) -> Vec<Sample> {
    let admin = callers.token(Caller::Admin);
    let dept = |name: &'static str| async move { gid(NodeKind::Department, &dept_id(app, name).await) };
    let jinghai = gid(NodeKind::Region, &region_id(&app.db, "120118").await);
    let mut samples = Vec::new();
    let classes = [("PUBLIC", 0, vec![0]), ("UNCONDITIONAL", 1, vec![1]), ("CONDITIONAL", 2, vec![3, 4])];
    for (class, column, tasks) in classes.into_iter().chain([("NOT_SHARED", 5, vec![5])]) {
        let (issuer, basis) = match class {
            "NOT_SHARED" => (dept(LEAD).await, json!("《政务数据共享条例》：涉及未公开的重大项目信息")),
            _ => (dept("静海区人民政府").await, Value::Null),
        };
        let input = json!({ "title": format!("{PREFIX}{class}方案"), "regionId": jinghai, "issuerId": issuer,
                            "kind": "IMPLEMENTATION_PLAN", "sharingClass": class, "legalBasis": basis });
        let id = setup(app, admin, "createPlan", "plan", input).await;
        let mut sample = Sample { column, id, tasks: vec![], grants: 0 };
        for (k, column) in tasks.into_iter().enumerate() {
            let input = json!({ "planId": sample.id, "kind": "TASK", "code": format!("一.{k}"),
                                "title": format!("{PREFIX}{class}任务{k}") });
            let id = setup(app, admin, "createTask", "task", input).await;
            let input = json!({ "planId": sample.id, "taskId": id, "name": format!("{PREFIX}{class}指标{k}"),
                                "unit": "万千瓦", "measure": "QUANTITY", "direction": "HIGHER_IS_BETTER",
                                "summable": true, "nature": "EXPECTED" });
            let indicator = setup(app, admin, "createIndicator", "indicator", input).await;
            let assigned = if column == 3 { vec![(LEAD, "LEAD"), (SUPPORT, "SUPPORT")] } else { vec![] };
            for (name, role) in &assigned {
                let input = json!({ "taskId": id, "departmentId": dept(name).await, "role": role });
                setup(app, admin, "assignDepartment", "task", input).await;
            }
            sample.tasks.push(SampleTask { column, id, indicator, assignments: assigned.len() });
        }
        if class == "CONDITIONAL" {
            let input = json!({ "planId": sample.id, "departmentId": dept(GRANT_HOLDER).await,
                                "expiresAt": Utc::now() + Duration::days(30) });
            setup(app, admin, "grantAccess", "grant", input).await;
            sample.grants = 1;
            let plan = xietong::ids::from_global(NodeKind::Plan, &sample.id, "id").unwrap();
            insert_grant(&app.db, &plan, &dept_id(app, EXPIRED_HOLDER).await, Duration::days(-1)).await;
        }
        samples.push(sample);
    }
    samples
}

/// Compares a connection (its nodes and its totalCount) with the expected IDs.
fn expect_ids<'a>(failures: &mut Vec<String>, what: &str, list: &Value, expected: impl Iterator<Item = &'a String>) {
    let mut expected: Vec<&str> = expected.map(String::as_str).collect();
    let mut got: Vec<&str> = list["nodes"].as_array().expect("nodes").iter().filter_map(|n| n["id"].as_str()).collect();
    expected.sort();
    got.sort();
    if got != expected || list["totalCount"].as_u64() != Some(expected.len() as u64) {
        failures.push(format!("{what}: expected {expected:?}, got {list}"));
    }
}

/// One entry of the change feed, with the ID of the plan, task or indicator it creates.
fn feed_entry(change: &Value) -> String {
    let (entity, action) = (change["entity"].as_str().unwrap(), change["action"].as_str().unwrap());
    match entity {
        "Plan" | "Task" | "Indicator" => format!("{entity} {action} {}", change["entityId"].as_str().unwrap()),
        _ => format!("{entity} {action}"),
    }
}

const LISTS: &str = "query($search: String!, $region: ID!) {
    plans(filter: {search: $search}, first: 20) { totalCount nodes { id
        tasks { totalCount nodes { id indicators { nodes { id } } } } indicators { totalCount nodes { id } } } }
    region: node(id: $region) { ... on Region { plans(filter: {search: $search}) { totalCount nodes { id } } } }
    tasks(filter: {search: $search}, first: 20) { totalCount nodes { id } }
    indicators(filter: {search: $search}, first: 20) { totalCount nodes { id } } }";

/// Root lists, their totalCounts, `Region.plans`, `Plan.tasks`, `Plan.indicators` and `Task.indicators`.
async fn check_lists(app: &TestApp, callers: &Callers, i: usize, samples: &[Sample], failures: &mut Vec<String>) {
    let (caller, sees) = SEES[i];
    let region = gid(NodeKind::Region, &region_id(&app.db, "120118").await);
    let body = callers.send(app, i, LISTS, json!({ "search": PREFIX, "region": region })).await;
    assert!(body.get("errors").is_none(), "{caller:?}: {body:#}");
    let data = &body["data"];
    let plans = || samples.iter().filter(|p| sees[p.column]).map(|p| &p.id);
    let tasks = || samples.iter().flat_map(|p| &p.tasks).filter(|t| sees[t.column]);
    expect_ids(failures, &format!("{caller:?} plans"), &data["plans"], plans());
    expect_ids(failures, &format!("{caller:?} Region.plans"), &data["region"]["plans"], plans());
    expect_ids(failures, &format!("{caller:?} tasks"), &data["tasks"], tasks().map(|t| &t.id));
    expect_ids(failures, &format!("{caller:?} indicators"), &data["indicators"], tasks().map(|t| &t.indicator));
    for node in data["plans"]["nodes"].as_array().unwrap() {
        let Some(plan) = samples.iter().find(|p| p.id == node["id"]) else { continue };
        let visible = || plan.tasks.iter().filter(|t| sees[t.column]);
        let what = format!("{caller:?} Plan[{}]", plan.column);
        expect_ids(failures, &format!("{what}.tasks"), &node["tasks"], visible().map(|t| &t.id));
        expect_ids(failures, &format!("{what}.indicators"), &node["indicators"], visible().map(|t| &t.indicator));
        for task in node["tasks"]["nodes"].as_array().unwrap() {
            let Some(t) = plan.tasks.iter().find(|t| t.id == task["id"]) else { continue };
            if task["indicators"]["nodes"] != json!([{ "id": t.indicator }]) {
                failures
                    .push(format!("{what} Task.indicators: expected [{}], got {}", t.indicator, task["indicators"]));
            }
        }
    }
}

/// `node(id)` of every sample record, and `changes(filter: {planId})` of every sample plan.
async fn check_nodes_and_feeds(
    app: &TestApp,
    callers: &Callers,
    i: usize,
    samples: &[Sample],
    failures: &mut Vec<String>,
) {
    let (caller, sees) = SEES[i];
    let mut records: Vec<(&str, bool)> = samples.iter().map(|p| (p.id.as_str(), sees[p.column])).collect();
    for t in samples.iter().flat_map(|p| &p.tasks) {
        records.extend([(t.id.as_str(), sees[t.column]), (t.indicator.as_str(), sees[t.column])]);
    }
    let nodes = records.iter().enumerate().map(|(k, (id, _))| format!("n{k}: node(id: \"{id}\") {{ id }}"));
    let feeds = samples.iter().enumerate().map(|(k, p)| {
        format!("c{k}: changes(filter: {{planId: \"{}\"}}) {{ totalCount nodes {{ entity action entityId }} }}", p.id)
    });
    let query = format!("{{ {} }}", nodes.chain(feeds).collect::<Vec<_>>().join(" "));
    let body = callers.send(app, i, &query, json!({})).await;
    assert!(body.get("errors").is_none(), "{caller:?}: {body:#}");
    for (k, (id, visible)) in records.iter().enumerate() {
        let node = &body["data"][format!("n{k}")];
        if node.is_null() == *visible {
            failures.push(format!("{caller:?} node({id}): expected visible={visible}, got {node}"));
        }
    }
    for (k, p) in samples.iter().enumerate() {
        let mut expected = Vec::new();
        if sees[p.column] {
            expected.push(format!("Plan CREATE {}", p.id));
        }
        for t in p.tasks.iter().filter(|t| sees[t.column]) {
            expected.extend([format!("Task CREATE {}", t.id), format!("Indicator CREATE {}", t.indicator)]);
            expected.extend((0..t.assignments).map(|_| "Assignment CREATE".to_owned()));
        }
        expected.extend((0..if sees[GRANTS] { p.grants } else { 0 }).map(|_| "Grant GRANT".to_owned()));
        expected.sort();
        let feed = &body["data"][format!("c{k}")];
        let mut got: Vec<String> = feed["nodes"].as_array().unwrap().iter().map(feed_entry).collect();
        got.sort();
        if got != expected || feed["totalCount"].as_u64() != Some(expected.len() as u64) {
            failures
                .push(format!("{caller:?} changes(planId: Plan[{}]): expected {expected:?}, got {got:?}", p.column));
        }
    }
}

#[tokio::test]
async fn every_caller_reads_exactly_what_the_sharing_classes_allow() {
    let app = spawn_app().await;
    let callers = Callers::of(&app).await;
    let samples = visibility_fixture(&app, &callers).await;
    let mut failures = Vec::new();
    for i in 0..SEES.len() {
        check_lists(&app, &callers, i, &samples, &mut failures).await;
        check_nodes_and_feeds(&app, &callers, i, &samples, &mut failures).await;
    }
    assert!(failures.is_empty(), "{} wrong reads:\n{}", failures.len(), failures.join("\n"));
}

// ------------------------------------------------------------------ both forms of the rule

/// Adds records that set their own class, where the rule's subtler terms show: under the PUBLIC
/// sample plan a NOT_SHARED task with a child (and the child's indicator), and a CONDITIONAL task
/// assigned to the SUPPORT bureau; an indicator that sets NOT_SHARED on the PUBLIC plan's task; an
/// indicator that sets PUBLIC on the CONDITIONAL plan's unassigned task. Returns the hidden child's
/// record ID.
async fn own_class_fixture(app: &TestApp, callers: &Callers, samples: &[Sample]) -> String {
    let admin = callers.token(Caller::Admin);
    let basis = json!("《政务数据共享条例》：样本");
    let public_plan = &samples[0];
    let input = json!({ "planId": public_plan.id, "kind": "TASK", "code": "二.0", "title": format!("{PREFIX}自定不共享任务"),
                        "sharingClass": "NOT_SHARED", "legalBasis": basis });
    let hidden = setup(app, admin, "createTask", "task", input).await;
    let input = json!({ "planId": public_plan.id, "parentId": hidden, "kind": "TASK", "code": "二.0.1",
                        "title": format!("{PREFIX}不共享任务之下") });
    let child = setup(app, admin, "createTask", "task", input).await;
    let indicator = |task: &str, name: &str, class: Value| {
        json!({ "planId": public_plan.id, "taskId": task, "name": format!("{PREFIX}{name}"), "unit": "个",
                "measure": "QUANTITY", "direction": "HIGHER_IS_BETTER", "summable": true, "nature": "EXPECTED",
                "sharingClass": class, "legalBasis": basis })
    };
    setup(app, admin, "createIndicator", "indicator", indicator(&child, "不共享任务之下指标", Value::Null)).await;
    let input = json!({ "planId": public_plan.id, "kind": "TASK", "code": "二.1", "title": format!("{PREFIX}自定有条件任务"),
                        "sharingClass": "CONDITIONAL", "legalBasis": basis });
    let conditional = setup(app, admin, "createTask", "task", input).await;
    let support = gid(NodeKind::Department, &dept_id(app, SUPPORT).await);
    let input = json!({ "taskId": conditional, "departmentId": support, "role": "LEAD" });
    setup(app, admin, "assignDepartment", "task", input).await;
    let on_public_task = indicator(&public_plan.tasks[0].id, "自定不共享指标", json!("NOT_SHARED"));
    setup(app, admin, "createIndicator", "indicator", on_public_task).await;
    let conditional_plan = &samples[2];
    let mut on_unassigned = indicator(&conditional_plan.tasks[1].id, "自定公开指标", json!("PUBLIC"));
    on_unassigned["planId"] = json!(conditional_plan.id);
    setup(app, admin, "createIndicator", "indicator", on_unassigned).await;
    xietong::ids::from_global(NodeKind::Task, &child, "id").unwrap()
}

/// The IDs, sorted.
fn sorted(ids: impl Iterator<Item = String>) -> Vec<String> {
    let mut ids: Vec<String> = ids.collect();
    ids.sort();
    ids
}

/// The access rule is written two ways (`Viewer::task_condition`, which computes the sets of plans
/// it opens once per statement, for counts and scans; `task_condition_per_row`, which judges each
/// row against its own plan's row, for pages and keys), and likewise for indicators: for every
/// caller of the matrix both keep exactly the same tasks and indicators, over the default dataset,
/// the visibility samples and records that set their own class.
#[tokio::test]
async fn both_forms_of_the_access_rule_keep_the_same_records() {
    use xietong::access::Viewer;
    let app = spawn_app().await;
    let callers = Callers::of(&app).await;
    let samples = visibility_fixture(&app, &callers).await;
    let hidden_child = own_class_fixture(&app, &callers, &samples).await;
    let mut seen_counts = Vec::new();
    for (i, (caller, _)) in CALLERS.iter().enumerate() {
        let viewer = match &callers.0[i] {
            None => Viewer::anonymous(),
            Some(who) => {
                let identity = xietong::auth::identity::acting_as(&app.db, "both-forms", &who.department_id, who.role);
                Viewer { identity: Some(identity.await.unwrap()) }
            }
        };
        let tasks_of = |condition| async { task::Entity::find().filter(condition).all(&app.db).await.unwrap() };
        let tasks = sorted(tasks_of(viewer.task_condition()).await.into_iter().map(|t| t.id));
        let per_row = sorted(tasks_of(viewer.task_condition_per_row()).await.into_iter().map(|t| t.id));
        assert_eq!(tasks, per_row, "{caller:?}: the tasks of the two forms differ");
        let indicators_of =
            |condition| async { indicator::Entity::find().filter(condition).all(&app.db).await.unwrap() };
        let indicators = sorted(indicators_of(viewer.indicator_condition()).await.into_iter().map(|i| i.id));
        let per_row = sorted(indicators_of(viewer.indicator_condition_per_row()).await.into_iter().map(|i| i.id));
        assert_eq!(indicators, per_row, "{caller:?}: the indicators of the two forms differ");
        // Only the plan's issuer (静海区人民政府), the coordinators over 静海区 and ADMIN read under a NOT_SHARED task.
        let reads_hidden = matches!(caller, Caller::Admin | Caller::DistrictCoordinator | Caller::CityCoordinator);
        assert_eq!(tasks.contains(&hidden_child), reads_hidden, "{caller:?} and the task under a NOT_SHARED one");
        seen_counts.push((*caller, tasks.len(), indicators.len()));
    }
    // The callers see different amounts, so the comparison above is not between empty or full sets only.
    let distinct: std::collections::BTreeSet<(usize, usize)> = seen_counts.iter().map(|(_, t, i)| (*t, *i)).collect();
    assert!(distinct.len() >= 4, "{seen_counts:?}");
}
