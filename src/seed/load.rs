//! Writes a [`Dataset`] to the database idempotently.
//!
//! Every record's ID is a name-based UUID of its natural key, so a second
//! run finds the rows of the first: unchanged rows are left alone, changed
//! ones are updated with their `version` bumped (so a stale
//! `expectedVersion` still conflicts), missing ones are inserted. Records
//! created through the API are never touched. All in one transaction.

use super::model::{self, Dataset, Provenance};
use crate::error::AppResult;
use crate::ids::{NodeKind, stable_uuid};
use chrono::Utc;
use entity::enums;
use entity::{
    department, department_alias, indicator, indicator_target, plan, region, source_document, task, task_assignment,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    TransactionTrait,
};
use std::collections::{HashMap, HashSet};

/// What one import did, per table: rows inserted, updated and left unchanged.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct SeedReport {
    pub tables: Vec<(String, TableCounts)>,
}

/// Row counts of one table in an import.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct TableCounts {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (table, c) in &self.tables {
            writeln!(
                f,
                "{table:<18} inserted {:>4}  updated {:>4}  unchanged {:>4}",
                c.inserted, c.updated, c.unchanged
            )?;
        }
        Ok(())
    }
}

/// Upserts rows of one entity: inserts missing IDs, updates rows whose
/// document-derived fields differ (via `same` and `merge`), skips the rest.
async fn upsert<E, A, C>(
    db: &C,
    rows: Vec<E::Model>,
    id_of: fn(&E::Model) -> String,
    id_column: E::Column,
    same: fn(&E::Model, &E::Model) -> bool,
    merge: fn(E::Model, E::Model) -> A,
) -> AppResult<TableCounts>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<A> + Clone,
    A: ActiveModelTrait<Entity = E> + sea_orm::ActiveModelBehavior + Send,
    C: sea_orm::ConnectionTrait,
{
    let mut counts = TableCounts::default();
    let ids: Vec<String> = rows.iter().map(id_of).collect();
    let mut existing: HashMap<String, E::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        for row in E::find().filter(id_column.is_in(chunk.to_vec())).all(db).await? {
            existing.insert(id_of(&row), row);
        }
    }
    for row in rows {
        match existing.remove(&id_of(&row)) {
            None => {
                row.into_active_model().insert(db).await?;
                counts.inserted += 1;
            }
            Some(old) if same(&old, &row) => counts.unchanged += 1,
            Some(old) => {
                merge(old, row).update(db).await?;
                counts.updated += 1;
            }
        }
    }
    Ok(counts)
}

fn source_id(p: &Provenance) -> Option<String> {
    (!p.file_name.is_empty()).then(|| stable_uuid(NodeKind::SourceDocument, &p.file_name))
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// Writes `dataset` in one transaction.
///
/// # Errors
/// Database errors; the transaction is rolled back and nothing is written.
pub async fn load(db: &DatabaseConnection, dataset: &Dataset) -> AppResult<SeedReport> {
    let dangling = dangling_references(dataset);
    if !dangling.is_empty() {
        return Err(crate::error::AppError::Internal(anyhow::anyhow!(
            "the dataset refers to records it does not contain: {}",
            dangling.join("; ")
        )));
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    let mut report = SeedReport::default();

    let region_id = |key: &str| stable_uuid(NodeKind::Region, key);
    let department_id = |key: &str| stable_uuid(NodeKind::Department, key);
    let plan_id = |key: &str| stable_uuid(NodeKind::Plan, key);
    let task_id = |key: &str| stable_uuid(NodeKind::Task, key);
    let indicator_id = |key: &str| stable_uuid(NodeKind::Indicator, key);

    let sources = dataset
        .sources
        .iter()
        .map(|s| source_document::Model {
            id: stable_uuid(NodeKind::SourceDocument, &s.file_name),
            file_name: s.file_name.clone(),
            title: s.title.clone(),
            sha256: s.sha256.clone(),
            created_at: now,
        })
        .collect();
    let counts = upsert::<source_document::Entity, _, _>(
        &txn,
        sources,
        |m| m.id.clone(),
        source_document::Column::Id,
        |a, b| a.title == b.title && a.sha256 == b.sha256,
        |old, new| {
            let mut am = old.into_active_model();
            am.title = Set(new.title);
            am.sha256 = Set(new.sha256);
            am
        },
    )
    .await?;
    report.tables.push(("source_document".into(), counts));

    // Parents before children: the tree is written top-down so foreign keys hold.
    let mut regions: Vec<&model::Region> = dataset.regions.iter().collect();
    regions.sort_by_key(|r| depth(&dataset.regions, r));
    let regions = regions
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
        .collect();
    let counts = upsert::<region::Entity, _, _>(
        &txn,
        regions,
        |m| m.id.clone(),
        region::Column::Id,
        |a, b| {
            (&a.code, &a.name, &a.name_en, a.level, &a.parent_id)
                == (&b.code, &b.name, &b.name_en, b.level, &b.parent_id)
        },
        |old, new| {
            let version = old.version + 1;
            let mut am = old.into_active_model();
            am.code = Set(new.code);
            am.name = Set(new.name);
            am.name_en = Set(new.name_en);
            am.level = Set(new.level);
            am.parent_id = Set(new.parent_id);
            am.version = Set(version);
            am.updated_at = Set(new.updated_at);
            am
        },
    )
    .await?;
    report.tables.push(("region".into(), counts));

    let mut departments: Vec<&model::Department> = dataset.departments.iter().collect();
    departments.sort_by_key(|d| usize::from(d.parent_key.is_some()));
    let department_rows = departments
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
        .collect();
    let counts = upsert::<department::Entity, _, _>(
        &txn,
        department_rows,
        |m| m.id.clone(),
        department::Column::Id,
        |a, b| (&a.name, a.kind, &a.region_id, &a.parent_id) == (&b.name, b.kind, &b.region_id, &b.parent_id),
        |old, new| {
            let version = old.version + 1;
            let mut am = old.into_active_model();
            am.name = Set(new.name);
            am.kind = Set(new.kind);
            am.region_id = Set(new.region_id);
            am.parent_id = Set(new.parent_id);
            am.version = Set(version);
            am.updated_at = Set(new.updated_at);
            am
        },
    )
    .await?;
    report.tables.push(("department".into(), counts));

    let mut seen_aliases = HashSet::new();
    let aliases = departments
        .iter()
        .flat_map(|d| d.aliases.iter().map(move |a| (d, a)))
        .filter(|(d, a)| seen_aliases.insert((d.key.clone(), (*a).clone())))
        .map(|(d, a)| department_alias::Model {
            id: stable_uuid(NodeKind::DepartmentAlias, &format!("{}|{a}", d.key)),
            department_id: department_id(&d.key),
            alias: a.clone(),
        })
        .collect();
    let counts = upsert::<department_alias::Entity, _, _>(
        &txn,
        aliases,
        |m| m.id.clone(),
        department_alias::Column::Id,
        |_, _| true,
        |old, _| old.into_active_model(),
    )
    .await?;
    report.tables.push(("department_alias".into(), counts));

    let mut plans: Vec<&model::Plan> = dataset.plans.iter().collect();
    plans.sort_by_key(|p| usize::from(p.parent_key.is_some()));
    let plan_rows = plans
        .iter()
        .map(|p| plan::Model {
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
            sharing_class: if p.public { enums::SharingClass::Public } else { enums::SharingClass::Unconditional },
            legal_basis: None,
            parent_id: p.parent_key.as_deref().map(plan_id),
            source_document_id: source_id(&p.provenance),
            source_section: opt(&p.provenance.section),
            source_quote: opt(&p.provenance.quote),
            version: 1,
            created_at: now,
            updated_at: now,
        })
        .collect();
    let counts = upsert::<plan::Entity, _, _>(
        &txn,
        plan_rows,
        |m| m.id.clone(),
        plan::Column::Id,
        |a, b| {
            (&a.title, &a.document_number, &a.issuer_id, &a.region_id, a.issued_on, a.period_start, a.period_end)
                == (&b.title, &b.document_number, &b.issuer_id, &b.region_id, b.issued_on, b.period_start, b.period_end)
                && (a.kind, &a.parent_id, &a.source_document_id, &a.source_section, &a.source_quote)
                    == (b.kind, &b.parent_id, &b.source_document_id, &b.source_section, &b.source_quote)
        },
        |old, new| {
            let version = old.version + 1;
            let mut am = old.into_active_model();
            am.title = Set(new.title);
            am.document_number = Set(new.document_number);
            am.issuer_id = Set(new.issuer_id);
            am.region_id = Set(new.region_id);
            am.issued_on = Set(new.issued_on);
            am.period_start = Set(new.period_start);
            am.period_end = Set(new.period_end);
            am.kind = Set(new.kind);
            am.parent_id = Set(new.parent_id);
            am.source_document_id = Set(new.source_document_id);
            am.source_section = Set(new.source_section);
            am.source_quote = Set(new.source_quote);
            am.version = Set(version);
            am.updated_at = Set(new.updated_at);
            am
        },
    )
    .await?;
    report.tables.push(("plan".into(), counts));

    let mut ordinal: HashMap<&str, usize> = HashMap::new();
    let mut task_rows = Vec::new();
    let mut assignment_rows = Vec::new();
    for t in &dataset.tasks {
        let n = ordinal.entry(t.plan_key.as_str()).or_default();
        let pid = plan_id(&t.plan_key);
        task_rows.push(task::Model {
            id: task_id(&t.key),
            plan_id: pid.clone(),
            parent_id: t.parent_key.as_deref().map(task_id),
            kind: t.kind,
            code: t.code.clone(),
            position: t.position,
            doc_order: format!("{pid}:{:06}", *n),
            title: t.title.clone(),
            body: t.body.clone(),
            due_year: t.due_year,
            status: enums::TaskStatus::NotStarted,
            sharing_class: None,
            legal_basis: None,
            source_document_id: source_id(&t.provenance),
            source_section: opt(&t.provenance.section),
            source_quote: opt(&t.provenance.quote),
            version: 1,
            created_at: now,
            updated_at: now,
        });
        *n += 1;
        for (position, a) in t.assignments.iter().enumerate() {
            assignment_rows.push(task_assignment::Model {
                id: stable_uuid(NodeKind::TaskAssignment, &format!("{}|{}", t.key, a.department_key)),
                task_id: task_id(&t.key),
                department_id: department_id(&a.department_key),
                role: a.role,
                position: position as i32,
                created_at: now,
            });
        }
    }
    let counts = upsert::<task::Entity, _, _>(
        &txn,
        task_rows,
        |m| m.id.clone(),
        task::Column::Id,
        |a, b| {
            (&a.plan_id, &a.parent_id, a.kind, &a.code, a.position, &a.doc_order, &a.title, &a.body, a.due_year)
                == (&b.plan_id, &b.parent_id, b.kind, &b.code, b.position, &b.doc_order, &b.title, &b.body, b.due_year)
                && (&a.source_document_id, &a.source_section, &a.source_quote)
                    == (&b.source_document_id, &b.source_section, &b.source_quote)
        },
        |old, new| {
            let version = old.version + 1;
            let mut am = old.into_active_model();
            am.plan_id = Set(new.plan_id);
            am.parent_id = Set(new.parent_id);
            am.kind = Set(new.kind);
            am.code = Set(new.code);
            am.position = Set(new.position);
            am.doc_order = Set(new.doc_order);
            am.title = Set(new.title);
            am.body = Set(new.body);
            am.due_year = Set(new.due_year);
            am.source_document_id = Set(new.source_document_id);
            am.source_section = Set(new.source_section);
            am.source_quote = Set(new.source_quote);
            am.version = Set(version);
            am.updated_at = Set(new.updated_at);
            am
        },
    )
    .await?;
    report.tables.push(("task".into(), counts));

    let counts = upsert::<task_assignment::Entity, _, _>(
        &txn,
        assignment_rows,
        |m| m.id.clone(),
        task_assignment::Column::Id,
        |a, b| (a.role, a.position) == (b.role, b.position),
        |old, new| {
            let mut am = old.into_active_model();
            am.role = Set(new.role);
            am.position = Set(new.position);
            am
        },
    )
    .await?;
    report.tables.push(("task_assignment".into(), counts));

    // City indicators first: district ones refer to them.
    let mut indicators: Vec<(usize, &model::Indicator)> = dataset.indicators.iter().enumerate().collect();
    indicators.sort_by_key(|(_, i)| usize::from(i.contributes_to_key.is_some()));
    let mut ordinal: HashMap<&str, usize> = HashMap::new();
    let mut doc_orders = HashMap::new();
    for i in &dataset.indicators {
        let n = ordinal.entry(i.plan_key.as_str()).or_default();
        doc_orders.insert(i.key.as_str(), format!("{}:{:06}", plan_id(&i.plan_key), *n));
        *n += 1;
    }
    let mut target_rows = Vec::new();
    let indicator_rows = indicators
        .iter()
        .map(|(_, i)| {
            for t in &i.targets {
                target_rows.push(indicator_target::Model {
                    id: stable_uuid(NodeKind::IndicatorTarget, &format!("{}|{}", i.key, t.year)),
                    indicator_id: indicator_id(&i.key),
                    year: t.year,
                    comparator: t.comparator,
                    value: t.value,
                    value_max: t.value_max,
                    source_document_id: source_id(&t.provenance),
                    source_section: opt(&t.provenance.section),
                    source_quote: opt(&t.provenance.quote),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                });
            }
            indicator::Model {
                id: indicator_id(&i.key),
                name: i.name.clone(),
                doc_order: doc_orders.get(i.key.as_str()).cloned().unwrap_or_default(),
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
                source_document_id: source_id(&i.provenance),
                source_section: opt(&i.provenance.section),
                source_quote: opt(&i.provenance.quote),
                version: 1,
                created_at: now,
                updated_at: now,
            }
        })
        .collect();
    let counts = upsert::<indicator::Entity, _, _>(
        &txn,
        indicator_rows,
        |m| m.id.clone(),
        indicator::Column::Id,
        |a, b| {
            (&a.name, &a.doc_order, &a.unit, a.measure, a.direction, a.summable, a.nature, &a.region_id, &a.plan_id)
                == (
                    &b.name,
                    &b.doc_order,
                    &b.unit,
                    b.measure,
                    b.direction,
                    b.summable,
                    b.nature,
                    &b.region_id,
                    &b.plan_id,
                )
                && (&a.task_id, a.baseline_year, a.baseline_value, &a.contributes_to_id)
                    == (&b.task_id, b.baseline_year, b.baseline_value, &b.contributes_to_id)
                && (&a.source_document_id, &a.source_section, &a.source_quote)
                    == (&b.source_document_id, &b.source_section, &b.source_quote)
        },
        |old, new| {
            let version = old.version + 1;
            let mut am = old.into_active_model();
            am.name = Set(new.name);
            am.doc_order = Set(new.doc_order);
            am.unit = Set(new.unit);
            am.measure = Set(new.measure);
            am.direction = Set(new.direction);
            am.summable = Set(new.summable);
            am.nature = Set(new.nature);
            am.region_id = Set(new.region_id);
            am.plan_id = Set(new.plan_id);
            am.task_id = Set(new.task_id);
            am.baseline_year = Set(new.baseline_year);
            am.baseline_value = Set(new.baseline_value);
            am.contributes_to_id = Set(new.contributes_to_id);
            am.source_document_id = Set(new.source_document_id);
            am.source_section = Set(new.source_section);
            am.source_quote = Set(new.source_quote);
            am.version = Set(version);
            am.updated_at = Set(new.updated_at);
            am
        },
    )
    .await?;
    report.tables.push(("indicator".into(), counts));

    let counts = upsert::<indicator_target::Entity, _, _>(
        &txn,
        target_rows,
        |m| m.id.clone(),
        indicator_target::Column::Id,
        |a, b| {
            (a.comparator, a.value, a.value_max, &a.source_document_id, &a.source_section, &a.source_quote)
                == (b.comparator, b.value, b.value_max, &b.source_document_id, &b.source_section, &b.source_quote)
        },
        |old, new| {
            let version = old.version + 1;
            let mut am = old.into_active_model();
            am.comparator = Set(new.comparator);
            am.value = Set(new.value);
            am.value_max = Set(new.value_max);
            am.source_document_id = Set(new.source_document_id);
            am.source_section = Set(new.source_section);
            am.source_quote = Set(new.source_quote);
            am.version = Set(version);
            am.updated_at = Set(new.updated_at);
            am
        },
    )
    .await?;
    report.tables.push(("indicator_target".into(), counts));

    txn.commit().await?;
    Ok(report)
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
    missing
}
