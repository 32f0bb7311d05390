//! From a verified token to an [`Identity`]: the store's part of authentication,
//! served from memory.
//!
//! Contract:
//! - Without a [`CallerCache`], four statements per token: is the `jti`
//!   revoked, the department, the region tree (for the jurisdiction: the
//!   department's region and everything under it), the plans with a task
//!   assigned to the department (which open CONDITIONAL plans to it).
//! - With one, none on the usual path. The cache holds the revoked `jti`s and
//!   each department's jurisdiction, and knows which position of the change
//!   feed it reflects. It looks at the store again, before answering, when:
//!   - its instance's change notifier was poked since it last looked (after
//!     every mutation of this instance; on PostgreSQL after every commit of any
//!     instance, via LISTEN/NOTIFY; the cache holds only a receiver of those
//!     pokes): it reads the feed entries since its position (one statement),
//!     reloads the revoked set if one of them is a revocation (one more), and
//!     forgets departments if one of them changed a department or a region (a
//!     jurisdiction may have moved), an assignment, a plan, a grant, or
//!     deleted or moved a task (a department's assigned plans may have changed);
//!   - a caller needs it to reflect a later feed position (a subscription about
//!     to deliver an entry the cache has not seen): the same look;
//!   - [`RELOAD`] has passed since it last loaded everything: it reloads the
//!     revoked set and forgets departments, whatever the notifications said.
//!
//!   So a revocation (or a new assignment) holds on the instance that made it from its next request,
//!   on other PostgreSQL instances as soon as the notification arrives, and
//!   everywhere — even with notifications lost, on SQLite files shared by
//!   several processes, or for rows written outside the API — within [`RELOAD`].
//! - A revoked token or an unknown department is `UNAUTHENTICATED`, with the
//!   same reasons either way. Unknown departments are never cached.

use super::verify::VerifiedToken;
use crate::access::Identity;
use crate::error::AppError;
use entity::{change, department, region, revoked_token};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Longest time a revocation (or a department's move) can go unnoticed by an
/// instance, whatever happens to change notifications.
pub const RELOAD: Duration = Duration::from_secs(5);

/// The identity a verified token stands for, read from the store (three statements).
///
/// # Errors
/// `UNAUTHENTICATED` when the token is revoked or its department does not
/// exist; store failures as their own codes.
pub(super) async fn load<C: ConnectionTrait>(db: &C, token: VerifiedToken) -> Result<Identity, AppError> {
    if revoked_token::Entity::find_by_id(token.jti.clone()).one(db).await?.is_some() {
        return Err(revoked());
    }
    let jurisdiction = jurisdiction_of(db, &token.department_id).await?;
    Ok(identity(token, jurisdiction))
}

/// The identity of a system acting as `department_id` with `role` without a
/// token (a webhook endpoint): the same department and jurisdiction a token
/// of that department and role would give, so it sees exactly what such a
/// token sees. `subject` names it in logs.
///
/// # Errors
/// `UNAUTHENTICATED` when the department no longer exists; store failures as their own codes.
pub async fn acting_as<C: ConnectionTrait>(
    db: &C,
    subject: &str,
    department_id: &str,
    role: crate::access::Role,
) -> Result<Identity, AppError> {
    let jurisdiction = jurisdiction_of(db, department_id).await?;
    Ok(Identity {
        subject: subject.to_owned(),
        client: None,
        department_id: jurisdiction.department_id.clone(),
        role,
        jurisdiction: jurisdiction.regions.clone(),
        assigned_plans: jurisdiction.assigned_plans.clone(),
        expires_at: None,
    })
}

fn revoked() -> AppError {
    AppError::Unauthenticated("token has been revoked".into())
}

fn identity(token: VerifiedToken, jurisdiction: Arc<Jurisdiction>) -> Identity {
    Identity {
        subject: token.subject,
        client: token.client,
        department_id: jurisdiction.department_id.clone(),
        role: token.role,
        jurisdiction: jurisdiction.regions.clone(),
        assigned_plans: jurisdiction.assigned_plans.clone(),
        expires_at: Some(token.expires_at),
    }
}

/// A department, the regions it answers for, and the plans it is assigned to.
struct Jurisdiction {
    department_id: String,
    regions: Vec<String>,
    assigned_plans: Arc<[String]>,
}

async fn jurisdiction_of<C: ConnectionTrait>(db: &C, department_id: &str) -> Result<Arc<Jurisdiction>, AppError> {
    let department = department::Entity::find_by_id(department_id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| AppError::Unauthenticated("token names a department that does not exist".into()))?;
    let regions = region_subtree_ids(db, &department.region_id).await?;
    let assigned_plans = assigned_plan_ids(db, &department.id).await?;
    Ok(Arc::new(Jurisdiction { department_id: department.id, regions, assigned_plans }))
}

/// The IDs of the plans with a task assigned to `department_id`, sorted, once each.
async fn assigned_plan_ids<C: ConnectionTrait>(db: &C, department_id: &str) -> Result<Arc<[String]>, AppError> {
    let query = crate::access::plans_assigned_to(department_id).distinct().to_owned();
    let mut ids = Vec::new();
    for row in db.query_all(&query).await? {
        ids.push(row.try_get_by_index::<String>(0)?);
    }
    ids.sort_unstable();
    Ok(ids.into())
}

/// The record IDs of `region_id` and every region under it: a department's jurisdiction.
async fn region_subtree_ids<C: ConnectionTrait>(db: &C, region_id: &str) -> Result<Vec<String>, AppError> {
    let all = region::Entity::find().all(db).await?;
    let mut ids = vec![region_id.to_owned()];
    let mut frontier = vec![region_id.to_owned()];
    while let Some(parent) = frontier.pop() {
        for child in all.iter().filter(|r| r.parent_id.as_deref() == Some(parent.as_str())) {
            if !ids.contains(&child.id) {
                ids.push(child.id.clone());
                frontier.push(child.id.clone());
            }
        }
    }
    Ok(ids)
}

/// Callers' identities from memory (see the module's contract).
pub struct CallerCache {
    pokes: watch::Receiver<u64>,
    state: RwLock<Option<Snapshot>>,
    /// One look at the store at a time; the others wait for its result.
    looking: tokio::sync::Mutex<()>,
}

/// What the cache knows, and as of when.
struct Snapshot {
    revoked: HashSet<String>,
    departments: HashMap<String, Arc<Jurisdiction>>,
    /// The last feed position reflected.
    position: i64,
    /// The notifier's generation when the store was last looked at.
    generation: u64,
    loaded_at: Instant,
}

impl Snapshot {
    fn is_current(&self, generation: u64, position: Option<i64>) -> bool {
        self.generation == generation
            && self.loaded_at.elapsed() < RELOAD
            && position.is_none_or(|needed| self.position >= needed)
    }
}

#[derive(FromQueryResult)]
struct FeedSince {
    head: Option<i64>,
    last_revocation: Option<i64>,
    last_move: Option<i64>,
}

impl CallerCache {
    /// A cache kept current by `pokes`, a receiver of the instance's change notifier (its value
    /// changes after every change that may matter).
    pub fn new(pokes: watch::Receiver<u64>) -> Self {
        Self { pokes, state: RwLock::new(None), looking: tokio::sync::Mutex::new(()) }
    }

    /// The identity of `token`, reflecting at least feed position `position` when given.
    pub(super) async fn identity<C: ConnectionTrait>(
        &self,
        db: &C,
        token: VerifiedToken,
        position: Option<i64>,
    ) -> Result<Identity, AppError> {
        self.make_current(db, position).await?;
        let known = {
            let state = self.read();
            let snapshot = state
                .as_ref()
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the caller cache is empty after loading")))?;
            if snapshot.revoked.contains(&token.jti) {
                return Err(revoked());
            }
            snapshot.departments.get(&token.department_id).cloned()
        };
        let jurisdiction = match known {
            Some(jurisdiction) => jurisdiction,
            None => {
                let loaded = jurisdiction_of(db, &token.department_id).await?;
                if let Some(snapshot) = self.write().as_mut() {
                    snapshot.departments.insert(token.department_id.clone(), loaded.clone());
                }
                loaded
            }
        };
        Ok(identity(token, jurisdiction))
    }

    async fn make_current<C: ConnectionTrait>(&self, db: &C, position: Option<i64>) -> Result<(), AppError> {
        let current = |cache: &Self| {
            let generation = *cache.pokes.borrow();
            cache.read().as_ref().is_some_and(|s| s.is_current(generation, position))
        };
        if current(self) {
            return Ok(());
        }
        let _looking = self.looking.lock().await;
        if current(self) {
            return Ok(());
        }
        // Read before looking: a poke during the look makes the next caller look again.
        let generation = *self.pokes.borrow();
        let reload = self.read().as_ref().is_none_or(|s| s.loaded_at.elapsed() >= RELOAD);
        if reload {
            // The head first: every revocation up to it is then in the set.
            let position = feed_head(db).await?;
            let revoked = revoked_jtis(db).await?;
            *self.write() = Some(Snapshot {
                revoked,
                departments: HashMap::new(),
                position,
                generation,
                loaded_at: Instant::now(),
            });
            return Ok(());
        }
        let known = self.read().as_ref().map_or(0, |s| s.position);
        let since = feed_since(db, known).await?;
        let revoked = match since.last_revocation {
            Some(_) => Some(revoked_jtis(db).await?),
            None => None,
        };
        if let Some(snapshot) = self.write().as_mut() {
            snapshot.position = since.head.unwrap_or(known).max(known);
            snapshot.generation = generation;
            if let Some(revoked) = revoked {
                snapshot.revoked = revoked;
            }
            if since.last_move.is_some() {
                snapshot.departments.clear();
            }
        }
        Ok(())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Option<Snapshot>> {
        self.state.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Option<Snapshot>> {
        self.state.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The feed's last position (0 when empty): the primary key's maximum, one index probe.
async fn feed_head<C: ConnectionTrait>(db: &C) -> Result<i64, AppError> {
    let head: Option<Option<i64>> =
        change::Entity::find().select_only().column_as(change::Column::Seq.max(), "head").into_tuple().one(db).await?;
    Ok(head.flatten().unwrap_or(0))
}

/// Feed entries after which a department's cached jurisdiction or assigned
/// plans may be out of date.
const MOVES: &str = "MAX(CASE WHEN entity IN ('Department', 'Region', 'Assignment', 'Plan', 'Grant') \
     OR (entity = 'Task' AND action IN ('DELETE', 'MOVE')) THEN seq END)";

/// The feed's head after `position`, and its last revocation and last
/// change that may move a department's jurisdiction or assigned plans there (one statement).
/// `position` is written into the statement, not bound: the index on `seq` serves a
/// position near the head, and PostgreSQL knows to use it only when it sees the value
/// (sessions keep one generic plan per statement, see `db::connect`).
async fn feed_since<C: ConnectionTrait>(db: &C, position: i64) -> Result<FeedSince, AppError> {
    let row = change::Entity::find()
        .select_only()
        .column_as(change::Column::Seq.max(), "head")
        .column_as(Expr::cust("MAX(CASE WHEN entity = 'RevokedToken' THEN seq END)"), "last_revocation")
        .column_as(Expr::cust(MOVES), "last_move")
        .filter(sea_orm::ExprTrait::gt(
            Expr::col((change::Entity, change::Column::Seq)),
            Expr::Constant(position.into()),
        ))
        .into_model::<FeedSince>()
        .one(db)
        .await?;
    Ok(row.unwrap_or(FeedSince { head: None, last_revocation: None, last_move: None }))
}

async fn revoked_jtis<C: ConnectionTrait>(db: &C) -> Result<HashSet<String>, AppError> {
    let jtis: Vec<String> =
        revoked_token::Entity::find().select_only().column(revoked_token::Column::Jti).into_tuple().all(db).await?;
    Ok(jtis.into_iter().collect())
}
