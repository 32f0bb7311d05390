//! One webhook POST: the allow-list checked again, the Standard Webhooks
//! headers, a timeout (the client's), and at most [`MAX_RESPONSE_BYTES`] of
//! the answer read (the rest is dropped with the connection).

use super::{guard, signing};
use std::time::{Duration, Instant};

/// Most bytes of a receiver's answer read; only its status matters.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// Longest error text kept with an attempt.
const MAX_ERROR_CHARS: usize = 500;

/// The outbound HTTP client of webhooks: `timeout` for connecting and for
/// the whole exchange, no redirects (a redirect could lead off the
/// allow-list), no proxy from the environment (the allow-list names the
/// hosts actually called).
///
/// # Errors
/// When the TLS backend cannot be set up.
pub fn client(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("xietong-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The receiver answered 2xx.
    pub succeeded: bool,
    /// The receiver's status, if it answered.
    pub status_code: Option<u16>,
    /// From sending to the end of the answer (or the failure).
    pub latency_ms: i64,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

/// One message to send.
pub struct Message<'a> {
    /// The endpoint's URL.
    pub url: &'a str,
    /// The `webhook-id`.
    pub id: &'a str,
    /// The JSON body, exactly as signed.
    pub body: &'a [u8],
    /// Every secret that signs it (the current one first).
    pub secrets: &'a [&'a str],
}

/// POSTs `message` signed at the current time, if its host is still allowed.
pub async fn post(client: &reqwest::Client, allowed: &[String], message: &Message<'_>) -> Outcome {
    let started = Instant::now();
    let failed = |error: String, status_code: Option<u16>, started: Instant| Outcome {
        succeeded: false,
        status_code,
        latency_ms: elapsed_ms(started),
        error: Some(error.chars().take(MAX_ERROR_CHARS).collect()),
    };
    let url = match guard::check(allowed, message.url) {
        Ok(url) => url,
        Err(refusal) => return failed(format!("not sent: {refusal}"), None, started),
    };
    let timestamp = chrono::Utc::now().timestamp();
    let signature = signing::header(message.secrets, message.id, timestamp, message.body);
    let request = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("webhook-id", message.id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(message.body.to_vec());
    let mut response = match request.send().await {
        Ok(response) => response,
        Err(error) => return failed(describe(&error), None, started),
    };
    let status = response.status();
    let mut read = 0usize;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                read += chunk.len();
                if read > MAX_RESPONSE_BYTES {
                    break;
                }
            }
            Ok(None) => break,
            Err(error) => return failed(describe(&error), Some(status.as_u16()), started),
        }
    }
    if status.is_success() {
        Outcome { succeeded: true, status_code: Some(status.as_u16()), latency_ms: elapsed_ms(started), error: None }
    } else {
        failed(format!("the receiver answered {status}"), Some(status.as_u16()), started)
    }
}

/// A short description of a failed exchange: the kind and its innermost cause.
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "the exchange failed"
    };
    let mut cause: &dyn std::error::Error = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    format!("{kind}: {cause}")
}

fn elapsed_ms(started: Instant) -> i64 {
    i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
}

/// What delivering needs, built once per instance and shared by the worker
/// and the re-send mutation: the settings and, when webhooks are on, the client.
#[derive(Clone)]
pub struct Outbound {
    /// The `--webhook-*` flags.
    pub settings: super::WebhookSettings,
    /// `None` when webhooks are off (no allowed host).
    pub client: Option<reqwest::Client>,
}

impl Outbound {
    /// The outbound side of `settings`.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(settings: super::WebhookSettings) -> anyhow::Result<Self> {
        let client = if settings.enabled() { Some(client(settings.webhook_timeout)?) } else { None };
        Ok(Self { settings, client })
    }

    /// Webhooks off (the schema printed without a server).
    pub fn off() -> Self {
        Self { settings: super::WebhookSettings::default(), client: None }
    }
}
