//! A fact of Jing-Jin-Ji joint work: a mechanism, working group, meeting,
//! agreement or joint action, read from one clause of a source text. Its
//! agencies are in `coordination_participant`, its regions in
//! `coordination_region`; it belongs to a plan and shares its visibility.

use crate::enums::CoordinationKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "coordination_record")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub plan_id: String,
    pub kind: CoordinationKind,
    /// As precise as the text: `2023`, or `YYYY-MM-DD`.
    pub date: Option<String>,
    pub title: String,
    pub text: String,
    /// `<plan id>:<ordinal>`: document order within the plan.
    pub doc_order: String,
    pub source_document_id: Option<String>,
    pub source_section: Option<String>,
    /// The source file's exact text the record was read from.
    pub source_quote: Option<String>,
    /// Offset of `source_quote` in the file, in characters (Unicode scalar values) from 0.
    pub source_start: Option<i32>,
    /// Offset just after `source_quote`'s last character.
    pub source_end: Option<i32>,
    /// `source_quote` as the importer read it.
    pub source_cleaned: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
