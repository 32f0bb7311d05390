//! Hand decisions for the few sentences that defeat any reasonable pattern.
//!
//! Every entry quotes the text it decides. The quote is cleaned like the
//! source (see [`super::text::clean_line`]) and must be found in the cleaned
//! source, and every entry must be used by the parser: a correction whose
//! sentence changed or disappeared is an error, so corrections cannot rot.

use std::cell::RefCell;
use std::collections::BTreeSet;

use serde::Deserialize;

use super::ParseError;
use super::text::{Mapped, clean_line};
use crate::seed::model::{Comparator, TargetKind};

/// All corrections, as read from `data/corrections.toml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Corrections {
    /// Headings whose title runs into the body with no full stop.
    #[serde(default)]
    pub title: Vec<TitleFix>,
    /// Garbled text repaired before parsing (only punctuation lost by a scraper).
    #[serde(default)]
    pub fix: Vec<TextFix>,
    /// Elliptical lists (`深入打好蓝天、碧水、净土保卫战`) spelled out.
    #[serde(default)]
    pub split: Vec<ListSplit>,
    /// Numbers the target patterns would take for targets but are not.
    #[serde(default)]
    pub skip_target: Vec<SkipTarget>,
    /// Targets found by the patterns whose derived name is wrong.
    #[serde(default)]
    pub name_target: Vec<NameTarget>,
    /// Targets stated in a form the patterns do not find.
    #[serde(default)]
    pub add_target: Vec<AddTarget>,
    /// Past results (2023 figures, 十三五 results): actual values, never targets.
    #[serde(default)]
    pub actual: Vec<AddActual>,
}

/// Title of a heading whose body follows without a full stop.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TitleFix {
    pub file: String,
    /// The beginning of the heading paragraph, label included: `(一)加大招商引资力度建设全球`.
    pub quote: String,
    /// The title; the heading text after its label starts with it.
    pub title: String,
}

/// Replaces `quote` by `replace` in the cleaned text.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextFix {
    pub file: String,
    pub quote: String,
    pub replace: String,
    pub reason: String,
}

/// Replaces the list item `quote` by `items` when splitting a list.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSplit {
    pub file: String,
    pub quote: String,
    pub items: Vec<String>,
}

/// A number in `quote` (written as `number`, e.g. `510家`) is not a target.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkipTarget {
    pub file: String,
    pub quote: String,
    pub number: String,
    pub reason: String,
}

/// The target written `number` in `quote` belongs to the indicator `name`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameTarget {
    pub file: String,
    pub quote: String,
    pub number: String,
    pub name: String,
}

/// A target spelled out by hand; `quote` is the sentence that states it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddTarget {
    pub file: String,
    pub quote: String,
    pub name: String,
    pub unit: String,
    /// Absent only for a `QUALITATIVE` target (it is then `EQ`: the stated state is reached or not).
    #[serde(default)]
    pub comparator: Option<ComparatorName>,
    /// Absent exactly for a `QUALITATIVE` target.
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub value_max: Option<f64>,
    /// The year it is due; absent for a standing or recurring target.
    #[serde(default)]
    pub year: Option<i32>,
    #[serde(default)]
    pub baseline_year: Option<i32>,
    /// `BY_YEAR` unless given: `STANDING`, `ANNUAL`, `FROM_YEAR`, `IMPLICIT_FULL`, `QUALITATIVE`.
    #[serde(default = "by_year")]
    pub kind: TargetKind,
    /// First year of a `FROM_YEAR` target.
    #[serde(default)]
    pub start_year: Option<i32>,
    /// The words stating it when they are not a number (全覆盖, 每年…左右; the goal's words for a
    /// `QUALITATIVE` target, where it is required); in `quote`.
    #[serde(default)]
    pub phrase: Option<String>,
}

fn by_year() -> TargetKind {
    TargetKind::ByYear
}

impl AddTarget {
    /// The comparator; `EQ` for a qualitative target, which states none.
    pub fn comparator_or_eq(&self) -> Comparator {
        self.comparator.map_or(Comparator::Eq, Comparator::from)
    }
}

/// A past result stated in the sentence containing `quote`: the value of
/// `indicator` (of `plan`, created without a target if the plan has none of
/// that name) for `period`, written `number` in the text.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddActual {
    pub file: String,
    pub quote: String,
    pub plan: String,
    pub indicator: String,
    pub unit: String,
    pub period: String,
    pub value: f64,
    /// The figure as written, e.g. `150余家`; it must be in the sentence and start with `value`.
    pub number: String,
    #[serde(default)]
    pub note: Option<String>,
    /// Region key of a new indicator when it is not the plan's (Jing-Jin-Ji
    /// results of one province: `110000`, `120000`, `130000`).
    #[serde(default)]
    pub region: Option<String>,
}

/// Comparator as written in the corrections file.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComparatorName {
    Gte,
    Gt,
    Lte,
    Lt,
    Approx,
    Eq,
    Between,
}

impl From<ComparatorName> for Comparator {
    fn from(c: ComparatorName) -> Self {
        match c {
            ComparatorName::Gte => Comparator::Gte,
            ComparatorName::Gt => Comparator::Gt,
            ComparatorName::Lte => Comparator::Lte,
            ComparatorName::Lt => Comparator::Lt,
            ComparatorName::Approx => Comparator::Approx,
            ComparatorName::Eq => Comparator::Eq,
            ComparatorName::Between => Comparator::Between,
        }
    }
}

/// Reads the corrections file.
pub fn load_corrections(toml_text: &str) -> Result<Corrections, ParseError> {
    let mut c: Corrections = toml::from_str(toml_text).map_err(|e| ParseError::Corrections(e.to_string()))?;
    // Quotes are compared with cleaned text: clean them the same way.
    for t in &mut c.title {
        t.quote = clean_line(&t.quote);
    }
    for t in &mut c.fix {
        t.quote = clean_line(&t.quote);
        t.replace = clean_line(&t.replace);
    }
    for t in &mut c.split {
        t.quote = clean_line(&t.quote);
    }
    for t in &mut c.skip_target {
        t.quote = clean_line(&t.quote);
        t.number = clean_line(&t.number);
    }
    for t in &mut c.name_target {
        t.quote = clean_line(&t.quote);
        t.number = clean_line(&t.number);
    }
    for t in &mut c.add_target {
        t.quote = clean_line(&t.quote);
        let dated = t.year.is_some();
        let figure = t.value.is_some() && t.comparator.is_some();
        let fits = match t.kind {
            TargetKind::ByYear => dated && figure,
            TargetKind::Standing | TargetKind::Annual => !dated && figure,
            TargetKind::FromYear => !dated && t.start_year.is_some() && figure,
            TargetKind::ImplicitFull => t.phrase.is_some() && t.value == Some(100.0) && figure,
            TargetKind::Qualitative => {
                t.phrase.is_some() && t.value.is_none() && t.value_max.is_none() && t.comparator.is_none()
            }
        };
        if !fits || t.phrase.as_ref().is_some_and(|p| !t.quote.contains(p.as_str())) {
            return Err(ParseError::Corrections(format!(
                "target {} of kind {:?}: year, start year, figure and phrase (in the quote) do not fit the kind",
                t.name, t.kind
            )));
        }
    }
    for t in &mut c.actual {
        t.quote = clean_line(&t.quote);
        t.number = clean_line(&t.number);
    }
    Ok(c)
}

/// The corrections of one parse, with a record of which entries were used.
pub(crate) struct Applied<'a> {
    pub c: &'a Corrections,
    used: RefCell<BTreeSet<(Kind, usize)>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Title,
    Fix,
    Split,
    Skip,
    Name,
    Add,
    Actual,
}

impl<'a> Applied<'a> {
    pub(crate) fn new(c: &'a Corrections) -> Self {
        Applied { c, used: RefCell::new(BTreeSet::new()) }
    }

    fn mark(&self, kind: Kind, i: usize) {
        self.used.borrow_mut().insert((kind, i));
    }

    /// Applies the text fixes of `file` to its cleaned paragraphs (whose
    /// characters keep their places in the raw file, see [`Mapped`]).
    pub(crate) fn apply_fixes(&self, file: &str, paragraphs: &mut [Mapped]) -> Result<(), ParseError> {
        for (i, fix) in self.c.fix.iter().enumerate().filter(|(_, f)| f.file == file) {
            let hits = paragraphs.iter().filter(|p| p.text.contains(&fix.quote)).count();
            if hits != 1 {
                return Err(ParseError::CorrectionNotFound { file: file.to_string(), quote: fix.quote.clone() });
            }
            for p in paragraphs.iter_mut() {
                p.replace_first(&fix.quote, &fix.replace);
            }
            self.mark(Kind::Fix, i);
        }
        Ok(())
    }

    /// The corrected title of a heading paragraph (label included), if any.
    pub(crate) fn title_for(&self, file: &str, heading: &str) -> Option<&'a str> {
        let (i, fix) =
            self.c.title.iter().enumerate().find(|(_, t)| t.file == file && heading.starts_with(&t.quote))?;
        self.mark(Kind::Title, i);
        Some(&fix.title)
    }

    /// List items of `list` (separated by 、) with elliptical items spelled out.
    pub(crate) fn split_list(&self, file: &str, list: &str) -> Vec<String> {
        let mut text = list.to_string();
        for (i, s) in self.c.split.iter().enumerate().filter(|(_, s)| s.file == file) {
            if text.contains(&s.quote) {
                text = text.replace(&s.quote, &s.items.join("、"));
                self.mark(Kind::Split, i);
            }
        }
        text.split('、').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
    }

    /// Whether the number written `number` in `sentence` is declared not a target.
    pub(crate) fn skips(&self, file: &str, sentence: &str, number: &str) -> bool {
        let hit = self
            .c
            .skip_target
            .iter()
            .enumerate()
            .find(|(_, s)| s.file == file && s.number == number && sentence.contains(&s.quote));
        if let Some((i, _)) = hit {
            self.mark(Kind::Skip, i);
        }
        hit.is_some()
    }

    /// The name given by hand to the target written `number` in `sentence`.
    pub(crate) fn name_for(&self, file: &str, sentence: &str, number: &str) -> Option<&'a str> {
        let (i, hit) = self
            .c
            .name_target
            .iter()
            .enumerate()
            .find(|(_, s)| s.file == file && s.number == number && sentence.contains(&s.quote))?;
        self.mark(Kind::Name, i);
        Some(&hit.name)
    }

    /// Targets added by hand whose quote is in `sentence`.
    pub(crate) fn added_in(&self, file: &str, sentence: &str) -> Vec<&'a AddTarget> {
        let mut out = Vec::new();
        for (i, a) in self.c.add_target.iter().enumerate() {
            if a.file == file && sentence.contains(&a.quote) {
                self.mark(Kind::Add, i);
                out.push(a);
            }
        }
        out
    }

    /// The past results to import; each is marked used when `found` says its
    /// sentence is there.
    pub(crate) fn actuals(&self, found: impl Fn(&AddActual) -> bool) -> Vec<&'a AddActual> {
        let mut out = Vec::new();
        for (i, a) in self.c.actual.iter().enumerate() {
            if found(a) {
                self.mark(Kind::Actual, i);
                out.push(a);
            }
        }
        out
    }

    /// Fails on the first correction that no sentence used.
    pub(crate) fn check_all_used(&self) -> Result<(), ParseError> {
        let used = self.used.borrow();
        let c = self.c;
        let all = c
            .title
            .iter()
            .enumerate()
            .map(|(i, t)| (Kind::Title, i, &t.file, &t.quote))
            .chain(c.fix.iter().enumerate().map(|(i, t)| (Kind::Fix, i, &t.file, &t.quote)))
            .chain(c.split.iter().enumerate().map(|(i, t)| (Kind::Split, i, &t.file, &t.quote)))
            .chain(c.skip_target.iter().enumerate().map(|(i, t)| (Kind::Skip, i, &t.file, &t.quote)))
            .chain(c.name_target.iter().enumerate().map(|(i, t)| (Kind::Name, i, &t.file, &t.quote)))
            .chain(c.add_target.iter().enumerate().map(|(i, t)| (Kind::Add, i, &t.file, &t.quote)))
            .chain(c.actual.iter().enumerate().map(|(i, t)| (Kind::Actual, i, &t.file, &t.quote)));
        for (kind, i, file, quote) in all {
            if !used.contains(&(kind, i)) {
                return Err(ParseError::CorrectionNotFound { file: file.clone(), quote: quote.clone() });
            }
        }
        Ok(())
    }
}
