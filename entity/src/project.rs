//! A key project (重点项目) of a plan: a named construction or undertaking a
//! 专栏 (or a task) lists, with where it is and the clause it is read from.
//! Its sizes are in `project_size`, its responsible units in
//! `project_department`; it belongs to a task and is visible exactly when
//! that task is.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "project")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub plan_id: String,
    /// The 专栏 (or numbered task) the project is listed in.
    pub task_id: String,
    /// The 专栏's bold label (光伏发电), or what the task calls the project.
    pub kind: String,
    pub name: String,
    /// Where it is, as written; `None` when the text gives no place.
    pub place: Option<String>,
    /// `<plan id>:<ordinal>`: document order within the plan.
    pub doc_order: String,
    pub source_document_id: Option<String>,
    pub source_section: Option<String>,
    /// The source file's exact text the project was read from.
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
