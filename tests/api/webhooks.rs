//! Webhooks end to end: a real server delivers the change feed to receivers
//! on 127.0.0.1 (tests/api/webhooks/receiver.rs), signed to the Standard
//! Webhooks specification, in order, at least once, under the endpoint's
//! identity; across receiver failures, restarts of xietong and several
//! instances on one database.

pub mod receiver;
mod verifiers;

use crate::helpers::{TestApp, error_code, spawn_app_configured};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{KeyInit, Mac};
use receiver::{Received, Receiver};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::Duration;
use xietong::access::Role;
use xietong::config::ServeSettings;
use xietong::ids::{NodeKind, to_global};

/// Webhooks on for 127.0.0.1, with quick retries and no probing unless a test asks for it.
pub fn webhooks_on(settings: &mut ServeSettings) {
    settings.webhooks.webhook_allow_hosts = vec!["127.0.0.1".into()];
    settings.webhooks.webhook_retry_base = Duration::from_millis(20);
    settings.webhooks.webhook_probe_interval = Duration::from_secs(3600);
    settings.webhooks.webhook_timeout = Duration::from_secs(5);
}

const REGISTER: &str = "mutation($input: RegisterWebhookEndpointInput!) {
    registerWebhookEndpoint(input: $input) { secret endpoint { id status deliveredThroughSequence } } }";

/// A registered endpoint.
pub struct Endpoint {
    pub id: String,
    pub secret: String,
    /// The feed position it starts after.
    pub start: i64,
}

/// The global ID of the department named `name`.
pub async fn department(app: &TestApp, name: &str) -> String {
    let found = xietong::service::departments::resolve_department(&app.db, name).await.expect("a department");
    to_global(NodeKind::Department, &found.id).0
}

/// Registers `url` acting as `dept` with `role` (and the extra input fields of `filter`).
pub async fn register(app: &TestApp, token: &str, url: &str, dept: &str, role: &str, filter: Value) -> Endpoint {
    let mut input = json!({ "url": url, "departmentId": department(app, dept).await, "role": role });
    if let (Some(input), Some(extra)) = (input.as_object_mut(), filter.as_object()) {
        input.extend(extra.clone());
    }
    let data = app.data_as(token, REGISTER, json!({ "input": input })).await;
    let created = &data["registerWebhookEndpoint"];
    assert_eq!(created["endpoint"]["status"], "ACTIVE");
    Endpoint {
        id: created["endpoint"]["id"].as_str().unwrap().to_owned(),
        secret: created["secret"].as_str().unwrap().to_owned(),
        start: created["endpoint"]["deliveredThroughSequence"].as_i64().unwrap(),
    }
}

/// Makes `n` public changes (aliases of 天津市发展改革委), as ADMIN.
pub async fn public_changes(app: &TestApp, admin: &str, n: usize, tag: &str) {
    let dept = department(app, "天津市发展改革委").await;
    for i in 0..n {
        app.data_as(
            admin,
            "mutation($d: ID!, $a: String!) { addDepartmentAlias(input: {departmentId: $d, alias: $a}) { department { id } } }",
            json!({ "d": dept, "a": format!("测试别名{tag}{i}") }),
        )
        .await;
    }
}

/// The sequence numbers after `start` that `token`'s caller reads through the `changes` query.
pub async fn visible_after(app: &TestApp, token: &str, start: i64) -> Vec<i64> {
    let data = app.data_as(token, "{ changes(last: 100) { nodes { sequence } } }", json!({})).await;
    let all = data["changes"]["nodes"].as_array().unwrap();
    all.iter().map(|n| n["sequence"].as_i64().unwrap()).filter(|s| *s > start).collect()
}

/// Whether one of the message's signatures is HMAC-SHA256 of `id.timestamp.body` with `secret`
/// (computed here, independently of the server's code).
pub fn signed_with(secret: &str, message: &Received) -> bool {
    let key = STANDARD.decode(secret.strip_prefix("whsec_").expect("a whsec_ secret")).unwrap();
    let mut mac = hmac::Hmac::<sha2_hmac::Sha256>::new_from_slice(&key).unwrap();
    let (id, timestamp) = (&message.headers["webhook-id"], &message.headers["webhook-timestamp"]);
    mac.update(format!("{id}.{timestamp}.{}", message.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    message.headers["webhook-signature"].split(' ').any(|s| s == expected)
}

/// Fails unless `received` are exactly `expected`, in order, each once and validly signed.
fn assert_exactly(received: &[Received], expected: &[i64], secret: &str) {
    let sequences: Vec<i64> = received.iter().map(Received::sequence).collect();
    assert_eq!(sequences, expected, "every visible change once, in order");
    let ids: HashSet<&str> = received.iter().map(|r| r.headers["webhook-id"].as_str()).collect();
    assert_eq!(ids.len(), received.len(), "each message has its own webhook-id");
    for message in received {
        assert!(signed_with(secret, message), "a valid signature: {:?}", message.headers);
    }
}

/// The endpoint as the API shows it.
async fn endpoint_state(app: &TestApp, token: &str, id: &str) -> Value {
    let query = "query($id: ID!) { webhookEndpoint(id: $id) { status consecutiveFailures nextAttemptAt
        deliveredThroughSequence deliveries(last: 5) { nodes { sequence status attemptCount lastStatusCode
        lastLatencyMs lastError nextAttemptAt messageId attempts { succeeded statusCode latencyMs error } } } } }";
    app.data_as(token, query, json!({ "id": id })).await["webhookEndpoint"].clone()
}

/// Polls the endpoint until `done` holds (at most 30 s).
async fn wait_for_endpoint(app: &TestApp, token: &str, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let state = endpoint_state(app, token, id).await;
        if done(&state) {
            return state;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}: {state:#}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_receiver_gets_every_visible_change_in_order_with_valid_signatures() {
    let app = spawn_app_configured(webhooks_on).await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let receiver = Receiver::start().await;
    let endpoint = register(&app, &admin, &receiver.url, "天津市发展改革委", "ADMIN", json!({})).await;
    public_changes(&app, &admin, 5, "a").await;

    let expected = visible_after(&app, &admin, endpoint.start).await;
    assert_eq!(expected.len(), 6, "its own registration and five aliases: {expected:?}");
    let received = receiver.wait_for_count(expected.len()).await;
    assert_exactly(&received, &expected, &endpoint.secret);
    let first = received[1].json();
    assert_eq!(first["type"], "change.department_alias.create");
    assert_eq!(first["data"]["entity"], "DepartmentAlias");
    assert_eq!(first["data"]["after"]["alias"], "测试别名a0");
    assert!(first["data"]["cursor"].is_string());
    assert_eq!(received[0].headers["content-type"], "application/json");

    let state = wait_for_endpoint(&app, &admin, &endpoint.id, "the cursor to catch up", |s| {
        s["deliveredThroughSequence"].as_i64() == expected.last().copied()
    })
    .await;
    let last = &state["deliveries"]["nodes"][4];
    assert_eq!(last["status"], "DELIVERED", "{state:#}");
    assert_eq!(last["lastStatusCode"], 204);
    assert_eq!(last["attemptCount"], 1);
    assert!(last["lastLatencyMs"].as_i64().is_some());
    assert_eq!(last["messageId"], received[5].headers["webhook-id"].as_str());
}

#[tokio::test]
async fn a_change_its_identity_may_not_see_is_never_delivered() {
    let app = spawn_app_configured(webhooks_on).await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let jinghai = app.token("静海区发展改革委", Role::Coordinator).await;
    let nankai = app.token("南开区发展改革委", Role::Reader).await;
    let receiver = Receiver::start().await;
    let endpoint = register(&app, &admin, &receiver.url, "南开区发展改革委", "READER", json!({})).await;

    let region = app.data(r#"{ regions(filter: {code: "120118"}) { nodes { id } } }"#, json!({})).await;
    let create = "mutation($r: ID!, $c: SharingClass!, $t: String!) { createPlan(input: {title: $t, regionId: $r,
        kind: ACTION_PLAN, sharingClass: $c, legalBasis: \"《政务数据共享条例》\"}) { plan { id } } }";
    let region = region["regions"]["nodes"][0]["id"].clone();
    app.data_as(&jinghai, create, json!({ "r": region, "c": "NOT_SHARED", "t": "静海区内部方案" })).await;
    app.data_as(&jinghai, create, json!({ "r": region, "c": "PUBLIC", "t": "静海区公开方案" })).await;
    public_changes(&app, &admin, 1, "b").await;

    let everything = visible_after(&app, &admin, endpoint.start).await;
    let expected = visible_after(&app, &nankai, endpoint.start).await;
    assert_eq!(everything.len(), 4, "registration, two plans, an alias: {everything:?}");
    assert_eq!(expected.len(), 2, "a Nankai reader sees the public plan and the alias only: {expected:?}");
    let received = receiver.wait_for_count(expected.len()).await;
    assert_exactly(&received, &expected, &endpoint.secret);
    // Delivery is in order, so the hidden plan (committed before the alias) would have come before it.
    let titles: Vec<&str> =
        received.iter().filter_map(|r| r.body.contains("静海区内部方案").then_some("hidden")).collect();
    assert!(titles.is_empty(), "the NOT_SHARED plan never reaches the endpoint");
    let state = wait_for_endpoint(&app, &admin, &endpoint.id, "the cursor to pass the last change", |s| {
        s["deliveredThroughSequence"].as_i64() == everything.last().copied()
    })
    .await;
    assert_eq!(state["deliveries"]["nodes"].as_array().unwrap().len(), 2, "no delivery of the hidden change");
}

#[tokio::test]
async fn a_receiver_that_is_down_for_a_while_misses_nothing() {
    let app = spawn_app_configured(|s| {
        webhooks_on(s);
        s.webhooks.webhook_max_attempts = 100;
    })
    .await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let receiver = Receiver::start().await;
    let endpoint =
        register(&app, &admin, &receiver.url, "天津市发展改革委", "READER", json!({"entity": "DEPARTMENT_ALIAS"}))
            .await;
    receiver.fail(true);
    public_changes(&app, &admin, 4, "c").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while receiver.refused() < 3 {
        assert!(tokio::time::Instant::now() < deadline, "the worker keeps retrying a failing receiver");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let retrying = endpoint_state(&app, &admin, &endpoint.id).await;
    let head = &retrying["deliveries"]["nodes"][0];
    assert_eq!(head["status"], "RETRYING", "{retrying:#}");
    assert_eq!(head["lastStatusCode"], 500);
    receiver.fail(false);
    public_changes(&app, &admin, 2, "d").await;

    let expected = visible_after(&app, &admin, endpoint.start).await;
    let expected: Vec<i64> = expected.into_iter().skip(1).collect(); // the registration is not an alias
    assert_eq!(expected.len(), 6);
    let received = receiver.wait_for_count(expected.len()).await;
    assert_exactly(&received, &expected, &endpoint.secret);
}

#[tokio::test]
async fn a_restart_of_xietong_neither_loses_nor_repeats_a_delivery() {
    let mut app = spawn_app_configured(webhooks_on).await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let receiver = Receiver::start().await;
    receiver.delay(Duration::from_millis(100));
    let endpoint =
        register(&app, &admin, &receiver.url, "天津市发展改革委", "READER", json!({"action": "CREATE"})).await;
    public_changes(&app, &admin, 12, "e").await;
    let expected: Vec<i64> = visible_after(&app, &admin, endpoint.start).await.into_iter().skip(1).collect();
    assert_eq!(expected.len(), 12);
    receiver.wait_for_count(2).await;
    app.stop().await;
    let delivered_before_restart = receiver.received().len();
    assert!(delivered_before_restart < expected.len(), "stopped in the middle ({delivered_before_restart})");

    let restarted = app.another_instance_configured(webhooks_on).await;
    receiver.delay(Duration::ZERO);
    let received = receiver.wait_for_count(expected.len()).await;
    // Nothing more arrives after the last one.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_exactly(&receiver.received(), &expected, &endpoint.secret);
    assert_eq!(received.len(), expected.len());
    restarted.stop().await;
}

#[tokio::test]
async fn two_instances_on_one_database_deliver_each_change_once_per_endpoint() {
    let app = spawn_app_configured(webhooks_on).await;
    let second = app.another_instance_configured(webhooks_on).await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let receivers = [Receiver::start().await, Receiver::start().await, Receiver::start().await];
    let mut endpoints = Vec::new();
    for receiver in &receivers {
        // Slow answers keep both instances' workers busy at once: a lease that let both in would show.
        receiver.delay(Duration::from_millis(10));
        let filter = json!({"entity": "DEPARTMENT_ALIAS"});
        endpoints.push(register(&app, &admin, &receiver.url, "天津市发展改革委", "READER", filter).await);
    }
    // Changes committed on both instances, so that each wakes its own worker at once.
    let dept = department(&app, "天津市发展改革委").await;
    let add = "mutation($d: ID!, $a: String!) { addDepartmentAlias(input: {departmentId: $d, alias: $a}) { department { id } } }";
    for i in 0..30 {
        let address = if i % 2 == 0 { &app.address } else { &second.address };
        let body: Value = app
            .client
            .post(format!("{address}/graphql"))
            .bearer_auth(&admin)
            .json(&json!({ "query": add, "variables": { "d": dept, "a": format!("两实例别名{i}") } }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(body.get("errors").is_none(), "{body:#}");
    }
    let all = visible_after(&app, &admin, endpoints[0].start).await;
    for (receiver, endpoint) in receivers.iter().zip(&endpoints) {
        let expected: Vec<i64> = all.iter().copied().filter(|s| *s > endpoints[2].start + 1).collect();
        assert_eq!(expected.len(), 30);
        receiver.wait_for_count(expected.len()).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_exactly(&receiver.received(), &expected, &endpoint.secret);
    }
    second.stop().await;
}

#[tokio::test]
async fn an_endpoint_that_keeps_failing_becomes_failing_and_recovers_when_re_enabled() {
    let app = spawn_app_configured(|s| {
        webhooks_on(s);
        s.webhooks.webhook_max_attempts = 3;
    })
    .await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let receiver = Receiver::start().await;
    let filter = json!({"entity": "DEPARTMENT_ALIAS"});
    let endpoint = register(&app, &admin, &receiver.url, "天津市发展改革委", "READER", filter).await;
    receiver.fail(true);
    public_changes(&app, &admin, 1, "g").await;
    let failing = wait_for_endpoint(&app, &admin, &endpoint.id, "FAILING", |s| s["status"] == "FAILING").await;
    assert_eq!(failing["consecutiveFailures"], 3, "{failing:#}");
    assert!(failing["nextAttemptAt"].is_string(), "the next probe is scheduled: {failing:#}");
    let delivery = &failing["deliveries"]["nodes"][0];
    assert_eq!(delivery["status"], "RETRYING");
    assert_eq!(delivery["attemptCount"], 3);
    let attempts = delivery["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 3);
    assert!(attempts.iter().all(|a| a["succeeded"] == false && a["statusCode"] == 500), "{delivery:#}");
    assert_eq!(receiver.refused(), 3, "no attempt after the cap until a probe or a re-enable");

    receiver.fail(false);
    public_changes(&app, &admin, 1, "h").await;
    let enabled = app
        .data_as(
            &admin,
            "mutation($id: ID!) { enableWebhookEndpoint(input: {id: $id}) { endpoint { status consecutiveFailures } } }",
            json!({ "id": endpoint.id }),
        )
        .await;
    assert_eq!(enabled["enableWebhookEndpoint"]["endpoint"]["status"], "ACTIVE");
    let reader = app.token("天津市发展改革委", Role::Reader).await;
    let expected = visible_after(&app, &reader, endpoint.start).await;
    assert_eq!(expected.len(), 2);
    let received = receiver.wait_for_count(2).await;
    assert_exactly(&received, &expected, &endpoint.secret);
    let recovered = wait_for_endpoint(&app, &admin, &endpoint.id, "delivered", |s| {
        s["deliveries"]["nodes"][0]["status"] == "DELIVERED"
    })
    .await;
    assert_eq!(recovered["status"], "ACTIVE");
    assert_eq!(recovered["deliveries"]["nodes"][0]["attemptCount"], 4);
}

#[tokio::test]
async fn a_failing_endpoint_recovers_when_a_probe_succeeds() {
    let app = spawn_app_configured(|s| {
        webhooks_on(s);
        s.webhooks.webhook_max_attempts = 2;
        s.webhooks.webhook_probe_interval = Duration::from_millis(300);
    })
    .await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let receiver = Receiver::start().await;
    let filter = json!({"entity": "DEPARTMENT_ALIAS"});
    let endpoint = register(&app, &admin, &receiver.url, "天津市发展改革委", "READER", filter).await;
    receiver.fail(true);
    public_changes(&app, &admin, 1, "i").await;
    wait_for_endpoint(&app, &admin, &endpoint.id, "FAILING", |s| s["status"] == "FAILING").await;
    receiver.fail(false);
    receiver.wait_for_count(1).await;
    wait_for_endpoint(&app, &admin, &endpoint.id, "ACTIVE after the probe", |s| s["status"] == "ACTIVE").await;
}

#[tokio::test]
async fn the_request_forgery_guard_refuses_hosts_that_are_not_allowed() {
    let app = spawn_app_configured(webhooks_on).await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let dept = department(&app, "天津市发展改革委").await;
    for url in [
        "http://10.0.0.1/hook",
        "http://localhost:8080/hook",
        "http://169.254.169.254/latest",
        "file:///etc/passwd",
        "http://u:p@127.0.0.1/",
    ] {
        let input = json!({ "url": url, "departmentId": dept, "role": "READER" });
        let body = app.graphql_as(&admin, REGISTER, json!({ "input": input })).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{url}: {body:#}");
        assert_eq!(body["errors"][0]["extensions"]["fields"][0]["field"], "input.url", "{url}: {body:#}");
    }
    let listed = app.data_as(&admin, "{ webhookEndpoints { id } }", json!({})).await;
    assert_eq!(listed["webhookEndpoints"], json!([]), "nothing was registered");

    let off = spawn_app_configured(|_| {}).await;
    let admin = off.token("天津市发展改革委", Role::Admin).await;
    let input = json!({ "url": "http://127.0.0.1:9/hook", "departmentId": dept, "role": "READER" });
    let body = off.graphql_as(&admin, REGISTER, json!({ "input": input })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "webhooks are off by default: {body:#}");
}

#[tokio::test]
async fn a_host_removed_from_the_allow_list_gets_nothing_more() {
    let mut app = spawn_app_configured(webhooks_on).await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let receiver = Receiver::start().await;
    let endpoint =
        register(&app, &admin, &receiver.url, "天津市发展改革委", "READER", json!({"entity": "DEPARTMENT_ALIAS"}))
            .await;
    app.stop().await;
    let restarted = app
        .another_instance_configured(|s| {
            webhooks_on(s);
            s.webhooks.webhook_allow_hosts = vec!["127.0.0.2".into()];
            s.webhooks.webhook_max_attempts = 2;
        })
        .await;
    let token = admin.clone();
    let client = reqwest::Client::new();
    let dept = department(&app, "天津市发展改革委").await;
    let body: Value = client
        .post(format!("{}/graphql", restarted.address))
        .bearer_auth(&token)
        .json(&json!({ "query": "mutation($d: ID!) { addDepartmentAlias(input: {departmentId: $d, alias: \"不许\"}) { department { id } } }", "variables": { "d": dept } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(body.get("errors").is_none(), "{body:#}");
    let query =
        "query($id: ID!) { webhookEndpoint(id: $id) { status deliveries { nodes { lastError lastStatusCode } } } }";
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let state = loop {
        let body: Value = client
            .post(format!("{}/graphql", restarted.address))
            .bearer_auth(&token)
            .json(&json!({ "query": query, "variables": { "id": endpoint.id } }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if body["data"]["webhookEndpoint"]["status"] == "FAILING" {
            break body["data"]["webhookEndpoint"].clone();
        }
        assert!(tokio::time::Instant::now() < deadline, "{body:#}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let delivery = &state["deliveries"]["nodes"][0];
    assert!(delivery["lastError"].as_str().unwrap().contains("not allowed"), "{state:#}");
    assert_eq!(delivery["lastStatusCode"], Value::Null, "nothing was sent");
    assert!(receiver.received().is_empty());
    restarted.stop().await;
}

#[tokio::test]
async fn only_admins_and_coordinators_of_the_department_manage_endpoints_and_changes_are_audited() {
    let app = spawn_app_configured(webhooks_on).await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let jinghai = app.token("静海区发展改革委", Role::Coordinator).await;
    let bureau = app.token("静海区发展改革委", Role::Bureau).await;
    let receiver = Receiver::start().await;
    let input =
        |dept: String, role: &str| json!({ "input": { "url": receiver.url, "departmentId": dept, "role": role } });

    let body = app.graphql_as(&bureau, REGISTER, input(department(&app, "静海区发展改革委").await, "READER")).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body:#}");
    let body = app.graphql_as(&jinghai, REGISTER, input(department(&app, "南开区发展改革委").await, "READER")).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "outside its jurisdiction: {body:#}");
    let body = app.graphql_as(&jinghai, REGISTER, input(department(&app, "静海区发展改革委").await, "ADMIN")).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "acting as ADMIN: {body:#}");
    let own = register(&app, &jinghai, &receiver.url, "静海区发展改革委", "BUREAU", json!({})).await;
    let other = register(&app, &admin, &receiver.url, "南开区发展改革委", "READER", json!({})).await;

    let listed = app.data_as(&jinghai, "{ webhookEndpoints { id } }", json!({})).await;
    assert_eq!(listed["webhookEndpoints"], json!([{ "id": own.id }]), "a coordinator sees its jurisdiction's");
    let nodes = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }";
    let seen = app.data_as(&jinghai, nodes, json!({ "ids": [own.id, other.id] })).await;
    assert_eq!(seen["nodes"], json!([{ "__typename": "WebhookEndpoint", "id": own.id }, null]), "node(id) alike");
    let seen = app.data_as(&bureau, nodes, json!({ "ids": [own.id] })).await;
    assert_eq!(seen["nodes"], json!([null]), "a bureau manages no endpoint");
    let body = app
        .graphql_as(
            &jinghai,
            "mutation($id: ID!) { disableWebhookEndpoint(input: {id: $id}) { endpoint { status } } }",
            json!({ "id": other.id }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body:#}");
    let body = app.graphql_as(&bureau, "{ webhookEndpoints { id } }", json!({})).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body:#}");

    let disabled = app
        .data_as(
            &jinghai,
            "mutation($id: ID!) { disableWebhookEndpoint(input: {id: $id}) { endpoint { status version } } }",
            json!({ "id": own.id }),
        )
        .await;
    assert_eq!(disabled["disableWebhookEndpoint"]["endpoint"], json!({ "status": "DISABLED", "version": 2 }));
    let rotated = app
        .data_as(&jinghai, "mutation($id: ID!) { rotateWebhookSecret(input: {id: $id}) { secret endpoint { previousSecretExpiresAt } } }", json!({ "id": own.id }))
        .await;
    let new_secret = rotated["rotateWebhookSecret"]["secret"].as_str().unwrap();
    assert!(new_secret.starts_with("whsec_") && new_secret != own.secret);
    assert!(rotated["rotateWebhookSecret"]["endpoint"]["previousSecretExpiresAt"].is_string());
    app.data_as(
        &jinghai,
        "mutation($id: ID!) { deleteWebhookEndpoint(input: {id: $id}) { deletedId } }",
        json!({ "id": own.id }),
    )
    .await;

    let trail = app
        .data_as(
            &admin,
            "{ changes(filter: {entity: WEBHOOK_ENDPOINT}, last: 10) { nodes { action entityId after before } } }",
            json!({}),
        )
        .await;
    let entries = trail["changes"]["nodes"].as_array().unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["CREATE", "CREATE", "DISABLE", "ROTATE_SECRET", "DELETE"]);
    assert_eq!(entries[0]["entityId"], own.id.as_str());
    let text = trail.to_string();
    assert!(!text.contains("whsec_") && !text.contains(&own.secret[6..]), "no secret in the audit trail");
    let hidden = app
        .data_as(&jinghai, "{ changes(filter: {entity: WEBHOOK_ENDPOINT}, last: 10) { nodes { action } } }", json!({}))
        .await;
    assert_eq!(hidden["changes"]["nodes"], json!([]), "registration entries are for administrators");
}

#[tokio::test]
async fn during_a_rotation_both_secrets_sign_and_a_delivery_can_be_resent() {
    let app = spawn_app_configured(webhooks_on).await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let receiver = Receiver::start().await;
    let endpoint =
        register(&app, &admin, &receiver.url, "天津市发展改革委", "READER", json!({"entity": "DEPARTMENT_ALIAS"}))
            .await;
    let rotated = app
        .data_as(
            &admin,
            "mutation($id: ID!) { rotateWebhookSecret(input: {id: $id, overlapSeconds: 600}) { secret } }",
            json!({ "id": endpoint.id }),
        )
        .await;
    let new_secret = rotated["rotateWebhookSecret"]["secret"].as_str().unwrap().to_owned();
    // A rotation applies from the worker's next batch: wait until it has passed the rotation's own
    // change, so the next change is certainly signed in a batch that read the rotated endpoint.
    let last = app.data_as(&admin, "{ changes(last: 1) { nodes { sequence } } }", json!({})).await;
    let rotation = last["changes"]["nodes"][0]["sequence"].as_i64().unwrap();
    wait_for_endpoint(&app, &admin, &endpoint.id, "the cursor past the rotation", |s| {
        s["deliveredThroughSequence"].as_i64().is_some_and(|at| at >= rotation)
    })
    .await;
    public_changes(&app, &admin, 1, "j").await;
    let received = receiver.wait_for_count(1).await;
    assert_eq!(received[0].headers["webhook-signature"].split(' ').count(), 2, "{:?}", received[0].headers);
    assert!(signed_with(&endpoint.secret, &received[0]) && signed_with(&new_secret, &received[0]));

    let state = wait_for_endpoint(&app, &admin, &endpoint.id, "the delivery record", |s| {
        s["deliveries"]["nodes"][0]["status"] == "DELIVERED"
    })
    .await;
    let query = "query($id: ID!) { webhookEndpoint(id: $id) { deliveries(first: 1) { nodes { id } } } }";
    let delivery = app.data_as(&admin, query, json!({ "id": endpoint.id })).await;
    let delivery_id = delivery["webhookEndpoint"]["deliveries"]["nodes"][0]["id"].clone();
    let resent = app
        .data_as(
            &admin,
            "mutation($id: ID!) { resendWebhookDelivery(input: {id: $id}) { delivery { status attemptCount } } }",
            json!({ "id": delivery_id }),
        )
        .await;
    assert_eq!(resent["resendWebhookDelivery"]["delivery"], json!({ "status": "DELIVERED", "attemptCount": 2 }));
    let again = receiver.wait_for_count(2).await;
    assert_eq!(again[1].headers["webhook-id"], again[0].headers["webhook-id"], "a re-send is the same message");
    assert_eq!(again[1].body, again[0].body);
    assert_eq!(state["deliveries"]["nodes"][0]["messageId"], again[0].headers["webhook-id"].as_str());
}

#[tokio::test]
async fn a_receiver_slower_than_the_timeout_is_retried_until_it_answers_in_time() {
    let app = spawn_app_configured(|s| {
        webhooks_on(s);
        s.webhooks.webhook_timeout = Duration::from_millis(300);
        s.webhooks.webhook_max_attempts = 100;
    })
    .await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let receiver = Receiver::start().await;
    receiver.delay(Duration::from_secs(2));
    let filter = json!({"entity": "DEPARTMENT_ALIAS"});
    let endpoint = register(&app, &admin, &receiver.url, "天津市发展改革委", "READER", filter).await;
    public_changes(&app, &admin, 1, "k").await;
    let timed_out = wait_for_endpoint(&app, &admin, &endpoint.id, "a timed-out attempt", |s| {
        s["deliveries"]["nodes"][0]["lastError"].as_str().is_some_and(|e| e.contains("timed out"))
    })
    .await;
    let delivery = &timed_out["deliveries"]["nodes"][0];
    assert_eq!(delivery["status"], "RETRYING", "{timed_out:#}");
    assert_eq!(delivery["lastStatusCode"], Value::Null, "no answer within the timeout");
    receiver.delay(Duration::ZERO);
    wait_for_endpoint(&app, &admin, &endpoint.id, "a delivery in time", |s| {
        s["deliveries"]["nodes"][0]["status"] == "DELIVERED"
    })
    .await;
    // At least once: the receiver may also have taken the attempts it answered too late.
    let sequences: HashSet<i64> = receiver.received().iter().map(Received::sequence).collect();
    assert_eq!(sequences.len(), 1, "one change, however many copies");
    assert!(receiver.received().iter().all(|r| signed_with(&endpoint.secret, r)));
}
