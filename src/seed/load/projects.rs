//! The rows of the key projects: the projects, their sizes and their
//! responsible units, in document order.

use super::{department_id, doc_orders, plan_id, provenance_columns, task_id};
use crate::ids::{NodeKind, stable_uuid};
use crate::seed::model::Dataset;
use chrono::{DateTime, Utc};
use entity::{project, project_department, project_size};

/// The stable ID of a project.
pub(super) fn project_id(key: &str) -> String {
    stable_uuid(NodeKind::Project, key)
}

/// One row per project; `doc_order` counts per plan in dataset order.
pub(super) fn project_rows(dataset: &Dataset, now: DateTime<Utc>) -> Vec<project::Model> {
    let doc_orders = doc_orders(dataset.projects.iter().map(|p| p.plan_key.as_str()));
    dataset
        .projects
        .iter()
        .zip(doc_orders)
        .map(|(p, doc_order)| {
            let source = provenance_columns(&p.provenance);
            project::Model {
                id: project_id(&p.key),
                plan_id: plan_id(&p.plan_key),
                task_id: task_id(&p.task_key),
                kind: p.kind.clone(),
                name: p.name.clone(),
                place: p.place.clone(),
                doc_order,
                source_document_id: source.document_id,
                source_section: source.section,
                source_quote: source.quote,
                source_start: source.start,
                source_end: source.end,
                source_cleaned: source.cleaned,
                version: 1,
                created_at: now,
                updated_at: now,
            }
        })
        .collect()
}

/// Each project's sizes, `position` in the order written.
pub(super) fn size_rows(dataset: &Dataset) -> Vec<project_size::Model> {
    dataset
        .projects
        .iter()
        .flat_map(|p| p.sizes.iter().enumerate().map(move |(position, s)| (p, position, s)))
        .map(|(p, position, s)| project_size::Model {
            id: stable_uuid(NodeKind::ProjectPart, &format!("{}|size|{position}", p.key)),
            project_id: project_id(&p.key),
            position: i32::try_from(position).unwrap_or(i32::MAX),
            value: s.value,
            unit: s.unit.clone(),
            measure: s.measure.clone(),
        })
        .collect()
}

/// Each project's responsible units, in the order the text lists them.
pub(super) fn department_rows(dataset: &Dataset) -> Vec<project_department::Model> {
    dataset
        .projects
        .iter()
        .flat_map(|p| p.responsible_keys.iter().enumerate().map(move |(position, d)| (p, position, d)))
        .map(|(p, position, department)| project_department::Model {
            id: stable_uuid(NodeKind::ProjectPart, &format!("{}|department|{department}", p.key)),
            project_id: project_id(&p.key),
            department_id: department_id(department),
            position: i32::try_from(position).unwrap_or(i32::MAX),
        })
        .collect()
}
