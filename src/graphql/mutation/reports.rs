//! reportProgress and recordActual.

use super::write_context;
use crate::error::GqlResult;
use crate::graphql::types::enums::{ActualStatus, TaskStatus};
use crate::graphql::types::indicator::{Actual, Indicator};
use crate::graphql::types::task::{ProgressReport, Task};
use crate::ids::{NodeKind, from_global};
use crate::service::writes::reports::{self, NewActual, NewReport};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

/// Reporting mutations for bureaus.
#[derive(Default)]
pub struct ReportMutation;

/// 报告进展 — Input of reportProgress.
#[derive(InputObject)]
pub struct ReportProgressInput {
    /// 任务 — A task the caller's department is assigned to.
    pub task_id: ID,
    /// 报告期 — `2024`, `2024-H1`, `2024-Q3` or `2024-07`.
    pub period: String,
    /// 状态 — Task state; only the LEAD department may report COMPLETED.
    pub status: TaskStatus,
    /// 完成百分比 — 0–100.
    pub percent: Option<i32>,
    /// 进展说明 — Narrative.
    pub narrative: String,
    /// 预期版本 — The task's `version` the caller last saw: when the task has changed since (someone else
    /// reported or edited it), the report is refused with CONFLICT instead of moving a task the caller
    /// has not seen. Omitted: no check.
    pub expected_version: Option<i32>,
    /// 幂等键 — A retry with the same key returns the first report instead of a duplicate.
    pub idempotency_key: Option<String>,
}

/// 报告进展结果 — Result of reportProgress.
#[derive(SimpleObject)]
pub struct ReportProgressPayload {
    /// 报告 — The report.
    pub report: ProgressReport,
    /// 任务 — The task (its status follows the LEAD's report).
    pub task: Task,
}

/// 填报实际值 — Input of recordActual.
#[derive(InputObject)]
pub struct RecordActualInput {
    /// 指标 — An indicator of a task the caller's department is assigned to.
    pub indicator_id: ID,
    /// 报告期 — `2024`, `2024-H1`, `2024-Q3` or `2024-07`.
    pub period: String,
    /// 数值 — Value in the indicator's unit.
    pub value: f64,
    /// 数据状态 — Provisional, verified or estimated.
    #[graphql(default_with = "ActualStatus::Provisional")]
    pub status: ActualStatus,
    /// 备注 — Note.
    pub note: Option<String>,
    /// 修订原因 — Required when the period already has a value: the new value is a revision that supersedes it.
    pub reason: Option<String>,
    /// 幂等键 — A retry with the same key returns the first value instead of a duplicate.
    pub idempotency_key: Option<String>,
}

/// 填报实际值结果 — Result of recordActual.
#[derive(SimpleObject)]
pub struct RecordActualPayload {
    /// 实际值 — The recorded value.
    pub actual: Actual,
    /// 指标 — The indicator.
    pub indicator: Indicator,
}

#[Object]
impl ReportMutation {
    /// 报告进展 — Reports progress on a task the caller's department is assigned to.
    async fn report_progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `ReportProgressInput`.")] input: ReportProgressInput,
    ) -> async_graphql::Result<ReportProgressPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let new = NewReport {
            task_id: from_global(NodeKind::Task, &input.task_id, "input.taskId").gql()?,
            period: input.period,
            status: input.status.into(),
            percent: input.percent,
            narrative: input.narrative,
            expected_version: input.expected_version,
        };
        let (report, task) =
            reports::report_progress(&state.writer, viewer, &actor, new, input.idempotency_key.as_deref())
                .await
                .gql()?;
        Ok(ReportProgressPayload { report: ProgressReport(report), task: Task(task) })
    }

    /// 填报实际值 — Records a value of an indicator for a period; never overwrites (a correction is a new revision).
    async fn record_actual(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `RecordActualInput`.")] input: RecordActualInput,
    ) -> async_graphql::Result<RecordActualPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let new = NewActual {
            indicator_id: from_global(NodeKind::Indicator, &input.indicator_id, "input.indicatorId").gql()?,
            period: input.period,
            value: input.value,
            status: input.status.into(),
            note: input.note,
            reason: input.reason,
        };
        let (actual, indicator) =
            reports::record_actual(&state.writer, viewer, &actor, new, input.idempotency_key.as_deref()).await.gql()?;
        Ok(RecordActualPayload { actual: Actual(actual), indicator: Indicator(indicator) })
    }
}
