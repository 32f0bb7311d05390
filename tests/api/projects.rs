//! Key projects (重点项目) through the API: the projects of 静海's 专栏 and of
//! 西青's grid task as the curated file lists them, their sizes exactly as
//! written, the filters, `Task.projects`, `node(id)`, the read rule of the
//! project's task, verbatim quotes, and a constant statement count.

use crate::helpers::{TestApp, spawn_app};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use xietong::access::Role;

const PROJECTS: &str = "query($filter: ProjectFilter, $n: Int, $after: String) {
    projects(filter: $filter, first: $n, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes {
        id name kind place version
        sizes { value unit measure }
        responsibleDepartments { name }
        plan { title }
        task { id code kind }
        provenance { quote cleanedQuote startOffset endOffset document { fileName } } } } }";

/// The curated file the seed reads.
fn curated() -> toml::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join("projects.toml");
    let text = std::fs::read_to_string(path).expect("data/projects.toml");
    toml::from_str(&text).expect("valid TOML")
}

async fn projects(app: &TestApp, filter: Value) -> Value {
    app.data(PROJECTS, json!({ "filter": filter, "n": 100 })).await["projects"].clone()
}

async fn plan_id(app: &TestApp, search: &str) -> String {
    let data = app
        .data("query($s: String) { plans(filter: {search: $s}, first: 1) { nodes { id } } }", json!({ "s": search }))
        .await;
    data["plans"]["nodes"][0]["id"].as_str().unwrap_or_else(|| panic!("no plan {search}: {data}")).to_string()
}

/// The IDs of the tasks of `plan` by position code.
async fn task_ids(app: &TestApp, plan: &str) -> BTreeMap<String, String> {
    let data = app
        .data("query($p: ID!) { tasks(filter: {planId: $p}, first: 100) { nodes { id code } } }", json!({ "p": plan }))
        .await;
    data["tasks"]["nodes"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| (t["code"].as_str().unwrap_or("").to_string(), t["id"].as_str().unwrap_or("").to_string()))
        .collect()
}

fn count(list: &Value) -> u64 {
    list["totalCount"].as_u64().unwrap_or(0)
}

fn names(list: &Value) -> Vec<String> {
    list.as_array().into_iter().flatten().map(|x| x["name"].as_str().unwrap_or("").to_string()).collect()
}

#[tokio::test]
async fn served_projects_are_the_curated_ones_with_their_sizes_exactly_as_written() {
    let app = spawn_app().await;
    let all = projects(&app, json!({})).await;
    let curated = curated();
    let entries = curated["project"].as_array().expect("[[project]]");
    assert_eq!(count(&all), entries.len() as u64);
    assert_eq!(count(&all), 38);

    // Per kind, as many as the curated file lists.
    let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
    for e in entries {
        *by_kind.entry(e["kind"].as_str().unwrap_or("").to_string()).or_default() += 1;
    }
    for (kind, n) in &by_kind {
        assert_eq!(count(&projects(&app, json!({ "kind": kind })).await), *n, "{kind}");
    }
    assert_eq!(by_kind.get("光伏发电"), Some(&2));
    assert_eq!(by_kind.get("风力发电"), Some(&4));
    assert_eq!(count(&projects(&app, json!({ "kind": "没有这种项目" })).await), 0);

    // Every size of every curated project is served, in order, with its unit as written.
    let nodes = all["nodes"].as_array().expect("nodes");
    let served_sizes: usize = nodes.iter().map(|p| p["sizes"].as_array().map_or(0, Vec::len)).sum();
    let curated_sizes: usize =
        entries.iter().map(|e| e.get("sizes").and_then(|s| s.as_array()).map_or(0, Vec::len)).sum();
    assert_eq!((served_sizes, curated_sizes), (16, 16));

    let find = |name: &str| nodes.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{name}")).clone();
    let guohua = find("国华大邱庄100MW渔光互补发电");
    assert_eq!((&guohua["kind"], &guohua["place"]), (&json!("光伏发电"), &json!("大邱庄")));
    assert_eq!(guohua["sizes"], json!([{ "value": 100.0, "unit": "MW", "measure": null }]));
    assert_eq!(guohua["task"]["code"], "三.（三）.专栏4");
    assert_eq!(guohua["task"]["kind"], "FEATURED_PROJECT");
    assert_eq!(guohua["plan"]["title"], "天津市静海区碳达峰实施方案");
    assert_eq!(guohua["provenance"]["quote"], "国华大邱庄 100MW 渔光互补发电", "verbatim, spaces and all");
    assert_eq!(guohua["provenance"]["document"]["fileName"], "003_8f0cb15813cef04d.txt");
    assert_eq!(guohua["responsibleDepartments"], json!([]), "the 专栏 names no unit for it");

    let dahaozhuang = find("唐官屯镇大郝庄20MW渔光互补发电");
    assert_eq!(dahaozhuang["place"], "唐官屯镇大郝庄");
    assert_eq!(dahaozhuang["sizes"], json!([{ "value": 20.0, "unit": "MW", "measure": null }]));

    // Several sizes, in the order written; the units named by the text that names the project.
    let biomass = find("新能源环保发电项目（二期）");
    assert_eq!(
        biomass["sizes"],
        json!([
            { "value": 500.0, "unit": "吨/日", "measure": "焚烧线" },
            { "value": 10.0, "unit": "MW", "measure": "凝汽式汽轮发电机组" },
            { "value": 100.0, "unit": "吨/日", "measure": "餐厨垃圾预处理线" },
        ])
    );
    assert_eq!(biomass["place"], Value::Null);
    assert_eq!(
        names(&biomass["responsibleDepartments"]),
        ["静海区发展改革委", "静海区城市管理委", "国网天津静海供电有限公司", "静海区各乡镇园区"]
    );
    let charging = find("电动汽车充放互动调控试点");
    assert_eq!(charging["sizes"], json!([{ "value": 76.0, "unit": "个", "measure": "充电站" }]));

    // A named project without a size.
    let substation = find("子牙三号变电站");
    assert_eq!((&substation["place"], &substation["sizes"]), (&json!("子牙"), &json!([])));

    // 西青: grid projects with their voltage class.
    let wuzhuang = find("吴庄500千伏输变电工程");
    assert_eq!(wuzhuang["sizes"], json!([{ "value": 500.0, "unit": "千伏", "measure": "电压等级" }]));
    assert_eq!(wuzhuang["task"]["code"], "二.（二）.4");
    assert_eq!(wuzhuang["plan"]["title"], "天津市西青区碳达峰实施方案");

    // node(id) gives the same project.
    let node = app
        .data(
            "query($id: ID!) { node(id: $id) { id ... on Project { name sizes { value unit } } } }",
            json!({ "id": guohua["id"] }),
        )
        .await;
    assert_eq!(node["node"]["name"], "国华大邱庄100MW渔光互补发电");
    assert_eq!(node["node"]["sizes"], json!([{ "value": 100.0, "unit": "MW" }]));
}

#[tokio::test]
async fn projects_filter_by_plan_task_kind_and_region() {
    let app = spawn_app().await;
    let jinghai = plan_id(&app, "静海区碳达峰").await;
    let xiqing = plan_id(&app, "西青区碳达峰").await;
    assert_eq!(count(&projects(&app, json!({ "planId": jinghai })).await), 32);
    assert_eq!(count(&projects(&app, json!({ "planId": xiqing })).await), 6);
    let tasks = task_ids(&app, &jinghai).await;
    let in_column = |code: &str| json!({ "taskId": tasks.get(code).unwrap_or_else(|| panic!("{code}")) });
    for (code, n) in [
        ("三.（一）.专栏1", 0),
        ("三.（二）.专栏2", 0),
        ("三.（二）.专栏3", 5),
        ("三.（三）.专栏4", 7),
        ("三.（三）.专栏5", 10),
        ("三.（四）.专栏6", 6),
        ("三.（五）.专栏7", 2),
        ("三.（七）.专栏10", 2),
    ] {
        assert_eq!(count(&projects(&app, in_column(code)).await), n, "{code}");
    }
    let wind = projects(&app, json!({ "planId": jinghai, "kind": "风力发电" })).await;
    assert_eq!(
        names(&wind["nodes"]),
        ["宝得利中旺镇100MW风力发电", "阳成新能源90MW风电", "景昇沿庄80MW风力发电", "中能建王口镇100MW风力发电"],
        "document order"
    );
    assert_eq!(count(&projects(&app, json!({ "planId": xiqing, "kind": "风力发电" })).await), 0);

    let region = |code: &'static str| {
        let app = &app;
        async move {
            let q = format!(r#"{{ regions(filter: {{code: "{code}"}}, first: 1) {{ nodes {{ id }} }} }}"#);
            app.data(&q, json!({})).await["regions"]["nodes"][0]["id"].clone()
        }
    };
    assert_eq!(count(&projects(&app, json!({ "regionId": region("120118").await })).await), 32, "静海区");
    assert_eq!(count(&projects(&app, json!({ "regionId": region("120111").await })).await), 6, "西青区");
    assert_eq!(
        count(&projects(&app, json!({ "regionId": region("120000").await })).await),
        38,
        "天津市 and its districts"
    );
    assert_eq!(count(&projects(&app, json!({ "regionId": region("120104").await })).await), 0, "南开区 names none");

    // Paging in document order covers every project once.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app.data(PROJECTS, json!({ "n": 7, "after": after })).await["projects"].clone();
        seen.extend(page["nodes"].as_array().expect("nodes").iter().map(|p| p["id"].clone()));
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_string);
    }
    let mut unique = seen.clone();
    unique.sort_by_key(ToString::to_string);
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (38, 38));

    // A wrong ID is a stable error and changes nothing.
    let body = app.graphql(PROJECTS, json!({ "filter": { "taskId": jinghai }, "n": 5 })).await;
    assert_eq!(crate::helpers::error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let body = app.graphql(PROJECTS, json!({ "filter": { "planId": "nonsense" }, "n": 5 })).await;
    assert_eq!(crate::helpers::error_code(&body), Some("BAD_USER_INPUT"), "{body}");
}

#[tokio::test]
async fn a_featured_column_lists_its_projects() {
    let app = spawn_app().await;
    let jinghai = plan_id(&app, "静海区碳达峰").await;
    let tasks = task_ids(&app, &jinghai).await;
    let data = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Task { code title projects { name kind place sizes { value unit } } } } }",
            json!({ "id": tasks["三.（三）.专栏4"] }),
        )
        .await;
    let column = &data["node"];
    assert_eq!(column["title"], "绿色能源工程");
    let projects = column["projects"].as_array().expect("projects");
    let summary: Vec<(String, String, f64)> = projects
        .iter()
        .flat_map(|p| {
            p["sizes"].as_array().into_iter().flatten().map(move |s| {
                (
                    p["name"].as_str().unwrap_or("").to_string(),
                    s["unit"].as_str().unwrap_or("").to_string(),
                    s["value"].as_f64().unwrap_or(f64::NAN),
                )
            })
        })
        .collect();
    let expected = [
        ("国华大邱庄100MW渔光互补发电", "MW", 100.0),
        ("唐官屯镇大郝庄20MW渔光互补发电", "MW", 20.0),
        ("宝得利中旺镇100MW风力发电", "MW", 100.0),
        ("阳成新能源90MW风电", "MW", 90.0),
        ("景昇沿庄80MW风力发电", "MW", 80.0),
        ("中能建王口镇100MW风力发电", "MW", 100.0),
        ("新能源环保发电项目（二期）", "吨/日", 500.0),
        ("新能源环保发电项目（二期）", "MW", 10.0),
        ("新能源环保发电项目（二期）", "吨/日", 100.0),
    ];
    assert_eq!(summary, expected.map(|(n, u, v)| (n.to_string(), u.to_string(), v)));
    let kinds: Vec<&str> = projects.iter().map(|p| p["kind"].as_str().unwrap_or("")).collect();
    assert_eq!(kinds, ["光伏发电", "光伏发电", "风力发电", "风力发电", "风力发电", "风力发电", "生物质发电"]);

    // A column of directions lists none.
    let data = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Task { projects { name } } } }",
            json!({ "id": tasks["三.（一）.专栏1"] }),
        )
        .await;
    assert_eq!(data["node"]["projects"], json!([]));
}

#[tokio::test]
async fn projects_follow_the_sharing_rule_of_their_task_and_plan() {
    let app = spawn_app().await;
    let jinghai = plan_id(&app, "静海区碳达峰").await;
    let tasks = task_ids(&app, &jinghai).await;
    let guohua = projects(&app, json!({ "kind": "光伏发电" })).await["nodes"][0]["id"].clone();
    let admin = app.token("天津市生态环境局", Role::Admin).await;
    let version = |id: String| {
        let app = &app;
        async move {
            let data = app
                .data(
                    "query($id: ID!) { node(id: $id) { ... on Plan { version } ... on Task { version } } }",
                    json!({ "id": id }),
                )
                .await;
            data["node"]["version"].clone()
        }
    };

    // The 专栏 hidden on its own: its projects go with it, the plan's others stay.
    let column = tasks["三.（三）.专栏4"].clone();
    let input = json!({ "id": column, "sharingClass": "NOT_SHARED", "legalBasis": "测试：不予共享",
                        "expectedVersion": version(column.clone()).await });
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: UpdateTaskInput!) { updateTask(input: $input) { task { id } } }",
            json!({ "input": input }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    assert_eq!(count(&projects(&app, json!({ "planId": jinghai })).await), 32 - 7);
    assert_eq!(count(&projects(&app, json!({ "kind": "光伏发电" })).await), 0);
    let node = app.data("query($id: ID!) { node(id: $id) { id } }", json!({ "id": guohua })).await;
    assert_eq!(node["node"], Value::Null, "node(id) as the lists");
    let reader = app.token("南开区发展改革委", Role::Reader).await;
    let seen = app.data_as(&reader, PROJECTS, json!({ "filter": { "taskId": column }, "n": 10 })).await;
    assert_eq!(count(&seen["projects"]), 0, "nor a reader of another district");
    let seen = app.data_as(&admin, PROJECTS, json!({ "filter": { "taskId": column }, "n": 10 })).await;
    assert_eq!(count(&seen["projects"]), 7);

    // The plan hidden: none of its projects, and the other plan's still there.
    let input = json!({ "id": jinghai, "sharingClass": "NOT_SHARED", "legalBasis": "测试：不予共享",
                        "expectedVersion": version(jinghai.clone()).await });
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: UpdatePlanInput!) { updatePlan(input: $input) { plan { id } } }",
            json!({ "input": input }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    assert_eq!(count(&projects(&app, json!({ "planId": jinghai })).await), 0);
    assert_eq!(count(&projects(&app, json!({})).await), 6, "西青's six");
    let seen = app.data_as(&reader, PROJECTS, json!({ "filter": { "planId": jinghai }, "n": 10 })).await;
    assert_eq!(count(&seen["projects"]), 0);
    let seen = app.data_as(&admin, PROJECTS, json!({ "filter": { "planId": jinghai }, "n": 10 })).await;
    assert_eq!(count(&seen["projects"]), 32);
}

/// Every quote served with a project is the exact text of its source file at its offsets.
#[tokio::test]
async fn every_served_project_quote_is_verbatim_in_its_source_file() {
    let app = spawn_app().await;
    let all = projects(&app, json!({})).await;
    let sources = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join("sources");
    let nodes = all["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 38);
    for p in nodes {
        let provenance = &p["provenance"];
        let file = provenance["document"]["fileName"].as_str().unwrap_or_else(|| panic!("no file: {p}"));
        let raw: Vec<char> = std::fs::read_to_string(sources.join(file)).expect("source file").chars().collect();
        let quote = provenance["quote"].as_str().unwrap_or_else(|| panic!("no quote: {p}"));
        let text: String = raw.iter().collect();
        assert!(text.contains(quote), "{quote:?} is not in {file}");
        let (Some(start), Some(end)) = (provenance["startOffset"].as_u64(), provenance["endOffset"].as_u64()) else {
            panic!("no offsets: {p}")
        };
        let at: String = raw[start as usize..end as usize].iter().collect();
        assert_eq!(at, quote, "offsets of {}", p["name"]);
        // Each figure is in the clause as the text writes it (digits, then the unit).
        let cleaned = provenance["cleanedQuote"].as_str().unwrap_or("");
        for s in p["sizes"].as_array().into_iter().flatten() {
            let written = format!("{}{}", s["value"].as_f64().unwrap_or(f64::NAN), s["unit"].as_str().unwrap_or(""));
            assert!(cleaned.contains(&written), "{written} in {cleaned}");
        }
        if let Some(place) = p["place"].as_str() {
            assert!(cleaned.contains(place), "{place} in {cleaned}");
        }
    }
}

/// `Task.projects` and the relations of the projects cost one statement per level, whatever the
/// number of tasks: two 专栏, or every task of 静海's plan and 西青's grid task.
#[tokio::test]
async fn task_projects_cost_as_many_statements_for_59_tasks_as_for_two() {
    let app = spawn_app().await;
    let jinghai = plan_id(&app, "静海区碳达峰").await;
    let xiqing = plan_id(&app, "西青区碳达峰").await;
    let all = task_ids(&app, &jinghai).await;
    let grid_task = task_ids(&app, &xiqing).await["二.（二）.4"].clone();
    let query = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Task { code projects { name place
        sizes { value unit measure } responsibleDepartments { name region { code } } plan { title } task { code }
        provenance { document { fileName } } } } } }";
    let statements = |ids: Vec<String>| {
        let app = &app;
        async move {
            let before = app.statements.get();
            let body = app.graphql(query, json!({ "ids": ids })).await;
            assert!(body.get("errors").is_none(), "{body:#}");
            let served: usize = body["data"]["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .map(|t| t["projects"].as_array().map_or(0, Vec::len))
                .sum();
            (app.statements.get() - before, served)
        }
    };
    // 专栏4 and 专栏5 have sizes and responsible units, as have the larger set's tasks.
    let two: Vec<String> = ["三.（三）.专栏4", "三.（三）.专栏5"].iter().map(|c| all[*c].clone()).collect();
    let many: Vec<String> = all.values().cloned().chain([grid_task]).collect();
    let (few, few_projects) = statements(two.clone()).await;
    let (few_again, _) = statements(two).await;
    let (lots, lots_projects) = statements(many.clone()).await;
    let (lots_again, _) = statements(many.clone()).await;
    assert_eq!((few_projects, lots_projects), (17, 38));
    assert!(many.len() > 50, "{} tasks", many.len());
    assert_eq!(few.min(few_again), lots.min(lots_again), "no statement per task or project");

    // The root list likewise: 20 projects (with sizes and responsible units among them) or all 38.
    let list = "query($n: Int) { projects(first: $n) { nodes { name sizes { value unit }
        responsibleDepartments { name } task { code } plan { title } } } }";
    let root = |n: i64| {
        let app = &app;
        async move {
            let before = app.statements.get();
            let body = app.graphql(list, json!({ "n": n })).await;
            assert!(body.get("errors").is_none(), "{body:#}");
            let nodes = body["data"]["projects"]["nodes"].as_array().cloned().unwrap_or_default();
            assert!(nodes.iter().any(|p| p["responsibleDepartments"].as_array().is_some_and(|d| !d.is_empty())));
            assert!(nodes.iter().any(|p| p["sizes"].as_array().is_some_and(|s| !s.is_empty())));
            (app.statements.get() - before, nodes.len())
        }
    };
    let (small, small_n) = root(20).await;
    let (small_again, _) = root(20).await;
    let (large, large_n) = root(38).await;
    let (large_again, _) = root(38).await;
    assert_eq!((small_n, large_n), (20, 38));
    assert_eq!(small.min(small_again), large.min(large_again), "no statement per project");
}
