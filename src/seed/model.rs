//! The default dataset as plain data, between the parsers and the database.
//!
//! Parsers (`seed::parse`) turn the source texts into a [`Dataset`]; the loader
//! (`seed::load`) writes it to the database. Nothing here knows about SQL or
//! GraphQL, so the parsers can be tested on their own.
//!
//! Every record carries a *natural key* (`key`) from which its stable database
//! ID is derived: re-importing the same texts yields the same keys and so the
//! same IDs. Keys are plain strings, unique within their kind; references
//! between records use these keys.

use serde::Serialize;

/// The dataset speaks the database's vocabulary: the loader stores these
/// values as they are, with no second copy of each enumeration to keep in step.
///
/// What the source texts call them:
/// - `RegionLevel`: `Area` a cooperation area spanning provinces (京津冀);
///   `Province` a municipality or province; `Prefecture` also a state-level
///   new area (雄安新区); `District` a district or county.
/// - `DepartmentKind`: `Government` a people's government (市政府, 区人民政府,
///   乡镇人民政府); `Bureau` a bureau, committee or office of one (区发改委,
///   市生态环境局); `Enterprise` an enterprise or development-zone operator
///   (国网天津静海供电有限公司); `Collective` units named as one (各乡镇园区, 各有关部门).
/// - `PlanKind`: 实施方案, 行动方案, 年度重点工作 (annual priorities),
///   协同措施 (Jing-Jin-Ji coordination measures).
/// - `TaskKind`: `ActionGroup` （一）…; `Task` 1. …; `FeaturedProject` 专栏 N.
/// - `Nature`: 约束性 (binding) or 预期性 (expected).
/// - `Comparator`: `Gte` 达到, 不低于, …以上; `Gt` 超过, 高于; `Lte` 不高于,
///   控制在…以内, 以下; `Lt` 低于; `Approx` 左右, 约; `Eq` 保持, exactly 100%;
///   `Between` `value` to `value_max` (2—3个, 4至5条).
pub use entity::enums::{
    AssignmentRole, Comparator, CoordinationKind, DepartmentKind, Direction, Measure, Nature, PlanKind, PlanStatus,
    RegionLevel, TargetKind, TaskKind,
};

/// Everything the importer found in the source documents.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Dataset {
    pub sources: Vec<SourceDocument>,
    pub regions: Vec<Region>,
    pub departments: Vec<Department>,
    pub plans: Vec<Plan>,
    pub tasks: Vec<Task>,
    pub indicators: Vec<Indicator>,
    /// Jing-Jin-Ji joint work: mechanisms, groups, meetings, agreements, joint actions.
    pub coordination: Vec<CoordinationRecord>,
    /// Key projects (重点项目) named in the 专栏 and tasks, each with its sizes.
    pub projects: Vec<Project>,
}

/// One source file as shipped in `data/sources/`.
#[derive(Debug, Clone, Serialize)]
pub struct SourceDocument {
    /// File name, e.g. `003_8f0cb15813cef04d.txt`; also the key.
    pub file_name: String,
    /// Human title, e.g. `天津市静海区碳达峰实施方案`.
    pub title: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
}

/// Where a record came from: the file, the section path and the sentence,
/// both exactly as the file has it and as the parser read it.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Provenance {
    /// `SourceDocument::file_name`.
    pub file_name: String,
    /// Section path as headings, e.g. `三、重点任务 / （三）能源绿色低碳转型行动 / 1`.
    pub section: String,
    /// The sentence (or heading) the record was read from, verbatim: the
    /// file's characters `start..end`, scraper noise and all.
    pub quote: String,
    /// The same sentence as the parser read it: noise removed, brackets
    /// full-width, PDF spaces dropped, corrections applied.
    pub cleaned: String,
    /// Offset of the quote's first character in the file, in characters
    /// (Unicode scalar values) from 0.
    pub start: Option<i32>,
    /// Offset just after the quote's last character.
    pub end: Option<i32>,
}

impl Provenance {
    /// A provenance read as `cleaned`; its verbatim span is found later.
    pub fn read(file_name: &str, section: &str, cleaned: &str) -> Self {
        Provenance {
            file_name: file_name.to_string(),
            section: section.to_string(),
            cleaned: cleaned.to_string(),
            ..Provenance::default()
        }
    }
}

/// A node of the administrative tree.
#[derive(Debug, Clone, Serialize)]
pub struct Region {
    /// Key: the GB/T 2260 code when there is one (`120118`), else a slug (`jing-jin-ji`).
    pub key: String,
    /// GB/T 2260 administrative division code, if the region has one.
    pub code: Option<String>,
    pub name: String,
    pub name_en: String,
    pub level: RegionLevel,
    pub parent_key: Option<String>,
}

/// An agency or responsible unit.
#[derive(Debug, Clone, Serialize)]
pub struct Department {
    /// Key: `<region key>/<canonical name>`.
    pub key: String,
    /// Canonical name, qualified by the region when the text abbreviates it:
    /// `静海区发展改革委` for 区发改委 in the Jinghai plan.
    pub name: String,
    pub kind: DepartmentKind,
    pub region_key: String,
    pub parent_key: Option<String>,
    /// Every other spelling seen in the texts (区发改委, 区发展改革委, …); never the canonical name.
    pub aliases: Vec<String>,
}

/// A plan document.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Key: the document number when there is one, else a slug.
    pub key: String,
    pub title: String,
    /// 文号, e.g. `津静海政发〔2023〕11号`, exactly as printed (normalised brackets 〔〕).
    pub document_number: Option<String>,
    pub issuer_key: Option<String>,
    pub region_key: String,
    /// ISO date `YYYY-MM-DD`, only when the text states it.
    pub issued_on: Option<String>,
    pub period_start: Option<i32>,
    pub period_end: Option<i32>,
    pub kind: PlanKind,
    pub status: PlanStatus,
    /// True for documents marked 此件主动公开 or published as news: sharing class PUBLIC.
    pub public: bool,
    /// Key of the plan this one implements, if that plan is in the dataset.
    pub parent_key: Option<String>,
    pub provenance: Provenance,
}

/// One department assigned to a task, in document order.
#[derive(Debug, Clone, Serialize)]
pub struct Assignment {
    pub department_key: String,
    pub role: AssignmentRole,
}

/// A node of a plan's task tree.
#[derive(Debug, Clone, Serialize)]
pub struct Task {
    /// Key: `<plan key>#<code>`.
    pub key: String,
    pub plan_key: String,
    pub parent_key: Option<String>,
    pub kind: TaskKind,
    /// Position code, e.g. `三.（三）.1` or `专栏3`.
    pub code: String,
    /// Order among its siblings, from 0, in document order.
    pub position: i32,
    pub title: String,
    /// Full text of the task as printed, noise removed.
    pub body: String,
    pub due_year: Option<i32>,
    /// Responsible units in the order the document lists them; the first is LEAD.
    pub assignments: Vec<Assignment>,
    pub provenance: Provenance,
}

/// A target of an indicator: due in a year, or standing, or recurring, or
/// implied by a phrase, or stated in words with no figure (see [`TargetKind`]).
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    /// The year it is due; `None` for standing and recurring targets.
    pub year: Option<i32>,
    pub kind: TargetKind,
    /// First year of a `FromYear` target (2023年起).
    pub start_year: Option<i32>,
    /// The words that state it when they are not a number: 全覆盖, 每年…左右.
    pub phrase: Option<String>,
    pub comparator: Comparator,
    /// The figure; `None` exactly for a `Qualitative` target (a goal in words).
    pub value: Option<f64>,
    /// Upper bound for `Comparator::Between`.
    pub value_max: Option<f64>,
    pub provenance: Provenance,
}

/// A quantified indicator.
#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    /// Key: `<plan key>#<task code or "goals">#<slug or ordinal>`; stable across runs.
    pub key: String,
    pub name: String,
    /// Unit as written: `%`, `万千瓦`, `微克/立方米`, `个`, `万台`, …
    pub unit: String,
    pub measure: Measure,
    pub direction: Direction,
    /// Whether values may be summed across regions (capacities, counts: yes; ratios: no).
    pub summable: bool,
    pub nature: Nature,
    pub region_key: String,
    pub plan_key: String,
    pub task_key: Option<String>,
    pub baseline_year: Option<i32>,
    pub baseline_value: Option<f64>,
    pub targets: Vec<Target>,
    /// The city indicator this district indicator contributes to (完成全市下达指标).
    pub contributes_to_key: Option<String>,
    /// Past results the texts state (2023 figures, 十三五 results), by period.
    pub actuals: Vec<Actual>,
    pub provenance: Provenance,
}

/// A past result a text states: a FINAL actual value of its indicator.
#[derive(Debug, Clone, Serialize)]
pub struct Actual {
    /// `2023`, `2023-H1`, … as the API's periods.
    pub period: String,
    pub value: f64,
    /// What the value alone does not say: `150余家` (more than), `约76.3万吨`, the span of a
    /// cumulative result.
    pub note: Option<String>,
    pub provenance: Provenance,
}

/// A fact of Jing-Jin-Ji joint work (DESIGN.md, "Coordination record"): what
/// the three provinces' agencies set up, signed or did together, read from one
/// clause of the text. Its quantified results are actuals of indicators.
#[derive(Debug, Clone, Serialize)]
pub struct CoordinationRecord {
    /// Key: `<plan key>#<kind>#<title>`.
    pub key: String,
    pub plan_key: String,
    pub kind: CoordinationKind,
    /// As precise as the text: a year (`2023`) or `YYYY-MM-DD`; `None` when it gives none.
    pub date: Option<String>,
    pub title: String,
    /// The clause as the parser read it.
    pub text: String,
    /// Participating agencies, in the order listed.
    pub participant_keys: Vec<String>,
    /// The provinces (or the area) the record concerns.
    pub region_keys: Vec<String>,
    pub provenance: Provenance,
}

/// A key project (重点项目): a named, concrete construction or undertaking a
/// 专栏 (or a task) of a plan lists — a plant, a substation, a heating
/// station — with its sizes as written and where it is. Read from
/// `data/projects.toml`; visible exactly when its task is.
#[derive(Debug, Clone, Serialize)]
pub struct Project {
    /// Key: `<task key>#<name>`.
    pub key: String,
    pub plan_key: String,
    /// The 专栏 (or numbered task) the project is listed in.
    pub task_key: String,
    /// The 专栏's bold label (光伏发电, 电网优化配置工程), or what the task calls it.
    pub kind: String,
    pub name: String,
    /// Where it is, as written (大邱庄, 唐官屯镇大郝庄); `None` when the text gives no place.
    pub place: Option<String>,
    /// Its sizes in the order written (a plant with a line and a generator set has several).
    pub sizes: Vec<ProjectSize>,
    /// Responsible units, in order: those of the numbered task that names the project, where one does.
    pub responsible_keys: Vec<String>,
    pub provenance: Provenance,
}

/// One size of a project: a figure with its unit, exactly as the text writes it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProjectSize {
    pub value: f64,
    /// As written: `MW`, `吨/日`, `个`, `千伏`.
    pub unit: String,
    /// What the figure counts or rates, where the text names it (焚烧线, 充电站).
    pub measure: Option<String>,
}
