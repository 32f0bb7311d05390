//! Serving one endpoint while holding its lease (see [`super::worker`]):
//! reading the changes after its cursor as its identity would, POSTing them
//! in order, and recording each outcome — a success moves the cursor in the
//! same transaction as the delivery record; a failure schedules a retry
//! after an exponential back-off with jitter, or marks the endpoint FAILING
//! after `--webhook-max-attempts`. Every write of the endpoint row is fenced
//! by the lease and the cursor this instance last saw.

use super::delivery::{self, Message};
use super::registry::signing_secrets;
use super::worker::{Deliverer, Halt};
use super::{DeliveryStatus, EndpointStatus, message_id, now_ms, payload};
use crate::access::Viewer;
use crate::auth::claims::parse_role;
use crate::error::{AppError, AppResult};
use crate::service::audit::{AuditAction, AuditEntity};
use crate::service::changes::{self, ChangeFilter};
use chrono::Utc;
use entity::{change, webhook_attempt, webhook_delivery, webhook_endpoint};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, TransactionTrait,
};
use std::time::Duration;
use tokio::sync::watch;

/// Changes read per statement for one endpoint.
const BATCH: u64 = 50;
/// Successful deliveries recorded per transaction (and so at most re-sent
/// after a crash; a stop records them first).
const FLUSH: usize = 25;

/// A message the receiver took.
struct Delivered {
    seq: i64,
    id: String,
    outcome: delivery::Outcome,
}

/// Writes delivered messages and one successful attempt each: two statements,
/// whatever their number (a delivery tried before is updated in place).
async fn record_delivered<C: sea_orm::ConnectionTrait>(
    db: &C,
    endpoint_id: &str,
    delivered: &[Delivered],
) -> AppResult<()> {
    use sea_orm::ExprTrait;
    use sea_orm::sea_query::OnConflict;
    use webhook_delivery::Column as D;
    let now = Utc::now();
    let deliveries = delivered.iter().map(|d| {
        webhook_delivery::Model {
            id: d.id.clone(),
            endpoint_id: endpoint_id.to_owned(),
            seq: d.seq,
            status: DeliveryStatus::Delivered.as_str().to_owned(),
            attempts: 1,
            last_status_code: d.outcome.status_code.map(i32::from),
            last_latency_ms: Some(d.outcome.latency_ms),
            last_error: None,
            next_attempt_at: None,
            created_at: now,
            updated_at: now,
            delivered_at: Some(now),
        }
        .into_active_model()
    });
    let retried = OnConflict::column(D::Id)
        .update_columns([D::Status, D::LastStatusCode, D::LastLatencyMs, D::LastError, D::NextAttemptAt, D::UpdatedAt])
        .value(D::Attempts, Expr::col((webhook_delivery::Entity, D::Attempts)).add(1))
        .value(D::DeliveredAt, Expr::cust(r#"COALESCE("webhook_delivery"."delivered_at", excluded."delivered_at")"#))
        .to_owned();
    webhook_delivery::Entity::insert_many(deliveries).on_conflict(retried).exec(db).await?;
    let attempts = delivered.iter().map(|d| {
        webhook_attempt::Model {
            id: crate::ids::new_uuid(),
            delivery_id: d.id.clone(),
            attempted_at: now,
            succeeded: true,
            status_code: d.outcome.status_code.map(i32::from),
            latency_ms: d.outcome.latency_ms,
            error: None,
        }
        .into_active_model()
    });
    webhook_attempt::Entity::insert_many(attempts).exec(db).await?;
    Ok(())
}

impl Deliverer {
    /// Delivers the changes after the endpoint's cursor until none is left, a
    /// failure, a stop, or the loss of the lease.
    pub(super) async fn deliver_from_cursor(&self, id: &str, stop: &watch::Receiver<bool>) -> Result<(), Halt> {
        let mut endpoint = self.renew(id).await?;
        let viewer = match acting_viewer(&self.db, &endpoint).await {
            Ok(viewer) => viewer,
            Err(error) => {
                // Its department is gone, say: try again at the probe interval rather than at once.
                self.postpone(&endpoint, self.outbound.settings.webhook_probe_interval).await?;
                return Err(Halt::Failed(error));
            }
        };
        let filter = filter_of(&endpoint);
        loop {
            let head = changes::head_seq(&self.db).await?;
            let rows = changes::next_batch(&self.db, &viewer, &filter, endpoint.cursor, BATCH).await?;
            if rows.is_empty() {
                if head > endpoint.cursor {
                    self.skip_to(&endpoint, head).await?;
                }
                return Ok(());
            }
            let bodies = payload::bodies(&self.db, &viewer, &rows).await?;
            let mut delivered: Vec<Delivered> = Vec::new();
            for (row, body) in rows.iter().zip(bodies) {
                if *stop.borrow() || EndpointStatus::parse(&endpoint.status) == EndpointStatus::Disabled {
                    return self.record_successes(&mut endpoint, &delivered).await;
                }
                let id = message_id(&endpoint.id, &row.id);
                let secrets = signing_secrets(&endpoint, Utc::now());
                let message = Message { url: &endpoint.url, id: &id, body: &body, secrets: &secrets };
                let outcome = delivery::post(&self.client, &self.outbound.settings.webhook_allow_hosts, &message).await;
                if !outcome.succeeded {
                    self.record_successes(&mut endpoint, &delivered).await?;
                    return self.record_failure(&endpoint, row, &id, &outcome).await;
                }
                delivered.push(Delivered { seq: row.seq, id, outcome });
                if delivered.len() >= FLUSH {
                    self.record_successes(&mut endpoint, &std::mem::take(&mut delivered)).await?;
                }
            }
            self.record_successes(&mut endpoint, &delivered).await?;
            endpoint = self.renew(id).await?;
        }
    }

    /// Moves the cursor past changes that are not for this endpoint.
    async fn skip_to(&self, endpoint: &webhook_endpoint::Model, seq: i64) -> Result<(), Halt> {
        let moved = fenced(endpoint, &self.instance)
            .col_expr(webhook_endpoint::Column::Cursor, Expr::value(seq))
            .exec(&self.writes)
            .await?;
        if moved.rows_affected == 1 { Ok(()) } else { Err(Halt::LostLease) }
    }

    async fn postpone(&self, endpoint: &webhook_endpoint::Model, by: Duration) -> Result<(), Halt> {
        let next = now_ms() + i64::try_from(by.as_millis()).unwrap_or(i64::MAX / 2);
        fenced(endpoint, &self.instance)
            .col_expr(webhook_endpoint::Column::NextAttemptMs, Expr::value(next))
            .exec(&self.writes)
            .await?;
        Ok(())
    }

    /// Records messages the receiver took (2xx), in one transaction: the
    /// cursor moves past the last of them, their deliveries and attempts are
    /// written, and a FAILING endpoint is ACTIVE again.
    async fn record_successes(
        &self,
        endpoint: &mut webhook_endpoint::Model,
        delivered: &[Delivered],
    ) -> Result<(), Halt> {
        let Some(last) = delivered.last() else { return Ok(()) };
        let txn = self.writes.begin().await?;
        let moved = fenced(endpoint, &self.instance)
            .col_expr(webhook_endpoint::Column::Cursor, Expr::value(last.seq))
            .col_expr(webhook_endpoint::Column::Failures, Expr::value(0))
            .col_expr(webhook_endpoint::Column::NextAttemptMs, Expr::value(0i64))
            .exec(&txn)
            .await?;
        if moved.rows_affected != 1 {
            return Err(Halt::LostLease);
        }
        if EndpointStatus::parse(&endpoint.status) == EndpointStatus::Failing {
            webhook_endpoint::Entity::update_many()
                .col_expr(webhook_endpoint::Column::Status, Expr::value(EndpointStatus::Active.as_str()))
                .filter(webhook_endpoint::Column::Id.eq(endpoint.id.as_str()))
                .filter(webhook_endpoint::Column::Status.eq(EndpointStatus::Failing.as_str()))
                .exec(&txn)
                .await?;
            tracing::info!(endpoint = %endpoint.id, "webhook endpoint recovered");
        }
        record_delivered(&txn, &endpoint.id, delivered).await?;
        txn.commit().await?;
        endpoint.cursor = last.seq;
        endpoint.failures = 0;
        endpoint.status = EndpointStatus::Active.as_str().to_owned();
        Ok(())
    }

    /// A failure: the same change is tried again after a back-off; after the
    /// cap the endpoint is FAILING and probed at the probe interval.
    async fn record_failure(
        &self,
        endpoint: &webhook_endpoint::Model,
        row: &change::Model,
        id: &str,
        outcome: &delivery::Outcome,
    ) -> Result<(), Halt> {
        let settings = &self.outbound.settings;
        let failures = endpoint.failures.saturating_add(1);
        let failing = EndpointStatus::parse(&endpoint.status) == EndpointStatus::Failing
            || u32::try_from(failures).unwrap_or(u32::MAX) >= settings.webhook_max_attempts;
        let delay = if failing {
            settings.webhook_probe_interval
        } else {
            backoff(settings.webhook_retry_base, settings.webhook_probe_interval, failures)
        };
        let next = Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
        let txn = self.writes.begin().await?;
        let mut update = fenced(endpoint, &self.instance)
            .col_expr(webhook_endpoint::Column::Failures, Expr::value(failures))
            .col_expr(webhook_endpoint::Column::NextAttemptMs, Expr::value(next.timestamp_millis()));
        if failing {
            update = update
                .col_expr(webhook_endpoint::Column::Status, Expr::value(EndpointStatus::Failing.as_str()))
                .filter(webhook_endpoint::Column::Status.ne(EndpointStatus::Disabled.as_str()));
        }
        update.exec(&txn).await?;
        record(&txn, &endpoint.id, row.seq, id, outcome, DeliveryStatus::Retrying, Some(next)).await?;
        txn.commit().await?;
        if failing && EndpointStatus::parse(&endpoint.status) != EndpointStatus::Failing {
            tracing::warn!(endpoint = %endpoint.id, failures, "webhook endpoint marked FAILING");
        }
        Ok(())
    }
}

/// An UPDATE of `endpoint` that applies only while this instance holds its
/// lease and the cursor is where this instance last saw it.
fn fenced(endpoint: &webhook_endpoint::Model, instance: &str) -> sea_orm::UpdateMany<webhook_endpoint::Entity> {
    webhook_endpoint::Entity::update_many()
        .filter(webhook_endpoint::Column::Id.eq(endpoint.id.as_str()))
        .filter(webhook_endpoint::Column::LeaseOwner.eq(instance))
        .filter(webhook_endpoint::Column::Cursor.eq(endpoint.cursor))
}

/// Writes the delivery of change `seq` to `endpoint_id` (message `id`) and one attempt of it.
///
/// # Errors
/// Store failures.
pub async fn record<C: sea_orm::ConnectionTrait>(
    db: &C,
    endpoint_id: &str,
    seq: i64,
    id: &str,
    outcome: &delivery::Outcome,
    status: DeliveryStatus,
    next_attempt_at: Option<chrono::DateTime<Utc>>,
) -> AppResult<webhook_delivery::Model> {
    let now = Utc::now();
    let status_code = outcome.status_code.map(i32::from);
    let saved = match webhook_delivery::Entity::find_by_id(id).one(db).await? {
        Some(found) => {
            let attempts = found.attempts.saturating_add(1);
            let delivered_at = found.delivered_at.or((status == DeliveryStatus::Delivered).then_some(now));
            let mut am = found.into_active_model();
            am.status = Set(status.as_str().to_owned());
            am.attempts = Set(attempts);
            am.last_status_code = Set(status_code);
            am.last_latency_ms = Set(Some(outcome.latency_ms));
            am.last_error = Set(outcome.error.clone());
            am.next_attempt_at = Set(next_attempt_at);
            am.updated_at = Set(now);
            am.delivered_at = Set(delivered_at);
            am.update(db).await?
        }
        None => {
            webhook_delivery::Model {
                id: id.to_owned(),
                endpoint_id: endpoint_id.to_owned(),
                seq,
                status: status.as_str().to_owned(),
                attempts: 1,
                last_status_code: status_code,
                last_latency_ms: Some(outcome.latency_ms),
                last_error: outcome.error.clone(),
                next_attempt_at,
                created_at: now,
                updated_at: now,
                delivered_at: (status == DeliveryStatus::Delivered).then_some(now),
            }
            .into_active_model()
            .insert(db)
            .await?
        }
    };
    webhook_attempt::Model {
        id: crate::ids::new_uuid(),
        delivery_id: id.to_owned(),
        attempted_at: now,
        succeeded: outcome.succeeded,
        status_code,
        latency_ms: outcome.latency_ms,
        error: outcome.error.clone(),
    }
    .into_active_model()
    .insert(db)
    .await?;
    Ok(saved)
}

/// The wait before attempt `failures + 1`: `base · 2^(failures−1)`, at most
/// `ceiling`, then scaled by a random factor in [0.5, 1] so that endpoints
/// that failed together do not retry together.
pub fn backoff(base: Duration, ceiling: Duration, failures: i32) -> Duration {
    let exponent = u32::try_from(failures.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let full = base.saturating_mul(1u32 << exponent).min(ceiling);
    full.mul_f64(rand::random_range(0.5..=1.0))
}

/// The caller an endpoint reads the feed as: a token of its department and role.
///
/// # Errors
/// When its department is gone or its role unreadable.
pub async fn acting_viewer(db: &DatabaseConnection, endpoint: &webhook_endpoint::Model) -> AppResult<Viewer> {
    let role = parse_role(&endpoint.role).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let subject = format!("webhook:{}", endpoint.id);
    let identity = crate::auth::identity::acting_as(db, &subject, &endpoint.department_id, role).await?;
    Ok(Viewer { identity: Some(identity) })
}

/// The feed filter of an endpoint.
pub fn filter_of(endpoint: &webhook_endpoint::Model) -> ChangeFilter {
    ChangeFilter {
        plan_id: endpoint.filter_plan_id.clone(),
        entity: endpoint.filter_entity.as_deref().and_then(AuditEntity::parse),
        action: endpoint.filter_action.as_deref().and_then(AuditAction::parse),
        ..ChangeFilter::default()
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_ceiling() {
        let (base, ceiling) = (Duration::from_millis(100), Duration::from_secs(60));
        for failures in 1..=5 {
            let full = Duration::from_millis(100 << (failures - 1));
            let wait = backoff(base, ceiling, failures);
            assert!(wait >= full / 2 && wait <= full, "{failures}: {wait:?}");
        }
        assert!(backoff(base, ceiling, 40) <= ceiling);
    }
}
