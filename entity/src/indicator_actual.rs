//! One reported value of an indicator for a period. Append-only: a correction
//! is a new row with a higher `revision` that names the row it supersedes.

use crate::enums::ActualStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "indicator_actual")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub indicator_id: String,
    /// `2024`, `2024-H1`, `2024-Q3` or `2024-07`.
    pub period: String,
    pub value: f64,
    pub status: ActualStatus,
    /// 1 for the first value of a period, then 2, 3, …
    pub revision: i32,
    pub supersedes_id: Option<String>,
    /// Why this revision replaces the previous one; required from revision 2.
    pub reason: Option<String>,
    pub note: Option<String>,
    pub department_id: Option<String>,
    pub reported_by: Option<String>,
    pub reported_at: DateTimeUtc,
    /// Where a value stated by a source text was read (as on plans, tasks,
    /// indicators and targets); `None` for values reported through the API.
    pub source_document_id: Option<String>,
    pub source_section: Option<String>,
    /// The source file's exact text the value was read from.
    pub source_quote: Option<String>,
    /// Offset of `source_quote` in the file, in characters (Unicode scalar values) from 0.
    pub source_start: Option<i32>,
    /// Offset just after `source_quote`'s last character.
    pub source_end: Option<i32>,
    /// `source_quote` as the importer read it: noise removed, corrections applied.
    pub source_cleaned: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
