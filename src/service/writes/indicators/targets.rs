//! setTarget and removeTarget: a target change is a change of its indicator,
//! whose version is bumped in the same transaction.

use super::load_managed;
use crate::access::Actor;
use crate::access::Viewer;
use crate::db::Writer;
use crate::error::{AppError, AppResult};
use crate::service::audit::{AuditAction, AuditEntity, ChangeInput, Scope};
use crate::service::writes::WriteTxn;
use crate::service::writes::{Checks, YEARS, check_version, json};
use chrono::Utc;
use entity::enums::{Comparator, TargetKind};
use entity::{indicator, indicator_target};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, ModelTrait, QueryFilter,
};
use serde::Serialize;

/// Input of setTarget, with the indicator ID decoded.
#[derive(Debug, Clone, Serialize)]
pub struct NewTarget {
    pub indicator_id: String,
    pub year: i32,
    /// `BY_YEAR` (with a comparator and a value) or `QUALITATIVE` (with a phrase, no figure).
    pub kind: TargetKind,
    pub comparator: Option<Comparator>,
    pub value: Option<f64>,
    pub value_max: Option<f64>,
    /// The words of a qualitative target.
    pub phrase: Option<String>,
    /// The version of the existing target of that year the change is based on.
    pub expected_version: Option<i32>,
}

fn target_change(
    action: AuditAction,
    owner: &indicator::Model,
    before: Option<&indicator_target::Model>,
    after: Option<&indicator_target::Model>,
) -> ChangeInput {
    let id = after.or(before).map(|t| t.id.clone()).unwrap_or_default();
    ChangeInput {
        entity: AuditEntity::Target,
        entity_id: id,
        action,
        before: before.and_then(json),
        after: after.and_then(json),
        scope: Scope::Indicator(owner.id.clone()),
        plan_id: Some(owner.plan_id.clone()),
        region_id: Some(owner.region_id.clone()),
    }
}

/// The target of `year` of an indicator, if any.
async fn target_of(
    txn: &DatabaseTransaction,
    indicator_id: &str,
    year: i32,
) -> AppResult<Option<indicator_target::Model>> {
    Ok(indicator_target::Entity::find()
        .filter(indicator_target::Column::IndicatorId.eq(indicator_id))
        .filter(indicator_target::Column::Year.eq(year))
        .one(txn)
        .await?)
}

/// Refuses a change based on a version of a target that is stale or gone.
fn check_target_version(existing: Option<&indicator_target::Model>, expected: Option<i32>, year: i32) -> AppResult<()> {
    match (existing, expected) {
        (Some(t), Some(v)) => check_version("Target", t.version, v),
        (None, Some(v)) => Err(AppError::Conflict {
            message: format!("expectedVersion {v} refers to a target of {year} that no longer exists; reload it"),
            current_version: None,
        }),
        (_, None) => Ok(()),
    }
}

/// Longest phrase of a qualitative target, in characters.
const PHRASE_MAX: usize = 500;

/// Validates a setTarget input: its comparator and value as stored.
fn check_target(input: &NewTarget) -> AppResult<(Comparator, Option<f64>)> {
    let mut checks = Checks::default();
    checks.year("input.year", Some(input.year)).number("input.value", input.value);
    checks.number("input.valueMax", input.value_max);
    let stored = match input.kind {
        TargetKind::Qualitative => {
            // A goal in words: the phrase says it, no figure, EQ (reached or not).
            match input.phrase.as_deref() {
                Some(p) => checks.text("input.phrase", p, PHRASE_MAX),
                None => checks.require(false, "input.phrase", "a QUALITATIVE target requires phrase"),
            };
            checks.require(input.value.is_none(), "input.value", "a QUALITATIVE target has no value");
            checks.require(input.value_max.is_none(), "input.valueMax", "a QUALITATIVE target has no valueMax");
            checks.require(
                input.comparator.is_none_or(|c| c == Comparator::Eq),
                "input.comparator",
                "a QUALITATIVE target is EQ (or gives no comparator)",
            );
            (Comparator::Eq, None)
        }
        TargetKind::ByYear => {
            checks.require(input.phrase.is_none(), "input.phrase", "only a QUALITATIVE target has phrase");
            checks.require(input.comparator.is_some(), "input.comparator", "a BY_YEAR target requires comparator");
            checks.require(input.value.is_some(), "input.value", "a BY_YEAR target requires value");
            let value = input.value.unwrap_or_default();
            match (input.comparator, input.value_max) {
                (Some(Comparator::Between), None) => {
                    checks.require(false, "input.valueMax", "BETWEEN requires valueMax")
                }
                (Some(Comparator::Between), Some(max)) => {
                    checks.require(max >= value, "input.valueMax", "must not be less than value")
                }
                (_, max) => checks.require(max.is_none(), "input.valueMax", "only a BETWEEN target has valueMax"),
            };
            (input.comparator.unwrap_or(Comparator::Eq), input.value)
        }
        _ => {
            checks.require(false, "input.kind", "setTarget sets a BY_YEAR or a QUALITATIVE target");
            (Comparator::Eq, None)
        }
    };
    checks.finish()?;
    Ok(stored)
}

/// Creates or replaces the target of `input.year` of an indicator the caller coordinates.
pub async fn set_target(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    input: NewTarget,
) -> AppResult<(indicator_target::Model, indicator::Model)> {
    let (comparator, value) = check_target(&input)?;

    let write = WriteTxn::begin(writer, actor).await?;
    let txn = write.db();
    let found = load_managed(txn, viewer, &input.indicator_id, "set targets").await?;
    if let Some(base) = found.baseline_year.filter(|b| input.year < *b) {
        return Err(AppError::bad_input("input.year", format!("must not be before the baseline year {base}")));
    }
    let existing = target_of(txn, &found.id, input.year).await?;
    check_target_version(existing.as_ref(), input.expected_version, input.year)?;
    let now = Utc::now();
    let (action, target) = match &existing {
        Some(before) => {
            let mut am = before.clone().into_active_model();
            // A figure replaces words and words replace a figure: the kind follows the input.
            if input.kind == TargetKind::Qualitative || before.kind == TargetKind::Qualitative {
                am.kind = Set(input.kind);
                am.phrase = Set(input.phrase.clone());
            }
            am.comparator = Set(comparator);
            am.value = Set(value);
            am.value_max = Set(input.value_max);
            // The value no longer comes from the document; the Change keeps the old one.
            am.source_document_id = Set(None);
            am.source_section = Set(None);
            am.source_quote = Set(None);
            am.source_start = Set(None);
            am.source_end = Set(None);
            am.source_cleaned = Set(None);
            (AuditAction::Update, write.save_next_version(am, before.version).await?)
        }
        None => {
            let created = indicator_target::Model {
                id: crate::ids::new_uuid(),
                indicator_id: found.id.clone(),
                year: Some(input.year),
                kind: input.kind,
                start_year: None,
                phrase: input.phrase.clone(),
                comparator,
                value,
                value_max: input.value_max,
                source_document_id: None,
                source_section: None,
                source_quote: None,
                source_start: None,
                source_end: None,
                source_cleaned: None,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            (AuditAction::Create, created.into_active_model().insert(txn).await?)
        }
    };
    let after = write.save_next_version(found.clone().into_active_model(), found.version).await?;
    write.commit(target_change(action, &found, existing.as_ref(), Some(&target))).await?;
    Ok((target, after))
}

/// Removes the target of `year` of an indicator the caller coordinates.
pub async fn remove_target(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    indicator_id: &str,
    year: i32,
    expected_version: Option<i32>,
) -> AppResult<indicator::Model> {
    let mut checks = Checks::default();
    checks.require(YEARS.contains(&year), "input.year", "no target of this year");
    checks.finish()?;

    let write = WriteTxn::begin(writer, actor).await?;
    let txn = write.db();
    let found = load_managed(txn, viewer, indicator_id, "remove targets").await?;
    let before = target_of(txn, &found.id, year)
        .await?
        .ok_or_else(|| AppError::bad_input("input.year", format!("{} has no target for {year}", found.name)))?;
    check_target_version(Some(&before), expected_version, year)?;
    before.clone().delete(txn).await?;
    let after = write.save_next_version(found.clone().into_active_model(), found.version).await?;
    write.commit(target_change(AuditAction::Delete, &found, Some(&before), None)).await?;
    Ok(after)
}
