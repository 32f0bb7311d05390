//! Limits answered before any database work, and a code on every error.
//!
//! The request pipeline ([`super::pipeline`]), before async-graphql parses or
//! validates a request, calls [`admit_text`] and then [`measure`]:
//! - in allow-list mode, refuses any operation whose SHA-256 is not registered;
//! - bounds the raw text ([`query_text`]: tokens and bracket nesting), so the
//!   parser's work and recursion are bounded;
//! - parses the document once (async-graphql reuses it) and measures it
//!   ([`cost`]: fields, fragment spreads and directives after fragment
//!   expansion, depth, nesting and introspection lists, each fragment once),
//!   refusing fragment cycles and anything past the limits.
//!
//! Only then does async-graphql validate. Its validation and its recursion
//! check walk every fragment spread anew, which is exponential in the number
//! of fragment levels: a 774-byte document of 15 fragments spreading the next
//! one four times each held an actix worker for minutes. After the measure,
//! validation sees at most `max_fields` fields and `max_fragment_spreads`
//! spreads, so its work is bounded by the limits rather than by the document's
//! amplification. That is why parse and validation stay on the actix worker
//! rather than moving to a blocking pool (which would also need a fork of
//! async-graphql: its validation future borrows the request, and
//! `block_in_place` is not available on actix's current-thread runtimes).
//! Measured with a debug build on a 2-core machine busy with other builds
//! (load 10), whole HTTP round trips: the 12-level document of the issue took
//! 269 s to be refused before this guard; now the 15-, 20- and 30-level ones
//! are refused in 70–190 ms, four at once, while a trivial `{ __typename }`
//! takes 20–40 ms. The largest documents the defaults admit take about 1.2 s
//! (4,990 fields in 5,000 tokens) and 0.2 s (fragments expanding to 4,100
//! fields and 341 spreads) in that setting; lower `--max-fields` and
//! `--max-tokens` to bound a worker tighter.
//!
//! The depth limit is enforced here rather than by async-graphql's builder,
//! because the builder's applies to introspection too: an operation that
//! selects only `__schema`, `__type` and `__typename` has its own depth
//! allowance (the `ofType` chain of the standard introspection query nests 15
//! levels) and no complexity limit, while the cost measure still bounds it and
//! at most [`MAX_INTROSPECTION_LISTS`] introspection list fields may nest (each
//! one multiplies the answer by the size of the schema). The complexity limit
//! is async-graphql's own (it depends on page sizes given as variables); the
//! pipeline runs introspection-only documents on a schema built without it.
//!
//! Every error of a response gets a stable `extensions.code`: limits are
//! QUERY_TOO_COMPLEX with a message naming the limit; other parse and
//! validation errors are BAD_USER_INPUT; anything else without a code is
//! INTERNAL.

use crate::graphql::cost::{self, Unmeasurable};
use crate::graphql::query_text::{self, TextRefusal};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, ServerError, ServerResult, Value};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::Arc;

/// How deep brackets may nest in the query text, and selection sets and
/// fragment spreads in the document: async-graphql's parser stops at 64
/// nested selection sets, and its recursion limit is set to the same.
pub const MAX_NESTING: usize = 64;

/// How many introspection list fields (`types`, `fields`, `args`, …) may nest
/// on one path: the standard introspection query needs 3 (`types { fields {
/// args`); each further one multiplies the answer by the size of the schema.
pub const MAX_INTROSPECTION_LISTS: u64 = 3;

/// The limits the guard enforces (see [`super::Limits`] for each one's meaning).
#[derive(Debug, Clone, Default)]
pub struct GuardSettings {
    pub max_aliases: usize,
    pub max_depth: usize,
    pub max_introspection_depth: usize,
    pub max_complexity: usize,
    pub max_tokens: usize,
    pub max_fields: usize,
    pub max_fragment_spreads: usize,
    pub max_directives: usize,
    /// `false`: documents that select `__schema` or `__type` are refused.
    pub introspection: bool,
    /// `Some`: only operations whose SHA-256 (hex, of the query text) is listed run.
    pub allowed_operations: Option<Arc<HashSet<String>>>,
}

fn error(code: &str, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    error
}

fn too_complex(message: String) -> ServerError {
    error("QUERY_TOO_COMPLEX", message)
}

/// A count for a message: saturated counts read "at least …".
fn count(n: u64) -> String {
    if n == u64::MAX { format!("at least {n}") } else { n.to_string() }
}

/// The message of a refused complexity.
/// async-graphql's message when a document's complexity passes the schema's limit.
const COMPLEXITY_REFUSAL: &str = "Query is too complex.";

fn complexity_message(limit: usize) -> String {
    format!(
        "the query is too complex: its cost exceeds the limit of {limit} (a list multiplies the cost of its fields \
         by its page size; ask for smaller pages or fewer fields)"
    )
}

fn count_aliases(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                usize::from(field.node.alias.is_some()) + count_aliases(&field.node.selection_set.node)
            }
            Selection::InlineFragment(fragment) => count_aliases(&fragment.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

/// Number of aliased fields in the document (each fragment definition counted once).
pub fn aliases_in(document: &ExecutableDocument) -> usize {
    let operations: usize = document.operations.iter().map(|(_, op)| count_aliases(&op.node.selection_set.node)).sum();
    let fragments: usize = document.fragments.values().map(|f| count_aliases(&f.node.selection_set.node)).sum();
    operations + fragments
}

/// SHA-256 of an operation's text, hex: the key of the allow-list.
pub fn operation_hash(query: &str) -> String {
    format!("{:x}", Sha256::digest(query.as_bytes()))
}

/// Refuses, before the text is parsed, an operation the allow-list does not
/// hold and text past the token and nesting limits.
///
/// # Errors
/// `BAD_USER_INPUT` for an unregistered operation, `QUERY_TOO_COMPLEX` for text past a limit.
pub fn admit_text(settings: &GuardSettings, query: &str) -> ServerResult<()> {
    if let Some(allowed) = &settings.allowed_operations {
        let hash = operation_hash(query);
        if !allowed.contains(&hash) {
            return Err(error(
                "BAD_USER_INPUT",
                format!("this server runs only registered operations; sha256:{hash} is not registered"),
            ));
        }
    }
    query_text::check(query, settings.max_tokens, MAX_NESTING).map_err(|refusal| match refusal {
        TextRefusal::Tokens { limit } => {
            too_complex(format!("the query text holds more than {limit} tokens; the limit is {limit}"))
        }
        TextRefusal::Nesting { limit } => {
            too_complex(format!("the query text nests brackets more than {limit} deep; the limit is {limit} levels"))
        }
    })
}

/// What the measure learnt of an admitted document.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    /// Every operation of the document only introspects (`__schema`, `__type`, `__typename`).
    pub introspection_only: bool,
}

/// Refuses a document past the limits, before async-graphql validates it
/// (see the module documentation).
///
/// # Errors
/// `QUERY_TOO_COMPLEX` naming the limit passed; `BAD_USER_INPUT` for a
/// fragment cycle or introspection on a server that turned it off.
pub fn measure(settings: &GuardSettings, document: &ExecutableDocument) -> ServerResult<Measured> {
    if !settings.introspection && cost::uses_introspection(document) {
        return Err(error(
            "BAD_USER_INPUT",
            "introspection is turned off on this server; the schema is published at /schema.graphql".to_owned(),
        ));
    }
    let aliases = aliases_in(document);
    if aliases > settings.max_aliases {
        return Err(too_complex(format!("the query uses {aliases} aliases; the limit is {}", settings.max_aliases)));
    }
    let operations = cost::measure(document, MAX_NESTING as u64).map_err(|e| match e {
        Unmeasurable::Cycle(path) => error(
            "BAD_USER_INPUT",
            format!("the fragment {} spreads itself: {}", path.first().map_or("", String::as_str), path.join(" → ")),
        ),
        Unmeasurable::TooDeep { limit } => too_complex(format!(
            "the query nests selections and fragment spreads more than {limit} deep; the limit is {limit} levels"
        )),
    })?;
    let (mut fields, mut spreads, mut directives) = (0u64, 0u64, 0u64);
    for operation in &operations {
        fields = fields.saturating_add(operation.cost.fields);
        spreads = spreads.saturating_add(operation.cost.spreads);
        directives = directives.saturating_add(operation.cost.directives);
    }
    let over = |n: u64, limit: usize| n > u64::try_from(limit).unwrap_or(u64::MAX);
    if over(fields, settings.max_fields) {
        return Err(too_complex(format!(
            "the query selects {} fields once its fragments are expanded; the limit is {}",
            count(fields),
            settings.max_fields
        )));
    }
    if over(spreads, settings.max_fragment_spreads) {
        return Err(too_complex(format!(
            "the query makes {} fragment spreads once its fragments are expanded; the limit is {}",
            count(spreads),
            settings.max_fragment_spreads
        )));
    }
    if over(directives, settings.max_directives) {
        return Err(too_complex(format!(
            "the query uses {} directives once its fragments are expanded; the limit is {}",
            count(directives),
            settings.max_directives
        )));
    }
    for operation in &operations {
        let cost = &operation.cost;
        if cost.meta_only && over(cost.depth, settings.max_introspection_depth) {
            return Err(too_complex(format!(
                "the introspection query is nested too deep: the limit is {} levels for introspection",
                settings.max_introspection_depth
            )));
        }
        if !cost.meta_only && over(cost.depth, settings.max_depth) {
            return Err(too_complex(format!(
                "the query is nested too deep: the limit is {} levels",
                settings.max_depth
            )));
        }
        if cost.introspection_lists > MAX_INTROSPECTION_LISTS {
            return Err(too_complex(format!(
                "the query nests {} introspection lists (such as `types {{ fields {{ args`); the limit is \
                     {MAX_INTROSPECTION_LISTS}",
                cost.introspection_lists
            )));
        }
    }
    Ok(Measured { introspection_only: operations.iter().all(|op| op.cost.meta_only) })
}

/// Gives an error without a code the one that fits; async-graphql's own
/// complexity refusal gets the message naming `complexity_limit`.
pub fn classify(error: &mut ServerError, complexity_limit: usize) {
    let has_code = error.extensions.as_ref().is_some_and(|e| e.get("code").is_some());
    if has_code {
        return;
    }
    let code = match error.message.as_str() {
        // async-graphql's validation (the pipeline runs introspection-only documents without the limit).
        COMPLEXITY_REFUSAL if error.path.is_empty() => {
            error.message = complexity_message(complexity_limit);
            "QUERY_TOO_COMPLEX"
        }
        // The parser's own recursion limit; the guard refuses such text first.
        m if m.contains("recursion") => "QUERY_TOO_COMPLEX",
        // Errors before execution (syntax, validation, variables) have no path.
        _ if error.path.is_empty() => "BAD_USER_INPUT",
        // Input coercion of arguments and variables, reported at the field.
        m if ["Failed to parse", "Invalid value", "Expected input type", "Expected type", "Oneof"]
            .iter()
            .any(|prefix| m.starts_with(prefix)) =>
        {
            "BAD_USER_INPUT"
        }
        _ => {
            tracing::error!(message = %error.message, "an error without a code reached the response");
            error.message = "internal error".to_owned();
            "INTERNAL"
        }
    };
    let mut extensions = error.extensions.take().unwrap_or_default();
    extensions.set("code", Value::from(code));
    error.extensions = Some(extensions);
}
