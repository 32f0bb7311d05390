//! The administrative tree. Regions are public reference data.

use super::page::{self, Page, PageArgs, SortSpec, SortValue};
use super::{Direction, group_by};
use crate::error::AppResult;
use entity::region;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select};
use std::collections::HashMap;

/// Which regions a list returns.
#[derive(Debug, Clone, Default)]
pub struct RegionFilter {
    pub search: Option<String>,
    pub parent_id: Option<String>,
    pub code: Option<String>,
    /// Only roots (regions without a parent).
    pub roots_only: bool,
}

/// Sort fields of region lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum RegionOrderField {
    /// 行政区划代码 — by administrative code (regions without one first).
    #[default]
    Code,
    /// 名称 — by name.
    Name,
}

fn select(filter: &RegionFilter) -> Select<region::Entity> {
    let mut cond = Condition::all();
    if let Some(text) = &filter.search {
        cond = cond.add(page::search_condition(
            &[Expr::col((region::Entity, region::Column::Name)), Expr::col((region::Entity, region::Column::NameEn))],
            text,
        ));
    }
    if let Some(parent) = &filter.parent_id {
        cond = cond.add(region::Column::ParentId.eq(parent.clone()));
    }
    if let Some(code) = &filter.code {
        cond = cond.add(region::Column::Code.eq(code.clone()));
    }
    if filter.roots_only {
        cond = cond.add(region::Column::ParentId.is_null());
    }
    region::Entity::find().filter(cond)
}

fn sort(field: RegionOrderField, direction: Direction) -> SortSpec<region::Model> {
    let descending = direction == Direction::Desc;
    let id = Expr::col((region::Entity, region::Column::Id));
    match field {
        RegionOrderField::Code => SortSpec {
            list: "Region.code",
            kind: page::SortKind::Text,
            expr: Func::coalesce([Expr::col((region::Entity, region::Column::Code)), Expr::val("")]).into(),
            then: None,
            id,
            descending,
            value_of: |m| SortValue::Text(m.code.clone().unwrap_or_default()),
            id_of: |m| &m.id,
        },
        RegionOrderField::Name => SortSpec {
            list: "Region.name",
            kind: page::SortKind::Text,
            expr: Expr::col((region::Entity, region::Column::Name)),
            then: None,
            id,
            descending,
            value_of: |m| SortValue::Text(m.name.clone()),
            id_of: |m| &m.id,
        },
    }
}

/// One page of regions, and the query that counts them all.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &RegionFilter,
    order: (RegionOrderField, Direction),
    args: &PageArgs,
    max_page_size: u32,
) -> AppResult<(Page<region::Model>, Select<region::Entity>)> {
    let query = select(filter);
    let page = page::fetch_page(db, query.clone(), &sort(order.0, order.1), args, max_page_size).await?;
    Ok((page, query))
}

/// Regions by ID, for DataLoaders.
pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[String]) -> AppResult<HashMap<String, region::Model>> {
    let groups = group_by(db, region::Entity::find(), region::Column::Id, ids).await?;
    Ok(groups.into_iter().filter_map(|(k, mut v)| v.pop().map(|m| (k, m))).collect())
}

/// Record IDs of the regions with these administrative codes, keyed by code,
/// for DataLoaders (codes are unique; unknown ones are left out).
pub async fn ids_by_codes<C: ConnectionTrait>(db: &C, codes: &[String]) -> AppResult<HashMap<String, String>> {
    let groups = group_by(db, region::Entity::find(), region::Column::Code, codes).await?;
    Ok(groups.into_iter().filter_map(|(code, mut rows)| rows.pop().map(|r| (code, r.id))).collect())
}

/// Children of each region, ordered by code.
pub async fn children_of<C: ConnectionTrait>(
    db: &C,
    parent_ids: &[String],
) -> AppResult<HashMap<String, Vec<region::Model>>> {
    let query = region::Entity::find().order_by_asc(region::Column::Code).order_by_asc(region::Column::Name);
    group_by(db, query, region::Column::ParentId, parent_ids).await
}
