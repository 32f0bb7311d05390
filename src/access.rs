//! Who is calling, and which records they may see.
//!
//! This is the one enforcement point for reads: every query of plans, tasks
//! and indicators — root lists, their counts, nested relations, `node(id)` —
//! adds the condition built here to its SQL, so a record the caller may not
//! see behaves exactly as a missing one.
//!
//! The rule for tasks and indicators comes in two forms that keep the same
//! records (a test compares them for every kind of caller): `…_condition`,
//! which lets the database compute the sets of plans the rule opens once per
//! statement (for counts, statistics, exports, the change feed), and
//! `…_condition_per_row`, which judges each row against its own plan's row
//! (for batches of keys and per-parent pages, whose rows are bounded).
//!
//! Sharing classes follow 国发〔2016〕51号: PUBLIC records are readable by
//! everyone, the other classes only by authenticated callers under the rules
//! of DESIGN.md §3. Tasks and indicators inherit their plan's class unless
//! they set their own; a task or indicator is readable only when the plan
//! and every task above it are, so a NOT_SHARED or CONDITIONAL record hides
//! what hangs under it.

use crate::error::{AppError, AppResult};
use entity::enums::{AssignmentRole, SharingClass};
use sea_orm::sea_query::{
    Alias, BinOper, CommonTableExpression, Expr, Query, SelectStatement, SimpleExpr, SubQueryStatement, UnionType,
    WithClause, WithQuery,
};
use sea_orm::{Condition, ExprTrait};

/// Role named in a caller's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// 只读 — reads what its sharing class allows, writes nothing.
    Reader,
    /// 委办局 — reports progress and actuals on the tasks it is assigned to.
    Bureau,
    /// 统筹协调 — manages plans, tasks and indicators inside its jurisdiction.
    Coordinator,
    /// 管理员 — everything, including regions, departments and grants.
    Admin,
}

impl Role {
    /// The role's name in tokens and in the audit trail.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "READER",
            Role::Bureau => "BUREAU",
            Role::Coordinator => "COORDINATOR",
            Role::Admin => "ADMIN",
        }
    }
}

/// Who made a change: the caller's identity and request, as the audit trail records them.
#[derive(Debug, Clone)]
pub struct Actor {
    pub subject: String,
    pub client: Option<String>,
    pub department_id: Option<String>,
    pub role: Role,
    pub request_id: Option<String>,
}

/// The caller of one request, as established from its token (or its absence).
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    /// `None` for anonymous callers.
    pub identity: Option<Identity>,
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Identity {
    /// Token subject (`sub`).
    pub subject: String,
    /// Calling system (`client`), if named.
    pub client: Option<String>,
    /// Record ID of the caller's department.
    pub department_id: String,
    pub role: Role,
    /// Record IDs of the caller's region and every region under it.
    pub jurisdiction: Vec<String>,
    /// Record IDs of the plans with a task assigned to the caller's
    /// department, sorted: kept with the identity (and as current as it, see
    /// `auth::identity`) so that no statement walks the assignments to
    /// decide whether a CONDITIONAL plan is open to the caller.
    pub assigned_plans: std::sync::Arc<[String]>,
    /// When the token expires (seconds since the Unix epoch); long-lived
    /// subscriptions end then.
    pub expires_at: Option<i64>,
}

impl Viewer {
    /// An anonymous caller: PUBLIC data only.
    pub fn anonymous() -> Self {
        Self { identity: None }
    }

    /// Whether the caller is an administrator (sees everything).
    pub fn is_admin(&self) -> bool {
        self.identity.as_ref().is_some_and(|i| i.role == Role::Admin)
    }

    /// Whether this caller may read an access grant to `grantee_department_id`
    /// of a plan of `plan_region_id` (a plan it may see): ADMIN, the grantee
    /// department, and coordinators whose jurisdiction holds the plan (those
    /// who may grant and revoke it).
    pub fn may_see_grant(&self, grantee_department_id: &str, plan_region_id: &str) -> bool {
        self.identity.as_ref().is_some_and(|i| {
            i.role == Role::Admin
                || i.department_id == grantee_department_id
                || i.role == Role::Coordinator && i.jurisdiction.iter().any(|r| r == plan_region_id)
        })
    }

    /// SQL condition on the `plan` table: the plans this caller may read.
    pub fn plan_condition(&self) -> Condition {
        self.condition(PlanScope::Plan)
    }

    /// SQL condition on the `task` table: the tasks this caller may read.
    ///
    /// A task is readable when its own (or inherited) sharing class lets the
    /// caller read it, its plan is readable, and no task above it that sets
    /// its own class is hidden: a NOT_SHARED or CONDITIONAL task or plan
    /// hides everything under it, at any depth (a recursive query walks the
    /// task tree).
    pub fn task_condition(&self) -> Condition {
        if self.is_admin() {
            return Condition::all();
        }
        use entity::task;
        use sea_orm::ColumnTrait;
        Condition::all()
            .add(self.condition(PlanScope::Task))
            .add(task::Column::PlanId.in_subquery(self.visible_plans()))
            .add(self.outside_hidden_trees(Expr::col((task::Entity, task::Column::Id))))
    }

    /// The rule of [`Viewer::task_condition`], judged for each task against
    /// its own plan's row (one primary-key probe of `plan` per task read)
    /// instead of against the sets of plans the rule opens, which the
    /// database builds once per statement by reading the whole `plan` table
    /// several times. For statements bounded by keys or by parents — a batch
    /// of IDs, one page per parent — and only those: over the large dataset on
    /// PostgreSQL, one task by ID 0.06 against 0.3 ms, but a count of every
    /// task 100 against 42 ms, and an anonymous caller's root page of 50
    /// (which passes over every task it may not see) 4 against 0.8 ms
    /// (BENCHMARKS.md, 2026-12-04 evening).
    pub fn task_condition_per_row(&self) -> Condition {
        if self.is_admin() {
            return Condition::all();
        }
        use entity::task;
        let verdict = Condition::all().add(self.condition(PlanScope::TaskOnPlanRow)).add(self.plan_condition());
        Condition::all()
            .add(judged_on_plan_row(verdict, Expr::col((task::Entity, task::Column::PlanId))))
            .add(self.outside_hidden_trees(Expr::col((task::Entity, task::Column::Id))))
    }

    /// SQL condition on the `indicator` table: the indicators this caller may read.
    ///
    /// Besides its own (or inherited) class, an indicator needs its plan and,
    /// when it belongs to a task, that task to be readable
    /// ([`Viewer::task_condition`]). The task is checked through the
    /// indicator's own columns instead of the set of every readable task, so
    /// the cost follows the indicators read, not the size of the task table:
    /// an indicator and its task belong to the same plan (writes refuse
    /// anything else), so the task's plan is the indicator's; the task is
    /// outside every hidden tree; and its class is either its own (a task
    /// that sets a class the caller may not read heads a hidden tree) or its
    /// plan's, judged for that task ([`PlanScope::TaskOfIndicator`]).
    pub fn indicator_condition(&self) -> Condition {
        if self.is_admin() {
            return Condition::all();
        }
        use entity::indicator;
        use sea_orm::ColumnTrait;
        let task_readable = Condition::all()
            .add(self.outside_hidden_trees(Expr::col((indicator::Entity, indicator::Column::TaskId))))
            .add(
                Condition::any()
                    .add(indicator::Column::TaskId.in_subquery(tasks_with_own_class()))
                    .add(self.condition(PlanScope::TaskOfIndicator)),
            );
        Condition::all()
            .add(self.condition(PlanScope::Indicator))
            .add(indicator::Column::PlanId.in_subquery(self.visible_plans()))
            .add(Condition::any().add(indicator::Column::TaskId.is_null()).add(task_readable))
    }

    /// The rule of [`Viewer::indicator_condition`], judged for each
    /// indicator against its own plan's row, for statements bounded by keys
    /// or by parents (see [`Viewer::task_condition_per_row`]). The same terms,
    /// regrouped: "no task, or a task outside every hidden tree whose class
    /// lets the caller read it" is "no task or outside every hidden tree"
    /// and "no task or a readable class", and the second half is judged on
    /// the plan's row with the rest.
    pub fn indicator_condition_per_row(&self) -> Condition {
        if self.is_admin() {
            return Condition::all();
        }
        use entity::indicator;
        use sea_orm::ColumnTrait;
        let task_class_readable = Condition::any()
            .add(indicator::Column::TaskId.in_subquery(tasks_with_own_class()))
            .add(self.condition(PlanScope::TaskOfIndicatorOnPlanRow));
        let verdict = Condition::all()
            .add(self.condition(PlanScope::IndicatorOnPlanRow))
            .add(self.plan_condition())
            .add(Condition::any().add(indicator::Column::TaskId.is_null()).add(task_class_readable));
        let outside_hidden_trees = self.outside_hidden_trees(Expr::col((indicator::Entity, indicator::Column::TaskId)));
        Condition::all()
            .add(judged_on_plan_row(verdict, Expr::col((indicator::Entity, indicator::Column::PlanId))))
            .add(Condition::any().add(indicator::Column::TaskId.is_null()).add(outside_hidden_trees))
    }

    /// SQL condition on the `coordination_record` table: the records this
    /// caller may read. A record has no class of its own: it is exactly as
    /// visible as its plan (DESIGN.md, "Coordination record").
    pub fn coordination_condition(&self) -> Condition {
        if self.is_admin() {
            return Condition::all();
        }
        use entity::coordination_record;
        use sea_orm::ColumnTrait;
        Condition::all().add(coordination_record::Column::PlanId.in_subquery(self.visible_plans()))
    }

    /// SQL condition on the `project` table: the key projects this caller may
    /// read. A project has no class of its own: it is a line of its 专栏 (or
    /// task), exactly as visible as that task — so never more than its plan,
    /// and hidden with a NOT_SHARED or CONDITIONAL task above it.
    pub fn project_condition(&self) -> Condition {
        if self.is_admin() {
            return Condition::all();
        }
        use entity::{project, task};
        use sea_orm::ColumnTrait;
        let readable_tasks = Query::select()
            .column((task::Entity, task::Column::Id))
            .from(task::Entity)
            .cond_where(self.task_condition())
            .to_owned();
        Condition::all()
            .add(project::Column::PlanId.in_subquery(self.visible_plans()))
            .add(project::Column::TaskId.in_subquery(readable_tasks))
    }

    /// Subquery: the IDs of the plans this caller may read.
    fn visible_plans(&self) -> SelectStatement {
        use entity::plan;
        Query::select().column(plan::Column::Id).from(plan::Entity).cond_where(self.plan_condition()).to_owned()
    }

    /// `task_id` (a task ID column of the outer statement) is in none of the
    /// trees [`Viewer::hidden_task_trees`] hides from this caller.
    fn outside_hidden_trees(&self, task_id: Expr) -> Expr {
        task_id.binary(
            BinOper::NotIn,
            Expr::SubQuery(None, Box::new(SubQueryStatement::WithStatement(self.hidden_task_trees()))),
        )
    }

    /// Subquery: every task that sets its own class and is hidden from this
    /// caller by it, and every task under one of those, at any depth. A task
    /// that only inherits its plan's class hides nothing beyond itself: the
    /// tasks under it inherit the same class, and a department assigned to
    /// one of them may read it (DESIGN.md §3). `UNION` (not `UNION ALL`)
    /// keeps the walk finite even over a damaged, cyclic tree.
    fn hidden_task_trees(&self) -> WithQuery {
        use entity::task;
        let hidden = Alias::new("xt_hidden_task");
        // The rule is judged on the anchor rows alone (never NULL: every
        // column it reads is NOT NULL here), not as `NOT IN` the set of every
        // readable task, which would read the whole table.
        let mut anchor = Query::select()
            .column((task::Entity, task::Column::Id))
            .from(task::Entity)
            .cond_where(
                Condition::all()
                    .add(Expr::col((task::Entity, task::Column::SharingClass)).is_not_null())
                    .add(self.condition(PlanScope::Task).not()),
            )
            .to_owned();
        let below = Query::select()
            .column((task::Entity, task::Column::Id))
            .from(task::Entity)
            .inner_join(
                hidden.clone(),
                Expr::col((task::Entity, task::Column::ParentId)).equals((hidden.clone(), Alias::new("id"))),
            )
            .to_owned();
        let cte = CommonTableExpression::new()
            .query(anchor.union(UnionType::Distinct, below).take())
            .column(Alias::new("id"))
            .table_name(hidden.clone())
            .to_owned();
        let clause = WithClause::new().recursive(true).cte(cte).to_owned();
        Query::select().column((hidden, Alias::new("id"))).from(Alias::new("xt_hidden_task")).to_owned().with(clause)
    }

    /// The rule of DESIGN.md §3 for one record, by sharing class. In the
    /// scopes that reach the plan through the record's `plan_id`, every plan
    /// lookup is an uncorrelated subquery (`plan_id IN (SELECT id FROM plan
    /// WHERE …)`), which the database evaluates once per statement rather
    /// than once per row; in the `…OnPlanRow` scopes the plan is the row a
    /// [`judged_on_plan_row`] subquery has read, and its columns are used as they are.
    fn condition(&self, scope: PlanScope) -> Condition {
        let Some(identity) = &self.identity else {
            return scope.class_in(&[SharingClass::Public]);
        };
        if identity.role == Role::Admin {
            return Condition::all();
        }
        let in_jurisdiction: Condition =
            if identity.jurisdiction.is_empty() { Condition::any() } else { scope.region_in(&identity.jurisdiction) };
        let department = identity.department_id.as_str();
        let shared = scope.class_in(&[SharingClass::Public, SharingClass::Unconditional]);
        let conditional = Condition::all().add(scope.class_in(&[SharingClass::Conditional])).add(
            Condition::any()
                .add(in_jurisdiction.clone())
                .add(scope.assigned_to(identity))
                .add(scope.plan_id().in_subquery(granted_plans(department))),
        );
        let mut not_shared_readers = Condition::any().add(scope.owned_by(department));
        if identity.role == Role::Coordinator {
            not_shared_readers = not_shared_readers.add(in_jurisdiction);
        }
        let not_shared = Condition::all().add(scope.class_in(&[SharingClass::NotShared])).add(not_shared_readers);
        Condition::any().add(shared).add(conditional).add(not_shared)
    }

    /// The caller's identity, or UNAUTHENTICATED for anonymous callers.
    pub fn identity(&self) -> AppResult<&Identity> {
        self.identity.as_ref().ok_or_else(|| AppError::Unauthenticated("this operation requires a token".into()))
    }

    /// The caller as the author of a change.
    pub fn actor(&self, request_id: Option<String>) -> AppResult<Actor> {
        let identity = self.identity()?;
        Ok(Actor {
            subject: identity.subject.clone(),
            client: identity.client.clone(),
            department_id: Some(identity.department_id.clone()),
            role: identity.role,
            request_id,
        })
    }

    /// Requires an administrator.
    pub fn require_admin(&self, action: &str) -> AppResult<&Identity> {
        let identity = self.identity()?;
        if identity.role == Role::Admin {
            Ok(identity)
        } else {
            Err(AppError::Forbidden(format!("only an ADMIN may {action}")))
        }
    }

    /// Requires an administrator, or a coordinator whose jurisdiction contains `region_id`.
    pub fn require_coordinator_of(&self, region_id: &str, action: &str) -> AppResult<&Identity> {
        let identity = self.identity()?;
        match identity.role {
            Role::Admin => Ok(identity),
            Role::Coordinator if identity.jurisdiction.iter().any(|r| r == region_id) => Ok(identity),
            Role::Coordinator => Err(AppError::Forbidden(format!(
                "a coordinator may {action} only inside its own jurisdiction; this record belongs to another region"
            ))),
            Role::Bureau | Role::Reader => {
                Err(AppError::Forbidden(format!("only a COORDINATOR or ADMIN may {action}")))
            }
        }
    }
}

/// Subquery: plans with an active (unexpired, unrevoked) grant for `department_id`.
fn granted_plans(department_id: &str) -> SelectStatement {
    use entity::access_grant;
    use sea_orm::ColumnTrait;
    Query::select()
        .column(access_grant::Column::PlanId)
        .from(access_grant::Entity)
        .and_where(access_grant::Column::DepartmentId.eq(department_id))
        .and_where(access_grant::Column::RevokedAt.is_null())
        .and_where(access_grant::Column::ExpiresAt.gt(chrono::Utc::now()))
        .to_owned()
}

/// `verdict`, a condition on the `plan` table, judged on the row of the plan
/// whose ID is `plan_id` (an expression of the outer statement): a scalar
/// subquery that reads that one row by its primary key. It is never turned
/// into a join, so the statement keeps its own plan (a page in index order, a
/// lookup by key) and pays one probe per row it reads. A missing plan gives
/// NULL, which no filter keeps.
fn judged_on_plan_row(verdict: Condition, plan_id: Expr) -> Expr {
    use entity::plan;
    let row = Query::select()
        .expr(Expr::from(verdict))
        .from(plan::Entity)
        .and_where(Expr::col((plan::Entity, plan::Column::Id)).eq(plan_id))
        .to_owned();
    Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(row)))
}

/// Subquery: the tasks that set their own sharing class (few; a partial index holds them).
fn tasks_with_own_class() -> SelectStatement {
    use entity::task;
    use sea_orm::ColumnTrait;
    Query::select()
        .column(task::Column::Id)
        .from(task::Entity)
        .and_where(task::Column::SharingClass.is_not_null())
        .to_owned()
}

/// Subquery: plans issued (owned) by `department_id`.
fn plans_owned_by(department_id: &str) -> SelectStatement {
    use entity::plan;
    use sea_orm::ColumnTrait;
    Query::select()
        .column(plan::Column::Id)
        .from(plan::Entity)
        .and_where(plan::Column::IssuerId.eq(department_id))
        .to_owned()
}

/// Which table a visibility condition is for; decides how "assigned to the
/// caller's department" is expressed.
#[derive(Clone, Copy)]
enum PlanScope {
    Plan,
    Task,
    Indicator,
    /// The task an indicator belongs to, judged from the indicator's row for
    /// a task that inherits its plan's class: the plan is the indicator's,
    /// and "assigned to the caller's department" is the indicator's task.
    TaskOfIndicator,
    /// [`PlanScope::Task`] inside a subquery that reads the task's own plan
    /// row as `plan` ([`judged_on_plan_row`]): the plan's class, region and
    /// issuer are that row's columns instead of subqueries over `plan`.
    TaskOnPlanRow,
    /// [`PlanScope::Indicator`], likewise on the indicator's plan row.
    IndicatorOnPlanRow,
    /// [`PlanScope::TaskOfIndicator`], likewise on the indicator's plan row.
    TaskOfIndicatorOnPlanRow,
}

impl PlanScope {
    /// The record's effective sharing class is one of `classes`: its own
    /// class, else (tasks and indicators without one) its plan's.
    fn class_in(self, classes: &[SharingClass]) -> Condition {
        use entity::{indicator, plan, task};
        let plan_row_class = || Expr::col((plan::Entity, plan::Column::SharingClass)).is_in(class_literals(classes));
        let (own, inherited) = match self {
            Self::Plan | Self::TaskOfIndicatorOnPlanRow => return Condition::all().add(plan_row_class()),
            Self::TaskOfIndicator => return Condition::all().add(self.plan_id().in_subquery(plans_of_class(classes))),
            Self::Task => (
                Expr::col((task::Entity, task::Column::SharingClass)),
                self.plan_id().in_subquery(plans_of_class(classes)),
            ),
            Self::Indicator => (
                Expr::col((indicator::Entity, indicator::Column::SharingClass)),
                self.plan_id().in_subquery(plans_of_class(classes)),
            ),
            Self::TaskOnPlanRow => (Expr::col((task::Entity, task::Column::SharingClass)), plan_row_class()),
            Self::IndicatorOnPlanRow => {
                (Expr::col((indicator::Entity, indicator::Column::SharingClass)), plan_row_class())
            }
        };
        Condition::any()
            .add(own.clone().is_in(class_literals(classes)))
            .add(Condition::all().add(own.is_null()).add(inherited))
    }

    /// The record belongs to one of `regions` (a task: its plan does).
    fn region_in(self, regions: &[String]) -> Condition {
        use entity::{indicator, plan};
        use sea_orm::ColumnTrait;
        match self {
            Self::Plan | Self::TaskOnPlanRow | Self::TaskOfIndicatorOnPlanRow => {
                Condition::all().add(plan::Column::RegionId.is_in(regions.iter().cloned()))
            }
            Self::Task | Self::TaskOfIndicator => {
                Condition::all().add(self.plan_id().in_subquery(plans_in_regions(regions)))
            }
            Self::Indicator | Self::IndicatorOnPlanRow => {
                Condition::all().add(indicator::Column::RegionId.is_in(regions.iter().cloned()))
            }
        }
    }

    /// The record's plan was issued by `department_id`.
    fn owned_by(self, department_id: &str) -> Condition {
        use entity::plan;
        use sea_orm::ColumnTrait;
        match self {
            Self::Plan | Self::TaskOnPlanRow | Self::IndicatorOnPlanRow | Self::TaskOfIndicatorOnPlanRow => {
                Condition::all().add(plan::Column::IssuerId.eq(department_id))
            }
            Self::Task | Self::Indicator | Self::TaskOfIndicator => {
                Condition::all().add(self.plan_id().in_subquery(plans_owned_by(department_id)))
            }
        }
    }

    /// The plan ID column of the table.
    fn plan_id(self) -> SimpleExpr {
        use entity::{indicator, plan, task};
        match self {
            Self::Plan | Self::TaskOnPlanRow | Self::IndicatorOnPlanRow | Self::TaskOfIndicatorOnPlanRow => {
                Expr::col((plan::Entity, plan::Column::Id))
            }
            Self::Task => Expr::col((task::Entity, task::Column::PlanId)),
            Self::Indicator | Self::TaskOfIndicator => Expr::col((indicator::Entity, indicator::Column::PlanId)),
        }
    }

    /// The record is assigned to the caller's department: a plan it issued
    /// or with a task assigned to it, a task assigned to it, an indicator of such a task.
    fn assigned_to(self, identity: &Identity) -> Condition {
        use entity::{indicator, plan, task};
        use sea_orm::ColumnTrait;
        let department_id = identity.department_id.as_str();
        match self {
            Self::Plan => Condition::any()
                .add(plan::Column::IssuerId.eq(department_id))
                .add(plan::Column::Id.is_in(identity.assigned_plans.iter().cloned())),
            Self::Task | Self::TaskOnPlanRow => {
                Condition::all().add(task::Column::Id.in_subquery(tasks_assigned_to(department_id, None)))
            }
            Self::Indicator | Self::TaskOfIndicator | Self::IndicatorOnPlanRow | Self::TaskOfIndicatorOnPlanRow => {
                Condition::all().add(indicator::Column::TaskId.in_subquery(tasks_assigned_to(department_id, None)))
            }
        }
    }
}

/// Subquery: the IDs of tasks assigned to `department_id` (with `role`, if given). The
/// assignment is what opens a task to a bureau, so the filters of the read API use it too.
pub fn tasks_assigned_to(department_id: &str, role: Option<AssignmentRole>) -> SelectStatement {
    use entity::task_assignment;
    use sea_orm::ColumnTrait;
    let mut query = Query::select()
        .column(task_assignment::Column::TaskId)
        .from(task_assignment::Entity)
        .and_where(task_assignment::Column::DepartmentId.eq(department_id))
        .to_owned();
    if let Some(role) = role {
        query.and_where(task_assignment::Column::Role.eq(role.as_str()));
    }
    query
}

/// Subquery: the IDs of plans with a task assigned to `department_id` (a plan once
/// per assignment). It starts from the department's assignments and reaches each
/// task by its primary key, so its cost follows the assignments, not the task table.
pub fn plans_assigned_to(department_id: &str) -> SelectStatement {
    use entity::{task, task_assignment};
    use sea_orm::ColumnTrait;
    Query::select()
        .column((task::Entity, task::Column::PlanId))
        .from(task_assignment::Entity)
        .inner_join(
            task::Entity,
            Expr::col((task::Entity, task::Column::Id))
                .equals((task_assignment::Entity, task_assignment::Column::TaskId)),
        )
        .and_where(task_assignment::Column::DepartmentId.eq(department_id))
        .to_owned()
}

/// `classes` as literals written into the statement, not bound values: they
/// are the same in every statement, and PostgreSQL's generic plan (the one
/// it keeps for a prepared statement) can then see which classes a condition
/// keeps; with them bound its estimates are blind, and the plan it kept for
/// the BUREAU's `node(id)` statement ran slower (BENCHMARKS.md, 2026-12-03
/// evening). The text stays one per caller, as before.
fn class_literals(classes: &[SharingClass]) -> impl Iterator<Item = Expr> + '_ {
    classes.iter().map(|class| Expr::Constant(class.as_str().into()))
}

/// Subquery: plans whose class is one of `classes`.
fn plans_of_class(classes: &[SharingClass]) -> SelectStatement {
    use entity::plan;
    Query::select()
        .column(plan::Column::Id)
        .from(plan::Entity)
        .and_where(Expr::col((plan::Entity, plan::Column::SharingClass)).is_in(class_literals(classes)))
        .to_owned()
}

/// Subquery: plans of one of `regions`.
fn plans_in_regions(regions: &[String]) -> SelectStatement {
    use entity::plan;
    use sea_orm::ColumnTrait;
    Query::select()
        .column(plan::Column::Id)
        .from(plan::Entity)
        .and_where(plan::Column::RegionId.is_in(regions.iter().cloned()))
        .to_owned()
}
