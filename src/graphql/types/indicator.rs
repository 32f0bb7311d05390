//! The `Indicator` type with its baseline, targets, actuals and progress, and its list inputs.

use super::common::{
    ListConnection, Provenance, decode_id, load_page, loader_error, page_args, provenance_of, resolve_region,
};
use super::department::Department;
use super::enums::{
    ActualStatus, Comparator, IndicatorDirection, IndicatorOrderField, Measure, Nature, OrderDirection, ProgressStatus,
    SharingClass, TargetKind,
};
use super::plan::Plan;
use super::region::Region;
use super::task::Task;
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::ids::{NodeKind, to_global};
use crate::service::Direction;
use crate::service::indicators::{self, IndicatorFilter};
use crate::service::progress;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{indicator, indicator_actual, indicator_target};

/// A quantified indicator.
#[derive(Clone)]
pub struct Indicator(pub indicator::Model);

impl Indicator {
    /// The targets, and the one actual progress is measured on (the current
    /// revision of the latest period): the other actuals are not loaded.
    async fn targets_and_latest_actual(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<(Vec<indicator_target::Model>, Option<indicator_actual::Model>)> {
        let loaders = &ctx.scope()?.loaders;
        let (targets, latest) = futures_util::try_join!(
            loaders.indicator_targets.load_one(self.0.id.clone()),
            loaders.indicator_latest_actual.load_one(self.0.id.clone()),
        )
        .map_err(loader_error)?;
        Ok((targets.unwrap_or_default(), latest))
    }
}

/// 指标 — A quantified indicator a plan's tasks must move, with baseline, targets, reported actuals and progress.
#[Object]
impl Indicator {
    /// 全局标识 — Opaque, stable global ID.
    pub async fn id(&self) -> ID {
        to_global(NodeKind::Indicator, &self.0.id)
    }

    /// 名称 — Name, e.g. 可再生能源电力装机容量.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// 单位 — Unit as written: `%`, `万千瓦`, `微克/立方米`, `个` …
    async fn unit(&self) -> &str {
        &self.0.unit
    }

    /// 计量方式 — Quantity, percentage or qualitative.
    async fn measure(&self) -> Measure {
        self.0.measure.into()
    }

    /// 方向 — Whether higher or lower is better.
    async fn direction(&self) -> IndicatorDirection {
        self.0.direction.into()
    }

    /// 可加总 — Whether values may be summed across regions (capacities, counts) or not (ratios).
    async fn summable(&self) -> bool {
        self.0.summable
    }

    /// 属性 — Binding (约束性) or expected (预期性).
    async fn nature(&self) -> Nature {
        self.0.nature.into()
    }

    /// 自身共享类别 — Own sharing class; null means inherited from the plan.
    async fn sharing_class(&self) -> Option<SharingClass> {
        self.0.sharing_class.map(Into::into)
    }

    /// 版本 — Record version, for `expectedVersion` on updates.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// 更新时间 — When the record last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// 出处 — Source document, section and the sentence with the number.
    async fn provenance(&self) -> Option<Provenance> {
        provenance_of!(&self.0)
    }

    /// 基期 — Baseline year and value (比2020年下降… → year 2020).
    async fn baseline(&self) -> Option<Baseline> {
        self.0.baseline_year.map(|year| Baseline { year, value: self.0.baseline_value })
    }

    /// 目标 — Targets: those due by a year in year order, then standing and recurring ones.
    #[graphql(complexity = "1 + 3 * child_complexity")]
    async fn targets(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Target>> {
        let found = ctx.scope()?.loaders.indicator_targets.load_one(self.0.id.clone()).await.map_err(loader_error)?;
        Ok(found.unwrap_or_default().into_iter().map(Target).collect())
    }

    /// 实际值 — Reported values by period, then revision. By default only the current revision of each
    /// period; with `includeSuperseded` every revision ever reported.
    #[graphql(complexity = "crate::graphql::types::common::page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn actuals(
        &self,
        ctx: &Context<'_>,
        #[graphql(default, desc = "含已更正值 — Also return the revisions that later corrections superseded.")]
        include_superseded: bool,
        #[graphql(
            desc = "前N条 — Return the first N items after `after` (default 20, at most the server's page-size limit)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "之后 — Cursor: return the items after this one (an `endCursor` or edge `cursor` of the same list and order)."
        )]
        after: Option<String>,
        #[graphql(desc = "后N条 — Return the last N items before `before` (at most the server's page-size limit).")]
        last: Option<i32>,
        #[graphql(
            desc = "之前 — Cursor: return the items before this one (a `startCursor` or edge `cursor` of the same list and order)."
        )]
        before: Option<String>,
    ) -> async_graphql::Result<ListConnection<Actual>> {
        let spec = indicators::actual_sort(ctx.state()?.db.get_database_backend());
        let loader = &ctx.scope()?.loaders.indicator_actuals;
        let key = (include_superseded, (), Direction::Asc);
        load_page(ctx, loader, &self.0.id, key, page_args(first, after, last, before), &spec, Actual).await
    }

    /// 进度 — Progress towards the target of `year` (default: the next target due).
    async fn progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "年份 — Measure progress against the target in force in this year (default: the next target due; a standing or recurring target is due in the year of the latest actual)."
        )]
        year: Option<i32>,
    ) -> async_graphql::Result<IndicatorProgress> {
        let (targets, latest) = self.targets_and_latest_actual(ctx).await?;
        let p = progress::compute(&self.0, &targets, latest.as_slice(), year);
        Ok(IndicatorProgress {
            target: p.target.map(Target),
            latest_actual: p.latest.map(Actual),
            share: p.share,
            status: p.status.into(),
        })
    }

    /// 轨迹 — Everything a chart needs: baseline, targets, every actual with its revisions (period order, then
    /// revision), and the straight path from the baseline to each target.
    #[graphql(complexity = "2 + 5 * child_complexity")]
    async fn trajectory(&self) -> super::statistics::IndicatorTrajectory {
        super::statistics::IndicatorTrajectory(self.0.clone())
    }

    /// 所属区域 — The region the indicator measures.
    async fn region(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Region>> {
        let found = ctx.scope()?.loaders.region.load_one(self.0.region_id.clone()).await.map_err(loader_error)?;
        Ok(found.map(Region))
    }

    /// 所属方案 — The plan.
    async fn plan(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Plan>> {
        let found = ctx.scope()?.loaders.plan.load_one(self.0.plan_id.clone()).await.map_err(loader_error)?;
        Ok(found.map(Plan))
    }

    /// 所属任务 — The task that must move it; null for a plan's main goals (主要目标).
    async fn task(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Task>> {
        let Some(task) = &self.0.task_id else { return Ok(None) };
        let found = ctx.scope()?.loaders.task.load_one(task.clone()).await.map_err(loader_error)?;
        Ok(found.map(Task))
    }

    /// 上级指标 — The city indicator this one contributes to (完成全市下达指标).
    async fn contributes_to(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Indicator>> {
        let Some(city) = &self.0.contributes_to_id else { return Ok(None) };
        let found = ctx.scope()?.loaders.indicator.load_one(city.clone()).await.map_err(loader_error)?;
        Ok(found.map(Indicator))
    }

    /// 分解指标 — District indicators contributing to this one that the caller may see, in document order by
    /// default.
    #[graphql(complexity = "crate::graphql::types::common::page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn contributors(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "筛选 — Only the items that match every condition given.")] filter: Option<
            IndicatorFilterInput,
        >,
        #[graphql(desc = "排序 — Sort order; ties are broken by ID, so pages never skip or repeat an item.")] order_by: Option<IndicatorOrderBy>,
        #[graphql(
            desc = "前N条 — Return the first N items after `after` (default 20, at most the server's page-size limit)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "之后 — Cursor: return the items after this one (an `endCursor` or edge `cursor` of the same list and order)."
        )]
        after: Option<String>,
        #[graphql(desc = "后N条 — Return the last N items before `before` (at most the server's page-size limit).")]
        last: Option<i32>,
        #[graphql(
            desc = "之前 — Cursor: return the items before this one (a `startCursor` or edge `cursor` of the same list and order)."
        )]
        before: Option<String>,
    ) -> async_graphql::Result<ListConnection<Indicator>> {
        let filter = filter.unwrap_or_default().into_service(ctx).await?;
        let (field, direction) = order_by.unwrap_or_default().into_service();
        let spec = indicators::sort(field, direction);
        let loader = &ctx.scope()?.loaders.indicator_contributors;
        let key = (filter, field, direction);
        load_page(ctx, loader, &self.0.id, key, page_args(first, after, last, before), &spec, Indicator).await
    }
}

/// 基期 — Baseline of an indicator.
#[derive(SimpleObject)]
pub struct Baseline {
    /// 基期年份 — Baseline year.
    pub year: i32,
    /// 基期值 — Baseline value, when known.
    pub value: Option<f64>,
}

/// A target for one year.
#[derive(Clone)]
pub struct Target(pub indicator_target::Model);

/// 目标值 — A target of an indicator. Its `kind` says how it applies in time: by a year (`BY_YEAR`,
/// 到2025年), standing with no year (`STANDING`, 新建数据中心PUE不超过1.25), every year (`ANNUAL`,
/// 每年新增…), every year from `startYear` on (`FROM_YEAR`, 2023年起…), or 100 % implied by a phrase
/// (`IMPLICIT_FULL`, 全覆盖 — by `year` when the text gives one), or a goal in words with no figure
/// (`QUALITATIVE`, 到2025年，完成…循环化改造: its words in `phrase`, `value` null). A range is `BETWEEN`
/// `value` and `valueMax`.
#[Object]
impl Target {
    /// 全局标识 — Opaque global ID.
    pub async fn id(&self) -> ID {
        to_global(NodeKind::IndicatorTarget, &self.0.id)
    }

    /// 目标年份 — Year by which the target applies (到2025年 → 2025); null for a standing or recurring
    /// target, which applies every year (from `startYear`, if given).
    async fn year(&self) -> Option<i32> {
        self.0.year
    }

    /// 目标类型 — How the target applies in time: by a year, standing, every year, from a year on, 100 %
    /// implied by a phrase, or a goal in words with no figure (`QUALITATIVE`).
    async fn kind(&self) -> TargetKind {
        self.0.kind.into()
    }

    /// 起始年份 — First year of a `FROM_YEAR` target (2023年起 → 2023).
    async fn start_year(&self) -> Option<i32> {
        self.0.start_year
    }

    /// 表述 — The words stating the target when they are not a number: 全覆盖, 全部, 全面执行 (an implied
    /// 100 %), 每年…左右, 2023年起; for a `QUALITATIVE` target, the goal itself (完成天津唐官屯加工物流区循环化改造).
    async fn phrase(&self) -> Option<&str> {
        self.0.phrase.as_deref()
    }

    /// 比较方式 — How the actual must compare with `value`.
    async fn comparator(&self) -> Comparator {
        self.0.comparator.into()
    }

    /// 目标值 — Target value, exactly as in the document; null exactly for a `QUALITATIVE` target, a goal
    /// stated in words with no figure.
    async fn value(&self) -> Option<f64> {
        self.0.value
    }

    /// 上限 — Upper bound when the comparator is BETWEEN.
    async fn value_max(&self) -> Option<f64> {
        self.0.value_max
    }

    /// 版本 — Record version.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// 出处 — Source document, section and sentence.
    async fn provenance(&self) -> Option<Provenance> {
        provenance_of!(&self.0)
    }
}

/// A reported value.
#[derive(Clone)]
pub struct Actual(pub indicator_actual::Model);

/// 实际值 — A reported value for one period. Never overwritten: a correction is a new revision.
#[Object]
impl Actual {
    /// 全局标识 — Opaque global ID.
    pub async fn id(&self) -> ID {
        to_global(NodeKind::IndicatorActual, &self.0.id)
    }

    /// 报告期 — `2024`, `2024-H1`, `2024-Q3` or `2024-07`.
    async fn period(&self) -> &str {
        &self.0.period
    }

    /// 数值 — Value, in the indicator's unit.
    async fn value(&self) -> f64 {
        self.0.value
    }

    /// 数据状态 — Provisional, verified or estimated.
    async fn status(&self) -> ActualStatus {
        self.0.status.into()
    }

    /// 修订号 — 1 for the first value of a period, then 2, 3 …
    async fn revision(&self) -> i32 {
        self.0.revision
    }

    /// 修订原因 — Why this revision supersedes the previous one.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// 备注 — Note.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// 报告人 — Subject of the token that reported it.
    async fn reported_by(&self) -> Option<&str> {
        self.0.reported_by.as_deref()
    }

    /// 报告时间 — When it was reported.
    async fn reported_at(&self) -> DateTime<Utc> {
        self.0.reported_at
    }

    /// 出处 — For a value a source text states (a 2023 figure, a 十三五 result): the document and the
    /// sentence, verbatim with its offsets. Null for values reported through the API.
    async fn provenance(&self) -> Option<Provenance> {
        provenance_of!(&self.0)
    }

    /// 被修订值 — ID of the revision this one supersedes.
    async fn supersedes_id(&self) -> Option<ID> {
        self.0.supersedes_id.as_ref().map(|id| to_global(NodeKind::IndicatorActual, id))
    }

    /// 报告单位 — The reporting department.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Department>> {
        let Some(department) = &self.0.department_id else { return Ok(None) };
        let found = ctx.scope()?.loaders.department.load_one(department.clone()).await.map_err(loader_error)?;
        Ok(found.map(Department))
    }
}

/// 进度 — Progress of an indicator towards a target.
#[derive(SimpleObject)]
pub struct IndicatorProgress {
    /// 对照目标 — The target progress is measured against.
    pub target: Option<Target>,
    /// 最新实际值 — The current revision of the latest period.
    pub latest_actual: Option<Actual>,
    /// 完成比例 — Share of the way from baseline to target (0 = baseline, 1 = target); null without a baseline value.
    pub share: Option<f64>,
    /// 判断 — ACHIEVED, ON_TRACK, AT_RISK, OFF_TRACK or NO_DATA (also against a `QUALITATIVE` target,
    /// which no actual value can judge).
    pub status: ProgressStatus,
}

/// 指标筛选 — Which indicators a list returns.
#[derive(InputObject, Default)]
#[graphql(name = "IndicatorFilter")]
pub struct IndicatorFilterInput {
    /// 名称或单位包含 — Substring of the name or unit. At most 200 characters (BAD_USER_INPUT beyond).
    #[graphql(validator(custom = "crate::graphql::types::common::check_search"))]
    pub search: Option<String>,
    /// 方案 — Indicators of this plan.
    pub plan_id: Option<ID>,
    /// 任务 — Indicators of this task.
    pub task_id: Option<ID>,
    /// 区域 — Indicators of this region.
    pub region_id: Option<ID>,
    /// 行政区划代码 — Indicators of the region with this code (e.g. `120118`).
    pub region_code: Option<String>,
    /// 含下级区域 — With a region: also regions under it.
    #[graphql(default)]
    pub include_subregions: bool,
    /// 单位 — Indicators of tasks assigned to this department.
    pub department_id: Option<ID>,
    /// 年份 — Indicators with a target in force in this year: due that year, or standing or recurring
    /// (`STANDING`, `ANNUAL`, `IMPLICIT_FULL` without a year, `FROM_YEAR` from its `startYear` on).
    pub year: Option<i32>,
    /// 属性 — Binding or expected.
    pub nature: Option<Nature>,
    /// 上级指标 — Indicators contributing to this indicator.
    pub contributes_to_id: Option<ID>,
}

impl IndicatorFilterInput {
    /// Decodes IDs and resolves codes into the service filter.
    pub async fn into_service(self, ctx: &Context<'_>) -> async_graphql::Result<IndicatorFilter> {
        Ok(IndicatorFilter {
            region_id: resolve_region(ctx, &self.region_id, &self.region_code).await?,
            include_subregions: self.include_subregions,
            plan_id: decode_id(NodeKind::Plan, &self.plan_id, "filter.planId").gql()?,
            task_id: decode_id(NodeKind::Task, &self.task_id, "filter.taskId").gql()?,
            department_id: decode_id(NodeKind::Department, &self.department_id, "filter.departmentId").gql()?,
            contributes_to_id: decode_id(NodeKind::Indicator, &self.contributes_to_id, "filter.contributesToId")
                .gql()?,
            search: self.search,
            year: self.year,
            nature: self.nature.map(Into::into),
        })
    }
}

/// 指标排序 — Order of an indicator list.
#[derive(InputObject, Default)]
pub struct IndicatorOrderBy {
    /// 排序字段 — Sort field.
    #[graphql(default)]
    pub field: IndicatorOrderField,
    /// 方向 — Direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl IndicatorOrderBy {
    /// The sort field and direction in the service's terms.
    pub fn into_service(self) -> (indicators::IndicatorOrderField, Direction) {
        (self.field.into(), self.direction.into())
    }
}
