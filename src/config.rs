//! Configuration of the server: every flag has an environment variable.
//!
//! With no configuration at all, `xietong` serves on 127.0.0.1:8080 from a
//! SQLite file `xietong.db` in the working directory, which it creates,
//! migrates and seeds on first start.
//!
//! [`ServeSettings`] composes the settings of the layers that use them
//! ([`AuthSettings`], [`RateLimitSettings`], `SubscriptionSettings`); the
//! command line ([`crate::cli`]) flattens it.

use crate::auth::AuthSettings;
use crate::http::rate_limit::RateLimitSettings;
use crate::http::subscriptions::SubscriptionSettings;
use clap::Args;

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
    pub subscriptions: SubscriptionSettings,
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
            subscriptions: SubscriptionSettings::default(),
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
