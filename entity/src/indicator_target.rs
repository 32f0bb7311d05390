//! A target of an indicator: for one year, standing, recurring, implied, or in words (see `TargetKind`).

use crate::enums::{Comparator, TargetKind};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "indicator_target")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub indicator_id: String,
    /// The year it is due; `None` for standing and recurring targets.
    pub year: Option<i32>,
    pub kind: TargetKind,
    /// First year of a `FROM_YEAR` target.
    pub start_year: Option<i32>,
    /// The words that state the target when they are not a number (全覆盖, 每年…左右).
    pub phrase: Option<String>,
    pub comparator: Comparator,
    /// The figure; `None` exactly for a `QUALITATIVE` target (a check of the table keeps it so).
    pub value: Option<f64>,
    /// Upper bound when `comparator` is BETWEEN.
    pub value_max: Option<f64>,
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
