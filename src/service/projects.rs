//! Key projects (重点项目): the list and its filters, the projects of each
//! task, and each project's sizes and responsible units, under the read rule
//! of the project's task ([`Viewer::project_condition`]).

use super::page::{self, Page, PageArgs, SortSpec, SortValue};
use super::{group_by, region_subtree};
use crate::access::Viewer;
use crate::error::AppResult;
use entity::{plan, project, project_department, project_size};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select};
use std::collections::HashMap;

/// Which projects a list returns.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub plan_id: Option<String>,
    /// The 专栏 (or task) the projects are listed in.
    pub task_id: Option<String>,
    /// The 专栏's label, exactly (光伏发电).
    pub kind: Option<String>,
    /// Projects of the plans of this region or of a region under it.
    pub region_id: Option<String>,
}

fn select(viewer: &Viewer, filter: &ProjectFilter) -> Select<project::Entity> {
    let mut cond = Condition::all().add(viewer.project_condition());
    if let Some(plan) = &filter.plan_id {
        cond = cond.add(project::Column::PlanId.eq(plan.clone()));
    }
    if let Some(task) = &filter.task_id {
        cond = cond.add(project::Column::TaskId.eq(task.clone()));
    }
    if let Some(kind) = &filter.kind {
        cond = cond.add(project::Column::Kind.eq(kind.clone()));
    }
    if let Some(region) = &filter.region_id {
        let plans_of_region = Query::select()
            .column(plan::Column::Id)
            .from(plan::Entity)
            .and_where(plan::Column::RegionId.in_subquery(region_subtree(region)))
            .to_owned();
        cond = cond.add(project::Column::PlanId.in_subquery(plans_of_region));
    }
    project::Entity::find().filter(cond)
}

/// Document order: by plan, then position in the plan's text.
fn sort() -> SortSpec<project::Model> {
    SortSpec {
        list: "Project.docOrder",
        kind: page::SortKind::Text,
        expr: Expr::col((project::Entity, project::Column::DocOrder)),
        then: None,
        id: Expr::col((project::Entity, project::Column::Id)),
        descending: false,
        value_of: |m| SortValue::Text(m.doc_order.clone()),
        id_of: |m| &m.id,
    }
}

/// One page of the visible projects matching `filter`, in document order,
/// and the query that counts them all.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &ProjectFilter,
    args: &PageArgs,
    max_page_size: u32,
) -> AppResult<(Page<project::Model>, Select<project::Entity>)> {
    let query = select(viewer, filter);
    let page = page::fetch_page(db, query.clone(), &sort(), args, max_page_size).await?;
    Ok((page, query))
}

/// Visible projects by ID, for `node(id)`.
pub async fn by_ids<C: ConnectionTrait>(db: &C, viewer: &Viewer, ids: Vec<String>) -> AppResult<Vec<project::Model>> {
    let query = project::Entity::find().filter(viewer.project_condition());
    let groups = group_by(db, query, project::Column::Id, &ids).await?;
    Ok(groups.into_values().flatten().collect())
}

/// The visible projects of each task, in document order: one statement for all the tasks.
pub async fn of_tasks<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    task_ids: &[String],
) -> AppResult<HashMap<String, Vec<project::Model>>> {
    let query = project::Entity::find()
        .filter(viewer.project_condition())
        .order_by_asc(project::Column::DocOrder)
        .order_by_asc(project::Column::Id);
    group_by(db, query, project::Column::TaskId, task_ids).await
}

/// The sizes of each project, in the order written.
pub async fn sizes_of<C: ConnectionTrait>(
    db: &C,
    project_ids: &[String],
) -> AppResult<HashMap<String, Vec<project_size::Model>>> {
    let query = project_size::Entity::find().order_by_asc(project_size::Column::Position);
    group_by(db, query, project_size::Column::ProjectId, project_ids).await
}

/// The responsible departments' IDs of each project, in listed order.
pub async fn departments_of<C: ConnectionTrait>(
    db: &C,
    project_ids: &[String],
) -> AppResult<HashMap<String, Vec<String>>> {
    let query = project_department::Entity::find().order_by_asc(project_department::Column::Position);
    let groups = group_by(db, query, project_department::Column::ProjectId, project_ids).await?;
    Ok(groups.into_iter().map(|(k, rows)| (k, rows.into_iter().map(|r| r.department_id).collect())).collect())
}
