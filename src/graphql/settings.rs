//! The limits a request must keep, as settings: the GraphQL document limits
//! the schema's guard enforces, and the size of what reaches it (body,
//! batch), which the HTTP layer enforces before the schema sees anything.
//! `crate::config` composes them into the command line.

use clap::Args;

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
    /// the server executes, or a persisted-query manifest (JSON, Apollo's format) whose documents clients
    /// may then send by hash alone.
    #[arg(long, env = "XIETONG_ALLOWED_OPERATIONS")]
    pub allowed_operations: Option<std::path::PathBuf>,

    /// Most documents learnt from Automatic Persisted Queries requests, per instance (0: learn none).
    #[arg(long, env = "XIETONG_PERSISTED_QUERY_CACHE", default_value_t = Limits::DEFAULT.persisted_query_cache)]
    pub persisted_query_cache: usize,
}

/// The operations allow-list mode runs: their hashes, and the documents
/// behind them when the allow-list is a manifest.
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    /// SHA-256 (lower-case hex) of each allowed document's text.
    pub hashes: std::collections::HashSet<String>,
    /// Hash → document, from a manifest (empty for a file of hashes).
    pub documents: std::collections::HashMap<String, String>,
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
        persisted_query_cache: 1_000,
    };

    /// Reads the allow-list file, if one is configured: a file of hashes, or
    /// (when it starts with `{`) a persisted-query manifest
    /// `{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id", "body", …}]}`,
    /// each `id` the SHA-256 of its `body`.
    ///
    /// # Errors
    /// When the file cannot be read, holds a line that is not a SHA-256 hash,
    /// or is a manifest of another format or with an id that is not its body's hash.
    pub fn load_allowed_operations(&self) -> anyhow::Result<Option<AllowList>> {
        let Some(path) = &self.allowed_operations else { return Ok(None) };
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("reading the allow-list {}: {e}", path.display()))?;
        if text.trim_start().starts_with('{') {
            return read_manifest(&text).map(Some).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()));
        }
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
        Ok(Some(AllowList { hashes, documents: Default::default() }))
    }
}

/// A persisted-query manifest (the format of Apollo's `generate-persisted-query-manifest`).
#[derive(serde::Deserialize)]
struct Manifest {
    format: String,
    version: u32,
    operations: Vec<ManifestOperation>,
}

#[derive(serde::Deserialize)]
struct ManifestOperation {
    id: String,
    body: String,
}

fn read_manifest(text: &str) -> anyhow::Result<AllowList> {
    let manifest: Manifest = serde_json::from_str(text).map_err(|e| anyhow::anyhow!("not a manifest: {e}"))?;
    if manifest.format != "apollo-persisted-query-manifest" || manifest.version != 1 {
        anyhow::bail!("the manifest's format must be apollo-persisted-query-manifest, version 1");
    }
    let mut list = AllowList::default();
    for operation in manifest.operations {
        let hash = super::limits::operation_hash(&operation.body);
        if operation.id.to_ascii_lowercase() != hash {
            anyhow::bail!("operation {}: its id is not the SHA-256 of its body ({hash})", operation.id);
        }
        list.hashes.insert(hash.clone());
        list.documents.insert(hash, operation.body);
    }
    Ok(list)
}
