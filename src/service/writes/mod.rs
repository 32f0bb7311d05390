//! Mutations: validation, access checks, optimistic concurrency,
//! idempotency and the audit record, all in one transaction per mutation.
//!
//! Every mutation follows the same steps:
//! 1. validate the input (BAD_USER_INPUT naming each offending field);
//! 2. open its [`WriteTxn`], which serialises writers;
//! 3. load the target *as the caller may see it* (invisible = NOT_FOUND), then
//!    check the caller's right to change it (FORBIDDEN);
//! 4. answer a retried create from its idempotency record ([`WriteTxn::replay`]);
//! 5. check `expectedVersion` (CONFLICT with the current version);
//! 6. write the rows, then [`WriteTxn::commit`] the Change with its
//!    before/after — the only way the transaction commits.
//!
//! Nothing is written unless every step succeeds.

pub mod admin;
pub mod indicators;
pub mod plans;
pub mod reports;
pub mod tasks;
mod txn;

pub use txn::{Changes, ModelOf, Versioned, WriteTxn};

use crate::access::Actor;
use crate::error::{AppError, AppResult, FieldError};
use entity::idempotency_record;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Longest title or name accepted.
pub const MAX_TITLE: usize = 500;
/// Longest body, narrative or note accepted.
pub const MAX_TEXT: usize = 20_000;
/// Longest short code (document number, position code, unit, period).
pub const MAX_CODE: usize = 64;
/// Years accepted anywhere.
pub const YEARS: std::ops::RangeInclusive<i32> = 1949..=2100;

/// Latest year of any date or timestamp accepted: SQLite stores them as
/// text and compares them as text, which only orders four-digit years.
pub const MAX_CALENDAR_YEAR: i32 = 9999;

/// Whether `value` lies in years 1 to [`MAX_CALENDAR_YEAR`].
pub fn within_calendar(value: &chrono::DateTime<chrono::Utc>) -> bool {
    use chrono::Datelike;
    (1..=MAX_CALENDAR_YEAR).contains(&value.year())
}

/// Collects the field errors of one input, then fails once naming them all.
#[derive(Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    /// Records an error for `field` unless `ok`.
    pub fn require(&mut self, ok: bool, field: &str, message: impl Into<String>) -> &mut Self {
        if !ok {
            self.0.push(FieldError::new(field, message));
        }
        self
    }

    /// A required text: not blank, at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> &mut Self {
        self.require(!value.trim().is_empty(), field, "must not be empty");
        self.require(value.chars().count() <= max, field, format!("must be at most {max} characters"))
    }

    /// An optional text: if given, as [`Checks::text`].
    pub fn opt_text(&mut self, field: &str, value: Option<&str>, max: usize) -> &mut Self {
        match value {
            Some(v) => self.text(field, v, max),
            None => self,
        }
    }

    /// An optional year in [`YEARS`].
    pub fn year(&mut self, field: &str, value: Option<i32>) -> &mut Self {
        self.require(
            value.is_none_or(|y| YEARS.contains(&y)),
            field,
            format!("must be a year between {} and {}", YEARS.start(), YEARS.end()),
        )
    }

    /// A timestamp no later than year [`MAX_CALENDAR_YEAR`] (the stores
    /// compare and format four-digit years only).
    pub fn timestamp(&mut self, field: &str, value: &chrono::DateTime<chrono::Utc>) -> &mut Self {
        self.require(within_calendar(value), field, format!("must be before the year {}", MAX_CALENDAR_YEAR + 1))
    }

    /// A finite number.
    pub fn number(&mut self, field: &str, value: Option<f64>) -> &mut Self {
        self.require(value.is_none_or(f64::is_finite), field, "must be a finite number")
    }

    /// Fails with BAD_USER_INPUT naming every recorded field, if any.
    pub fn finish(self) -> AppResult<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = self.0.iter().map(|f| f.field.as_str()).collect();
        Err(AppError::BadUserInput { message: format!("invalid input: {}", names.join(", ")), fields: self.0 })
    }
}

/// Fails with CONFLICT unless the record is still at `expected`.
pub fn check_version(entity: &str, current: i32, expected: i32) -> AppResult<()> {
    if current == expected {
        Ok(())
    } else {
        Err(AppError::Conflict {
            message: format!(
                "{entity} was changed by someone else: expectedVersion {expected}, current version {current}; \
                 reload it and apply your change again"
            ),
            current_version: Some(current),
        })
    }
}

/// Sets an active-model field when a patch gives it a value (`None` leaves it as it is).
pub fn set_if<T: Into<sea_orm::Value>>(field: &mut sea_orm::ActiveValue<T>, value: Option<T>) {
    if let Some(value) = value {
        *field = sea_orm::ActiveValue::Set(value);
    }
}

/// JSON of a model for the audit record.
pub fn json<T: Serialize>(model: &T) -> Option<serde_json::Value> {
    serde_json::to_value(model).ok()
}

/// An idempotency key with the request it came with; a create opens its
/// [`WriteTxn`] with it ([`WriteTxn::begin_idempotent`]).
pub struct Idempotency<'a> {
    operation: &'static str,
    key: Option<&'a str>,
    /// Hash of the input (without the key): the same key with other input is refused.
    request_hash: String,
}

impl<'a> Idempotency<'a> {
    /// The idempotency of `operation` for `key`, fingerprinting `input`.
    pub fn new(operation: &'static str, key: Option<&'a str>, input: &impl Serialize) -> AppResult<Self> {
        if let Some(k) = key {
            let mut checks = Checks::default();
            checks.text("input.idempotencyKey", k, 200);
            checks.finish()?;
        }
        let bytes = serde_json::to_vec(input).unwrap_or_default();
        Ok(Self { operation, key, request_hash: format!("{:x}", Sha256::digest(bytes)) })
    }

    /// The record ID of the first result of this key, if there was one.
    ///
    /// # Errors
    /// CONFLICT when the key was used before with different input.
    async fn replay(&self, txn: &DatabaseTransaction, actor: &Actor) -> AppResult<Option<String>> {
        let Some(key) = self.key else { return Ok(None) };
        let found = idempotency_record::Entity::find()
            .filter(idempotency_record::Column::Subject.eq(scope_of(actor)))
            .filter(idempotency_record::Column::Operation.eq(self.operation))
            .filter(idempotency_record::Column::Key.eq(key))
            .one(txn)
            .await?;
        match found {
            Some(r) if r.request_hash == self.request_hash => Ok(Some(r.entity_id)),
            Some(_) => Err(AppError::Conflict {
                message: format!("idempotencyKey {key:?} was already used for a different {} request", self.operation),
                current_version: None,
            }),
            None => Ok(None),
        }
    }

    /// Remembers `entity_id` as the result of this key.
    async fn remember(&self, txn: &DatabaseTransaction, actor: &Actor, entity: &str, entity_id: &str) -> AppResult<()> {
        let Some(key) = self.key else { return Ok(()) };
        idempotency_record::Model {
            id: crate::ids::new_uuid(),
            subject: scope_of(actor),
            operation: self.operation.to_owned(),
            key: key.to_owned(),
            entity: entity.to_owned(),
            entity_id: entity_id.to_owned(),
            request_hash: self.request_hash.clone(),
            created_at: chrono::Utc::now(),
        }
        .into_active_model()
        .insert(txn)
        .await?;
        Ok(())
    }
}

/// Whose keys an idempotency key belongs to: the token subject *in* its
/// department and role, so two callers sharing a subject name never see each
/// other's results. A replay is answered only after the caller passed the same
/// access checks as the first request (callers check before replaying).
fn scope_of(actor: &Actor) -> String {
    format!("{}|{}|{}", actor.subject, actor.department_id.as_deref().unwrap_or(""), actor.role.as_str())
}

/// Loads a row by ID inside the transaction, or NOT_FOUND.
pub async fn load<E, C>(
    db: &C,
    kind: &str,
    id: &str,
    query: sea_orm::Select<E>,
    column: E::Column,
) -> AppResult<E::Model>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    query.filter(column.eq(id)).one(db).await?.ok_or_else(|| AppError::not_found(kind, id))
}
