//! Jing-Jin-Ji coordination in 002, as listed in `data/coordination.toml`:
//! the measures of 《京津冀生态环境联防联控协同措施清单》 as tasks with their
//! agencies, and the coordination records (mechanisms, groups, meetings,
//! agreements, joint actions).
//!
//! The text describes a year of joint work in running prose; which clause is
//! a measure, which agency of which province takes part and what kind of
//! record it is are decisions, made once in the data file. Each entry quotes
//! its clause, and the clause must be in what the reader of 002 read: an entry
//! whose text changed fails the import, so the list cannot rot.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::seed::model::{
    Assignment, AssignmentRole, CoordinationKind, CoordinationRecord, Provenance, Task, TaskKind,
};

use super::ParseError;
use super::departments::Registry;
use super::spans::Spans;
use super::text::clean_line;

/// The contents of `data/coordination.toml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coordination {
    #[serde(default)]
    department: Vec<Agency>,
    #[serde(default)]
    group: Vec<Group>,
    #[serde(default)]
    measure: Vec<Measure>,
    #[serde(default)]
    record: Vec<Record>,
}

/// An agency that takes part, under a short id used by the other entries.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Agency {
    id: String,
    name: String,
    region: String,
    /// Why this agency, when the text names its sector but not its name.
    #[serde(default)]
    #[allow(dead_code)]
    reason: Option<String>,
}

/// An area of the review (or of the plan for the next year): an action group.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    code: String,
    title: String,
    quote: String,
    year: i32,
}

/// A measure: a task of its group, with its agencies.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Measure {
    group: String,
    title: String,
    quote: String,
    #[serde(default)]
    lead: Vec<String>,
    #[serde(default)]
    support: Vec<String>,
}

/// A coordination record.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    kind: CoordinationKind,
    #[serde(default)]
    year: Option<i32>,
    title: String,
    quote: String,
    participants: Vec<String>,
    regions: Vec<String>,
}

/// Reads `data/coordination.toml`; quotes are cleaned like the source.
///
/// # Errors
/// When the file is not valid.
pub fn load_coordination(toml_text: &str) -> Result<Coordination, ParseError> {
    let mut c: Coordination = toml::from_str(toml_text).map_err(|e| ParseError::Corrections(e.to_string()))?;
    for g in &mut c.group {
        g.quote = clean_line(&g.quote);
    }
    for m in &mut c.measure {
        m.quote = clean_line(&m.quote);
    }
    for r in &mut c.record {
        r.quote = clean_line(&r.quote);
    }
    Ok(c)
}

/// What the coordination data adds to the plan `plan_key` of `file`.
#[derive(Debug, Default)]
pub struct Read {
    pub tasks: Vec<Task>,
    pub records: Vec<CoordinationRecord>,
}

/// Builds the tasks and records of the coordination plan `plan_key` (read
/// under the heading `section`), registering the agencies in `reg`.
///
/// # Errors
/// A quote not in the text, an unknown agency or group id.
pub fn read(
    c: &Coordination,
    file: &str,
    plan_key: &str,
    section: &str,
    reg: &mut Registry,
    spans: &Spans,
) -> Result<Read, ParseError> {
    let wrong = |message: String| ParseError::Structure { file: file.to_string(), message };
    let mut agencies: BTreeMap<&str, String> = BTreeMap::new();
    for a in &c.department {
        agencies.insert(a.id.as_str(), reg.resolve(&a.name, &a.region));
    }
    let agency = |id: &String| agencies.get(id.as_str()).cloned().ok_or_else(|| wrong(format!("unknown agency {id}")));
    let clause = |quote: &str, section: &str| -> Result<Provenance, ParseError> {
        if spans.sentence_with(file, quote).is_none() {
            return Err(wrong(format!("quote not found: {quote}")));
        }
        Ok(Provenance::read(file, section, quote))
    };
    let mut out = Read::default();
    for (position, g) in c.group.iter().enumerate() {
        let key = format!("{plan_key}#{}", g.code);
        let mut task = new_task(&key, plan_key, None, TaskKind::ActionGroup, &g.code, position, &g.title);
        task.body = g.quote.clone();
        task.due_year = Some(g.year);
        let group_section = format!("{section} / {}", g.quote);
        task.provenance = clause(&g.quote, section)?;
        out.tasks.push(task);
        let measures = c.measure.iter().filter(|m| m.group == g.code);
        for (i, m) in measures.enumerate() {
            let code = format!("{}.{}", g.code, i + 1);
            let mut task =
                new_task(&format!("{plan_key}#{code}"), plan_key, Some(&key), TaskKind::Task, &code, i, &m.title);
            task.body = m.quote.clone();
            task.due_year = Some(g.year);
            task.provenance = clause(&m.quote, &group_section)?;
            for (ids, role) in [(&m.lead, AssignmentRole::Lead), (&m.support, AssignmentRole::Support)] {
                for id in ids {
                    task.assignments.push(Assignment { department_key: agency(id)?, role });
                }
            }
            out.tasks.push(task);
        }
    }
    if let Some(m) = c.measure.iter().find(|m| !c.group.iter().any(|g| g.code == m.group)) {
        return Err(wrong(format!("measure of unknown group {}: {}", m.group, m.title)));
    }
    for r in &c.record {
        let key = format!("{plan_key}#{}#{}", r.kind.as_str(), r.title);
        if out.records.iter().any(|x| x.key == key) {
            return Err(wrong(format!("two coordination records {key}")));
        }
        out.records.push(CoordinationRecord {
            key,
            plan_key: plan_key.to_string(),
            kind: r.kind,
            date: r.year.map(|y| y.to_string()),
            title: r.title.clone(),
            text: r.quote.clone(),
            participant_keys: r.participants.iter().map(agency).collect::<Result<_, _>>()?,
            region_keys: r.regions.clone(),
            provenance: clause(&r.quote, section)?,
        });
    }
    Ok(out)
}

fn new_task(
    key: &str,
    plan_key: &str,
    parent: Option<&str>,
    kind: TaskKind,
    code: &str,
    position: usize,
    title: &str,
) -> Task {
    Task {
        key: key.to_string(),
        plan_key: plan_key.to_string(),
        parent_key: parent.map(str::to_string),
        kind,
        code: code.to_string(),
        position: i32::try_from(position).unwrap_or(i32::MAX),
        title: title.to_string(),
        body: String::new(),
        due_year: None,
        assignments: Vec::new(),
        provenance: Provenance::default(),
    }
}
