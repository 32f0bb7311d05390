//! Command line and configuration: every flag has an environment variable.
//!
//! With no configuration at all, `xietong` serves on 127.0.0.1:8080 from a
//! SQLite file `xietong.db` in the working directory, which it creates,
//! migrates and seeds on first start.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// xietong (协同): the GraphQL API for Jing-Jin-Ji green low-carbon coordination data.
#[derive(Debug, Parser)]
#[command(name = "xietong", version, about, long_about = None, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseSettings,

    /// Settings of `serve`, also accepted without the subcommand.
    #[command(flatten)]
    pub serve: ServeSettings,

    /// Log format: `pretty` for people, `json` for log collectors.
    #[arg(long, env = "XIETONG_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,

    /// Command to run; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What `xietong` should do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (migrates, and seeds an empty database, first).
    Serve(ServeSettings),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Import the default dataset from data/sources (idempotent: same IDs every time).
    Seed,
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DatabaseSettings {
    /// Database URL: `sqlite://FILE?mode=rwc` (default) or `postgres://USER@HOST/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://xietong.db?mode=rwc", global = true)]
    pub database_url: String,

    /// Maximum open database connections per instance.
    #[arg(long, env = "XIETONG_DB_MAX_CONNECTIONS", default_value_t = 10, global = true)]
    pub db_max_connections: u32,

    /// Seconds to wait for a free database connection before answering SERVICE_UNAVAILABLE.
    #[arg(long, env = "XIETONG_DB_ACQUIRE_TIMEOUT", default_value_t = 5, global = true)]
    pub db_acquire_timeout: u64,
}

/// Settings of `xietong serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeSettings {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "XIETONG_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// Do not load the default dataset into an empty database.
    #[arg(long, env = "XIETONG_NO_SEED", default_value_t = false)]
    pub no_seed: bool,

    #[command(flatten)]
    pub limits: Limits,
}

impl Default for ServeSettings {
    fn default() -> Self {
        Self { bind: "127.0.0.1:8080".into(), no_seed: false, limits: Limits::default() }
    }
}

/// Limits that protect the server from expensive or hostile requests.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Largest page a list returns (`first`/`last`).
    #[arg(long, env = "XIETONG_MAX_PAGE_SIZE", default_value_t = 100)]
    pub max_page_size: u32,

    /// Deepest selection nesting a query may have.
    #[arg(long, env = "XIETONG_MAX_DEPTH", default_value_t = 12)]
    pub max_depth: usize,

    /// Highest query cost; list fields multiply their children's cost by the page size.
    #[arg(long, env = "XIETONG_MAX_COMPLEXITY", default_value_t = 50_000)]
    pub max_complexity: usize,

    /// Largest request body, in bytes.
    #[arg(long, env = "XIETONG_MAX_BODY_BYTES", default_value_t = 262_144)]
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_page_size: 100, max_depth: 12, max_complexity: 50_000, max_body_bytes: 262_144 }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}
