//! A node of the administrative tree (京津冀 → 天津市 → 静海区).

use crate::enums::RegionLevel;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "region")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// GB/T 2260 code; `None` for areas without one (京津冀).
    pub code: Option<String>,
    pub name: String,
    pub name_en: String,
    pub level: RegionLevel,
    pub parent_id: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
