//! The body of a webhook message: one change of the feed, as the endpoint's
//! identity would read it through the `changes` query — references to plans,
//! tasks and indicators it may not see are null, found with the same
//! statements as the shared feed reader ([`crate::service::feed`]).

use crate::access::Viewer;
use crate::error::AppResult;
use crate::ids::{NodeKind, to_global};
use crate::service::changes::{self, Reference};
use crate::service::{feed, page};
use entity::change;
use serde_json::{Value, json};
use std::collections::HashSet;

/// The bodies of `rows` as `viewer` may read them, in order (one statement per kind of record referenced).
///
/// # Errors
/// Store failures.
pub async fn bodies(
    db: &sea_orm::DatabaseConnection,
    viewer: &Viewer,
    rows: &[change::Model],
) -> AppResult<Vec<Vec<u8>>> {
    let visible = if viewer.is_admin() {
        None
    } else {
        let mut referenced = feed::referenced_ids(rows);
        referenced.entry(Reference::Plan).or_default().extend(rows.iter().filter_map(|r| r.plan_id.clone()));
        Some(feed::visible_referenced(db, viewer, &referenced).await?)
    };
    Ok(rows.iter().map(|row| body(row, visible.as_ref())).collect())
}

/// The body of one change; `visible` names the referenced records the reader
/// may see (`None`: all of them, for administrators).
pub fn body(row: &change::Model, visible: Option<&HashSet<String>>) -> Vec<u8> {
    let payload = |text: Option<&str>| -> Value {
        let Some(mut value) = text.and_then(|t| serde_json::from_str::<Value>(t).ok()) else { return Value::Null };
        if let Some(visible) = visible {
            changes::redact(&row.entity, &mut value, visible);
        }
        value
    };
    let entity_id = match changes::node_kind(&row.entity) {
        Some(kind) => to_global(kind, &row.entity_id).0,
        None => row.entity_id.clone(),
    };
    let plan_id = row
        .plan_id
        .as_ref()
        .filter(|id| visible.is_none_or(|v| v.contains(*id)))
        .map(|id| to_global(NodeKind::Plan, id).0);
    let message = json!({
        "type": event_type(&row.entity, &row.action),
        "timestamp": row.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "data": {
            "id": to_global(NodeKind::Change, &row.id).0,
            "sequence": row.seq,
            "cursor": page::encode(page::SortValue::Int(row.seq), &row.id),
            "occurredAt": row.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "entity": row.entity,
            "entityId": entity_id,
            "action": row.action,
            "actorSubject": row.actor_subject,
            "actorRole": row.actor_role,
            "actorDepartmentId": row.actor_department_id.as_ref().map(|id| to_global(NodeKind::Department, id).0),
            "planId": plan_id,
            "before": payload(row.before.as_deref()),
            "after": payload(row.after.as_deref()),
        }
    });
    serde_json::to_vec(&message).unwrap_or_default()
}

/// The Standard Webhooks event type of a change: `change.<entity>.<action>`
/// in snake case (`change.progress_report.report_progress`).
pub fn event_type(entity: &str, action: &str) -> String {
    let mut snake = String::with_capacity(entity.len() + 4);
    for (i, c) in entity.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            snake.push('_');
        }
        snake.push(c.to_ascii_lowercase());
    }
    format!("change.{snake}.{}", action.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::event_type;

    #[test]
    fn event_types_are_snake_case() {
        assert_eq!(event_type("ProgressReport", "REPORT_PROGRESS"), "change.progress_report.report_progress");
        assert_eq!(event_type("Task", "UPDATE"), "change.task.update");
    }
}
