//! The audit trail: one append-only, hash-chained Change per mutation,
//! written in the mutation's own transaction.
//!
//! Mutations do not call this module directly: they open a
//! [`WriteTxn`](crate::service::writes::WriteTxn), whose only way to commit
//! appends their changes here first.
//!
//! Every write transaction starts with [`begin_write`], which touches the
//! single `audit_head` row before anything else. That takes the write lock
//! (SQLite) or the row lock (PostgreSQL) up front, so writers are serialised:
//! sequence numbers are handed out and committed in the same order (the
//! change feed can never skip a slower transaction), each change can hash its
//! predecessor, and a SQLite transaction never has to upgrade a read lock.

mod vocabulary;

pub use vocabulary::{AuditAction, AuditEntity, Scope, ScopeKind};

use crate::access::Actor;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, SubsecRound, Utc};
use entity::{audit_head, change};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// One change to record.
#[derive(Debug, Clone)]
pub struct ChangeInput {
    pub entity: AuditEntity,
    pub entity_id: String,
    pub action: AuditAction,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub scope: Scope,
    pub plan_id: Option<String>,
    pub region_id: Option<String>,
}

/// Opens a write transaction holding the audit head lock.
pub(in crate::service) async fn begin_write(writer: &crate::db::Writer) -> AppResult<DatabaseTransaction> {
    let txn = writer.connection().begin().await?;
    let touch = Query::update()
        .table(audit_head::Entity)
        .value(audit_head::Column::LastSeq, Expr::col(audit_head::Column::LastSeq))
        .and_where(audit_head::Column::Id.eq(1))
        .to_owned();
    txn.execute(&touch).await?;
    Ok(txn)
}

/// Appends `input` to the chain inside `txn` (opened with [`begin_write`]).
pub(in crate::service) async fn record(
    txn: &DatabaseTransaction,
    actor: &Actor,
    input: ChangeInput,
) -> AppResult<change::Model> {
    let head = audit_head::Entity::find_by_id(1)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the audit head row is missing")))?;
    let (scope_kind, scope_id) = input.scope.into_parts();
    let mut row = change::Model {
        seq: head.last_seq + 1,
        id: crate::ids::new_uuid(),
        occurred_at: Utc::now().trunc_subsecs(6),
        actor_subject: actor.subject.clone(),
        actor_client: actor.client.clone(),
        actor_department_id: actor.department_id.clone(),
        actor_role: actor.role.as_str().to_owned(),
        entity: input.entity.as_str().to_owned(),
        entity_id: input.entity_id,
        action: input.action.as_str().to_owned(),
        before: input.before.map(|v| v.to_string()),
        after: input.after.map(|v| v.to_string()),
        scope_entity: scope_kind.as_str().to_owned(),
        scope_id,
        plan_id: input.plan_id,
        region_id: input.region_id,
        request_id: actor.request_id.clone(),
        prev_hash: head.last_hash.clone(),
        hash: String::new(),
    };
    row.hash = hash(&row);
    let inserted = row.clone().into_active_model().insert(txn).await?;
    let mut head = head.into_active_model();
    head.last_seq = sea_orm::ActiveValue::Set(row.seq);
    head.last_hash = sea_orm::ActiveValue::Set(row.hash.clone());
    head.update(txn).await?;
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Delivered to listeners only if, and when, the transaction commits.
        txn.execute_unprepared(&format!("NOTIFY {}", super::notify::CHANNEL)).await?;
    }
    Ok(inserted)
}

/// SHA-256 over every field of a change except its own hash, chained to `prev_hash`.
pub fn hash(row: &change::Model) -> String {
    let fields: [&str; 18] = [
        &row.seq.to_string(),
        &row.id,
        &timestamp(row.occurred_at),
        &row.actor_subject,
        row.actor_client.as_deref().unwrap_or(""),
        row.actor_department_id.as_deref().unwrap_or(""),
        &row.actor_role,
        &row.entity,
        &row.entity_id,
        &row.action,
        row.before.as_deref().unwrap_or(""),
        row.after.as_deref().unwrap_or(""),
        &row.scope_entity,
        row.scope_id.as_deref().unwrap_or(""),
        row.plan_id.as_deref().unwrap_or(""),
        row.region_id.as_deref().unwrap_or(""),
        row.request_id.as_deref().unwrap_or(""),
        &row.prev_hash,
    ];
    let mut hasher = Sha256::new();
    for field in fields {
        // Length-prefixed, so moving text between fields changes the hash.
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    format!("{:x}", hasher.finalize())
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Result of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Number of changes checked.
    pub checked: u64,
    /// The first change whose hash or link does not hold, with the reason.
    pub first_broken: Option<(i64, String)>,
}

/// Recomputes the chain from the first change and names the first broken link.
pub async fn verify<C: ConnectionTrait>(db: &C) -> AppResult<Verification> {
    let mut expected_prev = "0".repeat(64);
    let mut expected_seq = 1;
    let mut checked = 0;
    loop {
        let batch = change::Entity::find()
            .filter(change::Column::Seq.gte(expected_seq))
            .order_by_asc(change::Column::Seq)
            .limit(1000)
            .all(db)
            .await?;
        if batch.is_empty() {
            break;
        }
        for row in batch {
            let broken = if row.seq != expected_seq {
                Some(format!("sequence jumps from {} to {}", expected_seq - 1, row.seq))
            } else if row.prev_hash != expected_prev {
                Some("prev_hash does not match the previous change".to_owned())
            } else if hash(&row) != row.hash {
                Some("content does not match its hash (the row was altered)".to_owned())
            } else {
                None
            };
            if let Some(reason) = broken {
                return Ok(Verification { checked, first_broken: Some((row.seq, reason)) });
            }
            checked += 1;
            expected_prev = row.hash;
            expected_seq += 1;
        }
    }
    let head = audit_head::Entity::find_by_id(1).one(db).await?;
    if let Some(head) = head.filter(|h| h.last_seq != expected_seq - 1 || h.last_hash != expected_prev) {
        return Ok(Verification {
            checked,
            first_broken: Some((head.last_seq, "the chain ends before the recorded head (rows were deleted)".into())),
        });
    }
    Ok(Verification { checked, first_broken: None })
}
