//! Wakes this process's subscribers after each mutation operation.

use crate::service::notify::ChangeNotifier;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Response, ServerResult, Variables};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Pokes the [`ChangeNotifier`] once a mutation operation has finished (its
/// transactions are committed by then). Queries poke nothing.
pub struct PokeAfterMutation(pub ChangeNotifier);

impl ExtensionFactory for PokeAfterMutation {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Poke { notifier: self.0.clone(), mutation: AtomicBool::new(false) })
    }
}

struct Poke {
    notifier: ChangeNotifier,
    mutation: AtomicBool,
}

#[async_graphql::async_trait::async_trait]
impl Extension for Poke {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let has_mutation = document.operations.iter().any(|(_, op)| op.node.ty == OperationType::Mutation);
        self.mutation.store(has_mutation, Ordering::Relaxed);
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = next.run(ctx, operation_name).await;
        if self.mutation.load(Ordering::Relaxed) {
            self.notifier.poke();
        }
        response
    }
}
