//! Parses the five source texts (`data/sources/*.txt`) into the default
//! [`Dataset`].
//!
//! - [`text`]: noise removal, paragraph joining, sentences, dates, year phrases;
//! - [`plan_doc`]: the generic structure of a 实施方案 (goals, action groups,
//!   numbered tasks, 专栏, 责任单位);
//! - [`indicators`]: quantified targets in running text;
//! - [`departments`], [`regions`]: canonical units and the administrative tree;
//! - [`docs`]: one reader per document (where the content is, metadata);
//! - [`corrections`]: the hand decisions of `data/corrections.toml`;
//! - [`spans`]: where each quote is in its file, verbatim.
//!
//! Keys are derived from the text only: plan keys are document numbers (or the
//! plan title when there is none), task keys `<plan key>#<position code>`,
//! indicator keys `<plan key>#<task code | goals>#<indicator name>`, department
//! keys `<region key>/<canonical name>`. Parsing the same texts twice gives the
//! same dataset.

mod coordination;
mod corrections;
mod departments;
mod docs;
mod indicators;
mod plan_doc;
mod projects;
mod regions;
mod spans;
mod text;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::seed::model::{
    Actual, Comparator, Dataset, Direction, Indicator, Measure, Nature, Plan, Provenance, SourceDocument, Target,
    TargetKind,
};

pub use coordination::{Coordination, load_coordination};
use corrections::AddActual;
use corrections::Applied;
pub use corrections::{Corrections, load_corrections};
use departments::Registry;
use docs::{Located, PlanOut};
pub use projects::{Projects, load_projects};
use spans::Spans;

/// One source file: its name (e.g. `003_8f0cb15813cef04d.txt`) and its text.
#[derive(Debug, Clone)]
pub struct SourceText {
    pub file_name: String,
    pub text: String,
}

/// Why the sources could not be parsed.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("source file {0} is missing")]
    MissingSource(String),
    #[error("corrections file is invalid: {0}")]
    Corrections(String),
    #[error("{file}: correction does not match the text (any more): {quote}")]
    CorrectionNotFound { file: String, quote: String },
    #[error("{file}: unexpected structure: {message}")]
    Structure { file: String, message: String },
    #[error("{file}: conflicting statements for indicator {indicator}: {message}")]
    Conflict { file: String, indicator: String, message: String },
}

/// Parses the five source texts into the default dataset, applying
/// `corrections` (from `data/corrections.toml`, see [`load_corrections`]) and
/// reading the Jing-Jin-Ji work of `coordination` (`data/coordination.toml`,
/// see [`load_coordination`]) and the key projects of `projects`
/// (`data/projects.toml`, see [`load_projects`]).
pub fn parse_sources(
    sources: &[SourceText],
    corrections: &Corrections,
    coordination: &Coordination,
    projects: &Projects,
) -> Result<Dataset, ParseError> {
    let corr = Applied::new(corrections);
    let text_of = |name: &str| {
        sources
            .iter()
            .find(|s| s.file_name == name)
            .map(|s| s.text.as_str())
            .ok_or_else(|| ParseError::MissingSource(name.to_string()))
    };
    let mut reg = Registry::default();
    let mut spans = Spans::default();
    let mut outs: Vec<PlanOut> = Vec::new();
    outs.push(docs::city_news(text_of(docs::CITY_NEWS)?, &corr, &mut reg, &mut spans)?);
    let (eco, mut coordination) =
        docs::eco_conference(text_of(docs::ECO_CONFERENCE)?, &corr, coordination, &mut reg, &mut spans)?;
    outs.extend(eco);
    let mut districts = Vec::new();
    for spec in &docs::DISTRICT_PLANS {
        districts.push(docs::district_plan(text_of(spec.file)?, spec, &corr, &mut reg, &mut spans)?);
    }
    let peaking = docs::city_peaking_plan(&districts, &mut reg);
    let parent = peaking.as_ref().map(|p| parent_indicators(p, &districts)).unwrap_or_default();
    outs.extend(districts);

    // District commitments (完成全市下达指标) contribute to the indicator of
    // the same name of the plan they implement.
    let parent_keys: BTreeMap<String, String> = parent.iter().map(|i| (i.name.clone(), i.key.clone())).collect();
    let mut indicators = Vec::new();
    for out in &outs {
        indicators.extend(build_indicators(out, &parent_keys)?);
        if out.plan.key == docs::CITY_ACTION_PLAN {
            indicators.extend(parent.iter().cloned());
        }
    }
    let mut plans_so_far: Vec<&Plan> = outs.iter().map(|o| &o.plan).collect();
    plans_so_far.extend(peaking.as_ref());
    attach_actuals(&mut indicators, &plans_so_far, &corr, &spans)?;
    corr.check_all_used()?;

    let mut plans: Vec<_> = outs.iter().map(|o| o.plan.clone()).collect();
    if let Some(p) = peaking {
        plans.insert(1, p);
    }
    let mut source_docs = Vec::new();
    for (file, title) in [
        (docs::CITY_NEWS, "十项行动见行见效 我市高水平高质量谋划绿色低碳发展行动"),
        (docs::XIQING_PLAN, "天津市西青区碳达峰实施方案"),
        (docs::ECO_CONFERENCE, "天津召开2024年全市生态环境保护工作会议"),
        (docs::JINGHAI_PLAN, "天津市静海区碳达峰实施方案"),
        (docs::NANKAI_PLAN, "天津市南开区碳达峰实施方案"),
    ] {
        let text = text_of(file)?;
        source_docs.push(SourceDocument {
            file_name: file.to_string(),
            title: title.to_string(),
            sha256: hex(&Sha256::digest(text.as_bytes())),
        });
    }
    let mut tasks: Vec<_> = outs.iter().flat_map(|o| o.tasks.iter().cloned()).collect();
    let mut projects = projects::read(projects, &tasks)?;
    // Every quote becomes the verbatim span of its file.
    let provenances = plans
        .iter_mut()
        .map(|p| &mut p.provenance)
        .chain(tasks.iter_mut().map(|t| &mut t.provenance))
        .chain(indicators.iter_mut().flat_map(|i| {
            std::iter::once(&mut i.provenance)
                .chain(i.targets.iter_mut().map(|t| &mut t.provenance))
                .chain(i.actuals.iter_mut().map(|a| &mut a.provenance))
        }))
        .chain(coordination.iter_mut().map(|r| &mut r.provenance))
        .chain(projects.iter_mut().map(|p| &mut p.provenance));
    for p in provenances {
        spans.resolve(p)?;
    }
    Ok(Dataset {
        sources: source_docs,
        regions: regions::all(),
        departments: reg.into_departments(),
        plans,
        tasks,
        indicators,
        coordination,
        projects,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Adds the past results of `data/corrections.toml` (`[[actual]]`) as actual
/// values: to the plan's indicator of that name, or to a new indicator of the
/// plan without a target (key `<plan>#results#<name>`, after the plan's
/// other indicators). The provenance is the whole sentence.
fn attach_actuals(
    indicators: &mut Vec<Indicator>,
    plans: &[&Plan],
    corr: &Applied<'_>,
    spans: &Spans,
) -> Result<(), ParseError> {
    let sentence = |a: &AddActual| spans.sentence_with(&a.file, &a.quote);
    for a in corr.actuals(|a| sentence(a).is_some()) {
        let Some(sentence) = sentence(a) else { continue };
        let wrong =
            |message: String| ParseError::Conflict { file: a.file.clone(), indicator: a.indicator.clone(), message };
        if !sentence.contains(&a.number) || !written_as(&a.number, a.value) {
            return Err(wrong(format!("{} is not written {} in: {sentence}", a.value, a.number)));
        }
        let Some(plan) = plans.iter().find(|p| p.key == a.plan) else {
            return Err(wrong(format!("no plan {}", a.plan)));
        };
        let at = match indicators.iter().position(|i| i.plan_key == a.plan && i.name == a.indicator) {
            Some(at) => at,
            None => {
                let last_of_plan =
                    indicators.iter().rposition(|i| i.plan_key == a.plan).map_or(indicators.len(), |i| i + 1);
                let mut new = commitment_indicator(&a.indicator, &a.file, "", &sentence);
                new.key = format!("{}#results#{}", a.plan, a.indicator);
                new.region_key = a.region.clone().unwrap_or_else(|| plan.region_key.clone());
                new.plan_key = plan.key.clone();
                new.unit = a.unit.clone();
                new.measure = if a.unit == "%" { Measure::Percentage } else { Measure::Quantity };
                new.summable = !matches!(a.unit.as_str(), "%" | "min" | "微克/立方米" | "");
                new.nature = Nature::Expected;
                indicators.insert(last_of_plan, new);
                last_of_plan
            }
        };
        let indicator = &mut indicators[at];
        if a.region.as_ref().is_some_and(|r| *r != indicator.region_key) {
            return Err(wrong(format!("region {:?} where the indicator has {}", a.region, indicator.region_key)));
        }
        if indicator.unit != a.unit {
            return Err(wrong(format!("unit {} where the indicator has {}", a.unit, indicator.unit)));
        }
        if indicator.actuals.iter().any(|x| x.period == a.period) {
            return Err(wrong(format!("two results for {}", a.period)));
        }
        indicator.actuals.push(Actual {
            period: a.period.clone(),
            value: a.value,
            note: a.note.clone(),
            provenance: Provenance::read(&a.file, "", &sentence),
        });
    }
    Ok(())
}

/// Whether `number` (as written: `518个`, `4万余辆`, `两万辆`) starts with `value`,
/// in digits or in one Chinese numeral (一…九, 两, 十).
fn written_as(number: &str, value: f64) -> bool {
    if number.starts_with(&format_number(value)) {
        return true;
    }
    const NUMERALS: [char; 11] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
    let first = number.chars().next().map(|c| if c == '两' { '二' } else { c });
    let n = first.and_then(|c| NUMERALS.iter().position(|&d| d == c));
    n.is_some_and(|n| (n as f64 - value).abs() < f64::EPSILON)
}

/// A value as the texts write it: `16.6`, `518`, `5314.3`.
fn format_number(v: f64) -> String {
    if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v}") }
}

/// The indicators of 《天津市碳达峰实施方案》 (`parent`): one per intensity
/// that the districts implementing it commit to meet (完成全市下达指标). The
/// plan itself is not among the sources, so they have no targets; each quotes
/// the first district sentence committing to it, in that district's file.
fn parent_indicators(parent: &Plan, districts: &[PlanOut]) -> Vec<Indicator> {
    let mut result: Vec<Indicator> = Vec::new();
    let implementing = districts.iter().filter(|d| d.plan.parent_key.as_deref() == Some(parent.key.as_str()));
    for d in implementing {
        for c in &d.commitments {
            let name = &c.contribution.name;
            if result.iter().any(|i| &i.name == name) {
                continue;
            }
            result.push(Indicator {
                key: format!("{}#goals#{name}", parent.key),
                region_key: parent.region_key.clone(),
                plan_key: parent.key.clone(),
                contributes_to_key: None,
                ..commitment_indicator(name, &d.file, &c.section, &c.contribution.quote)
            });
        }
    }
    result
}

/// An indicator without a target of its own (完成…下达指标), binding like
/// every intensity of GDP; the caller sets key, region, plan and link.
fn commitment_indicator(name: &str, file: &str, section: &str, quote: &str) -> Indicator {
    Indicator {
        key: String::new(),
        name: name.to_string(),
        unit: "%".to_string(),
        measure: Measure::Percentage,
        direction: Direction::HigherIsBetter,
        summable: false,
        nature: Nature::Binding,
        region_key: String::new(),
        plan_key: String::new(),
        task_key: None,
        baseline_year: None,
        baseline_value: None,
        targets: Vec::new(),
        contributes_to_key: None,
        actuals: Vec::new(),
        provenance: Provenance::read(file, section, quote),
    }
}

/// Merges the targets of one plan into indicators: one indicator per name,
/// with one target per year, in order of first appearance.
fn build_indicators(out: &PlanOut, parent: &BTreeMap<String, String>) -> Result<Vec<Indicator>, ParseError> {
    let plan = &out.plan;
    let mut order: Vec<String> = Vec::new();
    let mut groups: BTreeMap<String, Vec<&Located>> = BTreeMap::new();
    for t in &out.targets {
        if !groups.contains_key(&t.found.name) {
            order.push(t.found.name.clone());
        }
        groups.entry(t.found.name.clone()).or_default().push(t);
    }
    let conflict = |name: &str, message: String| ParseError::Conflict {
        file: out.file.clone(),
        indicator: name.to_string(),
        message,
    };
    let code_of = |task_key: &Option<String>| match task_key {
        Some(k) => k.strip_prefix(&format!("{}#", plan.key)).unwrap_or(k).to_string(),
        None => "goals".to_string(),
    };
    let mut result = Vec::new();
    for name in &order {
        let Some(located) = groups.get(name) else {
            continue;
        };
        let Some(first) = located.first() else {
            continue;
        };
        let tasks: Vec<&String> = located.iter().filter_map(|l| l.task_key.as_ref()).collect();
        if tasks.iter().any(|t| *t != tasks[0]) {
            return Err(conflict(name, format!("stated in several tasks: {tasks:?}")));
        }
        let task_key = tasks.first().map(|t| (*t).clone());
        let f = &first.found;
        let mut targets: Vec<Target> = Vec::new();
        for l in located {
            let g = &l.found;
            // A qualitative target has no unit: it may join an indicator of any.
            if g.unit != f.unit && g.kind != TargetKind::Qualitative && f.kind != TargetKind::Qualitative {
                return Err(conflict(name, format!("units {} and {}", f.unit, g.unit)));
            }
            if let Some(t) = targets.iter().find(|t| (t.year, t.kind, t.start_year) == (g.year, g.kind, g.start_year)) {
                if t.value != g.value || t.value_max != g.value_max {
                    return Err(conflict(name, format!("two values for {:?} {:?}", g.kind, g.year)));
                }
                continue; // the same target stated twice: the first statement wins
            }
            if g.year.is_some() && targets.iter().any(|t| t.year == g.year) {
                // One target per year: a figure and words for the same year contradict.
                return Err(conflict(name, format!("two kinds of target for {:?}", g.year)));
            }
            targets.push(Target {
                year: g.year,
                kind: g.kind,
                start_year: g.start_year,
                phrase: g.phrase.clone(),
                comparator: g.comparator,
                value: g.value,
                value_max: g.value_max,
                provenance: Provenance::read(&out.file, &l.section, &g.quote),
            });
        }
        targets.sort_by_key(|t| t.year);
        // The unit of the figures, when a qualitative target was stated first.
        let unit = located
            .iter()
            .find(|l| l.found.kind != TargetKind::Qualitative)
            .map_or_else(|| f.unit.clone(), |l| l.found.unit.clone());
        let baseline_year = located.iter().find_map(|l| l.found.baseline_year);
        result.push(Indicator {
            key: format!("{}#{}#{name}", plan.key, code_of(&task_key)),
            name: name.clone(),
            unit: unit.clone(),
            measure: if located.iter().all(|l| l.found.kind == TargetKind::Qualitative) {
                Measure::Qualitative
            } else if unit == "%" {
                Measure::Percentage
            } else {
                Measure::Quantity
            },
            direction: if f.keep {
                Direction::Keep
            } else if f.lower_is_better {
                Direction::LowerIsBetter
            } else {
                Direction::HigherIsBetter
            },
            summable: !matches!(unit.as_str(), "%" | "min" | "微克/立方米" | ""),
            nature: if located.iter().any(|l| l.found.binding) { Nature::Binding } else { Nature::Expected },
            region_key: plan.region_key.clone(),
            plan_key: plan.key.clone(),
            task_key,
            baseline_year,
            baseline_value: (f.decrease && baseline_year.is_some()).then_some(0.0),
            targets,
            contributes_to_key: None,
            actuals: Vec::new(),
            provenance: Provenance::read(&out.file, &first.section, &f.quote),
        });
    }
    // 完成全市下达指标: no target of its own, contributes to the parent plan's indicator.
    let mut seen: Vec<&str> = Vec::new();
    for c in &out.commitments {
        let name = &c.contribution.name;
        if seen.contains(&name.as_str()) {
            continue;
        }
        seen.push(name);
        if result.iter().any(|i| &i.name == name) {
            return Err(conflict(name, "both a target and a commitment to the city target".to_string()));
        }
        let Some(counterpart) = parent.get(name).cloned() else {
            return Err(conflict(name, "no indicator of the parent plan to contribute to".to_string()));
        };
        result.push(Indicator {
            key: format!("{}#goals#{name}", plan.key),
            region_key: plan.region_key.clone(),
            plan_key: plan.key.clone(),
            contributes_to_key: Some(counterpart),
            ..commitment_indicator(name, &out.file, &c.section, &c.contribution.quote)
        });
    }
    // Comparators are only meaningful with a value; make sure none slipped through.
    debug_assert!(
        result.iter().flat_map(|i| &i.targets).all(|t| t.comparator != Comparator::Between || t.value_max.is_some())
    );
    Ok(result)
}
