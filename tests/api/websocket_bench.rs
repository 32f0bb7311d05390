//! Measurement, not a test (ignored): memory and statements of the shared
//! change-feed reader with 1, 100 and 1,000 subscribers. Run with
//! `cargo test --release --test api websocket_bench -- --ignored --nocapture`;
//! the numbers are in BENCHMARKS.md.

use crate::helpers::spawn_app_configured;
use crate::subscriptions::{connect, retitle, subscribe};
use crate::websocket::every_subscriber_receives;
use serde_json::json;
use xietong::http::subscriptions::SubscriptionSettings;

/// Resident memory of this process (server and clients), in MiB.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

#[tokio::test]
#[ignore = "a measurement; see BENCHMARKS.md"]
async fn websocket_bench_fan_out() {
    const PER_SOCKET: usize = 50;
    const CHANGES: usize = 5;
    for subscribers in [1usize, 100, 1000] {
        let subscriptions =
            SubscriptionSettings { max_subscriptions_per_connection: PER_SOCKET, max_subscriptions_per_caller: 10_000 };
        let app = spawn_app_configured(|s| s.subscriptions = subscriptions).await;
        let before_open = rss_mib();
        let mut sockets = Vec::new();
        for _ in 0..subscribers.div_ceil(PER_SOCKET) {
            sockets.push(connect(&app.address, None).await);
        }
        // Live subscribers (no `after`): once the shared reader runs, each starts at its head without a statement.
        for i in 0..subscribers {
            subscribe(&mut sockets[i / PER_SOCKET], &format!("s{i}"), json!({})).await;
        }
        // Let every subscriber register first.
        tokio::time::sleep(std::time::Duration::from_secs(subscribers as u64 / 100 + 1)).await;
        retitle(&app, &app.address, "预热").await;
        every_subscriber_receives(&mut sockets, subscribers, "预热").await;
        let open = rss_mib();
        // Statements of the mutations alone, measured with nobody listening, are subtracted below.
        let start = app.statements.get();
        for n in 0..CHANGES {
            retitle(&app, &app.address, &format!("测{n}")).await;
            every_subscriber_receives(&mut sockets, subscribers, &format!("测{n}")).await;
        }
        let with_subscribers = app.statements.get() - start;
        drop(sockets);
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        let start = app.statements.get();
        for n in 0..CHANGES {
            retitle(&app, &app.address, &format!("空{n}")).await;
        }
        let without = app.statements.get() - start;
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        let closed = rss_mib();
        println!(
            "subscribers={subscribers} rss_before_mib={before_open:.1} rss_open_mib={open:.1} rss_after_close_mib={closed:.1} \
             statements_per_change_total={:.1} statements_per_change_feed={:.1}",
            with_subscribers as f64 / CHANGES as f64,
            (with_subscribers as f64 - without as f64) / CHANGES as f64
        );
    }
}
