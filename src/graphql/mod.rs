//! The GraphQL layer: thin resolvers over the domain services.
//!
//! [`build_schema`] does no I/O and reads no environment, so the SDL can be
//! printed and checked without a database.

pub mod context;
pub mod cost;
pub mod input_guard;
pub mod limits;
pub mod loaders;
pub mod mutation;
pub mod node;
mod notify_extension;
mod order;
pub mod query;
pub mod query_text;
pub mod schema_text;
mod settings;
pub mod subscription;
pub mod types;
mod variables;

use crate::service::notify::ChangeNotifier;
use async_graphql::Schema;
use context::AppState;
use sea_orm::DatabaseConnection;
pub use settings::Limits;
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
    webhooks: crate::service::webhooks::delivery::Outbound,
) -> AppSchema {
    let guard = limits::GuardSettings {
        max_aliases: limits.max_aliases,
        max_depth: limits.max_depth,
        max_introspection_depth: limits.max_introspection_depth,
        max_complexity: limits.max_complexity,
        max_tokens: limits.max_tokens,
        max_fields: limits.max_fields,
        max_fragment_spreads: limits.max_fragment_spreads,
        max_directives: limits.max_directives,
        introspection: !limits.no_introspection,
        allowed_operations: allowed_operations.map(Arc::new),
    };
    let limits = Arc::new(limits);
    // Depth and complexity are not the builder's `limit_depth`/`limit_complexity`:
    // those would also bound introspection. The guard enforces them (src/graphql/limits.rs).
    let builder = Schema::build(query::QueryRoot, mutation::MutationRoot::default(), subscription::SubscriptionRoot);
    let mut builder = schema_text::describe(builder)
        .data(AppState { db, limits: limits.clone(), notifier: notifier.clone(), webhooks })
        .extension(notify_extension::PokeAfterMutation(notifier))
        .extension(limits::Guard(Arc::new(guard)))
        // Control characters in any string input refused before execution (src/graphql/input_guard.rs).
        .extension(input_guard::InputGuard)
        // Response order (src/graphql/order.rs): fields in the order the request asks for them.
        .extension(order::ResponseOrder)
        // Variables checked against their types before execution (src/graphql/variables.rs).
        .extension(variables::CoerceVariables)
        .limit_recursive_depth(limits::MAX_NESTING);
    if limits.no_introspection {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The type of the operation the request would run, when its document parses
/// and names it unambiguously (else execution reports the problem). The parsed
/// document stays cached in the request, so execution does not parse it again.
pub fn selected_operation_type(
    request: &mut async_graphql::Request,
) -> Option<async_graphql::parser::types::OperationType> {
    let name = request.operation_name.clone();
    let document = request.parsed_query().ok()?;
    match (&document.operations, name) {
        (async_graphql::parser::types::DocumentOperations::Single(operation), _) => Some(operation.node.ty),
        (async_graphql::parser::types::DocumentOperations::Multiple(operations), Some(name)) => {
            operations.get(name.as_str()).map(|operation| operation.node.ty)
        }
        (async_graphql::parser::types::DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next().map(|operation| operation.node.ty)
        }
        (async_graphql::parser::types::DocumentOperations::Multiple(_), None) => None,
    }
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    let db = DatabaseConnection::default();
    schema_text::sdl(&build_schema(
        db,
        Limits::default(),
        ChangeNotifier::default(),
        None,
        crate::service::webhooks::delivery::Outbound::off(),
    ))
}
