//! Which group a counted row (a task, or an indicator through its task or
//! plan) belongs to: the join and the key columns each grouping adds to a
//! statement, so the grouping itself happens in SQL.

use super::GroupBy;
use crate::access::Viewer;
use entity::enums::TaskKind;
use entity::{plan, task, task_assignment};
use sea_orm::sea_query::{Alias, CommonTableExpression, Expr, JoinType, Query, SelectStatement, UnionType, WithClause};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, ExprTrait, Statement};

/// Column of a group's record ID.
pub const KEY: &str = "xt_key";
/// Column of a department's role, when grouped by department.
pub const ROLE: &str = "xt_role";

/// The key columns a grouping added to a statement, and the recursive
/// common table expression it needs (by action group).
pub struct GroupColumns {
    key: Option<Expr>,
    role: Option<Expr>,
    with: Option<WithClause>,
}

impl GroupColumns {
    /// Joins to `query` what `group_by` needs, for rows whose task ID is
    /// `task_id` and plan ID `plan_id`. A row in no group (an indicator
    /// without a task, by department or action group) is left out by the
    /// inner join; a row in several (a task with several departments) is
    /// repeated once per group.
    pub fn join(query: &mut SelectStatement, viewer: &Viewer, group_by: GroupBy, task_id: Expr, plan_id: Expr) -> Self {
        let mut columns = GroupColumns { key: None, role: None, with: None };
        match group_by {
            GroupBy::None => {}
            GroupBy::Plan => columns.key = Some(plan_id),
            GroupBy::Region => {
                let of = Alias::new("xt_plan");
                query.join_as(
                    JoinType::InnerJoin,
                    plan::Entity,
                    of.clone(),
                    Expr::col((of.clone(), plan::Column::Id)).eq(plan_id),
                );
                columns.key = Some(Expr::col((of, plan::Column::RegionId)));
            }
            GroupBy::Department => {
                let of = Alias::new("xt_assignment");
                query.join_as(
                    JoinType::InnerJoin,
                    task_assignment::Entity,
                    of.clone(),
                    Expr::col((of.clone(), task_assignment::Column::TaskId)).eq(task_id),
                );
                columns.key = Some(Expr::col((of.clone(), task_assignment::Column::DepartmentId)));
                columns.role = Some(Expr::col((of, task_assignment::Column::Role)));
            }
            GroupBy::ActionGroup => {
                let member = Alias::new(MEMBER);
                query.join(
                    JoinType::InnerJoin,
                    member.clone(),
                    Expr::col((member.clone(), Alias::new(MEMBER_TASK))).eq(task_id),
                );
                columns.key = Some(Expr::col((member, Alias::new(MEMBER_GROUP))));
                columns.with = Some(action_group_members(viewer));
            }
        }
        columns
    }

    /// Selects the key columns as [`KEY`] and [`ROLE`].
    pub fn select(&self, query: &mut SelectStatement) {
        if let Some(key) = &self.key {
            query.expr_as(key.clone(), Alias::new(KEY));
        }
        if let Some(role) = &self.role {
            query.expr_as(role.clone(), Alias::new(ROLE));
        }
    }

    /// The key expressions, to group by.
    pub fn exprs(&self) -> impl Iterator<Item = Expr> + '_ {
        self.key.iter().chain(self.role.iter()).cloned()
    }

    /// The statement to run: `query`, behind the common table expression if one is needed.
    pub fn finish<C: ConnectionTrait>(self, db: &C, query: SelectStatement) -> Statement {
        let backend = db.get_database_backend();
        match self.with {
            Some(clause) => backend.build(&query.with(clause)),
            None => backend.build(&query),
        }
    }
}

const MEMBER: &str = "xt_member";
const MEMBER_GROUP: &str = "group_id";
const MEMBER_TASK: &str = "task_id";

/// `xt_member(group_id, task_id)`: each action group the caller may see,
/// paired with itself and with every task under it, at any depth. `UNION`
/// keeps the walk finite over a damaged, cyclic tree.
fn action_group_members(viewer: &Viewer) -> WithClause {
    let member = Alias::new(MEMBER);
    let id = || Expr::col((task::Entity, task::Column::Id));
    let mut anchor = Query::select()
        .expr_as(id(), Alias::new(MEMBER_GROUP))
        .expr_as(id(), Alias::new(MEMBER_TASK))
        .from(task::Entity)
        .cond_where(Condition::all().add(task::Column::Kind.eq(TaskKind::ActionGroup)).add(viewer.task_condition()))
        .to_owned();
    let below = Query::select()
        .column((member.clone(), Alias::new(MEMBER_GROUP)))
        .expr(id())
        .from(task::Entity)
        .inner_join(
            member.clone(),
            Expr::col((task::Entity, task::Column::ParentId)).equals((member.clone(), Alias::new(MEMBER_TASK))),
        )
        .to_owned();
    let cte = CommonTableExpression::new()
        .query(anchor.union(UnionType::Distinct, below).to_owned())
        .columns([Alias::new(MEMBER_GROUP), Alias::new(MEMBER_TASK)])
        .table_name(member)
        .to_owned();
    WithClause::new().recursive(true).cte(cte).to_owned()
}
