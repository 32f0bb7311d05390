//! createIndicator, updateIndicator, setTarget, removeTarget.
//!
//! Indicators and their targets belong to the coordinator of the plan's
//! region (or ADMIN). A target change is a change of its indicator: the
//! indicator's version is bumped in the same transaction.

mod targets;

pub use targets::{NewTarget, remove_target, set_target};

use super::{Checks, Idempotency, MAX_TEXT, MAX_TITLE, check_version, json, load, set_if};
use crate::access::Actor;
use crate::access::Viewer;
use crate::db::Writer;
use crate::error::{AppError, AppResult};
use crate::service::audit::{AuditAction, AuditEntity, ChangeInput, Scope};
use crate::service::writes::WriteTxn;
use chrono::Utc;
use entity::enums::{Direction, Measure, Nature, SharingClass};
use entity::{indicator, indicator_target, plan, region, task};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter};
use serde::Serialize;

/// Units an indicator may be measured in: every unit of the default dataset
/// (`""` is the dimensionless unit of ratios such as PUE) and the common
/// units of energy, emission and environment statistics.
#[rustfmt::skip]
pub const KNOWN_UNITS: &[&str] = &[
    // the default dataset
    "", "%", "个", "家", "台", "万台", "条", "项", "公里", "公顷", "万平方米", "亿立方米", "万千瓦", "微克/立方米", "min",
    // counts
    "‰", "辆", "万辆", "座", "处", "户", "套", "根", "人", "万人",
    // energy and emissions
    "千瓦", "兆瓦", "吉瓦", "千瓦时", "万千瓦时", "亿千瓦时", "吨标准煤", "万吨标准煤", "吨标准煤/万元",
    "吨", "万吨", "亿吨", "万吨二氧化碳", "吨二氧化碳/万元",
    // volume, area, length
    "立方米", "万立方米", "平方米", "平方公里", "亩", "万亩", "米", "千米",
    // environment, time, money
    "毫克/立方米", "毫克/升", "天", "小时", "分钟", "元", "万元", "亿元",
];

/// Whether `unit` is one of [`KNOWN_UNITS`].
pub fn known_unit(unit: &str) -> bool {
    KNOWN_UNITS.contains(&unit.trim())
}

/// Input of createIndicator, with IDs decoded.
#[derive(Debug, Clone, Serialize)]
pub struct NewIndicator {
    pub plan_id: String,
    pub task_id: Option<String>,
    pub name: String,
    pub unit: String,
    pub measure: Measure,
    pub direction: Direction,
    pub summable: bool,
    pub nature: Nature,
    /// Default: the plan's region.
    pub region_id: Option<String>,
    pub baseline_year: Option<i32>,
    pub baseline_value: Option<f64>,
    pub contributes_to_id: Option<String>,
    pub sharing_class: Option<SharingClass>,
    pub legal_basis: Option<String>,
}

/// Changes of updateIndicator; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndicatorPatch {
    pub name: Option<String>,
    pub unit: Option<String>,
    pub measure: Option<Measure>,
    pub direction: Option<Direction>,
    pub summable: Option<bool>,
    pub nature: Option<Nature>,
    pub task_id: Option<String>,
    pub baseline_year: Option<i32>,
    pub baseline_value: Option<f64>,
    pub contributes_to_id: Option<String>,
    pub sharing_class: Option<SharingClass>,
    pub legal_basis: Option<String>,
}

fn check_fields(
    checks: &mut Checks,
    name: Option<&str>,
    unit: Option<&str>,
    baseline: (Option<i32>, Option<f64>),
    legal_basis: Option<&str>,
) {
    checks.opt_text("input.name", name, MAX_TITLE).year("input.baselineYear", baseline.0);
    checks.number("input.baselineValue", baseline.1).opt_text("input.legalBasis", legal_basis, MAX_TEXT);
    if let Some(unit) = unit {
        let examples = KNOWN_UNITS.iter().filter(|u| !u.is_empty()).take(12).copied().collect::<Vec<_>>().join(", ");
        checks.require(
            known_unit(unit),
            "input.unit",
            format!("unknown unit {unit:?}; known units include {examples}"),
        );
    }
}

/// A NOT_SHARED record must state its legal basis.
fn check_legal_basis(checks: &mut Checks, class: Option<SharingClass>, legal_basis: Option<&str>) {
    checks.require(
        class != Some(SharingClass::NotShared) || legal_basis.is_some_and(|b| !b.trim().is_empty()),
        "input.legalBasis",
        "a NOT_SHARED record must state its legal basis",
    );
}

/// Checks that `task_id` is a visible task of `plan_id`.
async fn check_task(txn: &DatabaseTransaction, viewer: &Viewer, task_id: &str, plan_id: &str) -> AppResult<()> {
    let found = task::Entity::find_by_id(task_id).filter(viewer.task_condition()).one(txn).await?;
    match found {
        None => Err(AppError::bad_input("input.taskId", "no such task")),
        Some(t) if t.plan_id != plan_id => Err(AppError::bad_input("input.taskId", "the task belongs to another plan")),
        Some(_) => Ok(()),
    }
}

/// Checks that `target_id` is a visible indicator other than `own_id`, and that
/// following `contributes_to` from it to the end of the chain never comes back
/// to `own_id`.
async fn check_contributes_to(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    target_id: &str,
    own_id: Option<&str>,
) -> AppResult<()> {
    const FIELD: &str = "input.contributesToId";
    if own_id == Some(target_id) {
        return Err(AppError::bad_input(FIELD, "an indicator cannot contribute to itself"));
    }
    let visible = indicator::Entity::find_by_id(target_id).filter(viewer.indicator_condition()).one(txn).await?;
    let mut cursor = visible.ok_or_else(|| AppError::bad_input(FIELD, "no such indicator"))?.contributes_to_id;
    // Follow the chain to its end (or to an indicator seen before), however long.
    let mut seen = std::collections::HashSet::new();
    while let Some(next) = cursor {
        if Some(next.as_str()) == own_id {
            return Err(AppError::bad_input(FIELD, "this would make indicators contribute to each other in a cycle"));
        }
        if !seen.insert(next.clone()) {
            break;
        }
        cursor = indicator::Entity::find_by_id(next).one(txn).await?.and_then(|i| i.contributes_to_id);
    }
    Ok(())
}

fn change(action: AuditAction, before: Option<&indicator::Model>, after: &indicator::Model) -> ChangeInput {
    ChangeInput {
        entity: AuditEntity::Indicator,
        entity_id: after.id.clone(),
        action,
        before: before.and_then(json),
        after: json(after),
        scope: Scope::Indicator(after.id.clone()),
        plan_id: Some(after.plan_id.clone()),
        region_id: Some(after.region_id.clone()),
    }
}

/// Loads an indicator the caller may see and coordinate (its plan's region).
async fn load_managed(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    id: &str,
    action: &str,
) -> AppResult<indicator::Model> {
    let query = indicator::Entity::find().filter(viewer.indicator_condition());
    let found = load(txn, "Indicator", id, query, indicator::Column::Id).await?;
    let owner = load(txn, "Plan", &found.plan_id, plan::Entity::find(), plan::Column::Id).await?;
    viewer.require_coordinator_of(&owner.region_id, action)?;
    Ok(found)
}

/// Creates an indicator of a plan the caller coordinates.
pub async fn create_indicator(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    input: NewIndicator,
    idempotency_key: Option<&str>,
) -> AppResult<indicator::Model> {
    let mut checks = Checks::default();
    checks.text("input.name", &input.name, MAX_TITLE);
    let baseline = (input.baseline_year, input.baseline_value);
    check_fields(&mut checks, None, Some(&input.unit), baseline, input.legal_basis.as_deref());
    check_legal_basis(&mut checks, input.sharing_class, input.legal_basis.as_deref());
    checks.finish()?;
    let idempotency = Idempotency::new("createIndicator", idempotency_key, &input)?;

    let write = WriteTxn::begin_idempotent(writer, actor, idempotency).await?;
    let txn = write.db();
    let query = plan::Entity::find().filter(viewer.plan_condition());
    let owner = load(txn, "Plan", &input.plan_id, query, plan::Column::Id).await?;
    viewer.require_coordinator_of(&owner.region_id, "create indicators")?;
    if let Some(id) = write.replay().await? {
        let found = load(
            txn,
            "Indicator",
            &id,
            indicator::Entity::find().filter(viewer.indicator_condition()),
            indicator::Column::Id,
        )
        .await?;
        write.end_unchanged().await?;
        return Ok(found);
    }
    let region_id = input.region_id.clone().unwrap_or_else(|| owner.region_id.clone());
    if region::Entity::find_by_id(region_id.as_str()).one(txn).await?.is_none() {
        return Err(AppError::bad_input("input.regionId", "no such region"));
    }
    viewer.require_coordinator_of(&region_id, "create indicators")?;
    if let Some(task_id) = &input.task_id {
        check_task(txn, viewer, task_id, &owner.id).await?;
    }
    if let Some(target) = &input.contributes_to_id {
        check_contributes_to(txn, viewer, target, None).await?;
    }
    let now = Utc::now();
    let created = indicator::Model {
        id: crate::ids::new_uuid(),
        name: input.name.trim().to_owned(),
        // Indicators added through the API sort after the document's, in creation order.
        doc_order: format!("{}:z{:020}", owner.id, now.timestamp_micros()),
        unit: input.unit.trim().to_owned(),
        measure: input.measure,
        direction: input.direction,
        summable: input.summable,
        nature: input.nature,
        region_id,
        plan_id: owner.id.clone(),
        task_id: input.task_id,
        baseline_year: input.baseline_year,
        baseline_value: input.baseline_value,
        contributes_to_id: input.contributes_to_id,
        sharing_class: input.sharing_class,
        legal_basis: input.legal_basis,
        source_document_id: None,
        source_section: None,
        source_quote: None,
        source_start: None,
        source_end: None,
        source_cleaned: None,
        version: 1,
        created_at: now,
        updated_at: now,
    }
    .into_active_model()
    .insert(txn)
    .await?;
    write.commit(change(AuditAction::Create, None, &created)).await?;
    Ok(created)
}

/// Updates the given fields of an indicator at `expected_version`.
pub async fn update_indicator(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    id: &str,
    expected_version: i32,
    patch: IndicatorPatch,
) -> AppResult<indicator::Model> {
    let mut checks = Checks::default();
    let baseline = (patch.baseline_year, patch.baseline_value);
    check_fields(&mut checks, patch.name.as_deref(), patch.unit.as_deref(), baseline, patch.legal_basis.as_deref());
    checks.finish()?;

    let write = WriteTxn::begin(writer, actor).await?;
    let txn = write.db();
    let before = load_managed(txn, viewer, id, "update indicators").await?;
    check_version("Indicator", before.version, expected_version)?;
    if let Some(task_id) = &patch.task_id {
        check_task(txn, viewer, task_id, &before.plan_id).await?;
    }
    if let Some(target) = &patch.contributes_to_id {
        check_contributes_to(txn, viewer, target, Some(id)).await?;
    }
    let mut checks = Checks::default();
    if let Some(base) = patch.baseline_year {
        let targets = indicator_target::Entity::find()
            .filter(indicator_target::Column::IndicatorId.eq(id))
            .filter(indicator_target::Column::Year.lt(base))
            .all(txn)
            .await?;
        let years: Vec<String> = targets.iter().filter_map(|t| t.year).map(|y| y.to_string()).collect();
        checks.require(
            years.is_empty(),
            "input.baselineYear",
            format!("targets exist before it: {}", years.join(", ")),
        );
    }
    let class = patch.sharing_class.or(before.sharing_class);
    check_legal_basis(&mut checks, class, patch.legal_basis.as_deref().or(before.legal_basis.as_deref()));
    checks.finish()?;

    let mut am = before.clone().into_active_model();
    set_if(&mut am.name, patch.name.map(|v| v.trim().to_owned()));
    set_if(&mut am.unit, patch.unit.map(|v| v.trim().to_owned()));
    set_if(&mut am.measure, patch.measure);
    set_if(&mut am.direction, patch.direction);
    set_if(&mut am.summable, patch.summable);
    set_if(&mut am.nature, patch.nature);
    set_if(&mut am.task_id, patch.task_id.map(Some));
    set_if(&mut am.baseline_year, patch.baseline_year.map(Some));
    set_if(&mut am.baseline_value, patch.baseline_value.map(Some));
    set_if(&mut am.contributes_to_id, patch.contributes_to_id.map(Some));
    set_if(&mut am.sharing_class, patch.sharing_class.map(Some));
    set_if(&mut am.legal_basis, patch.legal_basis.map(Some));
    let after = write.save_next_version(am, before.version).await?;
    write.commit(change(AuditAction::Update, Some(&before), &after)).await?;
    Ok(after)
}
