//! A plan document (实施方案, 行动方案, …).

use crate::enums::{PlanKind, PlanStatus, SharingClass};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "plan")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub title: String,
    pub document_number: Option<String>,
    pub issuer_id: Option<String>,
    pub region_id: String,
    pub issued_on: Option<Date>,
    pub period_start: Option<i32>,
    pub period_end: Option<i32>,
    pub kind: PlanKind,
    pub status: PlanStatus,
    pub sharing_class: SharingClass,
    /// Legal basis for withholding, required when `sharing_class` is NOT_SHARED.
    pub legal_basis: Option<String>,
    /// The plan this one implements.
    pub parent_id: Option<String>,
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
