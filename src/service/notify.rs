//! Wake-ups for subscribers when changes commit.
//!
//! The durable feed (the `change` table) is the source of truth; these
//! signals only say "look again". A lost signal costs latency, never data:
//! subscribers also look again on a timer.
//!
//! - Inside one process, [`ChangeNotifier::poke`] is called after every
//!   mutation operation completes (see `graphql::pipeline`).
//! - Across processes on PostgreSQL, every write transaction issues
//!   `NOTIFY xietong_changes` (delivered only if it commits), and
//!   [`spawn_postgres_listener`] turns those into local pokes, reconnecting
//!   after a database restart.

use super::feed::Feed;
use sea_orm::DatabaseConnection;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::watch;

/// PostgreSQL channel carrying commit notifications.
pub const CHANNEL: &str = "xietong_changes";

/// Broadcasts "new changes may exist" to every subscriber of this process.
#[derive(Clone)]
pub struct ChangeNotifier {
    tx: watch::Sender<u64>,
    /// The instance's shared change-feed reader, started by the first subscriber.
    feed: Arc<OnceLock<Feed>>,
}

impl Default for ChangeNotifier {
    fn default() -> Self {
        Self { tx: watch::channel(0).0, feed: Arc::default() }
    }
}

impl ChangeNotifier {
    /// Wakes every waiting subscriber.
    pub fn poke(&self) {
        self.tx.send_modify(|generation| *generation = generation.wrapping_add(1));
    }

    /// A receiver that wakes on each poke.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.tx.subscribe()
    }

    /// The shared change-feed reader of this instance (one per notifier),
    /// reading `db`; started on first use, which must be inside the Tokio runtime.
    pub fn feed(&self, db: &DatabaseConnection) -> Feed {
        self.feed.get_or_init(|| Feed::start(db.clone(), self)).clone()
    }
}

/// Listens for commit notifications of other instances on PostgreSQL and
/// pokes `notifier` for each; reconnects forever with a short backoff, and
/// pokes after every reconnect in case notifications were missed meanwhile.
///
/// The returned receiver resolves once the first `LISTEN` is in place (and its
/// poke given), so start-up can wait for it before serving.
pub fn spawn_postgres_listener(database_url: String, notifier: ChangeNotifier) -> tokio::sync::oneshot::Receiver<()> {
    use sea_orm::sqlx::postgres::PgListener;
    let (listening, first_listen) = tokio::sync::oneshot::channel();
    let mut listening = Some(listening);
    tokio::spawn(async move {
        let mut backoff = Duration::from_millis(200);
        loop {
            match PgListener::connect(&database_url).await {
                Ok(mut listener) => {
                    if let Err(error) = listener.listen(CHANNEL).await {
                        tracing::warn!(%error, "cannot LISTEN for changes; retrying");
                    } else {
                        tracing::debug!("listening for change notifications");
                        backoff = Duration::from_millis(200);
                        notifier.poke();
                        if let Some(listening) = listening.take() {
                            let _ = listening.send(());
                        }
                        loop {
                            match listener.recv().await {
                                Ok(_) => notifier.poke(),
                                Err(error) => {
                                    tracing::warn!(%error, "change notification connection lost; reconnecting");
                                    break;
                                }
                            }
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot connect the change listener; retrying"),
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    });
    first_listen
}
