//! Connecting to the store and keeping its schema current.

use crate::config::DatabaseSettings;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};
use std::time::Duration;

/// Opens a connection pool to SQLite or PostgreSQL as the URL says.
///
/// SQLite files are created when missing (`mode=rwc`), run in WAL mode and
/// wait up to 5 s for a lock instead of failing with "database is locked".
pub async fn connect(settings: &DatabaseSettings) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(settings.database_url.clone());
    options
        .max_connections(settings.db_max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(settings.db_acquire_timeout))
        .connect_timeout(Duration::from_secs(settings.db_acquire_timeout))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    let db = Database::connect(options).await?;
    Ok(db)
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
        let inner = counter.0.clone();
        db.set_metric_callback(move |_| {
            inner.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        counter
    }

    /// Statements executed so far.
    pub fn get(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}
