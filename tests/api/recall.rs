//! Recall of the default dataset: the ledger `data/recall.toml` lists every
//! sentence of the five texts that states a number, with what it became or
//! why it is not data. This test splits the texts itself, so a sentence the
//! ledger forgets, or an entry whose sentence is gone, fails it; and it checks
//! every record the ledger names through the API, with its exact figures.
//! The other way round, every target and actual value served must be a
//! number of its own sentence.

use crate::helpers::{TestApp, spawn_app};
use regex::Regex;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

const FILES: [&str; 5] = [
    "000_5850281099410ca9.txt",
    "001_27f9e29b9992793d.txt",
    "002_f0f9c9e19bad9bef.txt",
    "003_8f0cb15813cef04d.txt",
    "004_ce35f530ee5a8365.txt",
];

#[derive(Deserialize)]
struct Ledger {
    sentence: Vec<Entry>,
}

/// One sentence of the ledger (the file's header documents the fields).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    file: String,
    excerpt: String,
    #[serde(default)]
    records: Vec<Record>,
    reason: Option<Reason>,
    partial: Option<String>,
    note: Option<String>,
}

/// Why a sentence with a number is not data: the ledger's fixed vocabulary.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
enum Reason {
    DocumentNumber,
    Date,
    Period,
    NoFigure,
    Name,
    Ordinal,
    Threshold,
    Context,
    CountOfParts,
    OtherPlanTarget,
    SiteFurniture,
    Unrelated,
    Gap,
}

/// A record a sentence became.
#[derive(Deserialize, Debug)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Record {
    Target {
        plan: String,
        indicator: String,
        year: Option<i64>,
        target_kind: Option<String>,
        /// Absent exactly for a `QUALITATIVE` target, which has no figure.
        comparator: Option<String>,
        value: Option<f64>,
        value_max: Option<f64>,
    },
    Actual {
        plan: String,
        indicator: String,
        period: String,
        value: f64,
    },
    Coordination {
        title: String,
    },
    Task {
        plan: String,
        code: String,
    },
    Plan {
        title: String,
        document_number: Option<String>,
        issued_on: Option<String>,
        action_groups: Option<i64>,
        tasks: Option<i64>,
    },
    Project {
        name: String,
    },
}

fn data_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// The ledger's sentences of a text: split after 。；;！？ and each line
/// break, trimmed, empty pieces dropped.
fn sentences(text: &str) -> Vec<&str> {
    text.split_inclusive(['。', '；', ';', '！', '？', '\n']).map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// Whether a sentence states a number, as the ledger's header defines it:
/// a digit, or a Chinese numeral before a measure word (not an ordinal 第…).
fn has_number(sentence: &str, chinese: &Regex) -> bool {
    sentence.chars().any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
        || chinese.find_iter(sentence).any(|m| !m.as_str().starts_with('第'))
}

fn chinese_quantity() -> Regex {
    Regex::new(
        "第?(?:[一二两三四五六七八九十百千]*[二两三四五六七八九十百千][一二两三四五六七八九十百千]*\
         [个项条批家座场次类大张位级套部件轮万亿]|一[条项个场套座]|十[三四五]五)",
    )
    .expect("regex")
}

fn ledger() -> Ledger {
    let text = std::fs::read_to_string(data_dir().join("recall.toml")).expect("data/recall.toml");
    toml::from_str(&text).expect("the ledger parses")
}

#[test]
fn the_ledger_names_every_sentence_with_a_number_exactly_once() {
    let ledger = ledger();
    let chinese = chinese_quantity();
    let mut problems = Vec::new();
    let mut per_file: BTreeMap<&str, usize> = BTreeMap::new();
    for file in FILES {
        let text = std::fs::read_to_string(data_dir().join("sources").join(file)).expect("source file");
        let numbered: Vec<&str> = sentences(&text).into_iter().filter(|s| has_number(s, &chinese)).collect();
        per_file.insert(file, numbered.len());
        let mut named = vec![0usize; numbered.len()];
        for entry in ledger.sentence.iter().filter(|e| e.file == file) {
            let equal: Vec<usize> = (0..numbered.len()).filter(|&i| numbered[i] == entry.excerpt).collect();
            let hits = if equal.is_empty() {
                (0..numbered.len()).filter(|&i| numbered[i].contains(&entry.excerpt)).collect()
            } else {
                equal
            };
            if hits.is_empty() {
                problems.push(format!("{file}: stale entry, no sentence with a number holds {:?}", entry.excerpt));
            }
            for i in hits {
                named[i] += 1;
            }
        }
        for (sentence, n) in numbered.iter().zip(named) {
            if n != 1 {
                problems.push(format!("{file}: named by {n} entries: {sentence}"));
            }
        }
    }
    for entry in &ledger.sentence {
        assert!(FILES.contains(&entry.file.as_str()), "unknown file {}", entry.file);
        let disposition = (!entry.records.is_empty(), entry.reason.is_some());
        if disposition.0 == disposition.1 {
            problems.push(format!("{}: needs exactly one of records and reason: {:?}", entry.file, entry.excerpt));
        }
        if entry.reason == Some(Reason::Gap) && entry.note.is_none() {
            problems.push(format!("a gap says why in its note: {:?}", entry.excerpt));
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    report_counts(&ledger, &per_file);
}

/// Prints what the ledger says per document (run with `--nocapture`).
fn report_counts(ledger: &Ledger, per_file: &BTreeMap<&str, usize>) {
    for (file, numbered) in per_file {
        let entries: Vec<&Entry> = ledger.sentence.iter().filter(|e| e.file == *file).collect();
        let records = entries.iter().filter(|e| !e.records.is_empty()).count();
        let mut reasons: BTreeMap<Reason, usize> = BTreeMap::new();
        for reason in entries.iter().filter_map(|e| e.reason) {
            *reasons.entry(reason).or_default() += 1;
        }
        let gaps = entries.iter().filter(|e| e.reason == Some(Reason::Gap) || e.partial.is_some()).count();
        eprintln!(
            "{file}: {numbered} sentences with a number, {} entries: records {records}, {reasons:?}, recall gaps {gaps}",
            entries.len()
        );
    }
}

/// The served dataset, indexed for the ledger's references.
struct Served {
    indicators: HashMap<(String, String), Vec<Value>>,
    tasks: HashSet<(String, String)>,
    coordination: HashSet<String>,
    /// Names of the served key projects, without white space.
    projects: HashSet<String>,
    plans: Vec<Value>,
}

async fn served(app: &TestApp) -> Served {
    let selection = "name plan { title }
        targets { year kind comparator value valueMax phrase provenance { quote } }
        actuals(first: 100) { nodes { period value provenance { quote } } }";
    let mut indicators: HashMap<(String, String), Vec<Value>> = HashMap::new();
    for i in app.all_nodes("indicators", selection).await {
        let key = (text(&i["plan"]["title"]), text(&i["name"]));
        indicators.entry(key).or_default().push(i);
    }
    let tasks = app.all_nodes("tasks", "code plan { title }").await;
    let tasks = tasks.iter().map(|t| (text(&t["plan"]["title"]), text(&t["code"]))).collect();
    let coordination = app.all_nodes("coordinationRecords", "title").await;
    let coordination = coordination.iter().map(|c| text(&c["title"])).collect();
    let projects = app.all_nodes("projects", "name").await;
    let projects = projects.iter().map(|p| squeeze(&text(&p["name"]))).collect();
    let plans = app
        .data(
            "{ plans(first: 20) { nodes { title documentNumber issuedOn
                groups: tasks(filter: {kind: ACTION_GROUP}) { totalCount }
                numbered: tasks(filter: {kind: TASK}) { totalCount } } } }",
            json!({}),
        )
        .await;
    let plans = plans["plans"]["nodes"].as_array().expect("plans").clone();
    Served { indicators, tasks, coordination, projects, plans }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

impl Served {
    fn of(&self, plan: &str, indicator: &str) -> &[Value] {
        self.indicators.get(&(plan.to_string(), indicator.to_string())).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether the record is served with exactly these figures.
    fn holds(&self, record: &Record) -> bool {
        match record {
            Record::Target { plan, indicator, year, target_kind, comparator, value, value_max } => {
                let kind = target_kind.as_deref().unwrap_or("BY_YEAR");
                self.of(plan, indicator).iter().flat_map(|i| i["targets"].as_array().into_iter().flatten()).any(|t| {
                    let figure = if kind == "QUALITATIVE" {
                        // A goal in words: no figure in the ledger nor served, its words in its sentence.
                        let phrase = text(&t["phrase"]);
                        (comparator, value, value_max) == (&None, &None, &None)
                            && t["value"].is_null()
                            && t["valueMax"].is_null()
                            && !phrase.is_empty()
                            && text(&t["provenance"]["quote"]).contains(&phrase)
                    } else {
                        comparator.as_deref().is_some_and(|c| t["comparator"] == c)
                            && value.is_some_and(|v| t["value"].as_f64() == Some(v))
                            && t["valueMax"].as_f64() == *value_max
                    };
                    t["year"].as_i64() == *year && t["kind"] == kind && figure
                })
            }
            Record::Actual { plan, indicator, period, value } => self
                .of(plan, indicator)
                .iter()
                .flat_map(|i| i["actuals"]["nodes"].as_array().into_iter().flatten())
                .any(|a| a["period"] == period.as_str() && a["value"].as_f64() == Some(*value)),
            Record::Coordination { title } => self.coordination.contains(title),
            Record::Task { plan, code } => self.tasks.contains(&(plan.clone(), code.clone())),
            Record::Plan { title, document_number, issued_on, action_groups, tasks } => self.plans.iter().any(|p| {
                p["title"] == title.as_str()
                    && document_number.as_ref().is_none_or(|n| p["documentNumber"] == n.as_str())
                    && issued_on.as_ref().is_none_or(|d| p["issuedOn"] == d.as_str())
                    && action_groups.is_none_or(|n| p["groups"]["totalCount"].as_i64() == Some(n))
                    && tasks.is_none_or(|n| p["numbered"]["totalCount"].as_i64() == Some(n))
            }),
            Record::Project { name } => self.projects.contains(&squeeze(name)),
        }
    }
}

#[tokio::test]
async fn every_record_the_ledger_names_is_served_with_its_exact_figures() {
    let ledger = ledger();
    let app = spawn_app().await;
    let served = served(&app).await;
    let missing: Vec<String> = ledger
        .sentence
        .iter()
        .flat_map(|e| e.records.iter().map(move |r| (e, r)))
        .filter(|(_, r)| !served.holds(r))
        .map(|(e, r)| format!("{} {:?}: {r:?}", e.file, e.excerpt))
        .collect();
    assert!(missing.is_empty(), "records not served as the ledger says:\n{}", missing.join("\n"));
    let checked = ledger.sentence.iter().map(|e| e.records.len()).sum::<usize>();
    assert!(checked > 300, "{checked} references checked");
}

/// A name without its white space: the ledger quotes project names with the
/// source's spaces (`国华大邱庄 100MW 渔光互补发电`), the data may drop them.
fn squeeze(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The numbers written in a sentence (full-width digits read as ASCII).
fn numbers_in(quote: &str) -> HashSet<String> {
    let ascii: String = quote
        .chars()
        .map(|c| if ('０'..='９').contains(&c) { char::from(b'0' + (c as u32 - 0xFF10) as u8) } else { c })
        .collect();
    let number = Regex::new(r"\d+(?:\.\d+)?").expect("regex");
    number.find_iter(&ascii).map(|m| m.as_str().to_string()).collect()
}

/// A value as the texts write it: `35`, `4.2`, `28.62`.
fn written(value: f64) -> String {
    if value.fract() == 0.0 { format!("{}", value as i64) } else { format!("{value}") }
}

/// Chinese numerals of the small whole numbers a text writes in words, and
/// the measure words after which they state a quantity (一条, 两万辆).
const WORDS: [(f64, &str); 3] = [(1.0, "一"), (2.0, "两"), (2.0, "二")];
const MEASURES: [char; 6] = ['条', '个', '项', '家', '万', '亿'];

/// Whether `quote` writes the small whole number `value` in words.
fn in_words(quote: &str, value: f64) -> bool {
    WORDS.iter().filter(|(v, _)| *v == value).any(|(_, w)| MEASURES.iter().any(|m| quote.contains(&format!("{w}{m}"))))
}

#[tokio::test]
async fn every_served_value_is_a_number_of_its_own_sentence() {
    let app = spawn_app().await;
    let served = served(&app).await;
    let (mut checked, mut run_together, mut implied, mut worded, mut qualitative) = (0, 0, 0, 0, 0);
    let mut unsupported = Vec::new();
    for indicator in served.indicators.values().flatten() {
        let name = text(&indicator["name"]);
        for t in indicator["targets"].as_array().into_iter().flatten() {
            if t["value"].is_null() {
                // Only a goal in words has no value, and its words are in its sentence.
                let (phrase, quote) = (text(&t["phrase"]), text(&t["provenance"]["quote"]));
                assert_eq!(t["kind"], "QUALITATIVE", "{name}: a target without a value");
                assert!(t["valueMax"].is_null(), "{name}");
                assert!(!phrase.is_empty() && quote.contains(&phrase), "{name}: {phrase:?} not in {quote:?}");
                qualitative += 1;
                continue;
            }
            let (value, max) = (t["value"].as_f64().expect("value"), t["valueMax"].as_f64());
            for v in std::iter::once(value).chain(max) {
                assert!(v != 510.0 && v != 1015.0, "{name}: {v} is a range whose dash the scrape lost");
            }
            let quote = text(&t["provenance"]["quote"]);
            let numbers = numbers_in(&quote);
            let phrase = text(&t["phrase"]);
            checked += 1;
            let supported = |v: f64| numbers.contains(&written(v));
            if supported(value) && max.is_none_or(supported) {
                continue;
            }
            if let Some(max) = max.filter(|m| numbers.contains(&format!("{}{}", written(value), written(*m)))) {
                // 5—10 written 510: the reviewed corrections read it as the range (never as 510).
                assert_eq!(t["comparator"], "BETWEEN", "{name}: {value}–{max}");
                run_together += 1;
            } else if t["kind"] == "IMPLICIT_FULL" && value == 100.0 && !phrase.is_empty() && quote.contains(&phrase) {
                implied += 1;
            } else if max.is_none() && in_words(&quote, value) {
                worded += 1;
            } else {
                unsupported.push(format!("{name}: target {value} {max:?} from {quote:?}"));
            }
        }
        for a in indicator["actuals"]["nodes"].as_array().into_iter().flatten() {
            let value = a["value"].as_f64().expect("value");
            assert!(value != 510.0 && value != 1015.0, "{name}: {value}");
            let quote = text(&a["provenance"]["quote"]);
            checked += 1;
            if numbers_in(&quote).contains(&written(value)) {
                continue;
            }
            if in_words(&quote, value) {
                worded += 1;
            } else {
                unsupported.push(format!("{name}: actual {value} from {quote:?}"));
            }
        }
    }
    assert!(unsupported.is_empty(), "values their sentence does not state:\n{}", unsupported.join("\n"));
    eprintln!(
        "{checked} values checked: {run_together} ranges whose dash the scrape lost, {implied} implied 100 % \
         (全覆盖, 全部), {worded} written in words (一条, 两万辆); {qualitative} goals in words without a value"
    );
    assert_eq!(qualitative, 21, "the goals in words of data/corrections.toml");
    assert_eq!(run_together, 2, "the two Xiqing ranges 5—10 and 10—15");
    assert!(checked > 170, "{checked}");
}
