//! `spawn_app()`: the real application on a random port with a fresh database.

use serde_json::{Value, json};
use std::sync::OnceLock;
use xietong::access::Role;
use xietong::auth::AuthSettings;
use xietong::auth::issue::{TokenRequest, sign_hs256};
use xietong::auth::settings::JwtSecret;
use xietong::config::ServeSettings;
use xietong::db::DatabaseSettings;
use xietong::graphql::Limits;
use xietong::http::rate_limit::RateLimitSettings;
use xietong::ids::{NodeKind, to_global};
use xietong::startup::Application;

/// The HS256 secret of every test app (fixed, so tests sign their own tokens;
/// no secret file is written).
pub const TEST_JWT_SECRET: &str = "xietong-test-only-secret-0123456789abcdefghijklmnop";

/// Authentication settings of [`spawn_app`]: HS256 with [`TEST_JWT_SECRET`],
/// issuer and audience `xietong`.
pub fn test_auth() -> AuthSettings {
    AuthSettings { jwt_secret: Some(JwtSecret::new(TEST_JWT_SECRET)), ..AuthSettings::default() }
}

/// A running application and a client for it.
pub struct TestApp {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub address: String,
    pub client: reqwest::Client,
    pub db: sea_orm::DatabaseConnection,
    /// The database URL the app uses (for running the `xietong` binary against it).
    pub database_url: String,
    /// The app's authentication settings.
    pub auth: AuthSettings,
    /// Counts the SQL statements this instance executes.
    pub statements: xietong::db::StatementCounter,
    /// Stops the server ([`TestApp::stop`]).
    pub server: actix_web::dev::ServerHandle,
    /// Ends when the application has stopped (its webhook worker too).
    running: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _store: TestStore,
}

/// A second server process-equivalent on the same database as a [`TestApp`].
pub struct Instance {
    pub address: String,
    pub server: actix_web::dev::ServerHandle,
    running: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Instance {
    /// Stops it gracefully, as SIGTERM would, and waits until it has stopped.
    pub async fn stop(self) {
        self.server.stop(true).await;
        let _ = self.running.await;
    }
}

/// The per-test database; removed when the test ends.
enum TestStore {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { server_url: String, name: String },
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let TestStore::Postgres { server_url, name } = self {
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

/// The PostgreSQL server URL to test against, if `DATABASE_URL` names one.
pub fn postgres_url() -> Option<String> {
    std::env::var("DATABASE_URL").ok().filter(|u| u.starts_with("postgres"))
}

/// Whether this is a CI run: `CI` set and not empty, `false` or `0` (.ci/run sets `CI=true`).
pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Says on the test process's standard error that `test` was skipped, and why.
///
/// Written to the stream itself, not with `eprintln!`: libtest captures what
/// `eprintln!` prints and shows it only for a failing test, so a skip said that
/// way would pass unseen.
pub fn say_skipped(test: &str, why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped {test}: {why}");
}

/// Whether `test` can run, given whether `what` (a program, npm packages, a
/// browser) is installed.
///
/// Contract: without it the test is skipped with a line on standard error
/// naming the test and what it lacks, except under CI ([`ci`]), where it
/// fails: .ci/run installs everything such tests need, so a skip there would
/// hide a test that never ran.
pub fn needs_installed(installed: bool, test: &str, what: &str) -> bool {
    if !installed {
        assert!(!ci(), "{test} cannot run: {what} is missing (.ci/run installs it)");
        say_skipped(test, &format!("{what} is missing"));
    }
    installed
}

/// The database a test run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Sqlite,
    Postgres,
}

impl Store {
    /// The store of this run: PostgreSQL when `DATABASE_URL` names a server, else SQLite.
    pub fn of_this_run() -> Self {
        if postgres_url().is_some() { Store::Postgres } else { Store::Sqlite }
    }
}

/// Whether `test`, which means something on `store` only, runs in this run.
///
/// Contract: on the other store the test is skipped with a line on standard
/// error naming it and the store it needs. Unlike a missing tool
/// ([`needs_installed`]) this is no failure under CI: .ci/run runs the API
/// tests once on each store (`cargo test`, then `cargo test --test api` with
/// `DATABASE_URL` naming PostgreSQL), so a store-specific test skipped in one
/// pass runs in the other, and failing the pass that cannot run it would fail
/// every CI run. A PostgreSQL pass that cannot reach its server fails on its
/// own (every test's fresh database needs the server).
pub fn runs_on(store: Store, test: &str) -> bool {
    let runs = Store::of_this_run() == store;
    if !runs {
        let how = match store {
            Store::Postgres => "PostgreSQL (DATABASE_URL=postgres://…)",
            Store::Sqlite => "SQLite (DATABASE_URL unset)",
        };
        say_skipped(test, &format!("it runs on {how} only; CI runs it in that store's pass"));
    }
    runs
}

fn init_logs() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        if std::env::var("TEST_LOG").is_ok() {
            xietong::telemetry::init(xietong::telemetry::LogFormat::Pretty);
        }
    });
}

/// A fresh database: a temporary SQLite file, or a new PostgreSQL database.
async fn fresh_store() -> (String, TestStore) {
    match postgres_url() {
        Some(server_url) => {
            let name = format!("xietong_test_{}", uuid::Uuid::new_v4().simple());
            let admin = sea_orm::Database::connect(&server_url).await.expect("connect to PostgreSQL");
            use sea_orm::ConnectionTrait;
            admin.execute_unprepared(&format!(r#"CREATE DATABASE "{name}""#)).await.expect("create test database");
            admin.close().await.ok();
            let url = match server_url.rsplit_once('/') {
                Some((base, _)) => format!("{base}/{name}"),
                None => panic!("DATABASE_URL must end with a database name"),
            };
            (url, TestStore::Postgres { server_url, name })
        }
        None => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            (url, TestStore::Sqlite(dir))
        }
    }
}

/// Starts the application with the default dataset.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Limits::default()).await
}

/// Starts the application with the default dataset and the given limits.
pub async fn spawn_app_with(limits: Limits) -> TestApp {
    spawn(limits, test_auth()).await
}

/// Starts the application with the default dataset and the given authentication settings.
pub async fn spawn_app_with_auth(auth: AuthSettings) -> TestApp {
    spawn(Limits::default(), auth).await
}

/// Starts the application with the default dataset, allowing browser pages
/// of `origins` to call it (CORS).
pub async fn spawn_app_with_cors(origins: &[&str]) -> TestApp {
    let cors_origins = origins.iter().map(|origin| origin.to_string()).collect();
    spawn_with(ServeSettings { cors_origins, ..test_settings(Limits::default(), test_auth()) }).await
}

/// Starts the application with the default dataset and the serve settings
/// `configure` makes of a test app's (e.g. a rate limit, subscription caps).
pub async fn spawn_app_configured(configure: impl FnOnce(&mut ServeSettings)) -> TestApp {
    let mut settings = test_settings(Limits::default(), test_auth());
    configure(&mut settings);
    spawn_with(settings).await
}

/// Serve settings of a test app: a random port, the default dataset, and no
/// rate limit (the command line's default would refuse the bursts some tests
/// send); a test of rate limiting sets its own through [`spawn_app_configured`].
fn test_settings(limits: Limits, auth: AuthSettings) -> ServeSettings {
    let rate_limit = RateLimitSettings { rate_limit_per_minute: 0, ..RateLimitSettings::DEFAULT };
    ServeSettings { bind: "127.0.0.1:0".into(), no_seed: false, limits, rate_limit, auth, ..ServeSettings::default() }
}

async fn spawn(limits: Limits, auth: AuthSettings) -> TestApp {
    spawn_with(test_settings(limits, auth)).await
}

async fn spawn_with(settings: ServeSettings) -> TestApp {
    init_logs();
    let (database_url, store) = fresh_store().await;
    let database =
        DatabaseSettings { database_url: database_url.clone(), db_max_connections: 5, db_acquire_timeout: 5 };
    let auth = settings.auth.clone();
    let app = Application::build(&database, &settings).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.db();
    let statements = app.statements();
    let server = app.handle();
    let running = Some(tokio::spawn(app.run_until_stopped()));
    TestApp {
        address,
        client: reqwest::Client::new(),
        db,
        database_url,
        auth,
        statements,
        server,
        running,
        _store: store,
    }
}

impl TestApp {
    /// Starts another instance on this app's database (as a second server
    /// behind a load balancer would be), without seeding.
    pub async fn another_instance(&self) -> Instance {
        self.another_instance_configured(|_| {}).await
    }

    /// Like [`TestApp::another_instance`], with the serve settings `configure` makes of a test app's.
    pub async fn another_instance_configured(&self, configure: impl FnOnce(&mut ServeSettings)) -> Instance {
        let database =
            DatabaseSettings { database_url: self.database_url.clone(), db_max_connections: 5, db_acquire_timeout: 5 };
        let mut settings = ServeSettings { no_seed: true, ..test_settings(Limits::default(), self.auth.clone()) };
        configure(&mut settings);
        let app = Application::build(&database, &settings).await.expect("build second instance");
        let address = format!("http://127.0.0.1:{}", app.port());
        let server = app.handle();
        let running = tokio::spawn(app.run_until_stopped());
        Instance { address, server, running }
    }

    /// Stops this app's server gracefully, as SIGTERM would, and waits until it
    /// (and its webhook worker) has stopped; the database stays.
    pub async fn stop(&mut self) {
        self.server.stop(true).await;
        if let Some(running) = self.running.take() {
            let _ = running.await;
        }
    }

    /// POSTs a GraphQL operation and returns the whole response body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("JSON body")
    }

    /// POSTs a GraphQL operation with `Authorization: Bearer <token>` and returns the whole body.
    pub async fn graphql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        self.post_graphql(Some(&format!("Bearer {token}")), query, variables).await.1
    }

    /// POSTs a GraphQL operation with the given raw `Authorization` header
    /// value (or none) and returns the HTTP status and the body.
    pub async fn post_graphql(
        &self,
        authorization: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (reqwest::StatusCode, Value) {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(value) = authorization {
            request = request.header(reqwest::header::AUTHORIZATION, value);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        (status, response.json().await.expect("JSON body"))
    }

    /// A valid one-hour token (HS256, [`TEST_JWT_SECRET`]) with subject
    /// `test-user` for the department named by `dept` (global ID, name or alias).
    pub async fn token(&self, dept: &str, role: Role) -> String {
        let department = xietong::service::departments::resolve_department(&self.db, dept)
            .await
            .expect("the department exists and is unique");
        let request = TokenRequest {
            subject: "test-user".into(),
            department: to_global(NodeKind::Department, &department.id).0,
            role,
            client: None,
            ttl: std::time::Duration::from_secs(3600),
        };
        let (token, _) =
            sign_hs256(TEST_JWT_SECRET.as_bytes(), &self.auth.jwt_issuer, &self.auth.jwt_audience, &request)
                .expect("sign a token");
        token
    }

    /// Waits until `token`'s caller is served from memory (a request that costs
    /// no statement), so that statement counts show the request alone. Change
    /// notifications arrive asynchronously (PostgreSQL's listener also wakes
    /// everyone once it connects) and each makes the next caller look at the feed.
    pub async fn warm_caller(&self, token: &str) {
        let mut free_in_a_row = 0;
        for _ in 0..50 {
            let before = self.statements.get();
            let body = self.graphql_as(token, "{ viewer { authenticated } }", json!({})).await;
            assert_eq!(body["data"]["viewer"]["authenticated"], json!(true), "{body:#}");
            free_in_a_row = if self.statements.get() == before { free_in_a_row + 1 } else { 0 };
            if free_in_a_row == 3 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("the caller of a token still costs statements after 50 requests");
    }

    /// Every node of the root connection `list`, paging 100 at a time, each
    /// with `selection`: for checks that must see a whole list.
    pub async fn all_nodes(&self, list: &str, selection: &str) -> Vec<Value> {
        let query = format!(
            "query($after: String) {{ {list}(first: 100, after: $after) {{ pageInfo {{ hasNextPage endCursor }}
               nodes {{ {selection} }} }} }}"
        );
        let mut after: Option<String> = None;
        let mut out = Vec::new();
        loop {
            let data = self.data(&query, json!({ "after": after })).await;
            out.extend(data[list]["nodes"].as_array().expect("nodes").iter().cloned());
            if data[list]["pageInfo"]["hasNextPage"] != true {
                return out;
            }
            after = data[list]["pageInfo"]["endCursor"].as_str().map(str::to_string);
        }
    }

    /// Like [`TestApp::graphql`], but fails the test on any GraphQL error and returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// Like [`TestApp::graphql_as`], but fails the test on any GraphQL error and
    /// returns `data`: for the setup steps of a test (a query whose answer it
    /// builds on, a mutation that must have happened).
    pub async fn data_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let body = self.graphql_as(token, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }
}

/// The `extensions.code` of the first error of a response.
pub fn error_code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}
