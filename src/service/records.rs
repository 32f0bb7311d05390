//! Records by primary key for `node(id)` and `nodes(ids)`, of the kinds that
//! carry no visibility of their own (targets, actuals, assignments, progress
//! reports, grants), and change-feed entries (which this module does filter
//! by [`super::changes::visibility`]).
//!
//! Contract: these functions do NOT check access. Their caller shows a
//! record only when its parent (indicator, task or plan) is visible through
//! the access-checked loaders, which is exactly the rule for the record's
//! nested appearance (`Indicator.targets`, `Task.progressReports`, …).

use crate::access::Viewer;
use crate::error::AppResult;
use entity::{
    access_grant, change, indicator_actual, indicator_target, progress_report, source_document, task_assignment,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;

/// Source documents by record ID, for DataLoaders (public reference data).
pub async fn source_documents_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[String],
) -> AppResult<HashMap<String, source_document::Model>> {
    let groups = super::group_by(db, source_document::Entity::find(), source_document::Column::Id, ids).await?;
    Ok(groups.into_iter().filter_map(|(k, mut v)| v.pop().map(|m| (k, m))).collect())
}

/// Targets with these record IDs (missing ones are left out).
pub async fn targets<C: ConnectionTrait>(db: &C, ids: Vec<String>) -> AppResult<Vec<indicator_target::Model>> {
    Ok(indicator_target::Entity::find().filter(indicator_target::Column::Id.is_in(ids)).all(db).await?)
}

/// Actual values with these record IDs.
pub async fn actuals<C: ConnectionTrait>(db: &C, ids: Vec<String>) -> AppResult<Vec<indicator_actual::Model>> {
    Ok(indicator_actual::Entity::find().filter(indicator_actual::Column::Id.is_in(ids)).all(db).await?)
}

/// Assignments with these record IDs.
pub async fn assignments<C: ConnectionTrait>(db: &C, ids: Vec<String>) -> AppResult<Vec<task_assignment::Model>> {
    Ok(task_assignment::Entity::find().filter(task_assignment::Column::Id.is_in(ids)).all(db).await?)
}

/// Progress reports with these record IDs.
pub async fn progress_reports<C: ConnectionTrait>(db: &C, ids: Vec<String>) -> AppResult<Vec<progress_report::Model>> {
    Ok(progress_report::Entity::find().filter(progress_report::Column::Id.is_in(ids)).all(db).await?)
}

/// Access grants with these record IDs.
pub async fn grants<C: ConnectionTrait>(db: &C, ids: Vec<String>) -> AppResult<Vec<access_grant::Model>> {
    Ok(access_grant::Entity::find().filter(access_grant::Column::Id.is_in(ids)).all(db).await?)
}

/// Change-feed entries with these record IDs that `viewer` may read.
pub async fn changes<C: ConnectionTrait>(db: &C, viewer: &Viewer, ids: Vec<String>) -> AppResult<Vec<change::Model>> {
    Ok(change::Entity::find()
        .filter(change::Column::Id.is_in(ids))
        .filter(super::changes::visibility(viewer))
        .all(db)
        .await?)
}
