//! Limits answered before any database work, and a code on every error.
//!
//! The [`Guard`] extension:
//! - refuses documents with more aliases than allowed, and, in allow-list
//!   mode, any operation whose SHA-256 is not registered — both at parse
//!   time, before validation or execution;
//! - gives every error of a response a stable `extensions.code`: the depth
//!   and complexity limits of async-graphql become QUERY_TOO_COMPLEX with a
//!   message naming the limit; other parse and validation errors become
//!   BAD_USER_INPUT; anything else without a code is INTERNAL.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, Response, ServerError, ServerResult, Value, Variables};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::Arc;

/// Request data marking a request that arrived by HTTP GET: it may not run mutations.
#[derive(Clone, Copy, Debug)]
pub struct ReadOnlyTransport;

/// The limits the guard enforces.
#[derive(Debug, Clone, Default)]
pub struct GuardSettings {
    pub max_aliases: usize,
    pub max_depth: usize,
    pub max_complexity: usize,
    /// `Some`: only operations whose SHA-256 (hex, of the query text) is listed run.
    pub allowed_operations: Option<Arc<HashSet<String>>>,
}

/// Extension factory installing the guard on every request.
pub struct Guard(pub Arc<GuardSettings>);

impl ExtensionFactory for Guard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GuardExtension(self.0.clone()))
    }
}

struct GuardExtension(Arc<GuardSettings>);

fn error(code: &str, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    error
}

fn count_aliases(set: &SelectionSet, fragments_seen: &mut usize) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                usize::from(field.node.alias.is_some()) + count_aliases(&field.node.selection_set.node, fragments_seen)
            }
            Selection::InlineFragment(fragment) => count_aliases(&fragment.node.selection_set.node, fragments_seen),
            Selection::FragmentSpread(_) => {
                *fragments_seen += 1;
                0
            }
        })
        .sum()
}

/// Number of aliased fields in the document (each fragment definition counted once).
pub fn aliases_in(document: &ExecutableDocument) -> usize {
    let mut spreads = 0;
    let operations: usize =
        document.operations.iter().map(|(_, op)| count_aliases(&op.node.selection_set.node, &mut spreads)).sum();
    let fragments: usize =
        document.fragments.values().map(|f| count_aliases(&f.node.selection_set.node, &mut spreads)).sum();
    operations + fragments
}

/// SHA-256 of an operation's text, hex: the key of the allow-list.
pub fn operation_hash(query: &str) -> String {
    format!("{:x}", Sha256::digest(query.as_bytes()))
}

#[async_graphql::async_trait::async_trait]
impl Extension for GuardExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        for error in &mut response.errors {
            self.classify(error);
        }
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if let Some(allowed) = &self.0.allowed_operations {
            let hash = operation_hash(query);
            if !allowed.contains(&hash) {
                return Err(error(
                    "BAD_USER_INPUT",
                    format!("this server runs only registered operations; sha256:{hash} is not registered"),
                ));
            }
        }
        let document = next.run(ctx, query, variables).await?;
        let mutation = document
            .operations
            .iter()
            .any(|(_, op)| op.node.ty == async_graphql::parser::types::OperationType::Mutation);
        if mutation && ctx.data_opt::<ReadOnlyTransport>().is_some() {
            return Err(error("BAD_USER_INPUT", "mutations must be sent with POST, not GET".to_owned()));
        }
        let aliases = aliases_in(&document);
        if aliases > self.0.max_aliases {
            return Err(error(
                "QUERY_TOO_COMPLEX",
                format!("the query uses {aliases} aliases; the limit is {}", self.0.max_aliases),
            ));
        }
        Ok(document)
    }
}

impl GuardExtension {
    /// Gives an error without a code the one that fits.
    fn classify(&self, error: &mut ServerError) {
        let has_code = error.extensions.as_ref().is_some_and(|e| e.get("code").is_some());
        if has_code {
            return;
        }
        let (code, message) = match error.message.as_str() {
            "Query is too complex." => (
                "QUERY_TOO_COMPLEX",
                Some(format!(
                    "the query is too complex: its cost exceeds the limit of {} (a list multiplies the cost of its \
                     fields by its page size; ask for smaller pages or fewer fields)",
                    self.0.max_complexity
                )),
            ),
            "Query is nested too deep." => (
                "QUERY_TOO_COMPLEX",
                Some(format!("the query is nested too deep: the limit is {} levels", self.0.max_depth)),
            ),
            m if m.contains("recursion") || m.contains("too many directives") => ("QUERY_TOO_COMPLEX", None),
            // Errors before execution (syntax, validation, variables) have no path.
            _ if error.path.is_empty() => ("BAD_USER_INPUT", None),
            // Input coercion of arguments and variables, reported at the field.
            m if ["Failed to parse", "Invalid value", "Expected input type", "Expected type", "Oneof"]
                .iter()
                .any(|prefix| m.starts_with(prefix)) =>
            {
                ("BAD_USER_INPUT", None)
            }
            _ => {
                tracing::error!(message = %error.message, "an error without a code reached the response");
                ("INTERNAL", Some("internal error".to_owned()))
            }
        };
        if let Some(message) = message {
            error.message = message;
        }
        let mut extensions = error.extensions.take().unwrap_or_default();
        extensions.set("code", Value::from(code));
        error.extensions = Some(extensions);
    }
}
