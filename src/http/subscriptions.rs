//! GraphQL over WebSocket on `/graphql` (`graphql-transport-ws` only).
//!
//! Contract:
//! - Sub-protocol: `graphql-transport-ws`. The legacy `graphql-ws`
//!   (subscriptions-transport-ws, unmaintained since 2021) is refused at the
//!   upgrade with HTTP 400: one protocol keeps one set of close codes and one
//!   place where sessions are authorised.
//! - `connection_init`: the payload is absent, `null` or an object whose only
//!   keys are `Authorization` / `authorization` (`"Bearer …"`; without it the
//!   connection is anonymous). Any other key or shape closes with 4400 and a
//!   reason naming it; a refused token closes with 4403.
//! - Every operation on the socket runs with the caller as it is *now*
//!   ([`SessionExecutor`]): a query or mutation re-establishes the identity
//!   from the token exactly as an HTTP request does (revocation, expiry, the
//!   department's region and role); a subscription re-checks before each
//!   batch it delivers (through [`Feed::identity`]: reused only while no
//!   change has committed since the check, and at most
//!   [`crate::service::feed::IDENTITY_TTL`]). A revoked or expired token is
//!   answered with `UNAUTHENTICATED` and closes the socket with 4403.
//! - Each `subscribe` message counts against the caller's rate limit like an
//!   HTTP request (token subject, else the client address); one over the
//!   limit gets an `error` message coded `RATE_LIMITED` and does not run.
//! - Open subscriptions are capped per connection and per caller on this
//!   instance ([`SubscriptionSettings`]); one more gets an `error` message
//!   coded `TOO_MANY_SUBSCRIPTIONS`.
//! - Errors carry the same `extensions.code` as over HTTP: queries and
//!   mutations run through [`async_graphql::Schema::execute`] (the same
//!   extensions as HTTP), and a subscription refused before it starts is
//!   answered by that same path.
//! - A client's Close frame is answered with a Close frame with its code
//!   (RFC 6455 §5.5.1), and the connection ends.

use crate::access::Viewer;
use crate::auth::Authenticator;
use crate::error::{AppError, AppResult};
use crate::graphql::Pipeline;
use crate::graphql::context::RequestScope;
use crate::graphql::subscription::{LiveViewer, ViewerSource};
use crate::http::metrics::Metrics;
use crate::http::rate_limit::{CallerKey, RateLimiter, caller_key_of};
use crate::service::feed::{CallerSlot, Feed};
use actix_web::http::header::{HeaderValue, SEC_WEBSOCKET_PROTOCOL};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{CloseCode, CloseReason, Message};
use async_graphql::http::{WebSocket, WebSocketProtocols, WsMessage};
use async_graphql::parser::types::OperationType;
use async_graphql::{Data, ErrorExtensions, Executor, Request, Response};
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use sea_orm::DatabaseConnection;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::watch;

/// Prefix marking a refused `connection_init`, mapped to close code 4403.
const REFUSED: &str = "UNAUTHENTICATED: ";
/// Prefix marking a malformed `connection_init`, mapped to close code 4400.
const MALFORMED: &str = "BAD_REQUEST: ";
/// The keys a `connection_init` payload may have.
const INIT_KEYS: [&str; 2] = ["Authorization", "authorization"];

/// Caps on open subscriptions (flattened into `crate::config::ServeSettings`).
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct SubscriptionSettings {
    /// Subscriptions one WebSocket connection may have open at once.
    #[arg(
        long,
        env = "XIETONG_MAX_SUBSCRIPTIONS_PER_CONNECTION",
        default_value_t = SubscriptionSettings::DEFAULT.max_subscriptions_per_connection
    )]
    pub max_subscriptions_per_connection: usize,

    /// Subscriptions one caller (token subject, else client address) may have open on one instance.
    #[arg(
        long,
        env = "XIETONG_MAX_SUBSCRIPTIONS_PER_CALLER",
        default_value_t = SubscriptionSettings::DEFAULT.max_subscriptions_per_caller
    )]
    pub max_subscriptions_per_caller: usize,
}

impl SubscriptionSettings {
    /// The defaults, which the flags show and use too (written here only).
    pub const DEFAULT: Self = Self { max_subscriptions_per_connection: 100, max_subscriptions_per_caller: 500 };
}

impl Default for SubscriptionSettings {
    /// [`SubscriptionSettings::DEFAULT`].
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// One WebSocket connection: what it needs to authorise each operation.
struct Session {
    db: DatabaseConnection,
    authenticator: Arc<Authenticator>,
    feed: Feed,
    /// The `Authorization` value of `connection_init` (`None` inside: anonymous); set once.
    authorization: OnceLock<Option<String>>,
    /// The client's address, for rate limits and caps of anonymous callers.
    peer: Option<IpAddr>,
    rate_limiter: Option<web::Data<RateLimiter>>,
    metrics: web::Data<Metrics>,
    settings: SubscriptionSettings,
    /// Subscriptions open on this connection.
    open: Arc<AtomicUsize>,
    /// Set when the session must close with 4403, with the reason.
    closing: watch::Sender<Option<String>>,
}

impl Session {
    fn authorization(&self) -> Option<&str> {
        self.authorization.get().and_then(|a| a.as_deref())
    }

    /// Who is calling, for rate limits and caps.
    fn caller(&self) -> CallerKey {
        caller_key_of(self.authorization(), self.peer, Some(&self.authenticator))
    }

    /// The caller now, re-established from the token as an HTTP request would be.
    async fn fresh_viewer(&self) -> AppResult<Viewer> {
        let viewer = self.authenticator.viewer(&self.db, self.authorization()).await?;
        unexpired(viewer)
    }

    /// Counts one message against the caller's rate limit.
    fn rate_limit(&self) -> AppResult<()> {
        let Some(limiter) = &self.rate_limiter else { return Ok(()) };
        limiter.check(&self.caller()).map_err(|retry_after_secs| {
            self.metrics.record_rate_limited();
            limiter.refused(retry_after_secs)
        })
    }

    /// Takes a subscription slot of this connection and of the caller, or says which cap is reached.
    fn open_subscription(&self) -> Result<(ConnectionSlot, CallerSlot), String> {
        let max = self.settings.max_subscriptions_per_connection;
        if self.open.fetch_add(1, Ordering::AcqRel) >= max {
            self.open.fetch_sub(1, Ordering::AcqRel);
            return Err(format!("this connection already has {max} open subscriptions, the limit; complete one first"));
        }
        let connection = ConnectionSlot(self.open.clone());
        let max = self.settings.max_subscriptions_per_caller;
        let caller = format!("{:?}", self.caller());
        let slot = self.feed.open(&caller, max).ok_or_else(|| {
            format!("this caller already has {max} open subscriptions on this server, the limit; complete one first")
        })?;
        Ok((connection, slot))
    }
}

/// An expired token is refused (the store does not say so; the clock does).
fn unexpired(viewer: Viewer) -> AppResult<Viewer> {
    let expired =
        viewer.identity.as_ref().and_then(|i| i.expires_at).is_some_and(|exp| chrono::Utc::now().timestamp() >= exp);
    if expired { Err(AppError::Unauthenticated("token has expired".into())) } else { Ok(viewer) }
}

/// One open subscription of a connection; given back when dropped.
struct ConnectionSlot(Arc<AtomicUsize>);

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl ViewerSource for Session {
    fn current(&self, seen: i64) -> BoxFuture<'_, AppResult<Viewer>> {
        Box::pin(async move {
            let Some(header) = self.authorization() else { return Ok(Viewer::anonymous()) };
            let viewer = self
                .feed
                .identity(header, seen, || self.authenticator.viewer_as_of(&self.db, Some(header), Some(seen)))
                .await?;
            unexpired(viewer)
        })
    }

    fn refuse(&self, error: AppError) {
        let reason = error.into_graphql().message;
        self.closing.send_if_modified(|closing| {
            let first = closing.is_none();
            if first {
                *closing = Some(reason);
            }
            first
        });
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(header) = self.authorization() {
            self.feed.forget_identity(header);
        }
    }
}

/// The schema as one WebSocket connection runs it: each operation is
/// authorised with the caller as it is now (see the module documentation).
#[derive(Clone)]
pub struct SessionExecutor {
    schema: Pipeline,
    session: Arc<Session>,
}

/// A response of errors only, each with its code.
fn refusal(error: async_graphql::Error) -> Response {
    Response::from_errors(vec![error.into_server_error(Default::default())])
}

impl Executor for SessionExecutor {
    async fn execute(&self, request: Request) -> Response {
        let mut stream = self.execute_stream(request, None);
        stream.next().await.unwrap_or_default()
    }

    fn execute_stream(&self, request: Request, session_data: Option<Arc<Data>>) -> BoxStream<'static, Response> {
        let (schema, session) = (self.schema.clone(), self.session.clone());
        Box::pin(async_stream::stream! {
            if let Err(error) = session.rate_limit() {
                yield refusal(error.extend());
                return;
            }
            let viewer = match session.fresh_viewer().await {
                Ok(viewer) => viewer,
                Err(error) => {
                    let refused = matches!(error, AppError::Unauthenticated(_));
                    let message = error.into_graphql();
                    if refused {
                        session.refuse(AppError::Unauthenticated(message.message.clone()));
                    }
                    yield refusal(message);
                    return;
                }
            };
            // One execution, as over HTTP: its loaders cache for its lifetime.
            let execute_once = |request: Request, viewer: Viewer| {
                let (scope, loads) = RequestScope::new(session.db.clone(), viewer);
                loads.drive(schema.execute(request.data(scope)))
            };
            let mut request = request;
            if crate::graphql::selected_operation_type(&mut request) != Some(OperationType::Subscription) {
                // Queries and mutations: the HTTP path, extensions and all.
                yield execute_once(request, viewer).await;
                return;
            }
            let slots = match session.open_subscription() {
                Ok(slots) => slots,
                Err(message) => {
                    let error = async_graphql::Error::new(message).extend_with(|_, e| e.set("code", "TOO_MANY_SUBSCRIPTIONS"));
                    yield refusal(error);
                    return;
                }
            };
            let (scope, loads) = RequestScope::uncached(session.db.clone(), viewer.clone());
            let request = request.data(scope).data(LiveViewer(session.clone() as Arc<dyn ViewerSource>));
            let mut responses =
                loads.drive_stream(schema.execute_stream(request, session_data.unwrap_or_default()));
            while let Some(response) = responses.next().await {
                yield response;
            }
            drop(slots);
        })
    }
}

/// Upgrades the request and serves GraphQL on it until either side closes.
pub async fn serve(
    request: HttpRequest,
    body: web::Payload,
    schema: web::Data<Pipeline>,
    db: web::Data<DatabaseConnection>,
    authenticator: web::Data<Authenticator>,
    metrics: web::Data<Metrics>,
) -> actix_web::Result<HttpResponse> {
    let offered = request.headers().get(SEC_WEBSOCKET_PROTOCOL).and_then(|v| v.to_str().ok()).unwrap_or("");
    let protocol = offered
        .split(',')
        .find_map(|p| WebSocketProtocols::from_str(p.trim()).ok().filter(|p| *p == WebSocketProtocols::GraphQLWS))
        .ok_or_else(|| {
            actix_web::error::ErrorBadRequest(
                "unsupported WebSocket sub-protocol: use graphql-transport-ws (the legacy graphql-ws is not served)",
            )
        })?;
    let (mut response, session, incoming) = actix_ws::handle(&request, body)?;
    response.headers_mut().insert(SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static(protocol.sec_websocket_protocol()));

    // The client's Close frame ends the message stream; its reason is kept for the answer.
    let client_close: Arc<Mutex<Option<Option<CloseReason>>>> = Arc::default();
    let seen_close = client_close.clone();
    // Tells the session loop at once: the answer must not wait for live subscriptions to end.
    let (client_closed, mut client_closed_seen) = watch::channel(false);
    let pong_session = session.clone();
    let client_messages = Box::pin(
        incoming
            .max_frame_size(64 * 1024)
            .take_while(move |message| {
                let go_on = match message {
                    Ok(Message::Close(reason)) => {
                        if let Ok(mut seen) = seen_close.lock() {
                            *seen = Some(reason.clone());
                        }
                        let _ = client_closed.send(true);
                        false
                    }
                    Ok(_) => true,
                    Err(_) => false,
                };
                std::future::ready(go_on)
            })
            .filter_map(move |message| {
                let mut pong_session = pong_session.clone();
                async move {
                    match message {
                        Ok(Message::Text(text)) => Some(text.into_bytes()),
                        Ok(Message::Binary(bytes)) => Some(bytes),
                        Ok(Message::Ping(bytes)) => {
                            let _ = pong_session.pong(&bytes).await;
                            None
                        }
                        _ => None,
                    }
                }
            }),
    );

    let settings = request.app_data::<web::Data<SubscriptionSettings>>().map(|s| s.get_ref().clone());
    let notifier = schema.schema().data::<crate::graphql::context::AppState>().map(|state| state.notifier.clone());
    let (Some(settings), Some(notifier)) = (settings, notifier) else {
        return Err(actix_web::error::ErrorInternalServerError("the server has no subscription settings or state"));
    };
    let (closing, mut closed) = watch::channel(None);
    let state = Arc::new(Session {
        db: db.get_ref().clone(),
        authenticator: authenticator.into_inner(),
        feed: notifier.feed(db.get_ref()),
        authorization: OnceLock::new(),
        peer: request.peer_addr().map(|addr| addr.ip()),
        rate_limiter: request.app_data::<web::Data<RateLimiter>>().cloned(),
        metrics: metrics.clone(),
        settings,
        open: Arc::default(),
        closing,
    });
    let executor = SessionExecutor { schema: schema.get_ref().clone(), session: state.clone() };
    // Metrics (src/http/metrics.rs): `xietong_subscriptions_open` counts this connection until the task ends.
    let open = metrics.subscription_opened();
    actix_web::rt::spawn(async move {
        let _open = open;
        let init_state = state.clone();
        let on_init = move |payload: serde_json::Value| async move { connection_init(&init_state, &payload).await };
        let mut outgoing = WebSocket::new(executor, client_messages, protocol)
            .on_connection_init(on_init)
            .keepalive_timeout(Duration::from_secs(60));
        drop(state);
        let mut session = session;
        // Operations refused before execution: their `complete` is not sent.
        let mut refused: Vec<String> = Vec::new();
        loop {
            let message = tokio::select! {
                message = outgoing.next() => message,
                Ok(()) = client_closed_seen.changed() => break,
                Ok(()) = closed.changed() => {
                    let reason = closed.borrow().clone().unwrap_or_default();
                    let close = CloseReason { code: CloseCode::Other(4403), description: Some(format!("Forbidden: {reason}")) };
                    let _ = session.close(Some(close)).await;
                    return;
                }
            };
            match message {
                Some(WsMessage::Text(text)) => {
                    let Some(text) = as_transport_ws(text, &mut refused) else { continue };
                    if session.text(text).await.is_err() {
                        return;
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    let (code, reason) = if let Some(why) = reason.strip_prefix(REFUSED) {
                        (4403, format!("Forbidden: {why}"))
                    } else if let Some(why) = reason.strip_prefix(MALFORMED) {
                        (4400, why.to_owned())
                    } else {
                        (code, reason)
                    };
                    let _ = session
                        .close(Some(CloseReason { code: CloseCode::Other(code), description: Some(reason) }))
                        .await;
                    return;
                }
                None => break,
            }
        }
        // The client closed (or went away): answer its Close with its code.
        let reply = client_close.lock().ok().and_then(|mut seen| seen.take()).unwrap_or(None);
        let reply = reply.map(|reason| CloseReason { code: reason.code, description: None });
        let _ = session.close(reply).await;
    });
    Ok(response)
}

/// async-graphql answers an operation that fails before execution with
/// `next` + `complete`; graphql-transport-ws says an `error` message, after
/// which nothing more is sent for that id. This rewrites such answers;
/// everything else passes through.
fn as_transport_ws(text: String, refused: &mut Vec<String>) -> Option<String> {
    let Ok(mut message) = serde_json::from_str::<serde_json::Value>(&text) else { return Some(text) };
    let id = message["id"].as_str().map(str::to_owned);
    match (message["type"].as_str(), id) {
        (Some("next"), Some(id)) if message["payload"]["data"].is_null() && message["payload"]["errors"].is_array() => {
            let errors = message["payload"]["errors"].take();
            refused.push(id.clone());
            Some(serde_json::json!({ "id": id, "type": "error", "payload": errors }).to_string())
        }
        (Some("complete"), Some(id)) if refused.contains(&id) => {
            refused.retain(|r| r != &id);
            None
        }
        _ => Some(text),
    }
}

/// Checks the `connection_init` payload and the token in it, and keeps the
/// token for the session's later checks.
async fn connection_init(session: &Session, payload: &serde_json::Value) -> async_graphql::Result<Data> {
    let header = match payload {
        serde_json::Value::Null => None,
        serde_json::Value::Object(fields) => {
            if let Some(unknown) = fields.keys().find(|k| !INIT_KEYS.contains(&k.as_str())) {
                let unknown: String = unknown.chars().take(64).collect();
                return Err(async_graphql::Error::new(format!(
                    "{MALFORMED}unknown connection_init payload key `{unknown}`; accepted: Authorization"
                )));
            }
            match fields.get("Authorization").or_else(|| fields.get("authorization")) {
                None => None,
                Some(serde_json::Value::String(value)) => Some(value.clone()),
                Some(_) => {
                    return Err(async_graphql::Error::new(format!("{MALFORMED}Authorization must be a string")));
                }
            }
        }
        _ => {
            return Err(async_graphql::Error::new(format!("{MALFORMED}the connection_init payload must be an object")));
        }
    };
    let viewer = session.authenticator.viewer(&session.db, header.as_deref()).await;
    let viewer = viewer
        .and_then(unexpired)
        .map_err(|error| async_graphql::Error::new(format!("{REFUSED}{}", error.into_graphql().message)))?;
    drop(viewer);
    let _ = session.authorization.set(header);
    Ok(Data::default())
}
