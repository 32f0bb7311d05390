//! A real client library against the real server: the npm `graphql-ws`
//! client (tests/clients/graphql-ws-session.mjs) subscribes, receives the
//! event its own mutation causes, completes and closes cleanly.
//!
//! Needs `node` and the packages of tests/clients/package.json, installed in
//! tests/clients/node_modules (`npm ci` there) or in the directory named by
//! `XIETONG_CLIENT_MODULES`. Without them the test says so and passes,
//! except under CI (env `CI` set), where it fails.

use crate::helpers::spawn_app;
use std::path::PathBuf;
use std::time::Duration;
use xietong::access::Role;

/// Where the client's packages are installed, if anywhere.
fn client_modules() -> Option<PathBuf> {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients");
    let candidates = [std::env::var_os("XIETONG_CLIENT_MODULES").map(PathBuf::from), Some(here)];
    candidates.into_iter().flatten().find(|dir| dir.join("node_modules/graphql-ws").is_dir())
}

fn node_available() -> bool {
    std::process::Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success())
}

#[tokio::test]
async fn the_graphql_ws_client_subscribes_receives_completes_and_closes_cleanly() {
    let (Some(modules), true) = (client_modules(), node_available()) else {
        crate::helpers::needs_installed(
            false,
            "websocket_client::the_graphql_ws_client_subscribes_receives_completes_and_closes_cleanly",
            "`node` or the graphql-ws client (npm ci in tests/clients, or XIETONG_CLIENT_MODULES)",
        );
        return;
    };
    let app = spawn_app().await;
    let token = app.token("静海区人民政府", Role::Coordinator).await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/graphql-ws-session.mjs");
    let url = format!("{}/graphql", app.address.replacen("http", "ws", 1));
    let mut child = std::process::Command::new("node")
        .arg(script)
        .arg(url)
        .env("XIETONG_TOKEN", token)
        .env("XIETONG_CLIENT_MODULES", modules)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("node starts");
    // Generous: a liveness bound, not a latency measurement (the client itself gives up after 30 s on a close).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("wait for node").is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().ok();
            panic!("the graphql-ws client did not finish within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let output = child.wait_with_output().expect("node's output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("no report ({e}): {stdout} {stderr}"));
    eprintln!("graphql-ws session: {report}");
    assert!(output.status.success(), "{report} {stderr}");
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["closeCode"], 1000, "{report}");
    assert_eq!(report["entity"], "Task", "{report}");
}
