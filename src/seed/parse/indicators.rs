//! Quantified targets in running text.
//!
//! A target is a number with a unit (`280万千瓦`, `15.5%`, `2—3条`) that
//! either ends its clause (`森林覆盖率不低于10.5%，`) or is followed by the
//! counted thing right after an action verb (`建成或引入2家货物类型网络货运平台`).
//! Its name is the clause before the verb, without year phrases, hedges
//! (力争, 进一步, 累计) and region words (全区, 全市). Its year is the last
//! deadline phrase before it in the same paragraph (`到2025年`, `“十四五”期间`),
//! else the document default, else it is not taken (a number with no year is
//! a standing rule or a project size, not a dated target).
//!
//! Comparators: 达到/提高至/不低于/不少于/…以上 → `Gte`; 超过/高于 → `Gt`;
//! 下降至/控制在/不超过/…以内/以下 → `Lte`; 低于/小于/短于 → `Lt`; 左右 →
//! `Approx`; 保持 → `Eq` (or `Gte` with 以上) and direction `Keep`; a 100 %
//! target is `Eq`; ranges `2—3`/`4至5` are `Between`.
//!
//! A decrease (`比2020年下降15.5%`) becomes the indicator `<subject>下降率`
//! measured from the baseline: baseline year 2020, baseline value 0, target
//! `Gte 15.5 %`, higher is better.

use std::sync::LazyLock;

use regex::Regex;

use crate::seed::model::{Comparator, TargetKind};

use super::corrections::Applied;
use super::text::{re, sentences, year_marks};

/// A target found in a text, before it is merged into an indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub name: String,
    pub unit: String,
    pub comparator: Comparator,
    /// `None` for a qualitative target (a goal in words).
    pub value: Option<f64>,
    pub value_max: Option<f64>,
    /// The year it is due; `None` for a standing or recurring target.
    pub year: Option<i32>,
    pub kind: TargetKind,
    pub start_year: Option<i32>,
    /// The words that state it when they are not a number (全覆盖).
    pub phrase: Option<String>,
    pub baseline_year: Option<i32>,
    /// The value is a decrease from the baseline (`…下降率`).
    pub decrease: bool,
    /// Written with 保持 (keep at a level).
    pub keep: bool,
    pub lower_is_better: bool,
    pub binding: bool,
    /// The sentence with the number.
    pub quote: String,
}

static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(\d+(?:\.\d+)?)(?:[—－\-~～至到](\d+(?:\.\d+)?))?",
        r"(微克/立方米|亿立方米|万立方米|万平方米|平方公里|万千瓦|万台|万辆|公顷|公里|千瓦|平方米|台|辆|个|家|条|项|min|%)?",
        r"(以上|以下|以内|左右)?"
    ))
});

static YEARISH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:到|至|截至)?(?:\d{4}[—－\-])?\d{4}年(?:\d{1,2}月)?(?:底|末|前|起)?|比\d{4}年|在\d{4}年的?基础上|“十[四五]五”期间",
    )
});

static PAST: LazyLock<Regex> = LazyLock::new(|| re(r"每年|已|了|\d余"));

static CONTRIBUTION: LazyLock<Regex> =
    LazyLock::new(|| re(r"([^，,；;。]*?)(?:确保)?完成(?:我市|全市|天津市)下达(?:的)?指标"));

/// Words before a number and what they mean.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verb {
    /// 达到, 提高至, 不低于, 建成 … : at least.
    AtLeast,
    /// 超过, 高于.
    Above,
    /// 不超过, 不高于.
    AtMost,
    /// 低于, 小于, 短于.
    Below,
    /// 下降至, 控制在: a level to stay under.
    DownTo,
    /// 下降, 降低: a decrease.
    Decrease,
    /// 保持, 保持在.
    Keep,
}

/// Verbs, longest first; `true` when the counted thing may follow the number
/// (`创建不少于500个“无废细胞”`).
const VERBS: [(&str, Verb, bool); 38] = [
    ("建成或引入", Verb::AtLeast, true),
    ("提高至", Verb::AtLeast, false),
    ("提高到", Verb::AtLeast, false),
    ("提升至", Verb::AtLeast, false),
    ("提升到", Verb::AtLeast, false),
    ("增加至", Verb::AtLeast, false),
    ("增加到", Verb::AtLeast, false),
    ("增长至", Verb::AtLeast, false),
    ("不低于", Verb::AtLeast, true),
    ("不少于", Verb::AtLeast, true),
    ("不超过", Verb::AtMost, false),
    ("不高于", Verb::AtMost, false),
    ("下降至", Verb::DownTo, false),
    ("下降到", Verb::DownTo, false),
    ("降低至", Verb::DownTo, false),
    ("控制在", Verb::DownTo, false),
    ("保持在", Verb::Keep, false),
    ("达到", Verb::AtLeast, true),
    ("超过", Verb::Above, false),
    ("高于", Verb::Above, false),
    ("低于", Verb::Below, false),
    ("小于", Verb::Below, false),
    ("短于", Verb::Below, false),
    ("降至", Verb::DownTo, false),
    ("保持", Verb::Keep, false),
    ("下降", Verb::Decrease, false),
    ("降低", Verb::Decrease, false),
    ("建成", Verb::AtLeast, true),
    ("引入", Verb::AtLeast, true),
    ("创建", Verb::AtLeast, true),
    ("打造", Verb::AtLeast, true),
    ("培育", Verb::AtLeast, true),
    ("新建", Verb::AtLeast, true),
    ("完成", Verb::AtLeast, true),
    ("形成", Verb::AtLeast, true),
    ("产生", Verb::AtLeast, true),
    ("集聚", Verb::AtLeast, true),
    ("达", Verb::AtLeast, false),
];

/// Hedges and qualifiers dropped from names.
const HEDGES: [&str; 4] = ["力争", "原则上", "进一步", "累计"];

/// Words that open a name but are not part of it.
const LEADS: [&str; 17] = [
    "全区",
    "全市",
    "我市",
    "区内",
    "新建提升改造",
    "新建提升",
    "建成或引入",
    "改造",
    "完成",
    "打造",
    "创建",
    "培育",
    "形成",
    "产生",
    "集聚",
    "实现",
    "为",
];

fn verb_at_end(left: &str) -> Option<(Verb, bool, usize)> {
    VERBS
        .iter()
        .find(|(w, _, _)| left.ends_with(w))
        .map(|(w, v, noun_after)| (*v, *noun_after, w.len()))
        .or_else(|| left.ends_with('为').then_some((Verb::AtLeast, true, '为'.len_utf8())))
}

/// Cleans the words before a verb into an indicator name.
fn name_from(left: &str, counted: &str, unit: &str, decrease: bool) -> String {
    let mut s = YEARISH.replace_all(left, "").into_owned();
    for h in HEDGES {
        s = s.replace(h, "");
    }
    let s = s.trim_matches(|c: char| c.is_whitespace() || "，,、：:的".contains(c));
    let mut s = s.to_string();
    loop {
        let before = s.clone();
        for lead in LEADS {
            if let Some(rest) = s.strip_prefix(lead) {
                s = rest.to_string();
            }
        }
        if let Some(rest) = s.strip_prefix("建成").filter(|r| !r.starts_with('区')) {
            s = rest.to_string();
        }
        if s == before {
            break;
        }
    }
    let counted = counted.replace(['“', '”'], "");
    let mut name = format!("{s}{counted}");
    if !counted.is_empty() && unit == "%" && !name.ends_with("比例") && !name.ends_with('率') {
        name.push_str("比例");
    }
    if decrease {
        name.push_str("下降率");
    }
    name.trim_matches(|c: char| "，,、：:的".contains(c)).to_string()
}

fn is_boundary(c: char) -> bool {
    matches!(c, '，' | ',' | '：' | ':')
}

/// Extracts the targets of one text (a goals paragraph or a task body).
pub fn extract(file: &str, text: &str, default_year: Option<i32>, corr: &Applied<'_>) -> Vec<Found> {
    let marks = year_marks(text);
    let mut out = Vec::new();
    for (offset, sentence) in sentences(text) {
        for a in corr.added_in(file, sentence) {
            out.push(Found {
                name: a.name.clone(),
                unit: a.unit.clone(),
                comparator: a.comparator_or_eq(),
                value: a.value,
                value_max: a.value_max,
                year: a.year,
                kind: a.kind,
                start_year: a.start_year,
                phrase: a.phrase.clone(),
                baseline_year: a.baseline_year,
                decrease: a.name.ends_with("下降率"),
                keep: false,
                lower_is_better: matches!(a.comparator_or_eq(), Comparator::Lte | Comparator::Lt),
                binding: false,
                quote: sentence.trim().to_string(),
            });
        }
        if PAST.is_match(sentence) {
            continue;
        }
        let mut prev_end = 0;
        for c in NUMBER.captures_iter(sentence) {
            let Some(m) = c.get(0) else { continue };
            let unit = c.get(3).map_or("", |u| u.as_str());
            let suffix = c.get(4).map(|s| s.as_str());
            // A digit or letter right before the number: part of a name (PM2.5).
            if sentence[..m.start()].chars().next_back().is_some_and(|p| p.is_ascii_alphanumeric() || p == '.') {
                continue;
            }
            let clause_start = sentence[..m.start()]
                .char_indices()
                .filter(|(_, ch)| is_boundary(*ch))
                .map(|(i, ch)| i + ch.len_utf8())
                .next_back()
                .unwrap_or(0)
                .max(prev_end);
            let left = sentence[clause_start..m.start()].trim_start_matches(['、', '且', '和', '及']);
            let clause_end = sentence[m.end()..]
                .char_indices()
                .find(|(_, ch)| is_boundary(*ch) || matches!(ch, '。' | '；' | ';'))
                .map_or(sentence.len(), |(i, _)| m.end() + i);
            let right = sentence[m.end()..clause_end].trim();
            let ends_clause = right.is_empty() || right.starts_with(['、', '且', '和', '并']);
            let hedge_free = HEDGES.iter().fold(left.to_string(), |s, h| s.trim_end_matches(h).to_string());
            let verb = verb_at_end(&hedge_free);
            let noun_after = !ends_clause
                && verb.is_some_and(|(_, n, _)| n)
                && !right.starts_with('的')
                && !right.chars().any(|ch| ch.is_ascii_digit());
            if !(ends_clause || noun_after) {
                continue;
            }
            if unit.is_empty() && !matches!(verb, Some((Verb::AtMost | Verb::Below, _, _))) {
                continue;
            }
            if verb.is_none() && suffix.is_none() && (unit == "%" || c.get(2).is_some()) {
                continue;
            }
            let written = &sentence[m.start()..m.end()];
            if corr.skips(file, sentence, written) {
                continue;
            }
            let at = offset + m.start();
            let para_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let year = marks
                .iter()
                .rfind(|y| !y.baseline && y.end <= at && y.at >= para_start)
                .map(|y| y.year)
                .or(default_year);
            let Some(year) = year else { continue };
            // A baseline (`比2020年`) applies within its clause, including the
            // items chained to it with 、 (`能耗比2020年下降5%、碳排放下降7%`).
            let comma_clause = offset
                + sentence[..m.start()]
                    .char_indices()
                    .filter(|(_, ch)| is_boundary(*ch))
                    .map(|(i, ch)| i + ch.len_utf8())
                    .next_back()
                    .unwrap_or(0);
            let baseline_year =
                marks.iter().rfind(|y| y.baseline && y.at >= comma_clause && y.end <= at).map(|y| y.year);
            let Ok(value) = c[1].parse::<f64>() else {
                continue;
            };
            let value_max = c.get(2).and_then(|v| v.as_str().parse::<f64>().ok());
            let verb_kind = verb.map(|(v, _, _)| v);
            let decrease = verb_kind == Some(Verb::Decrease);
            let mut comparator = match verb_kind {
                Some(Verb::Above) => Comparator::Gt,
                Some(Verb::AtMost | Verb::DownTo) => Comparator::Lte,
                Some(Verb::Below) => Comparator::Lt,
                Some(Verb::Keep) => Comparator::Eq,
                _ => Comparator::Gte,
            };
            match suffix {
                Some("以上") if comparator != Comparator::Gt => comparator = Comparator::Gte,
                Some("以下" | "以内") => comparator = Comparator::Lte,
                Some("左右") => comparator = Comparator::Approx,
                _ => {}
            }
            if value_max.is_some() {
                comparator = Comparator::Between;
            }
            if comparator == Comparator::Gte && suffix.is_none() && unit == "%" && value == 100.0 {
                comparator = Comparator::Eq;
            }
            let verb_len = verb.map_or(0, |(_, _, l)| l);
            let name_part = &hedge_free[..hedge_free.len() - verb_len];
            let counted = if noun_after { right } else { "" };
            let name = match corr.name_for(file, sentence, written) {
                Some(n) => n.to_string(),
                None => name_from(name_part, counted, unit, decrease),
            };
            prev_end = if noun_after { clause_end } else { m.end() };
            if name.is_empty() {
                continue;
            }
            // 确保 in these sentences governs the intensity commitments, not the
            // other targets listed after them: only the name or 约束性 decide.
            let binding = is_binding_name(&name) || sentence.contains("约束性");
            out.push(Found {
                name,
                unit: unit.to_string(),
                comparator,
                value: Some(value),
                value_max,
                year: Some(year),
                kind: TargetKind::ByYear,
                start_year: None,
                phrase: None,
                baseline_year,
                decrease,
                keep: verb_kind == Some(Verb::Keep),
                lower_is_better: !decrease && matches!(comparator, Comparator::Lte | Comparator::Lt),
                binding,
                quote: sentence.trim().to_string(),
            });
        }
    }
    out
}

/// Energy and carbon intensity of GDP: binding (约束性) indicators in the
/// national and Tianjin five-year plan systems.
pub fn is_binding_name(name: &str) -> bool {
    name.starts_with("单位地区生产总值") || name.starts_with("二氧化碳排放强度")
}

/// Name of the city-wide energy-intensity indicator (also used by districts).
pub const ENERGY_INTENSITY: &str = "单位地区生产总值能耗下降率";
/// Name of the districts' carbon-intensity commitment.
pub const CARBON_INTENSITY: &str = "单位地区生产总值二氧化碳排放下降率";

/// A commitment to meet the target the city assigns (完成全市下达指标).
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    /// The district indicator's name: [`ENERGY_INTENSITY`] or [`CARBON_INTENSITY`].
    pub name: String,
    /// The sentence with the commitment.
    pub quote: String,
    /// The year it is due: the last deadline phrase before it in the paragraph.
    pub year: Option<i32>,
}

/// Commitments to meet the city's targets (`单位地区生产总值能耗和…二氧化碳
/// 排放确保完成我市下达指标`) in one paragraph, in order.
pub fn contributions(text: &str) -> Vec<Contribution> {
    let marks = year_marks(text);
    let mut out = Vec::new();
    for (offset, sentence) in sentences(text) {
        for c in CONTRIBUTION.captures_iter(sentence) {
            let Some(whole) = c.get(0) else { continue };
            let at = offset + whole.start() + c[1].len();
            let year = marks.iter().rfind(|m| !m.baseline && m.end <= at).map(|m| m.year);
            let subject = &c[1];
            let mut push = |name: &str| {
                out.push(Contribution { name: name.to_string(), quote: sentence.trim().to_string(), year });
            };
            if subject.contains("能耗") || subject.contains("能源消耗") {
                push(ENERGY_INTENSITY);
            }
            if subject.contains("二氧化碳") {
                push(CARBON_INTENSITY);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::parse::corrections::Corrections;

    type Row = (String, Comparator, f64, Option<f64>, String, i32, Option<i32>);

    fn one(text: &str) -> Vec<Row> {
        let c = Corrections::default();
        let a = Applied::new(&c);
        extract("t", text, None, &a)
            .into_iter()
            .map(|f| {
                (
                    f.name,
                    f.comparator,
                    f.value.unwrap_or(f64::NAN),
                    f.value_max,
                    f.unit,
                    f.year.unwrap_or(0),
                    f.baseline_year,
                )
            })
            .collect()
    }

    #[test]
    fn patterns() {
        use Comparator::*;
        let s = |x: &str| x.to_string();
        assert_eq!(
            one("到2025年，全区可再生能源电力装机容量力争达到280万千瓦；到2030年，进一步增长。"),
            vec![(s("可再生能源电力装机容量"), Gte, 280.0, None, s("万千瓦"), 2025, None)]
        );
        assert_eq!(
            one("到2025年，规模以上工业单位增加值能耗比2020年下降15.5%。"),
            vec![(s("规模以上工业单位增加值能耗下降率"), Gte, 15.5, None, s("%"), 2025, Some(2020))]
        );
        assert_eq!(
            one("到2025年，运输距离超过500公里大宗货物的企业多式联运最低比例达到50%。"),
            vec![(s("运输距离超过500公里大宗货物的企业多式联运最低比例"), Gte, 50.0, None, s("%"), 2025, None)]
        );
        assert_eq!(
            one("2028年12月底 公交接驳线路增加至2—3条且发车频率短于12min。"),
            vec![
                (s("公交接驳线路"), Between, 2.0, Some(3.0), s("条"), 2028, None),
                (s("发车频率"), Lt, 12.0, None, s("min"), 2028, None)
            ]
        );
        assert_eq!(
            one("到2027年，创建不少于500个“无废细胞”。"),
            vec![(s("无废细胞"), Gte, 500.0, None, s("个"), 2027, None)]
        );
        assert_eq!(one("产废量100吨以上及大于2万平方米的大型公共建筑"), vec![]);
        assert_eq!(one("累计向28个项目发放贷款，已完成投资16.6亿元。"), vec![]);
    }

    #[test]
    fn commitments() {
        let c = contributions(
            "到2025年，单位地区生产总值能耗和单位地区生产总值二氧化碳排放确保完成我市下达指标，非化石能源。",
        );
        let names: Vec<(&str, Option<i32>)> = c.iter().map(|c| (c.name.as_str(), c.year)).collect();
        assert_eq!(names, vec![(ENERGY_INTENSITY, Some(2025)), (CARBON_INTENSITY, Some(2025))]);
        let c = contributions(
            "2030年,非化石能源消费比重进一步提升;单位地区生产总值能源消耗和二氧化碳排放完成天津市下达指标,确保2030年前实现碳达峰。",
        );
        assert_eq!(c.len(), 2);
        assert!(c.iter().all(|c| c.year == Some(2030) && c.quote.starts_with("单位地区生产总值能源消耗")));
    }
}
