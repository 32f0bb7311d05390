//! One size of a project (100 MW, 500 吨/日), in the order the text writes
//! them: a plant may have a line and a generator set, each with its figure.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "project_size")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub project_id: String,
    pub position: i32,
    pub value: f64,
    /// As written: `MW`, `吨/日`, `个`, `千伏`.
    pub unit: String,
    /// What the figure counts or rates, where the text names it (焚烧线, 充电站).
    pub measure: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
