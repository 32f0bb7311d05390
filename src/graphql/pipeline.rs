//! The request pipeline: every GraphQL request, over HTTP or a WebSocket,
//! passes the same checks in the same order around async-graphql's execution.
//!
//! Before execution, once per request:
//! 0. [`PersistedQueries::resolve`]: the text of a document sent by its hash
//!    (the Automatic Persisted Queries protocol, see [`super::persisted`]);
//! 1. [`limits::admit_text`]: the allow-list, then the token and bracket limits
//!    on the raw text;
//! 2. the text is parsed once (async-graphql takes the parsed document and
//!    does not parse it again);
//! 3. [`limits::measure`]: fields, spreads and directives after fragment
//!    expansion, depth, introspection lists;
//! 4. [`variables::check`]: each variable against its declared type;
//! 5. [`input_guard::check_request`]: no control characters in any string.
//!
//! Then async-graphql validates and executes: on a schema with the complexity
//! limit, or, for a document that only introspects, on one without it (see
//! [`limits`]). After execution, on the response and on every subscription event:
//! 6. [`order::reorder`]: keys in the order the request asks for them, and
//!    [`schema_text::answer_description`]: the API's own `__schema { description }`;
//! 7. [`limits::classify`]: an `extensions.code` on every error; a document
//!    that came with its hash and passed validation is remembered by it;
//! 8. after a mutation (its transactions committed), this process's
//!    subscribers are woken ([`ChangeNotifier::poke`]).
//!
//! Why not async-graphql extensions, which offer the same hooks: with any
//! extension installed, async-graphql builds a `ResolveInfo` for every field
//! it resolves and runs it through the extension chain, though none of these
//! steps looks at fields. That chain was about 11 % of the CPU of the nested
//! benchmark query (BENCHMARKS.md); without extensions, fields take
//! async-graphql's direct path.

use super::persisted::PersistedQueries;
use super::{AppSchema, input_guard, limits, order, schema_text, variables};
use crate::service::notify::ChangeNotifier;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextRequest};
use async_graphql::futures_util::stream::{self, BoxStream, StreamExt};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Data, Executor, Request, Response, SchemaEnv, ServerError, Variables};
use std::sync::{Arc, Mutex};

/// The schema behind the checks of the module documentation: what the HTTP
/// and WebSocket transports execute requests with.
#[derive(Clone)]
pub struct Pipeline(Arc<Parts>);

struct Parts {
    /// Validates with the complexity limit.
    schema: AppSchema,
    /// The same schema without the complexity limit, for introspection-only documents.
    introspection: AppSchema,
    /// The schema's registry (types, fields, possible types), for the
    /// variable check and the response order.
    env: SchemaEnv,
    guard: limits::GuardSettings,
    complexity_limit: usize,
    persisted: PersistedQueries,
    notifier: ChangeNotifier,
}

/// A request that passed the checks, with what the steps after execution need.
struct Admitted {
    document: ExecutableDocument,
    variables: Variables,
    operation_name: Option<String>,
    introspection_only: bool,
    /// Hash and text of a document sent with its hash, learnt once it validates.
    learn: Option<(String, String)>,
    /// The document selects `__schema` or `__type` (step 6 then answers the schema's description).
    schema_selected: bool,
    mutation: bool,
}

impl Pipeline {
    /// Puts the checks around `schema` and `introspection` (the same schema
    /// built without the complexity limit), both from [`super::schema_builder`].
    ///
    /// # Errors
    /// When the schema's registry cannot be read (see [`registry_of`]).
    pub(super) fn new(
        schema: AppSchema,
        introspection: AppSchema,
        guard: limits::GuardSettings,
        complexity_limit: usize,
        persisted: PersistedQueries,
        notifier: ChangeNotifier,
    ) -> anyhow::Result<Self> {
        let env = registry_of()?;
        Ok(Self(Arc::new(Parts { schema, introspection, env, guard, complexity_limit, persisted, notifier })))
    }

    /// The schema requests run on (for its SDL).
    pub fn schema(&self) -> &AppSchema {
        &self.0.schema
    }

    /// Puts in the text of a request sent by its hash alone, when this server
    /// knows it, so that the HTTP layer can judge the operation before it
    /// runs (GET runs no mutation) and label its metrics. An unknown hash is
    /// left for [`Self::execute`] to answer.
    pub fn fill_persisted_text(&self, request: &mut Request) {
        if request.query.is_empty() {
            // A refusal here would be the same refusal execution gives, with its code.
            let _ = self.0.persisted.resolve(request);
        }
    }

    /// Runs the checks (steps 0–5 of the module documentation).
    fn admit(&self, request: &mut Request) -> Result<Admitted, ServerError> {
        let parts = &self.0;
        let persisted = parts.persisted.resolve(request)?;
        limits::admit_text(&parts.guard, &request.query)?;
        let (operation_name, variables) = (request.operation_name.clone(), request.variables.clone());
        let learn = persisted.learn.map(|hash| (hash, request.query.clone()));
        // Parsed once: async-graphql executes the document kept in the request.
        let document = request.parsed_query()?;
        let measured = limits::measure(&parts.guard, document)?;
        variables::check(&parts.env.registry, document, operation_name.as_deref(), &variables)?;
        input_guard::check_request(document, &variables)?;
        let mutation = document.operations.iter().any(|(_, operation)| operation.node.ty == OperationType::Mutation);
        let admitted = Admitted {
            document: document.clone(),
            variables,
            operation_name,
            introspection_only: measured.introspection_only,
            learn,
            schema_selected: super::cost::uses_introspection(document),
            mutation,
        };
        Ok(admitted)
    }

    /// The response to a refused request, its error coded.
    fn refusal(&self, error: ServerError) -> Response {
        let mut response = Response::from_errors(vec![error]);
        self.classify(&mut response);
        response
    }

    fn schema_for(&self, admitted: &Admitted) -> &AppSchema {
        if admitted.introspection_only { &self.0.introspection } else { &self.0.schema }
    }

    /// Steps 6 and 7 of the module documentation, on one response or event;
    /// a document sent with its hash is learnt once it has passed validation.
    fn finish(&self, admitted: &Admitted, response: &mut Response) {
        if let Some((hash, text)) = &admitted.learn
            && !is_request_error(response)
        {
            self.0.persisted.learn(hash.clone(), text);
        }
        let document = &admitted.document;
        if let Some(operation) = super::selected_operation(document, admitted.operation_name.as_deref()) {
            let data = &mut response.data;
            order::reorder(&self.0.env.registry, document, operation, &admitted.variables, data);
            if admitted.schema_selected {
                schema_text::answer_description(document, &operation.selection_set.node, data);
            }
        }
        self.classify(response);
    }

    fn classify(&self, response: &mut Response) {
        for error in &mut response.errors {
            limits::classify(error, self.0.complexity_limit);
        }
    }

    /// Executes a query or mutation (a subscription is refused by async-graphql on this path).
    pub async fn execute(&self, mut request: Request) -> Response {
        let admitted = match self.admit(&mut request) {
            Ok(admitted) => admitted,
            Err(error) => return self.refusal(error),
        };
        let mut response = self.schema_for(&admitted).execute(request).await;
        self.finish(&admitted, &mut response);
        if admitted.mutation {
            self.0.notifier.poke();
        }
        response
    }

    /// Executes any operation as a stream of responses: one for a query or
    /// mutation, one per event for a subscription.
    pub fn execute_stream(&self, mut request: Request, session_data: Arc<Data>) -> BoxStream<'static, Response> {
        let admitted = match self.admit(&mut request) {
            Ok(admitted) => admitted,
            Err(error) => {
                let refusal = self.refusal(error);
                return stream::once(async move { refusal }).boxed();
            }
        };
        let events = self.schema_for(&admitted).execute_stream_with_session_data(request, session_data);
        let pipeline = self.clone();
        let mutation = admitted.mutation;
        let finished = events.map(move |mut response| {
            pipeline.finish(&admitted, &mut response);
            response
        });
        if !mutation {
            return finished.boxed();
        }
        let notifier = self.0.notifier.clone();
        finished.chain(stream::once(async move { notifier.poke() }).filter_map(|()| async { None })).boxed()
    }
}

/// Whether `response` reports a request error: the document failed before
/// execution (syntax, validation, variable coercion, operation selection,
/// limits). async-graphql reports those without a `path` and with no data;
/// every error raised while executing carries its field's path.
pub fn is_request_error(response: &Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty())
}

impl Executor for Pipeline {
    async fn execute(&self, request: Request) -> Response {
        Pipeline::execute(self, request).await
    }

    fn execute_stream(&self, request: Request, session_data: Option<Arc<Data>>) -> BoxStream<'static, Response> {
        Pipeline::execute_stream(self, request, session_data.unwrap_or_default())
    }
}

/// The registry of the served schema's types. async-graphql keeps a schema's
/// registry crate-private; the one public way to it is the [`SchemaEnv`] its
/// extensions are handed. So a schema of the same types, with one extension
/// that keeps that environment, runs `{ __typename }` once (no I/O: one poll
/// completes it); that schema is then dropped, the environment kept.
///
/// # Errors
/// When the extension did not see the request (not expected of async-graphql 7).
fn registry_of() -> anyhow::Result<SchemaEnv> {
    let kept = Arc::new(Mutex::new(None));
    let probe = super::schema_builder().extension(KeepEnv(kept.clone())).finish();
    let execution = probe.execute("{ __typename }");
    let mut execution = std::pin::pin!(execution);
    let _ = execution.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop()));
    let env = kept.lock().ok().and_then(|mut kept| kept.take());
    env.ok_or_else(|| anyhow::anyhow!("async-graphql did not run the probe request that reads the schema's registry"))
}

/// Keeps the [`SchemaEnv`] of the request it sees.
struct KeepEnv(Arc<Mutex<Option<SchemaEnv>>>);

impl ExtensionFactory for KeepEnv {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(KeepEnv(self.0.clone()))
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for KeepEnv {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        if let Ok(mut kept) = self.0.lock() {
            *kept = Some(ctx.schema_env.clone());
        }
        next.run(ctx).await
    }
}
