//! What the import made of each source document: the per-document part of
//! the seed report, counted from the parsed dataset by each record's own
//! provenance (the file its sentence is in).

use super::model::Dataset;
use entity::enums::{TargetKind, TaskKind};
use sea_orm::Iterable;
use std::collections::BTreeSet;

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
            }
        })
        .collect()
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
        let by_region = departments_by_region(&dataset);
        assert_eq!(by_region.iter().map(|(_, n)| n).sum::<usize>(), dataset.departments.len());
        assert!(by_region.iter().any(|(name, n)| name == "北京市" && *n >= 3), "{by_region:?}");
        assert!(by_region.iter().any(|(name, n)| name == "河北省" && *n >= 3), "{by_region:?}");
    }
}
