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

use crate::helpers::{TestApp, error_code, spawn_app};
use chrono::{Duration, Utc};
use entity::enums::{AssignmentRole, Comparator, TaskStatus};
use entity::{
    access_grant, change, department, department_alias, idempotency_record, indicator, indicator_actual,
    indicator_target, plan, progress_report, region, revoked_token, task, task_assignment,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait, PrimaryKeyTrait,
    QueryFilter, QueryOrder,
};
use serde_json::{Value, json};
use xietong::access::Role;
use xietong::graphql::types::grant::grant_id;
use xietong::ids::{NodeKind, to_global};

// ------------------------------------------------------------------ callers

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    Reader,
    Lead,
    Support,
    Unassigned,
    DistrictCoordinator,
    OtherDistrictCoordinator,
    CityCoordinator,
    Admin,
    BeijingPartner,
    GrantHolder,
    ExpiredGrant,
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
    xietong::auth::cli::resolve_department(&app.db, name).await.expect("department").id
}

async fn region_id(db: &DatabaseConnection, code: &str) -> String {
    region::Entity::find().filter(region::Column::Code.eq(code)).one(db).await.unwrap().expect("region").id
}

/// Runs a setup operation as `token`, failing the test on any error.
async fn setup(app: &TestApp, token: &str, query: &str, input: Value) -> Value {
    let body = app.graphql_as(token, query, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "setup failed: {body:#}");
    body["data"].clone()
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum M {
    CreatePlan,
    UpdatePlan,
    ArchivePlan,
    CreateTask,
    UpdateTask,
    MoveTask,
    AssignDepartment,
    UnassignDepartment,
    ArchiveTask,
    ReportProgress,
    /// reportProgress with status COMPLETED.
    CloseTask,
    RecordActual,
    CreateIndicator,
    UpdateIndicator,
    SetTarget,
    RemoveTarget,
    GrantAccess,
    RevokeGrant,
    CreateRegion,
    UpdateRegion,
    CreateDepartment,
    UpdateDepartment,
    AddDepartmentAlias,
    RemoveDepartmentAlias,
    RevokeToken,
}

/// Expected outcome of each mutation for each caller. The target is the CONDITIONAL 静海区 plan, its task
/// 三.（三）.1 (LEAD 静海区发展改革委, SUPPORT 南开区城市管理委) or that task's indicator 可再生能源电力装机容量;
/// createPlan creates in 静海区; the administrative rows touch regions, departments and tokens.
#[rustfmt::skip]
const MATRIX: [(M, [Outcome; 12]); 25] = [
    //                          anon READER LEAD SUPP unas 静海 南开 city ADMIN 北京 grant expired
    (M::CreatePlan,            [UA,  FB,    FB,  FB,  FB,  OK,  FB,  OK,  OK,   FB,  FB,   FB]),
    (M::UpdatePlan,            [UA,  FB,    FB,  NF,  FB,  OK,  NF,  OK,  OK,   NF,  FB,   NF]),
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
            M::ArchivePlan => &[("Plan", "UPDATE")],
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
    /// 静海区统计局: the department assigned, unassigned, renamed and aliased.
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
    setup(app, admin, &M::UpdatePlan.document(), input).await;
    let input = json!({ "taskId": gid(NodeKind::Task, &fx.task), "role": "SUPPORT",
                        "departmentId": gid(NodeKind::Department, &dept_id(app, SUPPORT).await) });
    setup(app, admin, &M::AssignDepartment.document(), input).await;
    let input = json!({ "planId": gid(NodeKind::Plan, &fx.plan), "expiresAt": (Utc::now() + Duration::days(30)),
                        "departmentId": gid(NodeKind::Department, &dept_id(app, GRANT_HOLDER).await) });
    setup(app, admin, &M::GrantAccess.document(), input).await;
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
async fn prepare(app: &TestApp, fx: &Fixture, m: M, n: usize, i: usize) -> Value {
    let db = &app.db;
    let (plan_id, task_id) = (gid(NodeKind::Plan, &fx.plan), gid(NodeKind::Task, &fx.task));
    let indicator_id = gid(NodeKind::Indicator, &fx.indicator);
    let spare = gid(NodeKind::Department, &fx.spare);
    let month = format!("{:02}", i + 1);
    let key = format!("authz-{n}");
    let spare_assignment = task_assignment::Entity::find()
        .filter(task_assignment::Column::TaskId.eq(fx.task.clone()))
        .filter(task_assignment::Column::DepartmentId.eq(fx.spare.clone()));
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
            for row in spare_assignment.all(db).await.unwrap() {
                task_assignment::Entity::delete_by_id(row.id).exec(db).await.unwrap();
            }
            json!({ "taskId": task_id, "departmentId": spare, "role": "SUPPORT" })
        }
        M::UnassignDepartment => {
            if spare_assignment.one(db).await.unwrap().is_none() {
                let row = task_assignment::Model {
                    id: uuid::Uuid::new_v4().to_string(),
                    task_id: fx.task.clone(),
                    department_id: fx.spare.clone(),
                    role: AssignmentRole::Support,
                    position: 99,
                    created_at: Utc::now(),
                };
                row.into_active_model().insert(db).await.unwrap();
            }
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
            let existing = indicator_target::Entity::find()
                .filter(indicator_target::Column::IndicatorId.eq(fx.indicator.clone()))
                .filter(indicator_target::Column::Year.eq(2060))
                .one(db)
                .await
                .unwrap();
            if existing.is_none() {
                let row = indicator_target::Model {
                    id: uuid::Uuid::new_v4().to_string(),
                    indicator_id: fx.indicator.clone(),
                    year: 2060,
                    comparator: Comparator::Gte,
                    value: 500.0,
                    value_max: None,
                    source_document_id: None,
                    source_section: None,
                    source_quote: None,
                    version: 1,
                    created_at: Utc::now(),
                    updated_at: Utc::now(),
                };
                row.into_active_model().insert(db).await.unwrap();
            }
            json!({ "indicatorId": indicator_id, "year": 2060 })
        }
        M::GrantAccess => json!({ "planId": plan_id, "departmentId": gid(NodeKind::Department, &fx.grantee),
                                  "expiresAt": Utc::now() + Duration::days(7), "idempotencyKey": key }),
        M::RevokeGrant => json!({ "id": grant_id(&insert_grant(db, &fx.plan, &fx.grantee, Duration::days(7)).await) }),
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
            let row = department_alias::Model {
                id: uuid::Uuid::new_v4().to_string(),
                department_id: fx.spare.clone(),
                alias: alias.clone(),
            };
            row.into_active_model().insert(db).await.unwrap();
            json!({ "departmentId": spare, "alias": alias })
        }
        M::RevokeToken => json!({ "jti": format!("authz-jti-{n}"), "reason": "授权矩阵" }),
    }
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

/// Runs every cell of the given rows of [`MATRIX`] on one app and fails listing every wrong cell.
async fn check_rows(rows: &[M]) {
    let app = spawn_app().await;
    let callers = Callers::of(&app).await;
    let fx = mutation_fixture(&app, &callers).await;
    let mut failures = Vec::new();
    for &m in rows {
        let (row, expected) = MATRIX.iter().enumerate().find(|(_, (r, _))| *r == m).map(|(i, (_, e))| (i, e)).unwrap();
        for (i, (caller, _)) in CALLERS.iter().enumerate() {
            let cell = format!("{m:?} × {caller:?}");
            let input = prepare(&app, &fx, m, row * CALLERS.len() + i, i).await;
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
                let added = change::Entity::find()
                    .filter(change::Column::Seq.gt(seq))
                    .order_by_asc(change::Column::Seq)
                    .all(&app.db)
                    .await
                    .unwrap();
                let entries: Vec<(&str, &str)> = added.iter().map(|c| (c.entity.as_str(), c.action.as_str())).collect();
                let who = callers.0[i].as_ref().expect("a success needs a token");
                let role = serde_json::to_value(who.role).unwrap();
                let by_caller = added.iter().all(|c| {
                    c.actor_department_id.as_deref() == Some(who.department_id.as_str()) && c.actor_role == role
                });
                if entries != m.audit() || !by_caller {
                    failures.push(format!("{cell}: audit entries {entries:?}, expected {:?} by the caller", m.audit()));
                }
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
    check_rows(&[M::CreatePlan, M::UpdatePlan, M::ArchivePlan]).await;
}

#[tokio::test]
async fn task_mutations_follow_the_matrix() {
    let rows = [M::CreateTask, M::UpdateTask, M::MoveTask, M::AssignDepartment, M::UnassignDepartment];
    check_rows(&[&rows[..], &[M::ArchiveTask]].concat()).await;
}

#[tokio::test]
async fn reporting_mutations_follow_the_matrix() {
    check_rows(&[M::ReportProgress, M::CloseTask, M::RecordActual]).await;
}

#[tokio::test]
async fn indicator_mutations_follow_the_matrix() {
    check_rows(&[M::CreateIndicator, M::UpdateIndicator, M::SetTarget, M::RemoveTarget]).await;
}

#[tokio::test]
async fn grant_mutations_follow_the_matrix() {
    check_rows(&[M::GrantAccess, M::RevokeGrant]).await;
}

#[tokio::test]
async fn administrative_mutations_follow_the_matrix() {
    let rows = [M::CreateRegion, M::UpdateRegion, M::CreateDepartment, M::UpdateDepartment];
    check_rows(&[&rows[..], &[M::AddDepartmentAlias, M::RemoveDepartmentAlias, M::RevokeToken]].concat()).await;
}

#[tokio::test]
async fn the_matrix_covers_every_mutation_and_every_caller() {
    let app = spawn_app().await;
    let data = app.data("{ __schema { mutationType { fields { name } } } }", json!({})).await;
    let served: Vec<&str> = data["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    let tested: Vec<String> = MATRIX.iter().map(|(m, _)| m.field()).collect();
    let missing: Vec<&&str> = served.iter().filter(|f| !tested.iter().any(|t| t == **f)).collect();
    assert!(missing.is_empty(), "mutations without a row in MATRIX: {missing:?}");
    let callers: Vec<Caller> = SEES.iter().map(|(c, _)| *c).collect();
    assert_eq!(callers, CALLERS.map(|(c, _)| c), "SEES lists the callers in CALLERS order");
}

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
    (Caller::Support,                 [Y,  Y,  Y,     Y,   Y,   N,         N]),
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
    for (class, column, tasks) in [
        ("PUBLIC", 0, vec![0]),
        ("UNCONDITIONAL", 1, vec![1]),
        ("CONDITIONAL", 2, vec![3, 4]),
        ("NOT_SHARED", 5, vec![5]),
    ] {
        let (issuer, basis) = match class {
            "NOT_SHARED" => (dept(LEAD).await, json!("《政务数据共享条例》：涉及未公开的重大项目信息")),
            _ => (dept("静海区人民政府").await, Value::Null),
        };
        let input = json!({ "title": format!("{PREFIX}{class}方案"), "regionId": jinghai, "issuerId": issuer,
                            "kind": "IMPLEMENTATION_PLAN", "sharingClass": class, "legalBasis": basis });
        let data = setup(
            app,
            admin,
            "mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id } } }",
            input,
        )
        .await;
        let mut sample = Sample {
            column,
            id: data["createPlan"]["plan"]["id"].as_str().unwrap().to_owned(),
            tasks: vec![],
            grants: 0,
        };
        for (k, column) in tasks.into_iter().enumerate() {
            let input = json!({ "planId": sample.id, "kind": "TASK", "code": format!("一.{k}"),
                                "title": format!("{PREFIX}{class}任务{k}") });
            let data = setup(
                app,
                admin,
                "mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id } } }",
                input,
            )
            .await;
            let id = data["createTask"]["task"]["id"].as_str().unwrap().to_owned();
            let input = json!({ "planId": sample.id, "taskId": id, "name": format!("{PREFIX}{class}指标{k}"), "unit": "万千瓦",
                                "measure": "QUANTITY", "direction": "HIGHER_IS_BETTER", "summable": true, "nature": "EXPECTED" });
            let data = setup(
                app,
                admin,
                "mutation($input: CreateIndicatorInput!) { createIndicator(input: $input) { indicator { id } } }",
                input,
            )
            .await;
            let indicator = data["createIndicator"]["indicator"]["id"].as_str().unwrap().to_owned();
            let mut assignments = 0;
            if column == 3 {
                for (name, role) in [(LEAD, "LEAD"), (SUPPORT, "SUPPORT")] {
                    let input = json!({ "taskId": id, "departmentId": dept(name).await, "role": role });
                    setup(app, admin, &M::AssignDepartment.document(), input).await;
                    assignments += 1;
                }
            }
            sample.tasks.push(SampleTask { column, id, indicator, assignments });
        }
        if class == "CONDITIONAL" {
            let input = json!({ "planId": sample.id, "departmentId": dept(GRANT_HOLDER).await,
                                "expiresAt": Utc::now() + Duration::days(30) });
            setup(app, admin, &M::GrantAccess.document(), input).await;
            sample.grants = 1;
            let plan = xietong::ids::from_global(NodeKind::Plan, &sample.id, "id").unwrap();
            insert_grant(&app.db, &plan, &dept_id(app, EXPIRED_HOLDER).await, Duration::days(-1)).await;
        }
        samples.push(sample);
    }
    samples
}

fn ids(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> =
        list["nodes"].as_array().expect("nodes").iter().map(|n| n["id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids
}

/// Compares a connection with the expected IDs (its nodes and its totalCount).
fn expect_ids(failures: &mut Vec<String>, what: String, list: &Value, mut expected: Vec<String>) {
    expected.sort();
    if ids(list) != expected || list["totalCount"].as_u64() != Some(expected.len() as u64) {
        failures.push(format!("{what}: expected {expected:?}, got {list}"));
    }
}

const READS: &str = "query($search: String!, $region: ID!) {
    plans(filter: {search: $search}, first: 20) { totalCount nodes { id
        tasks { totalCount nodes { id indicators { id } } } indicators { totalCount nodes { id } } } }
    region: node(id: $region) { ... on Region { plans(filter: {search: $search}) { totalCount nodes { id } } } }
    tasks(filter: {search: $search}, first: 20) { totalCount nodes { id } }
    indicators(filter: {search: $search}, first: 20) { totalCount nodes { id } } }";

#[tokio::test]
async fn every_caller_reads_exactly_what_the_sharing_classes_allow() {
    let app = spawn_app().await;
    let callers = Callers::of(&app).await;
    let samples = visibility_fixture(&app, &callers).await;
    let region = gid(NodeKind::Region, &region_id(&app.db, "120118").await);
    let mut failures = Vec::new();
    for (i, (caller, sees)) in SEES.iter().enumerate() {
        let plans: Vec<&Sample> = samples.iter().filter(|p| sees[p.column]).collect();
        let tasks: Vec<&SampleTask> = samples.iter().flat_map(|p| &p.tasks).filter(|t| sees[t.column]).collect();
        let body = callers.send(&app, i, READS, json!({ "search": PREFIX, "region": region })).await;
        assert!(body.get("errors").is_none(), "{caller:?}: {body:#}");
        let data = &body["data"];
        let plan_ids: Vec<String> = plans.iter().map(|p| p.id.clone()).collect();
        expect_ids(&mut failures, format!("{caller:?} plans"), &data["plans"], plan_ids.clone());
        expect_ids(&mut failures, format!("{caller:?} Region.plans"), &data["region"]["plans"], plan_ids);
        expect_ids(
            &mut failures,
            format!("{caller:?} tasks"),
            &data["tasks"],
            tasks.iter().map(|t| t.id.clone()).collect(),
        );
        let indicators: Vec<String> = tasks.iter().map(|t| t.indicator.clone()).collect();
        expect_ids(&mut failures, format!("{caller:?} indicators"), &data["indicators"], indicators);
        for node in data["plans"]["nodes"].as_array().unwrap() {
            let Some(plan) = samples.iter().find(|p| p.id == node["id"]) else { continue };
            let visible: Vec<&SampleTask> = plan.tasks.iter().filter(|t| sees[t.column]).collect();
            let what = format!("{caller:?} Plan[{}]", plan.column);
            expect_ids(
                &mut failures,
                format!("{what}.tasks"),
                &node["tasks"],
                visible.iter().map(|t| t.id.clone()).collect(),
            );
            let indicators: Vec<String> = visible.iter().map(|t| t.indicator.clone()).collect();
            expect_ids(&mut failures, format!("{what}.indicators"), &node["indicators"], indicators);
            for task in node["tasks"]["nodes"].as_array().unwrap() {
                let Some(t) = plan.tasks.iter().find(|t| t.id == task["id"]) else { continue };
                let got: Vec<&Value> = task["indicators"].as_array().unwrap().iter().map(|i| &i["id"]).collect();
                if got != [&json!(t.indicator)] {
                    failures.push(format!("{what} Task.indicators: expected [{}], got {got:?}", t.indicator));
                }
            }
        }
        // node(id) of every sample record, and the change feed of every sample plan.
        let mut records: Vec<(&str, bool)> = samples.iter().map(|p| (p.id.as_str(), sees[p.column])).collect();
        for t in samples.iter().flat_map(|p| &p.tasks) {
            records.extend([(t.id.as_str(), sees[t.column]), (t.indicator.as_str(), sees[t.column])]);
        }
        let nodes: Vec<String> =
            records.iter().enumerate().map(|(k, (id, _))| format!("n{k}: node(id: \"{id}\") {{ id }}")).collect();
        let feeds: Vec<String> = samples
            .iter()
            .enumerate()
            .map(|(k, p)| format!("c{k}: changes(filter: {{planId: \"{}\"}}, first: 50) {{ totalCount nodes {{ entity action entityId }} }}", p.id))
            .collect();
        let query = format!("{{ {} {} }}", nodes.join(" "), feeds.join(" "));
        let body = callers.send(&app, i, &query, json!({})).await;
        assert!(body.get("errors").is_none(), "{caller:?}: {body:#}");
        for (k, (id, visible)) in records.iter().enumerate() {
            if body["data"][format!("n{k}")].is_null() == *visible {
                failures.push(format!(
                    "{caller:?} node({id}): expected visible={visible}, got {}",
                    body["data"][format!("n{k}")]
                ));
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
            if sees[GRANTS] {
                expected.extend((0..p.grants).map(|_| "Grant GRANT".to_owned()));
            }
            expected.sort();
            let feed = &body["data"][format!("c{k}")];
            let mut got: Vec<String> = feed["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    let (entity, action) = (c["entity"].as_str().unwrap(), c["action"].as_str().unwrap());
                    match entity {
                        "Plan" | "Task" | "Indicator" => {
                            format!("{entity} {action} {}", c["entityId"].as_str().unwrap())
                        }
                        _ => format!("{entity} {action}"),
                    }
                })
                .collect();
            got.sort();
            if got != expected || feed["totalCount"].as_u64() != Some(expected.len() as u64) {
                failures.push(format!(
                    "{caller:?} changes(planId: Plan[{}]): expected {expected:?}, got {got:?}",
                    p.column
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} wrong reads:\n{}", failures.len(), failures.join("\n"));
}
