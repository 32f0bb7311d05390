//! Departments and their aliases. Departments are public reference data.

mod lookup;

pub use lookup::{Directory, resolve_department};

use super::page::{self, Page, PageArgs, SortSpec, SortValue};
use super::{Direction, group_by, region_subtree};
use crate::error::AppResult;
use entity::enums::DepartmentKind;
use entity::{department, department_alias};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, Select};
use std::collections::HashMap;

/// Which departments a list returns.
#[derive(Debug, Clone, Default)]
pub struct DepartmentFilter {
    /// Substring of the name or of any alias.
    pub search: Option<String>,
    /// The region or any region under it.
    pub region_id: Option<String>,
    pub kind: Option<DepartmentKind>,
}

/// Sort fields of department lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum DepartmentOrderField {
    /// 名称 — by name.
    #[default]
    Name,
}

fn select(filter: &DepartmentFilter) -> Select<department::Entity> {
    let mut cond = Condition::all();
    if let Some(text) = &filter.search {
        let by_alias = Query::select()
            .column(department_alias::Column::DepartmentId)
            .from(department_alias::Entity)
            .cond_where(page::search_condition(
                &[Expr::col((department_alias::Entity, department_alias::Column::Alias))],
                text,
            ))
            .to_owned();
        cond = cond.add(
            Condition::any()
                .add(page::search_condition(&[Expr::col((department::Entity, department::Column::Name))], text))
                .add(Expr::col((department::Entity, department::Column::Id)).in_subquery(by_alias)),
        );
    }
    if let Some(region) = &filter.region_id {
        cond = cond.add(department::Column::RegionId.in_subquery(region_subtree(region)));
    }
    if let Some(kind) = filter.kind {
        cond = cond.add(department::Column::Kind.eq(kind));
    }
    department::Entity::find().filter(cond)
}

fn sort(direction: Direction) -> SortSpec<department::Model> {
    SortSpec {
        list: "Department.name",
        kind: page::SortKind::Text,
        expr: Expr::col((department::Entity, department::Column::Name)),
        then: None,
        id: Expr::col((department::Entity, department::Column::Id)),
        descending: direction == Direction::Desc,
        value_of: |m| SortValue::Text(m.name.clone()),
        id_of: |m| &m.id,
    }
}

/// One page of departments, and the query that counts them all.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &DepartmentFilter,
    order: (DepartmentOrderField, Direction),
    args: &PageArgs,
    max_page_size: u32,
) -> AppResult<(Page<department::Model>, Select<department::Entity>)> {
    let query = select(filter);
    let page = page::fetch_page(db, query.clone(), &sort(order.1), args, max_page_size).await?;
    Ok((page, query))
}

/// Departments by ID, for DataLoaders.
pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[String]) -> AppResult<HashMap<String, department::Model>> {
    let groups = group_by(db, department::Entity::find(), department::Column::Id, ids).await?;
    Ok(groups.into_iter().filter_map(|(k, mut v)| v.pop().map(|m| (k, m))).collect())
}

/// The aliases of each department, alphabetically.
pub async fn aliases_of<C: ConnectionTrait>(
    db: &C,
    department_ids: &[String],
) -> AppResult<HashMap<String, Vec<String>>> {
    let query = department_alias::Entity::find().order_by_asc(department_alias::Column::Alias);
    let groups = group_by(db, query, department_alias::Column::DepartmentId, department_ids).await?;
    Ok(groups.into_iter().map(|(k, v)| (k, v.into_iter().map(|a| a.alias).collect())).collect())
}
