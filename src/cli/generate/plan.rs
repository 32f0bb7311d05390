//! The rows of one generated plan: its tasks, assignments, indicators, targets and actuals.

use super::GenerateArgs;
use super::insert::insert_chunked;
use super::report::GenerateReport;
use crate::ids::{NodeKind, stable_uuid};
use crate::service::latest_actuals;
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{
    ActualStatus, AssignmentRole, Comparator, Direction, Measure, Nature, PlanKind, PlanStatus, SharingClass,
    TargetKind, TaskKind, TaskStatus,
};
use entity::{indicator, indicator_actual, indicator_target, plan, region, task, task_assignment};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait};

/// Most nodes (an action group and its numbered tasks) per action group.
const GROUP_SIZE: usize = 20;

/// Units with how they are measured and whether they add up across regions.
const UNITS: [(&str, Measure, bool); 5] = [
    ("%", Measure::Percentage, false),
    ("万千瓦", Measure::Quantity, true),
    ("万吨标准煤", Measure::Quantity, true),
    ("个", Measure::Quantity, true),
    ("亿千瓦时", Measure::Quantity, true),
];

/// Every row of one generated plan.
pub struct PlanRows {
    plan: plan::Model,
    tasks: Vec<task::Model>,
    assignments: Vec<task_assignment::Model>,
    indicators: Vec<indicator::Model>,
    targets: Vec<indicator_target::Model>,
    actuals: Vec<indicator_actual::Model>,
}

impl PlanRows {
    /// The rows of plan `p` of district number `d`.
    pub fn build(
        args: &GenerateArgs,
        district: &region::Model,
        departments: &[String],
        d: usize,
        p: usize,
        now: DateTime<Utc>,
    ) -> Self {
        let mut rng = StdRng::seed_from_u64(args.seed.wrapping_mul(1_000_003).wrapping_add((d * 10_000 + p) as u64));
        let code = district.code.as_deref().unwrap_or("?");
        let plan_key = format!("gen/{code}/{p}");
        let plan_id = stable_uuid(NodeKind::Plan, &plan_key);
        // Mostly shared among agencies; some public, some conditional, some withheld.
        let sharing_class = match p % 10 {
            0 => SharingClass::Public,
            7 => SharingClass::Conditional,
            9 => SharingClass::NotShared,
            _ => SharingClass::Unconditional,
        };
        let year = 2024 + (p % 2) as i32;
        let issued_on = NaiveDate::from_ymd_opt(year, 1 + (p % 12) as u32, 1 + (d % 28) as u32);
        let plan = plan::Model {
            id: plan_id.clone(),
            title: format!("{}合成方案第{}号（基准测试数据）", district.name, p + 1),
            document_number: Some(format!("津{code}合成〔{year}〕{}号", p + 1)),
            issuer_id: departments.first().cloned(),
            region_id: district.id.clone(),
            issued_on,
            period_start: Some(year),
            period_end: Some(2030),
            kind: if p.is_multiple_of(3) { PlanKind::ImplementationPlan } else { PlanKind::ActionPlan },
            status: PlanStatus::InForce,
            sharing_class,
            legal_basis: (sharing_class == SharingClass::NotShared).then(|| "合成数据：不予共享示例".to_owned()),
            parent_id: None,
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
        let mut rows = Self {
            plan,
            tasks: Vec::with_capacity(args.tasks_per_plan),
            assignments: Vec::new(),
            indicators: Vec::new(),
            targets: Vec::new(),
            actuals: Vec::new(),
        };
        // Document order: each action group, then its numbered tasks.
        let mut group_id = String::new();
        let (mut g, mut position) = (0usize, 0i32);
        for t in 0..args.tasks_per_plan {
            let starts_group = t % GROUP_SIZE == 0;
            let task_key = format!("{plan_key}/{t}");
            let task_id = stable_uuid(NodeKind::Task, &task_key);
            let (kind, parent_id, code) = if starts_group {
                g = t / GROUP_SIZE;
                position = 0;
                group_id = task_id.clone();
                (TaskKind::ActionGroup, None, format!("{}", g + 1))
            } else {
                position += 1;
                (TaskKind::Task, Some(group_id.clone()), format!("{}.{}", g + 1, position))
            };
            let title = format!("合成任务{code}：推进重点领域绿色低碳转型（{}）", district.name);
            rows.tasks.push(task::Model {
                id: task_id.clone(),
                plan_id: plan_id.clone(),
                parent_id,
                kind,
                code,
                position: if starts_group { g as i32 } else { position - 1 },
                doc_order: format!("{plan_id}:{t:06}"),
                body: format!("{title}。到2025年，完成阶段目标；到2030年，全面完成。"),
                title,
                due_year: Some(2025 + rng.random_range(0..6)),
                status: [TaskStatus::NotStarted, TaskStatus::InProgress, TaskStatus::Completed][rng.random_range(0..3)],
                sharing_class: None,
                legal_basis: None,
                source_document_id: None,
                source_section: None,
                source_quote: None,
                source_start: None,
                source_end: None,
                source_cleaned: None,
                version: 1,
                created_at: now,
                updated_at: now,
            });
            rows.assign(&task_key, &task_id, departments, &mut rng, now);
            for k in 0..args.indicators_per_task {
                let ordinal = t * args.indicators_per_task + k;
                rows.indicator(args, district, &task_key, &task_id, k, ordinal, &mut rng, now);
            }
        }
        rows
    }

    /// One LEAD and up to two SUPPORT departments, all different.
    fn assign(&mut self, task_key: &str, task_id: &str, departments: &[String], rng: &mut StdRng, now: DateTime<Utc>) {
        if departments.is_empty() {
            return;
        }
        let count = rng.random_range(1..=3).min(departments.len());
        let start = rng.random_range(0..departments.len());
        for position in 0..count {
            let department_id = departments[(start + position) % departments.len()].clone();
            self.assignments.push(task_assignment::Model {
                id: stable_uuid(NodeKind::TaskAssignment, &format!("{task_key}|{department_id}")),
                task_id: task_id.to_owned(),
                department_id,
                role: if position == 0 { AssignmentRole::Lead } else { AssignmentRole::Support },
                position: position as i32,
                created_at: now,
            });
        }
    }

    /// Indicator `k` of a task, with its targets and actuals.
    #[allow(clippy::too_many_arguments)]
    fn indicator(
        &mut self,
        args: &GenerateArgs,
        district: &region::Model,
        task_key: &str,
        task_id: &str,
        k: usize,
        ordinal: usize,
        rng: &mut StdRng,
        now: DateTime<Utc>,
    ) {
        let key = format!("{task_key}/{k}");
        let id = stable_uuid(NodeKind::Indicator, &key);
        let (unit, measure, summable) = UNITS[rng.random_range(0..UNITS.len())];
        let higher = rng.random_bool(0.6);
        let baseline: f64 = (rng.random_range(10.0..1000.0_f64) * 10.0).round() / 10.0;
        let factor = if higher { 1.3 } else { 0.7 };
        let target_2025 = (baseline * (1.0 + (factor - 1.0) / 2.0) * 10.0).round() / 10.0;
        let target_2030 = (baseline * factor * 10.0).round() / 10.0;
        self.indicators.push(indicator::Model {
            id: id.clone(),
            name: format!("合成指标{ordinal}（{}）", district.name),
            doc_order: format!("{}:{ordinal:06}", self.plan.id),
            unit: unit.to_owned(),
            measure,
            direction: if higher { Direction::HigherIsBetter } else { Direction::LowerIsBetter },
            summable,
            nature: if rng.random_bool(0.3) { Nature::Binding } else { Nature::Expected },
            region_id: district.id.clone(),
            plan_id: self.plan.id.clone(),
            task_id: Some(task_id.to_owned()),
            baseline_year: Some(2020),
            baseline_value: Some(baseline),
            contributes_to_id: None,
            sharing_class: None,
            legal_basis: None,
            source_document_id: None,
            source_section: None,
            source_quote: None,
            source_start: None,
            source_end: None,
            source_cleaned: None,
            version: 1,
            created_at: now,
            updated_at: now,
        });
        for (year, value) in [(2025, target_2025), (2030, target_2030)] {
            self.targets.push(indicator_target::Model {
                id: stable_uuid(NodeKind::IndicatorTarget, &format!("{key}|{year}")),
                indicator_id: id.clone(),
                year: Some(year),
                kind: TargetKind::ByYear,
                start_year: None,
                phrase: None,
                comparator: if higher { Comparator::Gte } else { Comparator::Lte },
                value: Some(value),
                value_max: None,
                source_document_id: None,
                source_section: None,
                source_quote: None,
                source_start: None,
                source_end: None,
                source_cleaned: None,
                version: 1,
                created_at: now,
                updated_at: now,
            });
        }
        let mut previous: Option<String> = None;
        for (n, (period, revision)) in periods().take(args.actuals_per_indicator).enumerate() {
            let actual_id = stable_uuid(NodeKind::IndicatorActual, &format!("{key}|{period}|{revision}"));
            let year = crate::service::progress::period_year(&period).unwrap_or(2021);
            let progress = f64::from(year - 2020) / 10.0;
            let noise = rng.random_range(-0.05..0.05_f64);
            let value = (baseline * (1.0 + (factor - 1.0) * progress + noise) * 100.0).round() / 100.0;
            let supersedes_id = if revision > 1 { previous.clone() } else { None };
            self.actuals.push(indicator_actual::Model {
                id: actual_id.clone(),
                indicator_id: id.clone(),
                period,
                value,
                status: match revision {
                    1 => ActualStatus::Provisional,
                    2 => ActualStatus::Estimated,
                    _ => ActualStatus::Verified,
                },
                revision,
                reason: supersedes_id.is_some().then(|| format!("合成数据：第{revision}次修订")),
                supersedes_id,
                note: None,
                department_id: None,
                reported_by: Some("xietong-generate".to_owned()),
                reported_at: now - chrono::Duration::days((args.actuals_per_indicator - n) as i64),
                source_document_id: None,
                source_section: None,
                source_quote: None,
                source_start: None,
                source_end: None,
                source_cleaned: None,
            });
            previous = Some(actual_id);
        }
    }

    /// Writes the rows, parents before children, adding the counts to `report`.
    pub async fn insert<C: ConnectionTrait>(self, txn: &C, report: &mut GenerateReport) -> anyhow::Result<()> {
        let plan_id = self.plan.id.clone();
        insert_chunked::<plan::Entity, _>(txn, vec![self.plan]).await?;
        report.plans += 1;
        // Action groups come before their tasks in document order, so every
        // parent is in an earlier statement or earlier in the same one.
        report.tasks += insert_chunked::<task::Entity, _>(txn, self.tasks).await?;
        report.assignments += insert_chunked::<task_assignment::Entity, _>(txn, self.assignments).await?;
        report.indicators += insert_chunked::<indicator::Entity, _>(txn, self.indicators).await?;
        report.targets += insert_chunked::<indicator_target::Entity, _>(txn, self.targets).await?;
        report.actuals += insert_chunked::<indicator_actual::Entity, _>(txn, self.actuals).await?;
        let of_plan = Query::select()
            .column(indicator::Column::Id)
            .from(indicator::Entity)
            .and_where(indicator::Column::PlanId.eq(plan_id))
            .to_owned();
        latest_actuals::refresh(txn, of_plan).await?;
        Ok(())
    }
}

/// Reporting periods in order: for each year from 2021, the half years, then
/// the yearly value in revisions 1, 2 and 3.
fn periods() -> impl Iterator<Item = (String, i32)> {
    (2021..=2100).flat_map(|year| {
        [
            (format!("{year}-H1"), 1),
            (format!("{year}-H2"), 1),
            (format!("{year}"), 1),
            (format!("{year}"), 2),
            (format!("{year}"), 3),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::enums::RegionLevel;

    #[test]
    fn periods_cover_2021_to_2024_in_twenty_values_with_revisions() {
        let p: Vec<(String, i32)> = periods().take(20).collect();
        assert_eq!(p.first(), Some(&("2021-H1".to_owned(), 1)));
        assert_eq!(p.last(), Some(&("2024".to_owned(), 3)));
        assert!(p.iter().all(|(period, _)| crate::service::writes::reports::valid_period(period)));
    }

    #[test]
    fn a_plan_has_the_asked_for_rows_with_valid_references() {
        let args = GenerateArgs {
            districts: 1,
            plans_per_district: 1,
            tasks_per_plan: 45,
            indicators_per_task: 3,
            actuals_per_indicator: 20,
            seed: 7,
        };
        let now = Utc::now();
        let district = region::Model {
            id: "r".into(),
            code: Some("120118".into()),
            name: "静海区".into(),
            name_en: "Jinghai".into(),
            level: RegionLevel::District,
            parent_id: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let departments: Vec<String> = (0..10).map(|i| format!("d{i}")).collect();
        let rows = PlanRows::build(&args, &district, &departments, 0, 0, now);
        assert_eq!((rows.tasks.len(), rows.indicators.len()), (45, 135));
        assert_eq!((rows.targets.len(), rows.actuals.len()), (270, 2700));
        assert_eq!(rows.tasks.iter().filter(|t| t.kind == TaskKind::ActionGroup).count(), 3);
        // Parents come first; every supersedes_id names an earlier actual of the same period.
        for (i, t) in rows.tasks.iter().enumerate() {
            if let Some(parent) = &t.parent_id {
                assert!(rows.tasks[..i].iter().any(|p| &p.id == parent));
            }
        }
        for (i, a) in rows.actuals.iter().enumerate() {
            if let Some(s) = &a.supersedes_id {
                let prev = rows.actuals[..i].iter().find(|p| &p.id == s);
                assert_eq!(prev.map(|p| (&p.period, p.revision + 1)), Some((&a.period, a.revision)));
            }
        }
        let again = PlanRows::build(&args, &district, &departments, 0, 0, now);
        assert_eq!(
            again.actuals.iter().map(|a| a.value).sum::<f64>(),
            rows.actuals.iter().map(|a| a.value).sum::<f64>()
        );
    }
}
