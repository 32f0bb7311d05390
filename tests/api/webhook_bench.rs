//! Measurement, not a test (ignored): webhook deliveries per second to one
//! endpoint and to 50. Run with `bash bench/webhooks.sh` (both stores); the
//! numbers are in BENCHMARKS.md.
//!
//! The endpoints are registered and disabled, the changes committed, then
//! the endpoints enabled at once: the time measured is from enabling to the
//! receiver holding every message, so it counts delivery alone (reading the
//! feed, signing, POSTing, recording each delivery), not the mutations.

use crate::webhooks::receiver::Receiver;
use crate::webhooks::{public_changes, register, webhooks_on};
use serde_json::json;
use std::time::Instant;
use xietong::access::Role;

async fn deliveries_per_second(endpoints: usize, changes: usize) -> f64 {
    let app = crate::helpers::spawn_app_configured(webhooks_on).await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let receiver = Receiver::start().await;
    let mut ids = Vec::new();
    for _ in 0..endpoints {
        let filter = json!({ "entity": "DEPARTMENT_ALIAS" });
        let endpoint = register(&app, &admin, &receiver.url, "天津市发展改革委", "READER", filter).await;
        let disable = "mutation($id: ID!) { disableWebhookEndpoint(input: {id: $id}) { endpoint { status } } }";
        app.data_as(&admin, disable, json!({ "id": endpoint.id })).await;
        ids.push(endpoint.id);
    }
    public_changes(&app, &admin, changes, "bench").await;
    let started = Instant::now();
    for id in &ids {
        let enable = "mutation($id: ID!) { enableWebhookEndpoint(input: {id: $id}) { endpoint { status } } }";
        app.data_as(&admin, enable, json!({ "id": id })).await;
    }
    let total = endpoints * changes;
    receiver.wait_for_count_within(total, std::time::Duration::from_secs(600)).await;
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(receiver.received().len(), total, "each change once per endpoint");
    total as f64 / seconds
}

#[tokio::test]
#[ignore = "a measurement; see BENCHMARKS.md"]
async fn webhook_bench_deliveries_per_second() {
    let store = crate::helpers::Store::of_this_run();
    for (endpoints, changes) in [(1usize, 1000usize), (50, 100)] {
        let rate = deliveries_per_second(endpoints, changes).await;
        println!("{store:?}: {endpoints} endpoint(s) × {changes} changes: {rate:.0} deliveries/s");
    }
}
