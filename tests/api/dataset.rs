//! The default dataset, checked through the API against facts read from the
//! source documents. Wrong numbers are worse than missing ones.

use crate::helpers::{TestApp, spawn_app};
use serde_json::{Value, json};

/// (region code, indicator name, unit, year, comparator, value, upper bound)
type TargetFact = (&'static str, &'static str, &'static str, i64, &'static str, f64, Option<f64>);

const TARGETS: &[TargetFact] = &[
    // 天津市静海区碳达峰实施方案 (津静海政发〔2023〕11号)
    ("120118", "非化石能源消费比重", "%", 2025, "GT", 10.0, None),
    ("120118", "非化石能源消费比重", "%", 2030, "GTE", 15.0, None),
    ("120118", "电能占终端用能比重", "%", 2025, "GTE", 38.0, None),
    ("120118", "电能占终端用能比重", "%", 2030, "GT", 40.0, None),
    ("120118", "森林覆盖率", "%", 2025, "GTE", 10.5, None),
    ("120118", "规模以上工业单位增加值能耗下降率", "%", 2025, "GTE", 15.5, None),
    ("120118", "工业战略性新兴产业增加值占GDP比重", "%", 2025, "GTE", 25.0, None),
    ("120118", "主要再生资源回收率", "%", 2025, "GTE", 98.0, None),
    ("120118", "园区废弃电器电子产品资源化率", "%", 2025, "GTE", 91.5, None),
    ("120118", "园区报废汽车资源化率", "%", 2025, "GTE", 92.0, None),
    ("120118", "再生水利用率", "%", 2025, "GTE", 50.0, None),
    ("120118", "可再生能源电力装机容量", "万千瓦", 2025, "GTE", 280.0, None),
    ("120118", "天然气消费量", "亿立方米", 2025, "GTE", 15.0, None),
    ("120118", "超低能耗建筑示范面积", "万平方米", 2025, "GTE", 5.0, None),
    ("120118", "公用充电桩", "台", 2025, "GTE", 500.0, None),
    ("120118", "生态保护红线面积占区国土面积比例", "%", 2025, "GTE", 3.81, None),
    ("120118", "农作物秸秆综合利用率", "%", 2025, "GTE", 98.0, None),
    ("120118", "绿色出行比例", "%", 2025, "GTE", 70.0, None),
    ("120118", "静海核心区公共充电服务半径", "公里", 2025, "LT", 3.0, None),
    // 天津市绿色低碳发展行动方案 (city, targets to end of 2027)
    ("120000", "PM2.5年均浓度", "微克/立方米", 2027, "LTE", 35.0, None),
    ("120000", "绿色生态屏障蓝绿空间", "%", 2027, "GTE", 67.0, None),
    ("120000", "二氧化碳排放强度下降率", "%", 2027, "APPROX", 27.5, None),
    ("120000", "非化石能源消费比重", "%", 2027, "GTE", 13.5, None),
    ("120000", "公共充电桩总量", "万台", 2027, "GTE", 4.2, None),
    ("120000", "单位地区生产总值能耗下降率", "%", 2027, "GTE", 19.7, None),
    ("120000", "燃气老旧管网", "公里", 2027, "GTE", 900.0, None),
    ("120000", "供热老旧管网", "公里", 2027, "GTE", 500.0, None),
    ("120000", "既有建筑低碳改造", "万平方米", 2027, "GTE", 200.0, None),
    ("120000", "口袋公园", "个", 2027, "GTE", 300.0, None),
    ("120000", "绿色出行比例", "%", 2027, "APPROX", 77.0, None),
    ("120000", "生态主题精品旅游线路", "条", 2027, "BETWEEN", 4.0, Some(5.0)),
    ("120000", "修复滨海湿地面积", "公顷", 2027, "GTE", 1180.0, None),
    // 2024 priorities (五抓五有)
    ("120000", "无废细胞", "个", 2024, "GTE", 500.0, None),
];

async fn indicators_of(app: &TestApp, region_code: &str) -> Vec<Value> {
    let data = app
        .data(
            "query($code: String) { indicators(filter: {regionCode: $code}, first: 100) { nodes {
                name unit baseline { year value } targets { year comparator value valueMax }
                region { code } provenance { quote cleanedQuote document { fileName } } } } }",
            json!({ "code": region_code }),
        )
        .await;
    data["indicators"]["nodes"].as_array().expect("nodes").clone()
}

#[tokio::test]
async fn quantified_targets_carry_their_exact_numbers() {
    let app = spawn_app().await;
    let jinghai = indicators_of(&app, "120118").await;
    let city = indicators_of(&app, "120000").await;
    for &(region, name, unit, year, comparator, value, value_max) in TARGETS {
        let pool = if region == "120118" { &jinghai } else { &city };
        let indicator =
            pool.iter().find(|i| i["name"] == name).unwrap_or_else(|| panic!("{region} has no indicator named {name}"));
        assert_eq!(indicator["unit"], unit, "{name}: unit");
        assert_eq!(indicator["region"]["code"], region, "{name}: region");
        let target = indicator["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .find(|t| t["year"] == year)
            .unwrap_or_else(|| panic!("{name}: no target for {year}"));
        assert_eq!(target["comparator"], comparator, "{name} {year}: comparator");
        assert_eq!(target["value"].as_f64(), Some(value), "{name} {year}: value");
        assert_eq!(target["valueMax"].as_f64(), value_max, "{name} {year}: upper bound");
        let quote = indicator["provenance"]["quote"].as_str().unwrap_or("");
        assert!(!quote.is_empty(), "{name}: provenance quote missing");
    }
}

#[tokio::test]
async fn decreases_against_2020_have_2020_as_baseline() {
    let app = spawn_app().await;
    let jinghai = indicators_of(&app, "120118").await;
    let industry = jinghai.iter().find(|i| i["name"] == "规模以上工业单位增加值能耗下降率").expect("indicator");
    assert_eq!(industry["baseline"], json!({ "year": 2020, "value": 0.0 }));
    assert!(industry["provenance"]["quote"].as_str().unwrap_or("").contains("比2020年下降15.5%"));
    assert!(industry["provenance"]["cleanedQuote"].as_str().unwrap_or("").contains("比2020年下降15.5%"));
}

#[tokio::test]
async fn jinghai_renewable_capacity_lists_its_responsible_units_in_order() {
    let app = spawn_app().await;
    let data = app
        .data(
            r#"{ indicators(filter: {regionCode: "120118", search: "可再生能源电力装机容量"}) { nodes {
                targets { year value } task { code assignments { role position department { name aliases } } } } } }"#,
            json!({}),
        )
        .await;
    let indicator = &data["indicators"]["nodes"][0];
    // 280 by 2025, and 进一步增长 by 2030: a goal in words, with no value.
    assert_eq!(indicator["targets"], json!([{ "year": 2025, "value": 280.0 }, { "year": 2030, "value": null }]));
    let assignments = indicator["task"]["assignments"].as_array().expect("assignments");
    let names: Vec<&str> = assignments.iter().map(|a| a["department"]["name"].as_str().unwrap_or("")).collect();
    assert_eq!(names, ["静海区发展改革委", "静海区城市管理委", "国网天津静海供电有限公司", "静海区各乡镇园区"]);
    let roles: Vec<&str> = assignments.iter().map(|a| a["role"].as_str().unwrap_or("")).collect();
    assert_eq!(roles, ["LEAD", "SUPPORT", "SUPPORT", "SUPPORT"]);
    let aliases = assignments[0]["department"]["aliases"].as_array().expect("aliases");
    assert!(aliases.iter().any(|a| a == "区发改委"), "区发改委 is an alias of 静海区发展改革委");
}

#[tokio::test]
async fn plans_have_their_document_numbers_dates_and_task_counts() {
    let app = spawn_app().await;
    let data = app
        .data(
            "{ plans(first: 20) { totalCount nodes { title documentNumber issuedOn sharingClass region { code }
                groups: tasks(filter: {kind: ACTION_GROUP}) { totalCount }
                numbered: tasks(filter: {kind: TASK}) { totalCount }
                columns: tasks(filter: {kind: FEATURED_PROJECT}) { totalCount }
                indicators { totalCount } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["plans"]["totalCount"], 7);
    let plans = data["plans"]["nodes"].as_array().expect("plans");
    // (title, 文号, date, region, action groups, numbered tasks, 专栏, indicators). The targets of
    // every kind added indicators: Jinghai 3, Nankai 3, Xiqing 8, the action plan 1 (annual); then the
    // standing counts of Jinghai's 专栏 (4) and the goals in words: Jinghai 10, Nankai 6, Xiqing 2.
    let expected = [
        (
            "天津市静海区碳达峰实施方案",
            Some("津静海政发〔2023〕11号"),
            Some("2023-06-15"),
            "120118",
            16,
            32,
            10,
            44 + 3 + 4 + 10,
        ),
        (
            "天津市南开区碳达峰实施方案",
            Some("南开政发〔2022〕10号"),
            Some("2022-12-14"),
            "120104",
            17,
            25,
            0,
            26 + 3 + 6,
        ),
        (
            "天津市西青区碳达峰实施方案",
            Some("西青政发〔2023〕5号"),
            Some("2023-04-28"),
            "120111",
            23,
            40,
            0,
            31 + 8 + 2,
        ),
        // 19 indicators with targets, 15 holding only past results (今年以来, 十三五) as actuals.
        ("天津市绿色低碳发展行动方案", None, None, "120000", 5, 24, 0, 33 + 1),
        // The Jing-Jin-Ji plan: 4 areas of 2023 and the 2024 plan, 25 measures, 18 results of 2023.
        ("京津冀生态环境联防联控协同措施清单（两批44项）", None, None, "jing-jin-ji", 5, 25, 0, 18),
    ];
    for (title, number, date, region, groups, numbered, columns, indicators) in expected {
        let plan = plans.iter().find(|p| p["title"] == title).unwrap_or_else(|| panic!("no plan {title}"));
        assert_eq!(plan["documentNumber"].as_str(), number, "{title}");
        assert_eq!(plan["issuedOn"].as_str(), date, "{title}");
        let code = plan["region"]["code"].as_str().unwrap_or("jing-jin-ji"); // the area has no code
        assert_eq!(code, region, "{title}");
        assert_eq!(plan["sharingClass"], "PUBLIC", "{title} is marked 此件主动公开 or published as news");
        assert_eq!(plan["groups"]["totalCount"], groups, "{title}: action groups");
        assert_eq!(plan["numbered"]["totalCount"], numbered, "{title}: numbered tasks");
        assert_eq!(plan["columns"]["totalCount"], columns, "{title}: 专栏");
        assert_eq!(plan["indicators"]["totalCount"], indicators, "{title}: indicators");
    }
}

/// "完成全市下达指标" in the district carbon-peak plans refers to the plan they
/// implement, 《天津市碳达峰实施方案》 (2025 and 2030), not to the 2027 action plan.
#[tokio::test]
async fn district_commitments_cascade_to_the_city_carbon_peak_plan() {
    let app = spawn_app().await;
    let data = app
        .data(
            r#"{ plans(filter: {search: "碳达峰实施方案"}, first: 10) { nodes { title periodStart periodEnd
                parent { title }
                indicators(first: 10) { nodes { name targets { year } region { code }
                  contributors(first: 10) { nodes { name region { name } plan { parent { title } }
                    contributesTo { plan { title } } provenance { quote } } } } } } } }"#,
            json!({}),
        )
        .await;
    let plans = data["plans"]["nodes"].as_array().expect("plans");
    let city = plans.iter().find(|p| p["title"] == "天津市碳达峰实施方案").expect("the city carbon-peak plan");
    assert_eq!((city["periodStart"].as_i64(), city["periodEnd"].as_i64()), (Some(2021), Some(2030)));
    for district in plans.iter().filter(|p| p["title"] != "天津市碳达峰实施方案") {
        assert_eq!(district["parent"]["title"], "天津市碳达峰实施方案", "{}", district["title"]);
    }
    let indicators = city["indicators"]["nodes"].as_array().expect("indicators");
    let names: Vec<&str> = indicators.iter().map(|i| i["name"].as_str().unwrap_or("")).collect();
    assert_eq!(names, ["单位地区生产总值能耗下降率", "单位地区生产总值二氧化碳排放下降率"]);
    for indicator in indicators {
        assert_eq!(indicator["region"]["code"], "120000");
        assert_eq!(indicator["targets"], json!([]), "the texts give no figure of the city plan");
        let contributors = indicator["contributors"]["nodes"].as_array().expect("contributors");
        let mut districts: Vec<&str> =
            contributors.iter().map(|c| c["region"]["name"].as_str().unwrap_or("")).collect();
        districts.sort();
        assert_eq!(districts, ["南开区", "西青区", "静海区"], "{}", indicator["name"]);
        for c in contributors {
            assert_eq!(c["name"], indicator["name"]);
            assert_eq!(c["contributesTo"]["plan"]["title"], "天津市碳达峰实施方案");
            assert_eq!(c["plan"]["parent"]["title"], "天津市碳达峰实施方案");
            assert!(c["provenance"]["quote"].as_str().unwrap_or("").contains("下达指标"), "{c}");
        }
    }
    // The 2027 action plan's intensities have no district contributors.
    let action = app
        .data(
            r#"{ indicators(filter: {regionCode: "120000", search: "单位地区生产总值能耗"}, first: 10) { nodes {
                plan { title } contributors { totalCount } } } }"#,
            json!({}),
        )
        .await;
    for i in action["indicators"]["nodes"].as_array().expect("indicators") {
        if i["plan"]["title"] == "天津市绿色低碳发展行动方案" {
            assert_eq!(i["contributors"]["totalCount"], 0);
        }
    }
}

#[tokio::test]
async fn the_unrelated_news_of_the_city_report_is_not_imported() {
    let app = spawn_app().await;
    for word in ["瑞士", "青海", "青年", "188比分直播"] {
        for list in ["plans", "tasks", "indicators", "departments"] {
            let body =
                app.data(&format!(r#"{{ {list}(filter: {{search: "{word}"}}) {{ totalCount }} }}"#), json!({})).await;
            assert_eq!(body[list]["totalCount"], 0, "{list} mention {word}");
        }
    }
}

#[tokio::test]
async fn reseeding_keeps_every_id_and_adds_nothing() {
    let app = spawn_app().await;
    let query = "{ plans(first: 50) { totalCount nodes { id } } tasks(first: 100) { totalCount nodes { id } }
                   indicators(first: 100) { totalCount nodes { id } } departments(first: 100) { totalCount nodes { id } } }";
    let before = app.data(query, json!({})).await;
    let report = xietong::seed::run(&app.db).await.expect("second import");
    assert!(report.tables.iter().all(|(_, c)| c.inserted == 0 && c.updated == 0), "{report}");
    let after = app.data(query, json!({})).await;
    assert_eq!(before, after);
}

/// The access rules judge an indicator's task from the indicator's row
/// (`Viewer::indicator_condition`), which holds only if an indicator and its
/// task belong to the same plan: the importer must keep that, as writes do.
#[tokio::test]
async fn every_indicator_of_a_task_belongs_to_the_tasks_plan() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = spawn_app().await;
    let count = |sql: &'static str| {
        let db = app.db.clone();
        async move {
            let row = db
                .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .expect("count")
                .expect("one row");
            row.try_get_by_index::<i64>(0).expect("a count")
        }
    };
    let with_task = count("SELECT COUNT(*) FROM indicator WHERE task_id IS NOT NULL").await;
    assert!(with_task > 50, "the dataset has indicators of tasks ({with_task})");
    let elsewhere = count(
        "SELECT COUNT(*) FROM indicator JOIN task ON task.id = indicator.task_id WHERE task.plan_id <> indicator.plan_id",
    )
    .await;
    assert_eq!(elsewhere, 0, "indicators whose task belongs to another plan");
}

/// Every provenance the API serves, paging through `list` (with `extra`
/// selections beside `provenance`): (what, provenance).
async fn served_provenances(app: &TestApp, list: &str, extra: &str) -> Vec<(String, Value)> {
    let selection =
        format!("id provenance {{ quote cleanedQuote startOffset endOffset document {{ fileName }} }} {extra}");
    let mut out = Vec::new();
    for node in app.all_nodes(list, &selection).await {
        let id = node["id"].as_str().unwrap_or("").to_string();
        out.push((format!("{list} {id}"), node["provenance"].clone()));
        for target in node["targets"].as_array().into_iter().flatten() {
            out.push((format!("{list} {id} target {}", target["year"]), target["provenance"].clone()));
        }
        for actual in node["actuals"]["nodes"].as_array().into_iter().flatten() {
            out.push((format!("{list} {id} actual {}", actual["period"]), actual["provenance"].clone()));
        }
    }
    out
}

/// Every quote the API serves is the exact text of its source file at the
/// offsets it gives, and the text it was parsed from is served beside it.
#[tokio::test]
async fn every_served_quote_is_verbatim_in_its_source_file_at_its_offsets() {
    let app = spawn_app().await;
    let provenance = "provenance { quote cleanedQuote startOffset endOffset document { fileName } }";
    let target_selection =
        format!("targets {{ year {provenance} }} actuals(first: 10) {{ nodes {{ period {provenance} }} }}");
    let mut served = served_provenances(&app, "plans", "").await;
    served.extend(served_provenances(&app, "tasks", "").await);
    served.extend(served_provenances(&app, "indicators", &target_selection).await);
    served.extend(served_provenances(&app, "coordinationRecords", "").await);
    served.extend(served_provenances(&app, "projects", "").await);
    let sources = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join("sources");
    let mut files: std::collections::HashMap<String, Vec<char>> = std::collections::HashMap::new();
    let (mut quotes, mut cleaned_differs) = (0, 0);
    for (what, p) in &served {
        let Some(quote) = p["quote"].as_str() else { continue };
        quotes += 1;
        let file = p["document"]["fileName"].as_str().unwrap_or_else(|| panic!("{what}: a quote without a file"));
        let raw = files
            .entry(file.to_string())
            .or_insert_with(|| std::fs::read_to_string(sources.join(file)).expect("source file").chars().collect());
        let text: String = raw.iter().collect();
        assert!(text.contains(quote), "{what}: {quote:?} is not in {file}");
        let (start, end) = (p["startOffset"].as_u64(), p["endOffset"].as_u64());
        let (Some(start), Some(end)) = (start, end) else { panic!("{what}: no offsets") };
        let (start, end) = (start as usize, end as usize);
        assert!(start < end && end <= raw.len(), "{what}: offsets {start}..{end} of {}", raw.len());
        let at: String = raw[start..end].iter().collect();
        assert_eq!(at, quote, "{what}: the offsets point elsewhere");
        let cleaned = p["cleanedQuote"].as_str().unwrap_or("");
        assert!(!cleaned.is_empty(), "{what}: no cleaned quote");
        if cleaned != quote {
            cleaned_differs += 1;
        }
    }
    assert!(quotes > 450, "{quotes} quotes served");
    // 30 past results, and the 18 Jing-Jin-Ji results of 2023.
    assert_eq!(served.iter().filter(|(what, _)| what.contains(" actual ")).count(), 30 + 18, "past results");
    assert_eq!(served.iter().filter(|(what, _)| what.starts_with("coordinationRecords ")).count(), 26);
    assert_eq!(served.iter().filter(|(what, _)| what.starts_with("projects ")).count(), 38);
    assert!(cleaned_differs > 0, "the cleaned readings are served separately");
    // The quotes that corrections or the scraper's spam made unlike their source.
    let with =
        |needle: &str| served.iter().filter(|(_, p)| p["quote"].as_str().is_some_and(|q| q.contains(needle))).count();
    assert!(with("比重达到35%全区") > 0, "the quote without the comma a correction added");
    assert_eq!(with("比重达到35%,全区"), 0);
    assert!(with("188比分直播") > 0, "the spam word the scraper injected, verbatim");
}

/// Past results the texts state (2023 figures, 十三五 results) are FINAL
/// actual values — of the indicator with the target where there is one, else
/// of an indicator without a target — each quoting its sentence.
#[tokio::test]
async fn past_results_are_final_actual_values_beside_the_targets() {
    let app = spawn_app().await;
    let query = r#"query($search: String) { indicators(filter: {regionCode: "120000", search: $search}, first: 10) {
        nodes { name unit plan { title } targets { year value }
          actuals(first: 10) { nodes { period value status revision note department { name }
            provenance { quote cleanedQuote document { fileName } } } } } } }"#;
    let find = |name: &'static str| {
        let app = &app;
        async move {
            let data = app.data(query, json!({ "search": name })).await;
            let nodes = data["indicators"]["nodes"].as_array().expect("nodes").clone();
            nodes.into_iter().find(|i| i["name"] == name).unwrap_or_else(|| panic!("no indicator {name}"))
        }
    };
    let cells = find("无废细胞").await;
    assert_eq!(cells["targets"], json!([{ "year": 2024, "value": 500.0 }]));
    let actual = &cells["actuals"]["nodes"][0];
    assert_eq!(
        (&actual["period"], &actual["value"], &actual["status"]),
        (&json!("2023"), &json!(518.0), &json!("FINAL"))
    );
    assert_eq!((&actual["revision"], &actual["department"]), (&json!(1), &Value::Null));
    assert_eq!(actual["provenance"]["document"]["fileName"], "002_f0f9c9e19bad9bef.txt");
    assert!(actual["provenance"]["quote"].as_str().unwrap_or("").contains("建成518个“无废细胞”"));

    let yearly = find("规模以上工业单位增加值能耗年度下降率").await;
    assert_eq!(yearly["targets"], json!([]), "a past result is never a target");
    let values: Vec<(Value, Value)> = yearly["actuals"]["nodes"]
        .as_array()
        .expect("actuals")
        .iter()
        .map(|a| (a["period"].clone(), a["value"].clone()))
        .collect();
    assert_eq!(values, [(json!("2021"), json!(8.5)), (json!("2022"), json!(2.5))]);

    let units = find("国家级绿色单位").await;
    assert_eq!(units["plan"]["title"], "天津市绿色低碳发展行动方案");
    let actual = &units["actuals"]["nodes"][0];
    assert_eq!((&actual["period"], &actual["value"]), (&json!("2023-H1"), &json!(150.0)));
    assert_eq!(actual["note"], "150余家：多于150家");
}

/// Targets of every kind, as the texts state them: standing (no year), every year, every year
/// from a start year, implied 100 % with its phrase, the ranges the scrape ran together — and
/// `year:` finds the standing and recurring ones in force that year.
#[tokio::test]
async fn targets_of_every_kind_are_served_and_found_by_the_year_they_are_in_force() {
    let app = spawn_app().await;
    let query = r#"query($code: String, $year: Int) { indicators(filter: {regionCode: $code, year: $year}, first: 100) {
        nodes { name unit targets { year kind startYear phrase comparator value valueMax provenance { quote } } } } }"#;
    let indicators = |code: &'static str, year: Option<i64>| {
        let app = &app;
        async move {
            let data = app.data(query, json!({ "code": code, "year": year })).await;
            data["indicators"]["nodes"].as_array().expect("indicators").clone()
        }
    };
    let find = |list: &[Value], name: &str| list.iter().find(|i| i["name"] == name).cloned();
    let xiqing = indicators("120111", None).await;
    let pue = find(&xiqing, "新建大型、超大型数据中心电能利用效率PUE").expect("PUE");
    let t = &pue["targets"][0];
    assert_eq!(
        (&t["year"], &t["kind"], &t["startYear"], &t["comparator"], &t["value"], &pue["unit"]),
        (&Value::Null, &json!("STANDING"), &Value::Null, &json!("LTE"), &json!(1.25), &json!(""))
    );
    assert!(pue["targets"][0]["provenance"]["quote"].as_str().unwrap_or("").contains("PUE不超过1.25"));
    let ranges: Vec<(Value, Value)> = ["各主导产业两业融合“生态圈”", "引进或培育的细分行业智能制造系统解决方案供应商"]
        .iter()
        .map(|name| find(&xiqing, name).expect(name))
        .map(|i| (i["targets"][0]["value"].clone(), i["targets"][0]["valueMax"].clone()))
        .collect();
    assert_eq!(ranges, [(json!(5.0), json!(10.0)), (json!(10.0), json!(15.0))], "never 510 or 1015");

    let nankai = indicators("120104", None).await;
    let cars = find(&nankai, "新增、更新公务用车中新能源汽车比例").expect("公务用车");
    let t = &cars["targets"][0];
    assert_eq!(
        (&t["kind"], &t["year"], &t["startYear"], &t["phrase"]),
        (&json!("FROM_YEAR"), &Value::Null, &json!(2023), &json!("2023年起"))
    );
    let full = find(&nankai, "国家机关、事业单位配套公共充电桩覆盖率").expect("全覆盖");
    let t = &full["targets"][0];
    assert_eq!(
        (&t["kind"], &t["year"], &t["value"], &t["phrase"]),
        (&json!("IMPLICIT_FULL"), &json!(2025), &json!(100.0), &json!("全覆盖"))
    );

    // year: finds the standing target any year, and the one from 2023 only from 2023 on.
    assert!(find(&indicators("120111", Some(2030)).await, "新建大型、超大型数据中心电能利用效率PUE").is_some());
    assert!(find(&indicators("120104", Some(2022)).await, "新增、更新公务用车中新能源汽车比例").is_none());
    assert!(find(&indicators("120104", Some(2024)).await, "新增、更新公务用车中新能源汽车比例").is_some());
    let city = indicators("120000", Some(2026)).await;
    let yearly = find(&city, "每年新增国家级绿色制造单位").expect("annual target in force in 2026");
    assert_eq!((&yearly["targets"][0]["kind"], &yearly["targets"][0]["value"]), (&json!("ANNUAL"), &json!(20.0)));
}

/// Goals in words (到2025年，完成…循环化改造) are QUALITATIVE targets: their year, their words as
/// `phrase` (in the verbatim quote), no value, and a progress of NO_DATA; the counts of 静海's 专栏
/// with no year are STANDING targets of their 专栏.
#[tokio::test]
async fn goals_in_words_are_qualitative_targets_and_column_counts_standing_ones() {
    let app = spawn_app().await;
    let query = r#"query($search: String) { indicators(filter: {regionCode: "120118", search: $search}, first: 10) {
        nodes { name unit measure task { code } targets { year kind phrase comparator value valueMax
            provenance { quote document { fileName } } } progress { status share target { kind year } } } } }"#;
    let one = |search: &'static str| {
        let app = &app;
        async move {
            let data = app.data(query, json!({ "search": search })).await;
            let nodes = data["indicators"]["nodes"].as_array().expect("indicators").clone();
            nodes.into_iter().find(|i| i["name"] == search).unwrap_or_else(|| panic!("no indicator {search}"))
        }
    };
    let park = one("天津唐官屯加工物流区循环化改造").await;
    assert_eq!((&park["measure"], &park["unit"]), (&json!("QUALITATIVE"), &json!("")));
    let t = &park["targets"][0];
    assert_eq!(
        (&t["year"], &t["kind"], &t["phrase"], &t["comparator"], &t["value"], &t["valueMax"]),
        (
            &json!(2025),
            &json!("QUALITATIVE"),
            &json!("完成天津唐官屯加工物流区循环化改造"),
            &json!("EQ"),
            &Value::Null,
            &Value::Null
        )
    );
    assert_eq!(t["provenance"]["quote"], "到2025年，完成天津唐官屯加工物流区循环化改造。");
    let source = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data/sources")
            .join(text(&t["provenance"]["document"]["fileName"])),
    )
    .expect("source");
    assert!(source.contains(t["provenance"]["quote"].as_str().unwrap_or("?")));
    assert_eq!(
        park["progress"],
        json!({ "status": "NO_DATA", "share": null, "target": { "kind": "QUALITATIVE", "year": 2025 } })
    );

    // Words after a figure: 森林覆盖率 ≥ 10.5 % by 2025, 力争有所增加 by 2030.
    let forest = one("森林覆盖率").await;
    let targets: Vec<(Value, Value, Value, Value)> = forest["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| (t["year"].clone(), t["kind"].clone(), t["value"].clone(), t["phrase"].clone()))
        .collect();
    assert_eq!(
        targets,
        [
            (json!(2025), json!("BY_YEAR"), json!(10.5), Value::Null),
            (json!(2030), json!("QUALITATIVE"), Value::Null, json!("力争有所增加"))
        ]
    );
    assert_eq!(forest["measure"], "PERCENTAGE");

    for (name, code, comparator, value, max) in [
        ("资源综合利用（再制造）龙头企业", "三.（二）.专栏2", "GTE", 10.0, Value::Null),
        ("动力电池梯次利用及资源化利用示范项目", "三.（二）.专栏2", "BETWEEN", 2.0, json!(3.0)),
        ("报废汽车关键零部件的回收再制造项目", "三.（二）.专栏2", "BETWEEN", 1.0, json!(2.0)),
        ("绿色能源小镇示范区", "三.（五）.专栏7", "BETWEEN", 2.0, json!(3.0)),
    ] {
        let i = one(name).await;
        let t = &i["targets"][0];
        assert_eq!(i["task"]["code"], code, "{name}");
        assert_eq!(
            (&t["kind"], &t["year"], &t["comparator"], &t["value"], &t["valueMax"]),
            (&json!("STANDING"), &Value::Null, &json!(comparator), &json!(value), &max),
            "{name}"
        );
    }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}
