//! The default dataset: the five source documents, parsed and loaded.
//!
//! The texts (and the small corrections file) are compiled into the binary,
//! so `xietong seed` and the first start of `xietong serve` need no files
//! beside the executable. [`parse::parse_sources`] turns them into a
//! [`model::Dataset`]; [`load::load`] writes it in one transaction, giving
//! every record the same ID on every run.

pub mod load;
pub mod model;
pub mod parse;
pub mod report;

use crate::error::AppResult;
use sea_orm::DatabaseConnection;

/// A source text compiled into the binary.
struct Embedded {
    file_name: &'static str,
    text: &'static str,
}

macro_rules! embed {
    ($($file:literal),+ $(,)?) => {
        [$(Embedded { file_name: $file, text: include_str!(concat!("../../data/sources/", $file)) }),+]
    };
}

/// The five source documents, as shipped in `data/sources/`.
const SOURCES: [Embedded; 5] = embed!(
    "000_5850281099410ca9.txt",
    "001_27f9e29b9992793d.txt",
    "002_f0f9c9e19bad9bef.txt",
    "003_8f0cb15813cef04d.txt",
    "004_ce35f530ee5a8365.txt",
);

/// The reviewed corrections for sentences that defeat the parser.
const CORRECTIONS: &str = include_str!("../../data/corrections.toml");

/// The Jing-Jin-Ji coordination read from 002: measures, agencies, records.
const COORDINATION: &str = include_str!("../../data/coordination.toml");

/// The key projects (重点项目) of the 专栏 and tasks, with their sizes.
const PROJECTS: &str = include_str!("../../data/projects.toml");

/// The recall ledger: every sentence with a number and what became of it
/// (checked by `tests/api/recall.rs`); the seed report counts its reasons.
pub(crate) const RECALL: &str = include_str!("../../data/recall.toml");

/// Parses the embedded source documents.
///
/// # Errors
/// When a text no longer parses or a correction no longer matches its sentence.
pub fn dataset() -> anyhow::Result<model::Dataset> {
    let sources: Vec<parse::SourceText> = SOURCES
        .iter()
        .map(|s| parse::SourceText { file_name: s.file_name.to_owned(), text: s.text.to_owned() })
        .collect();
    let corrections = parse::load_corrections(CORRECTIONS)?;
    let coordination = parse::load_coordination(COORDINATION)?;
    let projects = parse::load_projects(PROJECTS)?;
    Ok(parse::parse_sources(&sources, &corrections, &coordination, &projects)?)
}

/// Imports the default dataset into `db`; safe to run again (same IDs, no duplicates).
pub async fn run(db: &DatabaseConnection) -> anyhow::Result<load::SeedReport> {
    let dataset = dataset()?;
    let report: AppResult<load::SeedReport> = load::load(db, &dataset).await;
    let mut report = report?;
    report.documents = report::per_document(&dataset);
    report.departments_by_region = report::departments_by_region(&dataset);
    Ok(report)
}
