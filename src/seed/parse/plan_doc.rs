//! The common structure of a 实施方案: chapters `一、…`, of which 总体要求 is
//! skipped, 主要目标 (or a `（三）主要目标` under 总体要求) holds the goals, and
//! every other chapter (重点任务, 对外合作, 政策保障, 组织实施) is split into
//! action groups `（一）…`, numbered tasks `1. …` and featured columns `专栏N`.
//!
//! Position codes: action group `三.（一）`, task `三.（一）.1`, column
//! `三.（一）.专栏1` (chapter numeral, group label, task number or 专栏N).

use std::sync::LazyLock;

use regex::Regex;

use crate::seed::model::TaskKind;

use super::ParseError;
use super::corrections::Applied;
use super::text::re;

static CHAPTER: LazyLock<Regex> = LazyLock::new(|| re(r"^([一二三四五六七八九十]+)、(.*)$"));
static GROUP: LazyLock<Regex> = LazyLock::new(|| re(r"^（([一二三四五六七八九十]+)）(.*)$"));
static TASK: LazyLock<Regex> = LazyLock::new(|| re(r"^(\d{1,2})[\.．、](.*)$"));
static COLUMN: LazyLock<Regex> = LazyLock::new(|| re(r"^专栏(\d+)(.*)$"));
static ASSIGNED: LazyLock<Regex> = LazyLock::new(|| re(r"（(?:责任单位[:：])?([^（）]+)）\s*$"));

/// Longest title taken from a heading's first sentence; longer ones mean the
/// title runs into the body and need a `[[title]]` correction.
const MAX_TITLE: usize = 30;

/// One node of the task tree, before keys are assigned.
#[derive(Debug, Clone)]
pub struct Node {
    pub kind: TaskKind,
    pub code: String,
    /// Index of the parent node in [`PlanDoc::nodes`].
    pub parent: Option<usize>,
    pub position: i32,
    pub title: String,
    /// The heading as printed (label and title), for provenance.
    pub heading: String,
    pub section: String,
    pub paragraphs: Vec<String>,
    /// Responsible units as written, in order.
    pub units: Vec<String>,
}

impl Node {
    /// Full text without the 责任单位 clause.
    pub fn body(&self) -> String {
        self.paragraphs.join("\n")
    }
}

/// A paragraph of the 主要目标 section.
#[derive(Debug, Clone)]
pub struct Goal {
    pub section: String,
    pub text: String,
}

/// The parsed structure of one plan.
#[derive(Debug, Default)]
pub struct PlanDoc {
    pub goals: Vec<Goal>,
    pub nodes: Vec<Node>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Skip,
    Goals,
    Tasks,
}

/// Splits a heading paragraph (label removed) into title and inline body.
fn split_title(
    file: &str,
    heading: &str,
    rest: &str,
    corr: &Applied<'_>,
) -> Result<(String, Option<String>), ParseError> {
    if let Some(title) = corr.title_for(file, heading) {
        if !rest.starts_with(title) {
            return Err(ParseError::CorrectionNotFound { file: file.to_string(), quote: title.to_string() });
        }
        return Ok((title.to_string(), Some(rest.to_string())));
    }
    match rest.find('。') {
        None if rest.chars().count() <= MAX_TITLE => Ok((rest.to_string(), None)),
        Some(i) if rest[..i].chars().count() <= MAX_TITLE => Ok((rest[..i].to_string(), Some(rest.to_string()))),
        _ => Err(ParseError::Structure {
            file: file.to_string(),
            message: format!("heading without a recognisable title: {heading}"),
        }),
    }
}

/// Parses the body of a plan (the paragraphs after its title line).
pub fn parse(file: &str, paragraphs: &[String], corr: &Applied<'_>) -> Result<PlanDoc, ParseError> {
    let mut doc = PlanDoc::default();
    let mut mode = Mode::Skip;
    let mut chapter: Option<(String, String)> = None; // (numeral, heading)
    let mut group: Option<usize> = None;
    let mut leaf: Option<usize> = None;
    let mut goal_section = String::new();
    let mut group_count = 0;
    let mut child_count = 0;

    for p in paragraphs {
        if let Some(c) = CHAPTER.captures(p) {
            let title = c[2].to_string();
            mode = if title.contains("主要目标") {
                goal_section = p.clone();
                Mode::Goals
            } else if title.contains("总体要求") {
                Mode::Skip
            } else {
                Mode::Tasks
            };
            chapter = Some((c[1].to_string(), p.clone()));
            group = None;
            leaf = None;
            group_count = 0;
            continue;
        }
        if let Some(c) = GROUP.captures(p) {
            let Some((numeral, chapter_heading)) = chapter.clone() else {
                return Err(ParseError::Structure {
                    file: file.to_string(),
                    message: format!("group outside a chapter: {p}"),
                });
            };
            if mode != Mode::Tasks {
                mode = if c[2].starts_with("主要目标") {
                    goal_section = format!("{chapter_heading} / {p}");
                    Mode::Goals
                } else {
                    Mode::Skip
                };
                continue;
            }
            let (title, inline) = split_title(file, p, &c[2], corr)?;
            let label = format!("（{}）", &c[1]);
            doc.nodes.push(Node {
                kind: TaskKind::ActionGroup,
                code: format!("{numeral}.{label}"),
                parent: None,
                position: group_count,
                title: title.clone(),
                heading: p.clone(),
                section: format!("{chapter_heading} / {label}{title}"),
                paragraphs: inline.into_iter().collect(),
                units: Vec::new(),
            });
            group_count += 1;
            child_count = 0;
            group = Some(doc.nodes.len() - 1);
            leaf = None;
            continue;
        }
        if mode == Mode::Tasks {
            let task = TASK.captures(p).map(|c| (TaskKind::Task, c[1].to_string(), c[2].to_string()));
            let column = COLUMN.captures(p).map(|c| (TaskKind::FeaturedProject, c[1].to_string(), c[2].to_string()));
            if let Some((kind, number, rest)) = task.or(column) {
                let Some(g) = group else {
                    return Err(ParseError::Structure {
                        file: file.to_string(),
                        message: format!("task outside a group: {p}"),
                    });
                };
                let parent = &doc.nodes[g];
                let (code, title, inline, label) = if kind == TaskKind::Task {
                    let (title, inline) = split_title(file, p, &rest, corr)?;
                    (format!("{}.{number}", parent.code), title, inline, number.clone())
                } else {
                    let label = format!("专栏{number}");
                    (format!("{}.{label}", parent.code), rest.clone(), None, format!("{label} {rest}"))
                };
                let section = format!("{} / {label}", parent.section);
                doc.nodes.push(Node {
                    kind,
                    code,
                    parent: Some(g),
                    position: child_count,
                    title,
                    heading: p.clone(),
                    section,
                    paragraphs: inline.into_iter().collect(),
                    units: Vec::new(),
                });
                child_count += 1;
                leaf = Some(doc.nodes.len() - 1);
                continue;
            }
        }
        match mode {
            Mode::Skip => {}
            Mode::Goals => doc.goals.push(Goal { section: goal_section.clone(), text: p.clone() }),
            Mode::Tasks => {
                let Some(i) = leaf.or(group) else {
                    return Err(ParseError::Structure {
                        file: file.to_string(),
                        message: format!("text outside a group: {p}"),
                    });
                };
                doc.nodes[i].paragraphs.push(p.clone());
            }
        }
    }
    for node in &mut doc.nodes {
        take_units(node);
    }
    Ok(doc)
}

/// Whether a written item names a unit (not some other parenthetical).
fn looks_like_unit(item: &str) -> bool {
    const HEADS: [&str; 8] = ["区", "市", "各", "有关", "天津", "国网", "公安", "中德"];
    const TAILS: [&str; 16] =
        ["局", "委", "办", "处", "中心", "部", "校", "联", "公司", "门", "单位", "区", "镇", "乡", "城", "园区"];
    HEADS.iter().any(|h| item.starts_with(h)) || TAILS.iter().any(|t| item.ends_with(t))
}

/// Splits a 责任单位 list into unit names in order.
pub fn split_units(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in list.split(['、', '，', ',']) {
        let mut item = raw.trim().trim_end_matches("按职责分工负责").to_string();
        for suffix in ["牵头", "配合"] {
            if let Some(s) = item.strip_suffix(suffix) {
                item = s.to_string();
            }
        }
        if let Some((head, tail)) = item.split_once("等有关") {
            out.push(head.to_string());
            out.push(format!("各有关{tail}"));
            continue;
        }
        let item = item.trim_end_matches('等').to_string();
        if !item.is_empty() {
            out.push(item);
        }
    }
    out
}

/// Moves a trailing `（责任单位：A、B）` or `（A、B）` clause into `units`.
fn take_units(node: &mut Node) {
    let Some(last) = node.paragraphs.last().cloned() else {
        return;
    };
    let Some(c) = ASSIGNED.captures(&last) else {
        return;
    };
    let units = split_units(&c[1]);
    let labelled = c[0].contains("责任单位");
    if units.is_empty() || (!labelled && !units.iter().all(|u| looks_like_unit(u))) {
        return;
    }
    node.units = units;
    let start = c.get(0).map_or(last.len(), |m| m.start());
    let rest = last[..start].trim_end().to_string();
    if let Some(p) = node.paragraphs.last_mut() {
        *p = rest;
    }
    if node.paragraphs.last().is_some_and(|p| p.is_empty()) {
        node.paragraphs.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_in_order() {
        assert_eq!(split_units("区民政局等有关单位"), vec!["区民政局", "各有关单位"]);
        assert_eq!(split_units("区机关事务服务中心牵头,各相关部门配合"), vec!["区机关事务服务中心", "各相关部门"]);
        assert_eq!(split_units("区发展改革委、区统计局按职责分工负责"), vec!["区发展改革委", "区统计局"]);
        assert_eq!(split_units("区教育局等"), vec!["区教育局"]);
    }
}
