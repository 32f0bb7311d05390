//! The subscription root: `changed`, the live change feed.
//!
//! A subscription is a cursor walking the durable feed. It first replays what
//! the client missed (`after`) with its own bounded reads, then follows the
//! instance's shared reader ([`crate::service::feed`]), which reads each new
//! batch once for every subscriber; each subscriber keeps only what its
//! caller may see and its filter asks for. A subscriber that misses shared
//! batches (it fell behind) reads the gap itself again; one that falls more
//! than [`MAX_LAG`] entries behind is told to resume by cursor.
//!
//! Over WebSocket the caller is re-established ([`LiveViewer`]) before each
//! batch is delivered: a revoked or expired token ends the subscription
//! (and the session) before anything more is sent, and a caller whose
//! jurisdiction changed gets what the new jurisdiction allows from then on.

use super::context::ContextExt;
use super::types::change::Change;
use super::types::common::decode_id;
use super::types::enums::ChangeEntity;
use crate::access::Viewer;
use crate::error::{AppError, AppResult, GqlResult};
use crate::ids::NodeKind;
use crate::service::changes::{self, ChangeFilter};
use crate::service::feed::VisibilityKey;
use crate::service::page::{SortValue, decode_cursor, encode};
use async_graphql::{Context, ID, InputObject, SimpleObject, Subscription};
use entity::change;
use futures_util::Stream;
use futures_util::future::BoxFuture;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

/// Entries read per database round trip while replaying.
const BATCH: u64 = 100;
/// How far behind the head a subscriber may fall before it is asked to resume by cursor.
pub const MAX_LAG: i64 = 10_000;

/// 变更订阅筛选 — Which changes a subscription delivers.
#[derive(InputObject, Default, Clone)]
pub struct ChangedFilter {
    /// 对象类型 — Only changes of this kind of record.
    pub entity: Option<ChangeEntity>,
    /// 方案 — Changes of records of this plan.
    pub plan_id: Option<ID>,
    /// 区域 — Changes of records of this region.
    pub region_id: Option<ID>,
    /// 操作单位 — Changes made by this department.
    pub department_id: Option<ID>,
}

/// 变更事件 — One committed change, with the cursor to resume after it.
#[derive(SimpleObject)]
pub struct ChangeEvent {
    /// 游标 — Pass as `after` when reconnecting to continue right after this change.
    pub cursor: String,
    /// 变更 — The change.
    pub change: Change,
}

/// Re-establishes the caller of a long-lived session (a WebSocket connection).
pub trait ViewerSource: Send + Sync {
    /// The caller as it is now, checked after feed entry `seen` committed
    /// (so that a revocation committed before `seen` is seen).
    ///
    /// # Errors
    /// `UNAUTHENTICATED` when the token is revoked or expired; store failures.
    fn current(&self, seen: i64) -> BoxFuture<'_, AppResult<Viewer>>;

    /// The session must end: its token no longer holds (`error` says why).
    fn refuse(&self, error: AppError);
}

/// The [`ViewerSource`] of the session running an operation, in its request data.
#[derive(Clone)]
pub struct LiveViewer(pub Arc<dyn ViewerSource>);

/// Whether `row` passes the subscriber's own filter (visibility is checked apart).
fn matches(filter: &ChangeFilter, row: &change::Model) -> bool {
    let same = |wanted: &Option<String>, actual: Option<&String>| wanted.as_ref().is_none_or(|w| actual == Some(w));
    filter.entity.is_none_or(|wanted| wanted.as_str() == row.entity)
        && same(&filter.plan_id, row.plan_id.as_ref())
        && same(&filter.region_id, row.region_id.as_ref())
        && same(&filter.department_id, row.actor_department_id.as_ref())
}

/// The caller now, before anything committed up to `seen` is delivered:
/// `Err(())` ends the subscription (the session has been told why).
async fn recheck(live: Option<&LiveViewer>, seen: i64, viewer: &Viewer) -> Result<Viewer, ()> {
    match live {
        Some(live) => live.0.current(seen).await.map_err(|error| live.0.refuse(error)),
        None => {
            let expired = viewer
                .identity
                .as_ref()
                .and_then(|i| i.expires_at)
                .is_some_and(|exp| chrono::Utc::now().timestamp() >= exp);
            if expired { Err(()) } else { Ok(viewer.clone()) }
        }
    }
}

/// When `viewer`'s token expires, as a Tokio instant (far away for none).
fn expiry(viewer: &Viewer) -> tokio::time::Instant {
    let far = std::time::Duration::from_secs(86_400 * 365);
    let left = viewer.identity.as_ref().and_then(|i| i.expires_at).map_or(far, |exp| {
        std::time::Duration::from_secs(u64::try_from(exp - chrono::Utc::now().timestamp()).unwrap_or(0))
    });
    tokio::time::Instant::now() + left.min(far)
}

/// The subscription root.
pub struct SubscriptionRoot;

/// 订阅 — Live updates.
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// 变更推送 — Every committed change the caller may see, in commit order. With `after` (a cursor from
    /// `changes` or from a previous event) it first replays what was missed, then continues live: no gap,
    /// no duplicate. The caller's token is checked again before each delivery: when it is revoked or
    /// expires, the connection is closed (4403).
    async fn changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "筛选 — Only the items that match every condition given.")] filter: Option<ChangedFilter>,
        #[graphql(
            desc = "之后 — First replay the changes after this cursor (from `changes` or an earlier event), then continue live."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<ChangeEvent>> + use<>> {
        let state = ctx.state()?.clone();
        let mut viewer = ctx.scope()?.viewer.clone();
        let live = ctx.data_opt::<LiveViewer>().cloned();
        let f = filter.unwrap_or_default();
        let filter = ChangeFilter {
            entity: f.entity.map(Into::into),
            plan_id: decode_id(NodeKind::Plan, &f.plan_id, "filter.planId").gql()?,
            region_id: decode_id(NodeKind::Region, &f.region_id, "filter.regionId").gql()?,
            department_id: decode_id(NodeKind::Department, &f.department_id, "filter.departmentId").gql()?,
            ..ChangeFilter::default()
        };
        let feed = state.notifier.feed(&state.db);
        // Taken before the first read of our own, so that no batch read meanwhile is missed.
        let mut batches = feed.receiver();
        // Without `after`, a running shared reader says where "now" is at no cost, so a
        // thousand subscribers arriving at once spend no statement on where to start.
        let known_head = if after.is_none() { feed.known_head() } else { None };
        let mut position = match (&after, known_head) {
            (Some(cursor), _) => match decode_cursor(cursor, "after").gql()? {
                (SortValue::Int(seq), _) => seq,
                _ => return Err(AppError::bad_input("after", "not a change cursor").into_graphql()),
            },
            (None, Some(head)) => head,
            (None, None) => changes::head_seq(&state.db).await.gql()?,
        };
        let mut registration = feed.register(&viewer);
        Ok(async_stream::stream! {
            // Replay with our own reads until a read comes back short, then follow the shared
            // batches; a subscriber starting at the shared reader's head has nothing to replay.
            let mut replaying = known_head.is_none();
            loop {
                if replaying {
                    let batch = match changes::next_batch(&state.db, &viewer, &filter, position, BATCH).await {
                        Ok(batch) => batch,
                        Err(error) => {
                            yield Err(error.into_graphql());
                            break;
                        }
                    };
                    let seen = batch.last().map_or(position, |row| row.seq);
                    let Ok(now) = recheck(live.as_ref(), seen, &viewer).await else { break };
                    if VisibilityKey::of(&now) != VisibilityKey::of(&viewer) {
                        // Read under the old jurisdiction: read again under the new one.
                        viewer = now;
                        registration.update(&viewer);
                        continue;
                    }
                    let full = batch.len() as u64 == BATCH;
                    if full {
                        let head = changes::head_seq(&state.db).await.unwrap_or(position);
                        if head - seen > MAX_LAG {
                            // "Resume from here": the entry this subscriber has delivered (or started from) last.
                            let cursor = match changes::cursor_at(&state.db, position).await {
                                Ok(cursor) => cursor,
                                Err(error) => {
                                    yield Err(error.into_graphql());
                                    break;
                                }
                            };
                            yield Err(AppError::Conflict {
                                message: format!(
                                    "this subscriber fell more than {MAX_LAG} changes behind; \
                                     catch up with `changes(after: \"{cursor}\")` and subscribe again"
                                ),
                                current_version: None,
                            }
                            .into_graphql());
                            break;
                        }
                    }
                    for row in batch {
                        position = row.seq;
                        yield Ok(ChangeEvent { cursor: encode(SortValue::Int(row.seq), &row.id), change: Change(row, None) });
                    }
                    replaying = full;
                    continue;
                }
                let received = tokio::select! {
                    received = batches.recv() => received,
                    () = tokio::time::sleep_until(expiry(&viewer)) => {
                        // Expired: the check refuses and tells the session.
                        if recheck(live.as_ref(), position, &viewer).await.is_err() {
                            break;
                        }
                        continue;
                    }
                };
                let batch = match received {
                    Ok(batch) => batch,
                    Err(RecvError::Lagged(_)) => {
                        replaying = true;
                        continue;
                    }
                    Err(RecvError::Closed) => break,
                };
                if batch.last <= position {
                    continue;
                }
                if batch.after > position {
                    // A gap between what we have delivered and this batch: read it ourselves.
                    replaying = true;
                    continue;
                }
                let Ok(now) = recheck(live.as_ref(), batch.last, &viewer).await else { break };
                if VisibilityKey::of(&now) != VisibilityKey::of(&viewer) {
                    viewer = now;
                    registration.update(&viewer);
                    replaying = true;
                    continue;
                }
                viewer = now;
                let key = registration.key().clone();
                let start = position;
                for row in batch.rows.iter().filter(|row| row.seq > start) {
                    match batch.may_see(&key, row.seq) {
                        // Registered after the batch was read: read the rest ourselves.
                        None => {
                            replaying = true;
                            break;
                        }
                        Some(false) => position = row.seq,
                        Some(true) => {
                            position = row.seq;
                            if matches(&filter, row) {
                                let known = batch.visible_references(&key);
                                let cursor = encode(SortValue::Int(row.seq), &row.id);
                                yield Ok(ChangeEvent { cursor, change: Change(row.clone(), known) });
                            }
                        }
                    }
                }
            }
            drop(registration);
        })
    }
}
