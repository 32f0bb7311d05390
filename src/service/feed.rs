//! The shared change-feed reader: one per instance, for every local subscriber.
//!
//! Contract:
//! - While at least one subscriber is registered, one task reads each new
//!   batch of the `change` table once (one statement), works out which of its
//!   entries each *kind* of reader may see (one statement per distinct
//!   visibility — anonymous callers share one, administrators need none), and
//!   broadcasts the batch to every subscriber. So a thousand anonymous
//!   subscribers cost two statements per batch, not a thousand.
//! - A batch says which range of the feed it covers (`after`, `last`]. A
//!   subscriber whose own position is behind `after` (it subscribed with an
//!   old cursor, or fell more than [`BACKLOG`] batches behind) reads the gap
//!   itself, in bounded pages, then takes the shared batches again.
//! - With no subscriber registered the reader reads nothing; when the first
//!   one arrives it restarts at the head of the feed.
//! - Memory: the broadcast buffer holds at most [`BACKLOG`] batches of at
//!   most [`READ`] entries; registrations, caller counts and cached
//!   identities are removed when their last subscriber goes away (identities
//!   also after [`IDENTITY_TTL`]).
//! - Identities of long-lived sessions are re-established through
//!   [`Feed::identity`]: an identity is reused for an entry only if it was
//!   checked after that entry committed. Revocations and department or region
//!   moves are themselves feed entries, so a live subscriber re-checks its
//!   token before it delivers anything committed after them.

use super::changes;
use super::notify::ChangeNotifier;
use crate::access::{Role, Viewer};
use crate::error::{AppError, AppResult};
use entity::change;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// Entries the shared reader takes per statement.
pub const READ: u64 = 200;
/// Batches buffered for subscribers; one that falls further behind reads the gap itself.
pub const BACKLOG: usize = 16;
/// Look again this often even without a wake-up (a lost signal costs latency, never data).
pub const RECHECK: Duration = Duration::from_secs(5);
/// Longest time a checked identity is reused, whatever the feed says.
pub const IDENTITY_TTL: Duration = Duration::from_secs(30);

/// What decides which feed entries a caller may see: role, department,
/// jurisdiction and assigned plans (see `Viewer::plan_condition` and
/// friends); `None` for anonymous callers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VisibilityKey(Option<Visibility>);

/// The parts of an authenticated caller's identity that its visibility depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Visibility {
    role: Role,
    department_id: String,
    /// Sorted.
    jurisdiction: Vec<String>,
    assigned_plans: Arc<[String]>,
}

impl VisibilityKey {
    /// The key of `viewer`.
    pub fn of(viewer: &Viewer) -> Self {
        Self(viewer.identity.as_ref().map(|i| {
            let mut jurisdiction = i.jurisdiction.clone();
            jurisdiction.sort();
            Visibility {
                role: i.role,
                department_id: i.department_id.clone(),
                jurisdiction,
                assigned_plans: i.assigned_plans.clone(),
            }
        }))
    }
}

/// One batch of committed changes, as read once for all subscribers.
#[derive(Debug)]
pub struct FeedBatch {
    /// The batch covers the entries after this sequence number…
    pub after: i64,
    /// …up to and including this one.
    pub last: i64,
    /// Every entry of the range, in order, before any visibility rule.
    pub rows: Vec<change::Model>,
    /// For each kind of reader registered when the batch was read, the
    /// sequence numbers it may see. A kind missing here must read the range itself.
    pub visible: HashMap<VisibilityKey, HashSet<i64>>,
    /// For each kind of reader of `visible`, the plans, tasks and indicators
    /// named in the entries' payloads ([`changes::references`]) it may see,
    /// so that redacting a payload costs no statement per subscriber.
    pub visible_references: HashMap<VisibilityKey, Arc<HashSet<String>>>,
}

impl FeedBatch {
    /// Whether a reader of this kind may see entry `seq`; `None` if the batch does not know the kind.
    pub fn may_see(&self, key: &VisibilityKey, seq: i64) -> Option<bool> {
        self.visible.get(key).map(|seqs| seqs.contains(&seq))
    }

    /// The referenced records a reader of this kind may see; `None` if the
    /// batch does not know the kind, or the kind is ADMIN (which sees all).
    pub fn visible_references(&self, key: &VisibilityKey) -> Option<Arc<HashSet<String>>> {
        self.visible_references.get(key).cloned()
    }
}

/// A cached identity check of one token.
struct CheckedIdentity {
    viewer: Viewer,
    /// The check started after every entry up to this sequence number had committed.
    covers: i64,
    at: Instant,
}

/// The shared reader of one instance (cheap to clone).
#[derive(Clone)]
pub struct Feed {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    batches: broadcast::Sender<Arc<FeedBatch>>,
    /// The last entry the reader has broadcast up to, while it runs (see [`Feed::known_head`]).
    head: Mutex<Option<i64>>,
    /// Registered kinds of readers and how many subscribers each has.
    kinds: Mutex<HashMap<VisibilityKey, (Viewer, usize)>>,
    /// Open subscriptions per caller key (see [`Feed::open`]).
    callers: Mutex<HashMap<String, usize>>,
    /// Identity checks per raw token, each behind its own lock so that a
    /// thousand subscribers of one token reload it once.
    identities: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<CheckedIdentity>>>>>,
}

/// Locks a std mutex, recovering the data if a holder panicked (the maps stay consistent: each update is one call).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Feed {
    /// Starts the reader of `db`, woken by `notifier`. The task ends once every
    /// clone of the returned [`Feed`] is dropped.
    pub fn start(db: DatabaseConnection, notifier: &ChangeNotifier) -> Self {
        let (batches, _) = broadcast::channel(BACKLOG);
        let inner = Arc::new(Inner {
            db,
            batches,
            head: Mutex::default(),
            kinds: Mutex::default(),
            callers: Mutex::default(),
            identities: Mutex::default(),
        });
        tokio::spawn(read_loop(Arc::downgrade(&inner), notifier.subscribe()));
        Self { inner }
    }

    /// Where the running reader has broadcast up to, without a statement;
    /// `None` while it is idle. A subscriber that takes its [`Feed::receiver`]
    /// first and then starts here misses nothing: a batch broadcast in between
    /// begins after this position, which the subscriber sees as a gap and reads.
    pub fn known_head(&self) -> Option<i64> {
        *lock(&self.inner.head)
    }

    /// A receiver of the batches read from now on. Take it *before* reading
    /// the feed yourself, so that nothing committed in between is missed.
    pub fn receiver(&self) -> broadcast::Receiver<Arc<FeedBatch>> {
        self.inner.batches.subscribe()
    }

    /// Registers a subscriber seeing as `viewer`; the registration ends when dropped.
    pub fn register(&self, viewer: &Viewer) -> Registration {
        let key = VisibilityKey::of(viewer);
        lock(&self.inner.kinds).entry(key.clone()).or_insert_with(|| (viewer.clone(), 0)).1 += 1;
        Registration { feed: self.clone(), key }
    }

    /// Takes one of `caller`'s at most `max` open subscriptions on this
    /// instance; `None` when all are taken. The slot is given back when dropped.
    pub fn open(&self, caller: &str, max: usize) -> Option<CallerSlot> {
        let mut callers = lock(&self.inner.callers);
        let open = callers.entry(caller.to_owned()).or_insert(0);
        if *open >= max {
            if *open == 0 {
                callers.remove(caller);
            }
            return None;
        }
        *open += 1;
        Some(CallerSlot { feed: self.clone(), caller: caller.to_owned() })
    }

    /// Subscriptions open on this instance (all callers).
    pub fn open_subscriptions(&self) -> usize {
        lock(&self.inner.callers).values().sum()
    }

    /// The identity of `token` checked after entry `seen` committed: reuses a
    /// check that covers `seen` and is younger than [`IDENTITY_TTL`], else
    /// runs `load` (once, however many subscribers ask at the same time).
    ///
    /// # Errors
    /// Those of `load` (a revoked token, an unknown department, the store).
    pub async fn identity<F, Fut>(&self, token: &str, seen: i64, load: F) -> AppResult<Viewer>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = AppResult<Viewer>>,
    {
        let slot = {
            let mut identities = lock(&self.inner.identities);
            if identities.len() > 10_000 {
                // Unused entries only: a locked one belongs to a running check.
                identities.retain(|_, slot| Arc::strong_count(slot) > 1);
            }
            identities.entry(token.to_owned()).or_default().clone()
        };
        let mut checked = slot.lock().await;
        if let Some(c) = checked.as_ref()
            && c.covers >= seen
            && c.at.elapsed() < IDENTITY_TTL
        {
            return Ok(c.viewer.clone());
        }
        let result = load().await;
        match &result {
            Ok(viewer) => *checked = Some(CheckedIdentity { viewer: viewer.clone(), covers: seen, at: Instant::now() }),
            Err(_) => *checked = None,
        }
        result
    }

    /// Forgets the cached identity of `token` (its last session closed).
    pub fn forget_identity(&self, token: &str) {
        let mut identities = lock(&self.inner.identities);
        if identities.get(token).is_some_and(|slot| Arc::strong_count(slot) == 1) {
            identities.remove(token);
        }
    }

    /// Cached identities (for tests of memory release).
    pub fn cached_identities(&self) -> usize {
        lock(&self.inner.identities).len()
    }
}

/// A subscriber's registration with the shared reader (see [`Feed::register`]).
pub struct Registration {
    feed: Feed,
    key: VisibilityKey,
}

impl Registration {
    /// The kind of reader registered.
    pub fn key(&self) -> &VisibilityKey {
        &self.key
    }

    /// Registers as `viewer` instead (its jurisdiction changed, say).
    pub fn update(&mut self, viewer: &Viewer) {
        let key = VisibilityKey::of(viewer);
        if key != self.key {
            let next = self.feed.register(viewer);
            let previous = std::mem::replace(self, next);
            drop(previous);
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut kinds = lock(&self.feed.inner.kinds);
        if let Some((_, count)) = kinds.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                kinds.remove(&self.key);
            }
        }
    }
}

/// One open subscription of a caller (see [`Feed::open`]).
pub struct CallerSlot {
    feed: Feed,
    caller: String,
}

impl Drop for CallerSlot {
    fn drop(&mut self) {
        let mut callers = lock(&self.feed.inner.callers);
        if let Some(open) = callers.get_mut(&self.caller) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                callers.remove(&self.caller);
            }
        }
    }
}

/// The reader task: waits for a wake-up (or [`RECHECK`]), then reads and
/// broadcasts new batches while anyone is registered.
async fn read_loop(inner: Weak<Inner>, mut wake: tokio::sync::watch::Receiver<u64>) {
    // The last entry read; `None` while nobody listens.
    let mut position: Option<i64> = None;
    loop {
        let mut full = false;
        {
            let Some(inner) = inner.upgrade() else { return };
            let kinds: Vec<(VisibilityKey, Viewer)> =
                lock(&inner.kinds).iter().map(|(key, (viewer, _))| (key.clone(), viewer.clone())).collect();
            if kinds.is_empty() {
                position = None;
                *lock(&inner.head) = None;
            } else {
                match read_batch(&inner.db, position, &kinds).await {
                    Ok(Some(batch)) => {
                        full = batch.rows.len() as u64 == READ;
                        position = Some(batch.last);
                        // No receiver is not an error: subscribers come and go.
                        let _ = inner.batches.send(Arc::new(batch));
                        *lock(&inner.head) = position;
                    }
                    Ok(None) => {}
                    Err(Restart(head)) => {
                        if position.is_none()
                            && let Some(head) = head
                        {
                            // Starting over: tell subscribers where the shared batches will begin, so
                            // that one behind it reads up to here itself instead of waiting for a change.
                            let start = FeedBatch {
                                after: head,
                                last: head,
                                rows: Vec::new(),
                                visible: HashMap::new(),
                                visible_references: HashMap::new(),
                            };
                            let _ = inner.batches.send(Arc::new(start));
                        }
                        position = head;
                        *lock(&inner.head) = position;
                    }
                }
            }
        }
        if full {
            continue;
        }
        if let Ok(Err(_)) = tokio::time::timeout(RECHECK, wake.changed()).await {
            return; // the notifier is gone: the application is shutting down
        }
    }
}

/// Why a read produced no batch but a new position (`None`: unchanged).
struct Restart(Option<i64>);

/// Reads the batch after `position` (the head of the feed when `None`, which
/// yields no batch) and its visibility for each kind of reader.
async fn read_batch(
    db: &DatabaseConnection,
    position: Option<i64>,
    kinds: &[(VisibilityKey, Viewer)],
) -> Result<Option<FeedBatch>, Restart> {
    let warn = |error: AppError| {
        tracing::warn!(%error, "the shared change-feed reader could not read; retrying");
    };
    let Some(after) = position else {
        return match changes::head_seq(db).await {
            Ok(head) => Err(Restart(Some(head))),
            Err(error) => {
                warn(error);
                Err(Restart(None))
            }
        };
    };
    let rows = change::Entity::find()
        .filter(change::Column::Seq.gt(after))
        .order_by_asc(change::Column::Seq)
        .limit(READ)
        .all(db)
        .await
        .map_err(|e| {
            warn(e.into());
            Restart(Some(after))
        })?;
    let Some(last) = rows.last().map(|r| r.seq) else { return Ok(None) };
    let referenced = referenced_ids(&rows);
    let mut visible = HashMap::with_capacity(kinds.len());
    let mut visible_references = HashMap::with_capacity(kinds.len());
    for (key, viewer) in kinds {
        if !viewer.is_admin() {
            let seen = visible_referenced(db, viewer, &referenced).await.map_err(|e| {
                warn(e);
                Restart(Some(after))
            })?;
            visible_references.insert(key.clone(), Arc::new(seen));
        }
        let seqs: HashSet<i64> = if viewer.is_admin() {
            rows.iter().map(|r| r.seq).collect()
        } else {
            change::Entity::find()
                .select_only()
                .column(change::Column::Seq)
                .filter(changes::visibility(viewer))
                .filter(change::Column::Seq.gt(after))
                .filter(change::Column::Seq.lte(last))
                .into_tuple::<i64>()
                .all(db)
                .await
                .map_err(|e| {
                    warn(e.into());
                    Restart(Some(after))
                })?
                .into_iter()
                .collect()
        };
        visible.insert(key.clone(), seqs);
    }
    Ok(Some(FeedBatch { after, last, rows, visible, visible_references }))
}

/// The plan, task and indicator IDs the payloads of `rows` refer to, by kind.
pub fn referenced_ids(rows: &[change::Model]) -> HashMap<changes::Reference, Vec<String>> {
    let mut ids: HashMap<changes::Reference, HashSet<String>> = HashMap::new();
    for row in rows {
        for payload in [row.before.as_deref(), row.after.as_deref()].into_iter().flatten() {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(payload) else { continue };
            for (key, kind) in changes::references_of_stored(&row.entity) {
                if let Some(id) = value.get(*key).and_then(|v| v.as_str()) {
                    ids.entry(*kind).or_default().insert(id.to_owned());
                }
            }
        }
    }
    ids.into_iter().map(|(kind, set)| (kind, set.into_iter().collect())).collect()
}

/// Which of `referenced` `viewer` may read, by the same rules (and the same
/// queries) as the loaders: one statement per kind of record referenced.
pub async fn visible_referenced(
    db: &DatabaseConnection,
    viewer: &Viewer,
    referenced: &HashMap<changes::Reference, Vec<String>>,
) -> AppResult<HashSet<String>> {
    use super::{indicators, plans, tasks};
    let mut seen = HashSet::new();
    for (kind, ids) in referenced {
        if ids.is_empty() {
            continue;
        }
        let found: Vec<String> = match kind {
            changes::Reference::Plan => plans::by_ids(db, viewer, ids).await?.into_keys().collect(),
            changes::Reference::Task => tasks::by_ids(db, viewer, ids).await?.into_keys().collect(),
            changes::Reference::Indicator => indicators::by_ids(db, viewer, ids).await?.into_keys().collect(),
        };
        seen.extend(found);
    }
    Ok(seen)
}
