//! Configuration of the server: every flag has an environment variable.
//!
//! With no configuration at all, `xietong` serves on 127.0.0.1:8080 from a
//! SQLite file `xietong.db` in the working directory, which it creates,
//! migrates and seeds on first start.
//!
//! [`ServeSettings`] composes the settings of the layers that use them
//! ([`Limits`], [`AuthSettings`], [`RateLimitSettings`], [`SubscriptionSettings`]); the
//! command line ([`crate::cli`]) flattens it. Each default is written once,
//! as a constant that both the flag and [`Default`] use, and the README's
//! configuration table is checked against the flags (`crate::cli`'s tests).

use crate::auth::AuthSettings;
use crate::graphql::Limits;
use crate::http::rate_limit::RateLimitSettings;
use crate::http::subscriptions::SubscriptionSettings;
use crate::service::webhooks::WebhookSettings;
use clap::Args;

/// Default of `--bind`: the loopback interface, so a first start is reachable from this machine only.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// Default of `--no-seed`: an empty database gets the default dataset.
pub const DEFAULT_NO_SEED: bool = false;

/// Settings of `xietong serve`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct ServeSettings {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "XIETONG_BIND", default_value = DEFAULT_BIND)]
    pub bind: String,

    /// Do not load the default dataset into an empty database.
    #[arg(long, env = "XIETONG_NO_SEED", default_value_t = DEFAULT_NO_SEED)]
    pub no_seed: bool,

    /// Origins (`https://host[:port]`, comma-separated) whose web pages may call the API from a
    /// browser (CORS); none by default. Other origins get no CORS headers.
    #[arg(long, env = "XIETONG_CORS_ORIGINS", value_delimiter = ',', value_parser = parse_origin)]
    pub cors_origins: Vec<String>,

    #[command(flatten)]
    pub limits: Limits,

    /// Per-caller rate limit on /graphql (see `crate::http::rate_limit`).
    #[command(flatten)]
    pub rate_limit: RateLimitSettings,

    /// Caps on open subscriptions (see `crate::http::subscriptions`).
    #[command(flatten)]
    pub subscriptions: SubscriptionSettings,

    #[command(flatten)]
    pub auth: AuthSettings,

    /// Webhook delivery (see `crate::service::webhooks`).
    #[command(flatten)]
    pub webhooks: WebhookSettings,
}

impl Default for ServeSettings {
    /// What `xietong serve` runs with when nothing is configured.
    fn default() -> Self {
        Self {
            bind: DEFAULT_BIND.into(),
            no_seed: DEFAULT_NO_SEED,
            cors_origins: Vec::new(),
            limits: Limits::DEFAULT,
            rate_limit: RateLimitSettings::DEFAULT,
            subscriptions: SubscriptionSettings::DEFAULT,
            auth: AuthSettings::default(),
            webhooks: WebhookSettings::default(),
        }
    }
}

/// A CORS origin as browsers send it: `http` or `https`, a host, an optional
/// port, nothing after (a trailing `/` is dropped); lower-cased.
///
/// # Errors
/// For anything else, including `*` (credentials need explicit origins).
pub fn parse_origin(text: &str) -> Result<String, String> {
    let origin = text.trim().trim_end_matches('/').to_ascii_lowercase();
    let expected = "expected an origin such as https://app.example.gov.cn or http://127.0.0.1:3000";
    let (scheme, rest) = origin.split_once("://").ok_or_else(|| format!("{text:?}: {expected}"))?;
    let host_ok = !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@', '*', ' '])
        && rest.parse::<actix_web::http::uri::Authority>().is_ok();
    if !matches!(scheme, "http" | "https") || !host_ok {
        return Err(format!("{text:?}: {expected}"));
    }
    Ok(origin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Command, FromArgMatches};

    /// `T` as the command line gives it when no flag and no environment variable is set.
    fn from_nothing<T: Args + FromArgMatches>() -> Result<T, clap::Error> {
        let command = T::augment_args(Command::new("xietong")).mut_args(|arg| arg.env(None::<&'static str>));
        T::from_arg_matches(&command.try_get_matches_from(["xietong"])?)
    }

    #[test]
    fn the_defaults_are_the_command_lines() -> Result<(), clap::Error> {
        assert_eq!(from_nothing::<ServeSettings>()?, ServeSettings::default());
        assert_eq!(from_nothing::<Limits>()?, Limits::default());
        assert_eq!(from_nothing::<AuthSettings>()?, AuthSettings::default());
        assert_eq!(from_nothing::<WebhookSettings>()?, WebhookSettings::default());
        Ok(())
    }
}
