//! `CoordinationRecord`: a fact of Jing-Jin-Ji joint work, with its agencies
//! and regions loaded through DataLoaders (one statement per level).

use super::common::{Provenance, loader_error, provenance_of};
use super::department::Department;
use super::enums::CoordinationKind;
use super::plan::Plan;
use super::region::Region;
use crate::graphql::context::ContextExt;
use crate::ids::{NodeKind, to_global};
use async_graphql::{Context, ID, InputObject, Object};
use entity::coordination_record;

/// A coordination record as the API shows it.
#[derive(Clone)]
pub struct CoordinationRecord(pub coordination_record::Model);

/// 协同记录 — A fact of Jing-Jin-Ji joint work (京津冀协同): a mechanism or working group set up, a
/// meeting held, an agreement signed, a joint action taken — when, by which agencies of which
/// provinces, in the words of the source. Its quantified results are actual values of indicators of
/// its plan, by region. Visible exactly when its plan is.
#[Object]
impl CoordinationRecord {
    /// 全局标识 — Opaque global ID.
    pub async fn id(&self) -> ID {
        to_global(NodeKind::CoordinationRecord, &self.0.id)
    }

    /// 类型 — Mechanism, working group, meeting, agreement or joint action.
    async fn kind(&self) -> CoordinationKind {
        self.0.kind.into()
    }

    /// 日期 — As precise as the source: a year (`2023`) or a date (`YYYY-MM-DD`); null when it gives none.
    async fn date(&self) -> Option<&str> {
        self.0.date.as_deref()
    }

    /// 标题 — A short name of the record.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// 内容 — The clause of the source the record was read from, as the importer read it.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// 参与单位 — The agencies taking part, of every province involved, in the order listed.
    async fn participants(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Department>> {
        let loaders = &ctx.scope()?.loaders;
        let ids = loaders.coordination_participants.load_one(self.0.id.clone()).await.map_err(loader_error)?;
        let ids = ids.unwrap_or_default();
        let mut found = loaders.department.load_many(ids.clone()).await.map_err(loader_error)?;
        Ok(ids.iter().filter_map(|id| found.remove(id)).map(Department).collect())
    }

    /// 涉及区域 — The provinces (or the area as a whole) the record concerns.
    async fn regions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Region>> {
        let loaders = &ctx.scope()?.loaders;
        let ids = loaders.coordination_regions.load_one(self.0.id.clone()).await.map_err(loader_error)?;
        let ids = ids.unwrap_or_default();
        let mut found = loaders.region.load_many(ids.clone()).await.map_err(loader_error)?;
        Ok(ids.iter().filter_map(|id| found.remove(id)).map(Region).collect())
    }

    /// 所属方案 — The plan the record belongs to (京津冀生态环境联防联控协同措施清单).
    async fn plan(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Plan>> {
        let loaders = &ctx.scope()?.loaders;
        Ok(loaders.plan.load_one(self.0.plan_id.clone()).await.map_err(loader_error)?.map(Plan))
    }

    /// 出处 — The source document and the clause, verbatim with its offsets.
    async fn provenance(&self) -> Option<Provenance> {
        provenance_of!(&self.0)
    }

    /// 版本 — Optimistic-concurrency version; a re-import that changes the record raises it.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// 协同记录筛选 — Which coordination records a list returns.
#[derive(InputObject, Default)]
pub struct CoordinationRecordFilter {
    /// 方案 — Records of this plan.
    pub plan_id: Option<ID>,
    /// 区域 — Records concerning this region: a province (北京市 110000, 天津市 120000, 河北省 130000) or
    /// the area.
    pub region_id: Option<ID>,
    /// 类型 — Records of this kind.
    pub kind: Option<CoordinationKind>,
}
