//! A target of an indicator for one year.

use crate::enums::Comparator;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "indicator_target")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub indicator_id: String,
    pub year: i32,
    pub comparator: Comparator,
    pub value: f64,
    /// Upper bound when `comparator` is BETWEEN.
    pub value_max: Option<f64>,
    pub source_document_id: Option<String>,
    pub source_section: Option<String>,
    pub source_quote: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
