//! The subscription root: `changed`, the live change feed.
//!
//! A subscription is a cursor walking the durable feed: it replays what the
//! client missed (`after`), then waits for a wake-up (or a timer) and reads
//! again. Each subscriber reads at its own pace, in bounded batches, so a
//! slow one holds no buffer and delays nobody; one that falls more than
//! [`MAX_LAG`] entries behind is told to resume by cursor.

use super::context::ContextExt;
use super::types::change::Change;
use super::types::common::decode_id;
use crate::error::{AppError, GqlResult};
use crate::ids::NodeKind;
use crate::service::changes::{self, ChangeFilter};
use crate::service::page::{SortValue, decode_cursor, encode};
use async_graphql::{Context, ID, InputObject, SimpleObject, Subscription};
use futures_util::Stream;
use std::time::Duration;

/// Entries read per database round trip.
const BATCH: u64 = 100;
/// How far behind the head a subscriber may fall before it is asked to resume by cursor.
pub const MAX_LAG: i64 = 10_000;
/// Safety net: look again this often even without a wake-up.
const RECHECK: Duration = Duration::from_secs(5);

/// 变更订阅筛选 — Which changes a subscription delivers.
#[derive(InputObject, Default, Clone)]
pub struct ChangedFilter {
    /// 对象类型 — Entity type, e.g. `Task`, `Actual`.
    pub entity: Option<String>,
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

/// The subscription root.
pub struct SubscriptionRoot;

/// 订阅 — Live updates.
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// 变更推送 — Every committed change the caller may see, in commit order. With `after` (a cursor from
    /// `changes` or from a previous event) it first replays what was missed, then continues live: no gap,
    /// no duplicate. Ends when the caller's token expires.
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
        let viewer = ctx.scope()?.viewer.clone();
        let f = filter.unwrap_or_default();
        let filter = ChangeFilter {
            entity: f.entity,
            plan_id: decode_id(NodeKind::Plan, &f.plan_id, "filter.planId").gql()?,
            region_id: decode_id(NodeKind::Region, &f.region_id, "filter.regionId").gql()?,
            department_id: decode_id(NodeKind::Department, &f.department_id, "filter.departmentId").gql()?,
            ..ChangeFilter::default()
        };
        let mut position = match &after {
            Some(cursor) => match decode_cursor(cursor, "after").gql()? {
                (SortValue::Int(seq), _) => seq,
                _ => return Err(AppError::bad_input("after", "not a change cursor").into_graphql()),
            },
            None => changes::head_seq(&state.db).await.gql()?,
        };
        // The cursor of the last entry this subscriber has passed, for "resume from here".
        let mut resume_cursor = match &after {
            Some(cursor) => cursor.clone(),
            None => changes::cursor_at(&state.db, position).await.gql()?,
        };
        let expires_at = viewer.identity.as_ref().and_then(|i| i.expires_at);
        let mut wake = state.notifier.subscribe();
        Ok(async_stream::stream! {
            loop {
                if expires_at.is_some_and(|exp| chrono::Utc::now().timestamp() >= exp) {
                    break;
                }
                let batch = match changes::next_batch(&state.db, &viewer, &filter, position, BATCH).await {
                    Ok(batch) => batch,
                    Err(error) => {
                        yield Err(error.into_graphql());
                        break;
                    }
                };
                let head = changes::head_seq(&state.db).await.unwrap_or(position);
                if let Some(last) = batch.last()
                    && head - last.seq > MAX_LAG
                {
                    let cursor = resume_cursor.clone();
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
                let full = batch.len() as u64 == BATCH;
                for row in batch {
                    position = row.seq;
                    resume_cursor = encode(SortValue::Int(row.seq), &row.id);
                    yield Ok(ChangeEvent { cursor: resume_cursor.clone(), change: Change(row) });
                }
                if full {
                    continue;
                }
                let until_expiry = expires_at
                    .map(|exp| Duration::from_secs(u64::try_from(exp - chrono::Utc::now().timestamp()).unwrap_or(0)))
                    .unwrap_or(RECHECK);
                let _ = tokio::time::timeout(RECHECK.min(until_expiry), wake.changed()).await;
            }
        })
    }
}
