//! The GraphQL layer: thin resolvers over the domain services.
//!
//! [`build_schema`] does no I/O and reads no environment, so the SDL can be
//! printed and checked without a database.

pub mod context;
pub mod limits;
pub mod loaders;
pub mod mutation;
pub mod node;
mod notify_extension;
pub mod query;
pub mod schema_text;
pub mod subscription;
pub mod types;

use crate::config::Limits;
use crate::service::notify::ChangeNotifier;
use async_graphql::Schema;
use context::AppState;
use sea_orm::DatabaseConnection;
use std::collections::HashSet;
use std::sync::Arc;

/// The schema type served by xietong.
pub type AppSchema = Schema<query::QueryRoot, mutation::MutationRoot, subscription::SubscriptionRoot>;

/// Builds the schema once, with the limits that protect it.
pub fn build_schema(
    db: DatabaseConnection,
    limits: Limits,
    notifier: ChangeNotifier,
    allowed_operations: Option<HashSet<String>>,
) -> AppSchema {
    let guard = limits::GuardSettings {
        max_aliases: limits.max_aliases,
        max_depth: limits.max_depth,
        max_complexity: limits.max_complexity,
        allowed_operations: allowed_operations.map(Arc::new),
    };
    let limits = Arc::new(limits);
    let builder = Schema::build(query::QueryRoot, mutation::MutationRoot::default(), subscription::SubscriptionRoot);
    schema_text::describe(builder)
        .data(AppState { db, limits: limits.clone(), notifier: notifier.clone() })
        .extension(notify_extension::PokeAfterMutation(notifier))
        .extension(limits::Guard(Arc::new(guard)))
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_recursive_depth(64)
        .finish()
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    let db = DatabaseConnection::default();
    schema_text::sdl(&build_schema(db, Limits::default(), ChangeNotifier::default(), None))
}
