//! WebSocket sessions obey the token as it is now, stay within their caps and
//! rate limits, share one change-feed reader, and follow the protocols
//! (graphql-transport-ws, RFC 6455 closing handshake).

use crate::helpers::spawn_app_configured;
use crate::helpers::{TEST_JWT_SECRET, TestApp, error_code, spawn_app};
use crate::subscriptions::{
    PATIENCE, Socket, connect, cursor_after_a_change, next_event, open, receive, retitle, send, subscribe,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::{department, region};
use futures_util::{SinkExt, StreamExt};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use xietong::access::Role;
use xietong::auth::issue::{TokenRequest, sign_hs256};
use xietong::http::rate_limit::RateLimitSettings;
use xietong::http::subscriptions::SubscriptionSettings;
use xietong::ids::{NodeKind, to_global};

const ADMIN: &str = "天津市人民政府";
const RETITLE: &str = "mutation($input: UpdateTaskInput!) { updateTask(input: $input) { task { id version } } }";

fn jti_of(token: &str) -> String {
    let payload = token.split('.').nth(1).expect("a JWT payload");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("JSON");
    claims["jti"].as_str().expect("jti").to_owned()
}

async fn revoke(app: &TestApp, token: &str) {
    let admin = app.token(ADMIN, Role::Admin).await;
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: RevokeTokenInput!) { revokeToken(input: $input) { jti } }",
            json!({ "input": { "jti": jti_of(token), "reason": "test" } }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
}

/// Reads messages until the socket closes; returns the close code and every
/// message received before it.
async fn until_closed(socket: &mut Socket) -> (Value, Vec<Value>) {
    let mut before = Vec::new();
    loop {
        let message = receive(socket).await;
        if message.get("closed").is_some() {
            return (message, before);
        }
        before.push(message);
    }
}

/// The Jinghai task retitled by [`retitle`], with its id and version.
async fn jinghai_task(app: &TestApp) -> Value {
    app.data(
        r#"{ tasks(filter: {regionCode: "120118", kind: TASK}, first: 1) { nodes { id version title } } }"#,
        json!({}),
    )
    .await["tasks"]["nodes"][0]
        .clone()
}

#[tokio::test]
async fn a_revoked_token_closes_its_socket_with_4403_and_nothing_more_arrives() {
    let app = spawn_app().await;
    let reader = app.token("南开区发展改革委", Role::Reader).await;
    let after = cursor_after_a_change(&app).await;
    let mut socket = connect(&app.address, Some(&reader)).await;
    subscribe(&mut socket, "1", json!({ "after": after })).await;
    retitle(&app, &app.address, "吊销前").await;
    assert_eq!(next_event(&mut socket, "1").await["change"]["after"]["title"], "吊销前");

    revoke(&app, &reader).await;
    retitle(&app, &app.address, "吊销后").await;
    let (closed, before) = until_closed(&mut socket).await;
    assert_eq!(closed["closed"], 4403, "{closed}");
    assert!(closed["reason"].as_str().is_some_and(|r| r.contains("revoked")), "{closed}");
    assert!(before.iter().all(|m| m["type"] != "next"), "nothing may be delivered after the revocation: {before:#?}");
}

#[tokio::test]
async fn a_mutation_over_a_socket_whose_token_was_revoked_is_refused_and_commits_nothing() {
    let app = spawn_app().await;
    let coordinator = app.token("静海区人民政府", Role::Coordinator).await;
    let mut socket = connect(&app.address, Some(&coordinator)).await;
    let task = jinghai_task(&app).await;
    let input =
        |title: &str| json!({ "input": { "id": task["id"], "expectedVersion": task["version"], "title": title } });
    revoke(&app, &coordinator).await;

    send(
        &mut socket,
        json!({ "id": "m", "type": "subscribe", "payload": { "query": RETITLE, "variables": input("不应提交") } }),
    )
    .await;
    let refused = receive(&mut socket).await;
    assert_eq!((refused["type"].as_str(), refused["id"].as_str()), (Some("error"), Some("m")), "{refused}");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "UNAUTHENTICATED", "{refused}");
    let (closed, _) = until_closed(&mut socket).await;
    assert_eq!(closed["closed"], 4403, "{closed}");
    let now = jinghai_task(&app).await;
    assert_eq!((now["title"].clone(), now["version"].clone()), (task["title"].clone(), task["version"].clone()));
}

#[tokio::test]
async fn an_expired_token_closes_its_socket_with_4403() {
    let app = spawn_app().await;
    let department =
        xietong::service::departments::resolve_department(&app.db, "南开区发展改革委").await.expect("department");
    let request = TokenRequest {
        subject: "short-lived".into(),
        department: to_global(NodeKind::Department, &department.id).0,
        role: Role::Reader,
        client: None,
        ttl: std::time::Duration::from_secs(3),
    };
    let (token, _) =
        sign_hs256(TEST_JWT_SECRET.as_bytes(), &app.auth.jwt_issuer, &app.auth.jwt_audience, &request).expect("sign");
    let mut socket = connect(&app.address, Some(&token)).await;
    subscribe(&mut socket, "e", json!({})).await;
    let (closed, before) = until_closed(&mut socket).await;
    assert_eq!(closed["closed"], 4403, "{closed}");
    assert!(closed["reason"].as_str().is_some_and(|r| r.contains("expired")), "{closed}");
    assert!(before.iter().all(|m| m["type"] != "next"), "{before:#?}");
}

#[tokio::test]
async fn moving_the_callers_department_changes_what_its_subscription_delivers() {
    let app = spawn_app().await;
    let admin = app.token(ADMIN, Role::Admin).await;
    let jinghai_coordinator = app.token("静海区人民政府", Role::Coordinator).await;
    let reader = app.token("静海区发展改革委", Role::Reader).await;
    let jinghai = region::Entity::find().filter(region::Column::Name.eq("静海区")).one(&app.db).await.unwrap().unwrap();
    let tongzhou =
        region::Entity::find().filter(region::Column::Name.eq("通州区")).one(&app.db).await.unwrap().unwrap();
    let dept = department::Entity::find()
        .filter(department::Column::Name.eq("静海区发展改革委"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let after = cursor_after_a_change(&app).await;
    let mut socket = connect(&app.address, Some(&reader)).await;
    subscribe(&mut socket, "p", json!({ "after": after, "filter": { "entity": "PLAN" } })).await;
    let create = |title: &str, class: &str| {
        json!({ "input": { "title": title, "regionId": to_global(NodeKind::Region, &jinghai.id).0,
            "kind": "ACTION_PLAN", "sharingClass": class } })
    };
    let create_plan = "mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id } } }";
    let made = app.graphql_as(&jinghai_coordinator, create_plan, create("移动前有条件", "CONDITIONAL")).await;
    assert!(made.get("errors").is_none(), "{made:#}");
    let event = next_event(&mut socket, "p").await;
    assert_eq!(event["change"]["after"]["title"], "移动前有条件", "in its jurisdiction: delivered");

    let moved = app
        .graphql_as(
            &admin,
            "mutation($input: UpdateDepartmentInput!) { updateDepartment(input: $input) { department { region { name } } } }",
            json!({ "input": { "id": to_global(NodeKind::Department, &dept.id).0, "expectedVersion": dept.version,
                "regionId": to_global(NodeKind::Region, &tongzhou.id).0 } }),
        )
        .await;
    assert_eq!(moved["data"]["updateDepartment"]["department"]["region"]["name"], "通州区", "{moved:#}");
    for (title, class) in [("移动后有条件", "CONDITIONAL"), ("移动后公开", "PUBLIC")] {
        let made = app.graphql_as(&jinghai_coordinator, create_plan, create(title, class)).await;
        assert!(made.get("errors").is_none(), "{made:#}");
    }
    let event = next_event(&mut socket, "p").await;
    assert_eq!(
        event["change"]["after"]["title"], "移动后公开",
        "outside its new jurisdiction, the CONDITIONAL plan must not be delivered"
    );
}

#[tokio::test]
async fn open_subscriptions_are_capped_per_connection_and_per_caller_and_given_back() {
    let subscriptions = SubscriptionSettings { max_subscriptions_per_connection: 2, max_subscriptions_per_caller: 3 };
    let app = spawn_app_configured(|s| s.subscriptions = subscriptions).await;
    let mut first = connect(&app.address, None).await;
    subscribe(&mut first, "a", json!({})).await;
    subscribe(&mut first, "b", json!({})).await;
    subscribe(&mut first, "c", json!({})).await;
    // The three start concurrently: whichever comes third is refused.
    let refused = receive(&mut first).await;
    assert_eq!(refused["type"].as_str(), Some("error"), "{refused}");
    assert!(["a", "b", "c"].contains(&refused["id"].as_str().unwrap_or("")), "{refused}");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "TOO_MANY_SUBSCRIPTIONS");
    assert!(refused["payload"][0]["message"].as_str().is_some_and(|m| m.contains("connection")), "{refused}");

    let mut second = connect(&app.address, None).await;
    subscribe(&mut second, "d", json!({})).await;
    subscribe(&mut second, "e", json!({})).await;
    let refused = receive(&mut second).await;
    assert_eq!(refused["type"].as_str(), Some("error"), "{refused}");
    assert!(["d", "e"].contains(&refused["id"].as_str().unwrap_or("")), "{refused}");
    assert!(refused["payload"][0]["message"].as_str().is_some_and(|m| m.contains("caller")), "{refused}");

    // Closing a socket gives its subscriptions back.
    first.close(None).await.ok();
    drop(first);
    let mut given_back = false;
    for attempt in 0..40 {
        let id = format!("again{attempt}");
        subscribe(&mut second, &id, json!({})).await;
        send(&mut second, json!({ "type": "ping" })).await;
        // Either the subscription is refused (an `error` before the pong) or it runs.
        let message = receive(&mut second).await;
        if message["type"] == "pong" {
            given_back = true;
            break;
        }
        assert_eq!(message["type"], "error", "{message}");
        assert_eq!(receive(&mut second).await["type"], "pong");
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(given_back, "the closed socket's subscriptions were never given back");
}

#[tokio::test]
async fn each_websocket_message_counts_against_the_callers_rate_limit() {
    let rate_limit = RateLimitSettings { rate_limit_per_minute: 1, rate_limit_burst: 3 };
    let app = spawn_app_configured(|s| s.rate_limit = rate_limit).await;
    let coordinator = app.token("静海区人民政府", Role::Coordinator).await;
    let task = jinghai_task(&app).await;
    let mut socket = connect(&app.address, Some(&coordinator)).await;
    for id in ["1", "2", "3"] {
        send(&mut socket, json!({ "id": id, "type": "subscribe", "payload": { "query": "{ viewer { role } }" } }))
            .await;
        let answer = receive(&mut socket).await;
        assert_eq!((answer["type"].as_str(), answer["id"].as_str()), (Some("next"), Some(id)), "{answer}");
        assert_eq!(answer["payload"]["data"]["viewer"]["role"], "COORDINATOR");
        assert_eq!(receive(&mut socket).await["type"], "complete");
    }
    let input = json!({ "input": { "id": task["id"], "expectedVersion": task["version"], "title": "超限" } });
    send(&mut socket, json!({ "id": "4", "type": "subscribe", "payload": { "query": RETITLE, "variables": input } }))
        .await;
    let refused = receive(&mut socket).await;
    assert_eq!((refused["type"].as_str(), refused["id"].as_str()), (Some("error"), Some("4")), "{refused}");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "RATE_LIMITED", "{refused}");
    let now = jinghai_task(&app).await;
    assert_eq!(now["version"], task["version"], "the refused mutation did not run");
    // The caller is the token's subject: HTTP requests with the same token are refused too.
    let (status, _) = app.post_graphql(Some(&format!("Bearer {coordinator}")), "{ __typename }", json!({})).await;
    assert_eq!(status, reqwest::StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_clients_close_frame_is_answered_with_a_close_frame() {
    let app = spawn_app().await;
    let mut socket = connect(&app.address, None).await;
    subscribe(&mut socket, "s", json!({})).await;
    socket.send(Message::Close(Some(CloseFrame { code: CloseCode::Normal, reason: "bye".into() }))).await.ok();
    let answer = tokio::time::timeout(PATIENCE, async {
        while let Some(message) = socket.next().await {
            if let Ok(Message::Close(frame)) = message {
                return frame.map(|f| u16::from(f.code));
            }
        }
        None
    })
    .await
    .expect("the server answers the Close frame");
    assert_eq!(answer, Some(1000));
}

#[tokio::test]
async fn errors_over_the_socket_carry_the_same_codes_as_over_http() {
    let app = spawn_app().await;
    let deep =
        format!("{{ {}__typename{} }}", "viewer { department { region { parent { ".repeat(4), " } } } }".repeat(4));
    let documents = [
        "subscription { nonsense }",
        "subscription { changed(",
        "{ nonsense }",
        "{ plans(first: 1) { nodes { nonsense } } }",
        deep.as_str(),
    ];
    let mut socket = connect(&app.address, None).await;
    for (i, document) in documents.iter().enumerate() {
        let over_http = app.graphql(document, json!({})).await;
        let http_code = error_code(&over_http).map(str::to_owned);
        assert!(http_code.is_some(), "{over_http:#}");
        let id = i.to_string();
        send(&mut socket, json!({ "id": id, "type": "subscribe", "payload": { "query": document } })).await;
        let answer = receive(&mut socket).await;
        assert_eq!((answer["type"].as_str(), answer["id"].as_str()), (Some("error"), Some(id.as_str())), "{answer}");
        assert_eq!(answer["payload"][0]["extensions"]["code"].as_str(), http_code.as_deref(), "{document}: {answer}");
    }
}

#[tokio::test]
async fn an_unknown_connection_init_key_closes_with_4400() {
    let app = spawn_app().await;
    let mut socket = open(&app.address).await;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "authToken": "Bearer x" } })).await;
    let closed = receive(&mut socket).await;
    assert_eq!(closed["closed"], 4400, "{closed}");
    assert!(closed["reason"].as_str().is_some_and(|r| r.contains("authToken")), "{closed}");

    let mut socket = open(&app.address).await;
    send(&mut socket, json!({ "type": "connection_init", "payload": "Bearer x" })).await;
    assert_eq!(receive(&mut socket).await["closed"], 4400);
}

#[tokio::test]
async fn the_legacy_graphql_ws_subprotocol_is_refused_at_the_upgrade() {
    let app = spawn_app().await;
    let url = format!("{}/graphql", app.address.replacen("http", "ws", 1));
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-ws".parse().expect("header"));
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 400),
        Err(other) => panic!("expected an HTTP refusal, got {other}"),
        Ok(_) => panic!("the legacy sub-protocol was accepted"),
    }
}

/// Statements the server runs while `subscribers` anonymous subscribers each receive `changes` changes.
async fn fan_out_statements(app: &TestApp, subscribers: usize, changes: usize) -> u64 {
    let after = cursor_after_a_change(app).await;
    let mut sockets = Vec::new();
    for _ in 0..subscribers.div_ceil(50) {
        sockets.push(connect(&app.address, None).await);
    }
    for i in 0..subscribers {
        subscribe(&mut sockets[i / 50], &format!("s{i}"), json!({ "after": after })).await;
    }
    // Everyone takes one change live first, so all are following the shared reader.
    retitle(app, &app.address, "预热").await;
    every_subscriber_receives(&mut sockets, subscribers, "预热").await;
    let before = app.statements.get();
    for n in 0..changes {
        retitle(app, &app.address, &format!("扇出{n}")).await;
        every_subscriber_receives(&mut sockets, subscribers, &format!("扇出{n}")).await;
    }
    app.statements.get() - before
}

/// Waits until each of the `subscribers` (50 a socket) has received the change titled `title`.
pub async fn every_subscriber_receives(sockets: &mut [Socket], subscribers: usize, title: &str) {
    for (s, socket) in sockets.iter_mut().enumerate() {
        let mut waiting: std::collections::HashSet<String> =
            (s * 50..subscribers.min((s + 1) * 50)).map(|i| format!("s{i}")).collect();
        while !waiting.is_empty() {
            let message = receive(socket).await;
            assert_eq!(message["type"], "next", "{message}");
            if message["payload"]["data"]["changed"]["change"]["after"]["title"] == title
                && let Some(id) = message["id"].as_str()
            {
                waiting.remove(id);
            }
        }
    }
}

#[tokio::test]
async fn the_statements_of_a_fan_out_do_not_grow_with_the_number_of_subscribers() {
    let subscriptions =
        SubscriptionSettings { max_subscriptions_per_connection: 100, max_subscriptions_per_caller: 1000 };
    let one = spawn_app_configured(|s| s.subscriptions = subscriptions.clone()).await;
    let many = spawn_app_configured(|s| s.subscriptions = subscriptions).await;
    let changes = 3;
    let with_one = fan_out_statements(&one, 1, changes).await;
    let with_many = fan_out_statements(&many, 200, changes).await;
    // The same mutations run in both; a timer re-read of the shared reader (one
    // statement, at most one per change here) is the only allowed difference.
    assert!(
        with_many <= with_one + changes as u64,
        "1 subscriber: {with_one} statements; 200 subscribers: {with_many}"
    );
}
