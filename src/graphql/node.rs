//! Relay object identification: `node(id)` and `nodes(ids)` for every type
//! that has an `id`.
//!
//! Contract: a record is returned exactly when the caller could reach it
//! through the API's lists — the five main kinds through their
//! access-checked loaders; targets and actuals when their indicator is
//! visible, assignments and progress reports when their task is, grants when
//! their plan is and the caller is ADMIN, the grantee or a coordinator of
//! the plan's region, change-feed
//! entries under the feed's own visibility, webhook endpoints and their
//! deliveries for those who manage the endpoint, coordination records when
//! their plan is visible, key projects when their task is. Anything else,
//! existing or not, is `null`. Keys of one kind are loaded in one batch, so
//! `nodes(ids)` costs one statement per kind (plus the parents' loaders),
//! whatever the number of IDs.

use super::context::ContextExt;
use super::types::Node;
use super::types::change::Change;
use super::types::common::loader_error;
use super::types::coordination::CoordinationRecord;
use super::types::department::Department;
use super::types::grant::Grant;
use super::types::indicator::{Actual, Indicator, Target};
use super::types::plan::Plan;
use super::types::project::Project;
use super::types::region::Region;
use super::types::task::{Assignment, ProgressReport, Task};
use super::types::webhook::{WebhookDelivery, WebhookEndpoint};
use crate::error::{AppError, GqlResult};
use crate::ids::{NodeKind, from_global_any};
use crate::service::records;
use async_graphql::{Context, ID};
use std::collections::HashMap;

/// The records `ids` name, in their order; `null` where a record does not
/// exist or the caller may not see it.
///
/// # Errors
/// `BAD_USER_INPUT` naming `field[i]` for an ID xietong did not issue; store failures.
pub async fn load(ctx: &Context<'_>, ids: &[ID], field: &str) -> async_graphql::Result<Vec<Option<Node>>> {
    let mut keys: Vec<(NodeKind, String)> = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let name = if ids.len() == 1 { field.to_owned() } else { format!("{field}[{i}]") };
        keys.push(from_global_any(id, &name).gql()?);
    }
    let of_kind = |kind: NodeKind| -> Vec<String> {
        let mut found: Vec<String> = keys.iter().filter(|(k, _)| *k == kind).map(|(_, r)| r.clone()).collect();
        found.sort();
        found.dedup();
        found
    };
    let loaders = &ctx.scope()?.loaders;
    let db = &ctx.state()?.db;
    let viewer = &ctx.scope()?.viewer;
    let mut found: HashMap<(NodeKind, String), Node> = HashMap::new();
    let mut put = |kind: NodeKind, id: String, node: Node| {
        found.insert((kind, id), node);
    };

    for (id, m) in loaders.region.load_many(of_kind(NodeKind::Region)).await.map_err(loader_error)? {
        put(NodeKind::Region, id, Node::Region(Region(m)));
    }
    for (id, m) in loaders.department.load_many(of_kind(NodeKind::Department)).await.map_err(loader_error)? {
        put(NodeKind::Department, id, Node::Department(Department(m)));
    }
    for (id, m) in loaders.plan.load_many(of_kind(NodeKind::Plan)).await.map_err(loader_error)? {
        put(NodeKind::Plan, id, Node::Plan(Plan(m)));
    }
    for (id, m) in loaders.task.load_many(of_kind(NodeKind::Task)).await.map_err(loader_error)? {
        put(NodeKind::Task, id, Node::Task(Task(m)));
    }
    for (id, m) in loaders.indicator.load_many(of_kind(NodeKind::Indicator)).await.map_err(loader_error)? {
        put(NodeKind::Indicator, id, Node::Indicator(Indicator(m)));
    }

    let targets = fetch(of_kind(NodeKind::IndicatorTarget), |ids| records::targets(db, ids)).await?;
    let actuals = fetch(of_kind(NodeKind::IndicatorActual), |ids| records::actuals(db, ids)).await?;
    let indicator_ids =
        targets.iter().map(|t| t.indicator_id.clone()).chain(actuals.iter().map(|a| a.indicator_id.clone()));
    let visible_indicators = loaders.indicator.load_many(indicator_ids).await.map_err(loader_error)?;
    for target in targets.into_iter().filter(|t| visible_indicators.contains_key(&t.indicator_id)) {
        put(NodeKind::IndicatorTarget, target.id.clone(), Node::Target(Target(target)));
    }
    for actual in actuals.into_iter().filter(|a| visible_indicators.contains_key(&a.indicator_id)) {
        put(NodeKind::IndicatorActual, actual.id.clone(), Node::Actual(Actual(actual)));
    }

    let assignments = fetch(of_kind(NodeKind::TaskAssignment), |ids| records::assignments(db, ids)).await?;
    let reports = fetch(of_kind(NodeKind::ProgressReport), |ids| records::progress_reports(db, ids)).await?;
    let task_ids = assignments.iter().map(|a| a.task_id.clone()).chain(reports.iter().map(|r| r.task_id.clone()));
    let visible_tasks = loaders.task.load_many(task_ids).await.map_err(loader_error)?;
    for assignment in assignments.into_iter().filter(|a| visible_tasks.contains_key(&a.task_id)) {
        put(NodeKind::TaskAssignment, assignment.id.clone(), Node::Assignment(Assignment(assignment)));
    }
    for report in reports.into_iter().filter(|r| visible_tasks.contains_key(&r.task_id)) {
        put(NodeKind::ProgressReport, report.id.clone(), Node::ProgressReport(ProgressReport(report)));
    }

    let grants = fetch(of_kind(NodeKind::AccessGrant), |ids| records::grants(db, ids)).await?;
    let visible_plans = loaders.plan.load_many(grants.iter().map(|g| g.plan_id.clone())).await.map_err(loader_error)?;
    let may_see = |g: &entity::access_grant::Model| {
        visible_plans.get(&g.plan_id).is_some_and(|plan| viewer.may_see_grant(&g.department_id, &plan.region_id))
    };
    for grant in grants.into_iter().filter(may_see) {
        put(NodeKind::AccessGrant, grant.id.clone(), Node::Grant(Grant(grant)));
    }

    let changes = fetch(of_kind(NodeKind::Change), |ids| records::changes(db, viewer, ids)).await?;
    for change in changes {
        put(NodeKind::Change, change.id.clone(), Node::Change(Change(change, None)));
    }

    use crate::service::webhooks::registry;
    let endpoints = fetch(of_kind(NodeKind::WebhookEndpoint), |ids| registry::by_ids(db, viewer, ids)).await?;
    for endpoint in endpoints {
        put(NodeKind::WebhookEndpoint, endpoint.id.clone(), Node::WebhookEndpoint(WebhookEndpoint(endpoint)));
    }
    let deliveries = fetch(of_kind(NodeKind::WebhookDelivery), |ids| {
        crate::service::webhooks::history::deliveries_by_ids(db, viewer, ids)
    })
    .await?;
    for delivery in deliveries {
        put(NodeKind::WebhookDelivery, delivery.id.clone(), Node::WebhookDelivery(WebhookDelivery(delivery)));
    }

    let records =
        fetch(of_kind(NodeKind::CoordinationRecord), |ids| crate::service::coordination::by_ids(db, viewer, ids))
            .await?;
    for record in records {
        put(NodeKind::CoordinationRecord, record.id.clone(), Node::CoordinationRecord(CoordinationRecord(record)));
    }
    let projects = fetch(of_kind(NodeKind::Project), |ids| crate::service::projects::by_ids(db, viewer, ids)).await?;
    for project in projects {
        put(NodeKind::Project, project.id.clone(), Node::Project(Project(project)));
    }

    Ok(keys.into_iter().map(|key| found.get(&key).cloned()).collect())
}

/// Runs a lookup by record IDs; no statement for an empty list.
async fn fetch<T, F, Fut>(ids: Vec<String>, lookup: F) -> async_graphql::Result<Vec<T>>
where
    F: FnOnce(Vec<String>) -> Fut,
    Fut: Future<Output = Result<Vec<T>, AppError>>,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    lookup(ids).await.gql()
}
