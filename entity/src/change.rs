//! One committed mutation: the audit record, and an entry of the change feed.
//! Append-only and hash-chained: `hash` covers this row and `prev_hash`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "change")]
pub struct Model {
    /// Position in the total order of committed changes, from 1, without gaps.
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub id: String,
    pub occurred_at: DateTimeUtc,
    pub actor_subject: String,
    pub actor_client: Option<String>,
    pub actor_department_id: Option<String>,
    pub actor_role: String,
    /// Entity type, e.g. `Plan`, `Task`, `Indicator`.
    pub entity: String,
    pub entity_id: String,
    /// e.g. `CREATE`, `UPDATE`, `ARCHIVE`, `REPORT_PROGRESS`.
    pub action: String,
    /// JSON of the record before the change (null for creations).
    pub before: Option<String>,
    /// JSON of the record after the change.
    pub after: Option<String>,
    /// Whose visibility governs who may read this entry: `Plan`, `Task` or
    /// `Indicator` with `scope_id`, `PUBLIC` (reference data) or `ADMIN`.
    pub scope_entity: String,
    pub scope_id: Option<String>,
    /// The plan the record belongs to, for filters.
    pub plan_id: Option<String>,
    pub region_id: Option<String>,
    pub request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
