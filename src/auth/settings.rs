//! Authentication settings: where the verification keys come from and which
//! tokens are acceptable. Every flag has an environment variable.
//!
//! Contract:
//! - With no flag at all, tokens are HS256, signed with a secret kept in the
//!   file [`default_secret_file`] names (generated on first use), issued by and
//!   for `xietong`.
//! - `--jwt-public-keys kid=path.pem,…` adds RS256/ES256 verification keys,
//!   chosen by the token header's `kid`; their algorithms are accepted in
//!   addition to HS256 unless `--jwt-algorithms` says exactly which are.
//! - The accepted algorithms come from here, never from a token.

use super::duration::{MAX_TTL, MAX_TTL_TEXT, parse_ttl};
use clap::{Args, ValueEnum};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Name of the generated secret file.
pub const SECRET_FILE_NAME: &str = "xietong.secret";

/// Default issuer (`iss`) and audience (`aud`).
pub const DEFAULT_ISSUER: &str = "xietong";

/// How tokens are verified (and, for `xietong token issue`, signed).
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct AuthSettings {
    /// File holding the HS256 signing secret; created with a random secret
    /// (owner-only permissions) when missing. Default: `xietong.secret` beside
    /// the SQLite database file, or in the working directory for PostgreSQL.
    #[arg(long, env = "XIETONG_JWT_SECRET_FILE")]
    pub jwt_secret_file: Option<PathBuf>,

    /// The HS256 secret itself (at least 32 bytes); overrides --jwt-secret-file.
    /// Prefer the environment variable: arguments are visible to other local users.
    #[arg(long, env = "XIETONG_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<JwtSecret>,

    /// Public verification keys, comma-separated `kid=path.pem` (algorithm
    /// detected from the key) or `kid:ES256=path.pem`; the token's `kid` header
    /// chooses one, so keys rotate without downtime.
    #[arg(long, env = "XIETONG_JWT_PUBLIC_KEYS", value_delimiter = ',', value_parser = parse_public_key_spec)]
    pub jwt_public_keys: Vec<PublicKeySpec>,

    /// Accepted algorithms, comma-separated (HS256, RS256, ES256). Default:
    /// HS256 plus the algorithms of the configured public keys.
    #[arg(long, env = "XIETONG_JWT_ALGORITHMS", value_delimiter = ',', ignore_case = true)]
    pub jwt_algorithms: Vec<JwtAlgorithm>,

    /// Required token issuer (`iss`); also the issuer of `xietong token issue`.
    #[arg(long, env = "XIETONG_JWT_ISSUER", default_value = DEFAULT_ISSUER)]
    pub jwt_issuer: String,

    /// Required token audience (`aud`); also the audience of `xietong token issue`.
    #[arg(long, env = "XIETONG_JWT_AUDIENCE", default_value = DEFAULT_ISSUER)]
    pub jwt_audience: String,

    /// Longest lifetime of an accepted token (`exp - iat`, or `exp - now`
    /// without `iat`), such as `30d` or `8h`; at most (and by default) 366 days.
    /// A longer-lived token is refused with UNAUTHENTICATED.
    #[arg(long, env = "XIETONG_JWT_MAX_LIFETIME", default_value = MAX_TTL_TEXT, value_parser = parse_ttl)]
    pub jwt_max_lifetime: Duration,
}

impl Default for AuthSettings {
    /// What the flags give when none is set.
    fn default() -> Self {
        Self {
            jwt_secret_file: None,
            jwt_secret: None,
            jwt_public_keys: Vec::new(),
            jwt_algorithms: Vec::new(),
            jwt_issuer: DEFAULT_ISSUER.into(),
            jwt_audience: DEFAULT_ISSUER.into(),
            jwt_max_lifetime: MAX_TTL,
        }
    }
}

impl AuthSettings {
    /// The accepted algorithms: `--jwt-algorithms` when given, else HS256 plus
    /// `key_algorithms` (those of the loaded public keys). Sorted, no duplicates.
    pub fn accepted_algorithms(&self, key_algorithms: impl IntoIterator<Item = JwtAlgorithm>) -> Vec<JwtAlgorithm> {
        let mut algorithms: Vec<JwtAlgorithm> = if self.jwt_algorithms.is_empty() {
            std::iter::once(JwtAlgorithm::Hs256).chain(key_algorithms).collect()
        } else {
            self.jwt_algorithms.clone()
        };
        algorithms.sort();
        algorithms.dedup();
        algorithms
    }

    /// The secret file to use: `--jwt-secret-file`, else [`default_secret_file`].
    pub fn secret_file(&self, database_url: &str) -> PathBuf {
        self.jwt_secret_file.clone().unwrap_or_else(|| default_secret_file(database_url))
    }
}

/// A signing algorithm xietong can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ValueEnum)]
pub enum JwtAlgorithm {
    /// HMAC-SHA256 with the shared secret.
    #[value(name = "HS256")]
    Hs256,
    /// RSASSA-PKCS1-v1_5 with SHA-256, verified with an RSA public key.
    #[value(name = "RS256")]
    Rs256,
    /// ECDSA P-256 with SHA-256, verified with an EC public key.
    #[value(name = "ES256")]
    Es256,
}

impl JwtAlgorithm {
    /// The JOSE name (`HS256`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
        }
    }

    /// Parses a JOSE name exactly as a token header writes it (case-sensitive).
    pub fn from_jose(name: &str) -> Option<Self> {
        [Self::Hs256, Self::Rs256, Self::Es256].into_iter().find(|a| a.name() == name)
    }

    /// The matching `jsonwebtoken` algorithm.
    pub fn to_jwt(self) -> jsonwebtoken::Algorithm {
        match self {
            Self::Hs256 => jsonwebtoken::Algorithm::HS256,
            Self::Rs256 => jsonwebtoken::Algorithm::RS256,
            Self::Es256 => jsonwebtoken::Algorithm::ES256,
        }
    }
}

impl fmt::Display for JwtAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One `--jwt-public-keys` entry: `kid=path` or `kid:ALG=path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeySpec {
    /// Key ID, matched against the token header's `kid`.
    pub kid: String,
    /// Algorithm written in the entry; `None` means "detect from the key".
    pub algorithm: Option<JwtAlgorithm>,
    /// PEM file of the public key.
    pub path: PathBuf,
}

/// Parses one `kid=path.pem` or `kid:ES256=path.pem` entry.
///
/// # Errors
/// A message naming what is wrong: no `=`, an empty key ID or path, or an
/// algorithm other than RS256/ES256.
pub fn parse_public_key_spec(entry: &str) -> Result<PublicKeySpec, String> {
    let entry = entry.trim();
    let (name, path) =
        entry.split_once('=').ok_or_else(|| format!("`{entry}` is not `kid=path.pem` or `kid:ALG=path.pem`"))?;
    let (kid, algorithm) = match name.split_once(':') {
        Some((kid, alg)) => {
            let algorithm = match alg.trim().to_ascii_uppercase().as_str() {
                "RS256" => JwtAlgorithm::Rs256,
                "ES256" => JwtAlgorithm::Es256,
                _ => return Err(format!("key `{kid}`: algorithm `{alg}` is not RS256 or ES256")),
            };
            (kid.trim(), Some(algorithm))
        }
        None => (name.trim(), None),
    };
    if kid.is_empty() {
        return Err(format!("`{entry}` has an empty key ID"));
    }
    let path = path.trim();
    if path.is_empty() {
        return Err(format!("key `{kid}` has no file path"));
    }
    Ok(PublicKeySpec { kid: kid.to_owned(), algorithm, path: PathBuf::from(path) })
}

/// The default secret file: `xietong.secret` beside the SQLite database file
/// when `database_url` names one, else in the working directory.
pub fn default_secret_file(database_url: &str) -> PathBuf {
    let beside = sqlite_file(database_url).and_then(|db| db.parent().map(Path::to_path_buf));
    beside.unwrap_or_default().join(SECRET_FILE_NAME)
}

/// The database file of a `sqlite:` URL; `None` for other URLs and in-memory databases.
fn sqlite_file(database_url: &str) -> Option<PathBuf> {
    let rest = database_url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    if path.is_empty() || path.starts_with(":memory:") {
        return None;
    }
    Some(PathBuf::from(path))
}

/// The HS256 secret given on the command line or in the environment.
/// Its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct JwtSecret(String);

impl JwtSecret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret's bytes, for signing and verifying.
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JwtSecret([redacted])")
    }
}

impl std::str::FromStr for JwtSecret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        auth: AuthSettings,
    }

    fn parse(args: &[&str]) -> Result<AuthSettings, clap::Error> {
        Wrapper::try_parse_from(std::iter::once("xietong").chain(args.iter().copied())).map(|w| w.auth)
    }

    #[test]
    fn public_key_entries_parse() {
        assert_eq!(
            parse_public_key_spec("k1=keys/a.pem"),
            Ok(PublicKeySpec { kid: "k1".into(), algorithm: None, path: "keys/a.pem".into() })
        );
        assert_eq!(
            parse_public_key_spec(" 2026-07:es256 = /etc/x/b.pem "),
            Ok(PublicKeySpec {
                kid: "2026-07".into(),
                algorithm: Some(JwtAlgorithm::Es256),
                path: "/etc/x/b.pem".into()
            })
        );
        for bad in ["k1", "=a.pem", "k1=", "k1:HS256=a.pem", ":RS256=a.pem", "k1:XX=a.pem"] {
            assert!(parse_public_key_spec(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn flags_parse_with_defaults() -> Result<(), clap::Error> {
        let auth = parse(&[])?;
        assert_eq!((auth.jwt_issuer.as_str(), auth.jwt_audience.as_str()), ("xietong", "xietong"));
        assert!(auth.jwt_public_keys.is_empty() && auth.jwt_secret.is_none());
        assert_eq!(auth.accepted_algorithms([]), vec![JwtAlgorithm::Hs256]);
        assert_eq!(
            auth.accepted_algorithms([JwtAlgorithm::Es256, JwtAlgorithm::Rs256, JwtAlgorithm::Es256]),
            vec![JwtAlgorithm::Hs256, JwtAlgorithm::Rs256, JwtAlgorithm::Es256]
        );

        let auth = parse(&[
            "--jwt-public-keys",
            "a=a.pem,b:ES256=b.pem",
            "--jwt-algorithms",
            "rs256,ES256",
            "--jwt-secret",
            "s3cret",
        ])?;
        assert_eq!(auth.jwt_public_keys.len(), 2);
        assert_eq!(auth.jwt_public_keys[1].algorithm, Some(JwtAlgorithm::Es256));
        assert_eq!(auth.accepted_algorithms([]), vec![JwtAlgorithm::Rs256, JwtAlgorithm::Es256]);
        assert!(!format!("{auth:?}").contains("s3cret"), "the secret must not appear in Debug output");
        assert!(parse(&["--jwt-algorithms", "none"]).is_err());
        assert!(parse(&["--jwt-public-keys", "nokid.pem"]).is_err());
        Ok(())
    }

    #[test]
    fn secret_file_defaults_beside_the_sqlite_file() {
        let cases = [
            ("sqlite://xietong.db?mode=rwc", "xietong.secret"),
            ("sqlite:///var/lib/xietong/data.db?mode=rwc", "/var/lib/xietong/xietong.secret"),
            ("sqlite:data/x.db", "data/xietong.secret"),
            ("sqlite::memory:", "xietong.secret"),
            ("postgres://postgres@127.0.0.1/xietong", "xietong.secret"),
        ];
        for (url, expected) in cases {
            assert_eq!(default_secret_file(url), PathBuf::from(expected), "{url}");
        }
        let auth = AuthSettings { jwt_secret_file: Some("/run/s".into()), ..AuthSettings::default() };
        assert_eq!(auth.secret_file("sqlite://x.db"), PathBuf::from("/run/s"));
    }
}
