//! Connecting to the store and keeping its schema current.
//!
//! Contract of [`connect`]: a URL of an unknown form, a SQLite file that
//! cannot be opened, or a PostgreSQL server that cannot be reached is
//! reported in one sentence that names the URL's file or host and says how
//! to fix it — never as a bare driver code or "pool timed out".

pub mod keys;
pub mod plans;
pub mod rows;

use anyhow::{Context, bail};
use clap::Args;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The URL forms `--database-url` (`DATABASE_URL`) accepts, for error messages.
pub const ACCEPTED_URL_FORMS: &str = "sqlite://FILE?mode=rwc (created when missing), sqlite://FILE (must exist), \
     sqlite::memory:, or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE";

/// Where the data lives: the `--database-url` and `--db-*` flags of every command.
#[derive(Debug, Clone, Args)]
pub struct DatabaseSettings {
    /// Database URL: `sqlite://FILE?mode=rwc` (default) or `postgres://USER@HOST/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://xietong.db?mode=rwc", global = true)]
    pub database_url: String,

    /// Maximum open database connections per instance (on a SQLite file, writes have one more of their own).
    #[arg(long, env = "XIETONG_DB_MAX_CONNECTIONS", default_value_t = 10, global = true)]
    pub db_max_connections: u32,

    /// Seconds to wait for a free database connection before answering SERVICE_UNAVAILABLE.
    #[arg(long, env = "XIETONG_DB_ACQUIRE_TIMEOUT", default_value_t = 5, global = true)]
    pub db_acquire_timeout: u64,
}

/// Which store a database URL names, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// An SQLite file; `create` when the URL says `mode=rwc`.
    SqliteFile { path: PathBuf, create: bool },
    /// An in-memory SQLite database.
    SqliteMemory,
    /// A PostgreSQL server at `host:port` (a Unix-socket directory as `host` when it starts with `/`).
    Postgres { host: String, port: u16 },
}

/// Reads a database URL without touching anything.
///
/// # Errors
/// A URL of none of the [`ACCEPTED_URL_FORMS`].
pub fn locate(url: &str) -> anyhow::Result<StoreLocation> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let (file, query) = rest.split_once('?').unwrap_or((rest, ""));
        if file == ":memory:" || file.is_empty() && query.contains("mode=memory") {
            return Ok(StoreLocation::SqliteMemory);
        }
        if file.is_empty() {
            bail!("the database URL `{url}` names no file; accepted forms: {ACCEPTED_URL_FORMS}");
        }
        let create = query.split('&').any(|pair| pair == "mode=rwc");
        return Ok(StoreLocation::SqliteFile { path: PathBuf::from(file), create });
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let options: sea_orm::sqlx::postgres::PgConnectOptions =
            url.parse().with_context(|| format!("the database URL `{}` is not a valid PostgreSQL URL", redact(url)))?;
        return Ok(StoreLocation::Postgres { host: options.get_host().to_owned(), port: options.get_port() });
    }
    bail!("the database URL `{}` is of an unknown form; accepted forms: {ACCEPTED_URL_FORMS}", redact(url))
}

/// The URL with any password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((credentials, host)) = rest.split_once('@') else { return url.to_owned() };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// Checks that the store a URL names can be opened, before the pool tries:
/// the SQLite file (or, with `mode=rwc`, its directory) exists; the
/// PostgreSQL server accepts TCP connections.
///
/// # Errors
/// One sentence naming the file or host and the fix.
pub async fn preflight(url: &str) -> anyhow::Result<StoreLocation> {
    let location = locate(url)?;
    match &location {
        StoreLocation::SqliteMemory => {}
        StoreLocation::SqliteFile { path, create: false } if !path.exists() => bail!(
            "the SQLite file {} does not exist; add `?mode=rwc` to the URL to create it (sqlite://{}?mode=rwc)",
            path.display(),
            path.display()
        ),
        StoreLocation::SqliteFile { path, create: true } => {
            let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            if !dir.is_dir() {
                bail!(
                    "cannot create the SQLite file {}: the directory {} does not exist",
                    path.display(),
                    dir.display()
                );
            }
        }
        StoreLocation::SqliteFile { .. } => {}
        StoreLocation::Postgres { host, .. } if host.starts_with('/') => {}
        StoreLocation::Postgres { host, port } => {
            let attempt =
                tokio::time::timeout(Duration::from_secs(5), tokio::net::TcpStream::connect((host.as_str(), *port)));
            match attempt.await {
                Ok(Ok(_)) => {}
                Ok(Err(error)) if error.kind() == std::io::ErrorKind::ConnectionRefused => bail!(
                    "PostgreSQL at {host}:{port} refused the connection: is the server running and listening on that port?"
                ),
                Ok(Err(error)) => bail!("cannot reach PostgreSQL at {host}:{port}: {error}"),
                Err(_) => bail!("cannot reach PostgreSQL at {host}:{port}: no answer within 5 s"),
            }
        }
    }
    Ok(location)
}

/// Opens a connection pool to SQLite or PostgreSQL as the URL says.
///
/// SQLite files are created when the URL says `mode=rwc`, run in WAL mode and
/// wait up to 5 s for a lock instead of failing with "database is locked".
///
/// PostgreSQL sessions run with `jit = off`. The access rules make a page
/// statement long (one subquery per rule, in each `UNION ALL` arm), and its
/// estimated cost crosses `jit_above_cost` although it reads a few dozen
/// rows: compiling it took 1.4 s of a request whose statement runs in 10 ms
/// (BENCHMARKS.md). xietong runs short statements only, where JIT never pays.
///
/// They also run with `plan_cache_mode = force_generic_plan`: each prepared
/// statement is planned once per connection, not at every execution. Left to
/// choose, PostgreSQL kept planning the statements that carry a non-ADMIN
/// caller's visibility rules anew at each execution (about 1.2 ms of planning
/// for 0.6 ms of work), because the plan it would keep is estimated for a key
/// array of unknown length; the plan it keeps is the one it ran anyway
/// (BENCHMARKS.md, 2026-12-04). xietong's statements read by key, by a keyset
/// page in index order, or whole small tables, so a value never changes the
/// best plan; the one statement whose best plan depends on a value (the
/// change feed's "since position", [`crate::auth`]'s caller cache) writes it
/// into its text. A `DATABASE_URL` that sets `plan_cache_mode` itself
/// (`?options=-c%20plan_cache_mode%3Dauto`) keeps its own.
///
/// # Errors
/// See the module contract.
pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<DatabaseConnection> {
    let location = preflight(&settings.database_url).await?;
    open(settings, &location, settings.db_max_connections).await
}

/// Opens the [`Writer`] of the store whose read pool is `reads` (opened by
/// [`connect`] from the same `settings`).
///
/// # Errors
/// See the module contract.
pub async fn connect_writer(settings: &DatabaseSettings, reads: &DatabaseConnection) -> anyhow::Result<Writer> {
    match locate(&settings.database_url)? {
        location @ StoreLocation::SqliteFile { .. } => Ok(Writer(open(settings, &location, 1).await?)),
        StoreLocation::SqliteMemory | StoreLocation::Postgres { .. } => Ok(Writer(reads.clone())),
    }
}

/// The connection every audited write opens its transaction on.
///
/// SQLite admits one writer at a time. A second writer waits in SQLite's
/// busy handler, which sleeps and tries again at growing intervals, so under
/// concurrent writes the unlucky ones waited hundreds of milliseconds for a
/// lock held for two or three (`recordActual` at 16 clients: p99 445 ms
/// against p50 18 ms, BENCHMARKS.md). On a SQLite file the writer is therefore
/// a pool of its own with one connection: writers queue for it inside the
/// process, first come first served, while reads keep the main pool (WAL lets
/// them read beside the writer). On PostgreSQL, whose row locks queue writers
/// already, and on an in-memory SQLite database (a second pool would open a
/// second, empty database), it is the main pool.
///
/// Contract: while a transaction on the writer is open, nothing in it may
/// wait for another connection of the writer (on SQLite there is none: the
/// wait would end in the acquire timeout).
#[derive(Clone, Debug)]
pub struct Writer(DatabaseConnection);

impl Writer {
    /// The writer's connection pool (one connection on a SQLite file).
    pub fn connection(&self) -> &DatabaseConnection {
        &self.0
    }

    /// Closes the writer's connections (and, where it is the main pool, that pool).
    pub async fn close(self) {
        self.0.close().await.ok();
    }

    /// The connection pool, to attach a [`StatementCounter`] to.
    fn connection_mut(&mut self) -> &mut DatabaseConnection {
        &mut self.0
    }
}

/// Opens a pool of at most `max_connections` to the store at `location`.
async fn open(
    settings: &DatabaseSettings,
    location: &StoreLocation,
    max_connections: u32,
) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(settings.database_url.clone());
    let own_plan_cache_mode = settings.database_url.contains("plan_cache_mode");
    options
        .max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(settings.db_acquire_timeout))
        .connect_timeout(Duration::from_secs(settings.db_acquire_timeout))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        })
        .map_sqlx_postgres_opts(move |opts| {
            let opts = opts.options([("jit", "off")]);
            if own_plan_cache_mode { opts } else { opts.options([("plan_cache_mode", "force_generic_plan")]) }
        });
    Database::connect(options).await.map_err(|error| match location {
        StoreLocation::SqliteFile { path, .. } => {
            anyhow::anyhow!("cannot open the SQLite file {}: {}", path.display(), driver_message(&error))
        }
        StoreLocation::SqliteMemory => {
            anyhow::anyhow!("cannot open an in-memory SQLite database: {}", driver_message(&error))
        }
        StoreLocation::Postgres { host, port } => {
            anyhow::anyhow!("cannot connect to PostgreSQL at {host}:{port}: {}", driver_message(&error))
        }
    })
}

/// The innermost driver message of a connection error, without sea-orm's wrapping.
fn driver_message(error: &DbErr) -> String {
    match error {
        DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e)) => e.to_string(),
        other => other.to_string(),
    }
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Whether the store answers a trivial query (for `/readyz`).
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}

/// Counts the SQL statements a connection pool executes (for metrics and for
/// tests asserting that a request's statement count does not grow with its size).
#[derive(Clone, Default, Debug)]
pub struct StatementCounter(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl StatementCounter {
    /// Starts counting the statements of `db` (and of every clone made afterwards).
    pub fn attach(db: &mut DatabaseConnection) -> Self {
        let counter = Self::default();
        counter.count(db);
        counter
    }

    /// Counts the statements of `writer` too (on SQLite a pool of its own).
    pub fn attach_writer(&self, writer: &mut Writer) {
        self.count(writer.connection_mut());
    }

    fn count(&self, db: &mut DatabaseConnection) {
        let inner = self.0.clone();
        db.set_metric_callback(move |_| {
            inner.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
    }

    /// Statements executed so far.
    pub fn get(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::TransactionTrait;

    #[test]
    fn urls_are_located_without_touching_anything() -> anyhow::Result<()> {
        assert_eq!(
            locate("sqlite://xietong.db?mode=rwc")?,
            StoreLocation::SqliteFile { path: "xietong.db".into(), create: true }
        );
        assert_eq!(locate("sqlite:data/x.db")?, StoreLocation::SqliteFile { path: "data/x.db".into(), create: false });
        assert_eq!(locate("sqlite::memory:")?, StoreLocation::SqliteMemory);
        assert_eq!(
            locate("postgres://postgres@127.0.0.1:5433/xietong")?,
            StoreLocation::Postgres { host: "127.0.0.1".into(), port: 5433 }
        );
        for bad in ["mysql://root@localhost/x", "xietong.db", "sqlite://", "http://example"] {
            let message = locate(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(message.contains("accepted forms"), "{bad}: {message}");
        }
        Ok(())
    }

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(redact("postgres://app:hunter2@db/x"), "postgres://app:***@db/x");
        assert_eq!(redact("postgres://app@db/x"), "postgres://app@db/x");
        let message = locate("postgresx://app:hunter2@db/x").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(!message.contains("hunter2"), "{message}");
    }

    #[tokio::test]
    async fn a_missing_sqlite_file_is_named_with_the_fix() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("absent.db");
        let message = preflight(&format!("sqlite://{}", file.display())).await.err().map(|e| e.to_string());
        let message = message.unwrap_or_default();
        assert!(message.contains("absent.db") && message.contains("mode=rwc"), "{message}");
        let nested = dir.path().join("no/such/dir/x.db");
        let message = preflight(&format!("sqlite://{}?mode=rwc", nested.display())).await.err().map(|e| e.to_string());
        assert!(message.unwrap_or_default().contains("does not exist"));
        assert!(!nested.exists());
        Ok(())
    }

    fn settings(url: String) -> DatabaseSettings {
        DatabaseSettings { database_url: url, db_max_connections: 4, db_acquire_timeout: 5 }
    }

    #[tokio::test]
    async fn on_a_sqlite_file_writes_queue_for_one_connection_while_reads_go_on() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let settings = settings(format!("sqlite://{}?mode=rwc", dir.path().join("w.db").display()));
        let reads = connect(&settings).await?;
        let writer = connect_writer(&settings, &reads).await?;
        writer.connection().execute_unprepared("CREATE TABLE t (n INTEGER)").await?;

        let first = writer.connection().begin().await?;
        first.execute_unprepared("INSERT INTO t VALUES (1)").await?;
        // A second writer waits in the process for the one connection: its
        // BEGIN does not return (on a connection of its own, SQLite's deferred
        // BEGIN would return at once, and its INSERT would sleep in the busy handler) ...
        let begun = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let second = tokio::spawn({
            let (writer, begun) = (writer.clone(), begun.clone());
            async move {
                let txn = writer.connection().begin().await?;
                begun.store(true, std::sync::atomic::Ordering::SeqCst);
                txn.execute_unprepared("INSERT INTO t VALUES (2)").await?;
                txn.commit().await
            }
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!begun.load(std::sync::atomic::Ordering::SeqCst), "a second write transaction began beside the first");
        // ... while the read pool reads the last committed state beside the open write.
        let count = |db: DatabaseConnection| async move {
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(
                    db.get_database_backend(),
                    "SELECT COUNT(*) AS n FROM t",
                ))
                .await?;
            row.map(|r| r.try_get::<i64>("", "n")).transpose()
        };
        assert_eq!(count(reads.clone()).await?, Some(0));
        first.commit().await?;
        second.await??;
        assert_eq!(count(reads).await?, Some(2));
        Ok(())
    }

    #[tokio::test]
    async fn in_memory_the_writer_writes_the_database_the_reads_see() -> anyhow::Result<()> {
        let settings = settings("sqlite::memory:".into());
        let reads = connect(&settings).await?;
        let writer = connect_writer(&settings, &reads).await?;
        writer.connection().execute_unprepared("CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (7)").await?;
        let row = reads
            .query_one_raw(sea_orm::Statement::from_string(reads.get_database_backend(), "SELECT n FROM t"))
            .await?;
        assert_eq!(row.map(|r| r.try_get::<i64>("", "n")).transpose()?, Some(7));
        Ok(())
    }

    #[tokio::test]
    async fn a_refused_postgres_connection_says_so() -> anyhow::Result<()> {
        // A port nobody listens on: bind one, note it, release it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let url = format!("postgres://postgres@127.0.0.1:{port}/xietong");
        let message = preflight(&url).await.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("refused") && message.contains(&format!("127.0.0.1:{port}")), "{message}");
        Ok(())
    }
}
