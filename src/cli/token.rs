//! `xietong token issue`: prints a token the local server accepts.
//!
//! Contract: the department is named by its global ID, its name or one of its
//! aliases ([`resolve_department`]: an ambiguous name is an error listing the
//! candidates, an unknown one an error with close names if any). The token is
//! signed HS256 with the secret the server uses (`--jwt-secret`, or the secret
//! file, generated when missing), with the configured issuer and audience and
//! a random `jti`. Only the token goes to standard output.

use crate::access::Role;
use crate::auth::AuthSettings;
use crate::auth::claims::parse_role;
use crate::auth::duration::parse_ttl;
use crate::auth::issue::{TokenRequest, sign_hs256};
use crate::auth::keys::load_secret;
use crate::auth::settings::JwtAlgorithm;
use crate::db::{self, DatabaseSettings};
use crate::ids::{NodeKind, to_global};
use crate::service::departments::resolve_department;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use std::process::ExitCode;
use std::time::Duration;

/// `xietong token …`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a token the local server accepts (HS256, signed with the local secret).
    Issue(IssueTokenArgs),
}

/// Settings of `xietong token issue`.
#[derive(Debug, Clone, Args)]
pub struct IssueTokenArgs {
    /// Department: its global ID, or its name or an alias (an ambiguous name lists the candidates).
    #[arg(long)]
    pub dept: String,

    /// Role: ADMIN, COORDINATOR, BUREAU or READER.
    #[arg(long, value_parser = parse_role)]
    pub role: Role,

    /// Lifetime, e.g. 30m, 8h, 7d (at most 366d).
    #[arg(long, default_value = "8h", value_parser = parse_ttl)]
    pub ttl: Duration,

    /// Name of the calling system (`client` claim).
    #[arg(long)]
    pub client: Option<String>,

    /// Subject (`sub` claim); default: the local user name.
    #[arg(long)]
    pub subject: Option<String>,

    #[command(flatten)]
    pub auth: AuthSettings,
}

/// Runs a `token` command, printing its output.
///
/// # Errors
/// Those of [`issue`].
pub async fn run(database: &DatabaseSettings, command: &TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Issue(args) => println!("{}", issue(database, args).await?),
    }
    Ok(ExitCode::SUCCESS)
}

/// Signs the token `xietong token issue` prints (see the module's contract).
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
