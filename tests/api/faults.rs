//! Faults, through real processes and real TCP ("Nothing lost", DESIGN §7):
//!
//! - the database becomes unreachable (PostgreSQL behind a proxy that closes,
//!   refuses or silently drops connections, also in the middle of a
//!   transaction): requests answer SERVICE_UNAVAILABLE (bounded by the acquire
//!   timeout), `/readyz` fails, and service resumes by itself once the
//!   database is back, without restarting xietong;
//! - the database ends the app's sessions, as a restart does: the request in
//!   flight answers SERVICE_UNAVAILABLE, and the pool heals by itself;
//! - SIGTERM (and SIGINT): requests already accepted complete, new
//!   connections are refused, the process exits with status 0;
//! - `kill -9` under a write load: no acknowledged mutation is lost and no
//!   mutation lacks its audit entry; the hash chain still verifies.
//!
//! Response times are never asserted: client timeouts are generous liveness
//! bounds ("it answers, it does not hang"), and waits are bounded polling.

use crate::helpers::{Store, runs_on};
use crate::process::{BIN, ProcessStore, TestProcess, sign_token};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use xietong::access::Role;
use xietong::ids::{NodeKind, from_global};

const RENEWABLE: &str = r#"{ indicators(filter: {regionCode: "120118", search: "可再生能源电力装机容量"}) {
    nodes { id task { id } } } }"#;

const RECORD: &str = "mutation($input: RecordActualInput!) { recordActual(input: $input) { actual { id } } }";

const REPORT: &str = "mutation($input: ReportProgressInput!) { reportProgress(input: $input) { report { id } } }";

/// The LEAD bureau of the Jinghai renewable-capacity task.
const BUREAU: &str = "静海区发展改革委";

/// The Jinghai renewable-capacity indicator and its task (global IDs).
async fn renewable(app: &TestProcess) -> (String, String) {
    let (status, body) = app.graphql(None, RENEWABLE, json!({})).await;
    assert_eq!(status, 200, "{body:#}");
    assert!(body.get("errors").is_none(), "{body:#}");
    let node = &body["data"]["indicators"]["nodes"][0];
    let indicator = node["id"].as_str().unwrap_or_else(|| panic!("no indicator: {body:#}")).to_owned();
    let task = node["task"]["id"].as_str().unwrap_or_else(|| panic!("no task: {body:#}")).to_owned();
    (indicator, task)
}

fn actual_input(indicator: &str, period: &str, value: f64) -> Value {
    json!({ "input": { "indicatorId": indicator, "period": period, "value": value, "status": "PROVISIONAL",
                       "reason": "故障注入测试" } })
}

/// The `extensions.code` of the first error, if any.
fn code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

// ---------------------------------------------------------------------------
// 1. The database becomes unreachable, and comes back.
// ---------------------------------------------------------------------------

/// What the proxy does with connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Forwards bytes both ways.
    Forward,
    /// Closes every open connection and each new one right after accepting it.
    Close,
    /// A network partition: connections stay open but no byte gets through.
    Stall,
}

/// A TCP proxy in front of PostgreSQL that the test can cut.
struct Proxy {
    port: u16,
    upstream: SocketAddr,
    mode: watch::Sender<Mode>,
    accept: Option<JoinHandle<()>>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let mut proxy = Self { port, upstream, mode: watch::channel(Mode::Forward).0, accept: None };
        proxy.accept = Some(proxy.serve(listener));
        proxy
    }

    fn serve(&self, listener: TcpListener) -> JoinHandle<()> {
        let (upstream, mode) = (self.upstream, self.mode.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else { continue };
                // Subscribed before reading the mode, so a change in between still reaches this connection.
                let mut mode_rx = mode.subscribe();
                let current = *mode_rx.borrow_and_update();
                match current {
                    Mode::Close => drop(client), // accepted, then closed at once: the peer reads EOF
                    Mode::Stall => {
                        tokio::spawn(async move {
                            let _ = mode_rx.changed().await;
                            drop(client);
                        });
                    }
                    Mode::Forward => {
                        tokio::spawn(async move {
                            let Ok(mut server) = TcpStream::connect(upstream).await else { return };
                            tokio::select! {
                                _ = tokio::io::copy_bidirectional(&mut client, &mut server) => return,
                                _ = mode_rx.changed() => {}
                            }
                            if *mode_rx.borrow_and_update() == Mode::Stall {
                                // Silent until the partition ends; then the connection is gone.
                                let _ = mode_rx.changed().await;
                            }
                        });
                    }
                }
            }
        })
    }

    /// Closes every open connection and closes each new one right after accepting it.
    fn cut(&self) {
        self.mode.send_replace(Mode::Close);
    }

    /// Lets no byte through, in either direction, on open or new connections.
    fn stall(&self) {
        self.mode.send_replace(Mode::Stall);
    }

    /// Closes every open connection and stops listening: connecting is refused.
    async fn refuse(&mut self) {
        self.cut();
        if let Some(accept) = self.accept.take() {
            accept.abort();
            let _ = accept.await; // the listener is dropped once the task is gone
        }
    }

    /// Forwards again (listening again on the same port if it had stopped);
    /// connections open during a cut or a partition are closed.
    async fn restore(&mut self) {
        if self.accept.is_none() {
            let mut attempts = 0;
            let listener = loop {
                match TcpListener::bind(("127.0.0.1", self.port)).await {
                    Ok(listener) => break listener,
                    Err(error) => {
                        attempts += 1;
                        assert!(attempts < 100, "cannot listen on proxy port {} again: {error}", self.port);
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            };
            self.accept = Some(self.serve(listener));
        }
        self.mode.send_if_modified(|mode| std::mem::replace(mode, Mode::Forward) != Mode::Forward);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
        if let Some(accept) = self.accept.take() {
            accept.abort();
        }
    }
}

/// `host:port` of a PostgreSQL URL, and the URL with that authority replaced by `replacement`.
fn split_authority(url: &str, replacement: &str) -> (String, String) {
    let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((user, host)) => (format!("{user}@"), host),
        None => (String::new(), authority),
    };
    let host_port = if host_port.contains(':') { host_port.to_owned() } else { format!("{host_port}:5432") };
    (host_port, format!("{scheme}://{userinfo}{replacement}{path}"))
}

/// What the app answers while the database is unreachable: `/readyz` 503, and
/// SERVICE_UNAVAILABLE (never INTERNAL, never a bodiless 500, never a hang)
/// for an anonymous query, an authenticated query and a mutation.
async fn assert_unavailable(app: &mut TestProcess, bureau: &str, indicator: &str, period: &str) {
    let started = Instant::now();
    assert_eq!(app.get_status("/readyz").await, 503, "/readyz while the database is unreachable");

    let (status, body) = app.graphql(None, RENEWABLE, json!({})).await;
    assert!(status == 200 || status == 503, "anonymous query: HTTP {status}: {body:#}");
    assert_eq!(code(&body), Some("SERVICE_UNAVAILABLE"), "anonymous query: HTTP {status}: {body:#}");

    let (status, body) = app.graphql(Some(bureau), "{ viewer { department { name } } }", json!({})).await;
    assert!(status == 200 || status == 503, "authenticated query: HTTP {status}: {body:#}");
    assert_eq!(code(&body), Some("SERVICE_UNAVAILABLE"), "authenticated query: HTTP {status}: {body:#}");

    let (status, body) = app.graphql(Some(bureau), RECORD, actual_input(indicator, period, 1.0)).await;
    assert!(status == 200 || status == 503, "mutation: HTTP {status}: {body:#}");
    assert_eq!(code(&body), Some("SERVICE_UNAVAILABLE"), "mutation: HTTP {status}: {body:#}");

    assert!(app.try_status().is_none(), "xietong exited during the outage:\n{}", app.output());
    eprintln!("outage answered in {:?}", started.elapsed());
}

/// Waits (bounded) until `/readyz` is 200 again, then checks that reads and writes work.
async fn assert_recovers(app: &TestProcess, bureau: &str, indicator: &str, period: &str) {
    let started = Instant::now();
    let mut ready = false;
    for _ in 0..60 {
        if app.get_status("/readyz").await == 200 {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(ready, "/readyz did not recover within the retry bound:\n{}", app.output());
    eprintln!("ready again after {:?}", started.elapsed());

    let (status, body) = app.graphql(None, RENEWABLE, json!({})).await;
    assert_eq!(status, 200, "{body:#}");
    assert!(body.get("errors").is_none(), "query after recovery: {body:#}");
    let (status, body) = app.graphql(Some(bureau), RECORD, actual_input(indicator, period, 2.0)).await;
    assert_eq!(status, 200, "{body:#}");
    assert!(body["data"]["recordActual"]["actual"]["id"].is_string(), "mutation after recovery: {body:#}");
}

/// Holds the audit head's row lock in a transaction of the test's own, so
/// that the app's next mutation blocks inside the database, on a connection
/// it has already acquired.
async fn hold_audit_lock(db: &sea_orm::DatabaseConnection) -> sea_orm::DatabaseTransaction {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let txn = db.begin().await.expect("begin");
    txn.execute_unprepared(r#"UPDATE "audit_head" SET "last_seq" = "last_seq" WHERE "id" = 1"#)
        .await
        .expect("lock the audit head");
    txn
}

/// Waits (bounded) until a session of `application_name` waits for a lock,
/// and returns its backend PID.
async fn blocked_backend(db: &sea_orm::DatabaseConnection, application_name: &str) -> i32 {
    use sea_orm::{ConnectionTrait, Statement};
    let sql = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
               AND application_name = $1 AND wait_event_type = 'Lock'";
    for _ in 0..400 {
        let row = db
            .query_one_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, [application_name.into()]))
            .await
            .expect("read pg_stat_activity");
        if let Some(row) = row {
            return row.try_get::<i32>("", "pid").expect("pid");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the mutation never blocked on the audit head lock");
}

/// The name the app's database sessions carry, to find them in `pg_stat_activity`.
const APP_SESSION: &str = "xietong_under_test";

fn with_application_name(url: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}application_name={APP_SESSION}")
}

/// A fresh PostgreSQL store, or `None` on SQLite, where `test` is skipped
/// (with a line naming it: see [`runs_on`]).
async fn postgres_store(test: &str) -> Option<ProcessStore> {
    if !runs_on(Store::Postgres, test) {
        return None;
    }
    let store = ProcessStore::fresh().await;
    assert!(store.is_postgres(), "{test}: DATABASE_URL names PostgreSQL, yet the store is not");
    Some(store)
}

#[tokio::test]
async fn an_unreachable_database_answers_service_unavailable_and_service_resumes_by_itself() {
    let Some(store) =
        postgres_store("faults::an_unreachable_database_answers_service_unavailable_and_service_resumes_by_itself")
            .await
    else {
        return;
    };
    let upstream_authority = split_authority(&store.url, "").0;
    let upstream = tokio::net::lookup_host(&upstream_authority)
        .await
        .expect("resolve the PostgreSQL address")
        .next()
        .expect("an address");
    let mut proxy = Proxy::start(upstream).await;
    let (_, proxied_url) = split_authority(&store.url, &format!("127.0.0.1:{}", proxy.port));

    let mut app =
        TestProcess::start_with(&with_application_name(&proxied_url), &[("XIETONG_DB_ACQUIRE_TIMEOUT", "2")]).await;
    let db = store.connect().await;
    let bureau = sign_token(&db, BUREAU, Role::Bureau, "outage-bureau").await;
    let (indicator, _) = renewable(&app).await;
    assert_eq!(app.get_status("/readyz").await, 200);
    let mut written = 0;

    // Existing connections die and new ones are closed right after connecting.
    proxy.cut();
    assert_unavailable(&mut app, &bureau, &indicator, "2030-01").await;
    proxy.restore().await;
    assert_recovers(&app, &bureau, &indicator, "2030-02").await;
    written += 1;

    // Existing connections die and connecting is refused (the pool retries
    // until its acquire timeout).
    proxy.refuse().await;
    assert_unavailable(&mut app, &bureau, &indicator, "2030-03").await;
    proxy.restore().await;
    assert_recovers(&app, &bureau, &indicator, "2030-04").await;
    written += 1;

    // A partition: connections stay open but nothing gets through (the
    // liveness check of idle connections times out with the acquire timeout).
    proxy.stall();
    assert_unavailable(&mut app, &bureau, &indicator, "2030-05").await;
    proxy.restore().await;
    assert_recovers(&app, &bureau, &indicator, "2030-06").await;
    written += 1;

    // The connection dies in the middle of a mutation's transaction.
    let lock = hold_audit_lock(&db).await;
    let (response, ()) =
        tokio::join!(app.graphql(Some(&bureau), RECORD, actual_input(&indicator, "2030-07", 1.0)), async {
            blocked_backend(&db, APP_SESSION).await;
            proxy.cut();
        });
    lock.rollback().await.expect("release the lock");
    let (status, body) = response;
    assert!(status == 200 || status == 503, "mutation cut mid-transaction: HTTP {status}: {body:#}");
    assert_eq!(code(&body), Some("SERVICE_UNAVAILABLE"), "mutation cut mid-transaction: {body:#}");
    proxy.restore().await;
    assert_recovers(&app, &bureau, &indicator, "2030-08").await;
    written += 1;

    // Nothing attempted during the outages was written; what was acknowledged was.
    let verification = xietong::service::audit::verify(&db).await.expect("verify");
    assert_eq!((verification.checked, verification.first_broken), (written, None));
}

/// A database restart ends every session with `57P01 terminating connection
/// due to administrator command`; `pg_terminate_backend` does the same to
/// the app's sessions without disturbing other tests.
#[tokio::test]
async fn terminated_database_sessions_answer_service_unavailable_and_the_pool_heals() {
    use sea_orm::{ConnectionTrait, Statement};
    let Some(store) =
        postgres_store("faults::terminated_database_sessions_answer_service_unavailable_and_the_pool_heals").await
    else {
        return;
    };
    let app = TestProcess::start_with(&with_application_name(&store.url), &[("XIETONG_DB_ACQUIRE_TIMEOUT", "2")]).await;
    let db = store.connect().await;
    let bureau = sign_token(&db, BUREAU, Role::Bureau, "restart-bureau").await;
    let (indicator, _) = renewable(&app).await;
    let terminate_all = Statement::from_sql_and_values(
        db.get_database_backend(),
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()",
        [APP_SESSION.into()],
    );

    // Terminated while a mutation waits inside its transaction: that request
    // answers SERVICE_UNAVAILABLE (the caller may retry); nothing is written.
    let lock = hold_audit_lock(&db).await;
    let (response, ()) =
        tokio::join!(app.graphql(Some(&bureau), RECORD, actual_input(&indicator, "2032-01", 1.0)), async {
            blocked_backend(&db, APP_SESSION).await;
            db.execute_raw(terminate_all.clone()).await.expect("terminate the app's sessions");
        });
    lock.rollback().await.expect("release the lock");
    let (status, body) = response;
    assert!(status == 200 || status == 503, "mutation whose session was terminated: HTTP {status}: {body:#}");
    assert_eq!(code(&body), Some("SERVICE_UNAVAILABLE"), "mutation whose session was terminated: {body:#}");

    // Idle sessions terminated: the pool notices on its own and reconnects.
    db.execute_raw(terminate_all).await.expect("terminate the app's sessions");
    assert_recovers(&app, &bureau, &indicator, "2032-02").await;
    let verification = xietong::service::audit::verify(&db).await.expect("verify");
    assert_eq!((verification.checked, verification.first_broken), (1, None));
}

// ---------------------------------------------------------------------------
// 2. SIGTERM drains in-flight requests.
// ---------------------------------------------------------------------------

/// A raw HTTP/1.1 request the server has accepted (it answered `100 Continue`
/// to the headers) whose body has not been sent yet.
struct PendingRequest {
    stream: TcpStream,
    body: Vec<u8>,
}

const IO_LIMIT: Duration = Duration::from_secs(60);

async fn open_request(port: u16, token: Option<&str>, query: &str, variables: Value) -> PendingRequest {
    let body = serde_json::to_vec(&json!({ "query": query, "variables": variables })).expect("JSON");
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    let authorization = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n{authorization}\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("send the request head");
    let mut interim = Vec::new();
    let mut byte = [0_u8; 1];
    while !interim.ends_with(b"\r\n\r\n") {
        let read = tokio::time::timeout(IO_LIMIT, stream.read(&mut byte)).await.expect("100 Continue in time");
        assert_eq!(read.expect("read the interim response"), 1, "connection closed before 100 Continue");
        interim.push(byte[0]);
    }
    let interim = String::from_utf8_lossy(&interim);
    assert!(interim.starts_with("HTTP/1.1 100"), "expected 100 Continue, got {interim:?}");
    PendingRequest { stream, body }
}

impl PendingRequest {
    /// Sends the body and reads the whole response: the status and the JSON body.
    async fn finish(mut self) -> (u16, Value) {
        self.stream.write_all(&self.body).await.expect("send the request body");
        let mut raw = Vec::new();
        tokio::time::timeout(IO_LIMIT, self.stream.read_to_end(&mut raw))
            .await
            .expect("the response in time")
            .expect("read the response");
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("malformed response {text:?}"));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {head:?}"));
        let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
            dechunk(body)
        } else {
            body.to_owned()
        };
        (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {text:?}")))
    }
}

/// Decodes a `Transfer-Encoding: chunked` body.
fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16).expect("chunk size");
        if size == 0 {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].strip_prefix("\r\n").expect("chunk end");
    }
    out
}

/// Polls (bounded) until connecting to `port` is refused.
async fn wait_until_refused(port: u16) {
    for _ in 0..400 {
        match TcpStream::connect(("127.0.0.1", port)).await {
            // Reset: the listener closed with this connection still queued; either way it is not served.
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::ConnectionReset
                ) =>
            {
                return;
            }
            Err(error) => panic!("unexpected connect error: {error}"),
            Ok(stream) => drop(stream),
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("new connections were still accepted 10 s after the shutdown signal");
}

/// Starts several requests, sends the signal once the server has accepted
/// them, and checks that they complete, that new connections are refused and
/// that the process exits with status 0.
async fn drains_on(signal: &str, send: impl FnOnce(&TestProcess)) {
    let store = ProcessStore::fresh().await;
    let mut app = TestProcess::start(&store.url).await;
    let db = store.connect().await;
    let bureau = sign_token(&db, BUREAU, Role::Bureau, "drain-bureau").await;
    let (indicator, _) = renewable(&app).await;

    let mut pending = Vec::new();
    for _ in 0..2 {
        pending.push(open_request(app.port, None, RENEWABLE, json!({})).await);
    }
    for period in ["2031-01", "2031-02"] {
        pending.push(open_request(app.port, Some(&bureau), RECORD, actual_input(&indicator, period, 3.0)).await);
    }

    send(&app);
    wait_until_refused(app.port).await;

    let mut recorded = Vec::new();
    for request in pending {
        let (status, body) = request.finish().await;
        assert_eq!(status, 200, "an accepted request did not complete after SIG{signal}: {body:#}");
        assert!(body.get("errors").is_none(), "an accepted request failed after SIG{signal}: {body:#}");
        if let Some(id) = body["data"]["recordActual"]["actual"]["id"].as_str() {
            recorded.push(from_global(NodeKind::IndicatorActual, id, "id").expect("an Actual ID"));
        }
    }
    assert_eq!(recorded.len(), 2);

    let status = app.wait_for_exit(Duration::from_secs(45)).await;
    assert!(status.success(), "xietong exited with {status} after SIG{signal}:\n{}", app.output());

    use sea_orm::EntityTrait;
    for id in recorded {
        let row = entity::indicator_actual::Entity::find_by_id(id.clone()).one(&db).await.expect("query");
        assert!(row.is_some(), "the acknowledged actual {id} is not in the store");
    }
    let verification = xietong::service::audit::verify(&db).await.expect("verify");
    assert_eq!((verification.checked, verification.first_broken), (2, None));
}

#[tokio::test]
async fn sigterm_finishes_accepted_requests_refuses_new_connections_and_exits_cleanly() {
    drains_on("TERM", TestProcess::terminate).await;
}

/// Ctrl-C, or a process manager that sends SIGINT, drains the same way.
#[tokio::test]
async fn sigint_also_finishes_accepted_requests_and_exits_cleanly() {
    drains_on("INT", |app| app.signal("INT")).await;
}

// ---------------------------------------------------------------------------
// 3. kill -9 under a write load.
// ---------------------------------------------------------------------------

/// What the writers saw.
#[derive(Default)]
struct Outcomes {
    /// (entity, record ID) of every acknowledged mutation: HTTP 200, no errors.
    acknowledged: Vec<(&'static str, String)>,
    /// Responses with GraphQL errors (none are expected while the server lives).
    errors: Vec<Value>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_write_load_loses_no_acknowledged_mutation_and_no_audit_entry() {
    const ACTUAL_WRITERS: usize = 3;
    const REPORT_WRITERS: usize = 2;
    const KILL_AFTER: usize = 40;

    let store = ProcessStore::fresh().await;
    let mut app = TestProcess::start(&store.url).await;
    let db = store.connect().await;
    let (indicator, task) = renewable(&app).await;

    let outcomes = Arc::new(Mutex::new(Outcomes::default()));
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("client");
    let url = format!("{}/graphql", app.address);
    let mut writers = Vec::new();
    for writer in 0..ACTUAL_WRITERS + REPORT_WRITERS {
        let is_actual = writer < ACTUAL_WRITERS;
        let subject = format!("kill9-writer-{writer}");
        let token = sign_token(&db, BUREAU, Role::Bureau, &subject).await;
        let (client, url, outcomes, acknowledged) =
            (client.clone(), url.clone(), outcomes.clone(), acknowledged.clone());
        let (indicator, task) = (indicator.clone(), task.clone());
        writers.push(tokio::spawn(async move {
            // Distinct periods per writer: 50 years of months each.
            for i in 0..600_usize {
                let period = format!("{}-{:02}", 1950 + writer * 30 + i / 12, i % 12 + 1);
                let (query, variables, entity) = if is_actual {
                    (RECORD, actual_input(&indicator, &period, i as f64), "Actual")
                } else {
                    let input = json!({ "taskId": task, "period": period, "status": "IN_PROGRESS",
                                        "percent": i % 101, "narrative": format!("进展 {writer}-{i}") });
                    (REPORT, json!({ "input": input }), "ProgressReport")
                };
                let response = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({ "query": query, "variables": variables }))
                    .send()
                    .await;
                // Once the server is gone, requests fail: nothing was acknowledged.
                let Ok(response) = response else { break };
                let status = response.status();
                let Ok(body) = response.json::<Value>().await else { break };
                let id = if is_actual {
                    body["data"]["recordActual"]["actual"]["id"].as_str()
                } else {
                    body["data"]["reportProgress"]["report"]["id"].as_str()
                };
                let mut outcomes = outcomes.lock().unwrap();
                match id {
                    Some(id) if status == 200 && body.get("errors").is_none() => {
                        let kind = if is_actual { NodeKind::IndicatorActual } else { NodeKind::ProgressReport };
                        outcomes.acknowledged.push((entity, from_global(kind, id, "id").expect("a record ID")));
                        acknowledged.fetch_add(1, Ordering::SeqCst);
                    }
                    _ => {
                        outcomes.errors.push(json!({ "status": status.as_u16(), "body": body }));
                        break;
                    }
                }
            }
        }));
    }

    // Kill mid-load, once enough writes were acknowledged (bounded wait).
    let deadline = Instant::now() + Duration::from_secs(180);
    while acknowledged.load(Ordering::SeqCst) < KILL_AFTER {
        assert!(Instant::now() < deadline, "the writers stalled:\n{}", app.output());
        assert!(
            writers.iter().any(|w| !w.is_finished()),
            "every writer stopped: {:?}",
            outcomes.lock().unwrap().errors
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    app.kill();
    for writer in writers {
        writer.await.expect("a writer panicked");
    }
    let outcomes = std::mem::take(&mut *outcomes.lock().unwrap());
    assert!(outcomes.errors.is_empty(), "writes failed while the server was alive: {:#?}", outcomes.errors);
    eprintln!("{} mutations acknowledged before kill -9", outcomes.acknowledged.len());

    // Restart on the same database.
    let app = TestProcess::start(&store.url).await;
    assert_eq!(app.get_status("/readyz").await, 200);

    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let actuals: BTreeSet<String> = entity::indicator_actual::Entity::find()
        .filter(entity::indicator_actual::Column::ReportedBy.like("kill9-writer-%"))
        .all(&db)
        .await
        .expect("actuals")
        .into_iter()
        .map(|a| a.id)
        .collect();
    let reports: BTreeSet<String> = entity::progress_report::Entity::find()
        .filter(entity::progress_report::Column::Reporter.like("kill9-writer-%"))
        .all(&db)
        .await
        .expect("reports")
        .into_iter()
        .map(|r| r.id)
        .collect();
    for (entity, id) in &outcomes.acknowledged {
        let stored = if *entity == "Actual" { &actuals } else { &reports };
        assert!(stored.contains(id), "acknowledged {entity} {id} was lost by kill -9");
    }

    // Every data row has exactly one audit entry, and every audit entry its row.
    let changes = entity::change::Entity::find()
        .filter(entity::change::Column::ActorSubject.like("kill9-writer-%"))
        .filter(entity::change::Column::Entity.is_in(["Actual", "ProgressReport"]))
        .all(&db)
        .await
        .expect("changes");
    let mut audited: BTreeMap<(String, String), usize> = BTreeMap::new();
    for change in changes {
        *audited.entry((change.entity, change.entity_id)).or_default() += 1;
    }
    let expected: BTreeMap<(String, String), usize> = actuals
        .iter()
        .map(|id| (("Actual".to_owned(), id.clone()), 1))
        .chain(reports.iter().map(|id| (("ProgressReport".to_owned(), id.clone()), 1)))
        .collect();
    assert_eq!(audited, expected, "data rows and their audit entries differ");
    assert!(actuals.len() + reports.len() >= outcomes.acknowledged.len());

    let verification = xietong::service::audit::verify(&db).await.expect("verify");
    assert_eq!(verification.first_broken, None, "the hash chain is broken after kill -9");
    let verify = std::process::Command::new(BIN)
        .args(["audit", "verify"])
        .env("DATABASE_URL", &store.url)
        .output()
        .expect("run `xietong audit verify`");
    assert!(
        verify.status.success(),
        "`xietong audit verify` failed: {}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );

    // The restarted server continues the chain.
    let token = sign_token(&db, BUREAU, Role::Bureau, "kill9-after").await;
    let (status, body) = app.graphql(Some(&token), RECORD, actual_input(&indicator, "2100-12", 9.0)).await;
    assert_eq!(status, 200, "{body:#}");
    assert!(body["data"]["recordActual"]["actual"]["id"].is_string(), "{body:#}");
    let verification = xietong::service::audit::verify(&db).await.expect("verify");
    assert_eq!(verification.first_broken, None);
}
