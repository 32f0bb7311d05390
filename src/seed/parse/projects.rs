//! Key projects (重点项目) as listed in `data/projects.toml`: the named
//! construction items of the 专栏 of 003 and the grid projects a task of 001
//! names with their voltage class.
//!
//! Which item of a column is a project, how a shared phrase splits into
//! several (团泊东区、团泊西区和华静再生水厂) and what a figure measures are
//! decisions, made once in the data file. Everything checkable is checked
//! against the text: the clause must be in the task or 专栏 it is filed
//! under, the place and every figure must be in the clause, each figure must
//! read as its value, and the task named as giving the responsible units must
//! name the project. An entry the text no longer supports fails the import.

use serde::Deserialize;

use crate::seed::model::{Project, ProjectSize, Provenance, Task};

use super::ParseError;
use super::text::clean_line;

/// The contents of `data/projects.toml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Projects {
    #[serde(default)]
    project: Vec<Entry>,
}

/// One project as the data file lists it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    file: String,
    /// Position code of the 专栏 or task (`三.（三）.专栏4`).
    task: String,
    kind: String,
    name: String,
    #[serde(default)]
    place: Option<String>,
    quote: String,
    #[serde(default)]
    sizes: Vec<Size>,
    #[serde(default)]
    responsible: Option<NamedIn>,
    /// Why, when the reading is a decision.
    #[serde(default)]
    #[allow(dead_code)]
    reason: Option<String>,
}

/// A figure of a project.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Size {
    value: f64,
    unit: String,
    /// The figure as written (`500 吨/日`); it must be in the clause.
    written: String,
    #[serde(default)]
    measure: Option<String>,
}

/// The numbered task whose 责任单位 are the project's: it names the project in `quote`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct NamedIn {
    task: String,
    quote: String,
}

/// Reads `data/projects.toml`; names, places, quotes and figures are cleaned
/// like the source (PDF spaces dropped, brackets full-width).
///
/// # Errors
/// When the file is not valid.
pub fn load_projects(toml_text: &str) -> Result<Projects, ParseError> {
    let mut p: Projects = toml::from_str(toml_text).map_err(|e| ParseError::Corrections(e.to_string()))?;
    for e in &mut p.project {
        e.name = clean_line(&e.name);
        e.place = e.place.as_deref().map(clean_line);
        e.quote = clean_line(&e.quote);
        for s in &mut e.sizes {
            s.written = clean_line(&s.written);
        }
        if let Some(r) = &mut e.responsible {
            r.quote = clean_line(&r.quote);
        }
    }
    Ok(p)
}

/// The projects of `data`, each filed under its task of `tasks` (in data
/// order); provenances are cleaned quotes, their verbatim spans found later.
///
/// # Errors
/// An unknown task, a clause not in its task, a place or figure not in its
/// clause, a figure that does not read as its value, a responsible task that
/// does not name the project, two projects of one key.
pub fn read(data: &Projects, tasks: &[Task]) -> Result<Vec<Project>, ParseError> {
    let mut out: Vec<Project> = Vec::new();
    for e in &data.project {
        let wrong = |message: String| ParseError::Structure { file: e.file.clone(), message };
        let task_of = |code: &str| -> Result<&Task, ParseError> {
            let mut found = tasks.iter().filter(|t| t.provenance.file_name == e.file && t.code == code);
            match (found.next(), found.next()) {
                (Some(task), None) => Ok(task),
                (None, _) => Err(wrong(format!("project {}: no task {code}", e.name))),
                (Some(_), Some(_)) => Err(wrong(format!("project {}: two tasks {code}", e.name))),
            }
        };
        let task = task_of(&e.task)?;
        if !task.body.contains(&e.quote) {
            return Err(wrong(format!("project {}: quote not in {}: {}", e.name, e.task, e.quote)));
        }
        if let Some(place) = e.place.as_deref().filter(|p| !e.quote.contains(*p)) {
            return Err(wrong(format!("project {}: place {place} not in its quote", e.name)));
        }
        let mut sizes = Vec::new();
        for s in &e.sizes {
            if !e.quote.contains(&s.written)
                || !s.written.ends_with(&s.unit)
                || leading_number(&s.written) != Some(s.value)
            {
                return Err(wrong(format!("project {}: {} {} is not written {}", e.name, s.value, s.unit, s.written)));
            }
            sizes.push(ProjectSize { value: s.value, unit: s.unit.clone(), measure: s.measure.clone() });
        }
        let mut responsible_keys = Vec::new();
        if let Some(r) = &e.responsible {
            let named_in = task_of(&r.task)?;
            if named_in.plan_key != task.plan_key || !named_in.body.contains(&r.quote) {
                return Err(wrong(format!("project {}: task {} does not name it: {}", e.name, r.task, r.quote)));
            }
            responsible_keys = named_in.assignments.iter().map(|a| a.department_key.clone()).collect();
        }
        let key = format!("{}#{}", task.key, e.name);
        if out.iter().any(|p| p.key == key) {
            return Err(wrong(format!("two projects {key}")));
        }
        out.push(Project {
            key,
            plan_key: task.plan_key.clone(),
            task_key: task.key.clone(),
            kind: e.kind.clone(),
            name: e.name.clone(),
            place: e.place.clone(),
            sizes,
            responsible_keys,
            provenance: Provenance::read(&e.file, &format!("{} / {}", task.provenance.section, e.kind), &e.quote),
        });
    }
    Ok(out)
}

/// The number a figure starts with, in digits (`500 吨/日` → 500, `10MW` → 10).
fn leading_number(written: &str) -> Option<f64> {
    let digits: String = written.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    digits.parse().ok()
}
