//! Tests against the shipped sources (`data/sources`) and corrections
//! (`data/corrections.toml`). Every expected value below was checked by
//! reading the source text.

use super::*;
use crate::seed::model::{AssignmentRole, DepartmentKind, PlanKind, Provenance, Task, TaskKind};
use Comparator::*;

const XQ: &str = "西青政发〔2023〕5号";
const JH: &str = "津静海政发〔2023〕11号";
const NK: &str = "南开政发〔2022〕10号";
const CITY: &str = docs::CITY_ACTION_PLAN;
const Y2024: &str = docs::PRIORITIES_2024;

fn data_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

fn coordination() -> Coordination {
    load_coordination(&std::fs::read_to_string(data_dir().join("coordination.toml")).unwrap()).unwrap()
}

fn projects() -> Projects {
    load_projects(&std::fs::read_to_string(data_dir().join("projects.toml")).unwrap()).unwrap()
}

fn load() -> (Vec<SourceText>, Corrections) {
    let dir = data_dir().join("sources");
    let mut sources = Vec::new();
    for f in [docs::CITY_NEWS, docs::XIQING_PLAN, docs::ECO_CONFERENCE, docs::JINGHAI_PLAN, docs::NANKAI_PLAN] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        sources.push(SourceText { file_name: f.to_string(), text });
    }
    let toml = std::fs::read_to_string(data_dir().join("corrections.toml")).unwrap();
    (sources, load_corrections(&toml).unwrap())
}

fn dataset() -> Dataset {
    let (s, c) = load();
    parse_sources(&s, &c, &coordination(), &projects()).unwrap()
}

fn task<'d>(d: &'d Dataset, plan: &str, code: &str) -> &'d Task {
    let key = format!("{plan}#{code}");
    d.tasks.iter().find(|t| t.key == key).unwrap_or_else(|| panic!("no task {key}"))
}

/// One indicator fact: plan, task code (or "goals"), name, unit, comparator,
/// value, upper bound, year, baseline year, and for Jinghai the responsible
/// units of the task in document order.
type Fact = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Comparator,
    f64,
    Option<f64>,
    i32,
    Option<i32>,
    &'static [&'static str],
);

const NONE: &[&str] = &[];

#[rustfmt::skip]
const FACTS: &[Fact] = &[
    // 000: city 绿色低碳发展行动方案, targets to the end of 2027
    (CITY, "goals", "PM2.5年均浓度", "微克/立方米", Lte, 35.0, None, 2027, None, NONE),
    (CITY, "goals", "非化石能源消费比重", "%", Gte, 13.5, None, 2027, None, NONE),
    (CITY, "goals", "公共充电桩总量", "万台", Gte, 4.2, None, 2027, None, NONE),
    (CITY, "goals", "单位地区生产总值能耗下降率", "%", Gte, 19.7, None, 2027, Some(2020), NONE),
    (CITY, "goals", "二氧化碳排放强度下降率", "%", Approx, 27.5, None, 2027, Some(2020), NONE),
    (CITY, "goals", "绿色出行比例", "%", Approx, 77.0, None, 2027, None, NONE),
    (CITY, "goals", "绿色生态屏障蓝绿空间", "%", Gte, 67.0, None, 2027, None, NONE),
    (CITY, "goals", "燃气老旧管网", "公里", Gte, 900.0, None, 2027, None, NONE),
    (CITY, "goals", "供热老旧管网", "公里", Gte, 500.0, None, 2027, None, NONE),
    (CITY, "goals", "口袋公园", "个", Gte, 300.0, None, 2027, None, NONE),
    (CITY, "goals", "既有建筑低碳改造", "万平方米", Gte, 200.0, None, 2027, None, NONE),
    (CITY, "goals", "生活垃圾无害化处理率", "%", Eq, 100.0, None, 2027, None, NONE),
    (CITY, "goals", "受污染耕地安全利用率", "%", Approx, 93.0, None, 2027, None, NONE),
    (CITY, "goals", "湿地保护率", "%", Gte, 50.0, None, 2027, None, NONE),
    (CITY, "goals", "生态主题精品旅游线路", "条", Between, 4.0, Some(5.0), 2027, None, NONE),
    (CITY, "goals", "修复岸线长度", "公里", Gte, 23.0, None, 2027, None, NONE),
    (CITY, "goals", "修复滨海湿地面积", "公顷", Gte, 1180.0, None, 2027, None, NONE),
    (CITY, "goals", "纳入国家绿色制造名单的单位和产品数量", "个", Gte, 260.0, None, 2027, None, NONE),
    // 002: 2024 priorities
    (Y2024, "二", "无废细胞", "个", Gte, 500.0, None, 2024, None, NONE),
    // 003: Jinghai
    (JH, "goals", "非化石能源消费比重", "%", Gt, 10.0, None, 2025, None, NONE),
    (JH, "goals", "非化石能源消费比重", "%", Gte, 15.0, None, 2030, None, NONE),
    (JH, "goals", "电能占终端用能比重", "%", Gte, 38.0, None, 2025, None, NONE),
    (JH, "goals", "电能占终端用能比重", "%", Gt, 40.0, None, 2030, None, NONE),
    (JH, "三.（七）.2", "森林覆盖率", "%", Gte, 10.5, None, 2025, None,
        &["静海区农业农村委", "静海区水务局", "林海循环经济示范区", "团泊鸟类自然保护区"]),
    (JH, "三.（一）.1", "规模以上工业单位增加值能耗下降率", "%", Gte, 15.5, None, 2025, Some(2020),
        &["静海区工业和信息化局", "静海区发展改革委", "静海区各乡镇园区"]),
    (JH, "三.（一）.2", "工业战略性新兴产业增加值占GDP比重", "%", Gte, 25.0, None, 2025, None,
        &["静海区发展改革委", "静海区工业和信息化局", "静海区各乡镇园区"]),
    (JH, "三.（二）.2", "园区废弃电器电子产品资源化率", "%", Gte, 91.5, None, 2025, None,
        &["静海区工业和信息化局", "静海区合作交流办", "静海区商务局", "静海区生态环境局", "静海区发展改革委", "天津子牙经济技术开发区", "唐官屯镇"]),
    (JH, "三.（二）.4", "城镇生活垃圾无害化处理率", "%", Eq, 100.0, None, 2025, None,
        &["静海区城市管理委", "静海区水务局", "静海区商务局", "静海区发展改革委", "静海区生态环境局", "静海区市场监管局", "静海区工业和信息化局", "静海区文旅局", "静海区各乡镇街道园区"]),
    (JH, "三.（二）.4", "再生水利用率", "%", Gte, 50.0, None, 2025, None, NONE),
    (JH, "三.（三）.1", "可再生能源电力装机容量", "万千瓦", Gte, 280.0, None, 2025, None,
        &["静海区发展改革委", "静海区城市管理委", "国网天津静海供电有限公司", "静海区各乡镇园区"]),
    (JH, "三.（三）.2", "天然气消费量", "亿立方米", Gte, 15.0, None, 2025, None,
        &["静海区发展改革委", "静海区城市管理委", "静海区各乡镇园区"]),
    (JH, "三.（三）.3", "新增集中式风电、光伏发电项目配置储能设施比例", "%", Gte, 15.0, None, 2025, None, NONE),
    (JH, "三.（四）.2", "绿色园区", "家", Gte, 2.0, None, 2025, None, NONE),
    (JH, "三.（四）.2", "企业节能诊断服务", "家", Gte, 80.0, None, 2025, None, NONE),
    (JH, "三.（五）.2", "超低能耗建筑示范面积", "万平方米", Gte, 5.0, None, 2025, None,
        &["静海区住建委", "静海区城市管理委", "静海区各乡镇园区"]),
    (JH, "三.（五）.2", "供暖热源系统节能运行管理改造比例", "%", Gte, 15.0, None, 2025, None, NONE),
    (JH, "三.（六）.1", "营运交通工具单位换算周转量碳排放强度下降率", "%", Gte, 19.2, None, 2030, Some(2020),
        &["静海区交通局", "静海区城市管理委", "静海区商务局", "天津市邮政管理局第三分局"]),
    (JH, "三.（六）.2", "货物类型网络货运平台", "家", Gte, 2.0, None, 2025, None,
        &["静海区交通局", "静海区商务局", "静海区发展改革委", "静海区农业农村委", "天津市规划和自然资源局静海分局", "天津市公安局静海分局", "天津市邮政管理局第三分局", "静海区各乡镇街道园区"]),
    (JH, "三.（六）.3", "绿色出行比例", "%", Gte, 70.0, None, 2025, None, NONE),
    (JH, "三.（六）.专栏9", "市域（郊）铁路津静线吸引区内客流量", "%", Gte, 9.0, None, 2025, None, NONE),
    (JH, "三.（六）.专栏9", "市域（郊）铁路津静线吸引区内客流量", "%", Gte, 17.0, None, 2028, None, NONE),
    (JH, "三.（六）.专栏9", "市域（郊）铁路津静线吸引区内客流量", "%", Gte, 29.0, None, 2030, None, NONE),
    (JH, "三.（六）.专栏9", "公交接驳线路", "条", Between, 2.0, Some(3.0), 2028, None, NONE),
    (JH, "三.（六）.4", "公用充电桩", "台", Gte, 500.0, None, 2025, None,
        &["静海区交通局", "静海区发展改革委", "静海区商务局", "国网天津静海供电有限公司"]),
    (JH, "三.（六）.4", "静海核心区公共充电服务半径", "公里", Lt, 3.0, None, 2025, None, NONE),
    (JH, "三.（六）.4", "干线公路废旧沥青路面材料循环利用率", "%", Gte, 95.0, None, 2025, None, NONE),
    (JH, "三.（七）.1", "生态保护红线面积占区国土面积比例", "%", Gte, 3.81, None, 2025, None, NONE),
    (JH, "三.（七）.3", "农田残膜回收率", "%", Gte, 85.0, None, 2025, None, &["静海区农业农村委", "静海区各乡镇"]),
    (JH, "三.（十）", "绿色制造示范单位", "家", Gte, 30.0, None, 2025, None, NONE),
    // 001: Xiqing (no responsible units in the text)
    (XQ, "goals", "工业战略性新兴产业增加值占规模以上工业增加值比重", "%", Gte, 46.0, None, 2025, None, NONE),
    (XQ, "goals", "高技术产业制造业增加值占规模以上工业增加值比重", "%", Gte, 34.0, None, 2025, None, NONE),
    (XQ, "二.（一）.1", "制造业增加值占地区生产总值比重", "%", Gte, 35.0, None, 2025, None, NONE),
    (XQ, "二.（二）.1", "投产可再生能源电力装机容量", "万千瓦", Gte, 40.0, None, 2025, None, NONE),
    (XQ, "二.（二）.2", "天然气消费", "亿立方米", Gte, 28.62, None, 2025, None, NONE),
    (XQ, "二.（三）.4", "数据中心电能利用效率", "", Lte, 1.5, None, 2025, None, NONE),
    (XQ, "二.（五）.1", "新能源汽车新车销售量占比", "%", Approx, 25.0, None, 2025, None, NONE),
    (XQ, "二.（五）.3", "公共充电桩数量", "台", Gte, 7500.0, None, 2025, None, NONE),
    (XQ, "二.（六）.2", "一般工业固体废物综合利用率", "%", Gte, 98.0, None, 2025, None, NONE),
    (XQ, "二.（六）.4", "城市生活垃圾资源化利用比例", "%", Approx, 80.0, None, 2025, None, NONE),
    (XQ, "二.（八）.2", "森林覆盖率", "%", Gte, 14.0, None, 2025, None, NONE),
    (XQ, "二.（十）.2", "公共机构单位建筑面积碳排放下降率", "%", Gte, 7.0, None, 2025, Some(2020), NONE),
    // 004: Nankai
    (NK, "三.（一）.3", "工业战略性新兴产业增加值占规模以上工业增加值比重", "%", Gte, 40.0, None, 2025, None, NONE),
    (NK, "三.（三）.3", "建成区绿地率", "%", Gte, 35.0, None, 2025, None, NONE),
    (NK, "三.（五）.3", "具有全国影响力的优势科研项目", "个", Gte, 30.0, None, 2025, None, NONE),
    (NK, "三.（七）.2", "绿色出行比例", "%", Gte, 75.0, None, 2025, None, NONE),
    (NK, "三.（七）.2", "绿色出行比例", "%", Approx, 80.0, None, 2030, None, NONE),
    (NK, "三.（八）.1", "公共机构建筑单位面积能耗下降率", "%", Gte, 5.0, None, 2025, Some(2020), NONE),
];

fn region_of(plan: &str) -> &'static str {
    match plan {
        XQ => regions::XIQING,
        JH => regions::JINGHAI,
        NK => regions::NANKAI,
        _ => regions::TIANJIN,
    }
}

#[test]
fn indicator_facts() {
    let d = dataset();
    assert!(FACTS.len() >= 40);
    for &(plan, code, name, unit, cmp, value, max, year, baseline, units) in FACTS {
        let key = format!("{plan}#{code}#{name}");
        let i = d.indicators.iter().find(|i| i.key == key).unwrap_or_else(|| panic!("no indicator {key}"));
        assert_eq!(i.name, name, "{key}");
        assert_eq!(i.unit, unit, "{key}");
        assert_eq!(i.plan_key, plan, "{key}");
        assert_eq!(i.region_key, region_of(plan), "{key}");
        assert_eq!(i.baseline_year, baseline, "{key}");
        assert_eq!(i.baseline_value, baseline.map(|_| 0.0), "{key}");
        let expected_task = (code != "goals").then(|| format!("{plan}#{code}"));
        assert_eq!(i.task_key, expected_task, "{key}");
        let t =
            i.targets.iter().find(|t| t.year == Some(year)).unwrap_or_else(|| panic!("{key}: no target for {year}"));
        assert_eq!((t.comparator, t.value, t.value_max), (cmp, Some(value), max), "{key} {year}");
        assert!(t.provenance.quote.contains(&format_number(value)), "{key}: quote {}", t.provenance.quote);
        if plan == XQ {
            assert!(task_or_none(&d, i.task_key.as_deref()).is_none_or(|t| t.assignments.is_empty()));
        }
        if !units.is_empty() {
            let t = task(&d, plan, code);
            let names: Vec<&str> = t
                .assignments
                .iter()
                .map(|a| d.departments.iter().find(|x| x.key == a.department_key).map_or("?", |x| x.name.as_str()))
                .collect();
            assert_eq!(names, units, "{key}");
            assert_eq!(t.assignments[0].role, AssignmentRole::Lead);
            assert!(t.assignments[1..].iter().all(|a| a.role == AssignmentRole::Support));
        }
    }
}

fn task_or_none<'d>(d: &'d Dataset, key: Option<&str>) -> Option<&'d Task> {
    key.and_then(|k| d.tasks.iter().find(|t| t.key == k))
}

fn format_number(v: f64) -> String {
    if v.fract() == 0.0 { format!("{}", v as i64) } else { format!("{v}") }
}

#[test]
fn directions_natures_and_measures() {
    let d = dataset();
    let get = |key: &str| d.indicators.iter().find(|i| i.key == key).unwrap_or_else(|| panic!("{key}"));
    let pm = get(&format!("{CITY}#goals#PM2.5年均浓度"));
    assert_eq!((pm.direction, pm.summable, pm.nature), (Direction::LowerIsBetter, false, Nature::Expected));
    let energy = get(&format!("{CITY}#goals#单位地区生产总值能耗下降率"));
    assert_eq!(
        (energy.direction, energy.nature, energy.measure),
        (Direction::HigherIsBetter, Nature::Binding, Measure::Percentage)
    );
    let waste = get(&format!("{CITY}#goals#生活垃圾无害化处理率"));
    assert_eq!(waste.direction, Direction::Keep);
    let capacity = get(&format!("{JH}#三.（三）.1#可再生能源电力装机容量"));
    assert_eq!((capacity.summable, capacity.measure, capacity.nature), (true, Measure::Quantity, Nature::Expected));
    let fossil = get(&format!("{JH}#goals#非化石能源消费比重"));
    assert_eq!(fossil.targets.len(), 2);
    assert_eq!(fossil.nature, Nature::Expected);
}

#[test]
fn district_commitments_contribute_to_the_indicators_of_the_city_peaking_plan() {
    let d = dataset();
    let parent = docs::CITY_PEAKING_PLAN;
    let of_parent: Vec<&str> = d.indicators.iter().filter(|i| i.plan_key == parent).map(|i| i.name.as_str()).collect();
    assert_eq!(of_parent, ["单位地区生产总值能耗下降率", "单位地区生产总值二氧化碳排放下降率"]);
    for name in &of_parent {
        let key = format!("{parent}#goals#{name}");
        let i = d.indicators.iter().find(|i| i.key == key).unwrap_or_else(|| panic!("{key}"));
        assert!(i.targets.is_empty(), "the plan is not among the sources: no figure is known");
        assert_eq!(
            (i.region_key.as_str(), i.nature, i.contributes_to_key.as_deref()),
            ("120000", Nature::Binding, None)
        );
        // The words are the first district's (Xiqing's) commitment, in its own file.
        assert_eq!(i.provenance.file_name, docs::XIQING_PLAN);
        assert_eq!(i.provenance.quote, "单位地区生产总值能源消耗和二氧化碳排放完成天津市下达指标;");
    }
    for plan in [XQ, JH, NK] {
        for name in &of_parent {
            let key = format!("{plan}#goals#{name}");
            let i = d.indicators.iter().find(|i| i.key == key).unwrap_or_else(|| panic!("{key}"));
            assert!(i.targets.is_empty());
            assert_eq!(i.nature, Nature::Binding);
            assert_eq!(i.contributes_to_key.as_deref(), Some(format!("{parent}#goals#{name}").as_str()));
            assert!(i.provenance.quote.contains("下达指标"), "{}", i.provenance.quote);
        }
    }
    // Nobody contributes to the 2027 action plan's intensities any more.
    assert!(!d.indicators.iter().filter_map(|i| i.contributes_to_key.as_deref()).any(|k| k.starts_with(CITY)));
}

#[test]
fn plans() {
    let d = dataset();
    let keys: Vec<&str> = d.plans.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, vec![CITY, docs::CITY_PEAKING_PLAN, Y2024, docs::JJJ_MEASURES, XQ, JH, NK]);
    let plan = |k: &str| d.plans.iter().find(|p| p.key == k).unwrap();
    for (key, region, issuer, date, start, end, kind) in [
        (CITY, "120000", "120000/天津市人民政府", None, None, Some(2027), PlanKind::ActionPlan),
        // The commitments to it are for 2025 and 2030: the 十四五 and 十五五 periods.
        (
            docs::CITY_PEAKING_PLAN,
            "120000",
            "120000/天津市人民政府",
            None,
            Some(2021),
            Some(2030),
            PlanKind::ImplementationPlan,
        ),
        (Y2024, "120000", "120000/天津市生态环境局", None, Some(2024), Some(2024), PlanKind::AnnualPriorities),
        (
            docs::JJJ_MEASURES,
            "jing-jin-ji",
            "jing-jin-ji/京津冀生态环境联防联控工作协调小组",
            None,
            None,
            None,
            PlanKind::CoordinationMeasures,
        ),
        (
            XQ,
            "120111",
            "120111/西青区人民政府",
            Some("2023-04-28"),
            Some(2021),
            Some(2030),
            PlanKind::ImplementationPlan,
        ),
        (
            JH,
            "120118",
            "120118/静海区人民政府",
            Some("2023-06-15"),
            Some(2021),
            Some(2030),
            PlanKind::ImplementationPlan,
        ),
        (
            NK,
            "120104",
            "120104/南开区人民政府",
            Some("2022-12-14"),
            Some(2021),
            Some(2030),
            PlanKind::ImplementationPlan,
        ),
    ] {
        let p = plan(key);
        assert_eq!(p.region_key, region, "{key}");
        assert_eq!(p.issuer_key.as_deref(), Some(issuer), "{key}");
        assert_eq!(p.issued_on.as_deref(), date, "{key}");
        assert_eq!((p.period_start, p.period_end, p.kind), (start, end, kind), "{key}");
        assert!(p.public, "{key}");
        assert_eq!(p.status, crate::seed::model::PlanStatus::InForce);
        assert!(!p.provenance.quote.is_empty(), "{key}");
    }
    for key in [XQ, JH, NK] {
        assert_eq!(plan(key).document_number.as_deref(), Some(key));
        assert_eq!(plan(key).parent_key.as_deref(), Some(docs::CITY_PEAKING_PLAN));
    }
    assert_eq!(plan(docs::JJJ_MEASURES).title, "京津冀生态环境联防联控协同措施清单（两批44项）");
    assert!(d.tasks.iter().all(|t| t.plan_key != docs::CITY_PEAKING_PLAN));
}

#[test]
fn task_counts() {
    let d = dataset();
    let count = |plan: &str, kind: TaskKind| d.tasks.iter().filter(|t| t.plan_key == plan && t.kind == kind).count();
    // (plan, action groups, numbered tasks, 专栏, indicators with targets or commitments, of past results only)
    for (plan, groups, tasks, columns, indicators, results) in [
        // New with the target kinds: CITY 1 (annual), XQ 8 (3 standing, 3 of the lost ranges, 2
        // implied 100 %), JH 3 (2 implied 100 %, 1 专栏 figure in Chinese numerals), NK 3 (implied 100 %).
        // Then the 4 standing counts of JH's 专栏2 and 专栏7, and the goals in words (qualitative
        // targets): XQ 2, JH 10 (3 more join indicators with a figure), NK 6.
        (CITY, 5, 24, 0, 18 + 1, 15),
        (Y2024, 5, 0, 0, 1, 13),
        (XQ, 23, 40, 0, 31 + 8 + 2, 0),
        (JH, 16, 32, 10, 44 + 3 + 4 + 10, 0),
        (NK, 17, 25, 0, 26 + 3 + 6, 0),
    ] {
        assert_eq!(count(plan, TaskKind::ActionGroup), groups, "{plan} groups");
        assert_eq!(count(plan, TaskKind::Task), tasks, "{plan} tasks");
        assert_eq!(count(plan, TaskKind::FeaturedProject), columns, "{plan} 专栏");
        let of_plan = || d.indicators.iter().filter(|i| i.plan_key == plan);
        assert_eq!(of_plan().filter(|i| !i.key.contains("#results#")).count(), indicators, "{plan} indicators");
        assert_eq!(of_plan().filter(|i| i.key.contains("#results#")).count(), results, "{plan} result indicators");
    }
    // Only the 重点任务 chapter has numbered tasks: Jinghai (一)…(十) have 4,4,3,3,4,4,3,3,4,0.
    let per_group: Vec<usize> = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
        .iter()
        .map(|g| {
            let parent = format!("{JH}#三.（{g}）");
            d.tasks
                .iter()
                .filter(|t| t.parent_key.as_deref() == Some(parent.as_str()) && t.kind == TaskKind::Task)
                .count()
        })
        .collect();
    assert_eq!(per_group, vec![4, 4, 3, 3, 4, 4, 3, 3, 4, 0]);
    // Every numbered Jinghai task names its responsible units; Xiqing none.
    assert!(d.tasks.iter().filter(|t| t.plan_key == JH && t.kind == TaskKind::Task).all(|t| !t.assignments.is_empty()));
    assert!(d.tasks.iter().filter(|t| t.plan_key == XQ).all(|t| t.assignments.is_empty()));
    assert!(d.tasks.iter().filter(|t| t.plan_key == NK && t.kind == TaskKind::Task).all(|t| !t.assignments.is_empty()));
}

#[test]
fn task_tree_shape() {
    let d = dataset();
    let col = task(&d, JH, "三.（一）.专栏1");
    assert_eq!(col.kind, TaskKind::FeaturedProject);
    assert_eq!(col.parent_key.as_deref(), Some(format!("{JH}#三.（一）").as_str()));
    assert_eq!(col.title, "静海区低碳工业重点发展方向");
    assert_eq!(col.position, 2);
    assert_eq!(task(&d, JH, "三.（一）.3").position, 3);
    let t = task(&d, JH, "三.（二）.1");
    assert_eq!(t.title, "健全再生资源回收利用体系");
    // A sentence broken across blank lines is joined.
    assert!(t.body.contains("建立或整合再生资源信息服务平台"));
    assert!(!t.body.contains("责任单位"));
    assert_eq!(t.provenance.section, "三、重点任务 / （二）循环经济助力降碳行动 / 1");
    assert_eq!(task(&d, XQ, "二.（三）.1").title, "全面提升节能管理能力");
    assert_eq!(task(&d, XQ, "四.（一）").title, "严格执行法规标准,加强绿色转型刚性约束");
    assert_eq!(task(&d, CITY, "二.3").title, "深入打好碧水保卫战");
    assert_eq!(task(&d, Y2024, "二").title, "抓环境污染治理,攻坚有“力度”");
    // The attachment line is not part of the last group.
    assert!(!task(&d, JH, "五.（四）").body.contains("附件"));
    // Nankai: 牵头 / 配合.
    let nk = task(&d, NK, "三.（八）.1");
    let units: Vec<&str> = nk.assignments.iter().map(|a| a.department_key.as_str()).collect();
    assert_eq!(units, vec!["120104/南开区机关事务服务中心", "120104/南开区各相关部门"]);
}

/// Every provenance of the dataset, with what it belongs to.
fn provenances(d: &Dataset) -> Vec<(String, &Provenance)> {
    let plans = d.plans.iter().map(|p| (p.key.clone(), &p.provenance));
    let tasks = d.tasks.iter().map(|t| (t.key.clone(), &t.provenance));
    let indicators = d.indicators.iter().flat_map(|i| {
        std::iter::once((i.key.clone(), &i.provenance))
            .chain(i.targets.iter().map(move |t| (format!("{}|{:?}|{:?}", i.key, t.kind, t.year), &t.provenance)))
            .chain(i.actuals.iter().map(move |a| (format!("{}|{}", i.key, a.period), &a.provenance)))
    });
    plans.chain(tasks).chain(indicators).collect()
}

#[test]
fn every_quote_is_the_verbatim_span_of_its_file_and_keeps_its_cleaned_reading() {
    let d = dataset();
    let (sources, _) = load();
    let mut normalised = 0;
    let all = provenances(&d);
    for (key, p) in &all {
        assert!(!p.cleaned.is_empty(), "{key}: no cleaned quote");
        let raw: Vec<char> = sources.iter().find(|s| s.file_name == p.file_name).unwrap().text.chars().collect();
        let (start, end) = (p.start.unwrap() as usize, p.end.unwrap() as usize);
        assert!(start < end && end <= raw.len(), "{key}: {start}..{end}");
        assert_eq!(raw[start..end].iter().collect::<String>(), p.quote, "{key}");
        // The span is tight: it starts and ends with what the cleaned text starts and ends with.
        let first = p.quote.chars().next().map(|c| text::clean_line(&c.to_string()));
        assert_eq!(first.as_deref(), p.cleaned.get(..p.cleaned.chars().next().unwrap().len_utf8()), "{key}");
        if p.quote != p.cleaned {
            normalised += 1;
        }
    }
    // The scraper's spam word is in the verbatim quote, 关于 in the cleaned one.
    let xq = d.plans.iter().find(|p| p.key == XQ).unwrap();
    assert_eq!(xq.provenance.quote, "天津市西青区人民政府188比分直播印发天津市西青区碳达峰实施方案的通知");
    assert_eq!(xq.provenance.cleaned, "天津市西青区人民政府关于印发天津市西青区碳达峰实施方案的通知");
    // A comma a correction inserted is in the cleaned quote only.
    let fixed = all.iter().find(|(_, p)| p.cleaned.contains("比重达到35%,全区")).unwrap().1;
    assert!(fixed.quote.contains("比重达到35%全区"), "{}", fixed.quote);
    // The Nankai goals are quoted from the plan, not from the news preamble that repeats them.
    let nk = d.indicators.iter().find(|i| i.key == format!("{NK}#goals#单位地区生产总值能耗下降率")).unwrap();
    let preamble_end = sources[4].text.find("人民政府关于印发").unwrap();
    assert!(nk.provenance.start.unwrap() as usize > sources[4].text[..preamble_end].chars().count());
    assert!(normalised > all.len() / 5, "{normalised} of {} quotes differ from their cleaned reading", all.len());
}

#[test]
fn no_noise_anywhere() {
    let mut d = dataset();
    // Verbatim quotes keep the noise by design; everything else must not.
    for p in d.plans.iter_mut().map(|p| &mut p.provenance).chain(d.tasks.iter_mut().map(|t| &mut t.provenance)) {
        p.quote.clear();
    }
    for i in &mut d.indicators {
        i.provenance.quote.clear();
        for t in &mut i.targets {
            t.provenance.quote.clear();
        }
        for a in &mut i.actuals {
            a.provenance.quote.clear();
        }
    }
    let json = serde_json::to_string(&d).unwrap();
    for noise in [
        "188比分直播",
        "?",
        "PM<sub>",
        "PM_{",
        "<sub>",
        "瑞士",
        "青海",
        "青年",
        "少年",
        "安全生产月",
        "黄南",
        "扫一扫",
        "天气预报",
        "丰善环保网",
        "**",
        "#### ",
    ] {
        assert!(!json.contains(noise), "found {noise:?}");
    }
    // The restored word 关于 in the Xiqing notice (replaced by the spam link).
    let xq = d.plans.iter().find(|p| p.key == XQ).unwrap();
    assert_eq!(xq.provenance.cleaned, "天津市西青区人民政府关于印发天津市西青区碳达峰实施方案的通知");
    // Nothing from the unrelated news of doc 000: no department outside the four agencies and the government.
    let city_units: Vec<&str> =
        d.departments.iter().filter(|x| x.region_key == "120000").map(|x| x.name.as_str()).collect();
    assert!(!city_units.iter().any(|n| n.contains("应急") || n.contains("文明办") || n.contains("教委")));
}

#[test]
fn departments_merged() {
    let d = dataset();
    let mut reg = departments::Registry::default();
    let a = reg.resolve("区发改委", regions::JINGHAI);
    let b = reg.resolve("区发展改革委", regions::JINGHAI);
    assert_eq!(a, b);
    let jh = d.departments.iter().find(|x| x.key == "120118/静海区发展改革委").unwrap();
    assert_eq!(jh.aliases, vec!["区发改委"]);
    assert_eq!(jh.kind, DepartmentKind::Bureau);
    assert_eq!(jh.parent_key.as_deref(), Some("120118/静海区人民政府"));
    let dept = |k: &str| d.departments.iter().find(|x| x.key == k).unwrap_or_else(|| panic!("{k}"));
    assert_eq!(dept("120000/天津市规划和自然资源局").aliases, vec!["市规划资源局"]);
    assert_eq!(dept("120000/天津市生态环境局").aliases, vec!["市生态环境局"]);
    assert_eq!(
        dept("120118/天津市规划和自然资源局静海分局").parent_key.as_deref(),
        Some("120000/天津市规划和自然资源局")
    );
    assert_eq!(dept("120118/国网天津静海供电有限公司").kind, DepartmentKind::Enterprise);
    assert_eq!(dept("120118/静海区各乡镇园区").kind, DepartmentKind::Collective);
    assert_eq!(dept("120118/静海区各有关乡镇园区").aliases, vec!["各有关乡镇园区", "有关乡镇园区"]);
    assert_eq!(dept("120117/宁河区生态环境局").kind, DepartmentKind::Bureau);
    assert_eq!(dept("xiongan/雄安新区管理委员会生态环境局").region_key, regions::XIONGAN);
    assert_eq!(dept("110112/通州区生态环境局").aliases, vec!["北京市通州区生态环境局"]);
    // Every department's region exists; every assignment points to a department.
    for x in &d.departments {
        assert!(d.regions.iter().any(|r| r.key == x.region_key), "{}", x.key);
        assert!(!x.aliases.contains(&x.name));
    }
    for t in &d.tasks {
        for a in &t.assignments {
            assert!(d.departments.iter().any(|x| x.key == a.department_key), "{}", a.department_key);
        }
    }
    assert_eq!(d.departments.iter().filter(|x| x.region_key == regions::JINGHAI).count(), 41);
}

#[test]
fn regions_tree() {
    let d = dataset();
    assert_eq!(d.regions.len(), 6 + 16);
    let r = |k: &str| d.regions.iter().find(|r| r.key == k).unwrap();
    assert_eq!(r("120118").name, "静海区");
    assert_eq!(r("120118").parent_key.as_deref(), Some("120000"));
    assert_eq!(r("120000").parent_key.as_deref(), Some("jing-jin-ji"));
    assert_eq!(r("xiongan").code, None);
    assert_eq!(r("jing-jin-ji").code, None);
    for region in &d.regions {
        if let Some(p) = &region.parent_key {
            assert!(d.regions.iter().any(|x| &x.key == p));
        }
    }
}

#[test]
fn keys_unique_and_deterministic() {
    let a = dataset();
    let b = dataset();
    assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    let mut keys: Vec<&str> = a.tasks.iter().map(|t| t.key.as_str()).collect();
    keys.extend(a.indicators.iter().map(|i| i.key.as_str()));
    keys.extend(a.plans.iter().map(|p| p.key.as_str()));
    keys.extend(a.departments.iter().map(|p| p.key.as_str()));
    let n = keys.len();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), n, "duplicate keys");
    for t in &a.tasks {
        assert!(t.parent_key.as_ref().is_none_or(|p| a.tasks.iter().any(|x| &x.key == p)));
    }
    for i in &a.indicators {
        assert!(i.task_key.as_ref().is_none_or(|k| a.tasks.iter().any(|t| &t.key == k)));
        assert!(i.targets.iter().all(|t| !t.provenance.quote.is_empty()));
    }
    assert_eq!(a.sources.len(), 5);
    assert!(a.sources.iter().all(|s| s.sha256.len() == 64));
}

#[test]
fn missing_source_and_rotten_corrections_fail() {
    let (mut s, c) = load();
    s.retain(|x| x.file_name != docs::JINGHAI_PLAN);
    assert!(
        matches!(parse_sources(&s, &c, &coordination(), &projects()), Err(ParseError::MissingSource(f)) if f == docs::JINGHAI_PLAN)
    );

    let (s, _) = load();
    let toml = std::fs::read_to_string(data_dir().join("corrections.toml")).unwrap();
    let rotten = format!(
        "{toml}\n[[skip_target]]\nfile = \"003_8f0cb15813cef04d.txt\"\nquote = \"这句话不在文中\"\nnumber = \"1个\"\nreason = \"test\"\n"
    );
    let c = load_corrections(&rotten).unwrap();
    assert!(matches!(parse_sources(&s, &c, &coordination(), &projects()), Err(ParseError::CorrectionNotFound { .. })));
    assert!(matches!(load_corrections("[[nonsense]]\n"), Err(ParseError::Corrections(_))));

    // A past result whose sentence is gone, or whose figure is not the one written, fails too.
    let actual = |quote: &str, value: f64, number: &str| {
        format!(
            "{toml}\n[[actual]]\nfile = \"002_f0f9c9e19bad9bef.txt\"\nquote = \"{quote}\"\n\
             plan = \"{Y2024}\"\nindicator = \"无废细胞\"\nunit = \"个\"\nperiod = \"2022\"\n\
             value = {value:?}\nnumber = \"{number}\"\n"
        )
    };
    let c = load_corrections(&actual("这句话不在文中", 518.0, "518个")).unwrap();
    assert!(matches!(parse_sources(&s, &c, &coordination(), &projects()), Err(ParseError::CorrectionNotFound { .. })));
    let c = load_corrections(&actual("建成518个“无废细胞”", 581.0, "518个")).unwrap();
    assert!(matches!(parse_sources(&s, &c, &coordination(), &projects()), Err(ParseError::Conflict { .. })));
    let c = load_corrections(&actual("建成518个“无废细胞”", 518.0, "518个")).unwrap();
    assert!(
        parse_sources(&s, &c, &coordination(), &projects()).is_ok(),
        "the same result for another period is accepted"
    );
}

#[test]
fn parents_come_first() {
    let d = dataset();
    for (i, x) in d.departments.iter().enumerate() {
        if let Some(p) = &x.parent_key {
            assert!(d.departments[..i].iter().any(|y| &y.key == p), "{} before its parent {p}", x.key);
        }
    }
    for (i, t) in d.tasks.iter().enumerate() {
        if let Some(p) = &t.parent_key {
            assert!(d.tasks[..i].iter().any(|y| &y.key == p), "{}", t.key);
        }
    }
    for (i, p) in d.plans.iter().enumerate() {
        if let Some(parent) = &p.parent_key {
            assert!(d.plans[..i].iter().any(|y| &y.key == parent), "{}", p.key);
        }
    }
}

#[test]
fn past_results_are_actual_values_never_targets() {
    let d = dataset();
    let get = |key: &str| d.indicators.iter().find(|i| i.key == key).unwrap_or_else(|| panic!("{key}"));
    // A result of an indicator that has a target: 518 无废细胞 built in 2023, next to the 2024 target of 500.
    let cells = get(&format!("{Y2024}#二#无废细胞"));
    assert_eq!(cells.targets.iter().map(|t| (t.year, t.value)).collect::<Vec<_>>(), [(Some(2024), Some(500.0))]);
    assert_eq!(cells.actuals.iter().map(|a| (a.period.as_str(), a.value)).collect::<Vec<_>>(), [("2023", 518.0)]);
    assert!(cells.actuals[0].provenance.quote.contains("建成518个“无废细胞”"), "{:?}", cells.actuals[0].provenance);
    // 十三五 and the following years: two indicators, as the text measures them differently.
    let fyp = get(&format!("{CITY}#results#规模以上工业单位增加值能耗“十三五”下降率"));
    assert_eq!(fyp.actuals.iter().map(|a| (a.period.as_str(), a.value)).collect::<Vec<_>>(), [("2020", 16.0)]);
    let yearly = get(&format!("{CITY}#results#规模以上工业单位增加值能耗年度下降率"));
    let values: Vec<(&str, f64)> = yearly.actuals.iter().map(|a| (a.period.as_str(), a.value)).collect();
    assert_eq!(values, [("2021", 8.5), ("2022", 2.5)]);
    // 余 (more than) is said in the note, never in the value.
    let units = get(&format!("{CITY}#results#国家级绿色单位"));
    assert_eq!((units.actuals[0].value, units.actuals[0].note.as_deref()), (150.0, Some("150余家：多于150家")));
    let with_actuals: Vec<&Indicator> = d.indicators.iter().filter(|i| !i.actuals.is_empty()).collect();
    // 29 indicators with 30 values before the Jing-Jin-Ji results, 18 of those (one each).
    assert_eq!(with_actuals.len(), 29 + 18);
    assert_eq!(with_actuals.iter().map(|i| i.actuals.len()).sum::<usize>(), 30 + 18);
    for i in &with_actuals {
        // No past result became a target: result indicators have none, and no target is before 2024.
        if i.key.contains("#results#") {
            assert!(i.targets.is_empty(), "{}", i.key);
        }
        assert!(i.targets.iter().all(|t| t.year.is_none_or(|y| y >= 2024)), "{}", i.key);
        for a in &i.actuals {
            // Two figures are written in Chinese numerals: 两万辆 (2 万辆), 两家重点企业 (2 家).
            let written = a.provenance.cleaned.contains(&format_number(a.value))
                || (a.value == 2.0 && ["两万辆", "两家"].iter().any(|w| a.provenance.cleaned.contains(w)));
            assert!(written, "{}: {}", i.key, a.provenance.cleaned);
            assert!(a.provenance.start.is_some(), "{}", i.key);
        }
    }
}

#[test]
fn jing_jin_ji_coordination_is_tasks_records_and_actuals_by_province() {
    let d = dataset();
    let tasks: Vec<&Task> = d.tasks.iter().filter(|t| t.plan_key == docs::JJJ_MEASURES).collect();
    let groups: Vec<&str> =
        tasks.iter().filter(|t| t.kind == TaskKind::ActionGroup).map(|t| t.title.as_str()).collect();
    assert_eq!(
        groups,
        ["凝聚协同合力", "扩展协同领域", "推动绿色转型", "深化协同治理", "2024年推进区域生态环境联防联控"]
    );
    assert_eq!(tasks.iter().filter(|t| t.kind == TaskKind::Task).count(), 25);
    // The measure one province carries out is assigned to that province's agency, as written.
    let boilers = task(&d, docs::JJJ_MEASURES, "三.1");
    let dept = |key: &str| d.departments.iter().find(|x| x.key == key).unwrap_or_else(|| panic!("{key}"));
    let leads: Vec<(&str, &str)> = boilers
        .assignments
        .iter()
        .map(|a| (dept(&a.department_key).name.as_str(), dept(&a.department_key).region_key.as_str()))
        .collect();
    assert_eq!(leads, [("北京市生态环境局", regions::BEIJING)]);
    // Beijing and Hebei agencies are departments of their regions.
    for (name, region) in [
        ("北京市生态环境局", regions::BEIJING),
        ("北京市水务局", regions::BEIJING),
        ("河北省生态环境厅", regions::HEBEI),
        ("河北省水利厅", regions::HEBEI),
        ("雄安新区管理委员会生态环境局", regions::XIONGAN),
    ] {
        assert!(d.departments.iter().any(|x| x.name == name && x.region_key == region), "{name}");
    }
    assert_eq!(d.coordination.len(), 26);
    let compensation = d.coordination.iter().find(|r| r.title.contains("横向生态保护补偿协议")).unwrap();
    assert_eq!(compensation.kind, crate::seed::model::CoordinationKind::Agreement);
    assert_eq!(compensation.date.as_deref(), Some("2023"));
    assert!(compensation.provenance.quote.contains("协议补偿(河北省)资金4.5亿元"), "verbatim: half-width brackets");
    // Results by province: the region of each indicator, its value as written.
    let result = |name: &str| {
        let i = d.indicators.iter().find(|i| i.plan_key == docs::JJJ_MEASURES && i.name == name).unwrap();
        (i.region_key.as_str(), i.unit.as_str(), i.actuals[0].period.as_str(), i.actuals[0].value)
    };
    assert_eq!(result("完成清洁化改造的燃油锅炉"), (regions::BEIJING, "台", "2023", 23.0));
    assert_eq!(result("通过国家超低排放审核的钢铁企业"), (regions::TIANJIN, "家", "2023", 4.0));
    assert_eq!(result("完成的无组织排放管控项目"), (regions::HEBEI, "个", "2023", 1703.0));
    assert_eq!(result("新能源重卡保有量"), (regions::HEBEI, "万辆", "2023", 2.0));
    assert_eq!(result("横向生态保护补偿协议补偿资金"), (regions::HEBEI, "亿元", "2023", 4.5));
    assert_eq!(result("协同措施"), (regions::JING_JIN_JI, "项", "2023", 44.0));
    assert_eq!(result("共享执法数据信息"), (regions::JING_JIN_JI, "条", "2023", 1500.0));
}

#[test]
fn targets_of_every_kind_keep_their_year_start_and_phrase() {
    use crate::seed::model::TargetKind;
    let d = dataset();
    let target = |plan: &str, name: &str| {
        let i = d.indicators.iter().find(|i| i.plan_key == plan && i.name == name);
        let i = i.unwrap_or_else(|| panic!("{plan}: no indicator {name}"));
        assert_eq!(i.targets.len(), 1, "{name}");
        let t = &i.targets[0];
        (
            t.kind,
            t.year,
            t.start_year,
            t.phrase.as_deref(),
            t.comparator,
            t.value.unwrap_or(f64::NAN),
            t.value_max,
            i.unit.as_str(),
        )
    };
    let pue = target(XQ, "新建大型、超大型数据中心电能利用效率PUE");
    assert_eq!(pue, (TargetKind::Standing, None, None, None, Lte, 1.25, None, ""));
    assert_eq!(target(XQ, "政府绿色采购比例"), (TargetKind::Standing, None, None, None, Gte, 82.0, None, "%"));
    assert_eq!(target(XQ, "无废细胞"), (TargetKind::Standing, None, None, None, Gte, 100.0, None, "个"));
    assert_eq!(
        target(CITY, "每年新增国家级绿色制造单位"),
        (TargetKind::Annual, None, None, Some("每年新增"), Approx, 20.0, None, "家")
    );
    assert_eq!(
        target(NK, "新增、更新公务用车中新能源汽车比例"),
        (TargetKind::FromYear, None, Some(2023), Some("2023年起"), Gte, 30.0, None, "%")
    );
    // The Xiqing ranges the scrape ran together, and the ≥ 20 % of the same sentence.
    let range = target(XQ, "各主导产业两业融合“生态圈”");
    assert_eq!(range, (TargetKind::ByYear, Some(2025), None, None, Between, 5.0, Some(10.0), "家"));
    let range = target(XQ, "引进或培育的细分行业智能制造系统解决方案供应商");
    assert_eq!(range, (TargetKind::ByYear, Some(2025), None, None, Between, 10.0, Some(15.0), "个"));
    assert_eq!(target(XQ, "实现服务化升级的企业比例").5, 20.0);
    // Seven implied 100 % targets, each with the words that imply it.
    let full: Vec<_> =
        d.indicators.iter().flat_map(|i| &i.targets).filter(|t| t.kind == TargetKind::ImplicitFull).collect();
    assert_eq!(full.len(), 7);
    for t in full {
        let phrase = t.phrase.as_deref().unwrap_or_default();
        assert!(!phrase.is_empty() && t.provenance.cleaned.contains(phrase), "{phrase}");
        assert_eq!((t.comparator, t.value), (Eq, Some(100.0)));
        assert!(t.year.is_some());
    }
    assert_eq!(
        target(JH, "各轨道交通站点公交接驳线路"),
        (TargetKind::ByYear, Some(2025), None, None, Gte, 1.0, None, "条")
    );
    // The counts of 专栏2 and 专栏7 with no year: standing targets of their 专栏.
    for (name, code, cmp, value, max, unit) in [
        ("资源综合利用（再制造）龙头企业", "三.（二）.专栏2", Gte, 10.0, None, "家"),
        ("动力电池梯次利用及资源化利用示范项目", "三.（二）.专栏2", Between, 2.0, Some(3.0), "个"),
        ("报废汽车关键零部件的回收再制造项目", "三.（二）.专栏2", Between, 1.0, Some(2.0), "个"),
        ("绿色能源小镇示范区", "三.（五）.专栏7", Between, 2.0, Some(3.0), "个"),
    ] {
        let (kind, year, _, _, c, v, m, u) = target(JH, name);
        assert_eq!((kind, year, c, v, m, u), (TargetKind::Standing, None, cmp, value, max, unit), "{name}");
        let i = d.indicators.iter().find(|i| i.plan_key == JH && i.name == name).unwrap();
        assert_eq!(i.task_key.as_deref(), Some(task(&d, JH, code).key.as_str()), "{name}");
        assert!(i.targets[0].provenance.quote.contains(&format_number(value)), "{name}");
    }
    // 510 and 1015 are never values.
    let values: Vec<f64> =
        d.indicators.iter().flat_map(|i| i.targets.iter().flat_map(|t| [t.value, t.value_max])).flatten().collect();
    assert!(!values.contains(&510.0) && !values.contains(&1015.0));
}

#[test]
fn goals_in_words_are_qualitative_targets_with_their_phrase_and_no_value() {
    use crate::seed::model::TargetKind;
    let d = dataset();
    let words: Vec<_> = d
        .indicators
        .iter()
        .flat_map(|i| i.targets.iter().map(move |t| (i, t)))
        .filter(|(_, t)| t.kind == TargetKind::Qualitative)
        .collect();
    assert_eq!(words.len(), 21);
    for (i, t) in &words {
        let phrase = t.phrase.as_deref().unwrap_or_default();
        assert!(!phrase.is_empty() && t.provenance.cleaned.contains(phrase), "{}: {phrase}", i.name);
        assert_eq!((t.value, t.value_max, t.comparator), (None, None, Eq), "{}", i.name);
        assert!(t.year.is_some(), "{}", i.name);
    }
    let of = |plan: &str, name: &str| {
        let i = d.indicators.iter().find(|i| i.plan_key == plan && i.name == name);
        i.unwrap_or_else(|| panic!("{plan}: no indicator {name}"))
    };
    // A goal of its own: an indicator measured in words, no unit.
    let park = of(JH, "天津唐官屯加工物流区循环化改造");
    assert_eq!((park.measure, park.unit.as_str(), park.summable), (Measure::Qualitative, "", false));
    let t = &park.targets[0];
    assert_eq!((t.year, t.phrase.as_deref()), (Some(2025), Some("完成天津唐官屯加工物流区循环化改造")));
    assert_eq!(t.provenance.quote, "到2025年，完成天津唐官屯加工物流区循环化改造。");
    // Words after a figure: the same indicator, its unit and measure kept.
    let forest = of(JH, "森林覆盖率");
    assert_eq!((forest.measure, forest.unit.as_str()), (Measure::Percentage, "%"));
    let kinds: Vec<_> = forest.targets.iter().map(|t| (t.year, t.kind, t.value)).collect();
    assert_eq!(kinds, [(Some(2025), TargetKind::ByYear, Some(10.5)), (Some(2030), TargetKind::Qualitative, None)]);
    let fossil = of(XQ, "非化石能源消费比重");
    assert_eq!(fossil.measure, Measure::Qualitative);
    let phrases: Vec<_> = fossil.targets.iter().map(|t| (t.year, t.phrase.as_deref())).collect();
    assert_eq!(phrases, [(Some(2025), Some("有所提升")), (Some(2030), Some("进一步提升"))]);
}

#[test]
fn projects_are_read_from_their_columns_and_a_figure_not_as_written_fails() {
    let d = dataset();
    assert_eq!(d.projects.len(), 38);
    let in_task = |code: &str| d.projects.iter().filter(|p| p.task_key == task(&d, JH, code).key).count();
    assert_eq!(in_task("三.（三）.专栏4"), 7);
    assert_eq!(in_task("三.（三）.专栏5"), 10);
    assert_eq!(d.projects.iter().filter(|p| p.plan_key == XQ).count(), 6);
    let biomass = d.projects.iter().find(|p| p.name == "新能源环保发电项目（二期）").unwrap();
    let sizes: Vec<(f64, &str)> = biomass.sizes.iter().map(|s| (s.value, s.unit.as_str())).collect();
    assert_eq!(sizes, [(500.0, "吨/日"), (10.0, "MW"), (100.0, "吨/日")]);
    assert_eq!(
        biomass.responsible_keys,
        task(&d, JH, "三.（三）.1").assignments.iter().map(|a| a.department_key.clone()).collect::<Vec<_>>()
    );
    assert!(biomass.provenance.start.is_some());

    let (s, c) = load();
    let entry = |quote: &str, written: &str, value: f64| {
        format!(
            "[[project]]\nfile = \"003_8f0cb15813cef04d.txt\"\ntask = \"三.（三）.专栏4\"\nkind = \"光伏发电\"\n\
             name = \"测试\"\nquote = \"{quote}\"\nsizes = [{{ value = {value:.1}, unit = \"MW\", written = \"{written}\" }}]\n"
        )
    };
    let parse = |toml: String| parse_sources(&s, &c, &coordination(), &load_projects(&toml).unwrap());
    assert!(parse(entry("国华大邱庄 100MW 渔光互补发电", "100MW", 100.0)).is_ok());
    assert!(matches!(parse(entry("国华大邱庄 100MW 渔光互补发电", "100MW", 10.0)), Err(ParseError::Structure { .. })));
    assert!(matches!(parse(entry("国华大邱庄 100MW 渔光互补发电", "200MW", 200.0)), Err(ParseError::Structure { .. })));
    assert!(matches!(parse(entry("这句话不在文中 100MW", "100MW", 100.0)), Err(ParseError::Structure { .. })));
    assert!(load_projects("[[project]]\nnonsense = 1\n").is_err());
}
