//! The rows of the Jing-Jin-Ji coordination records: the records, their
//! participating agencies and their regions, in document order.

use super::{department_id, doc_orders, plan_id, provenance_columns, region_id};
use crate::ids::{NodeKind, stable_uuid};
use crate::seed::model::Dataset;
use chrono::{DateTime, Utc};
use entity::{coordination_participant, coordination_record, coordination_region};

/// The stable ID of a coordination record.
pub(super) fn record_id(key: &str) -> String {
    stable_uuid(NodeKind::CoordinationRecord, key)
}

/// One row per record; `doc_order` counts per plan in dataset order.
pub(super) fn record_rows(dataset: &Dataset, now: DateTime<Utc>) -> Vec<coordination_record::Model> {
    let doc_orders = doc_orders(dataset.coordination.iter().map(|r| r.plan_key.as_str()));
    dataset
        .coordination
        .iter()
        .zip(doc_orders)
        .map(|(r, doc_order)| {
            let source = provenance_columns(&r.provenance);
            coordination_record::Model {
                id: record_id(&r.key),
                plan_id: plan_id(&r.plan_key),
                kind: r.kind,
                date: r.date.clone(),
                title: r.title.clone(),
                text: r.text.clone(),
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

/// Each record's agencies, `position` in the order the data lists them.
pub(super) fn participant_rows(dataset: &Dataset) -> Vec<coordination_participant::Model> {
    dataset
        .coordination
        .iter()
        .flat_map(|r| r.participant_keys.iter().enumerate().map(move |(position, d)| (r, position, d)))
        .map(|(r, position, department)| coordination_participant::Model {
            id: stable_uuid(NodeKind::CoordinationLink, &format!("{}|department|{department}", r.key)),
            record_id: record_id(&r.key),
            department_id: department_id(department),
            position: i32::try_from(position).unwrap_or(i32::MAX),
        })
        .collect()
}

/// Each record's regions, in the order the data lists them.
pub(super) fn region_rows(dataset: &Dataset) -> Vec<coordination_region::Model> {
    dataset
        .coordination
        .iter()
        .flat_map(|r| r.region_keys.iter().enumerate().map(move |(position, k)| (r, position, k)))
        .map(|(r, position, region)| coordination_region::Model {
            id: stable_uuid(NodeKind::CoordinationLink, &format!("{}|region|{region}", r.key)),
            record_id: record_id(&r.key),
            region_id: region_id(region),
            position: i32::try_from(position).unwrap_or(i32::MAX),
        })
        .collect()
}
