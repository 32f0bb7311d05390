//! The claims of a xietong token and the names of roles in them.
//!
//! `sub`, `dept` (the department's GraphQL global ID), `role` (`ADMIN`,
//! `COORDINATOR`, `BUREAU`, `READER`), `jti`, `exp`, `iss` and `aud` are
//! required; `client`, `iat` and `nbf` are optional.

use crate::access::Role;
use serde::{Deserialize, Serialize};

/// Every role, in the order messages list them.
const ROLES: [Role; 4] = [Role::Admin, Role::Coordinator, Role::Bureau, Role::Reader];

/// The name of a role as tokens write it (`COORDINATOR`).
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "ADMIN",
        Role::Coordinator => "COORDINATOR",
        Role::Bureau => "BUREAU",
        Role::Reader => "READER",
    }
}

/// Parses a role name; case-insensitive (the command line accepts `bureau`).
///
/// # Errors
/// A message listing the valid names.
pub fn parse_role(name: &str) -> Result<Role, String> {
    ROLES.into_iter().find(|r| role_name(*r).eq_ignore_ascii_case(name.trim())).ok_or_else(|| {
        let names: Vec<&str> = ROLES.into_iter().map(role_name).collect();
        format!("role `{name}` is not one of {}", names.join(", "))
    })
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
            assert_eq!(parse_role(role_name(role)), Ok(role));
        }
        assert_eq!(parse_role("bureau"), Ok(Role::Bureau));
        assert!(parse_role("ROOT").is_err_and(|e| e.contains("ADMIN, COORDINATOR, BUREAU, READER")));
    }
}
