//! Derived, one row per indicator that has actuals: which actual is its
//! latest (the highest revision of its latest period, periods compared byte by
//! byte) and when its last value of any period was reported.
//!
//! Kept by the writes that add actuals (`service::indicators::refresh_latest_actuals`,
//! inside their transaction), so reading an indicator's progress is two primary-key
//! probes instead of a search through its actuals.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "indicator_latest_actual")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub indicator_id: String,
    /// The latest actual's ID.
    pub actual_id: String,
    /// The latest `reported_at` of any of the indicator's actuals.
    pub last_reported_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
