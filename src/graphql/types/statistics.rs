//! The aggregate types for supervision: groups of counts, missing reports and
//! an indicator's trajectory. The counting happens in
//! [`crate::service::statistics`]; the records a group is of are resolved
//! through the request's DataLoaders.

use super::common::{decode_id, loader_error, resolve_region};
use super::department::Department;
use super::enums::AssignmentRole;
use super::indicator::{Actual, Baseline, Indicator, Target};
use super::plan::Plan;
use super::region::Region;
use super::task::Task;
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::ids::NodeKind;
use crate::service::statistics::{self, GroupKey, trajectory};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::indicator;

/// 统计筛选 — Which tasks and indicators an aggregate covers, besides what the caller may see.
#[derive(InputObject, Default)]
#[graphql(name = "StatisticsFilter")]
pub struct StatisticsFilterInput {
    /// 方案 — Only this plan.
    pub plan_id: Option<ID>,
    /// 区域 — Only plans of this region or a region under it (天津市 → its districts).
    pub region_id: Option<ID>,
    /// 行政区划代码 — Like `regionId`, by the region's code (e.g. `120000` for Tianjin).
    pub region_code: Option<String>,
    /// 单位 — Only tasks this department is assigned to (LEAD or SUPPORT), and their indicators.
    pub department_id: Option<ID>,
    /// 年份 — Only tasks due that year; indicators are judged against that year's target (as
    /// `Indicator.progress(year:)`), those without one counting as NO_DATA.
    pub year: Option<i32>,
}

impl StatisticsFilterInput {
    /// Decodes IDs and resolves the region code into the service filter.
    pub async fn into_service(self, ctx: &Context<'_>) -> async_graphql::Result<statistics::StatisticsFilter> {
        Ok(statistics::StatisticsFilter {
            region_id: resolve_region(ctx, &self.region_id, &self.region_code).await?,
            plan_id: decode_id(NodeKind::Plan, &self.plan_id, "filter.planId").gql()?,
            department_id: decode_id(NodeKind::Department, &self.department_id, "filter.departmentId").gql()?,
            year: self.year,
        })
    }
}

/// 统计分组 — How `statistics` groups its counts.
#[derive(Enum, Clone, Copy, Default, PartialEq, Eq, Debug)]
#[graphql(remote = "statistics::GroupBy")]
pub enum StatisticsGroupBy {
    /// 不分组 — one group of everything.
    #[default]
    None,
    /// 按方案 — one group per plan.
    Plan,
    /// 按区域 — one group per region of the plans (Beijing and Hebei are regions too).
    Region,
    /// 按单位 — one group per department and role: what it leads, what it supports.
    Department,
    /// 按行动分组 — one group per action group, counting the tasks under it.
    ActionGroup,
}

/// Counts are `Int` in the API; no count comes near its limit.
fn int(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// One group of counts.
pub struct StatisticsGroup(pub statistics::Group);

/// 统计分组 — Counts of one group: tasks by status, indicators by progress, overdue tasks, last report.
#[Object]
impl StatisticsGroup {
    /// 方案 — The plan, when grouped by PLAN; with ACTION_GROUP, the action group's plan.
    async fn plan(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Plan>> {
        let loaders = &ctx.scope()?.loaders;
        let id = match &self.0.key {
            GroupKey::Plan(id) => id.clone(),
            GroupKey::ActionGroup(task) => {
                let found = loaders.task.load_one(task.clone()).await.map_err(loader_error)?;
                let Some(task) = found else { return Ok(None) };
                task.plan_id
            }
            _ => return Ok(None),
        };
        Ok(loaders.plan.load_one(id).await.map_err(loader_error)?.map(Plan))
    }

    /// 区域 — The plans' region, when grouped by REGION.
    async fn region(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Region>> {
        let GroupKey::Region(id) = &self.0.key else { return Ok(None) };
        Ok(ctx.scope()?.loaders.region.load_one(id.clone()).await.map_err(loader_error)?.map(Region))
    }

    /// 单位 — The department, when grouped by DEPARTMENT.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Department>> {
        let GroupKey::Department(id, _) = &self.0.key else { return Ok(None) };
        Ok(ctx.scope()?.loaders.department.load_one(id.clone()).await.map_err(loader_error)?.map(Department))
    }

    /// 角色 — With DEPARTMENT: whether these are the tasks it leads or those it supports.
    async fn role(&self) -> Option<AssignmentRole> {
        match &self.0.key {
            GroupKey::Department(_, role) => Some((*role).into()),
            _ => None,
        }
    }

    /// 行动分组 — The action group (a task of kind ACTION_GROUP), when grouped by ACTION_GROUP.
    async fn action_group(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Task>> {
        let GroupKey::ActionGroup(id) = &self.0.key else { return Ok(None) };
        Ok(ctx.scope()?.loaders.task.load_one(id.clone()).await.map_err(loader_error)?.map(Task))
    }

    /// 任务 — Tasks by status (action groups are headings and never counted).
    async fn tasks(&self) -> TaskStatusCounts {
        let t = &self.0.tasks;
        TaskStatusCounts {
            total: int(t.total()),
            not_started: int(t.not_started),
            in_progress: int(t.in_progress),
            completed: int(t.completed),
            delayed: int(t.delayed),
            archived: int(t.archived),
            completed_share: t.completed_share(),
        }
    }

    /// 指标 — Indicators by progress status, exactly as `Indicator.progress` judges each.
    async fn indicators(&self) -> ProgressStatusCounts {
        let p = &self.0.indicators;
        ProgressStatusCounts {
            total: int(p.total()),
            achieved: int(p.achieved),
            on_track: int(p.on_track),
            at_risk: int(p.at_risk),
            off_track: int(p.off_track),
            no_data: int(p.no_data),
            achieved_share: p.achieved_share(),
        }
    }

    /// 逾期任务数 — Tasks counted here that `overdueTasks` lists for the current year.
    async fn overdue_tasks(&self) -> i32 {
        int(self.0.overdue_tasks)
    }

    /// 最近报告 — When the latest progress report on its tasks or actual of its indicators was made.
    async fn last_report_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_report_at
    }
}

/// 任务状态统计 — Tasks by status.
#[derive(SimpleObject)]
pub struct TaskStatusCounts {
    /// 合计 — Every task counted.
    pub total: i32,
    /// 未开始 — NOT_STARTED.
    pub not_started: i32,
    /// 推进中 — IN_PROGRESS.
    pub in_progress: i32,
    /// 已完成 — COMPLETED.
    pub completed: i32,
    /// 滞后 — DELAYED.
    pub delayed: i32,
    /// 已归档 — ARCHIVED.
    pub archived: i32,
    /// 完成率 — completed / (total − archived), rounded to four decimals; null when that is 0.
    pub completed_share: Option<f64>,
}

/// 指标进度统计 — Indicators by progress status.
#[derive(SimpleObject)]
pub struct ProgressStatusCounts {
    /// 合计 — Every indicator counted.
    pub total: i32,
    /// 已完成 — ACHIEVED.
    pub achieved: i32,
    /// 进度正常 — ON_TRACK.
    pub on_track: i32,
    /// 存在风险 — AT_RISK.
    pub at_risk: i32,
    /// 进度滞后 — OFF_TRACK.
    pub off_track: i32,
    /// 暂无数据 — NO_DATA.
    pub no_data: i32,
    /// 达标率 — achieved / total, rounded to four decimals; null when there are none.
    pub achieved_share: Option<f64>,
}

/// An indicator without a value for a period.
pub struct MissingReport(pub statistics::missing::MissingReport);

/// 缺报 — An indicator with no value for the period asked about, and who should report it.
#[Object]
impl MissingReport {
    /// 指标 — The indicator.
    async fn indicator(&self) -> Indicator {
        Indicator(self.0.indicator.clone())
    }

    /// 报送单位 — Who should report: the LEAD departments of the indicator's task, else the plan's issuer.
    async fn departments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Department>> {
        let loader = &ctx.scope()?.loaders.department;
        let found = loader.load_many(self.0.department_ids.iter().cloned()).await.map_err(loader_error)?;
        Ok(self.0.department_ids.iter().filter_map(|id| found.get(id).cloned()).map(Department).collect())
    }

    /// 最近报告期 — The latest period the indicator has a value for; null when it has none.
    async fn last_period(&self) -> Option<&str> {
        self.0.last_period.as_deref()
    }
}

/// The data of an indicator's chart.
pub struct IndicatorTrajectory(pub indicator::Model);

/// 轨迹 — Everything a chart of an indicator needs.
#[Object]
impl IndicatorTrajectory {
    /// 基期 — Baseline year and value.
    async fn baseline(&self) -> Option<Baseline> {
        self.0.baseline_year.map(|year| Baseline { year, value: self.0.baseline_value })
    }

    /// 目标 — Targets by year.
    async fn targets(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Target>> {
        let found = ctx.scope()?.loaders.indicator_targets.load_one(self.0.id.clone()).await.map_err(loader_error)?;
        Ok(found.unwrap_or_default().into_iter().map(Target).collect())
    }

    /// 实际值 — Every actual, corrections included, by period then revision (a revision above 1 marks a
    /// corrected value).
    async fn actuals(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Actual>> {
        let loader = &ctx.scope()?.loaders.indicator_all_actuals;
        let found = loader.load_one(self.0.id.clone()).await.map_err(loader_error)?;
        Ok(found.unwrap_or_default().into_iter().map(Actual).collect())
    }

    /// 计划路径 — The straight path from the baseline through each target, one point a year from the
    /// baseline year to the last target; empty without a baseline value or a later target.
    async fn path(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TrajectoryPoint>> {
        let found = ctx.scope()?.loaders.indicator_targets.load_one(self.0.id.clone()).await.map_err(loader_error)?;
        let points = trajectory::path(&self.0, &found.unwrap_or_default());
        Ok(points.into_iter().map(|p| TrajectoryPoint { year: p.year, value: p.value }).collect())
    }
}

/// 路径点 — A point of the planned path.
#[derive(SimpleObject)]
pub struct TrajectoryPoint {
    /// 年份 — Year.
    pub year: i32,
    /// 计划值 — Where the indicator should be that year on the straight path.
    pub value: f64,
}
