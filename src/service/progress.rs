//! Progress of an indicator: how far the latest actual has moved from the
//! baseline towards the target, and whether that is on schedule.
//!
//! Rules (pure functions, unit-tested below):
//! - the *current* actual of a period is its highest revision; the latest
//!   actual is the current actual of the latest period;
//! - a target is due in its year; a standing or recurring one (no year:
//!   `STANDING`, `ANNUAL`, `IMPLICIT_FULL` without a year, `FROM_YEAR` once
//!   started) holds every year, so it is due in the year of the latest
//!   actual, and judged against that actual;
//! - the target is the one in force in the requested year (a dated one
//!   first), else the first target due in or after the latest actual's
//!   year, else the last target;
//! - `share` = (actual − baseline) / (target − baseline), when a baseline
//!   value is known and differs from the target;
//! - ACHIEVED when the actual satisfies the target's comparator (≈ within
//!   2 %); otherwise OFF_TRACK once the target year is reached; otherwise the
//!   share is compared with the share of time elapsed since the baseline
//!   year: at or above it ON_TRACK, within 15 points AT_RISK, else
//!   OFF_TRACK. Without a baseline the schedule cannot be judged: AT_RISK
//!   until the target year. NO_DATA when there is no actual or no target;
//! - a `QUALITATIVE` target (a goal in words, no figure: 完成…改造) is chosen
//!   like any other, but no actual value can say whether words are met: its
//!   progress is NO_DATA, with the target given and no share.

use entity::enums::{Comparator, Direction, TargetKind};
use entity::{indicator, indicator_actual, indicator_target};

/// Verdict on an indicator's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressStatus {
    /// 已完成 — the latest actual meets the target.
    Achieved,
    /// 进度正常 — at least as far along as the time elapsed.
    OnTrack,
    /// 存在风险 — somewhat behind schedule, or the schedule cannot be judged.
    AtRisk,
    /// 进度滞后 — far behind, or the target year passed without meeting it.
    OffTrack,
    /// 暂无数据 — no actual value (or no target) yet.
    NoData,
}

/// Computed progress of one indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub target: Option<indicator_target::Model>,
    pub latest: Option<indicator_actual::Model>,
    pub share: Option<f64>,
    pub status: ProgressStatus,
}

/// The current (highest-revision) actual of each period, by period.
pub fn current_actuals(actuals: &[indicator_actual::Model]) -> Vec<indicator_actual::Model> {
    let mut current: Vec<indicator_actual::Model> = Vec::new();
    for actual in actuals {
        match current.iter_mut().find(|a| a.period == actual.period) {
            Some(existing) if existing.revision < actual.revision => *existing = actual.clone(),
            Some(_) => {}
            None => current.push(actual.clone()),
        }
    }
    current.sort_by(|a, b| a.period.cmp(&b.period));
    current
}

/// The year a period (`2024`, `2024-Q3`, …) falls in.
pub fn period_year(period: &str) -> Option<i32> {
    period.get(..4).and_then(|y| y.parse().ok())
}

/// Computes the progress of `indicator` towards its target for `year` (or the next one due).
pub fn compute(
    indicator: &indicator::Model,
    targets: &[indicator_target::Model],
    actuals: &[indicator_actual::Model],
    year: Option<i32>,
) -> Progress {
    let latest = current_actuals(actuals).pop();
    let latest_year = latest.as_ref().and_then(|a| period_year(&a.period));
    let target = match (year, latest_year) {
        (Some(y), _) => targets.iter().filter(|t| in_force(t, y)).min_by_key(|t| t.year.is_none()),
        (None, Some(ly)) => targets
            .iter()
            .filter_map(|t| due_year(t, ly).filter(|due| *due >= ly).map(|due| (due, t.year.is_none(), t)))
            .min_by_key(|(due, recurring, _)| (*due, *recurring))
            .map(|(_, _, t)| t)
            .or_else(|| targets.iter().max_by_key(|t| t.year)),
        (None, None) => targets.iter().max_by_key(|t| t.year),
    }
    .cloned();
    let value = target.as_ref().and_then(|t| t.value);
    let (Some(t), Some(a), Some(ly), Some(tv)) = (&target, &latest, latest_year, value) else {
        return Progress { target, latest, share: None, status: ProgressStatus::NoData };
    };
    let due = due_year(t, ly).unwrap_or(ly);
    let share = indicator
        .baseline_value
        .filter(|b| (tv - b).abs() > f64::EPSILON)
        .map(|b| ((a.value - b) / (tv - b) * 10_000.0).round() / 10_000.0);
    let status = if meets(t, tv, indicator.direction, a.value) {
        ProgressStatus::Achieved
    } else if ly >= due {
        ProgressStatus::OffTrack
    } else {
        match (share, indicator.baseline_year) {
            (Some(share), Some(by)) if due > by => {
                let elapsed = (f64::from(ly - by) / f64::from(due - by)).clamp(0.0, 1.0);
                if share >= elapsed {
                    ProgressStatus::OnTrack
                } else if share >= elapsed - 0.15 {
                    ProgressStatus::AtRisk
                } else {
                    ProgressStatus::OffTrack
                }
            }
            _ => ProgressStatus::AtRisk,
        }
    };
    Progress { target, latest, share, status }
}

/// Whether `target` is in force in `year`: due that year, or standing or
/// recurring (no year of its own), a `FROM_YEAR` target once it has started.
pub fn in_force(target: &indicator_target::Model, year: i32) -> bool {
    match target.year {
        Some(due) => due == year,
        None => target.kind != TargetKind::FromYear || target.start_year.is_none_or(|start| start <= year),
    }
}

/// The year `target` is judged in when the latest actual is of `latest_year`:
/// its own year; for a standing or recurring one, `latest_year` itself (it
/// holds every year), or the start of a `FROM_YEAR` target not started yet.
fn due_year(target: &indicator_target::Model, latest_year: i32) -> Option<i32> {
    match (target.year, target.kind, target.start_year) {
        (Some(due), _, _) => Some(due),
        (None, TargetKind::FromYear, Some(start)) => Some(latest_year.max(start)),
        (None, _, _) => Some(latest_year),
    }
}

/// Whether `value` satisfies the target.
fn meets(target: &indicator_target::Model, t: f64, direction: Direction, value: f64) -> bool {
    match target.comparator {
        Comparator::Gte => value >= t,
        Comparator::Gt => value > t,
        Comparator::Lte => value <= t,
        Comparator::Lt => value < t,
        Comparator::Eq => (value - t).abs() <= 1e-9 * t.abs().max(1.0),
        Comparator::Between => value >= t && value <= target.value_max.unwrap_or(t),
        Comparator::Approx => match direction {
            Direction::HigherIsBetter => value >= t * 0.98,
            Direction::LowerIsBetter => value <= t * 1.02,
            Direction::Keep => (value - t).abs() <= 0.02 * t.abs(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::enums::{ActualStatus, Measure, Nature};

    fn indicator(baseline: Option<(i32, f64)>, direction: Direction) -> indicator::Model {
        let now = chrono::Utc::now();
        indicator::Model {
            id: "i".into(),
            name: "n".into(),
            doc_order: "0".into(),
            unit: "%".into(),
            measure: Measure::Percentage,
            direction,
            summable: false,
            nature: Nature::Expected,
            region_id: "r".into(),
            plan_id: "p".into(),
            task_id: None,
            baseline_year: baseline.map(|b| b.0),
            baseline_value: baseline.map(|b| b.1),
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
        }
    }

    fn target(year: i32, comparator: Comparator, value: f64) -> indicator_target::Model {
        let now = chrono::Utc::now();
        indicator_target::Model {
            id: format!("t{year}"),
            indicator_id: "i".into(),
            year: Some(year),
            kind: TargetKind::ByYear,
            start_year: None,
            phrase: None,
            comparator,
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
        }
    }

    fn actual(period: &str, value: f64, revision: i32) -> indicator_actual::Model {
        indicator_actual::Model {
            id: format!("a{period}{revision}"),
            indicator_id: "i".into(),
            period: period.into(),
            value,
            status: ActualStatus::Verified,
            revision,
            supersedes_id: None,
            reason: None,
            note: None,
            department_id: None,
            reported_by: None,
            reported_at: chrono::Utc::now(),
            source_document_id: None,
            source_section: None,
            source_quote: None,
            source_start: None,
            source_end: None,
            source_cleaned: None,
        }
    }

    #[test]
    fn share_and_status_follow_baseline_target_and_schedule() {
        // Cumulative decrease vs 2020, target ≥ 15.5 by 2025.
        let ind = indicator(Some((2020, 0.0)), Direction::HigherIsBetter);
        let targets = [target(2025, Comparator::Gte, 15.5)];
        let on_track = compute(&ind, &targets, &[actual("2023", 10.0, 1)], None);
        assert_eq!(on_track.share, Some(0.6452));
        assert_eq!(on_track.status, ProgressStatus::OnTrack);
        let at_risk = compute(&ind, &targets, &[actual("2023", 8.0, 1)], None);
        assert_eq!(at_risk.status, ProgressStatus::AtRisk);
        let off = compute(&ind, &targets, &[actual("2023", 3.0, 1)], None);
        assert_eq!(off.status, ProgressStatus::OffTrack);
        let done = compute(&ind, &targets, &[actual("2024", 15.6, 1)], None);
        assert_eq!(done.status, ProgressStatus::Achieved);
        let late = compute(&ind, &targets, &[actual("2025", 15.0, 1)], None);
        assert_eq!(late.status, ProgressStatus::OffTrack);
    }

    #[test]
    fn the_highest_revision_of_the_latest_period_counts() {
        let ind = indicator(Some((2020, 0.0)), Direction::HigherIsBetter);
        let targets = [target(2025, Comparator::Gte, 10.0)];
        let actuals = [actual("2023", 9.0, 1), actual("2024", 20.0, 1), actual("2024", 2.0, 2)];
        let p = compute(&ind, &targets, &actuals, None);
        assert_eq!(p.latest.map(|a| a.value), Some(2.0));
        assert_eq!(p.status, ProgressStatus::OffTrack);
    }

    #[test]
    fn no_actual_or_no_target_is_no_data() {
        let ind = indicator(None, Direction::LowerIsBetter);
        assert_eq!(compute(&ind, &[target(2027, Comparator::Lte, 35.0)], &[], None).status, ProgressStatus::NoData);
        assert_eq!(compute(&ind, &[], &[actual("2024", 1.0, 1)], None).status, ProgressStatus::NoData);
    }

    #[test]
    fn lower_is_better_targets_are_met_from_below() {
        let ind = indicator(None, Direction::LowerIsBetter);
        let targets = [target(2027, Comparator::Lte, 35.0)];
        assert_eq!(compute(&ind, &targets, &[actual("2024", 34.0, 1)], None).status, ProgressStatus::Achieved);
        let p = compute(&ind, &targets, &[actual("2024", 38.0, 1)], None);
        assert_eq!((p.share, p.status), (None, ProgressStatus::AtRisk));
    }

    #[test]
    fn the_target_for_a_requested_year_is_used() {
        let ind = indicator(Some((2020, 0.0)), Direction::HigherIsBetter);
        let targets = [target(2025, Comparator::Gt, 10.0), target(2030, Comparator::Gte, 15.0)];
        let p = compute(&ind, &targets, &[actual("2026", 12.0, 1)], None);
        assert_eq!(p.target.map(|t| t.year), Some(Some(2030)));
        let p = compute(&ind, &targets, &[actual("2024", 12.0, 1)], Some(2025));
        assert_eq!(p.status, ProgressStatus::Achieved);
    }

    fn recurring(
        kind: TargetKind,
        start_year: Option<i32>,
        comparator: Comparator,
        value: f64,
    ) -> indicator_target::Model {
        indicator_target::Model {
            year: None,
            kind,
            start_year,
            id: format!("{kind:?}"),
            ..target(0, comparator, value)
        }
    }

    #[test]
    fn a_qualitative_target_cannot_be_judged_from_actuals() {
        let ind = indicator(Some((2020, 0.0)), Direction::HigherIsBetter);
        let words = indicator_target::Model {
            kind: TargetKind::Qualitative,
            phrase: Some("有所增加".into()),
            value: None,
            ..target(2030, Comparator::Eq, 0.0)
        };
        let targets = [target(2025, Comparator::Gte, 10.5), words];
        // Before 2025 the figure of 2025 is due and judged; after it, the words of 2030: NO_DATA.
        let early = compute(&ind, &targets, &[actual("2024", 11.0, 1)], None);
        assert_eq!(early.status, ProgressStatus::Achieved);
        let later = compute(&ind, &targets, &[actual("2026", 11.0, 1)], None);
        assert_eq!(later.target.as_ref().map(|t| t.kind), Some(TargetKind::Qualitative));
        assert_eq!((later.share, later.status), (None, ProgressStatus::NoData));
        let asked = compute(&ind, &targets, &[actual("2024", 11.0, 1)], Some(2030));
        assert_eq!(asked.status, ProgressStatus::NoData);
    }

    #[test]
    fn standing_and_annual_targets_are_judged_against_the_latest_actuals_year() {
        let ind = indicator(None, Direction::LowerIsBetter);
        // 新建数据中心PUE不高于1.25: met or missed in the year of the latest value, never "not due yet".
        let pue = [recurring(TargetKind::Standing, None, Comparator::Lte, 1.25)];
        assert_eq!(compute(&ind, &pue, &[actual("2024", 1.2, 1)], None).status, ProgressStatus::Achieved);
        assert_eq!(compute(&ind, &pue, &[actual("2024", 1.3, 1)], None).status, ProgressStatus::OffTrack);
        let ind = indicator(None, Direction::HigherIsBetter);
        let yearly = [recurring(TargetKind::Annual, None, Comparator::Approx, 20.0)];
        assert_eq!(compute(&ind, &yearly, &[actual("2025", 12.0, 1)], None).status, ProgressStatus::OffTrack);
        assert!(in_force(&yearly[0], 2024) && in_force(&yearly[0], 2031));
    }

    #[test]
    fn a_target_from_a_year_on_is_in_force_from_that_year() {
        let ind = indicator(None, Direction::HigherIsBetter);
        let from = [recurring(TargetKind::FromYear, Some(2023), Comparator::Gte, 30.0)];
        assert!(!in_force(&from[0], 2022) && in_force(&from[0], 2023) && in_force(&from[0], 2030));
        assert_eq!(compute(&ind, &from, &[actual("2024", 31.0, 1)], None).status, ProgressStatus::Achieved);
        assert_eq!(compute(&ind, &from, &[actual("2024", 25.0, 1)], None).status, ProgressStatus::OffTrack);
        // Before it starts, a shortfall is a risk, not a failure.
        assert_eq!(compute(&ind, &from, &[actual("2022", 25.0, 1)], None).status, ProgressStatus::AtRisk);
        // A requested year prefers the target due that year over a recurring one.
        let both = [from[0].clone(), target(2025, Comparator::Gte, 40.0)];
        assert_eq!(
            compute(&ind, &both, &[actual("2024", 35.0, 1)], Some(2025)).target.and_then(|t| t.year),
            Some(2025)
        );
        assert_eq!(
            compute(&ind, &both, &[actual("2024", 35.0, 1)], Some(2024)).target.map(|t| t.kind),
            Some(TargetKind::FromYear)
        );
    }
}
