//! The real `xietong` binary as a child process, for tests that need a
//! process boundary: signals, `kill -9`, restarts, an unreachable database.
//!
//! - [`ProcessStore`]: a fresh database for child processes (a temporary
//!   SQLite file, or a new PostgreSQL database when `DATABASE_URL` names a
//!   PostgreSQL server), removed when dropped.
//! - [`TestProcess`]: `xietong serve` on a free port (the server binds port 0
//!   and the test reads the port from its JSON log), waited for through
//!   `/healthz` with bounded retries; SIGTERM, SIGINT or SIGKILL it; dropping
//!   it kills the process.
//! - [`sign_token`]: a token the child accepts (HS256 with [`TEST_JWT_SECRET`]).

use crate::helpers::{TEST_JWT_SECRET, postgres_url};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};
use xietong::access::Role;
use xietong::auth::AuthSettings;
use xietong::auth::issue::{TokenRequest, sign_hs256};
use xietong::ids::{NodeKind, to_global};

/// Path of the `xietong` binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_xietong");

/// How long a child may take to migrate, seed and listen (2 shared cores, debug build).
const STARTUP_LIMIT: Duration = Duration::from_secs(120);

/// A fresh database for child processes; dropped with the test.
pub struct ProcessStore {
    /// The URL the child processes use.
    pub url: String,
    kind: StoreKind,
}

enum StoreKind {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { server_url: String, name: String },
}

impl ProcessStore {
    /// A temporary SQLite file, or a new database on the PostgreSQL server of `DATABASE_URL`.
    pub async fn fresh() -> Self {
        match postgres_url() {
            Some(server_url) => {
                use sea_orm::ConnectionTrait;
                let name = format!("xietong_proc_{}", uuid::Uuid::new_v4().simple());
                let admin = sea_orm::Database::connect(&server_url).await.expect("connect to PostgreSQL");
                admin.execute_unprepared(&format!(r#"CREATE DATABASE "{name}""#)).await.expect("create test database");
                admin.close().await.ok();
                let url = match server_url.rsplit_once('/') {
                    Some((base, _)) => format!("{base}/{name}"),
                    None => panic!("DATABASE_URL must end with a database name"),
                };
                Self { url, kind: StoreKind::Postgres { server_url, name } }
            }
            None => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("xietong.db").display());
                Self { url, kind: StoreKind::Sqlite(dir) }
            }
        }
    }

    /// Whether this is a PostgreSQL database.
    pub fn is_postgres(&self) -> bool {
        matches!(self.kind, StoreKind::Postgres { .. })
    }

    /// A connection of the test's own to the store (to inspect it).
    pub async fn connect(&self) -> sea_orm::DatabaseConnection {
        sea_orm::Database::connect(&self.url).await.expect("connect to the test store")
    }
}

impl Drop for ProcessStore {
    fn drop(&mut self) {
        if let StoreKind::Postgres { server_url, name } = &self.kind {
            let (server_url, name) = (server_url.clone(), name.clone());
            // A fresh runtime on its own thread: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
                rt.block_on(async move {
                    if let Ok(db) = sea_orm::Database::connect(&server_url).await {
                        use sea_orm::ConnectionTrait;
                        let _ =
                            db.execute_unprepared(&format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#)).await;
                    }
                });
            })
            .join();
        }
    }
}

/// A token for `dept` (name, alias or global ID) with the given role and
/// subject, one hour long, that a [`TestProcess`] accepts.
pub async fn sign_token(db: &sea_orm::DatabaseConnection, dept: &str, role: Role, subject: &str) -> String {
    let department =
        xietong::service::departments::resolve_department(db, dept).await.expect("the department exists and is unique");
    let request = TokenRequest {
        subject: subject.into(),
        department: to_global(NodeKind::Department, &department.id).0,
        role,
        client: None,
        ttl: Duration::from_secs(3600),
    };
    let auth = AuthSettings::default();
    sign_hs256(TEST_JWT_SECRET.as_bytes(), &auth.jwt_issuer, &auth.jwt_audience, &request).expect("sign a token").0
}

/// A running `xietong` child process.
pub struct TestProcess {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub address: String,
    /// The port it listens on.
    pub port: u16,
    /// A client without idle keep-alive connections (so none delays a
    /// graceful shutdown) and a generous timeout (a liveness bound only).
    pub client: reqwest::Client,
    child: Child,
    output: Arc<Mutex<String>>,
}

impl TestProcess {
    /// Starts `xietong serve` on `database_url` and waits until `/healthz` answers.
    pub async fn start(database_url: &str) -> Self {
        Self::start_with(database_url, &[]).await
    }

    /// Like [`TestProcess::start`], with extra or overriding environment
    /// variables (e.g. `XIETONG_DB_ACQUIRE_TIMEOUT`).
    pub async fn start_with(database_url: &str, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(BIN);
        // Nothing of the caller's configuration leaks in.
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("XIETONG_") {
                command.env_remove(key);
            }
        }
        command
            .env("DATABASE_URL", database_url)
            .env("XIETONG_BIND", "127.0.0.1:0")
            .env("XIETONG_JWT_SECRET", TEST_JWT_SECRET)
            .env("XIETONG_LOG_FORMAT", "json")
            .env("RUST_LOG", "info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn")
            .env("XIETONG_DB_MAX_CONNECTIONS", "5");
        for (key, value) in env {
            command.env(key, value);
        }
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().expect("start the xietong binary");

        let output = Arc::new(Mutex::new(String::new()));
        let (port_tx, port_rx) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            drain(stdout, output.clone(), Some(port_tx.clone()));
        }
        if let Some(stderr) = child.stderr.take() {
            drain(stderr, output.clone(), Some(port_tx));
        }

        let deadline = Instant::now() + STARTUP_LIMIT;
        let port = loop {
            if let Ok(port) = port_rx.try_recv() {
                break port;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("xietong exited during startup with {status}:\n{}", lock(&output));
            }
            assert!(Instant::now() < deadline, "xietong did not listen within {STARTUP_LIMIT:?}:\n{}", lock(&output));
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(60))
            .build()
            .expect("HTTP client");
        let process = Self { address: format!("http://127.0.0.1:{port}"), port, client, child, output };
        process.wait_healthy().await;
        process
    }

    /// Polls `/healthz` until it answers 200 (bounded).
    async fn wait_healthy(&self) {
        for _ in 0..200 {
            if let Ok(response) = self.client.get(format!("{}/healthz", self.address)).send().await
                && response.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("/healthz never answered 200:\n{}", self.output());
    }

    /// The operating-system process ID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal by name (`TERM`, `INT`, `KILL`, …) without waiting.
    pub fn signal(&self, name: &str) {
        let status =
            Command::new("kill").arg(format!("-{name}")).arg(self.pid().to_string()).status().expect("run `kill`");
        assert!(status.success(), "kill -{name} {} failed: {status}", self.pid());
    }

    /// SIGTERM: the graceful shutdown a process manager asks for.
    pub fn terminate(&self) {
        self.signal("TERM");
    }

    /// SIGKILL, then reaps the process: a crash with no chance to clean up.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL xietong");
        self.child.wait().expect("reap xietong");
    }

    /// The exit status, if the process has exited.
    pub fn try_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("poll the child")
    }

    /// Waits (bounded by `limit`) for the process to exit and returns its status.
    pub async fn wait_for_exit(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.try_status() {
                return status;
            }
            assert!(Instant::now() < deadline, "xietong did not exit within {limit:?}:\n{}", self.output());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Everything the process wrote to stdout and stderr so far (for failure messages).
    pub fn output(&self) -> String {
        lock(&self.output).clone()
    }

    /// The HTTP status of `GET path`.
    pub async fn get_status(&self, path: &str) -> reqwest::StatusCode {
        self.client.get(format!("{}{path}", self.address)).send().await.expect("GET").status()
    }

    /// POSTs a GraphQL operation (with `Authorization: Bearer <token>` when
    /// given) and returns the HTTP status and the body (`null` if not JSON).
    pub async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> (reqwest::StatusCode, Value) {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("GraphQL request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

impl Drop for TestProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Copies a child's output into `output` on a thread of its own (so the
/// child never blocks on a full pipe) and reports the listening port.
fn drain(stream: impl Read + Send + 'static, output: Arc<Mutex<String>>, port: Option<mpsc::Sender<u16>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if let Some(tx) = &port
                && let Some(found) = listening_port(&line)
            {
                let _ = tx.send(found);
            }
            let mut output = lock(&output);
            output.push_str(&line);
            output.push('\n');
        }
    });
}

/// The port in xietong's "listening" log line (JSON log format).
fn listening_port(line: &str) -> Option<u16> {
    let value: Value = serde_json::from_str(line).ok()?;
    let fields = value.get("fields")?;
    if !fields.get("message")?.as_str()?.contains("listening") {
        return None;
    }
    fields.get("port")?.as_u64().and_then(|p| u16::try_from(p).ok())
}

fn lock(output: &Mutex<String>) -> std::sync::MutexGuard<'_, String> {
    output.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
