//! [`Authenticator`]: turns an `Authorization` header into a [`Viewer`].
//!
//! Contract:
//! - No header: the anonymous viewer (PUBLIC data only).
//! - `Bearer <JWT>`: the token's algorithm must be one the configuration
//!   accepts (never taken from the token: `alg: none`, or HS256 when only
//!   public keys are configured, is refused); HS256 is verified with the
//!   secret only, RS256/ES256 with the public key its `kid` names. `exp`,
//!   `iss`, `aud`, `sub`, `dept`, `role` and `jti` are required; `exp`, `nbf`
//!   and `iat` are checked with a leeway of [`LEEWAY_SECS`], and `exp - iat`
//!   (or `exp - now`) may not exceed the configured maximum lifetime.
//! - Text claims may not hold control characters; `jti` follows
//!   [`check_jti`], the same rule `revokeToken` applies.
//! - Then the store: a revoked `jti` or an unknown department is refused.
//! - Any refusal is `AppError::Unauthenticated` with a message saying why,
//!   never showing key material.

use super::claims::{ReceivedClaims, check_claim_text, check_jti, parse_role};
use super::identity::{self, CallerCache};
use super::keys::{PublicKey, load_public_keys, load_secret};
use super::settings::{AuthSettings, JwtAlgorithm};
use crate::access::{Role, Viewer};
use crate::error::AppError;
use crate::ids::{NodeKind, from_global};
use anyhow::bail;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{DecodingKey, Validation};
use sea_orm::ConnectionTrait;

/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
pub const LEEWAY_SECS: u64 = 30;

/// Longest accepted token, in bytes.
const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// What a token says, once its signature and claims are verified (before the
/// store is consulted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    /// `sub`.
    pub subject: String,
    /// `client`, if present.
    pub client: Option<String>,
    /// Record ID decoded from `dept`.
    pub department_id: String,
    /// `role`.
    pub role: Role,
    /// `jti`.
    pub jti: String,
    /// `exp`, seconds since the Unix epoch.
    pub expires_at: i64,
}

/// The token verifier, built once at startup from [`AuthSettings`].
pub struct Authenticator {
    algorithms: Vec<JwtAlgorithm>,
    secret: Option<DecodingKey>,
    public_keys: Vec<PublicKey>,
    issuer: String,
    audience: String,
    /// Longest accepted `exp - iat` (or `exp - now`), in seconds.
    max_lifetime_secs: u64,
    /// Identities from memory; without it every token costs three statements.
    callers: Option<CallerCache>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("algorithms", &self.algorithms)
            .field("kids", &self.public_keys.iter().map(|k| k.kid.as_str()).collect::<Vec<_>>())
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("max_lifetime_secs", &self.max_lifetime_secs)
            .finish_non_exhaustive()
    }
}

/// Shorthand for a refusal.
fn refuse(message: impl Into<String>) -> AppError {
    AppError::Unauthenticated(message.into())
}

impl Authenticator {
    /// Loads the keys and fixes the accepted algorithms. The HS256 secret is
    /// loaded (and its file generated) only when HS256 is accepted.
    ///
    /// # Errors
    /// Unreadable or invalid keys; an accepted public-key algorithm without a
    /// key; a key whose algorithm is not accepted.
    pub fn from_settings(settings: &AuthSettings, database_url: &str) -> anyhow::Result<Self> {
        let public_keys = load_public_keys(&settings.jwt_public_keys)?;
        let algorithms = settings.accepted_algorithms(public_keys.iter().map(|k| k.algorithm));
        if algorithms.is_empty() {
            bail!("--jwt-algorithms accepts no algorithm");
        }
        if let Some(key) = public_keys.iter().find(|k| !algorithms.contains(&k.algorithm)) {
            bail!("public key `{}` is {}, which --jwt-algorithms does not accept", key.kid, key.algorithm);
        }
        if let Some(alg) =
            algorithms.iter().find(|a| **a != JwtAlgorithm::Hs256 && !public_keys.iter().any(|k| k.algorithm == **a))
        {
            bail!("{alg} is accepted but no {alg} public key is configured (--jwt-public-keys)");
        }
        let secret = if algorithms.contains(&JwtAlgorithm::Hs256) {
            Some(DecodingKey::from_secret(&load_secret(settings, database_url)?))
        } else {
            None
        };
        let authenticator = Self {
            algorithms,
            secret,
            public_keys,
            issuer: settings.jwt_issuer.clone(),
            audience: settings.jwt_audience.clone(),
            max_lifetime_secs: settings.jwt_max_lifetime.as_secs(),
            callers: None,
        };
        tracing::info!(config = ?authenticator, "token verification configured");
        Ok(authenticator)
    }

    /// Serves identities from memory, kept current through `pokes`, a receiver of the instance's
    /// change notifier (see [`identity`](super::identity) for how and how fast revocations arrive).
    #[must_use]
    pub fn with_caller_cache(mut self, pokes: tokio::sync::watch::Receiver<u64>) -> Self {
        self.callers = Some(CallerCache::new(pokes));
        self
    }

    /// The caller of a request with this `Authorization` header value
    /// (`None`: no header, the anonymous viewer).
    ///
    /// With the caller cache, usually no statement; without it, three (the
    /// revocation check, the department, the region tree).
    ///
    /// # Errors
    /// `UNAUTHENTICATED` with the reason for any refused token or malformed
    /// header; `SERVICE_UNAVAILABLE`/`INTERNAL` when the store fails.
    pub async fn viewer<C: ConnectionTrait>(&self, db: &C, authorization: Option<&str>) -> Result<Viewer, AppError> {
        self.viewer_as_of(db, authorization, None).await
    }

    /// [`Authenticator::viewer`], checked against every revocation up to
    /// change-feed position `position` (when given) — for a subscription about
    /// to deliver the entry at that position.
    ///
    /// # Errors
    /// Those of [`Authenticator::viewer`].
    pub async fn viewer_as_of<C: ConnectionTrait>(
        &self,
        db: &C,
        authorization: Option<&str>,
        position: Option<i64>,
    ) -> Result<Viewer, AppError> {
        let Some(header) = authorization else { return Ok(Viewer::anonymous()) };
        let result = async {
            let verified = self.verify(bearer_token(header)?)?;
            match &self.callers {
                Some(callers) => callers.identity(db, verified, position).await,
                None => identity::load(db, verified).await,
            }
        }
        .await;
        match result {
            Ok(identity) => {
                let mut viewer = Viewer::anonymous();
                viewer.identity = Some(identity);
                Ok(viewer)
            }
            Err(error) => {
                if let AppError::Unauthenticated(reason) = &error {
                    tracing::info!(%reason, "refused a token");
                }
                Err(error)
            }
        }
    }

    /// Verifies a token's signature and claims, without the store.
    ///
    /// # Errors
    /// `UNAUTHENTICATED` saying why the token is refused.
    pub fn verify(&self, token: &str) -> Result<VerifiedToken, AppError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(refuse(format!("token is longer than {MAX_TOKEN_BYTES} bytes")));
        }
        let header = JoseHeader::parse(token)?;
        let algorithm = self.accepted(&header.alg)?;
        let key = self.key_for(algorithm, header.kid.as_deref())?;

        let mut validation = Validation::new(algorithm.to_jwt());
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        let claims = jsonwebtoken::decode::<ReceivedClaims>(token, key, &validation)
            .map_err(|e| refuse(describe(e.kind())))?
            .claims;
        let issued_at = check_issued_at(claims.iat.as_ref())?;
        self.check_lifetime(claims.exp, issued_at)?;

        // Text claims are checked before anything uses them: a control
        // character (a NUL, which PostgreSQL refuses in text) is the token's
        // fault, never a store error.
        let required = |value: Option<String>, name: &str| {
            let value =
                value.filter(|v| !v.trim().is_empty()).ok_or_else(|| refuse(format!("token has no `{name}` claim")))?;
            check_claim_text(name, &value).map_err(refuse)?;
            Ok::<_, AppError>(value)
        };
        let subject = required(claims.sub, "sub")?;
        let dept = required(claims.dept, "dept")?;
        let role = required(claims.role, "role")?;
        let jti = required(claims.jti, "jti")?;
        check_jti(&jti).map_err(|e| refuse(format!("token {e}")))?;
        if let Some(client) = &claims.client {
            check_claim_text("client", client).map_err(refuse)?;
        }
        let department_id = from_global(NodeKind::Department, &dept, "dept")
            .map_err(|_| refuse("token claim `dept` is not a department ID"))?;
        let role = parse_role(&role).map_err(|e| refuse(format!("token {e}")))?;
        Ok(VerifiedToken {
            subject,
            client: claims.client,
            department_id,
            role,
            jti,
            expires_at: claims.exp.and_then(|e| i64::try_from(e).ok()).unwrap_or(i64::MAX),
        })
    }

    fn accepted(&self, alg: &str) -> Result<JwtAlgorithm, AppError> {
        JwtAlgorithm::from_jose(alg).filter(|a| self.algorithms.contains(a)).ok_or_else(|| {
            let accepted: Vec<&str> = self.algorithms.iter().map(|a| a.name()).collect();
            refuse(format!("token algorithm `{alg}` is not accepted (accepted: {})", accepted.join(", ")))
        })
    }

    fn key_for(&self, algorithm: JwtAlgorithm, kid: Option<&str>) -> Result<&DecodingKey, AppError> {
        if algorithm == JwtAlgorithm::Hs256 {
            return self.secret.as_ref().ok_or_else(|| refuse("token algorithm `HS256` is not accepted"));
        }
        let key = match kid {
            Some(kid) => {
                let key = self
                    .public_keys
                    .iter()
                    .find(|k| k.kid == kid)
                    .ok_or_else(|| refuse("token has an unknown key id (kid)"))?;
                if key.algorithm != algorithm {
                    return Err(refuse(format!("token key id (kid) names a {} key, not {algorithm}", key.algorithm)));
                }
                key
            }
            None => {
                let mut candidates = self.public_keys.iter().filter(|k| k.algorithm == algorithm);
                match (candidates.next(), candidates.next()) {
                    (Some(key), None) => key,
                    _ => return Err(refuse(format!("token has no key id (kid) to choose its {algorithm} key"))),
                }
            }
        };
        Ok(&key.key)
    }
}

/// The token of an `Authorization: Bearer <token>` header value.
///
/// # Errors
/// `UNAUTHENTICATED` for any other shape.
pub fn bearer_token(header: &str) -> Result<&str, AppError> {
    let malformed = || refuse("malformed Authorization header: expected `Bearer <token>`");
    let (scheme, token) = header.trim().split_once(' ').ok_or_else(malformed)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.contains(char::is_whitespace) {
        return Err(malformed());
    }
    Ok(token)
}

/// The fields of a token's JOSE header xietong looks at before verifying.
#[derive(serde::Deserialize)]
struct JoseHeader {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    crit: Option<serde_json::Value>,
}

impl JoseHeader {
    fn parse(token: &str) -> Result<Self, AppError> {
        let mut parts = token.split('.');
        let (Some(header), Some(_), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(refuse("token is not a JWT (expected three dot-separated parts)"));
        };
        let bytes = URL_SAFE_NO_PAD.decode(header).map_err(|_| refuse("token header is not base64url"))?;
        let parsed: Self =
            serde_json::from_slice(&bytes).map_err(|_| refuse("token header is not a JSON object with an `alg`"))?;
        if parsed.crit.is_some() {
            return Err(refuse("token header has critical extensions (crit) xietong does not support"));
        }
        Ok(parsed)
    }
}

/// Refuses an `iat` that is malformed or in the future beyond the leeway;
/// returns it (seconds since the epoch) when present.
fn check_issued_at(iat: Option<&serde_json::Value>) -> Result<Option<f64>, AppError> {
    let Some(iat) = iat else { return Ok(None) };
    let Some(iat) = iat.as_f64().filter(|v| v.is_finite() && *v >= 0.0) else {
        return Err(refuse("token claim `iat` is malformed"));
    };
    if iat > (jsonwebtoken::get_current_timestamp() + LEEWAY_SECS) as f64 {
        return Err(refuse("token is issued in the future (iat)"));
    }
    Ok(Some(iat))
}

impl Authenticator {
    /// Refuses a token that lives longer than the configured maximum:
    /// `exp - iat`, or `exp - now` when there is no `iat` (so an `exp` of
    /// 2^64−1 is refused either way).
    fn check_lifetime(&self, exp: Option<u64>, issued_at: Option<f64>) -> Result<(), AppError> {
        let Some(exp) = exp else { return Err(refuse("token has no `exp` claim")) };
        let start = issued_at.unwrap_or(jsonwebtoken::get_current_timestamp() as f64);
        let allowed = (self.max_lifetime_secs + LEEWAY_SECS) as f64;
        if exp as f64 - start > allowed {
            return Err(refuse(format!(
                "token lives longer than the maximum token lifetime of {} seconds (exp - iat)",
                self.max_lifetime_secs
            )));
        }
        Ok(())
    }
}

/// A caller-facing reason for a `jsonwebtoken` error.
fn describe(kind: &ErrorKind) -> String {
    match kind {
        ErrorKind::ExpiredSignature => "token has expired".into(),
        ErrorKind::ImmatureSignature => "token is not valid yet (nbf)".into(),
        ErrorKind::InvalidIssuer => "token has the wrong issuer (iss)".into(),
        ErrorKind::InvalidAudience => "token has the wrong audience (aud)".into(),
        ErrorKind::InvalidSignature => "token signature is invalid".into(),
        ErrorKind::MissingRequiredClaim(claim) => format!("token has no `{claim}` claim"),
        ErrorKind::InvalidClaimFormat(claim) => format!("token claim `{claim}` is malformed"),
        ErrorKind::InvalidAlgorithm => "token algorithm does not match its key".into(),
        ErrorKind::Json(_) => "token claims are not valid JSON of the expected shape".into(),
        ErrorKind::Base64(_) | ErrorKind::Utf8(_) | ErrorKind::InvalidToken => "token is not a well-formed JWT".into(),
        _ => "token is invalid".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_headers_parse() {
        assert_eq!(bearer_token("Bearer abc.def.ghi").ok(), Some("abc.def.ghi"));
        assert_eq!(bearer_token("bearer  abc").ok(), Some("abc"));
        for bad in ["", "Bearer", "Bearer ", "Basic abc", "abc", "Bearer a b", "Token abc"] {
            assert_eq!(bearer_token(bad).err().map(|e| e.code()), Some("UNAUTHENTICATED"), "{bad:?}");
        }
    }
}
