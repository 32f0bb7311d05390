//! What the import made of each source document: the per-document part of
//! the seed report, counted from the parsed dataset by each record's own
//! provenance (the file its sentence is in).

use super::model::Dataset;
use entity::enums::{TargetKind, TaskKind};
use sea_orm::Iterable;
use std::collections::{BTreeMap, BTreeSet};

/// The records one source document gave.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DocumentCounts {
    pub file_name: String,
    pub title: String,
    pub plans: usize,
    /// Task groups (（一）…).
    pub action_groups: usize,
    pub tasks: usize,
    /// 专栏.
    pub featured_projects: usize,
    pub indicators: usize,
    pub targets: usize,
    /// Targets by kind (`BY_YEAR`, `STANDING`, …), every kind listed, in the enum's order.
    pub targets_by_kind: Vec<(String, usize)>,
    /// Past results stated by the text.
    pub actuals: usize,
    /// Distinct departments its tasks are assigned to or its coordination records name.
    pub departments: usize,
    /// Jing-Jin-Ji coordination records read from it.
    pub coordination_records: usize,
    /// Key projects (重点项目) read from its 专栏 and tasks.
    pub projects: usize,
    /// Sentences with a number that the recall ledger (`data/recall.toml`)
    /// leaves as text, by reason, most frequent first.
    pub left_as_text: Vec<(String, usize)>,
}

/// The parts of the recall ledger the report reads.
#[derive(serde::Deserialize)]
struct Ledger {
    sentence: Vec<LedgerEntry>,
}

#[derive(serde::Deserialize)]
struct LedgerEntry {
    file: String,
    reason: Option<String>,
}

/// The ledger's sentences left as text, by file, then reason. An unreadable
/// ledger counts nothing here; `tests/api/recall.rs` fails on it.
fn left_as_text() -> BTreeMap<String, BTreeMap<String, usize>> {
    let mut counts: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    if let Ok(ledger) = toml::from_str::<Ledger>(super::RECALL) {
        for entry in ledger.sentence {
            if let Some(reason) = entry.reason {
                *counts.entry(entry.file).or_default().entry(reason).or_default() += 1;
            }
        }
    }
    counts
}

/// How many departments of the dataset each region has (by region name, in
/// the dataset's region order; regions without departments left out).
pub fn departments_by_region(dataset: &Dataset) -> Vec<(String, usize)> {
    dataset
        .regions
        .iter()
        .map(|r| (r.name.clone(), dataset.departments.iter().filter(|d| d.region_key == r.key).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// One [`DocumentCounts`] per source document, in file order.
pub fn per_document(dataset: &Dataset) -> Vec<DocumentCounts> {
    let ledger = left_as_text();
    dataset
        .sources
        .iter()
        .map(|source| {
            let here = |file: &str| file == source.file_name;
            let tasks: Vec<_> = dataset.tasks.iter().filter(|task| here(&task.provenance.file_name)).collect();
            let of_kind = |kind: TaskKind| tasks.iter().filter(|task| task.kind == kind).count();
            let records: Vec<_> = dataset.coordination.iter().filter(|r| here(&r.provenance.file_name)).collect();
            let departments: BTreeSet<&str> = tasks
                .iter()
                .flat_map(|task| task.assignments.iter().map(|a| a.department_key.as_str()))
                .chain(records.iter().flat_map(|r| r.participant_keys.iter().map(String::as_str)))
                .collect();
            let indicators = dataset.indicators.iter();
            let targets: Vec<_> =
                indicators.clone().flat_map(|i| &i.targets).filter(|t| here(&t.provenance.file_name)).collect();
            let targets_by_kind = TargetKind::iter()
                .map(|kind| (kind.as_str().to_owned(), targets.iter().filter(|t| t.kind == kind).count()))
                .collect();
            DocumentCounts {
                file_name: source.file_name.clone(),
                title: source.title.clone(),
                plans: dataset.plans.iter().filter(|plan| here(&plan.provenance.file_name)).count(),
                action_groups: of_kind(TaskKind::ActionGroup),
                tasks: of_kind(TaskKind::Task),
                featured_projects: of_kind(TaskKind::FeaturedProject),
                indicators: indicators.clone().filter(|i| here(&i.provenance.file_name)).count(),
                targets: targets.len(),
                targets_by_kind,
                actuals: indicators.flat_map(|i| &i.actuals).filter(|a| here(&a.provenance.file_name)).count(),
                departments: departments.len(),
                coordination_records: records.len(),
                projects: dataset.projects.iter().filter(|p| here(&p.provenance.file_name)).count(),
                left_as_text: by_frequency(ledger.get(&source.file_name)),
            }
        })
        .collect()
}

/// `reasons` as (reason, count), most frequent first, then by name.
fn by_frequency(reasons: Option<&BTreeMap<String, usize>>) -> Vec<(String, usize)> {
    let mut list: Vec<(String, usize)> = reasons.into_iter().flatten().map(|(r, n)| (r.clone(), *n)).collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_of_the_dataset_is_counted_under_one_document() {
        let dataset = crate::seed::dataset().unwrap_or_else(|e| panic!("{e}"));
        let counts = per_document(&dataset);
        assert_eq!(counts.len(), dataset.sources.len());
        let sum = |field: fn(&DocumentCounts) -> usize| counts.iter().map(field).sum::<usize>();
        assert_eq!(sum(|c| c.plans), dataset.plans.iter().filter(|p| !p.provenance.file_name.is_empty()).count());
        assert_eq!(sum(|c| c.action_groups + c.tasks + c.featured_projects), dataset.tasks.len());
        assert_eq!(sum(|c| c.indicators), dataset.indicators.len());
        assert_eq!(sum(|c| c.targets), dataset.indicators.iter().map(|i| i.targets.len()).sum::<usize>());
        assert_eq!(sum(|c| c.actuals), dataset.indicators.iter().map(|i| i.actuals.len()).sum::<usize>());
        assert!(counts.iter().all(|c| c.plans >= 1), "each document gives a plan: {counts:?}");
        assert_eq!(sum(|c| c.coordination_records), dataset.coordination.len());
        assert_eq!(sum(|c| c.projects), dataset.projects.len());
        let projects_of = |file: &str| counts.iter().find(|c| c.file_name == file).map(|c| c.projects);
        assert_eq!(projects_of("001_27f9e29b9992793d.txt"), Some(6), "西青's grid projects");
        assert_eq!(projects_of("003_8f0cb15813cef04d.txt"), Some(32), "静海's 专栏");
        assert!(counts.iter().all(|c| c.targets == c.targets_by_kind.iter().map(|(_, n)| n).sum::<usize>()));
        // Every document has sentences with a number left as text (names, dates, headings…).
        assert!(counts.iter().all(|c| c.left_as_text.iter().map(|(_, n)| n).sum::<usize>() > 0), "{counts:?}");
        let of_001 = counts.iter().find(|c| c.file_name == "001_27f9e29b9992793d.txt").map(|c| &c.left_as_text);
        assert!(of_001.is_some_and(|l| l.iter().any(|(r, n)| r == "site-furniture" && *n > 0)), "{of_001:?}");
        let by_region = departments_by_region(&dataset);
        assert_eq!(by_region.iter().map(|(_, n)| n).sum::<usize>(), dataset.departments.len());
        assert!(by_region.iter().any(|(name, n)| name == "北京市" && *n >= 3), "{by_region:?}");
        assert!(by_region.iter().any(|(name, n)| name == "河北省" && *n >= 3), "{by_region:?}");
    }
}
