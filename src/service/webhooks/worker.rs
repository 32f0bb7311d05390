//! The delivery worker: one tokio task per instance.
//!
//! Contract:
//! - Each round reads the endpoints that are not DISABLED (one statement),
//!   and serves each one that has changes after its cursor, is due (its next
//!   attempt time has come) and is not leased by another instance.
//! - Serving starts by taking the endpoint's lease: a conditional UPDATE that
//!   succeeds for one instance only (the row lock on PostgreSQL, the write
//!   lock on SQLite), so several instances on one database deliver each change
//!   once per endpoint. The lease lasts [`LEASE`] and is renewed before each
//!   batch; every write of the cursor is fenced by it (`lease_owner = me`), so
//!   an instance that lost its lease stops instead of moving the cursor.
//! - The changes after the cursor are read as the endpoint's identity would
//!   read them ([`changes::next_batch`] with its filter: the feed's one
//!   visibility rule) and POSTed one at a time, in order. A success moves the
//!   cursor (and makes a FAILING endpoint ACTIVE); a failure schedules the
//!   same change again after an exponential back-off with jitter, and after
//!   `--webhook-max-attempts` failures in a row marks the endpoint FAILING,
//!   probed every `--webhook-probe-interval`. Changes the endpoint may not see
//!   or does not want move the cursor without a message.
//! - At least once: the cursor moves after the receiver's 2xx, so a crash
//!   between the two sends that change again (with the same `webhook-id`).
//! - [`Worker::stop`] lets the current POST finish, releases the leases and
//!   ends the task; a graceful restart therefore neither loses nor repeats.

use super::delivery::{self, Message, Outbound};
use super::registry::signing_secrets;
use super::{DeliveryStatus, EndpointStatus, message_id, now_ms, payload};
use crate::access::Viewer;
use crate::auth::claims::parse_role;
use crate::error::{AppError, AppResult};
use crate::service::audit::{AuditAction, AuditEntity};
use crate::service::changes::{self, ChangeFilter};
use crate::service::notify::ChangeNotifier;
use chrono::Utc;
use entity::{change, webhook_attempt, webhook_delivery, webhook_endpoint};
use futures_util::StreamExt;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, TransactionTrait,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How long a lease holds without renewal.
pub const LEASE: Duration = Duration::from_secs(60);
/// Look at the endpoints at least this often, even without a wake-up.
pub const POLL: Duration = Duration::from_secs(1);
/// Changes read per statement for one endpoint.
const BATCH: u64 = 50;
/// Endpoints served at once by one instance.
const CONCURRENCY: usize = 16;

/// The running worker of an instance.
pub struct Worker {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Worker {
    /// Starts delivering from `db`, woken by `notifier` as changes commit;
    /// `None` when webhooks are off.
    pub fn start(db: DatabaseConnection, outbound: &Outbound, notifier: &ChangeNotifier) -> Option<Self> {
        let client = outbound.client.clone()?;
        let (stop, stopped) = watch::channel(false);
        let deliverer =
            Arc::new(Deliverer { db, client, outbound: outbound.clone(), instance: crate::ids::new_uuid() });
        let task = tokio::spawn(run(deliverer, notifier.subscribe(), stopped));
        Some(Self { stop, task })
    }

    /// Stops after the POSTs in flight (each bounded by `--webhook-timeout`), releasing its leases.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(error) = self.task.await {
            tracing::warn!(%error, "the webhook worker ended abnormally");
        }
    }
}

/// One instance's delivering state.
struct Deliverer {
    db: DatabaseConnection,
    client: reqwest::Client,
    outbound: Outbound,
    /// This instance's name in `lease_owner`.
    instance: String,
}

async fn run(deliverer: Arc<Deliverer>, mut wake: watch::Receiver<u64>, mut stop: watch::Receiver<bool>) {
    tracing::info!(instance = %deliverer.instance, "webhook delivery started");
    loop {
        if *stop.borrow() {
            break;
        }
        let wait = match deliverer.round(&stop).await {
            Ok(wait) => wait,
            Err(error) => {
                tracing::warn!(%error, "webhook delivery round failed; retrying");
                POLL
            }
        };
        if wait.is_zero() {
            continue;
        }
        tokio::select! {
            _ = stop.changed() => {}
            _ = wake.changed() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
    tracing::info!(instance = %deliverer.instance, "webhook delivery stopped");
}

/// Why serving an endpoint ended early.
enum Halt {
    /// Another instance holds the lease now, or the endpoint is gone.
    LostLease,
    Failed(AppError),
}

impl From<AppError> for Halt {
    fn from(error: AppError) -> Self {
        Self::Failed(error)
    }
}

impl From<sea_orm::DbErr> for Halt {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Failed(error.into())
    }
}

impl Deliverer {
    /// Serves every due endpoint once; returns how long to wait before the next round (zero: at once).
    async fn round(&self, stop: &watch::Receiver<bool>) -> AppResult<Duration> {
        let now = now_ms();
        let head = changes::head_seq(&self.db).await?;
        let rows: Vec<(String, i64, i64, i64, Option<String>)> = webhook_endpoint::Entity::find()
            .select_only()
            .column(webhook_endpoint::Column::Id)
            .column(webhook_endpoint::Column::Cursor)
            .column(webhook_endpoint::Column::NextAttemptMs)
            .column(webhook_endpoint::Column::LeaseUntilMs)
            .column(webhook_endpoint::Column::LeaseOwner)
            .filter(webhook_endpoint::Column::Status.ne(EndpointStatus::Disabled.as_str()))
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut wait = i64::try_from(POLL.as_millis()).unwrap_or(1000);
        let mut due = Vec::new();
        for (id, cursor, next_attempt, lease_until, owner) in rows {
            if cursor >= head {
                continue;
            }
            if next_attempt > now {
                wait = wait.min(next_attempt - now);
            } else if lease_until > now && owner.as_deref() != Some(&self.instance) {
                wait = wait.min(lease_until - now);
            } else {
                due.push(id);
            }
        }
        if due.is_empty() {
            return Ok(Duration::from_millis(u64::try_from(wait.max(1)).unwrap_or(1000)));
        }
        futures_util::stream::iter(due)
            .for_each_concurrent(CONCURRENCY, |id| async move { self.serve(&id, stop).await })
            .await;
        Ok(Duration::ZERO)
    }

    /// Takes the lease of endpoint `id`, delivers what is due, gives the lease back.
    async fn serve(&self, id: &str, stop: &watch::Receiver<bool>) {
        match self.take_lease(id).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(error) => {
                tracing::warn!(endpoint = id, %error, "could not take a webhook lease");
                return;
            }
        }
        match self.deliver_from_cursor(id, stop).await {
            Ok(()) | Err(Halt::LostLease) => {}
            Err(Halt::Failed(error)) => tracing::warn!(endpoint = id, %error, "webhook delivery interrupted"),
        }
        if let Err(error) = self.release_lease(id).await {
            tracing::warn!(endpoint = id, %error, "could not release a webhook lease (it expires by itself)");
        }
    }

    /// The conditional UPDATE that makes this instance the endpoint's only deliverer (or renews its lease).
    async fn take_lease(&self, id: &str) -> AppResult<bool> {
        let now = now_ms();
        let until = now + i64::try_from(LEASE.as_millis()).unwrap_or(60_000);
        let taken = webhook_endpoint::Entity::update_many()
            .col_expr(webhook_endpoint::Column::LeaseOwner, Expr::value(self.instance.clone()))
            .col_expr(webhook_endpoint::Column::LeaseUntilMs, Expr::value(until))
            .filter(webhook_endpoint::Column::Id.eq(id))
            .filter(webhook_endpoint::Column::Status.ne(EndpointStatus::Disabled.as_str()))
            .filter(webhook_endpoint::Column::NextAttemptMs.lte(now))
            .filter(
                Condition::any()
                    .add(webhook_endpoint::Column::LeaseOwner.is_null())
                    .add(webhook_endpoint::Column::LeaseUntilMs.lt(now))
                    .add(webhook_endpoint::Column::LeaseOwner.eq(self.instance.clone())),
            )
            .exec(&self.db)
            .await?;
        Ok(taken.rows_affected == 1)
    }

    async fn release_lease(&self, id: &str) -> AppResult<()> {
        webhook_endpoint::Entity::update_many()
            .col_expr(webhook_endpoint::Column::LeaseOwner, Expr::value(Option::<String>::None))
            .col_expr(webhook_endpoint::Column::LeaseUntilMs, Expr::value(0i64))
            .filter(webhook_endpoint::Column::Id.eq(id))
            .filter(webhook_endpoint::Column::LeaseOwner.eq(self.instance.clone()))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Renews the lease and reads the endpoint as it is now (a rotation or a disable applies from the next batch).
    async fn renew(&self, id: &str) -> Result<webhook_endpoint::Model, Halt> {
        let until = now_ms() + i64::try_from(LEASE.as_millis()).unwrap_or(60_000);
        let renewed = webhook_endpoint::Entity::update_many()
            .col_expr(webhook_endpoint::Column::LeaseUntilMs, Expr::value(until))
            .filter(webhook_endpoint::Column::Id.eq(id))
            .filter(webhook_endpoint::Column::LeaseOwner.eq(self.instance.clone()))
            .exec(&self.db)
            .await?;
        if renewed.rows_affected != 1 {
            return Err(Halt::LostLease);
        }
        webhook_endpoint::Entity::find_by_id(id).one(&self.db).await?.ok_or(Halt::LostLease)
    }

    async fn deliver_from_cursor(&self, id: &str, stop: &watch::Receiver<bool>) -> Result<(), Halt> {
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
            for (row, body) in rows.iter().zip(bodies) {
                if *stop.borrow() || EndpointStatus::parse(&endpoint.status) == EndpointStatus::Disabled {
                    return Ok(());
                }
                let id = message_id(&endpoint.id, &row.id);
                let secrets = signing_secrets(&endpoint, Utc::now());
                let message = Message { url: &endpoint.url, id: &id, body: &body, secrets: &secrets };
                let outcome = delivery::post(&self.client, &self.outbound.settings.webhook_allow_hosts, &message).await;
                if outcome.succeeded {
                    self.record_success(&endpoint, row, &id, &outcome).await?;
                    endpoint.cursor = row.seq;
                    endpoint.failures = 0;
                    endpoint.status = EndpointStatus::Active.as_str().to_owned();
                } else {
                    self.record_failure(&endpoint, row, &id, &outcome).await?;
                    return Ok(());
                }
            }
            endpoint = self.renew(id).await?;
        }
    }

    /// Moves the cursor past changes that are not for this endpoint.
    async fn skip_to(&self, endpoint: &webhook_endpoint::Model, seq: i64) -> Result<(), Halt> {
        let moved = fenced(endpoint, &self.instance)
            .col_expr(webhook_endpoint::Column::Cursor, Expr::value(seq))
            .exec(&self.db)
            .await?;
        if moved.rows_affected == 1 { Ok(()) } else { Err(Halt::LostLease) }
    }

    async fn postpone(&self, endpoint: &webhook_endpoint::Model, by: Duration) -> Result<(), Halt> {
        let next = now_ms() + i64::try_from(by.as_millis()).unwrap_or(i64::MAX / 2);
        fenced(endpoint, &self.instance)
            .col_expr(webhook_endpoint::Column::NextAttemptMs, Expr::value(next))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// A 2xx: the cursor moves to `row`, the delivery and its attempt are recorded, all in one transaction.
    async fn record_success(
        &self,
        endpoint: &webhook_endpoint::Model,
        row: &change::Model,
        id: &str,
        outcome: &delivery::Outcome,
    ) -> Result<(), Halt> {
        let txn = self.db.begin().await?;
        let moved = fenced(endpoint, &self.instance)
            .col_expr(webhook_endpoint::Column::Cursor, Expr::value(row.seq))
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
        record(&txn, &endpoint.id, row.seq, id, outcome, DeliveryStatus::Delivered, None).await?;
        txn.commit().await?;
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
        let txn = self.db.begin().await?;
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
