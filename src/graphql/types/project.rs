//! `Project`: a key project (重点项目) of a 专栏 or task, with its sizes and
//! responsible units loaded through DataLoaders (one statement per level).

use super::common::{Provenance, loader_error, provenance_of};
use super::department::Department;
use super::plan::Plan;
use super::task::Task;
use crate::graphql::context::ContextExt;
use crate::ids::{NodeKind, to_global};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::project;

/// A key project as the API shows it.
#[derive(Clone)]
pub struct Project(pub project::Model);

/// 重点项目 — A named, concrete construction or undertaking a plan lists in a 专栏 (featured-project
/// column) or a task: a solar or wind farm, a substation, a heating station, a reclaimed-water plant —
/// with its sizes as written, where it is, and the clause of the source it is read from. Visible exactly
/// when its task is (and so its plan).
#[Object]
impl Project {
    /// 全局标识 — Opaque global ID.
    pub async fn id(&self) -> ID {
        to_global(NodeKind::Project, &self.0.id)
    }

    /// 名称 — The project as the text names it (`国华大邱庄100MW渔光互补发电`).
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// 类别 — The 专栏's bold label the project is listed under (`光伏发电`, `电网优化配置工程`), or what the
    /// task calls it.
    async fn kind(&self) -> &str {
        &self.0.kind
    }

    /// 地点 — Where it is, as written (`唐官屯镇大郝庄`); null when the text gives no place.
    async fn place(&self) -> Option<&str> {
        self.0.place.as_deref()
    }

    /// 规模 — Its sizes in the order written (a plant may have a line in 吨/日 and a generator set in MW);
    /// empty when the text gives none.
    #[graphql(complexity = "1 + 3 * child_complexity")]
    async fn sizes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ProjectSize>> {
        let loaders = &ctx.scope()?.loaders;
        let rows = loaders.project_sizes.load_one(self.0.id.clone()).await.map_err(loader_error)?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(|s| ProjectSize { value: s.value, unit: s.unit, measure: s.measure })
            .collect())
    }

    /// 责任单位 — The responsible units, in document order, where the text gives them: those of the
    /// numbered task that names the project. Empty otherwise.
    #[graphql(complexity = "1 + 5 * child_complexity")]
    async fn responsible_departments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Department>> {
        let loaders = &ctx.scope()?.loaders;
        let ids = loaders.project_departments.load_one(self.0.id.clone()).await.map_err(loader_error)?;
        let ids = ids.unwrap_or_default();
        let mut found = loaders.department.load_many(ids.clone()).await.map_err(loader_error)?;
        Ok(ids.iter().filter_map(|id| found.remove(id)).map(Department).collect())
    }

    /// 所属方案 — The plan the project belongs to.
    async fn plan(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Plan>> {
        let loaders = &ctx.scope()?.loaders;
        Ok(loaders.plan.load_one(self.0.plan_id.clone()).await.map_err(loader_error)?.map(Plan))
    }

    /// 所属专栏 — The 专栏 (or task) the project is listed in.
    async fn task(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Task>> {
        let loaders = &ctx.scope()?.loaders;
        Ok(loaders.task.load_one(self.0.task_id.clone()).await.map_err(loader_error)?.map(Task))
    }

    /// 出处 — The source document and the clause, verbatim with its offsets.
    async fn provenance(&self) -> Option<Provenance> {
        provenance_of!(&self.0)
    }

    /// 版本 — Optimistic-concurrency version; a re-import that changes the project raises it.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// 项目规模 — One size of a project: a figure and its unit exactly as the text writes them.
#[derive(SimpleObject, Clone)]
pub struct ProjectSize {
    /// 数值 — The figure (`100`, `500`).
    pub value: f64,
    /// 单位 — As written: `MW`, `吨/日`, `个`, `千伏`.
    pub unit: String,
    /// 计量对象 — What the figure counts or rates, where the text names it (`焚烧线`, `充电站`, `电压等级`);
    /// null when it is the project's own capacity.
    pub measure: Option<String>,
}

/// 重点项目筛选 — Which projects a list returns.
#[derive(InputObject, Default)]
pub struct ProjectFilter {
    /// 方案 — Projects of this plan.
    pub plan_id: Option<ID>,
    /// 专栏 — Projects listed in this 专栏 (or task).
    pub task_id: Option<ID>,
    /// 类别 — Projects of this kind, exactly as labelled (`光伏发电`).
    pub kind: Option<String>,
    /// 区域 — Projects of the plans of this region or of a region under it.
    pub region_id: Option<ID>,
}
