//! Writes a [`Dataset`] to the database idempotently.
//!
//! Every record's ID is a name-based UUID of its natural key, so a second
//! run finds the rows of the first: unchanged rows are left alone, changed
//! ones are updated with their `version` bumped (so a stale
//! `expectedVersion` still conflicts), missing ones are inserted, and the
//! ones an earlier import wrote that this one no longer produces are removed
//! ([`stale`]). Records created through the API are never touched. All in
//! one transaction.
//!
//! Which columns of a table the documents own is stated once per table, in
//! a `seeded_columns!` line; the comparison with the stored row and the
//! merge onto it are both derived from that line.

mod coordination;
mod projects;
mod stale;

use super::model::{self, Dataset, Provenance};
use crate::db::keys;
use crate::error::AppResult;
use crate::ids::{NodeKind, stable_uuid};
use crate::service::latest_actuals;
use chrono::{DateTime, Utc};
use entity::enums::{ActualStatus, SharingClass, TaskStatus};
use entity::{
    coordination_participant, coordination_record, coordination_region, department, department_alias, indicator,
    indicator_actual, indicator_latest_actual, indicator_target, plan, project, project_department, project_size,
    region, source_document, task, task_assignment,
};
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityName, EntityTrait, IntoActiveModel, QueryFilter, TransactionTrait,
};
use std::collections::{HashMap, HashSet};

/// What one import did, per table: rows inserted, updated, left unchanged and removed.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct SeedReport {
    pub tables: Vec<(String, TableCounts)>,
    /// What each source document gave (see [`super::report`]).
    pub documents: Vec<super::report::DocumentCounts>,
    /// Departments of the dataset by region name.
    pub departments_by_region: Vec<(String, usize)>,
}

/// Row counts of one table in an import.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct TableCounts {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Rows an earlier import wrote that this one no longer produces, deleted.
    pub removed: usize,
    /// Such rows kept because records not written by the importer refer to them.
    pub kept: usize,
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (table, c) in &self.tables {
            writeln!(
                f,
                "{table:<18} inserted {:>4}  updated {:>4}  unchanged {:>4}  removed {:>4}",
                c.inserted, c.updated, c.unchanged, c.removed
            )?;
            if c.kept > 0 {
                writeln!(f, "{table:<18} kept {} no longer imported: other records refer to them", c.kept)?;
            }
        }
        for d in &self.documents {
            writeln!(
                f,
                "{} {}: plans {}, action groups {}, tasks {}, 专栏 {}, indicators {}, targets {} ({}), actuals {}, \
                 departments {}, coordination records {}, projects {}, sentences left as text {} ({})",
                d.file_name,
                d.title,
                d.plans,
                d.action_groups,
                d.tasks,
                d.featured_projects,
                d.indicators,
                d.targets,
                d.targets_by_kind.iter().map(|(kind, n)| format!("{kind} {n}")).collect::<Vec<_>>().join(", "),
                d.actuals,
                d.departments,
                d.coordination_records,
                d.projects,
                d.left_as_text.iter().map(|(_, n)| n).sum::<usize>(),
                d.left_as_text.iter().map(|(reason, n)| format!("{reason} {n}")).collect::<Vec<_>>().join(", ")
            )?;
        }
        if !self.departments_by_region.is_empty() {
            let regions: Vec<String> = self.departments_by_region.iter().map(|(r, n)| format!("{r} {n}")).collect();
            writeln!(f, "departments by region: {}", regions.join(", "))?;
        }
        Ok(())
    }
}

/// A stored row the seed writes, knowing which of its columns the documents own.
///
/// Only those columns are compared and overwritten by a re-seed. The others
/// (status, sharing class, legal basis, `created_at`) are written when the
/// row is inserted and then left to the API. Implemented by
/// [`seeded_columns!`] from one column list per table, so that what is
/// compared and what is written cannot drift apart.
trait SeededRow: Sized + Send + IntoActiveModel<Self::Active> {
    type Table: EntityTrait<Model = Self>;
    type Active: ActiveModelTrait<Entity = Self::Table> + ActiveModelBehavior + Send;

    /// The primary key: the stable UUID of the record's natural key.
    fn id(&self) -> &str;

    /// The primary-key column, to find the stored rows of a batch.
    fn id_column() -> <Self::Table as EntityTrait>::Column;

    /// Whether this stored row already holds every seeded column of `seed`;
    /// if so the row is left alone (no write, no version bump).
    fn holds(&self, seed: &Self) -> bool;

    /// This stored row with every seeded column of `seed` written over it,
    /// and its `version` bumped where the table has one, so that a client's
    /// stale `expectedVersion` conflicts.
    fn merged(self, seed: Self) -> Self::Active;
}

/// Implements [`SeededRow`] for the entity module `$table` from the list of
/// columns its documents own.
///
/// `versioned` tables bump `version` and take the seed's `updated_at` on a
/// change; `unversioned` ones have no such columns; `key_only` tables have
/// no column besides those their ID is derived from, so a stored row always
/// holds its seed.
macro_rules! seeded_columns {
    ($table:ident, key_only) => {
        impl SeededRow for $table::Model {
            seeded_columns!(@identity $table);

            fn holds(&self, _seed: &Self) -> bool {
                true
            }

            fn merged(self, _seed: Self) -> $table::ActiveModel {
                self.into_active_model()
            }
        }
    };
    ($table:ident, $locking:ident: $($column:ident),+ $(,)?) => {
        impl SeededRow for $table::Model {
            seeded_columns!(@identity $table);

            fn holds(&self, seed: &Self) -> bool {
                $(self.$column == seed.$column)&&+
            }

            fn merged(self, seed: Self) -> $table::ActiveModel {
                let mut active = seeded_columns!(@start_merge $locking, self, seed);
                $(active.$column = Set(seed.$column);)+
                active
            }
        }
    };
    (@identity $table:ident) => {
        type Table = $table::Entity;
        type Active = $table::ActiveModel;

        fn id(&self) -> &str {
            &self.id
        }

        fn id_column() -> $table::Column {
            $table::Column::Id
        }
    };
    (@start_merge versioned, $stored:ident, $seed:ident) => {{
        let version = $stored.version + 1;
        let mut active = $stored.into_active_model();
        active.version = Set(version);
        active.updated_at = Set($seed.updated_at);
        active
    }};
    (@start_merge unversioned, $stored:ident, $seed:ident) => {
        $stored.into_active_model()
    };
}

seeded_columns! { source_document, unversioned: title, sha256 }
seeded_columns! { region, versioned: code, name, name_en, level, parent_id }
seeded_columns! { department, versioned: name, kind, region_id, parent_id }
seeded_columns! { department_alias, key_only }
seeded_columns! { plan, versioned:
    title, document_number, issuer_id, region_id, issued_on, period_start, period_end, kind, parent_id,
    source_document_id, source_section, source_quote, source_start, source_end, source_cleaned,
}
seeded_columns! { task, versioned:
    plan_id, parent_id, kind, code, position, doc_order, title, body, due_year,
    source_document_id, source_section, source_quote, source_start, source_end, source_cleaned,
}
seeded_columns! { task_assignment, unversioned: role, position }
seeded_columns! { indicator, versioned:
    name, doc_order, unit, measure, direction, summable, nature, region_id, plan_id, task_id,
    baseline_year, baseline_value, contributes_to_id, source_document_id, source_section, source_quote, source_start, source_end, source_cleaned,
}
seeded_columns! { indicator_actual, unversioned:
    indicator_id, period, value, status, note, source_document_id, source_section, source_quote, source_start, source_end,
    source_cleaned,
}
seeded_columns! { coordination_record, versioned:
    plan_id, kind, date, title, text, doc_order,
    source_document_id, source_section, source_quote, source_start, source_end, source_cleaned,
}
seeded_columns! { coordination_participant, unversioned: position }
seeded_columns! { coordination_region, unversioned: position }
seeded_columns! { project, versioned:
    plan_id, task_id, kind, name, place, doc_order,
    source_document_id, source_section, source_quote, source_start, source_end, source_cleaned,
}
seeded_columns! { project_size, unversioned: project_id, position, value, unit, measure }
seeded_columns! { project_department, unversioned: position }
seeded_columns! { indicator_target, versioned:
    year, kind, start_year, phrase, comparator, value, value_max, source_document_id, source_section, source_quote, source_start, source_end, source_cleaned,
}

/// Upserts `rows` in the order given (parents before children, for the
/// foreign keys): inserts missing IDs, merges rows that no longer hold
/// their seed, skips the rest; lists the IDs as the importer's. Returns the
/// table's counts and its stale rows.
async fn upsert<R, C>(db: &C, rows: Vec<R>) -> AppResult<stale::Written>
where
    R: SeededRow,
    C: ConnectionTrait,
{
    let mut existing: HashMap<String, R> = HashMap::new();
    let ids: Vec<String> = rows.iter().map(|row| row.id().to_owned()).collect();
    // Bounded `IN` lists: SQLite limits the number of bound parameters.
    for chunk in ids.chunks(500) {
        for stored in R::Table::find().filter(R::id_column().is_in(chunk.to_vec())).all(db).await? {
            existing.insert(stored.id().to_owned(), stored);
        }
    }
    let mut counts = TableCounts::default();
    for row in rows {
        match existing.remove(row.id()) {
            None => {
                row.into_active_model().insert(db).await?;
                counts.inserted += 1;
            }
            Some(stored) if stored.holds(&row) => counts.unchanged += 1,
            Some(stored) => {
                stored.merged(row).update(db).await?;
                counts.updated += 1;
            }
        }
    }
    stale::list(db, R::Table::default().table_name().to_owned(), counts, &ids).await
}

/// Writes `dataset` in one transaction, parents before children.
///
/// # Errors
/// A dataset that refers to records it does not contain; database errors.
/// Either way the transaction is rolled back and nothing is written.
pub async fn load(db: &DatabaseConnection, dataset: &Dataset) -> AppResult<SeedReport> {
    let dangling = dangling_references(dataset);
    if !dangling.is_empty() {
        return Err(crate::error::AppError::Internal(anyhow::anyhow!(
            "the dataset refers to records it does not contain: {}",
            dangling.join("; ")
        )));
    }
    let now = Utc::now();
    let departments = departments_roots_first(dataset);
    let txn = db.begin().await?;
    let tables = vec![
        upsert(&txn, source_rows(dataset, now)).await?,
        upsert(&txn, region_rows(dataset, now)).await?,
        upsert(&txn, department_rows(&departments, now)).await?,
        upsert(&txn, alias_rows(&departments)).await?,
        upsert(&txn, plan_rows(dataset, now)).await?,
        upsert(&txn, task_rows(dataset, now)).await?,
        upsert(&txn, assignment_rows(dataset, now)).await?,
        upsert(&txn, indicator_rows(dataset, now)).await?,
        upsert(&txn, target_rows(dataset, now)).await?,
        upsert(&txn, actual_rows(dataset, now)).await?,
        upsert(&txn, coordination::record_rows(dataset, now)).await?,
        upsert(&txn, coordination::participant_rows(dataset)).await?,
        upsert(&txn, coordination::region_rows(dataset)).await?,
        upsert(&txn, projects::project_rows(dataset, now)).await?,
        upsert(&txn, projects::size_rows(dataset)).await?,
        upsert(&txn, projects::department_rows(dataset)).await?,
    ];
    let tables = stale::remove(&txn, tables).await?;
    latest_actuals::refresh(&txn, indicators_to_refresh(dataset, db.get_database_backend())).await?;
    txn.commit().await?;
    Ok(SeedReport { tables, documents: Vec::new(), departments_by_region: Vec::new() })
}

/// The indicators whose latest actual a load may have changed: those of the
/// dataset with actuals, and any left without a row of
/// `indicator_latest_actual` (its latest actual was a stale row, removed).
fn indicators_to_refresh(dataset: &Dataset, backend: sea_orm::DbBackend) -> SelectStatement {
    let seeded: Vec<String> =
        dataset.indicators.iter().filter(|i| !i.actuals.is_empty()).map(|i| indicator_id(&i.key)).collect();
    let listed = Query::select()
        .column(indicator_latest_actual::Column::IndicatorId)
        .from(indicator_latest_actual::Entity)
        .to_owned();
    Query::select()
        .column(indicator::Column::Id)
        .from(indicator::Entity)
        .cond_where(
            Condition::any()
                .add(keys::one_of(backend, Expr::col((indicator::Entity, indicator::Column::Id)), &seeded))
                .add(indicator::Column::Id.not_in_subquery(listed)),
        )
        .to_owned()
}

fn region_id(key: &str) -> String {
    stable_uuid(NodeKind::Region, key)
}

fn department_id(key: &str) -> String {
    stable_uuid(NodeKind::Department, key)
}

fn plan_id(key: &str) -> String {
    stable_uuid(NodeKind::Plan, key)
}

fn task_id(key: &str) -> String {
    stable_uuid(NodeKind::Task, key)
}

fn indicator_id(key: &str) -> String {
    stable_uuid(NodeKind::Indicator, key)
}

/// The stored form of a provenance, each text `None` where the dataset has
/// an empty string.
struct SourceColumns {
    document_id: Option<String>,
    section: Option<String>,
    /// The verbatim text, `start..end` of the file.
    quote: Option<String>,
    start: Option<i32>,
    end: Option<i32>,
    /// The text as the parser read it.
    cleaned: Option<String>,
}

fn provenance_columns(p: &Provenance) -> SourceColumns {
    SourceColumns {
        document_id: opt(&p.file_name).map(|file| stable_uuid(NodeKind::SourceDocument, &file)),
        section: opt(&p.section),
        quote: opt(&p.quote),
        start: p.start,
        end: p.end,
        cleaned: opt(&p.cleaned),
    }
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// `<plan id>:<ordinal>` for each item, counting per plan in the order
/// given: the document order that lists sort by.
fn doc_orders<'a>(plan_keys: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut ordinal: HashMap<&str, usize> = HashMap::new();
    plan_keys
        .map(|key| {
            let n = ordinal.entry(key).or_default();
            let doc_order = format!("{}:{:06}", plan_id(key), *n);
            *n += 1;
            doc_order
        })
        .collect()
}

/// One row per source file; provenance columns of the other tables refer to it.
fn source_rows(dataset: &Dataset, now: DateTime<Utc>) -> Vec<source_document::Model> {
    dataset
        .sources
        .iter()
        .map(|s| source_document::Model {
            id: stable_uuid(NodeKind::SourceDocument, &s.file_name),
            file_name: s.file_name.clone(),
            title: s.title.clone(),
            sha256: s.sha256.clone(),
            created_at: now,
        })
        .collect()
}

/// Regions ordered by depth in the dataset's tree, so a parent is inserted
/// before its children.
fn region_rows(dataset: &Dataset, now: DateTime<Utc>) -> Vec<region::Model> {
    let mut regions: Vec<&model::Region> = dataset.regions.iter().collect();
    regions.sort_by_key(|r| depth(&dataset.regions, r));
    regions
        .into_iter()
        .map(|r| region::Model {
            id: region_id(&r.key),
            code: r.code.clone(),
            name: r.name.clone(),
            name_en: r.name_en.clone(),
            level: r.level,
            parent_id: r.parent_key.as_deref().map(region_id),
            version: 1,
            created_at: now,
            updated_at: now,
        })
        .collect()
}

/// Departments without a parent first, the rest in dataset order (which the
/// parser keeps parents-first), so a parent is inserted before its children.
fn departments_roots_first(dataset: &Dataset) -> Vec<&model::Department> {
    let mut departments: Vec<&model::Department> = dataset.departments.iter().collect();
    departments.sort_by_key(|d| d.parent_key.is_some());
    departments
}

fn department_rows(departments: &[&model::Department], now: DateTime<Utc>) -> Vec<department::Model> {
    departments
        .iter()
        .map(|d| department::Model {
            id: department_id(&d.key),
            name: d.name.clone(),
            kind: d.kind,
            region_id: region_id(&d.region_key),
            parent_id: d.parent_key.as_deref().map(department_id),
            version: 1,
            created_at: now,
            updated_at: now,
        })
        .collect()
}

/// One row per distinct (department, alias); the ID is derived from both,
/// so a spelling listed twice is written once.
fn alias_rows(departments: &[&model::Department]) -> Vec<department_alias::Model> {
    let mut seen = HashSet::new();
    departments
        .iter()
        .flat_map(|d| d.aliases.iter().map(move |alias| (d, alias)))
        .filter(|(d, alias)| seen.insert((d.key.as_str(), alias.as_str())))
        .map(|(d, alias)| department_alias::Model {
            id: stable_uuid(NodeKind::DepartmentAlias, &format!("{}|{alias}", d.key)),
            department_id: department_id(&d.key),
            alias: alias.clone(),
        })
        .collect()
}

/// Plans without a parent first, so the plan a plan implements exists when
/// it is inserted.
fn plan_rows(dataset: &Dataset, now: DateTime<Utc>) -> Vec<plan::Model> {
    let mut plans: Vec<&model::Plan> = dataset.plans.iter().collect();
    plans.sort_by_key(|p| p.parent_key.is_some());
    plans
        .into_iter()
        .map(|p| {
            let source = provenance_columns(&p.provenance);
            plan::Model {
                id: plan_id(&p.key),
                title: p.title.clone(),
                document_number: p.document_number.clone(),
                issuer_id: p.issuer_key.as_deref().map(department_id),
                region_id: region_id(&p.region_key),
                issued_on: p.issued_on.as_deref().and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
                period_start: p.period_start,
                period_end: p.period_end,
                kind: p.kind,
                status: p.status,
                // Documents marked 此件主动公开 and news reports are public; anything
                // else defaults to sharing among authenticated agencies.
                sharing_class: if p.public { SharingClass::Public } else { SharingClass::Unconditional },
                legal_basis: None,
                parent_id: p.parent_key.as_deref().map(plan_id),
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

/// Tasks in dataset order, which is document order (parents first); their
/// `doc_order` counts per plan in that order. New tasks start NOT_STARTED.
fn task_rows(dataset: &Dataset, now: DateTime<Utc>) -> Vec<task::Model> {
    let doc_orders = doc_orders(dataset.tasks.iter().map(|t| t.plan_key.as_str()));
    dataset
        .tasks
        .iter()
        .zip(doc_orders)
        .map(|(t, doc_order)| {
            let source = provenance_columns(&t.provenance);
            task::Model {
                id: task_id(&t.key),
                plan_id: plan_id(&t.plan_key),
                parent_id: t.parent_key.as_deref().map(task_id),
                kind: t.kind,
                code: t.code.clone(),
                position: t.position,
                doc_order,
                title: t.title.clone(),
                body: t.body.clone(),
                due_year: t.due_year,
                status: TaskStatus::NotStarted,
                sharing_class: None,
                legal_basis: None,
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

/// Each task's responsible units, `position` in the order the document lists them.
fn assignment_rows(dataset: &Dataset, now: DateTime<Utc>) -> Vec<task_assignment::Model> {
    let assignments = dataset.tasks.iter().flat_map(|t| t.assignments.iter().enumerate().map(move |a| (t, a)));
    assignments
        .map(|(t, (position, a))| task_assignment::Model {
            id: stable_uuid(NodeKind::TaskAssignment, &format!("{}|{}", t.key, a.department_key)),
            task_id: task_id(&t.key),
            department_id: department_id(&a.department_key),
            role: a.role,
            position: position as i32,
            created_at: now,
        })
        .collect()
}

/// The dataset's indicators with their `doc_order` (counted per plan in
/// dataset order, which is document order), city indicators before the
/// district ones that contribute to them and refer to them.
fn indicators_in_write_order(dataset: &Dataset) -> Vec<(&model::Indicator, String)> {
    let doc_orders = doc_orders(dataset.indicators.iter().map(|i| i.plan_key.as_str()));
    let mut indicators: Vec<(&model::Indicator, String)> = dataset.indicators.iter().zip(doc_orders).collect();
    indicators.sort_by_key(|(i, _)| i.contributes_to_key.is_some());
    indicators
}

fn indicator_rows(dataset: &Dataset, now: DateTime<Utc>) -> Vec<indicator::Model> {
    let indicators = indicators_in_write_order(dataset);
    indicators.into_iter().map(|(i, doc_order)| indicator_row(i, doc_order, now)).collect()
}

fn indicator_row(i: &model::Indicator, doc_order: String, now: DateTime<Utc>) -> indicator::Model {
    let source = provenance_columns(&i.provenance);
    indicator::Model {
        id: indicator_id(&i.key),
        name: i.name.clone(),
        doc_order,
        unit: i.unit.clone(),
        measure: i.measure,
        direction: i.direction,
        summable: i.summable,
        nature: i.nature,
        region_id: region_id(&i.region_key),
        plan_id: plan_id(&i.plan_key),
        task_id: i.task_key.as_deref().map(task_id),
        baseline_year: i.baseline_year,
        baseline_value: i.baseline_value,
        contributes_to_id: i.contributes_to_key.as_deref().map(indicator_id),
        sharing_class: None,
        legal_basis: None,
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
}

/// One row per indicator and year, grouped by indicator in the order the
/// indicators are written.
fn target_rows(dataset: &Dataset, now: DateTime<Utc>) -> Vec<indicator_target::Model> {
    let targets =
        indicators_in_write_order(dataset).into_iter().flat_map(|(i, _)| i.targets.iter().map(move |t| (i, t)));
    targets
        .map(|(i, t)| {
            let source = provenance_columns(&t.provenance);
            indicator_target::Model {
                id: stable_uuid(NodeKind::IndicatorTarget, &target_key(&i.key, t)),
                indicator_id: indicator_id(&i.key),
                year: t.year,
                kind: t.kind,
                start_year: t.start_year,
                phrase: t.phrase.clone(),
                comparator: t.comparator,
                value: t.value,
                value_max: t.value_max,
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

/// The natural key of a target: `<indicator key>|<year>` for one due in a
/// year (as before kinds existed, so those IDs stay) and for one from a year
/// on (`|<start year>`: the 2023年起 target was imported as a 2023 target
/// before, and keeps its ID), else `<indicator key>|<KIND>`.
fn target_key(indicator_key: &str, t: &model::Target) -> String {
    match (t.year, t.kind, t.start_year) {
        (Some(year), _, _) | (None, entity::enums::TargetKind::FromYear, Some(year)) => {
            format!("{indicator_key}|{year}")
        }
        (None, kind, _) => format!("{indicator_key}|{}", kind.as_str()),
    }
}

/// The past results the texts state: revision 1 of their period, FINAL,
/// reported by no department (the text is the source).
fn actual_rows(dataset: &Dataset, now: DateTime<Utc>) -> Vec<indicator_actual::Model> {
    let actuals =
        indicators_in_write_order(dataset).into_iter().flat_map(|(i, _)| i.actuals.iter().map(move |a| (i, a)));
    actuals
        .map(|(i, a)| {
            let source = provenance_columns(&a.provenance);
            indicator_actual::Model {
                id: stable_uuid(NodeKind::IndicatorActual, &format!("{}|{}|1", i.key, a.period)),
                indicator_id: indicator_id(&i.key),
                period: a.period.clone(),
                value: a.value,
                status: ActualStatus::Final,
                revision: 1,
                supersedes_id: None,
                reason: None,
                note: a.note.clone(),
                department_id: None,
                reported_by: None,
                reported_at: now,
                source_document_id: source.document_id,
                source_section: source.section,
                source_quote: source.quote,
                source_start: source.start,
                source_end: source.end,
                source_cleaned: source.cleaned,
            }
        })
        .collect()
}

/// Depth of a region in the dataset's tree, so parents are written first.
fn depth(all: &[model::Region], region: &model::Region) -> usize {
    let mut depth = 0;
    let mut parent = region.parent_key.as_deref();
    while let Some(key) = parent {
        depth += 1;
        parent = all.iter().find(|r| r.key == key).and_then(|r| r.parent_key.as_deref());
        if depth > 16 {
            break;
        }
    }
    depth
}

/// Whether the database holds no plans yet (a fresh store to seed).
pub async fn is_empty(db: &DatabaseConnection) -> AppResult<bool> {
    use sea_orm::PaginatorTrait;
    Ok(plan::Entity::find().count(db).await? == 0)
}

/// Every reference between records of `dataset` that names a missing key.
pub fn dangling_references(dataset: &Dataset) -> Vec<String> {
    let regions: HashSet<&str> = dataset.regions.iter().map(|r| r.key.as_str()).collect();
    let departments: HashSet<&str> = dataset.departments.iter().map(|d| d.key.as_str()).collect();
    let plans: HashSet<&str> = dataset.plans.iter().map(|p| p.key.as_str()).collect();
    let tasks: HashSet<&str> = dataset.tasks.iter().map(|t| t.key.as_str()).collect();
    let indicators: HashSet<&str> = dataset.indicators.iter().map(|i| i.key.as_str()).collect();
    let sources: HashSet<&str> = dataset.sources.iter().map(|s| s.file_name.as_str()).collect();
    let mut missing = Vec::new();
    let mut check = |set: &HashSet<&str>, key: Option<&str>, what: &str, owner: &str| {
        if let Some(key) = key.filter(|k| !set.contains(k)) {
            missing.push(format!("{owner} -> {what} {key}"));
        }
    };
    for r in &dataset.regions {
        check(&regions, r.parent_key.as_deref(), "region", &r.key);
    }
    for d in &dataset.departments {
        check(&regions, Some(&d.region_key), "region", &d.key);
        check(&departments, d.parent_key.as_deref(), "department", &d.key);
    }
    for p in &dataset.plans {
        check(&regions, Some(&p.region_key), "region", &p.key);
        check(&departments, p.issuer_key.as_deref(), "department", &p.key);
        check(&plans, p.parent_key.as_deref(), "plan", &p.key);
        check(&sources, opt(&p.provenance.file_name).as_deref(), "source", &p.key);
    }
    for t in &dataset.tasks {
        check(&plans, Some(&t.plan_key), "plan", &t.key);
        check(&tasks, t.parent_key.as_deref(), "task", &t.key);
        for a in &t.assignments {
            check(&departments, Some(&a.department_key), "department", &t.key);
        }
    }
    for i in &dataset.indicators {
        check(&regions, Some(&i.region_key), "region", &i.key);
        check(&plans, Some(&i.plan_key), "plan", &i.key);
        check(&tasks, i.task_key.as_deref(), "task", &i.key);
        check(&indicators, i.contributes_to_key.as_deref(), "indicator", &i.key);
    }
    for r in &dataset.coordination {
        check(&plans, Some(&r.plan_key), "plan", &r.key);
        check(&sources, opt(&r.provenance.file_name).as_deref(), "source", &r.key);
        for d in &r.participant_keys {
            check(&departments, Some(d), "department", &r.key);
        }
        for g in &r.region_keys {
            check(&regions, Some(g), "region", &r.key);
        }
    }
    for p in &dataset.projects {
        check(&plans, Some(&p.plan_key), "plan", &p.key);
        check(&tasks, Some(&p.task_key), "task", &p.key);
        check(&sources, opt(&p.provenance.file_name).as_deref(), "source", &p.key);
        for d in &p.responsible_keys {
            check(&departments, Some(d), "department", &p.key);
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ModelTrait, TryIntoModel};

    /// Every row of the default dataset holds itself (no value that never
    /// equals itself, which would rewrite the row on every seed), and a
    /// stored row merged with its seed holds that seed.
    fn assert_merge_holds<R>(rows: Vec<R>)
    where
        R: SeededRow + ModelTrait + Clone + std::fmt::Debug,
        R::Active: TryIntoModel<R>,
    {
        assert!(!rows.is_empty());
        for row in rows {
            assert!(row.holds(&row), "{row:?}");
            let merged = row.clone().merged(row.clone()).try_into_model().expect("a whole row");
            assert!(merged.holds(&row), "{row:?}");
        }
    }

    #[test]
    fn every_seeded_row_holds_itself_before_and_after_a_merge() {
        let dataset = crate::seed::dataset().expect("the default dataset parses");
        let now = Utc::now();
        let departments = departments_roots_first(&dataset);
        assert_merge_holds(source_rows(&dataset, now));
        assert_merge_holds(region_rows(&dataset, now));
        assert_merge_holds(department_rows(&departments, now));
        assert_merge_holds(alias_rows(&departments));
        assert_merge_holds(plan_rows(&dataset, now));
        assert_merge_holds(task_rows(&dataset, now));
        assert_merge_holds(assignment_rows(&dataset, now));
        assert_merge_holds(indicator_rows(&dataset, now));
        assert_merge_holds(target_rows(&dataset, now));
        assert_merge_holds(actual_rows(&dataset, now));
        assert_merge_holds(coordination::record_rows(&dataset, now));
        assert_merge_holds(coordination::participant_rows(&dataset));
        assert_merge_holds(coordination::region_rows(&dataset));
        assert_merge_holds(projects::project_rows(&dataset, now));
        assert_merge_holds(projects::size_rows(&dataset));
        assert_merge_holds(projects::department_rows(&dataset));
    }

    #[test]
    fn a_target_differing_only_in_its_source_document_is_merged_with_its_version_bumped() {
        let dataset = crate::seed::dataset().expect("the default dataset parses");
        let seed = target_rows(&dataset, Utc::now()).into_iter().next().expect("a target");
        assert!(seed.source_document_id.is_some());
        let stored = indicator_target::Model { source_document_id: None, version: 3, ..seed.clone() };
        assert!(!stored.holds(&seed));
        let merged = stored.merged(seed.clone()).try_into_model().expect("a whole row");
        assert_eq!(merged.source_document_id, seed.source_document_id);
        assert_eq!(merged.version, 4);
    }
}
