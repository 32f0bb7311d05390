//! The receivers' verifier examples (docs/webhooks/verify.py, verify.mjs),
//! run on a real delivery: each accepts it, and refuses it with one byte of
//! the body changed or signed with another secret.

use super::receiver::{Received, Receiver};
use super::{register, webhooks_on};
use crate::client_guide::programs::{available, root, runs};
use crate::helpers::spawn_app_configured;
use serde_json::json;
use std::process::Command;
use xietong::access::Role;

/// Runs `program verify-file message` and returns (exit success, standard output).
fn run(program: &str, verifier: &str, secret: &str, message: &Received) -> (bool, String) {
    let file = tempfile::NamedTempFile::new().unwrap();
    let headers = json!({
        "webhook-id": message.headers["webhook-id"],
        "webhook-timestamp": message.headers["webhook-timestamp"],
        "webhook-signature": message.headers["webhook-signature"],
    });
    std::fs::write(file.path(), json!({ "secret": secret, "headers": headers, "body": message.body }).to_string())
        .unwrap();
    let output = Command::new(program)
        .arg(root().join("docs/webhooks").join(verifier))
        .arg(file.path())
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    (output.status.success(), String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

#[tokio::test]
async fn the_python_and_javascript_verifiers_accept_a_real_delivery_and_refuse_a_forged_one() {
    const TEST: &str = "the_python_and_javascript_verifiers_accept_a_real_delivery_and_refuse_a_forged_one";
    let verifiers: Vec<(&str, &str)> = [("python3", "verify.py"), ("node", "verify.mjs")]
        .into_iter()
        .filter(|(program, _)| available(TEST, runs(program, "--version"), program))
        .collect();
    if verifiers.is_empty() {
        return;
    }
    let app = spawn_app_configured(webhooks_on).await;
    let admin = app.token("天津市发展改革委", Role::Admin).await;
    let receiver = Receiver::start().await;
    let endpoint = register(&app, &admin, &receiver.url, "天津市发展改革委", "ADMIN", json!({})).await;
    let message = receiver.wait_for_count(1).await.remove(0);
    let sequence = message.sequence();

    let mut tampered = message.clone();
    tampered.body = tampered.body.replacen("CREATE", "DELETE", 1);
    assert_ne!(tampered.body, message.body);
    for (program, verifier) in verifiers {
        assert_eq!(
            run(program, verifier, &endpoint.secret, &message),
            (true, format!("verified {sequence}")),
            "{verifier}"
        );
        let (ok, said) = run(program, verifier, &endpoint.secret, &tampered);
        assert!(!ok && said.starts_with("rejected"), "{verifier} refuses a changed body: {said}");
        let other = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let (ok, said) = run(program, verifier, other, &message);
        assert!(!ok && said.starts_with("rejected"), "{verifier} refuses another secret: {said}");
    }
}
