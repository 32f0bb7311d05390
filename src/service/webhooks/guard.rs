//! The server-side request forgery guard: a webhook goes only to a host the
//! operator allowed (`--webhook-allow-hosts`), checked when an endpoint is
//! registered and again before every delivery (the list may have changed).

use url::Url;

/// Why a URL is refused, for the caller (registration) or the attempt's record (delivery).
pub type Refusal = String;

/// The host of `url` as an allow-list entry names it: the host alone, or
/// `host:port` when the URL gives a port (see [`allows`]).
pub fn host_key(url: &Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// Whether `allowed` lets webhooks reach `url`: an entry naming its host
/// alone allows every port of it; `host:port` allows that port only.
fn allows(allowed: &[String], url: &Url) -> bool {
    let Some(host) = url.host_str().map(str::to_ascii_lowercase) else { return false };
    let port = url.port_or_known_default();
    allowed.iter().any(|entry| *entry == host || port.is_some_and(|port| *entry == format!("{host}:{port}")))
}

/// Parses `text` as a webhook URL `allowed` lets through: `http` or `https`,
/// no user information, a host on the list.
///
/// # Errors
/// A message saying which rule the URL breaks.
pub fn check(allowed: &[String], text: &str) -> Result<Url, Refusal> {
    if allowed.is_empty() {
        return Err("webhooks are off on this server (no --webhook-allow-hosts)".into());
    }
    let url = Url::parse(text.trim()).map_err(|_| "must be an absolute http or https URL".to_owned())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http or https URL".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password".into());
    }
    if !allows(allowed, &url) {
        let host = host_key(&url).unwrap_or_default();
        return Err(format!("host {host} is not allowed for webhooks on this server (--webhook-allow-hosts)"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allowed_hosts_pass() {
        let allowed = vec!["127.0.0.1".to_owned(), "hooks.example.gov.cn:8443".to_owned()];
        for ok in ["http://127.0.0.1:9000/hook", "http://127.0.0.1/x", "https://hooks.example.gov.cn:8443/a"] {
            assert!(check(&allowed, ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.1/hook",
            "http://localhost:9000/",
            "https://hooks.example.gov.cn/a",
            "http://127.0.0.1.evil.example/",
            "http://user:pw@127.0.0.1/",
            "ftp://127.0.0.1/",
            "file:///etc/passwd",
            "/relative",
        ] {
            assert!(check(&allowed, bad).is_err(), "{bad}");
        }
        assert!(check(&[], "http://127.0.0.1/").is_err(), "an empty list allows nothing");
    }
}
