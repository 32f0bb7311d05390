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
//! - The changes after the cursor are read (`super::cursor`) as the
//!   endpoint's identity would read them ([`changes::next_batch`] with its
//!   filter: the feed's one visibility rule) and POSTed one at a time, in
//!   order. Successes move the cursor (and make a FAILING endpoint ACTIVE),
//!   recorded with their deliveries in one transaction every 25 messages, at a
//!   failure, at the end of the backlog and before stopping; a failure
//!   schedules the same change again after an exponential back-off with
//!   jitter, and after `--webhook-max-attempts` failures in a row marks the
//!   endpoint FAILING, probed every `--webhook-probe-interval`. Changes the
//!   endpoint may not see or does not want move the cursor without a message.
//! - At least once: the cursor moves after the receiver's 2xx, so a crash
//!   between the two sends those changes again (with the same `webhook-id`).
//! - [`Worker::stop`] lets the current POST finish, releases the leases and
//!   ends the task; a graceful restart therefore neither loses nor repeats.

use super::delivery::Outbound;
use super::{EndpointStatus, now_ms};
use crate::error::{AppError, AppResult};
use crate::service::changes;
use crate::service::notify::ChangeNotifier;
use entity::webhook_endpoint;
use futures_util::StreamExt;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How long a lease holds without renewal.
pub const LEASE: Duration = Duration::from_secs(60);
/// Look at the endpoints at least this often, even without a wake-up.
pub const POLL: Duration = Duration::from_secs(1);
/// Endpoints served at once by one instance.
const CONCURRENCY: usize = 16;

/// The running worker of an instance.
pub struct Worker {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Worker {
    /// Starts delivering from `db`, recording leases, cursors and attempts
    /// through `writer`, woken by `notifier` as changes commit; `None` when
    /// webhooks are off.
    pub fn start(
        db: DatabaseConnection,
        writer: &crate::db::Writer,
        outbound: &Outbound,
        notifier: &ChangeNotifier,
    ) -> Option<Self> {
        let client = outbound.client.clone()?;
        let (stop, stopped) = watch::channel(false);
        let deliverer = Arc::new(Deliverer {
            db,
            writes: writer.connection().clone(),
            client,
            outbound: outbound.clone(),
            instance: crate::ids::new_uuid(),
        });
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
pub(super) struct Deliverer {
    pub(super) db: DatabaseConnection,
    /// The store's [`Writer`](crate::db::Writer), for every update.
    pub(super) writes: DatabaseConnection,
    pub(super) client: reqwest::Client,
    pub(super) outbound: Outbound,
    /// This instance's name in `lease_owner`.
    pub(super) instance: String,
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
pub(super) enum Halt {
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
            .exec(&self.writes)
            .await?;
        Ok(taken.rows_affected == 1)
    }

    async fn release_lease(&self, id: &str) -> AppResult<()> {
        webhook_endpoint::Entity::update_many()
            .col_expr(webhook_endpoint::Column::LeaseOwner, Expr::value(Option::<String>::None))
            .col_expr(webhook_endpoint::Column::LeaseUntilMs, Expr::value(0i64))
            .filter(webhook_endpoint::Column::Id.eq(id))
            .filter(webhook_endpoint::Column::LeaseOwner.eq(self.instance.clone()))
            .exec(&self.writes)
            .await?;
        Ok(())
    }

    /// Renews the lease and reads the endpoint as it is now (a rotation or a disable applies from the next batch).
    pub(super) async fn renew(&self, id: &str) -> Result<webhook_endpoint::Model, Halt> {
        let until = now_ms() + i64::try_from(LEASE.as_millis()).unwrap_or(60_000);
        let renewed = webhook_endpoint::Entity::update_many()
            .col_expr(webhook_endpoint::Column::LeaseUntilMs, Expr::value(until))
            .filter(webhook_endpoint::Column::Id.eq(id))
            .filter(webhook_endpoint::Column::LeaseOwner.eq(self.instance.clone()))
            .exec(&self.writes)
            .await?;
        if renewed.rows_affected != 1 {
            return Err(Halt::LostLease);
        }
        webhook_endpoint::Entity::find_by_id(id).one(&self.db).await?.ok_or(Halt::LostLease)
    }
}
