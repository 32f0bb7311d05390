//! An indicator's trajectory for charts: the straight path from its baseline
//! to each of its targets, one point a year, so the actuals can be drawn
//! against where the plan meant to be.

use entity::{indicator, indicator_target};

/// One point of the planned path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathPoint {
    pub year: i32,
    pub value: f64,
}

/// The planned path: the baseline, then one point a year up to the last
/// target, on straight lines from the baseline to the first target and from
/// each target to the next. Empty without a baseline value or without a
/// target after the baseline year. A target of the same year as an earlier
/// one is drawn by its first; a BETWEEN target by its lower bound; a target
/// without a year (standing, annual) or without a figure (qualitative) is not on the path.
pub fn path(indicator: &indicator::Model, targets: &[indicator_target::Model]) -> Vec<PathPoint> {
    let (Some(year), Some(value)) = (indicator.baseline_year, indicator.baseline_value) else { return Vec::new() };
    let mut anchors = vec![PathPoint { year, value }];
    // Only targets of a year are points of the path (a standing or annual one has none).
    let mut later: Vec<(i32, f64)> = targets.iter().filter_map(|t| t.year.filter(|y| *y > year).zip(t.value)).collect();
    later.sort_by_key(|(year, _)| *year);
    for (year, value) in later {
        if anchors.last().is_some_and(|a| a.year < year) {
            anchors.push(PathPoint { year, value });
        }
    }
    if anchors.len() < 2 {
        return Vec::new();
    }
    let mut points = vec![anchors[0]];
    for pair in anchors.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        let span = f64::from(to.year - from.year);
        for year in from.year + 1..=to.year {
            let value = if year == to.year {
                to.value
            } else {
                let between = from.value + (to.value - from.value) * f64::from(year - from.year) / span;
                (between * 1e6).round() / 1e6
            };
            points.push(PathPoint { year, value });
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::enums::{Comparator, Direction, Measure, Nature, TargetKind};

    fn indicator(baseline: Option<(i32, Option<f64>)>) -> indicator::Model {
        let now = chrono::Utc::now();
        indicator::Model {
            id: "i".into(),
            name: "n".into(),
            doc_order: "0".into(),
            unit: "%".into(),
            measure: Measure::Percentage,
            direction: Direction::HigherIsBetter,
            summable: false,
            nature: Nature::Expected,
            region_id: "r".into(),
            plan_id: "p".into(),
            task_id: None,
            baseline_year: baseline.map(|b| b.0),
            baseline_value: baseline.and_then(|b| b.1),
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

    fn target(year: i32, value: f64) -> indicator_target::Model {
        let now = chrono::Utc::now();
        indicator_target::Model {
            id: format!("t{year}"),
            indicator_id: "i".into(),
            year: Some(year),
            kind: TargetKind::ByYear,
            start_year: None,
            phrase: None,
            comparator: Comparator::Gte,
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

    #[test]
    fn the_path_runs_straight_from_the_baseline_through_each_target_a_point_a_year() {
        let points = path(&indicator(Some((2020, Some(10.0)))), &[target(2030, 30.0), target(2025, 20.0)]);
        let years: Vec<i32> = points.iter().map(|p| p.year).collect();
        assert_eq!(years, (2020..=2030).collect::<Vec<_>>());
        assert_eq!(points[0].value, 10.0);
        assert_eq!(points[3].value, 16.0);
        assert_eq!(points[5].value, 20.0);
        assert_eq!(points[8].value, 26.0);
        assert_eq!(points[10].value, 30.0);
    }

    #[test]
    fn no_baseline_value_or_no_later_target_gives_no_path() {
        assert!(path(&indicator(None), &[target(2025, 1.0)]).is_empty());
        assert!(path(&indicator(Some((2020, None))), &[target(2025, 1.0)]).is_empty());
        assert!(path(&indicator(Some((2020, Some(1.0)))), &[target(2020, 2.0)]).is_empty());
    }
}
