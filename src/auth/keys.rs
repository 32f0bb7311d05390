//! Key material: the HS256 secret (given, or kept in a file that is generated
//! on first use) and the RS256/ES256 public keys read from PEM files.
//!
//! Contract: secrets are never logged or put in error messages; only file
//! paths and key IDs are.

use super::settings::{AuthSettings, JwtAlgorithm, PublicKeySpec};
use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::DecodingKey;
use rand::RngCore;
use std::io::Write;
use std::path::Path;

/// Shortest accepted HS256 secret, in bytes (RFC 7518 §3.2: at least the hash size).
pub const MIN_SECRET_BYTES: usize = 32;

/// Random bytes in a generated secret (written base64url-encoded).
const GENERATED_SECRET_BYTES: usize = 48;

/// The HS256 secret: `--jwt-secret` when given, else the contents of the
/// secret file (surrounding whitespace removed), which is generated with
/// random bytes and owner-only permissions when missing.
///
/// # Errors
/// A secret shorter than [`MIN_SECRET_BYTES`], or a file that cannot be read or created.
pub fn load_secret(settings: &AuthSettings, database_url: &str) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = &settings.jwt_secret {
        let bytes = secret.expose().to_vec();
        if bytes.len() < MIN_SECRET_BYTES {
            bail!("--jwt-secret (XIETONG_JWT_SECRET) must be at least {MIN_SECRET_BYTES} bytes long");
        }
        return Ok(bytes);
    }
    let path = settings.secret_file(database_url);
    if !path.exists() {
        create_secret_file(&path)?;
    }
    read_secret_file(&path)
}

fn read_secret_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    warn_if_shared(path);
    let text = std::fs::read(path).with_context(|| format!("reading the JWT secret file {}", path.display()))?;
    let secret = text.trim_ascii().to_vec();
    if secret.len() < MIN_SECRET_BYTES {
        bail!("the JWT secret file {} must hold at least {MIN_SECRET_BYTES} bytes", path.display());
    }
    Ok(secret)
}

/// Writes a fresh random secret to `path` with owner-only permissions.
/// The file appears atomically and complete: the secret is written to a
/// temporary file first and hard-linked into place, so a concurrent starter
/// either wins or reads the winner's file.
fn create_secret_file(path: &Path) -> anyhow::Result<()> {
    let mut bytes = [0u8; GENERATED_SECRET_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    let secret = URL_SAFE_NO_PAD.encode(bytes);

    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let temp = dir.join(format!(".{}.{}.tmp", super::settings::SECRET_FILE_NAME, uuid::Uuid::new_v4().simple()));
    let written = write_private(&temp, secret.as_bytes());
    let linked = written.and_then(|()| match std::fs::hard_link(&temp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    });
    let _ = std::fs::remove_file(&temp);
    linked.with_context(|| format!("creating the JWT secret file {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a new JWT signing secret");
    Ok(())
}

fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.write_all(b"\n")?;
    file.sync_all()
}

/// Logs a warning when the secret file is readable by group or others.
fn warn_if_shared(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(path = %path.display(), "the JWT secret file is readable by others; run chmod 600 on it");
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// A loaded public verification key.
#[derive(Clone)]
pub struct PublicKey {
    /// Key ID, matched against the token header's `kid`.
    pub kid: String,
    /// The one algorithm this key verifies.
    pub algorithm: JwtAlgorithm,
    /// The key itself.
    pub key: DecodingKey,
}

/// Reads every configured public key.
///
/// # Errors
/// A duplicate key ID, an unreadable file, a private key, or a file that is
/// not an RSA or EC public key in PEM.
pub fn load_public_keys(specs: &[PublicKeySpec]) -> anyhow::Result<Vec<PublicKey>> {
    let mut keys: Vec<PublicKey> = Vec::with_capacity(specs.len());
    for spec in specs {
        if keys.iter().any(|k| k.kid == spec.kid) {
            bail!("--jwt-public-keys names key ID `{}` twice", spec.kid);
        }
        keys.push(load_public_key(spec)?);
    }
    Ok(keys)
}

fn load_public_key(spec: &PublicKeySpec) -> anyhow::Result<PublicKey> {
    let shown = spec.path.display();
    let pem = std::fs::read(&spec.path).with_context(|| format!("reading public key `{}` from {shown}", spec.kid))?;
    if pem.windows(b"PRIVATE KEY".len()).any(|w| w == b"PRIVATE KEY") {
        bail!("{shown} (key `{}`) holds a private key; configure the public key only", spec.kid);
    }
    let rsa = || DecodingKey::from_rsa_pem(&pem).ok().map(|k| (JwtAlgorithm::Rs256, k));
    let ec = || DecodingKey::from_ec_pem(&pem).ok().map(|k| (JwtAlgorithm::Es256, k));
    let loaded = match spec.algorithm {
        Some(JwtAlgorithm::Rs256) => rsa(),
        Some(JwtAlgorithm::Es256) => ec(),
        Some(JwtAlgorithm::Hs256) => bail!("key `{}`: HS256 does not use public keys", spec.kid),
        None => rsa().or_else(ec),
    };
    let Some((algorithm, key)) = loaded else {
        let expected = spec.algorithm.map_or("an RSA or EC P-256", |a| match a {
            JwtAlgorithm::Es256 => "an EC P-256",
            _ => "an RSA",
        });
        bail!("{shown} (key `{}`) is not {expected} public key in PEM", spec.kid);
    };
    Ok(PublicKey { kid: spec.kid.clone(), algorithm, key })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::settings::JwtSecret;

    #[test]
    fn secret_file_is_generated_once_and_private() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("x.db").display());
        let settings = AuthSettings::default();
        let first = load_secret(&settings, &url)?;
        assert!(first.len() >= MIN_SECRET_BYTES);
        assert_eq!(load_secret(&settings, &url)?, first, "the second start reuses the file");
        let file = dir.path().join("xietong.secret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file)?.permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(std::fs::read_dir(dir.path())?.count(), 1, "no temporary file is left behind");
        Ok(())
    }

    #[test]
    fn short_secrets_are_refused() {
        let settings = AuthSettings { jwt_secret: Some(JwtSecret::new("short")), ..AuthSettings::default() };
        assert!(load_secret(&settings, "sqlite::memory:").is_err());
    }

    #[test]
    fn bad_public_key_files_are_refused() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let private = dir.path().join("k.pem");
        std::fs::write(&private, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")?;
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a key")?;
        for path in [private, junk, dir.path().join("missing.pem")] {
            let spec = PublicKeySpec { kid: "k".into(), algorithm: None, path };
            assert!(load_public_keys(&[spec]).is_err());
        }
        Ok(())
    }
}
