//! What resolvers read from the GraphQL context.

use super::Limits;
use super::loaders::{LoadDriver, Loaders};
use crate::access::Viewer;
use crate::service::notify::ChangeNotifier;
use async_graphql::Context;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Process-wide state given to the schema once, at build time.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// Every mutation's transaction opens here (see [`crate::db::Writer`]).
    pub writer: crate::db::Writer,
    pub limits: Arc<Limits>,
    /// Wakes subscribers when changes commit.
    pub notifier: ChangeNotifier,
    /// Webhook settings and the outbound client (re-sends).
    pub webhooks: crate::service::webhooks::delivery::Outbound,
}

/// Per-request data: the caller and the request's loaders.
pub struct RequestScope {
    pub viewer: Viewer,
    pub loaders: Loaders,
}

impl RequestScope {
    /// The scope of one request by `viewer`, and the driver that must run
    /// the request for its loaders to load (see [`LoadDriver`]).
    pub fn new(db: DatabaseConnection, viewer: Viewer) -> (Arc<Self>, LoadDriver) {
        let (loaders, driver) = Loaders::new(db, viewer.clone());
        (Arc::new(Self { loaders, viewer }), driver)
    }

    /// The scope of a long-lived WebSocket subscription: its loaders do not
    /// cache, so every event shows records as they are now.
    pub fn uncached(db: DatabaseConnection, viewer: Viewer) -> (Arc<Self>, LoadDriver) {
        let (scope, driver) = Self::new(db, viewer);
        scope.loaders.disable_cache();
        (scope, driver)
    }
}

/// Typed access to [`AppState`] and [`RequestScope`] without panics.
pub trait ContextExt {
    /// The process-wide state.
    fn state(&self) -> async_graphql::Result<&AppState>;
    /// This request's caller and loaders.
    fn scope(&self) -> async_graphql::Result<&RequestScope>;
}

impl ContextExt for Context<'_> {
    fn state(&self) -> async_graphql::Result<&AppState> {
        self.data::<AppState>()
    }

    fn scope(&self) -> async_graphql::Result<&RequestScope> {
        Ok(self.data::<Arc<RequestScope>>()?.as_ref())
    }
}
