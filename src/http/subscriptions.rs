//! GraphQL subscriptions over WebSocket on `/graphql` (`graphql-transport-ws`,
//! and the older `graphql-ws` sub-protocol).
//!
//! The token travels in `connection_init` (`{"Authorization": "Bearer …"}`;
//! without one the connection is anonymous). A refused token closes the
//! socket with 4403 Forbidden, as the protocol recommends.

use crate::auth::Authenticator;
use crate::graphql::AppSchema;
use crate::graphql::context::RequestScope;
use crate::http::metrics::Metrics;
use actix_web::http::header::{HeaderValue, SEC_WEBSOCKET_PROTOCOL};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{CloseCode, CloseReason, Message};
use async_graphql::http::{WebSocket, WebSocketProtocols, WsMessage};
use futures_util::StreamExt;
use sea_orm::DatabaseConnection;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Prefix marking a refused `connection_init`, mapped to close code 4403.
const REFUSED: &str = "UNAUTHENTICATED: ";

/// Upgrades the request and serves subscriptions on it until either side closes.
pub async fn serve(
    request: HttpRequest,
    body: web::Payload,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    authenticator: web::Data<Authenticator>,
    metrics: web::Data<Metrics>,
) -> actix_web::Result<HttpResponse> {
    let protocol = request
        .headers()
        .get(SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|list| list.split(',').find_map(|p| WebSocketProtocols::from_str(p.trim()).ok()))
        .ok_or_else(|| {
            actix_web::error::ErrorBadRequest("unsupported WebSocket sub-protocol: use graphql-transport-ws")
        })?;
    let (mut response, session, incoming) = actix_ws::handle(&request, body)?;
    response.headers_mut().insert(SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static(protocol.sec_websocket_protocol()));

    let pong_session = session.clone();
    let client_messages = Box::pin(incoming.max_frame_size(64 * 1024).filter_map(move |message| {
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
    }));

    let db = db.get_ref().clone();
    let authenticator = authenticator.into_inner();
    let schema = schema.get_ref().clone();
    // Metrics (src/http/metrics.rs): `xietong_subscriptions_open` counts this connection until the task ends.
    let open = metrics.subscription_opened();
    actix_web::rt::spawn(async move {
        let _open = open;
        let on_init = move |payload: serde_json::Value| {
            let (db, authenticator) = (db.clone(), authenticator.clone());
            async move { connection_data(&db, &authenticator, &payload).await }
        };
        let mut outgoing = WebSocket::new(schema, client_messages, protocol)
            .on_connection_init(on_init)
            .keepalive_timeout(Duration::from_secs(60));
        let mut session = session;
        // Operations refused before execution (invalid documents): their `complete` is not sent.
        let mut refused: Vec<String> = Vec::new();
        while let Some(message) = outgoing.next().await {
            match message {
                WsMessage::Text(text) => {
                    let Some(text) = as_transport_ws(protocol, text, &mut refused) else { continue };
                    if session.text(text).await.is_err() {
                        return;
                    }
                }
                WsMessage::Close(code, reason) => {
                    let (code, reason) = match reason.strip_prefix(REFUSED) {
                        Some(why) => (4403, format!("Forbidden: {why}")),
                        None => (code, reason),
                    };
                    let _ = session
                        .close(Some(CloseReason { code: CloseCode::Other(code), description: Some(reason) }))
                        .await;
                    return;
                }
            }
        }
        let _ = session.close(Some(CloseReason { code: CloseCode::Normal, description: None })).await;
    });
    Ok(response)
}

/// async-graphql answers an operation that fails before execution (an
/// invalid document) with `next` + `complete`; graphql-transport-ws says an
/// `error` message, after which nothing more is sent for that id. This
/// rewrites such answers; everything else passes through.
fn as_transport_ws(protocol: WebSocketProtocols, text: String, refused: &mut Vec<String>) -> Option<String> {
    if protocol != WebSocketProtocols::GraphQLWS {
        return Some(text);
    }
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

/// Authenticates `connection_init` and builds the connection's context data.
async fn connection_data(
    db: &DatabaseConnection,
    authenticator: &Authenticator,
    payload: &serde_json::Value,
) -> async_graphql::Result<async_graphql::Data> {
    let header = payload
        .get("Authorization")
        .or_else(|| payload.get("authorization"))
        .map(|v| {
            v.as_str().ok_or_else(|| async_graphql::Error::new(format!("{REFUSED}Authorization must be a string")))
        })
        .transpose()?;
    let viewer = authenticator
        .viewer(db, header)
        .await
        .map_err(|error| async_graphql::Error::new(format!("{REFUSED}{}", error.into_graphql().message)))?;
    let mut data = async_graphql::Data::default();
    data.insert(Arc::new(RequestScope::uncached(db.clone(), viewer, std::time::Duration::from_millis(2))));
    Ok(data)
}
