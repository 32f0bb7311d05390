//! Subscriptions over WebSocket (`graphql-transport-ws`) and the durable
//! change feed, on one instance and across two instances on one database.

use crate::helpers::{Store, TestApp, error_code, runs_on, spawn_app};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use xietong::access::Role;

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Generous bound for "arrives" in these tests: a liveness limit, not a latency measurement.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub const CHANGED: &str = "subscription($after: String, $filter: ChangedFilter) {
    changed(after: $after, filter: $filter) { cursor change { sequence entity action after } } }";

/// Opens a socket to `address` speaking graphql-transport-ws, without initialising it.
pub async fn open(address: &str) -> Socket {
    let url = format!("{}/graphql", address.replacen("http", "ws", 1));
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().expect("header"));
    let (socket, response) = tokio_tungstenite::connect_async(request).await.expect("connect");
    assert_eq!(
        response.headers().get("sec-websocket-protocol").and_then(|v| v.to_str().ok()),
        Some("graphql-transport-ws")
    );
    socket
}

/// Opens and initialises a connection with an optional token.
pub async fn connect(address: &str, token: Option<&str>) -> Socket {
    let mut socket = open(address).await;
    let payload = token.map_or(json!({}), |t| json!({ "Authorization": format!("Bearer {t}") }));
    send(&mut socket, json!({ "type": "connection_init", "payload": payload })).await;
    let ack = receive(&mut socket).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    socket
}

pub async fn send(socket: &mut Socket, message: Value) {
    socket.send(Message::Text(message.to_string().into())).await.expect("send");
}

/// The next JSON message (protocol pings are answered by the client library).
pub async fn receive(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(PATIENCE, socket.next()).await.expect("a message in time");
        match message.expect("open socket").expect("frame") {
            Message::Text(text) => return serde_json::from_str(&text).expect("JSON"),
            Message::Close(frame) => {
                return json!({
                    "closed": frame.as_ref().map(|f| u16::from(f.code)),
                    "reason": frame.map(|f| f.reason.to_string()),
                });
            }
            _ => continue,
        }
    }
}

pub async fn subscribe(socket: &mut Socket, id: &str, variables: Value) {
    send(socket, json!({ "id": id, "type": "subscribe", "payload": { "query": CHANGED, "variables": variables } }))
        .await;
}

/// The next `next` event of subscription `id`.
pub async fn next_event(socket: &mut Socket, id: &str) -> Value {
    loop {
        let message = receive(socket).await;
        assert_ne!(message["type"], "error", "{message}");
        if message["type"] == "next" && message["id"] == id {
            return message["payload"]["data"]["changed"].clone();
        }
    }
}

/// Updates the title of a Jinghai task as its district coordinator, at `address`.
pub async fn retitle(app: &TestApp, address: &str, title: &str) -> Value {
    let coordinator = app.token("静海区人民政府", Role::Coordinator).await;
    let task = app
        .data(r#"{ tasks(filter: {regionCode: "120118", kind: TASK}, first: 1) { nodes { id version } } }"#, json!({}))
        .await["tasks"]["nodes"][0]
        .clone();
    let body: Value = app
        .client
        .post(format!("{address}/graphql"))
        .bearer_auth(&coordinator)
        .json(&json!({
            "query": "mutation($input: UpdateTaskInput!) { updateTask(input: $input) { task { id version } } }",
            "variables": { "input": { "id": task["id"], "expectedVersion": task["version"], "title": title } }
        }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    assert!(body.get("errors").is_none(), "{body:#}");
    body
}

/// The feed cursor of the latest change, after making one: a subscription
/// started with it receives every later change (a subscription without
/// `after` starts at whatever is latest when the server gets to it).
pub async fn cursor_after_a_change(app: &TestApp) -> Value {
    retitle(app, &app.address, "起点").await;
    let feed = app.data("{ changes(last: 1) { edges { cursor } } }", json!({})).await;
    feed["changes"]["edges"][0]["cursor"].clone()
}

#[tokio::test]
async fn a_subscriber_receives_committed_changes_live() {
    let app = spawn_app().await;
    let reader = app.token("南开区发展改革委", Role::Reader).await;
    let after = cursor_after_a_change(&app).await;
    let mut socket = connect(&app.address, Some(&reader)).await;
    subscribe(&mut socket, "1", json!({ "after": after })).await;
    retitle(&app, &app.address, "实时一").await;
    let event = next_event(&mut socket, "1").await;
    assert_eq!(
        (event["change"]["entity"].clone(), event["change"]["action"].clone()),
        (json!("Task"), json!("UPDATE"))
    );
    assert_eq!(event["change"]["after"]["title"], "实时一");
}

#[tokio::test]
async fn a_reconnecting_subscriber_replays_exactly_what_it_missed() {
    let app = spawn_app().await;
    let after = cursor_after_a_change(&app).await;
    let mut socket = connect(&app.address, None).await;
    subscribe(&mut socket, "a", json!({ "after": after })).await;
    retitle(&app, &app.address, "一").await;
    let first = next_event(&mut socket, "a").await;
    socket.close(None).await.ok();

    for title in ["二", "三"] {
        retitle(&app, &app.address, title).await;
    }
    let mut socket = connect(&app.address, None).await;
    subscribe(&mut socket, "b", json!({ "after": first["cursor"] })).await;
    let second = next_event(&mut socket, "b").await;
    let third = next_event(&mut socket, "b").await;
    assert_eq!(second["change"]["after"]["title"], "二");
    assert_eq!(third["change"]["after"]["title"], "三");
    let seq = |e: &Value| e["change"]["sequence"].as_i64().expect("sequence");
    assert_eq!((seq(&second), seq(&third)), (seq(&first) + 1, seq(&first) + 2), "no gap, no duplicate");

    // The same cursor pages the durable feed to the same entries.
    let page = app
        .data(
            "query($after: String) { changes(after: $after) { nodes { sequence } } }",
            json!({ "after": first["cursor"] }),
        )
        .await;
    let sequences: Vec<i64> =
        page["changes"]["nodes"].as_array().expect("nodes").iter().filter_map(|n| n["sequence"].as_i64()).collect();
    assert_eq!(sequences, [seq(&second), seq(&third)]);
}

#[tokio::test]
async fn entries_the_subscriber_may_not_read_never_arrive() {
    let app = spawn_app().await;
    let jinghai = app.token("静海区人民政府", Role::Coordinator).await;
    let beijing = app.token("通州区生态环境局", Role::Bureau).await;
    let after = cursor_after_a_change(&app).await;
    let mut socket = connect(&app.address, Some(&beijing)).await;
    subscribe(&mut socket, "v", json!({ "after": after, "filter": { "entity": "PLAN" } })).await;
    let region = app.data(r#"{ regions(filter: {code: "120118"}) { nodes { id } } }"#, json!({})).await["regions"]["nodes"][0]["id"].clone();
    let create = "mutation($input: CreatePlanInput!) { createPlan(input: $input) { plan { id } } }";
    for (title, class) in [("内部方案", "CONDITIONAL"), ("公开方案", "PUBLIC")] {
        let input = json!({ "title": title, "regionId": region, "kind": "ACTION_PLAN", "sharingClass": class });
        let body = app.graphql_as(&jinghai, create, json!({ "input": input })).await;
        assert!(body.get("errors").is_none(), "{body:#}");
    }
    let event = next_event(&mut socket, "v").await;
    assert_eq!(event["change"]["after"]["title"], "公开方案", "the CONDITIONAL plan's change must not be delivered");
}

#[tokio::test]
async fn a_stalled_subscriber_does_not_hold_up_a_healthy_one() {
    let app = spawn_app().await;
    let after = cursor_after_a_change(&app).await;
    // Subscribes and then never reads.
    let mut stalled = connect(&app.address, None).await;
    subscribe(&mut stalled, "s", json!({ "after": after })).await;
    let mut healthy = connect(&app.address, None).await;
    subscribe(&mut healthy, "h", json!({ "after": after })).await;
    for i in 0..30 {
        retitle(&app, &app.address, &format!("批量{i}")).await;
    }
    for i in 0..30 {
        let event = next_event(&mut healthy, "h").await;
        assert_eq!(event["change"]["after"]["title"], format!("批量{i}"));
    }
    drop(stalled);
}

#[tokio::test]
async fn the_protocol_answers_ping_complete_and_invalid_documents() {
    let app = spawn_app().await;
    let mut socket = connect(&app.address, None).await;
    send(&mut socket, json!({ "type": "ping" })).await;
    assert_eq!(receive(&mut socket).await["type"], "pong");

    send(&mut socket, json!({ "id": "bad", "type": "subscribe", "payload": { "query": "subscription { nonsense }" } }))
        .await;
    let error = receive(&mut socket).await;
    assert_eq!((error["type"].clone(), error["id"].clone()), (json!("error"), json!("bad")), "{error}");

    subscribe(&mut socket, "ok", json!({})).await;
    send(&mut socket, json!({ "id": "ok", "type": "complete" })).await;
    // The server confirms; events already in flight may precede the confirmation.
    loop {
        let message = receive(&mut socket).await;
        if message["type"] == "complete" && message["id"] == "ok" {
            break;
        }
        assert_eq!((message["type"].clone(), message["id"].clone()), (json!("next"), json!("ok")), "{message}");
    }
    retitle(&app, &app.address, "完成后").await;
    // Still connected: a ping is answered, and the completed subscription sends nothing more.
    send(&mut socket, json!({ "type": "ping" })).await;
    assert_eq!(receive(&mut socket).await, json!({ "type": "pong" }));
}

#[tokio::test]
async fn a_bad_token_is_refused_with_close_code_4403() {
    let app = spawn_app().await;
    let mut socket = open(&app.address).await;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "Authorization": "Bearer not-a-token" } })).await;
    assert_eq!(receive(&mut socket).await["closed"], 4403);
    let body = app.graphql("{ plans { totalCount } }", json!({})).await;
    assert!(error_code(&body).is_none());
}

#[tokio::test]
async fn a_change_made_on_one_instance_reaches_subscribers_of_another_and_survives_a_restart() {
    // Several instances share one database only on PostgreSQL (LISTEN/NOTIFY across processes).
    if !runs_on(
        Store::Postgres,
        "subscriptions::a_change_made_on_one_instance_reaches_subscribers_of_another_and_survives_a_restart",
    ) {
        return;
    }
    let a = spawn_app().await;
    let b = a.another_instance().await;
    let after = cursor_after_a_change(&a).await;
    let mut socket = connect(&b.address, None).await;
    subscribe(&mut socket, "x", json!({ "after": after })).await;
    retitle(&a, &a.address, "经A修改").await;
    let first = next_event(&mut socket, "x").await;
    assert_eq!(first["change"]["after"]["title"], "经A修改");

    // B goes away mid-stream; changes keep committing through A.
    b.server.stop(false).await;
    drop(socket);
    for title in ["停机期间一", "停机期间二"] {
        retitle(&a, &a.address, title).await;
    }
    let b2 = a.another_instance().await;
    let mut socket = connect(&b2.address, None).await;
    subscribe(&mut socket, "y", json!({ "after": first["cursor"] })).await;
    let missed: Vec<Value> = vec![next_event(&mut socket, "y").await, next_event(&mut socket, "y").await];
    let titles: Vec<&str> = missed.iter().map(|e| e["change"]["after"]["title"].as_str().unwrap_or("")).collect();
    assert_eq!(titles, ["停机期间一", "停机期间二"]);
    // And it continues live.
    retitle(&a, &a.address, "恢复后").await;
    assert_eq!(next_event(&mut socket, "y").await["change"]["after"]["title"], "恢复后");
}
