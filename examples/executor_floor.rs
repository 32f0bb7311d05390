//! How much CPU async-graphql alone spends on the benchmark's nested query.
//!
//! The side-by-side benchmark (BENCHMARKS.md, "Side by side with
//! PostGraphile") asks xietong for 3× PostGraphile's requests per second.
//! async-graphql is part of the fixed stack, so its executor's cost for the
//! same response is a floor under xietong's CPU per request whatever the rest
//! does. This program measures that floor: a schema of the same shape as the
//! part of xietong's schema `bench/queries/nested.graphql` reads (5 plans,
//! each with 20 tasks of 2 assignments and 20 indicators of 2 targets and a
//! latest actual), resolvers that return records already in memory (no
//! database, no DataLoader, no access rules), the response serialized to
//! JSON as the HTTP layer does. It runs the query on one thread and prints the
//! CPU time per request.
//!
//!     CARGO_PROFILE_RELEASE_LTO=off cargo run --release --example executor_floor -- 2000
//!
//! It does not use xietong's code: it is the executor's cost, not xietong's.

use async_graphql::{ComplexObject, Context, EmptyMutation, EmptySubscription, Enum, Object, Schema, SimpleObject};
use std::sync::Arc;
use std::time::Instant;

const PLANS: usize = 5;
const CHILDREN: usize = 20;

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
enum AssignmentRole {
    Lead,
    Participant,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
enum ProgressStatus {
    OnTrack,
}

#[derive(SimpleObject, Clone)]
struct Department {
    name: String,
}

#[derive(SimpleObject, Clone)]
struct Assignment {
    role: AssignmentRole,
    department: Department,
}

#[derive(SimpleObject, Clone)]
struct Task {
    id: String,
    code: String,
    assignments: Vec<Assignment>,
}

#[derive(SimpleObject, Clone)]
struct Target {
    year: i32,
    value: Option<f64>,
}

#[derive(SimpleObject, Clone)]
struct Actual {
    value: f64,
}

#[derive(SimpleObject, Clone)]
struct Progress {
    status: ProgressStatus,
    latest_actual: Option<Actual>,
}

#[derive(SimpleObject, Clone)]
struct Indicator {
    id: String,
    name: String,
    targets: Vec<Target>,
    progress: Progress,
}

#[derive(SimpleObject, Clone)]
struct TaskConnection {
    nodes: Vec<Task>,
}

#[derive(SimpleObject, Clone)]
struct IndicatorConnection {
    nodes: Vec<Indicator>,
}

/// A plan; its lists take `first` as xietong's do, and are resolved (and
/// cloned out of memory) only when asked for.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
struct Plan {
    id: String,
    title: String,
    #[graphql(skip)]
    tasks: Arc<Vec<Task>>,
    #[graphql(skip)]
    indicators: Arc<Vec<Indicator>>,
}

#[ComplexObject]
impl Plan {
    async fn tasks(&self, first: Option<i32>) -> TaskConnection {
        let n = first.map_or(CHILDREN, |n| n.max(0) as usize);
        TaskConnection { nodes: self.tasks.iter().take(n).cloned().collect() }
    }

    async fn indicators(&self, first: Option<i32>) -> IndicatorConnection {
        let n = first.map_or(CHILDREN, |n| n.max(0) as usize);
        IndicatorConnection { nodes: self.indicators.iter().take(n).cloned().collect() }
    }
}

#[derive(SimpleObject, Clone)]
struct PlanConnection {
    nodes: Vec<Plan>,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
enum PlanOrderField {
    IssuedOn,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Asc,
    Desc,
}

/// Read by the executor like xietong's argument; the records are in order already.
#[derive(async_graphql::InputObject)]
#[allow(dead_code)]
struct PlanOrder {
    field: PlanOrderField,
    direction: Direction,
}

struct Query;

#[Object]
impl Query {
    async fn plans(&self, ctx: &Context<'_>, first: Option<i32>, order_by: Option<PlanOrder>) -> PlanConnection {
        let _ = order_by;
        let plans = ctx.data_unchecked::<Vec<Plan>>();
        let n = first.map_or(PLANS, |n| n.max(0) as usize);
        PlanConnection { nodes: plans.iter().take(n).cloned().collect() }
    }
}

fn dataset() -> Vec<Plan> {
    let id = |kind: &str, n: usize| format!("{kind}-{n:08}-5638-b422-074e3fe13ac1");
    (0..PLANS)
        .map(|p| {
            let tasks = (0..CHILDREN)
                .map(|t| Task {
                    id: id("task", p * 100 + t),
                    code: format!("{}.{}", p + 1, t + 1),
                    assignments: [AssignmentRole::Lead, AssignmentRole::Participant]
                        .into_iter()
                        .enumerate()
                        .map(|(i, role)| Assignment { role, department: Department { name: format!("部门{i}{t}") } })
                        .collect(),
                })
                .collect();
            let indicators = (0..CHILDREN)
                .map(|i| Indicator {
                    id: id("indi", p * 100 + i),
                    name: format!("单位地区生产总值能耗下降 {p}-{i}"),
                    targets: vec![Target { year: 2025, value: Some(13.5) }, Target { year: 2030, value: None }],
                    progress: Progress { status: ProgressStatus::OnTrack, latest_actual: Some(Actual { value: 4.2 }) },
                })
                .collect();
            Plan {
                id: id("plan", p),
                title: format!("天津市碳达峰实施方案 {p}"),
                tasks: Arc::new(tasks),
                indicators: Arc::new(indicators),
            }
        })
        .collect()
}

/// The process's CPU time (user + system) so far, in seconds.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of stat(5), 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let requests: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(1000);
    let query = include_str!("../bench/queries/nested.graphql");
    let schema = Schema::build(Query, EmptyMutation, EmptySubscription).data(dataset()).finish();
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let run = || -> Result<usize, Box<dyn std::error::Error>> {
        let response = runtime.block_on(schema.execute(query));
        if !response.errors.is_empty() {
            return Err(format!("{:?}", response.errors).into());
        }
        Ok(serde_json::to_vec(&response)?.len())
    };
    let bytes = run()?;
    for _ in 0..requests / 10 {
        run()?;
    }
    let (cpu, wall) = (cpu_seconds(), Instant::now());
    for _ in 0..requests {
        run()?;
    }
    let (cpu, wall) = (cpu_seconds() - cpu, wall.elapsed().as_secs_f64());
    println!(
        "{requests} requests of {bytes} bytes: {:.3} ms CPU, {:.3} ms wall per request",
        cpu * 1000.0 / requests as f64,
        wall * 1000.0 / requests as f64
    );
    Ok(())
}
