//! A registered webhook endpoint: where changes are delivered, as whom, and
//! how far delivery has got.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoint")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub url: String,
    /// The department the endpoint acts as (its visibility is that of a token of it).
    pub department_id: String,
    /// The role the endpoint acts as: `READER`, `BUREAU`, `COORDINATOR` or `ADMIN`.
    pub role: String,
    pub filter_plan_id: Option<String>,
    /// A stored `change.entity` name.
    pub filter_entity: Option<String>,
    /// A stored `change.action` name.
    pub filter_action: Option<String>,
    /// `whsec_` and the base64 of the signing key. Never in the audit trail.
    pub secret: String,
    /// The secret before the last rotation, still signing until `previous_secret_expires_at`.
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<DateTimeUtc>,
    /// `ACTIVE`, `FAILING` or `DISABLED`.
    pub status: String,
    /// The sequence number of the last change delivered (or skipped as not for this endpoint).
    pub cursor: i64,
    /// Failed attempts in a row at the change after `cursor`.
    pub failures: i32,
    /// Not before this time (epoch milliseconds) is the next attempt made.
    pub next_attempt_ms: i64,
    /// The instance delivering to this endpoint, while `lease_until_ms` has not passed.
    pub lease_owner: Option<String>,
    pub lease_until_ms: i64,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
