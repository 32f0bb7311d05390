//! The claims of a xietong token and the names of roles in them.
//!
//! `sub`, `dept` (the department's GraphQL global ID), `role` (`ADMIN`,
//! `COORDINATOR`, `BUREAU`, `READER`), `jti`, `exp`, `iss` and `aud` are
//! required; `client`, `iat` and `nbf` are optional.

use crate::access::Role;
use serde::{Deserialize, Serialize};

/// Every role, in the order messages list them.
const ROLES: [Role; 4] = [Role::Admin, Role::Coordinator, Role::Bureau, Role::Reader];

/// Parses a role name; case-insensitive (the command line accepts `bureau`).
///
/// # Errors
/// A message listing the valid names.
pub fn parse_role(name: &str) -> Result<Role, String> {
    ROLES.into_iter().find(|r| r.as_str().eq_ignore_ascii_case(name.trim())).ok_or_else(|| {
        let names: Vec<&str> = ROLES.into_iter().map(Role::as_str).collect();
        format!("role `{name}` is not one of {}", names.join(", "))
    })
}

/// Longest accepted `jti`, in characters: the same rule for verifying a
/// token and for revoking one, so every token that verifies can be revoked.
pub const MAX_JTI_CHARS: usize = 200;

/// Checks a `jti` as both verification and `revokeToken` do: not blank, at
/// most [`MAX_JTI_CHARS`] characters, no control characters. The `jti` is
/// otherwise taken exactly as written (never trimmed).
///
/// # Errors
/// A message saying which rule fails.
pub fn check_jti(jti: &str) -> Result<(), String> {
    if jti.trim().is_empty() {
        return Err("`jti` must not be blank".into());
    }
    if jti.chars().count() > MAX_JTI_CHARS {
        return Err(format!("`jti` must be at most {MAX_JTI_CHARS} characters"));
    }
    check_claim_text("jti", jti)
}

/// Refuses a claim holding control characters (NUL and the like): no claim
/// means one, and some stores refuse them in text.
///
/// # Errors
/// A message naming the claim.
pub fn check_claim_text(name: &str, value: &str) -> Result<(), String> {
    if value.chars().any(char::is_control) {
        return Err(format!("token claim `{name}` contains control characters"));
    }
    Ok(())
}

/// The claims xietong signs (`xietong token issue`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Subject: who calls.
    pub sub: String,
    /// The department's GraphQL global ID.
    pub dept: String,
    /// Role name (`BUREAU`).
    pub role: String,
    /// Calling system, if named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// Token ID, for revocation.
    pub jti: String,
    /// Issued at (seconds since the epoch).
    pub iat: u64,
    /// Expiry (seconds since the epoch).
    pub exp: u64,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
}

/// Claims as received, before xietong's own checks. `exp`, `nbf`, `iss` and
/// `aud` are checked by `jsonwebtoken` and not repeated here.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct ReceivedClaims {
    pub sub: Option<String>,
    pub dept: Option<String>,
    pub role: Option<String>,
    pub client: Option<String>,
    pub jti: Option<String>,
    pub iat: Option<serde_json::Value>,
    /// Checked by the verifier before these claims are read; kept to end subscriptions on time.
    pub exp: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for role in ROLES {
            assert_eq!(parse_role(role.as_str()), Ok(role));
        }
        assert_eq!(parse_role("bureau"), Ok(Role::Bureau));
        assert!(parse_role("ROOT").is_err_and(|e| e.contains("ADMIN, COORDINATOR, BUREAU, READER")));
    }

    #[test]
    fn jti_rules() {
        assert!(check_jti(" spaced jti ").is_ok());
        assert!(check_jti(&"x".repeat(MAX_JTI_CHARS)).is_ok());
        for bad in [String::new(), "  ".into(), "a\0b".to_owned(), "x".repeat(MAX_JTI_CHARS + 1)] {
            assert!(check_jti(&bad).is_err(), "{bad:?}");
        }
    }
}
