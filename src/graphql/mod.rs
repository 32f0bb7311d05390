//! The GraphQL layer: thin resolvers over the domain services, behind the
//! request pipeline ([`Pipeline`]). [`sdl`] does no I/O and reads no
//! environment, so the SDL can be printed and checked without a database.

pub mod context;
pub mod cost;
pub mod input_guard;
pub mod limits;
pub mod loaders;
pub mod mutation;
pub mod node;
mod order;
mod persisted;
mod pipeline;
pub mod query;
pub mod query_text;
pub mod schema_text;
mod settings;
pub mod subscription;
pub mod types;
mod variables;

use crate::service::notify::ChangeNotifier;
use async_graphql::{Schema, SchemaBuilder};
use context::AppState;
pub use pipeline::{Pipeline, is_request_error};
use sea_orm::DatabaseConnection;
pub use settings::{AllowList, Limits};
use std::sync::Arc;

/// The schema type served by xietong.
pub type AppSchema = Schema<query::QueryRoot, mutation::MutationRoot, subscription::SubscriptionRoot>;

/// The schema's types and the settings every build of it shares: no data,
/// no limits but the parser's nesting, no checks.
fn schema_builder() -> SchemaBuilder<query::QueryRoot, mutation::MutationRoot, subscription::SubscriptionRoot> {
    let builder =
        Schema::build(query::QueryRoot::default(), mutation::MutationRoot::default(), subscription::SubscriptionRoot);
    schema_text::describe(builder).limit_recursive_depth(limits::MAX_NESTING)
}

/// Builds the served schema once, behind the checks and with the limits that
/// protect it (see [`pipeline`]).
///
/// # Errors
/// When the schema's registry cannot be read (see [`Pipeline::new`]).
pub fn build_pipeline(
    db: DatabaseConnection,
    writer: crate::db::Writer,
    limits: Limits,
    notifier: ChangeNotifier,
    allow_list: Option<AllowList>,
    webhooks: crate::service::webhooks::delivery::Outbound,
) -> anyhow::Result<Pipeline> {
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
        allowed_operations: allow_list.as_ref().map(|list| Arc::new(list.hashes.clone())),
    };
    let registered = allow_list.map(|list| list.documents).unwrap_or_default();
    let persisted = persisted::PersistedQueries::new(registered, limits.persisted_query_cache);
    let (complexity_limit, no_introspection) = (limits.max_complexity, limits.no_introspection);
    let state = AppState { db, writer, limits: Arc::new(limits), notifier: notifier.clone(), webhooks };
    // Depth is not the builder's `limit_depth`: it would also bound introspection. The guard
    // enforces it (src/graphql/limits.rs); complexity is the builder's, except for introspection.
    let finish = |complexity: Option<usize>| {
        let mut builder = schema_builder().data(state.clone());
        if let Some(limit) = complexity {
            builder = builder.limit_complexity(limit);
        }
        if no_introspection {
            builder = builder.disable_introspection();
        }
        builder.finish()
    };
    Pipeline::new(finish(Some(complexity_limit)), finish(None), guard, complexity_limit, persisted, notifier)
}

/// The type of the operation the request would run, when its document parses
/// and names it unambiguously (else execution reports the problem). The parsed
/// document stays cached in the request, so execution does not parse it again.
pub fn selected_operation_type(
    request: &mut async_graphql::Request,
) -> Option<async_graphql::parser::types::OperationType> {
    let name = request.operation_name.clone();
    let document = request.parsed_query().ok()?;
    selected_operation(document, name.as_deref()).map(|operation| operation.ty)
}

/// The operation of `document` a request naming `name` runs: the named one,
/// or the only one; `None` when that is ambiguous or absent (execution then
/// reports it).
pub fn selected_operation<'a>(
    document: &'a async_graphql::parser::types::ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a async_graphql::parser::types::OperationDefinition> {
    use async_graphql::parser::types::DocumentOperations;
    let operation = match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => operation,
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name)?,
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => operations.values().next()?,
        (DocumentOperations::Multiple(_), None) => return None,
    };
    Some(&operation.node)
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    schema_text::sdl(&schema_builder().finish())
}
