//! Signing tokens the local server accepts (HS256 with the local secret).

use super::claims::Claims;
use crate::access::Role;
use anyhow::Context;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use std::time::Duration;

/// What a token should say.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    /// `sub`: who calls.
    pub subject: String,
    /// `dept`: the department's GraphQL global ID.
    pub department: String,
    /// `role`.
    pub role: Role,
    /// `client`: the calling system, if any.
    pub client: Option<String>,
    /// Lifetime from now to `exp`.
    pub ttl: Duration,
}

/// Signs `request` with HS256, a random `jti`, `iat` now and `exp` after its
/// lifetime. Returns the token and its claims.
///
/// # Errors
/// Only if signing itself fails.
pub fn sign_hs256(
    secret: &[u8],
    issuer: &str,
    audience: &str,
    request: &TokenRequest,
) -> anyhow::Result<(String, Claims)> {
    let now = jsonwebtoken::get_current_timestamp();
    let claims = Claims {
        sub: request.subject.clone(),
        dept: request.department.clone(),
        role: request.role.as_str().to_owned(),
        client: request.client.clone(),
        jti: uuid::Uuid::new_v4().to_string(),
        iat: now,
        exp: now.saturating_add(request.ttl.as_secs()),
        iss: issuer.to_owned(),
        aud: audience.to_owned(),
    };
    let mut header = Header::new(Algorithm::HS256);
    header.typ = Some("JWT".into());
    let token =
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(secret)).context("signing the token")?;
    Ok((token, claims))
}
