//! `xietong token issue`: prints a token the local server accepts.
//!
//! Contract: the department is named by its global ID, its name or one of its
//! aliases (`crate::service::departments::resolve_department`: a name that
//! matches several departments is an error listing them, an unknown one an
//! error with close names if any). The
//! token is signed HS256 with the secret the server uses (`--jwt-secret`, or
//! the secret file, generated when missing), with the configured issuer and
//! audience and a random `jti`. Only the token goes to standard output.

use super::issue::{TokenRequest, sign_hs256};
use super::keys::load_secret;
use super::settings::JwtAlgorithm;
use crate::config::{DatabaseSettings, IssueTokenArgs};
use crate::db;
use crate::ids::{NodeKind, to_global};
use crate::service::departments::resolve_department;
use anyhow::{Context, bail};

/// Runs `xietong token issue` and returns the token.
///
/// # Errors
/// An unknown or ambiguous department, a configuration that does not accept
/// HS256, an unreadable secret, or an unreachable database.
pub async fn issue(database: &DatabaseSettings, args: &IssueTokenArgs) -> anyhow::Result<String> {
    if !args.auth.jwt_algorithms.is_empty() && !args.auth.jwt_algorithms.contains(&JwtAlgorithm::Hs256) {
        bail!("--jwt-algorithms does not accept HS256, so the server would refuse a locally signed token");
    }
    let conn = db::connect(database).await.context("connecting to the database")?;
    let department = resolve_department(&conn, &args.dept).await;
    conn.close().await.ok();
    let department = department?;
    let secret = load_secret(&args.auth, &database.database_url)?;
    let request = TokenRequest {
        subject: args.subject.clone().unwrap_or_else(default_subject),
        department: to_global(NodeKind::Department, &department.id).0,
        role: args.role,
        client: args.client.clone(),
        ttl: args.ttl,
    };
    let (token, claims) = sign_hs256(&secret, &args.auth.jwt_issuer, &args.auth.jwt_audience, &request)?;
    tracing::info!(
        department = %department.name, role = %claims.role, subject = %claims.sub, jti = %claims.jti, exp = claims.exp,
        "issued a token"
    );
    Ok(token)
}

/// The subject when `--subject` is not given: the local user name, or `xietong-cli`.
fn default_subject() -> String {
    std::env::var("USER").ok().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| "xietong-cli".into())
}
