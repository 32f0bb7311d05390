//! One reader per source document: where its real content starts and ends,
//! its metadata (文号, issuer, date), and what it contributes to the dataset.

use std::sync::LazyLock;

use regex::Regex;

use crate::seed::model::{
    Assignment, AssignmentRole, CoordinationRecord, Plan, PlanKind, PlanStatus, Provenance, Task, TaskKind,
};

use super::ParseError;
use super::coordination::{self, Coordination};
use super::corrections::Applied;
use super::departments::Registry;
use super::indicators::{self, Contribution, Found};
use super::plan_doc;
use super::regions;
use super::spans::Spans;
use super::text::{self, Layout, has_punctuation, re, sentences, year_marks};

/// File names of the shipped sources.
pub const CITY_NEWS: &str = "000_5850281099410ca9.txt";
pub const XIQING_PLAN: &str = "001_27f9e29b9992793d.txt";
pub const ECO_CONFERENCE: &str = "002_f0f9c9e19bad9bef.txt";
pub const JINGHAI_PLAN: &str = "003_8f0cb15813cef04d.txt";
pub const NANKAI_PLAN: &str = "004_ce35f530ee5a8365.txt";

/// Key of the city green low-carbon action plan (doc 000).
pub const CITY_ACTION_PLAN: &str = "天津市绿色低碳发展行动方案";
/// Key of 《天津市碳达峰实施方案》, referenced by the district plans.
pub const CITY_PEAKING_PLAN: &str = "天津市碳达峰实施方案";
/// Key of the 2024 priorities (doc 002).
pub const PRIORITIES_2024: &str = "天津市2024年生态环境保护重点工作";
/// Key of the Jing-Jin-Ji coordination measures (doc 002).
pub const JJJ_MEASURES: &str = "京津冀生态环境联防联控协同措施清单";

/// A target with the task (or goals section) it was read in.
#[derive(Debug, Clone)]
pub struct Located {
    pub task_key: Option<String>,
    pub section: String,
    pub found: Found,
}

/// A district's commitment to the city's target, with the section it is read in.
#[derive(Debug, Clone)]
pub struct Commitment {
    pub section: String,
    pub contribution: Contribution,
}

/// What one plan contributes before indicators are merged.
#[derive(Debug, Clone)]
pub struct PlanOut {
    pub plan: Plan,
    pub file: String,
    pub tasks: Vec<Task>,
    pub targets: Vec<Located>,
    /// 完成全市下达指标, in document order.
    pub commitments: Vec<Commitment>,
    /// The sentence naming the plan this one implements, when it is not in the sources.
    pub parent_quote: Option<String>,
}

fn structure(file: &str, message: impl Into<String>) -> ParseError {
    ParseError::Structure { file: file.to_string(), message: message.into() }
}

fn prov(file: &str, section: &str, quote: &str) -> Provenance {
    Provenance::read(file, section, quote)
}

fn first_sentence_with<'t>(text: &'t str, needle: &str) -> Option<&'t str> {
    sentences(text).into_iter().map(|(_, s)| s.trim()).find(|s| s.contains(needle))
}

fn title_like(p: &str) -> bool {
    !has_punctuation(p) && p.chars().count() <= 40
}

fn plan(key: &str, title: &str, region: &str, kind: PlanKind, provenance: Provenance) -> Plan {
    Plan {
        key: key.to_string(),
        title: title.to_string(),
        document_number: None,
        issuer_key: None,
        region_key: region.to_string(),
        issued_on: None,
        period_start: None,
        period_end: None,
        kind,
        status: PlanStatus::InForce,
        public: true,
        parent_key: None,
        provenance,
    }
}

static DEPT_HEADING: LazyLock<Regex> = LazyLock::new(|| re(r"^市\p{Han}+(?:委|局)$"));
static AREAS: LazyLock<Regex> = LazyLock::new(|| re(r"(\d+)方面(\d+)项重点任务"));
static AREA: LazyLock<Regex> =
    LazyLock::new(|| re(r"([一二三四五六七八九十])是([^。]+)。包括([^。]+?)等(\d+)项具体任务措施"));

/// 000: Tianjin Daily report on the city's 绿色低碳发展行动方案. Only the lead
/// article and the four agency statements are read; the unrelated stories
/// after them (the first headline that is not an agency) are ignored.
pub fn city_news(raw: &str, corr: &Applied<'_>, reg: &mut Registry, spans: &mut Spans) -> Result<PlanOut, ParseError> {
    let file = CITY_NEWS;
    let mut mapped = text::paragraphs_mapped(raw, Layout::News);
    corr.apply_fixes(file, &mut mapped)?;
    let paras: Vec<String> = mapped.iter().map(|p| p.text.clone()).collect();
    let first_report =
        paras.iter().position(|p| p.starts_with("本报讯")).ok_or_else(|| structure(file, "no report"))?;
    let end = paras
        .iter()
        .enumerate()
        .skip(first_report)
        .find(|(_, p)| title_like(p) && !DEPT_HEADING.is_match(p))
        .map_or(paras.len(), |(i, _)| i);
    let related = &paras[..end];
    spans.read(file, raw, &mapped[..end]);
    let headline = related[..first_report].join(" / ");

    // The plan was drawn up by 市委、市政府; 市发展改革委 presented it.
    let lead = &related[first_report];
    if !lead.contains("市委、市政府") && !related.iter().any(|p| p.contains("市委、市政府")) {
        return Err(structure(file, "issuer 市委、市政府 not found"));
    }
    let issuer = reg.resolve("市政府", regions::TIANJIN);
    let quote = first_sentence_with(lead, "绿色低碳发展行动方案").ok_or_else(|| structure(file, "plan sentence"))?;
    let mut p =
        plan(CITY_ACTION_PLAN, CITY_ACTION_PLAN, regions::TIANJIN, PlanKind::ActionPlan, prov(file, &headline, quote));
    p.issuer_key = Some(issuer);
    p.period_end = related
        .iter()
        .flat_map(|t| sentences(t).into_iter().filter(|(_, s)| s.contains("主要目标")).flat_map(|(_, s)| year_marks(s)))
        .map(|m| m.year)
        .max();

    // Sections: the lead article, then one per agency heading.
    let mut section = headline.clone();
    let mut targets = Vec::new();
    let mut agency_text = String::new();
    for para in related.iter().skip(first_report) {
        if DEPT_HEADING.is_match(para) {
            reg.resolve(para, regions::TIANJIN);
            section = para.clone();
            continue;
        }
        if section == "市发展改革委" {
            agency_text.push_str(para);
        }
        // Results so far (今年以来, 十三五) are achievements, not targets.
        if para.contains("今年以来") || para.contains("十三五") {
            continue;
        }
        for found in indicators::extract(file, para, p.period_end, corr) {
            targets.push(Located { task_key: None, section: section.clone(), found });
        }
    }

    // Tasks: 一是加快发展方式绿色转型。包括A、B…等5项具体任务措施。
    let stated = related
        .iter()
        .find_map(|t| AREAS.captures(t))
        .and_then(|c| Some((c[1].parse::<usize>().ok()?, c[2].parse::<usize>().ok()?)))
        .ok_or_else(|| structure(file, "number of key tasks not stated"))?;
    let mut tasks = Vec::new();
    let mut total = 0;
    for (gi, c) in AREA.captures_iter(&agency_text).enumerate() {
        let code = c[1].to_string();
        let group_key = format!("{CITY_ACTION_PLAN}#{code}");
        let sentence = c.get(0).map_or("", |m| m.as_str());
        let section = format!("市发展改革委 / {code}是{}", &c[2]);
        let items = corr.split_list(file, &c[3]);
        let count: usize = c[4].parse().map_err(|_| structure(file, "task count"))?;
        if items.len() != count {
            return Err(structure(file, format!("area {code}: {} tasks listed, {count} stated", items.len())));
        }
        tasks.push(task(
            &group_key,
            CITY_ACTION_PLAN,
            None,
            TaskKind::ActionGroup,
            &code,
            gi,
            &c[2],
            "",
            prov(file, &section, sentence),
        ));
        for (ti, item) in items.iter().enumerate() {
            let code = format!("{code}.{}", ti + 1);
            tasks.push(task(
                &format!("{CITY_ACTION_PLAN}#{code}"),
                CITY_ACTION_PLAN,
                Some(&group_key),
                TaskKind::Task,
                &code,
                ti,
                item,
                item,
                prov(file, &section, sentence),
            ));
        }
        total += count;
        if gi + 1 == stated.0 && total != stated.1 {
            return Err(structure(file, format!("{total} tasks found, {} stated", stated.1)));
        }
    }
    let groups = tasks.iter().filter(|t| t.kind == TaskKind::ActionGroup).count();
    if groups != stated.0 || total != stated.1 {
        return Err(structure(file, format!("{groups} areas / {total} tasks found, {stated:?} stated")));
    }
    Ok(PlanOut { plan: p, file: file.to_string(), tasks, targets, commitments: Vec::new(), parent_quote: None })
}

#[allow(clippy::too_many_arguments)]
fn task(
    key: &str,
    plan_key: &str,
    parent: Option<&str>,
    kind: TaskKind,
    code: &str,
    position: usize,
    title: &str,
    body: &str,
    provenance: Provenance,
) -> Task {
    Task {
        key: key.to_string(),
        plan_key: plan_key.to_string(),
        parent_key: parent.map(str::to_string),
        kind,
        code: code.to_string(),
        position: i32::try_from(position).unwrap_or(i32::MAX),
        title: title.to_string(),
        body: body.to_string(),
        due_year: None,
        assignments: Vec::new(),
        provenance,
    }
}

static BYLINE: LazyLock<Regex> = LazyLock::new(|| re(r"^(\p{Han}+生态环境局)党组书记"));
static SPEAKERS: LazyLock<Regex> = LazyLock::new(|| re(r"发布会上[，,](.+?)相关负责人"));
static PRIORITY: LazyLock<Regex> = LazyLock::new(|| re(r"^([一二三四五六七八九十])是(抓[^。]+)。"));
static MEASURES: LazyLock<Regex> = LazyLock::new(|| re(r"两批(\d+)[项条]协同措施"));
const COORDINATION_GROUP: &str = "京津冀生态环境联防联控工作协调小组";

/// 002: the 2024 city eco-environment conference (2024 priorities, "五抓五有")
/// and the Jing-Jin-Ji coordination press conference (two batches of
/// coordination measures, their tasks and the coordination records of
/// `coordination`). 2023 results are not targets: they are actuals.
pub fn eco_conference(
    raw: &str,
    corr: &Applied<'_>,
    coordination: &Coordination,
    reg: &mut Registry,
    spans: &mut Spans,
) -> Result<(Vec<PlanOut>, Vec<CoordinationRecord>), ParseError> {
    let file = ECO_CONFERENCE;
    let mut mapped = text::paragraphs_mapped(raw, Layout::News);
    corr.apply_fixes(file, &mut mapped)?;
    spans.read(file, raw, &mapped);
    let paras: Vec<String> = mapped.iter().map(|p| p.text.clone()).collect();
    let all = paras.join("\n");

    for p in &paras {
        if let Some(c) = BYLINE.captures(p) {
            reg.resolve(&c[1], regions::TIANJIN);
        }
    }
    let speakers = SPEAKERS.captures(&all).ok_or_else(|| structure(file, "press conference speakers"))?;
    for name in speakers[1].split('、') {
        reg.resolve(name, regions::TIANJIN);
    }

    // 2024 priorities: the work report of 天津市生态环境局.
    if !all.contains("天津市生态环境局局长史津出席会议并作工作报告") {
        return Err(structure(file, "work report of 天津市生态环境局"));
    }
    let issuer = reg.resolve("天津市生态环境局", regions::TIANJIN);
    let quote = first_sentence_with(&all, "五抓五有").ok_or_else(|| structure(file, "五抓五有"))?;
    let section = paras.iter().find(|p| p.starts_with("2024年") && title_like(p)).cloned().unwrap_or_default();
    let mut priorities = plan(
        PRIORITIES_2024,
        "天津市2024年生态环境保护重点工作（“五抓五有”）",
        regions::TIANJIN,
        PlanKind::AnnualPriorities,
        prov(file, &section, quote),
    );
    priorities.issuer_key = Some(issuer);
    priorities.period_start = Some(2024);
    priorities.period_end = Some(2024);
    let mut tasks = Vec::new();
    let mut targets = Vec::new();
    for p in &paras {
        let Some(c) = PRIORITY.captures(p) else {
            continue;
        };
        let code = c[1].to_string();
        let key = format!("{PRIORITIES_2024}#{code}");
        let title = c[2].to_string();
        let sec = format!("{section} / {code}是{title}");
        let heading = c.get(0).map_or("", |m| m.as_str());
        let mut t = task(
            &key,
            PRIORITIES_2024,
            None,
            TaskKind::ActionGroup,
            &code,
            tasks.len(),
            &title,
            p,
            prov(file, &sec, heading),
        );
        t.due_year = Some(2024);
        tasks.push(t);
        for found in indicators::extract(file, p, Some(2024), corr) {
            targets.push(Located { task_key: Some(key.clone()), section: sec.clone(), found });
        }
    }
    if tasks.len() != 5 {
        return Err(structure(file, format!("{} of the five priorities found", tasks.len())));
    }

    // Jing-Jin-Ji coordination measures: the text gives their number, not their list.
    let counts: Vec<String> = MEASURES.captures_iter(&all).map(|c| c[1].to_string()).collect();
    let Some(n) = counts.first() else {
        return Err(structure(file, "coordination measures"));
    };
    if counts.iter().any(|c| c != n) {
        return Err(structure(file, format!("coordination measures counted differently: {counts:?}")));
    }
    if !all.contains(COORDINATION_GROUP) {
        return Err(structure(file, COORDINATION_GROUP));
    }
    let group = reg.resolve(COORDINATION_GROUP, regions::JING_JIN_JI);
    let quote = first_sentence_with(&all, "协同措施清单").ok_or_else(|| structure(file, "协同措施清单"))?;
    let section = paras.iter().find(|p| p.contains("京津冀三地") && title_like(p)).cloned().unwrap_or_default();
    let mut measures = plan(
        JJJ_MEASURES,
        &format!("京津冀生态环境联防联控协同措施清单（两批{n}项）"),
        regions::JING_JIN_JI,
        PlanKind::CoordinationMeasures,
        prov(file, &section, quote),
    );
    measures.issuer_key = Some(group);
    let jjj = coordination::read(coordination, file, JJJ_MEASURES, &section, reg, spans)?;

    let outs = vec![
        PlanOut {
            plan: priorities,
            file: file.to_string(),
            tasks,
            targets,
            commitments: Vec::new(),
            parent_quote: None,
        },
        PlanOut {
            plan: measures,
            file: file.to_string(),
            tasks: jjj.tasks,
            targets: Vec::new(),
            commitments: Vec::new(),
            parent_quote: None,
        },
    ];
    Ok((outs, jjj.records))
}

/// How to read one district 碳达峰实施方案.
pub struct DistrictSpec {
    pub file: &'static str,
    pub region: &'static str,
    /// The plan's title line, where its text starts.
    pub title: &'static str,
    /// Where the notice starts when a news preamble precedes it.
    pub notice_from: Option<&'static str>,
}

pub const DISTRICT_PLANS: [DistrictSpec; 3] = [
    DistrictSpec {
        file: XIQING_PLAN, region: regions::XIQING, title: "天津市西青区碳达峰实施方案", notice_from: None
    },
    DistrictSpec {
        file: JINGHAI_PLAN,
        region: regions::JINGHAI,
        title: "天津市静海区碳达峰实施方案",
        notice_from: None,
    },
    DistrictSpec {
        file: NANKAI_PLAN,
        region: regions::NANKAI,
        title: "天津市南开区碳达峰实施方案",
        notice_from: Some("人民政府关于印发"),
    },
];

static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| re(r"\p{Han}{2,6}〔\d{4}〕\d+号"));
static NOTICE: LazyLock<Regex> = LazyLock::new(|| re(r"((?:天津市)?\p{Han}{2}区人民政府)(?:关于)?印发\p{Han}+?的通知"));
static SIGNATURE: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:天津市)?\p{Han}{2}区人民政府$"));

/// 001, 003, 004: a district 碳达峰实施方案 with its notice.
pub fn district_plan(
    raw: &str,
    spec: &DistrictSpec,
    corr: &Applied<'_>,
    reg: &mut Registry,
    spans: &mut Spans,
) -> Result<PlanOut, ParseError> {
    let file = spec.file;
    let mut mapped = text::paragraphs_mapped(raw, Layout::Plan);
    corr.apply_fixes(file, &mut mapped)?;
    let paras: Vec<String> = mapped.iter().map(|p| p.text.clone()).collect();
    let title_at = paras.iter().position(|p| p == spec.title).ok_or_else(|| structure(file, "title line"))?;
    let header_from = match spec.notice_from {
        Some(marker) => {
            paras[..title_at].iter().position(|p| p.contains(marker)).ok_or_else(|| structure(file, marker))?
        }
        None => 0,
    };
    let header = &paras[header_from..title_at];
    let header_text = header.concat();
    let end = paras
        .iter()
        .enumerate()
        .skip(title_at + 1)
        .find(|(_, p)| p.starts_with("附件") || p.starts_with("扫一扫"))
        .map_or(paras.len(), |(i, _)| i);
    let body = &paras[title_at + 1..end];
    // Read from the notice on: 004's news preamble repeats the goals verbatim.
    spans.read(file, raw, &mapped[header_from..end]);

    let number = header
        .iter()
        .find_map(|p| DOC_NUMBER.find(p))
        .map(|m| m.as_str().to_string())
        .ok_or_else(|| structure(file, "document number"))?;
    let notice = NOTICE.captures(&header_text).ok_or_else(|| structure(file, "notice title"))?;
    let notice_title = notice.get(0).map_or("", |m| m.as_str()).to_string();
    let issuer = reg.resolve(&notice[1], spec.region);
    for p in header.iter().filter(|p| SIGNATURE.is_match(p)) {
        reg.resolve(p, spec.region);
    }
    let issued_on =
        header.iter().find_map(|p| text::iso_date(p)).or_else(|| header.iter().find_map(|p| text::collapsed_date(p)));
    let all_body = body.join("\n");
    let mut p =
        plan(&number, spec.title, spec.region, PlanKind::ImplementationPlan, prov(file, spec.title, &notice_title));
    p.document_number = Some(number.clone());
    p.issuer_key = Some(issuer);
    p.issued_on = issued_on;
    // 主要目标 for “十四五” and “十五五”: the plan covers 2021–2030.
    if all_body.contains("“十四五”期间") && all_body.contains("“十五五”期间") {
        p.period_start = Some(2021);
        p.period_end = Some(2030);
    }
    // Marked 此件主动公开, or (004) republished as news.
    p.public = header_text.contains("主动公开") || header_from > 0;
    let parent_quote = first_sentence_with(&all_body, "《天津市碳达峰实施方案》").map(str::to_string);
    if parent_quote.is_some() {
        p.parent_key = Some(CITY_PEAKING_PLAN.to_string());
    }

    let doc = plan_doc::parse(file, body, corr)?;
    let plan_key = number;
    let mut targets = Vec::new();
    let mut commitments = Vec::new();
    for goal in &doc.goals {
        for found in indicators::extract(file, &goal.text, None, corr) {
            targets.push(Located { task_key: None, section: goal.section.clone(), found });
        }
        for contribution in indicators::contributions(&goal.text) {
            commitments.push(Commitment { section: goal.section.clone(), contribution });
        }
    }
    let keys: Vec<String> = doc.nodes.iter().map(|n| format!("{plan_key}#{}", n.code)).collect();
    let mut tasks = Vec::new();
    for (i, node) in doc.nodes.iter().enumerate() {
        let body = node.body();
        let quote = match node.heading.find('。') {
            Some(at) => &node.heading[..at + '。'.len_utf8()],
            None => node.heading.as_str(),
        };
        let mut t = task(
            &keys[i],
            &plan_key,
            node.parent.map(|p| keys[p].as_str()),
            node.kind,
            &node.code,
            usize::try_from(node.position).unwrap_or(0),
            &node.title,
            &body,
            prov(file, &node.section, quote),
        );
        t.due_year = year_marks(&body).iter().filter(|m| !m.baseline).map(|m| m.year).max();
        t.assignments = node
            .units
            .iter()
            .enumerate()
            .map(|(j, u)| Assignment {
                department_key: reg.resolve(u, spec.region),
                role: if j == 0 { AssignmentRole::Lead } else { AssignmentRole::Support },
            })
            .collect();
        for found in indicators::extract(file, &body, None, corr) {
            targets.push(Located { task_key: Some(keys[i].clone()), section: node.section.clone(), found });
        }
        tasks.push(t);
    }
    Ok(PlanOut { plan: p, file: file.to_string(), tasks, targets, commitments, parent_quote })
}

/// 《天津市碳达峰实施方案》: named by the district plans as the plan they
/// implement; not among the sources, so it has no tasks, and its indicators
/// are only those the districts commit to (see `parse::parent_indicators`).
/// Its period is that of the commitments: the five-year plans of their years
/// (2025 and 2030: 2021–2030).
pub fn city_peaking_plan(districts: &[PlanOut], reg: &mut Registry) -> Option<Plan> {
    let district = districts.iter().find(|d| d.parent_quote.is_some())?;
    let quote = district.parent_quote.as_deref()?;
    let mut p = plan(
        CITY_PEAKING_PLAN,
        CITY_PEAKING_PLAN,
        regions::TIANJIN,
        PlanKind::ImplementationPlan,
        prov(&district.file, &district.plan.title, quote),
    );
    p.issuer_key = Some(reg.resolve("天津市人民政府", regions::TIANJIN));
    let years = || {
        districts
            .iter()
            .filter(|d| d.plan.parent_key.as_deref() == Some(CITY_PEAKING_PLAN))
            .flat_map(|d| &d.commitments)
            .filter_map(|c| c.contribution.year)
    };
    // The five-year plan containing a year starts after a multiple of five (2021–2025).
    p.period_start = years().min().map(|y| (y - 1) / 5 * 5 + 1);
    p.period_end = years().max();
    Some(p)
}
