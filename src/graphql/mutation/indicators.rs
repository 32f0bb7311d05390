//! createIndicator, updateIndicator, setTarget, removeTarget.

use super::write_context;
use crate::error::GqlResult;
use crate::graphql::types::common::decode_id;
use crate::graphql::types::enums::{Comparator, IndicatorDirection, Measure, Nature, SharingClass, TargetKind};
use crate::graphql::types::indicator::{Indicator, Target};
use crate::ids::{NodeKind, from_global};
use crate::service::writes::indicators::{self, IndicatorPatch, NewIndicator, NewTarget};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

/// Indicator and target mutations.
#[derive(Default)]
pub struct IndicatorMutation;

/// 新建指标 — Input of createIndicator.
#[derive(InputObject)]
pub struct CreateIndicatorInput {
    /// 所属方案 — The plan.
    pub plan_id: ID,
    /// 所属任务 — The task that must move it, in the same plan; omitted for a plan's main goals.
    pub task_id: Option<ID>,
    /// 名称 — Name, 1–500 characters.
    pub name: String,
    /// 单位 — Unit, one of the known units (`%`, `万千瓦`, `亿千瓦时`, `万吨标准煤`, `微克/立方米`, `个` …; `""` for a dimensionless ratio).
    pub unit: String,
    /// 计量方式 — Quantity, percentage or qualitative.
    pub measure: Measure,
    /// 方向 — Whether higher or lower is better.
    pub direction: IndicatorDirection,
    /// 可加总 — Whether values may be summed across regions.
    pub summable: bool,
    /// 属性 — Binding (约束性) or expected (预期性).
    pub nature: Nature,
    /// 所属区域 — The region it measures; default the plan's region; must be inside the caller's jurisdiction.
    pub region_id: Option<ID>,
    /// 基期年份 — Baseline year.
    pub baseline_year: Option<i32>,
    /// 基期值 — Baseline value.
    pub baseline_value: Option<f64>,
    /// 上级指标 — The indicator this one contributes to (not itself).
    pub contributes_to_id: Option<ID>,
    /// 自身共享类别 — Own sharing class; omitted to inherit the plan's.
    pub sharing_class: Option<SharingClass>,
    /// 不予共享依据 — Legal basis, required for NOT_SHARED.
    pub legal_basis: Option<String>,
    /// 幂等键 — A retry with the same key returns the first result instead of a duplicate.
    pub idempotency_key: Option<String>,
}

/// 新建指标结果 — Result of createIndicator.
#[derive(SimpleObject)]
pub struct CreateIndicatorPayload {
    /// 指标 — The indicator.
    pub indicator: Indicator,
}

/// 修改指标 — Input of updateIndicator; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateIndicatorInput {
    /// 指标 — The indicator.
    pub id: ID,
    /// 期望版本 — The version the change is based on; a stale version is refused with CONFLICT.
    pub expected_version: i32,
    /// 名称 — Name.
    pub name: Option<String>,
    /// 单位 — Unit, one of the known units.
    pub unit: Option<String>,
    /// 计量方式 — Quantity, percentage or qualitative.
    pub measure: Option<Measure>,
    /// 方向 — Whether higher or lower is better.
    pub direction: Option<IndicatorDirection>,
    /// 可加总 — Whether values may be summed across regions.
    pub summable: Option<bool>,
    /// 属性 — Binding or expected.
    pub nature: Option<Nature>,
    /// 所属任务 — A task of the same plan.
    pub task_id: Option<ID>,
    /// 基期年份 — Baseline year; no target may be before it.
    pub baseline_year: Option<i32>,
    /// 基期值 — Baseline value.
    pub baseline_value: Option<f64>,
    /// 上级指标 — The indicator this one contributes to (no cycles).
    pub contributes_to_id: Option<ID>,
    /// 自身共享类别 — Own sharing class.
    pub sharing_class: Option<SharingClass>,
    /// 不予共享依据 — Legal basis for NOT_SHARED.
    pub legal_basis: Option<String>,
}

/// 修改指标结果 — Result of updateIndicator.
#[derive(SimpleObject)]
pub struct UpdateIndicatorPayload {
    /// 指标 — The indicator.
    pub indicator: Indicator,
}

/// 设定目标 — Input of setTarget: creates or replaces the target of a year.
#[derive(InputObject)]
pub struct SetTargetInput {
    /// 指标 — The indicator.
    pub indicator_id: ID,
    /// 目标年份 — Year, 1949–2100, not before the baseline year.
    pub year: i32,
    /// 目标类型 — `BY_YEAR` (the default: `comparator` and `value` required) or `QUALITATIVE` (a goal in
    /// words: `phrase` required, no `value` or `valueMax`, `comparator` absent or `EQ`). Other kinds are
    /// refused with BAD_USER_INPUT.
    #[graphql(default_with = "TargetKind::ByYear")]
    pub kind: TargetKind,
    /// 比较方式 — How the actual must compare with `value`; required for `BY_YEAR`.
    pub comparator: Option<Comparator>,
    /// 目标值 — Target value; required for `BY_YEAR`, forbidden for `QUALITATIVE`.
    pub value: Option<f64>,
    /// 上限 — Upper bound, required for BETWEEN (≥ value) and forbidden otherwise.
    pub value_max: Option<f64>,
    /// 表述 — The words of a `QUALITATIVE` target (完成…循环化改造), at most 500 characters; forbidden otherwise.
    pub phrase: Option<String>,
    /// 期望版本 — The version of the existing target of that year the change is based on; a stale version is refused with CONFLICT.
    pub expected_version: Option<i32>,
}

/// 设定目标结果 — Result of setTarget.
#[derive(SimpleObject)]
pub struct SetTargetPayload {
    /// 目标 — The target.
    pub target: Target,
    /// 指标 — The indicator (its version is bumped too).
    pub indicator: Indicator,
}

/// 删除目标 — Input of removeTarget.
#[derive(InputObject)]
pub struct RemoveTargetInput {
    /// 指标 — The indicator.
    pub indicator_id: ID,
    /// 目标年份 — The year of the target to remove.
    pub year: i32,
    /// 期望版本 — The version of the target the change is based on.
    pub expected_version: Option<i32>,
}

/// 删除目标结果 — Result of removeTarget.
#[derive(SimpleObject)]
pub struct RemoveTargetPayload {
    /// 指标 — The indicator.
    pub indicator: Indicator,
}

#[Object]
impl IndicatorMutation {
    /// 新建指标 — Creates an indicator (COORDINATOR of the plan's region, or ADMIN).
    async fn create_indicator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `CreateIndicatorInput`.")]
        input: CreateIndicatorInput,
    ) -> async_graphql::Result<CreateIndicatorPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let new = NewIndicator {
            plan_id: from_global(NodeKind::Plan, &input.plan_id, "input.planId").gql()?,
            task_id: decode_id(NodeKind::Task, &input.task_id, "input.taskId").gql()?,
            name: input.name,
            unit: input.unit,
            measure: input.measure.into(),
            direction: input.direction.into(),
            summable: input.summable,
            nature: input.nature.into(),
            region_id: decode_id(NodeKind::Region, &input.region_id, "input.regionId").gql()?,
            baseline_year: input.baseline_year,
            baseline_value: input.baseline_value,
            contributes_to_id: decode_id(NodeKind::Indicator, &input.contributes_to_id, "input.contributesToId")
                .gql()?,
            sharing_class: input.sharing_class.map(Into::into),
            legal_basis: input.legal_basis,
        };
        let key = input.idempotency_key.as_deref();
        let indicator = indicators::create_indicator(&state.writer, viewer, &actor, new, key).await.gql()?;
        Ok(CreateIndicatorPayload { indicator: Indicator(indicator) })
    }

    /// 修改指标 — Updates an indicator at `expectedVersion` (COORDINATOR of the plan's region, or ADMIN).
    async fn update_indicator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `UpdateIndicatorInput`.")]
        input: UpdateIndicatorInput,
    ) -> async_graphql::Result<UpdateIndicatorPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let id = from_global(NodeKind::Indicator, &input.id, "input.id").gql()?;
        let patch = IndicatorPatch {
            name: input.name,
            unit: input.unit,
            measure: input.measure.map(Into::into),
            direction: input.direction.map(Into::into),
            summable: input.summable,
            nature: input.nature.map(Into::into),
            task_id: decode_id(NodeKind::Task, &input.task_id, "input.taskId").gql()?,
            baseline_year: input.baseline_year,
            baseline_value: input.baseline_value,
            contributes_to_id: decode_id(NodeKind::Indicator, &input.contributes_to_id, "input.contributesToId")
                .gql()?,
            sharing_class: input.sharing_class.map(Into::into),
            legal_basis: input.legal_basis,
        };
        let indicator = indicators::update_indicator(&state.writer, viewer, &actor, &id, input.expected_version, patch)
            .await
            .gql()?;
        Ok(UpdateIndicatorPayload { indicator: Indicator(indicator) })
    }

    /// 设定目标 — Creates or replaces the target of a year (COORDINATOR of the plan's region, or ADMIN).
    async fn set_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `SetTargetInput`.")] input: SetTargetInput,
    ) -> async_graphql::Result<SetTargetPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let new = NewTarget {
            indicator_id: from_global(NodeKind::Indicator, &input.indicator_id, "input.indicatorId").gql()?,
            year: input.year,
            kind: input.kind.into(),
            comparator: input.comparator.map(Into::into),
            value: input.value,
            value_max: input.value_max,
            phrase: input.phrase,
            expected_version: input.expected_version,
        };
        let (target, indicator) = indicators::set_target(&state.writer, viewer, &actor, new).await.gql()?;
        Ok(SetTargetPayload { target: Target(target), indicator: Indicator(indicator) })
    }

    /// 删除目标 — Removes the target of a year (COORDINATOR of the plan's region, or ADMIN).
    async fn remove_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `RemoveTargetInput`.")] input: RemoveTargetInput,
    ) -> async_graphql::Result<RemoveTargetPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let id = from_global(NodeKind::Indicator, &input.indicator_id, "input.indicatorId").gql()?;
        let indicator =
            indicators::remove_target(&state.writer, viewer, &actor, &id, input.year, input.expected_version)
                .await
                .gql()?;
        Ok(RemoveTargetPayload { indicator: Indicator(indicator) })
    }
}
