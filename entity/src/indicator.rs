//! A quantified indicator that tasks must move.

use crate::enums::{Direction, Measure, Nature, SharingClass};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "indicator")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    /// Sort key for document order: `<plan id>:<zero-padded ordinal>`.
    pub doc_order: String,
    pub unit: String,
    pub measure: Measure,
    pub direction: Direction,
    pub summable: bool,
    pub nature: Nature,
    pub region_id: String,
    pub plan_id: String,
    pub task_id: Option<String>,
    pub baseline_year: Option<i32>,
    pub baseline_value: Option<f64>,
    /// The city indicator this one contributes to (完成全市下达指标).
    pub contributes_to_id: Option<String>,
    pub sharing_class: Option<SharingClass>,
    pub legal_basis: Option<String>,
    pub source_document_id: Option<String>,
    pub source_section: Option<String>,
    /// The source file's exact text the record was read from.
    pub source_quote: Option<String>,
    /// Offset of `source_quote` in the file, in characters (Unicode scalar values) from 0.
    pub source_start: Option<i32>,
    /// Offset just after `source_quote`'s last character.
    pub source_end: Option<i32>,
    /// `source_quote` as the importer read it: noise removed, corrections applied.
    pub source_cleaned: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
