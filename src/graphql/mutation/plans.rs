//! createPlan, updatePlan, archivePlan.

use super::write_context;
use crate::error::GqlResult;
use crate::graphql::types::common::{Date, decode_id};
use crate::graphql::types::enums::{PlanKind, PlanStatus, SharingClass};
use crate::graphql::types::plan::Plan;
use crate::ids::{NodeKind, from_global};
use crate::service::writes::plans::{self, NewPlan, PlanPatch};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

/// Plan mutations.
#[derive(Default)]
pub struct PlanMutation;

/// 新建方案 — Input of createPlan.
#[derive(InputObject)]
pub struct CreatePlanInput {
    /// 标题 — Title.
    pub title: String,
    /// 文号 — Document number, e.g. 津静海政发〔2023〕11号.
    pub document_number: Option<String>,
    /// 所属区域 — The region; must be inside the caller's jurisdiction.
    pub region_id: ID,
    /// 印发单位 — Issuing department (the owner of NOT_SHARED records).
    pub issuer_id: Option<ID>,
    /// 印发日期 — Issue date.
    pub issued_on: Option<Date>,
    /// 起始年份 — First year of the period.
    pub period_start: Option<i32>,
    /// 截止年份 — Last year of the period.
    pub period_end: Option<i32>,
    /// 类型 — Kind of document.
    pub kind: PlanKind,
    /// 状态 — Lifecycle status (default DRAFT).
    #[graphql(default_with = "PlanStatus::Draft")]
    pub status: PlanStatus,
    /// 共享类别 — Sharing class.
    pub sharing_class: SharingClass,
    /// 不予共享依据 — Legal basis, required for NOT_SHARED.
    pub legal_basis: Option<String>,
    /// 上位方案 — The plan this one implements.
    pub parent_id: Option<ID>,
    /// 幂等键 — A retry with the same key returns the first result instead of a duplicate.
    pub idempotency_key: Option<String>,
}

/// 新建方案结果 — Result of createPlan.
#[derive(SimpleObject)]
pub struct CreatePlanPayload {
    /// 方案 — The plan.
    pub plan: Plan,
}

/// 修改方案 — Input of updatePlan; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdatePlanInput {
    /// 方案 — The plan.
    pub id: ID,
    /// 期望版本 — The version the change is based on; a stale version is refused with CONFLICT.
    pub expected_version: i32,
    /// 标题 — Title.
    pub title: Option<String>,
    /// 文号 — Document number.
    pub document_number: Option<String>,
    /// 印发单位 — Issuing department.
    pub issuer_id: Option<ID>,
    /// 印发日期 — Issue date.
    pub issued_on: Option<Date>,
    /// 起始年份 — First year of the period.
    pub period_start: Option<i32>,
    /// 截止年份 — Last year of the period.
    pub period_end: Option<i32>,
    /// 类型 — Kind of document.
    pub kind: Option<PlanKind>,
    /// 状态 — Lifecycle status.
    pub status: Option<PlanStatus>,
    /// 共享类别 — Sharing class (tasks and indicators without their own follow it).
    pub sharing_class: Option<SharingClass>,
    /// 不予共享依据 — Legal basis for NOT_SHARED.
    pub legal_basis: Option<String>,
    /// 上位方案 — The plan this one implements.
    pub parent_id: Option<ID>,
}

/// 修改方案结果 — Result of updatePlan.
#[derive(SimpleObject)]
pub struct UpdatePlanPayload {
    /// 方案 — The plan.
    pub plan: Plan,
}

/// 归档方案 — Input of archivePlan.
#[derive(InputObject)]
pub struct ArchivePlanInput {
    /// 方案 — The plan.
    pub id: ID,
    /// 期望版本 — The version the change is based on.
    pub expected_version: i32,
}

/// 归档方案结果 — Result of archivePlan.
#[derive(SimpleObject)]
pub struct ArchivePlanPayload {
    /// 方案 — The plan, now ARCHIVED.
    pub plan: Plan,
}

#[Object]
impl PlanMutation {
    /// 新建方案 — Creates a plan (COORDINATOR of its region, or ADMIN).
    async fn create_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `CreatePlanInput`.")] input: CreatePlanInput,
    ) -> async_graphql::Result<CreatePlanPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let new = NewPlan {
            title: input.title,
            document_number: input.document_number,
            region_id: from_global(NodeKind::Region, &input.region_id, "input.regionId").gql()?,
            issuer_id: decode_id(NodeKind::Department, &input.issuer_id, "input.issuerId").gql()?,
            issued_on: input.issued_on.map(|d| d.0),
            period_start: input.period_start,
            period_end: input.period_end,
            kind: input.kind.into(),
            status: input.status.into(),
            sharing_class: input.sharing_class.into(),
            legal_basis: input.legal_basis,
            parent_id: decode_id(NodeKind::Plan, &input.parent_id, "input.parentId").gql()?,
        };
        let plan =
            plans::create_plan(&state.writer, viewer, &actor, new, input.idempotency_key.as_deref()).await.gql()?;
        Ok(CreatePlanPayload { plan: Plan(plan) })
    }

    /// 修改方案 — Updates a plan at `expectedVersion` (COORDINATOR of its region, or ADMIN).
    async fn update_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `UpdatePlanInput`.")] input: UpdatePlanInput,
    ) -> async_graphql::Result<UpdatePlanPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let id = from_global(NodeKind::Plan, &input.id, "input.id").gql()?;
        let patch = PlanPatch {
            title: input.title,
            document_number: input.document_number,
            issuer_id: decode_id(NodeKind::Department, &input.issuer_id, "input.issuerId").gql()?,
            issued_on: input.issued_on.map(|d| d.0),
            period_start: input.period_start,
            period_end: input.period_end,
            kind: input.kind.map(Into::into),
            status: input.status.map(Into::into),
            sharing_class: input.sharing_class.map(Into::into),
            legal_basis: input.legal_basis,
            parent_id: decode_id(NodeKind::Plan, &input.parent_id, "input.parentId").gql()?,
        };
        let plan = plans::update_plan(&state.writer, viewer, &actor, &id, input.expected_version, patch).await.gql()?;
        Ok(UpdatePlanPayload { plan: Plan(plan) })
    }

    /// 归档方案 — Archives a plan (COORDINATOR of its region, or ADMIN).
    async fn archive_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "输入 — The fields of this operation: see `ArchivePlanInput`.")] input: ArchivePlanInput,
    ) -> async_graphql::Result<ArchivePlanPayload> {
        let (state, viewer, actor) = write_context(ctx)?;
        let id = from_global(NodeKind::Plan, &input.id, "input.id").gql()?;
        let plan = plans::archive_plan(&state.writer, viewer, &actor, &id, input.expected_version).await.gql()?;
        Ok(ArchivePlanPayload { plan: Plan(plan) })
    }
}
