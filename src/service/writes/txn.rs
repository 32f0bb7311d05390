//! [`WriteTxn`]: the only way a mutation writes.
//!
//! The order of a write — open the transaction holding the audit-head lock,
//! check, write the rows, remember the idempotency key, append the audit
//! entry, commit — is the security contract of every mutation. Here it is a
//! type: the transaction is never handed out by value, so it cannot be
//! committed except by [`WriteTxn::commit`], which appends the mutation's
//! changes to the audit chain first. A request that ends without a change
//! ([`WriteTxn::end_unchanged`]) or with an error (the `WriteTxn` is dropped)
//! is rolled back, so no row written on the way can outlive it unaudited.

use super::Idempotency;
use crate::access::Actor;
use crate::db::Writer;
use crate::error::{AppError, AppResult};
use crate::service::audit::{self, ChangeInput};
use chrono::Utc;
use entity::{access_grant, department, indicator, indicator_target, plan, region, task, webhook_endpoint};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelBehavior, ActiveModelTrait, DatabaseTransaction, EntityTrait, IntoActiveModel};

/// One mutation's open write transaction, holding the audit-head lock (see [`audit`]).
pub struct WriteTxn<'a> {
    txn: DatabaseTransaction,
    actor: &'a Actor,
    idempotency: Option<Idempotency<'a>>,
}

/// The changes a mutation commits: at least one, appended to the chain in order.
pub struct Changes(Vec<ChangeInput>);

impl From<ChangeInput> for Changes {
    fn from(change: ChangeInput) -> Self {
        Self(vec![change])
    }
}

/// The changes of a mutation that writes many records (an import).
impl FromIterator<ChangeInput> for Changes {
    fn from_iter<I: IntoIterator<Item = ChangeInput>>(changes: I) -> Self {
        Self(changes.into_iter().collect())
    }
}

impl Changes {
    /// These changes followed by `next`, if there is one.
    pub fn and(mut self, next: Option<ChangeInput>) -> Self {
        self.0.extend(next);
        self
    }
}

impl<'a> WriteTxn<'a> {
    /// Opens the write of a mutation by `actor`.
    pub async fn begin(writer: &Writer, actor: &'a Actor) -> AppResult<Self> {
        Ok(Self { txn: audit::begin_write(writer).await?, actor, idempotency: None })
    }

    /// Opens the write of a create that a retry with the same idempotency key
    /// must answer from its first result ([`WriteTxn::replay`]); the commit
    /// remembers the key with the record its first change names.
    pub async fn begin_idempotent(writer: &Writer, actor: &'a Actor, idempotency: Idempotency<'a>) -> AppResult<Self> {
        Ok(Self { txn: audit::begin_write(writer).await?, actor, idempotency: Some(idempotency) })
    }

    /// The transaction, for the mutation's reads and for writing its rows.
    pub fn db(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// The record ID of the first result of this request's idempotency key,
    /// if the request is a retry. Callers run their access checks first, so a
    /// replay answers only a caller who may make the request.
    ///
    /// # Errors
    /// CONFLICT when the key was used before with different input.
    pub async fn replay(&self) -> AppResult<Option<String>> {
        match &self.idempotency {
            Some(idempotency) => idempotency.replay(&self.txn, self.actor).await,
            None => Ok(None),
        }
    }

    /// Writes `record` as the next version of a row now at `current_version`
    /// (its version raised by one, its `updated_at` now). The caller has
    /// already checked `expectedVersion`; the write lock held since
    /// [`WriteTxn::begin`] keeps the row from moving meanwhile.
    pub async fn save_next_version<A>(&self, mut record: A, current_version: i32) -> AppResult<ModelOf<A>>
    where
        A: Versioned + ActiveModelTrait + ActiveModelBehavior + Send,
        ModelOf<A>: IntoActiveModel<A>,
    {
        record.set_next_version(current_version);
        Ok(record.update(&self.txn).await?)
    }

    /// Ends the mutation: remembers the idempotency key (if the request has
    /// one), appends each change to the audit chain, and commits — all or
    /// nothing.
    pub async fn commit(self, changes: impl Into<Changes>) -> AppResult<()> {
        let Changes(changes) = changes.into();
        let first = changes
            .first()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a mutation committed without a change")))?;
        if let Some(idempotency) = &self.idempotency {
            idempotency.remember(&self.txn, self.actor, first.entity.as_str(), &first.entity_id).await?;
        }
        for change in changes {
            audit::record(&self.txn, self.actor, change).await?;
        }
        self.txn.commit().await?;
        Ok(())
    }

    /// Ends a request that changed nothing (a replayed create, a repeated
    /// revocation): whatever it read stays as it was, and nothing it might
    /// have written is kept.
    pub async fn end_unchanged(self) -> AppResult<()> {
        self.txn.rollback().await?;
        Ok(())
    }
}

/// The model an active model saves to.
pub type ModelOf<A> = <<A as ActiveModelTrait>::Entity as EntityTrait>::Model;

/// Rows under optimistic concurrency: every change raises `version`.
pub trait Versioned {
    /// Sets the version that follows `current` (and, where the row keeps one, `updated_at`).
    fn set_next_version(&mut self, current: i32);
}

/// Implements [`Versioned`] for entities with `version` and `updated_at`.
macro_rules! versioned_with_timestamp {
    ($($entity:ident),+) => {$(
        impl Versioned for $entity::ActiveModel {
            fn set_next_version(&mut self, current: i32) {
                self.version = Set(current + 1);
                self.updated_at = Set(Utc::now());
            }
        }
    )+};
}

versioned_with_timestamp!(plan, task, indicator, indicator_target, region, department, webhook_endpoint);

/// A grant keeps no `updated_at`: its `revoked_at` says when it last changed.
impl Versioned for access_grant::ActiveModel {
    fn set_next_version(&mut self, current: i32) {
        self.version = Set(current + 1);
    }
}
