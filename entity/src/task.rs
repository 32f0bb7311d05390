//! A node of a plan's task tree: action group, numbered task or featured project.

use crate::enums::{SharingClass, TaskKind, TaskStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "task")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub plan_id: String,
    pub parent_id: Option<String>,
    pub kind: TaskKind,
    /// Position code in the document, e.g. `三.（三）.1`.
    pub code: String,
    /// Order among siblings, from 0.
    pub position: i32,
    /// Sort key for document order: `<plan id>:<zero-padded ordinal>`.
    pub doc_order: String,
    pub title: String,
    pub body: String,
    pub due_year: Option<i32>,
    pub status: TaskStatus,
    /// Own sharing class; `None` inherits the plan's.
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
