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
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
