//! Authentication through the real HTTP API: valid tokens become the viewer;
//! every refused token (or malformed header) answers the whole request 401
//! with `UNAUTHENTICATED` and a reason, and executes nothing; requests
//! without a header stay anonymous. Also key rotation by `kid`, and
//! `xietong token issue`.

use crate::helpers::{TEST_JWT_SECRET, TestApp, error_code, spawn_app, spawn_app_with_auth, test_auth};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use std::path::PathBuf;
use xietong::access::Role;
use xietong::auth::settings::{JwtAlgorithm, parse_public_key_spec};
use xietong::ids::{NodeKind, new_uuid, to_global};

const VIEWER: &str = "{ viewer { authenticated subject client role department { name } } }";
const DEPT: &str = "静海区发展改革委";

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jwt").join(name)
}

fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("read a test key")
}

/// The global ID of [`DEPT`], as `departments { nodes { id } }` returns it.
async fn dept_id(app: &TestApp) -> String {
    dept_id_of(app, DEPT).await
}

/// The global ID of the department named `name`.
async fn dept_id_of(app: &TestApp, name: &str) -> String {
    let data = app
        .data("query($s: String) { departments(filter: {search: $s}) { nodes { id name } } }", json!({ "s": name }))
        .await;
    let nodes = data["departments"]["nodes"].as_array().expect("nodes").clone();
    let found = nodes.into_iter().find(|n| n["name"] == name).expect("the department exists");
    found["id"].as_str().expect("id").to_owned()
}

/// The claims of a valid token, for each case to alter.
fn claims(dept: &str) -> Value {
    json!({
        "sub": "alice", "dept": dept, "role": "BUREAU", "client": "jinghai-platform", "jti": new_uuid(),
        "iat": now(), "exp": now() + 3600, "iss": "xietong", "aud": "xietong",
    })
}

fn sign(alg: Algorithm, kid: Option<&str>, key: &EncodingKey, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, key).expect("sign")
}

fn hs256(secret: &[u8], claims: &Value) -> String {
    sign(Algorithm::HS256, None, &EncodingKey::from_secret(secret), claims)
}

fn rsa_key(name: &str) -> EncodingKey {
    EncodingKey::from_rsa_pem(&read_fixture(name)).expect("RSA test key")
}

fn remove(claims: &mut Value, name: &str) {
    if let Some(object) = claims.as_object_mut() {
        object.remove(name);
    }
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// Asserts the request with this `Authorization` value is refused as a whole.
async fn assert_refused(app: &TestApp, case: &str, authorization: &str, reason: &str) {
    let (status, body) = app.post_graphql(Some(authorization), VIEWER, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}: {body}");
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{case}: {body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(reason), "{case}: expected a message containing {reason:?}, got {body}");
    assert!(body.get("data").is_none(), "{case}: nothing may execute: {body}");
}

/// Asserts the token is accepted and returns the viewer.
async fn assert_accepted(app: &TestApp, case: &str, token: &str) -> Value {
    let (status, body) = app.post_graphql(Some(&format!("Bearer {token}")), VIEWER, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{case}: {body}");
    assert!(body.get("errors").is_none(), "{case}: {body}");
    assert_eq!(body["data"]["viewer"]["authenticated"], true, "{case}: {body}");
    body["data"]["viewer"].clone()
}

async fn assert_anonymous_works(app: &TestApp) {
    let data =
        app.data(&format!("{{ plans(first: 1) {{ totalCount }} {} }}", &VIEWER[1..VIEWER.len() - 1]), json!({})).await;
    assert_eq!(data["viewer"]["authenticated"], false);
    assert!(data["viewer"]["role"].is_null());
    assert!(data["plans"]["totalCount"].as_i64().is_some_and(|n| n > 0), "public plans are readable: {data}");
}

#[tokio::test]
async fn a_valid_token_becomes_the_viewer() {
    let app = spawn_app().await;
    let token = app.token(DEPT, Role::Coordinator).await;
    let body = app.graphql_as(&token, VIEWER, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let viewer = &body["data"]["viewer"];
    assert_eq!(viewer["authenticated"], true);
    assert_eq!(viewer["subject"], "test-user");
    assert_eq!(viewer["role"], "COORDINATOR");
    assert_eq!(viewer["department"]["name"], DEPT);

    // Hand-made, with a client, the department by its global ID, and a lower-case scheme.
    let id = dept_id(&app).await;
    let token = hs256(TEST_JWT_SECRET.as_bytes(), &claims(&id));
    let (status, body) = app.post_graphql(Some(&format!("bearer {token}")), VIEWER, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let viewer = &body["data"]["viewer"];
    assert_eq!((viewer["subject"].as_str(), viewer["client"].as_str()), (Some("alice"), Some("jinghai-platform")));
    assert_eq!(viewer["role"], "BUREAU");
    assert_eq!(app.token(&id, Role::Reader).await.split('.').count(), 3);

    // Within the 30 s leeway, an expired token is still accepted.
    let mut recent = claims(&id);
    recent["exp"] = json!(now() - 5);
    assert_accepted(&app, "expired 5 s ago", &hs256(TEST_JWT_SECRET.as_bytes(), &recent)).await;

    assert_anonymous_works(&app).await;
}

#[tokio::test]
async fn refused_tokens_answer_401_unauthenticated() {
    let app = spawn_app().await;
    let id = dept_id(&app).await;
    let secret = TEST_JWT_SECRET.as_bytes();
    let with = |change: &dyn Fn(&mut Value)| {
        let mut c = claims(&id);
        change(&mut c);
        hs256(secret, &c)
    };

    let unsigned = format!("{}.{}.", b64(&json!({ "alg": "none", "typ": "JWT" })), b64(&claims(&id)));
    let valid = hs256(secret, &claims(&id));
    let mut parts: Vec<String> = valid.split('.').map(str::to_owned).collect();
    let mut payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).expect("b64")).expect("json");
    payload["role"] = json!("ADMIN");
    parts[1] = b64(&payload);
    let tampered = parts.join(".");

    let revoked_jti = new_uuid();
    entity::revoked_token::ActiveModel {
        jti: Set(revoked_jti.clone()),
        revoked_at: Set(chrono::Utc::now()),
        revoked_by: Set("auth_tokens test".into()),
        reason: Set(Some("leaked".into())),
    }
    .insert(&app.db)
    .await
    .expect("revoke a token");

    let cases: Vec<(&str, String, &str)> = vec![
        ("alg none", unsigned, "algorithm `none` is not accepted"),
        ("wrong key", hs256(b"another-secret-that-is-long-enough-0123456789", &claims(&id)), "signature is invalid"),
        ("expired", with(&|c| c["exp"] = json!(now() - 120)), "expired"),
        ("not yet valid", with(&|c| c["nbf"] = json!(now() + 600)), "not valid yet"),
        ("issued in the future", with(&|c| c["iat"] = json!(now() + 600)), "issued in the future"),
        ("wrong issuer", with(&|c| c["iss"] = json!("someone-else")), "issuer"),
        ("wrong audience", with(&|c| c["aud"] = json!("another-api")), "audience"),
        ("missing exp", with(&|c| remove(c, "exp")), "no `exp` claim"),
        ("missing jti", with(&|c| remove(c, "jti")), "no `jti` claim"),
        ("unknown role", with(&|c| c["role"] = json!("ROOT")), "role `ROOT`"),
        ("revoked", with(&|c| c["jti"] = json!(revoked_jti)), "revoked"),
        ("tampered payload", tampered, "signature is invalid"),
        (
            "unknown department",
            with(&|c| c["dept"] = json!(to_global(NodeKind::Department, &new_uuid()).0)),
            "department that does not exist",
        ),
        (
            "not a department ID",
            with(&|c| c["dept"] = json!(to_global(NodeKind::Region, &new_uuid()).0)),
            "not a department ID",
        ),
        ("garbage", "not-a-jwt".into(), "not a JWT"),
        ("garbage in three parts", "a.b.c".into(), "header"),
    ];
    for (case, token, reason) in cases {
        assert_refused(&app, case, &format!("Bearer {token}"), reason).await;
    }

    let malformed = "malformed Authorization header";
    for header in ["Basic dXNlcjpwYXNzd29yZA==", "Bearer", "Bearer ", "Bearer a b", valid.as_str(), "Token abc"] {
        assert_refused(&app, &format!("header {header:?}"), header, malformed).await;
    }
    assert_anonymous_works(&app).await;
}

/// An app that accepts RS256 and ES256 only, with keys `2026-01`, `2026-07` (RSA) and `ec-1` (EC).
async fn spawn_public_key_app() -> TestApp {
    let mut auth = test_auth();
    auth.jwt_secret = None;
    auth.jwt_algorithms = vec![JwtAlgorithm::Rs256, JwtAlgorithm::Es256];
    auth.jwt_public_keys = [("2026-01", "rsa1.public.pem"), ("2026-07", "rsa2.public.pem"), ("ec-1", "ec1.public.pem")]
        .into_iter()
        .map(|(kid, file)| parse_public_key_spec(&format!("{kid}={}", fixture(file).display())).expect("key spec"))
        .collect();
    spawn_app_with_auth(auth).await
}

#[tokio::test]
async fn public_keys_rotate_by_kid_and_hs256_is_refused_without_a_secret() {
    let app = spawn_public_key_app().await;
    let id = dept_id(&app).await;
    let c = claims(&id);
    let rsa1 = rsa_key("rsa1.private.pem");
    let rsa2 = rsa_key("rsa2.private.pem");
    let ec1 = EncodingKey::from_ec_pem(&read_fixture("ec1.private.pem")).expect("EC test key");

    // Both RSA keys (old and new) and the EC key are accepted, chosen by kid.
    for (case, token) in [
        ("RS256, kid 2026-01", sign(Algorithm::RS256, Some("2026-01"), &rsa1, &c)),
        ("RS256, kid 2026-07", sign(Algorithm::RS256, Some("2026-07"), &rsa2, &c)),
        ("ES256, kid ec-1", sign(Algorithm::ES256, Some("ec-1"), &ec1, &c)),
        ("ES256, the only EC key, no kid", sign(Algorithm::ES256, None, &ec1, &c)),
    ] {
        let viewer = assert_accepted(&app, case, &token).await;
        assert_eq!(viewer["department"]["name"], DEPT, "{case}");
    }

    let public_pem = read_fixture("rsa1.public.pem");
    let cases = [
        ("unknown kid", sign(Algorithm::RS256, Some("2025-01"), &rsa1, &c), "unknown key id"),
        ("kid of another key", sign(Algorithm::RS256, Some("2026-01"), &rsa2, &c), "signature is invalid"),
        ("kid of a key of another algorithm", sign(Algorithm::RS256, Some("ec-1"), &rsa1, &c), "names a ES256 key"),
        ("two RSA keys and no kid", sign(Algorithm::RS256, None, &rsa1, &c), "no key id"),
        (
            "HS256 signed with the RSA public key",
            sign(Algorithm::HS256, Some("2026-01"), &EncodingKey::from_secret(&public_pem), &c),
            "algorithm `HS256` is not accepted",
        ),
        ("HS256 with the test secret", hs256(TEST_JWT_SECRET.as_bytes(), &c), "algorithm `HS256` is not accepted"),
    ];
    for (case, token, reason) in cases {
        assert_refused(&app, case, &format!("Bearer {token}"), reason).await;
    }
    assert_anonymous_works(&app).await;
}

/// Runs the `xietong` binary against the app's database and returns (success, stdout, stderr).
async fn run_cli(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_xietong"));
    command.args(args).env("DATABASE_URL", &app.database_url).env("XIETONG_JWT_SECRET", TEST_JWT_SECRET);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("XIETONG_JWT_") && k != "XIETONG_JWT_SECRET") {
        command.env_remove(key);
    }
    let output = tokio::task::spawn_blocking(move || command.output()).await.expect("join").expect("run xietong");
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (output.status.success(), text(output.stdout), text(output.stderr))
}

#[tokio::test]
async fn token_issue_prints_a_token_the_server_accepts() {
    let app = spawn_app().await;
    let args = ["token", "issue", "--dept", DEPT, "--role", "bureau", "--ttl", "30m", "--client", "cli-test"];
    let (ok, stdout, stderr) = run_cli(&app, &args).await;
    assert!(ok, "token issue failed: {stderr}");
    let token = stdout.trim();
    let viewer = assert_accepted(&app, "issued by the CLI", token).await;
    assert_eq!((viewer["role"].as_str(), viewer["client"].as_str()), (Some("BUREAU"), Some("cli-test")));
    assert_eq!(viewer["department"]["name"], DEPT);

    // By global ID too.
    let id = dept_id(&app).await;
    let (ok, stdout, stderr) =
        run_cli(&app, &["token", "issue", "--dept", &id, "--role", "READER", "--subject", "bob"]).await;
    assert!(ok, "{stderr}");
    assert_eq!(assert_accepted(&app, "by ID", stdout.trim()).await["subject"], "bob");

    // An alias two districts' plans use is ambiguous: the candidates are listed with their regions and IDs.
    let (ok, stdout, stderr) = run_cli(&app, &["token", "issue", "--dept", "区生态环境局", "--role", "BUREAU"]).await;
    assert!(!ok && stdout.is_empty(), "an ambiguous name must fail: {stdout}");
    let jinghai = dept_id_of(&app, "静海区生态环境局").await;
    assert!(stderr.contains("names 2 departments") && stderr.contains(&jinghai), "the candidates are listed: {stderr}");

    let (ok, _, stderr) = run_cli(&app, &["token", "issue", "--dept", "不存在的单位", "--role", "BUREAU"]).await;
    assert!(!ok && stderr.contains("no department is named"), "{stderr}");
}
