//! The `--webhook-*` flags (flattened into `crate::config::ServeSettings`).

use std::time::Duration;

/// Default of `--webhook-timeout`.
pub const DEFAULT_TIMEOUT: &str = "10s";
/// Default of `--webhook-retry-base`.
pub const DEFAULT_RETRY_BASE: &str = "1s";
/// Default of `--webhook-probe-interval`.
pub const DEFAULT_PROBE_INTERVAL: &str = "5m";
/// Default of `--webhook-max-attempts`.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;

/// Where and how webhooks are delivered.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct WebhookSettings {
    /// Hosts (`name`, `name:port`, an IP address; comma-separated) webhook endpoints may point at;
    /// none by default, which turns webhooks off. Any other host is refused at registration and
    /// at delivery.
    #[arg(long, env = "XIETONG_WEBHOOK_ALLOW_HOSTS", value_delimiter = ',', value_parser = parse_allowed_host)]
    pub webhook_allow_hosts: Vec<String>,

    /// Longest wait for a receiver's answer (connecting, sending and reading it), such as `10s`.
    #[arg(long, env = "XIETONG_WEBHOOK_TIMEOUT", default_value = DEFAULT_TIMEOUT, value_parser = parse_interval)]
    pub webhook_timeout: Duration,

    /// Attempts at one change before the endpoint is marked FAILING.
    #[arg(long, env = "XIETONG_WEBHOOK_MAX_ATTEMPTS", default_value_t = DEFAULT_MAX_ATTEMPTS,
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub webhook_max_attempts: u32,

    /// Wait before the first retry; each further retry waits twice as long (with jitter), up to
    /// `--webhook-probe-interval`.
    #[arg(long, env = "XIETONG_WEBHOOK_RETRY_BASE", default_value = DEFAULT_RETRY_BASE, value_parser = parse_interval)]
    pub webhook_retry_base: Duration,

    /// How often a FAILING endpoint is probed with its next change; a success makes it ACTIVE again.
    #[arg(long, env = "XIETONG_WEBHOOK_PROBE_INTERVAL", default_value = DEFAULT_PROBE_INTERVAL,
          value_parser = parse_interval)]
    pub webhook_probe_interval: Duration,
}

impl Default for WebhookSettings {
    /// Webhooks off; the flags' defaults for everything else.
    fn default() -> Self {
        let parse = |text| parse_interval(text).unwrap_or(Duration::from_secs(1));
        Self {
            webhook_allow_hosts: Vec::new(),
            webhook_timeout: parse(DEFAULT_TIMEOUT),
            webhook_max_attempts: DEFAULT_MAX_ATTEMPTS,
            webhook_retry_base: parse(DEFAULT_RETRY_BASE),
            webhook_probe_interval: parse(DEFAULT_PROBE_INTERVAL),
        }
    }
}

impl WebhookSettings {
    /// Whether webhooks are on (some host is allowed).
    pub fn enabled(&self) -> bool {
        !self.webhook_allow_hosts.is_empty()
    }
}

/// An allowed host as written in `--webhook-allow-hosts`, lower-cased: a
/// name or IP address with an optional port, nothing else.
///
/// # Errors
/// For a scheme, a path, user information or an empty entry.
pub fn parse_allowed_host(text: &str) -> Result<String, String> {
    let host = text.trim().to_ascii_lowercase();
    let parsed = url::Url::parse(&format!("http://{host}/")).ok();
    let valid = !host.is_empty()
        && !host.contains(['/', '?', '#', '@', '*', ' '])
        && parsed.is_some_and(|url| url.host_str().is_some() && super::guard::host_key(&url).as_deref() == Some(&host));
    if valid { Ok(host) } else { Err(format!("{text:?} is not a host such as hooks.example.gov.cn or 127.0.0.1:9000")) }
}

/// Parses an interval: `<number><unit>` with units `ms`, `s`, `m` or `h` (`500ms`, `10s`, `5m`).
///
/// # Errors
/// A message saying what is accepted, also for zero and for more than a day.
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    let invalid = || format!("`{text}` is not an interval such as 500ms, 10s or 5m");
    let text = text.trim();
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let n: u64 = number.parse().map_err(|_| invalid())?;
    let millis = match unit {
        "ms" => Some(n),
        "s" => n.checked_mul(1000),
        "m" => n.checked_mul(60_000),
        "h" => n.checked_mul(3_600_000),
        _ => None,
    }
    .ok_or_else(invalid)?;
    if millis == 0 || millis > 86_400_000 {
        return Err(invalid());
    }
    Ok(Duration::from_millis(millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse() {
        for (text, ms) in [("500ms", 500), ("10s", 10_000), ("5m", 300_000), ("1h", 3_600_000)] {
            assert_eq!(parse_interval(text), Ok(Duration::from_millis(ms)), "{text}");
        }
        for bad in ["", "10", "0s", "s", "1.5s", "2d", "25h", "-1s"] {
            assert!(parse_interval(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn allowed_hosts_are_hosts_only() {
        assert_eq!(parse_allowed_host(" Hooks.Example.gov.cn "), Ok("hooks.example.gov.cn".into()));
        assert_eq!(parse_allowed_host("127.0.0.1:9000"), Ok("127.0.0.1:9000".into()));
        for bad in ["", "http://a.example", "a.example/x", "user@a.example", "*"] {
            assert!(parse_allowed_host(bad).is_err(), "{bad}");
        }
    }
}
