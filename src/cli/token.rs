//! `xietong token issue`: prints a token the local server accepts.
//!
//! Contract: the department is named by its global ID, its name or one of its
//! aliases ([`resolve_department`]: an ambiguous name is an error listing the
//! candidates, an unknown one an error with close names if any). The token is
//! signed HS256 with the secret the server uses (`--jwt-secret`, or the secret
//! file, generated when missing), with the configured issuer and audience and
//! a random `jti`. Only the token goes to standard output — or, with `--link`, a sign-in link
//! to `/report` or `/dashboard` that carries it in the URL fragment.

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

    /// Lifetime, e.g. 30m, 8h, 7d (at most 366d); default 8h, or 30m with `--link`.
    #[arg(long, value_parser = parse_ttl)]
    pub ttl: Option<Duration>,

    /// Print a sign-in link to a page of the server instead of the bare token: the token rides in
    /// the URL fragment (`#token=…`), which browsers never send to a server, and the page keeps it
    /// for that browser tab only.
    #[arg(long, value_enum, num_args = 0..=1, default_missing_value = "report")]
    pub link: Option<SignInPage>,

    /// The server's address as the link's recipient reaches it (with `--link`).
    #[arg(long, default_value = "http://127.0.0.1:8080", requires = "link")]
    pub base_url: String,

    /// Name of the calling system (`client` claim).
    #[arg(long)]
    pub client: Option<String>,

    /// Subject (`sub` claim); default: the local user name.
    #[arg(long)]
    pub subject: Option<String>,

    #[command(flatten)]
    pub auth: AuthSettings,
}

/// The page a sign-in link opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SignInPage {
    /// `/report`: a bureau's reporting page.
    Report,
    /// `/dashboard`: the supervision dashboard.
    Dashboard,
}

/// Lifetime of a token when `--ttl` is not given.
const DEFAULT_TTL: Duration = Duration::from_secs(8 * 3600);
/// Lifetime of a sign-in link's token when `--ttl` is not given: a link is short-lived.
const DEFAULT_LINK_TTL: Duration = Duration::from_secs(30 * 60);

/// Runs a `token` command, printing its output.
///
/// # Errors
/// Those of [`issue`].
pub async fn run(database: &DatabaseSettings, command: &TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Issue(args) => {
            let token = issue(database, args).await?;
            match args.link {
                Some(page) => println!("{}", sign_in_link(&args.base_url, page, &token)),
                None => println!("{token}"),
            }
        }
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
        ttl: args.ttl.unwrap_or(if args.link.is_some() { DEFAULT_LINK_TTL } else { DEFAULT_TTL }),
    };
    let (token, claims) = sign_hs256(&secret, &args.auth.jwt_issuer, &args.auth.jwt_audience, &request)?;
    tracing::info!(
        department = %department.name, role = %claims.role, subject = %claims.sub, jti = %claims.jti, exp = claims.exp,
        "issued a token"
    );
    Ok(token)
}

/// The link that signs a browser tab in to `page` with `token`.
fn sign_in_link(base_url: &str, page: SignInPage, token: &str) -> String {
    let path = match page {
        SignInPage::Report => "report",
        SignInPage::Dashboard => "dashboard",
    };
    format!("{}/{path}#token={token}", base_url.trim_end_matches('/'))
}

/// The subject when `--subject` is not given: the local user name, or `xietong-cli`.
pub(crate) fn default_subject() -> String {
    std::env::var("USER").ok().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| "xietong-cli".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_link_carries_the_token_in_the_fragment() {
        assert_eq!(
            sign_in_link("https://xietong.example.gov.cn/", SignInPage::Report, "a.b.c"),
            "https://xietong.example.gov.cn/report#token=a.b.c"
        );
        assert_eq!(
            sign_in_link("http://127.0.0.1:8080", SignInPage::Dashboard, "t"),
            "http://127.0.0.1:8080/dashboard#token=t"
        );
    }
}
