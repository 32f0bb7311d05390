//! Domain services: the rules of xietong, independent of GraphQL and HTTP.
//!
//! Each module owns one aggregate. Read functions take the [`Viewer`] and add
//! its visibility condition to every statement (see [`crate::access`]);
//! batch functions (`*_by_*`) serve the GraphQL DataLoaders with one statement
//! per batch, never one per row.
//!
//! [`Viewer`]: crate::access::Viewer

pub mod audit;
pub mod changes;
pub mod coordination;
pub mod departments;
pub mod export;
pub mod feed;
pub mod imports;
pub mod indicators;
pub mod latest_actuals;
pub mod notify;
pub mod page;
pub mod plans;
pub mod progress;
pub mod projects;
pub mod records;
pub mod regions;
pub mod statistics;
pub mod tasks;
pub mod webhooks;
pub mod writes;

pub use crate::access::{plans_assigned_to, tasks_assigned_to};
use crate::db::rows;
use crate::error::AppResult;
use entity::{indicator_target, region};
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, ModelTrait, QueryFilter, Select};
use std::collections::HashMap;

/// Orders a list ascending or descending.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Direction {
    /// 升序 — ascending.
    #[default]
    Asc,
    /// 降序 — descending.
    Desc,
}

/// Loads the rows of `select` whose `column` is one of `keys`, grouped by that
/// column's value, in one statement.
pub async fn group_by<E, C>(
    db: &C,
    select: Select<E>,
    column: E::Column,
    keys: &[String],
) -> AppResult<HashMap<String, Vec<E::Model>>>
where
    E: EntityTrait,
    E::Model: 'static,
    C: ConnectionTrait,
{
    let mut groups: HashMap<String, Vec<E::Model>> = HashMap::new();
    if keys.is_empty() {
        return Ok(groups);
    }
    let in_keys = crate::db::keys::one_of(db.get_database_backend(), Expr::col((E::default(), column)), keys);
    let rows = rows::all(db, select.filter(in_keys)).await?;
    for row in rows {
        if let sea_orm::Value::String(Some(key)) = row.get(column) {
            groups.entry(key.to_string()).or_default().push(row);
        }
    }
    Ok(groups)
}

/// Subquery: the IDs of `region_id` and every region under it (the tree is at most four levels deep).
pub fn region_subtree(region_id: &str) -> SelectStatement {
    let children_of = |parents: SelectStatement| {
        Query::select()
            .column(region::Column::Id)
            .from(region::Entity)
            .and_where(region::Column::ParentId.in_subquery(parents))
            .to_owned()
    };
    let this = Query::select()
        .column(region::Column::Id)
        .from(region::Entity)
        .and_where(region::Column::Id.eq(region_id))
        .to_owned();
    let level1 = children_of(this.clone());
    let level2 = children_of(level1.clone());
    let level3 = children_of(level2.clone());
    Query::select()
        .column(region::Column::Id)
        .from(region::Entity)
        .cond_where(
            Condition::any()
                .add(region::Column::Id.eq(region_id))
                .add(region::Column::Id.in_subquery(level1))
                .add(region::Column::Id.in_subquery(level2))
                .add(region::Column::Id.in_subquery(level3)),
        )
        .to_owned()
}

/// Subquery: the IDs of indicators with a target in force in `year`: due
/// that year, or standing or recurring ([`progress::in_force`]: without a
/// year, and for `FROM_YEAR` started by then).
pub fn indicators_with_target_in(year: i32) -> SelectStatement {
    use entity::enums::TargetKind;
    let recurring = Condition::all().add(indicator_target::Column::Year.is_null()).add(
        Condition::any()
            .add(indicator_target::Column::Kind.ne(TargetKind::FromYear.as_str()))
            .add(indicator_target::Column::StartYear.is_null())
            .add(indicator_target::Column::StartYear.lte(year)),
    );
    Query::select()
        .column(indicator_target::Column::IndicatorId)
        .from(indicator_target::Entity)
        .cond_where(Condition::any().add(indicator_target::Column::Year.eq(year)).add(recurring))
        .to_owned()
}
