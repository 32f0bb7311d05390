//! Command line and configuration: every flag has an environment variable.
//!
//! With no configuration at all, `xietong` serves on 127.0.0.1:8080 from a
//! SQLite file `xietong.db` in the working directory, which it creates,
//! migrates and seeds on first start.

use crate::access::Role;
use crate::auth::AuthSettings;
use crate::auth::claims::parse_role;
use crate::auth::duration::parse_ttl;
pub use crate::http::rate_limit::RateLimitSettings;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::time::Duration;

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
    /// Import the default dataset — the five source documents built into this binary (idempotent: same IDs
    /// every time).
    Seed,
    /// Access tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Write a large synthetic dataset (for benchmarks) under Tianjin's districts; no audit entries.
    Generate(GenerateArgs),
}

/// Settings of `xietong generate` (see [`crate::generate`]).
#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// Tianjin districts to generate plans for (at most 16), in order of administrative code.
    #[arg(long, env = "XIETONG_GEN_DISTRICTS", default_value_t = 16)]
    pub districts: usize,

    /// Plans per district.
    #[arg(long, env = "XIETONG_GEN_PLANS_PER_DISTRICT", default_value_t = 20)]
    pub plans_per_district: usize,

    /// Tasks per plan (action groups and their numbered tasks together).
    #[arg(long, env = "XIETONG_GEN_TASKS_PER_PLAN", default_value_t = 200)]
    pub tasks_per_plan: usize,

    /// Indicators per task.
    #[arg(long, env = "XIETONG_GEN_INDICATORS_PER_TASK", default_value_t = 3)]
    pub indicators_per_task: usize,

    /// Reported actuals per indicator (periods from 2021 on, with revisions).
    #[arg(long, env = "XIETONG_GEN_ACTUALS_PER_INDICATOR", default_value_t = 20)]
    pub actuals_per_indicator: usize,

    /// Seed of the generated values (IDs depend only on the record's position).
    #[arg(long, env = "XIETONG_GEN_SEED", default_value_t = 1)]
    pub seed: u64,
}

/// `xietong audit …`.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain of the audit trail and name the first broken link (exit status 1 if any).
    Verify,
}

/// `xietong token …`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a token the local server accepts (HS256, signed with the local secret).
    Issue(IssueTokenArgs),
}

/// Settings of `xietong token issue`.
#[derive(Debug, Clone, Args)]
pub struct IssueTokenArgs {
    /// Department: its global ID, or its name or an alias (an ambiguous name lists the candidates).
    #[arg(long)]
    pub dept: String,

    /// Role: ADMIN, COORDINATOR, BUREAU or READER.
    #[arg(long, value_parser = parse_role)]
    pub role: Role,

    /// Lifetime, e.g. 30m, 8h, 7d (at most 366d).
    #[arg(long, default_value = "8h", value_parser = parse_ttl)]
    pub ttl: Duration,

    /// Name of the calling system (`client` claim).
    #[arg(long)]
    pub client: Option<String>,

    /// Subject (`sub` claim); default: the local user name.
    #[arg(long)]
    pub subject: Option<String>,

    #[command(flatten)]
    pub auth: AuthSettings,
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

    /// Origins (`https://host[:port]`, comma-separated) whose web pages may call the API from a
    /// browser (CORS); none by default. Other origins get no CORS headers.
    #[arg(long, env = "XIETONG_CORS_ORIGINS", value_delimiter = ',', value_parser = parse_origin)]
    pub cors_origins: Vec<String>,

    #[command(flatten)]
    pub limits: Limits,

    #[command(flatten)]
    pub auth: AuthSettings,
}

impl Default for ServeSettings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            no_seed: false,
            cors_origins: Vec::new(),
            limits: Limits::default(),
            auth: AuthSettings::default(),
        }
    }
}

/// A CORS origin as browsers send it: `http` or `https`, a host, an optional
/// port, nothing after (a trailing `/` is dropped); lower-cased.
///
/// # Errors
/// For anything else, including `*` (credentials need explicit origins).
pub fn parse_origin(text: &str) -> Result<String, String> {
    let origin = text.trim().trim_end_matches('/').to_ascii_lowercase();
    let expected = "expected an origin such as https://app.example.gov.cn or http://127.0.0.1:3000";
    let (scheme, rest) = origin.split_once("://").ok_or_else(|| format!("{text:?}: {expected}"))?;
    let host_ok = !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@', '*', ' '])
        && rest.parse::<actix_web::http::uri::Authority>().is_ok();
    if !matches!(scheme, "http" | "https") || !host_ok {
        return Err(format!("{text:?}: {expected}"));
    }
    Ok(origin)
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

    /// Deepest selection nesting of an operation that only introspects (`__schema`, `__type`): the standard
    /// introspection query nests 15 levels.
    #[arg(long, env = "XIETONG_MAX_INTROSPECTION_DEPTH", default_value_t = 24)]
    pub max_introspection_depth: usize,

    /// Most tokens (names, values, punctuation) the query text may hold; checked before parsing.
    #[arg(long, env = "XIETONG_MAX_TOKENS", default_value_t = 10_000)]
    pub max_tokens: usize,

    /// Most fields a document may select once its fragment spreads are expanded; checked before validation.
    #[arg(long, env = "XIETONG_MAX_FIELDS", default_value_t = 5_000)]
    pub max_fields: usize,

    /// Most fragment spreads a document may make once its fragment spreads are expanded.
    #[arg(long, env = "XIETONG_MAX_FRAGMENT_SPREADS", default_value_t = 1_000)]
    pub max_fragment_spreads: usize,

    /// Most directives a document may use once its fragment spreads are expanded.
    #[arg(long, env = "XIETONG_MAX_DIRECTIVES", default_value_t = 500)]
    pub max_directives: usize,

    /// Refuse introspection (`__schema`, `__type`); the schema stays published at /schema.graphql.
    #[arg(long, env = "XIETONG_NO_INTROSPECTION", default_value_t = false)]
    pub no_introspection: bool,

    /// Highest query cost; list fields multiply their children's cost by the page size.
    #[arg(long, env = "XIETONG_MAX_COMPLEXITY", default_value_t = 250_000)]
    pub max_complexity: usize,

    /// Largest request body, in bytes.
    #[arg(long, env = "XIETONG_MAX_BODY_BYTES", default_value_t = 262_144)]
    pub max_body_bytes: usize,

    /// Most aliased fields one document may use.
    #[arg(long, env = "XIETONG_MAX_ALIASES", default_value_t = 30)]
    pub max_aliases: usize,

    /// Most operations one batched request may carry.
    #[arg(long, env = "XIETONG_MAX_BATCH", default_value_t = 10)]
    pub max_batch: usize,

    /// Allow-list mode: a file of SHA-256 hashes (hex, one per line, `#` comments) of the only operations
    /// the server executes.
    #[arg(long, env = "XIETONG_ALLOWED_OPERATIONS")]
    pub allowed_operations: Option<std::path::PathBuf>,

    /// Per-caller rate limit on /graphql (see `crate::http::rate_limit`).
    #[command(flatten)]
    pub rate_limit: RateLimitSettings,

    /// Caps on open subscriptions (see `crate::http::subscriptions`).
    #[command(flatten)]
    pub subscriptions: crate::http::subscriptions::SubscriptionSettings,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_page_size: 100,
            max_depth: 12,
            max_introspection_depth: 24,
            max_tokens: 10_000,
            max_fields: 5_000,
            max_fragment_spreads: 1_000,
            max_directives: 500,
            no_introspection: false,
            max_complexity: 250_000,
            max_body_bytes: 262_144,
            max_aliases: 30,
            max_batch: 10,
            allowed_operations: None,
            rate_limit: RateLimitSettings::default(),
            subscriptions: crate::http::subscriptions::SubscriptionSettings::default(),
        }
    }
}

impl Limits {
    /// Reads the allow-list file, if one is configured.
    ///
    /// # Errors
    /// When the file cannot be read or holds a line that is not a SHA-256 hash.
    pub fn load_allowed_operations(&self) -> anyhow::Result<Option<std::collections::HashSet<String>>> {
        let Some(path) = &self.allowed_operations else { return Ok(None) };
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("reading the allow-list {}: {e}", path.display()))?;
        let mut hashes = std::collections::HashSet::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let hash = line.trim_start_matches("sha256:").to_ascii_lowercase();
            if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
                anyhow::bail!("{}:{}: not a SHA-256 hash: {line}", path.display(), n + 1);
            }
            hashes.insert(hash);
        }
        Ok(Some(hashes))
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn token_issue_parses() -> Result<(), clap::Error> {
        let cli = Cli::try_parse_from([
            "xietong",
            "token",
            "issue",
            "--dept",
            "静海区发展改革委",
            "--role",
            "bureau",
            "--ttl",
            "30m",
            "--jwt-secret-file",
            "/tmp/s",
        ])?;
        let Some(Command::Token(TokenCommand::Issue(args))) = cli.command else {
            panic!("expected `token issue`, got {:?}", cli.command);
        };
        assert_eq!((args.role, args.ttl), (Role::Bureau, Duration::from_secs(1800)));
        assert_eq!(args.auth.jwt_secret_file, Some("/tmp/s".into()));
        assert_eq!(args.auth.jwt_issuer, "xietong");
        assert!(Cli::try_parse_from(["xietong", "token", "issue", "--dept", "x", "--role", "ROOT"]).is_err());

        let cli = Cli::try_parse_from(["xietong", "--jwt-issuer", "tj", "--jwt-public-keys", "a=a.pem"])?;
        assert_eq!(cli.serve.auth.jwt_issuer, "tj");
        assert_eq!(cli.serve.auth.jwt_public_keys.len(), 1);
        Ok(())
    }

    #[test]
    fn cors_origins_are_a_comma_separated_list_of_origins() -> Result<(), clap::Error> {
        let cli = Cli::try_parse_from(["xietong", "--cors-origins", "https://a.example.cn/,http://127.0.0.1:3000"])?;
        assert_eq!(cli.serve.cors_origins, ["https://a.example.cn", "http://127.0.0.1:3000"]);
        assert!(Cli::try_parse_from(["xietong"])?.serve.cors_origins.is_empty());
        for bad in ["*", "a.example.cn", "ftp://a.example.cn", "https://a.example.cn/app", "https://", "https://a b"] {
            assert!(Cli::try_parse_from(["xietong", "--cors-origins", bad]).is_err(), "{bad} was accepted");
        }
        Ok(())
    }
}
