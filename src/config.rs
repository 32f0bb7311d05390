//! Configuration of the server: every flag has an environment variable.
//!
//! With no configuration at all, `xietong` serves on 127.0.0.1:8080 from a
//! SQLite file `xietong.db` in the working directory, which it creates,
//! migrates and seeds on first start.
//!
//! [`ServeSettings`] composes the settings of the layers that use them
//! ([`AuthSettings`], [`RateLimitSettings`], [`SubscriptionSettings`]); the
//! command line ([`crate::cli`]) flattens it. Each default is written once,
//! as a constant that both the flag and [`Default`] use, and the README's
//! configuration table is checked against the flags (`crate::cli`'s tests).

use crate::auth::AuthSettings;
use crate::http::rate_limit::RateLimitSettings;
use crate::http::subscriptions::SubscriptionSettings;
use clap::Args;

/// Default of `--bind`: the loopback interface, so a first start is reachable from this machine only.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// Default of `--no-seed`: an empty database gets the default dataset.
pub const DEFAULT_NO_SEED: bool = false;

/// Settings of `xietong serve`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct ServeSettings {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "XIETONG_BIND", default_value = DEFAULT_BIND)]
    pub bind: String,

    /// Do not load the default dataset into an empty database.
    #[arg(long, env = "XIETONG_NO_SEED", default_value_t = DEFAULT_NO_SEED)]
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
    /// What `xietong serve` runs with when nothing is configured.
    fn default() -> Self {
        Self {
            bind: DEFAULT_BIND.into(),
            no_seed: DEFAULT_NO_SEED,
            cors_origins: Vec::new(),
            limits: Limits::DEFAULT,
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
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct Limits {
    /// Largest page a list returns (`first`/`last`).
    #[arg(long, env = "XIETONG_MAX_PAGE_SIZE", default_value_t = Limits::DEFAULT.max_page_size)]
    pub max_page_size: u32,

    /// Deepest selection nesting a query may have.
    #[arg(long, env = "XIETONG_MAX_DEPTH", default_value_t = Limits::DEFAULT.max_depth)]
    pub max_depth: usize,

    /// Deepest selection nesting of an operation that only introspects (`__schema`, `__type`): the standard
    /// introspection query nests 15 levels.
    #[arg(long, env = "XIETONG_MAX_INTROSPECTION_DEPTH", default_value_t = Limits::DEFAULT.max_introspection_depth)]
    pub max_introspection_depth: usize,

    /// Most tokens (names, values, punctuation) the query text may hold; checked before parsing.
    #[arg(long, env = "XIETONG_MAX_TOKENS", default_value_t = Limits::DEFAULT.max_tokens)]
    pub max_tokens: usize,

    /// Most fields a document may select once its fragment spreads are expanded; checked before validation.
    #[arg(long, env = "XIETONG_MAX_FIELDS", default_value_t = Limits::DEFAULT.max_fields)]
    pub max_fields: usize,

    /// Most fragment spreads a document may make once its fragment spreads are expanded.
    #[arg(long, env = "XIETONG_MAX_FRAGMENT_SPREADS", default_value_t = Limits::DEFAULT.max_fragment_spreads)]
    pub max_fragment_spreads: usize,

    /// Most directives a document may use once its fragment spreads are expanded.
    #[arg(long, env = "XIETONG_MAX_DIRECTIVES", default_value_t = Limits::DEFAULT.max_directives)]
    pub max_directives: usize,

    /// Refuse introspection (`__schema`, `__type`); the schema stays published at /schema.graphql.
    #[arg(long, env = "XIETONG_NO_INTROSPECTION", default_value_t = Limits::DEFAULT.no_introspection)]
    pub no_introspection: bool,

    /// Highest query cost; list fields multiply their children's cost by the page size.
    #[arg(long, env = "XIETONG_MAX_COMPLEXITY", default_value_t = Limits::DEFAULT.max_complexity)]
    pub max_complexity: usize,

    /// Largest request body, in bytes.
    #[arg(long, env = "XIETONG_MAX_BODY_BYTES", default_value_t = Limits::DEFAULT.max_body_bytes)]
    pub max_body_bytes: usize,

    /// Most aliased fields one document may use.
    #[arg(long, env = "XIETONG_MAX_ALIASES", default_value_t = Limits::DEFAULT.max_aliases)]
    pub max_aliases: usize,

    /// Most operations one batched request may carry.
    #[arg(long, env = "XIETONG_MAX_BATCH", default_value_t = Limits::DEFAULT.max_batch)]
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
    /// [`Limits::DEFAULT`].
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl Limits {
    /// The defaults, which the flags show and use too: each value is written here and nowhere else
    /// (a `const`, so that the flags' `default_value_t` can read it).
    pub const DEFAULT: Self = Self {
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
        rate_limit: RateLimitSettings::DEFAULT,
        subscriptions: SubscriptionSettings::DEFAULT,
    };

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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Command, FromArgMatches};

    /// `T` as the command line gives it when no flag and no environment variable is set.
    fn from_nothing<T: Args + FromArgMatches>() -> Result<T, clap::Error> {
        let command = T::augment_args(Command::new("xietong")).mut_args(|arg| arg.env(None::<&'static str>));
        T::from_arg_matches(&command.try_get_matches_from(["xietong"])?)
    }

    #[test]
    fn the_defaults_are_the_command_lines() -> Result<(), clap::Error> {
        assert_eq!(from_nothing::<ServeSettings>()?, ServeSettings::default());
        assert_eq!(from_nothing::<Limits>()?, Limits::default());
        assert_eq!(from_nothing::<AuthSettings>()?, AuthSettings::default());
        Ok(())
    }
}
