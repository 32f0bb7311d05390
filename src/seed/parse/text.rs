//! Text clean-up shared by all documents: scrape noise, markdown, brackets,
//! PDF spacing, paragraph joining, sentence splitting, dates and year phrases.

use std::sync::LazyLock;

use regex::Regex;

/// Compiles a regex literal. Every literal passed here is exercised by the
/// parser tests, so a bad pattern fails the test suite, not production.
#[allow(clippy::expect_used)] // static literals, covered by tests
pub(crate) fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex literal is valid")
}

/// Spam link injected by the scraper of `001`. It *replaces* the word 关于
/// inside sentences (compare `国务院188比分直播碳达峰碳中和` with the identical
/// sentence of the Nankai plan, `国务院关于碳达峰、碳中和`), and stands alone
/// as a banner on the first line.
pub(crate) const SPAM: &str = "188比分直播";

static SUB: LazyLock<Regex> = LazyLock::new(|| re(r"<sub>(.*?)</sub>|_\{(.*?)\}|_([a-zA-Z0-9])\b"));

/// Cleaned text that remembers where each of its characters was read: for
/// every character of `text`, the offset (in characters, from 0) of the
/// character of the raw file it comes from. A character the cleaning put in
/// (关于 for the spam link, a space for a tab, a comma of a correction) has
/// the offset of the raw character it stands for or follows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapped {
    pub text: String,
    /// One entry per character of `text`.
    pub origin: Vec<usize>,
}

impl Mapped {
    fn from_chars(chars: &[(char, usize)]) -> Self {
        Mapped { text: chars.iter().map(|(c, _)| c).collect(), origin: chars.iter().map(|(_, o)| *o).collect() }
    }

    /// Appends `other` (joining two lines of one paragraph).
    pub fn push(&mut self, other: &Mapped) {
        self.text.push_str(&other.text);
        self.origin.extend_from_slice(&other.origin);
    }

    /// Replaces the first `quote` by `replace`; the characters the two share at
    /// their start and end keep their origin, the others take the origin of
    /// the last shared character before them. False when `quote` is absent.
    pub fn replace_first(&mut self, quote: &str, replace: &str) -> bool {
        let Some(at) = self.text.find(quote) else { return false };
        let from = self.text[..at].chars().count();
        let old: Vec<char> = quote.chars().collect();
        let new: Vec<char> = replace.chars().collect();
        let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
        let suffix = old[prefix..].iter().rev().zip(new[prefix..].iter().rev()).take_while(|(a, b)| a == b).count();
        let old_origin = &self.origin[from..from + old.len()];
        let before = if prefix > 0 { old_origin[prefix - 1] } else { old_origin.first().copied().unwrap_or(0) };
        let mut origin: Vec<usize> = old_origin[..prefix].to_vec();
        origin.extend(std::iter::repeat_n(before, new.len() - prefix - suffix));
        origin.extend_from_slice(&old_origin[old.len() - suffix..]);
        self.origin.splice(from..from + old.len(), origin);
        self.text.replace_range(at..at + quote.len(), replace);
        true
    }
}

/// Cleans one raw line: spam, `?` runs standing for spaces, markdown heading
/// and bold markers, sub-scripts (`PM<sub>2.5</sub>`, `PM_{2.5}`, `NO_x`),
/// ASCII brackets to full-width, and spaces that PDF conversion put between
/// Chinese text and numbers. Table cells (tabs) are joined by one space.
pub fn clean_line(raw: &str) -> String {
    clean_line_mapped(raw, 0).text
}

/// [`clean_line`], remembering the origin of each character; `base` is the
/// offset of the line's first character in its file.
pub fn clean_line_mapped(raw: &str, base: usize) -> Mapped {
    let chars: Vec<(char, usize)> = raw.chars().enumerate().map(|(i, c)| (c, base + i)).collect();
    let chars: Vec<(char, usize)> = replace_spam(&chars)
        .into_iter()
        .filter(|(c, _)| *c != '\u{FFFD}')
        .map(|(c, o)| (if c == '?' { ' ' } else { c }, o))
        .collect();
    let chars = unwrap_subscripts(&chars);
    let mut unbolded = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].0 == '*' && chars.get(i + 1).is_some_and(|(c, _)| *c == '*') {
            i += 2;
            continue;
        }
        unbolded.push(chars[i]);
        i += 1;
    }
    let rest = &unbolded[unbolded.iter().take_while(|(c, _)| c.is_whitespace()).count()..];
    let rest = &rest[rest.iter().take_while(|(c, _)| *c == '#').count()..];
    let rest: Vec<(char, usize)> = rest
        .iter()
        .map(|&(c, o)| match c {
            '(' => ('（', o),
            ')' => ('）', o),
            _ => (c, o),
        })
        .collect();
    let mut out: Vec<(char, usize)> = Vec::with_capacity(rest.len());
    for cell in rest.split(|(c, _)| *c == '\t').map(squeeze_spaces).filter(|c| !c.is_empty()) {
        if let Some(&(_, o)) = out.last() {
            out.push((' ', o));
        }
        out.extend(cell);
    }
    Mapped::from_chars(&out)
}

/// `<sub>2.5</sub>`, `_{2.5}`, `_x`: the sub-script's characters only.
fn unwrap_subscripts(chars: &[(char, usize)]) -> Vec<(char, usize)> {
    let text: String = chars.iter().map(|(c, _)| c).collect();
    let index_of = |byte: usize| text[..byte].chars().count();
    let mut out = Vec::with_capacity(chars.len());
    let mut last = 0;
    for c in SUB.captures_iter(&text) {
        let (Some(whole), Some(inner)) = (c.get(0), c.iter().skip(1).flatten().next()) else { continue };
        out.extend_from_slice(&chars[last..index_of(whole.start())]);
        out.extend_from_slice(&chars[index_of(inner.start())..index_of(inner.end())]);
        last = index_of(whole.end());
    }
    out.extend_from_slice(&chars[last..]);
    out
}

fn replace_spam(chars: &[(char, usize)]) -> Vec<(char, usize)> {
    let spam: Vec<char> = SPAM.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut segment_start = 0;
    let mut i = 0;
    while i < chars.len() {
        let is_spam =
            chars.len() - i >= spam.len() && chars[i..i + spam.len()].iter().map(|(c, _)| *c).eq(spam.iter().copied());
        if !is_spam {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let prev_han = i > segment_start && is_han(chars[i - 1].0);
        let next_han = chars.get(i + spam.len()).is_some_and(|(c, _)| is_han(*c));
        if prev_han && next_han {
            out.extend("关于".chars().map(|c| (c, chars[i].1)));
        }
        i += spam.len();
        segment_start = i;
    }
    out
}

/// Whether `c` is a CJK ideograph.
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Removes spaces unless they separate two ASCII letters/digits (`TCL 奥博`
/// keeps nothing, `2023 年` becomes `2023年`, `Smart Grid` stays).
fn squeeze_spaces(s: &[(char, usize)]) -> Vec<(char, usize)> {
    let is_space = |c: char| matches!(c, ' ' | '\u{3000}' | '\u{A0}');
    let mut out: Vec<(char, usize)> = Vec::with_capacity(s.len());
    for (i, &(c, o)) in s.iter().enumerate() {
        if is_space(c) {
            let prev = out.last().map(|(p, _)| *p);
            let next = s[i + 1..].iter().map(|(n, _)| *n).find(|n| !is_space(*n));
            let keep = matches!((prev, next), (Some(p), Some(n))
                if p.is_ascii_alphanumeric() && n.is_ascii_alphanumeric())
                && prev != Some(' ');
            if keep {
                out.push((' ', o));
            }
        } else {
            out.push((c, o));
        }
    }
    let start = out.iter().take_while(|(c, _)| c.is_whitespace()).count();
    let end = out.len() - out[start..].iter().rev().take_while(|(c, _)| c.is_whitespace()).count();
    out[start..end].to_vec()
}

/// Characters after which a paragraph is complete.
fn is_terminal(c: char) -> bool {
    matches!(c, '。' | '；' | ';' | '！' | '!' | '？' | '：' | ':' | '）' | '”' | '」')
}

/// Whether the paragraph ends a sentence (so the next one does not continue it).
pub fn is_terminated(p: &str) -> bool {
    p.chars().next_back().is_some_and(is_terminal)
}

/// Whether a paragraph has any sentence punctuation at all.
pub fn has_punctuation(p: &str) -> bool {
    p.chars().any(|c| matches!(c, '。' | '，' | ',' | '；' | ';' | '：' | ':' | '、'))
}

/// How the paragraph joiner treats heading-like lines.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Government document: structural headings (`三、`, `（一）`, `1.`, `专栏`).
    Plan,
    /// Newspaper page: short unpunctuated lines are headlines or captions, and a
    /// headline may interrupt a sentence that continues after it.
    News,
}

static PLAN_HEADING: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d{1,2}[\.．、]|专栏\s*\d|附件)"));

/// A structural heading line of a plan (possibly with body text after it).
pub fn is_plan_heading(p: &str) -> bool {
    PLAN_HEADING.is_match(p)
}

/// A heading that carries no body text (`（一）工业绿色低碳转型行动`).
pub fn is_pure_heading(p: &str) -> bool {
    is_plan_heading(p) && !p.contains('。') && !p.contains('，') && !p.contains(',')
}

/// Cleans a whole file and joins paragraphs that a page or line break split
/// in the middle of a sentence (`…建立或整合` + `再生资源信息服务平台，…`),
/// remembering where in `raw` each character was read.
pub fn paragraphs_mapped(raw: &str, layout: Layout) -> Vec<Mapped> {
    // (cleaned line, markdown heading, table row)
    let mut lines: Vec<(Mapped, bool, bool)> = Vec::new();
    let mut base = 0;
    for line in raw.split('\n') {
        let l = line.strip_suffix('\r').unwrap_or(line);
        let cleaned = clean_line_mapped(l, base);
        if !cleaned.text.is_empty() {
            lines.push((cleaned, l.trim_start().starts_with('#'), l.contains('\t')));
        }
        base += line.chars().count() + 1;
    }
    // Short lines without punctuation are titles, signatures or headlines.
    let title_like = |l: &str| !has_punctuation(l) && l.chars().count() <= 40;
    let headline = |l: &str, hashed: bool| -> bool {
        match layout {
            Layout::Plan => is_plan_heading(l) || title_like(l),
            Layout::News => hashed || title_like(l),
        }
    };
    let mut out: Vec<Mapped> = Vec::new();
    // Whether the last paragraph is a heading with no body text after it.
    let mut last_is_pure_heading = true;
    let mut i = 0;
    while i < lines.len() {
        let (mapped, hashed, row) = (&lines[i].0, lines[i].1, lines[i].2);
        let line = &mapped.text;
        // Table rows stand alone, like headings.
        let is_head = row || headline(line, hashed);
        let open = out.last().is_some_and(|p| !is_terminated(&p.text)) && !last_is_pure_heading;
        if open && !is_head {
            if let Some(last) = out.last_mut() {
                last.push(mapped);
            }
            i += 1;
            continue;
        }
        if open && is_head && layout == Layout::News {
            // A headline or caption printed in the middle of a sentence: drop
            // it when the sentence continues after it.
            if let Some((next, next_hashed, _)) = lines.get(i + 1)
                && !headline(&next.text, *next_hashed)
                && !next.text.starts_with("本报讯")
            {
                i += 1;
                continue;
            }
        }
        out.push(mapped.clone());
        last_is_pure_heading = is_head && (row || layout == Layout::News || title_like(line) || is_pure_heading(line));
        i += 1;
    }
    out
}

/// Splits text into sentences ending with 。；;！？ or a paragraph break (the
/// terminator stays).
pub fn sentences(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if matches!(c, '。' | '；' | ';' | '！' | '？' | '\n') {
            let end = i + c.len_utf8();
            out.push((start, &text[start..end]));
            start = end;
        }
    }
    if start < text.len() && !text[start..].trim().is_empty() {
        out.push((start, &text[start..]));
    }
    out
}

static DATE: LazyLock<Regex> = LazyLock::new(|| re(r"(\d{4})年(\d{1,2})月(\d{1,2})日"));

/// `2023年6月15日` → `2023-06-15`.
pub fn iso_date(s: &str) -> Option<String> {
    let c = DATE.captures(s)?;
    let y: u32 = c[1].parse().ok()?;
    let m: u32 = c[2].parse().ok()?;
    let d: u32 = c[3].parse().ok()?;
    valid_date(y, m, d).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// A date whose 年/月/日 were dropped by a scraper (`2023428`): the ISO date if
/// exactly one split of the digits after the year is a valid month and day.
pub fn collapsed_date(s: &str) -> Option<String> {
    let s = s.trim();
    if !(6..=8).contains(&s.len()) || !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let y: u32 = s[..4].parse().ok()?;
    let rest = &s[4..];
    let mut found = Vec::new();
    for cut in 1..rest.len() {
        let (m, d) = rest.split_at(cut);
        if m.len() > 2 || d.len() > 2 || m.starts_with('0') && m.len() == 1 {
            continue;
        }
        if let (Ok(m), Ok(d)) = (m.parse::<u32>(), d.parse::<u32>())
            && valid_date(y, m, d)
        {
            found.push(format!("{y:04}-{m:02}-{d:02}"));
        }
    }
    match found.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

fn valid_date(y: u32, m: u32, d: u32) -> bool {
    let leap = y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400));
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2100).contains(&y) && (1..=days).contains(&d)
}

static YEAR_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:(比|较|在)\s*)?(?:\d{4}\s*[—－-]\s*)?(\d{4})\s*年(?:(\d{1,2})月)?(底|末|前|起|的?基础上)?|“十([四五])五”期间",
    )
});

/// A year phrase found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearMark {
    /// Byte offset of the phrase.
    pub at: usize,
    /// Byte offset just after the phrase.
    pub end: usize,
    pub year: i32,
    /// `比2020年` / `在2020年的基础上`: a baseline, not a deadline.
    pub baseline: bool,
}

/// All year phrases of `text` in order. `“十四五”期间` counts as 2025 and
/// `“十五五”期间` as 2030 (the last year of the plan period). Years inside a
/// title (`（2022—2035年）》`) are ignored.
pub fn year_marks(text: &str) -> Vec<YearMark> {
    let mut out = Vec::new();
    for c in YEAR_PHRASE.captures_iter(text) {
        let Some(m) = c.get(0) else { continue };
        if let Some(fyp) = c.get(5) {
            let year = if fyp.as_str() == "四" { 2025 } else { 2030 };
            out.push(YearMark { at: m.start(), end: m.end(), year, baseline: false });
            continue;
        }
        let after = text[m.end()..].chars().next();
        let before = text[..m.start()].chars().next_back();
        if matches!(after, Some('）' | '》')) || before == Some('《') {
            continue;
        }
        let Some(year) = c.get(2).and_then(|y| y.as_str().parse().ok()) else {
            continue;
        };
        let prefix = c.get(1).map(|p| p.as_str());
        let suffix = c.get(4).map(|p| p.as_str()).unwrap_or("");
        let baseline = matches!(prefix, Some("比" | "较")) || suffix.contains("基础上");
        out.push(YearMark { at: m.start(), end: m.end(), year, baseline });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_noise() {
        assert_eq!(clean_line("1.?加快构建低碳工业体系。"), "1.加快构建低碳工业体系。");
        assert_eq!(clean_line("国务院188比分直播碳达峰碳中和"), "国务院关于碳达峰碳中和");
        assert_eq!(clean_line("188比分直播"), "");
        assert_eq!(clean_line("PM<sub>2.5</sub>年均浓度"), "PM2.5年均浓度");
        assert_eq!(clean_line("以PM_{2.5}控制为主线"), "以PM2.5控制为主线");
        assert_eq!(clean_line("#### **（一）工业绿色低碳转型行动**"), "（一）工业绿色低碳转型行动");
        assert_eq!(clean_line("到 2025 年，达到 280 万千瓦"), "到2025年，达到280万千瓦");
        assert_eq!(clean_line("(一)指导思想"), "（一）指导思想");
        assert_eq!(clean_line("2022—2023 年\t完成既有唐官屯站改造。"), "2022—2023年 完成既有唐官屯站改造。");
    }

    #[test]
    fn cleaned_characters_remember_their_origin() {
        let m = clean_line_mapped("国务院188比分直播碳达峰 PM<sub>2.5</sub>(一)", 10);
        assert_eq!(m.text, "国务院关于碳达峰PM2.5（一）");
        assert_eq!(m.origin.len(), m.text.chars().count());
        // 关于 stands for the spam link; 碳 is after it; 2 is inside <sub>.
        assert_eq!(&m.origin[3..6], &[13, 13, 20]);
        assert_eq!(m.origin[10], 10 + "国务院188比分直播碳达峰 PM<sub>".chars().count());
        let mut fixed = clean_line_mapped("比重达到35%全区", 0);
        assert!(fixed.replace_first("35%全区", "35%,全区"));
        assert_eq!(fixed.text, "比重达到35%,全区");
        assert_eq!(fixed.origin, vec![0, 1, 2, 3, 4, 5, 6, 6, 7, 8]);
    }

    #[test]
    fn numerals_and_dates() {
        assert_eq!(collapsed_date("2023428").as_deref(), Some("2023-04-28"));
        assert_eq!(collapsed_date("2023111"), None);
        assert_eq!(iso_date("2023年6月15日").as_deref(), Some("2023-06-15"));
    }

    #[test]
    fn year_phrases() {
        let marks = year_marks("到2025年，比2020年下降15.5%；“十四五”期间，2023年起");
        let years: Vec<(i32, bool)> = marks.iter().map(|m| (m.year, m.baseline)).collect();
        assert_eq!(years, vec![(2025, false), (2020, true), (2025, false), (2023, false)]);
        assert!(year_marks("《规划（2022—2035年）》").is_empty());
        assert!(year_marks("国务院《2030年前碳达峰行动方案》").is_empty());
    }

    #[test]
    fn joins_broken_sentences() {
        let raw = "1. 任务。鼓励企业建立或整合\n\n\n\n再生资源信息服务平台，优化。\n\n2. 下一项。";
        let p = paragraphs_mapped(raw, Layout::Plan);
        let texts: Vec<&str> = p.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, vec!["1.任务。鼓励企业建立或整合再生资源信息服务平台，优化。", "2.下一项。"]);
        // Each character remembers its place in the raw text, across the joined lines.
        let raw_chars: Vec<char> = raw.chars().collect();
        for para in &p {
            for (c, &o) in para.text.chars().zip(&para.origin) {
                assert_eq!(clean_line(&raw_chars[o].to_string()), c.to_string());
            }
        }
        assert_eq!(p[1].origin[0], raw.chars().position(|c| c == '2').unwrap());
    }
}
