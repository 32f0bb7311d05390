//! Rate limiting per caller on `/graphql` (POST, GET and WebSocket upgrades).
//!
//! Contract:
//! - The caller is the token subject (`sub`) when the request carries an
//!   `Authorization: Bearer` token whose signature and claims verify (checked
//!   without the store), else the client's IP address (the TCP peer; IPv6
//!   callers by their /64 network). A WebSocket upgrade carries its token in
//!   `connection_init`, after the upgrade, so upgrades count by IP; then
//!   every `subscribe` message on the socket counts like one HTTP request,
//!   against the token's subject (the address when anonymous), and one over
//!   the limit is answered with an `error` message coded `RATE_LIMITED`
//!   (see `crate::http::subscriptions`).
//! - Each caller may send [`RateLimitSettings::rate_limit_burst`] requests at
//!   once and [`RateLimitSettings::rate_limit_per_minute`] a minute on
//!   average (GCRA, `governor`); `--rate-limit-per-minute 0` disables limiting.
//! - Over the limit: HTTP 429 with `Retry-After: <seconds>` and the body
//!   `{"errors":[{"message":…,"extensions":{"code":"RATE_LIMITED","retryAfterSeconds":N}}]}`,
//!   answered before the body is read, any GraphQL work or any database access.
//! - Memory stays bounded: a background task forgets callers whose allowance
//!   is full again every [`HOUSEKEEPING_INTERVAL`]; it ends with the limiter.
//! - The limit is per instance: N instances behind a load balancer allow up to
//!   N times the configured rate.

use crate::auth::{Authenticator, bearer_token};
use crate::error::AppError;
use crate::http::metrics::Metrics;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, HeaderValue, RETRY_AFTER};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::ErrorExtensions;
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// How often callers with a full allowance are forgotten.
pub const HOUSEKEEPING_INTERVAL: Duration = Duration::from_secs(30);

/// Rate-limit settings (flattened into `crate::config::ServeSettings`).
///
/// [`Default`] is the command line's default: limiting enabled, 600 a minute
/// in bursts of 100. Code that wants no limit sets `rate_limit_per_minute: 0`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct RateLimitSettings {
    /// Requests to /graphql one caller (token subject, else client IP) may send per minute; 0 disables limiting.
    #[arg(
        long,
        env = "XIETONG_RATE_LIMIT_PER_MINUTE",
        default_value_t = RateLimitSettings::DEFAULT.rate_limit_per_minute
    )]
    pub rate_limit_per_minute: u32,

    /// Requests one caller may send at once before the per-minute rate applies (at least 1).
    #[arg(
        long,
        env = "XIETONG_RATE_LIMIT_BURST",
        default_value_t = RateLimitSettings::DEFAULT.rate_limit_burst,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub rate_limit_burst: u32,
}

impl RateLimitSettings {
    /// The defaults, which the flags show and use too (written here only).
    pub const DEFAULT: Self = Self { rate_limit_per_minute: 600, rate_limit_burst: 100 };
}

impl Default for RateLimitSettings {
    /// [`RateLimitSettings::DEFAULT`].
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Who is calling, for rate limiting.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CallerKey {
    /// A verified token's subject.
    Subject(String),
    /// The client's IP address (IPv6: its /64 network).
    Ip(IpAddr),
    /// No token and no peer address (not seen over TCP).
    Unknown,
}

/// The per-caller limiter of one application; `None` inside when disabled.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    limiter: Option<Arc<DefaultKeyedRateLimiter<CallerKey>>>,
    settings: RateLimitSettings,
}

impl RateLimiter {
    /// A limiter for these settings (disabled when the rate is 0). Call
    /// [`RateLimiter::start_housekeeping`] once inside the runtime.
    pub fn new(settings: &RateLimitSettings) -> Self {
        let limiter = NonZeroU32::new(settings.rate_limit_per_minute).map(|rate| {
            let burst = NonZeroU32::new(settings.rate_limit_burst).unwrap_or(NonZeroU32::MIN);
            Arc::new(governor::RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst)))
        });
        Self { limiter, settings: settings.clone() }
    }

    /// Spawns the task that forgets idle callers every
    /// [`HOUSEKEEPING_INTERVAL`]; it stops once the limiter is dropped.
    /// Must be called from within a Tokio runtime.
    pub fn start_housekeeping(&self) {
        let Some(limiter) = &self.limiter else { return };
        let weak: Weak<DefaultKeyedRateLimiter<CallerKey>> = Arc::downgrade(limiter);
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(HOUSEKEEPING_INTERVAL);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                let Some(limiter) = weak.upgrade() else { return };
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        });
    }

    /// Takes one request from `key`'s allowance: `Ok` if allowed, else the
    /// whole seconds (at least 1) after which the next request will be.
    pub fn check(&self, key: &CallerKey) -> Result<(), u64> {
        let Some(limiter) = &self.limiter else { return Ok(()) };
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(limiter.clock().now());
            (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
        })
    }

    /// Number of callers currently remembered (an estimate).
    pub fn tracked_callers(&self) -> usize {
        self.limiter.as_ref().map_or(0, |l| l.len())
    }

    /// The `RATE_LIMITED` error telling the caller to retry after `retry_after_secs`
    /// (also sent over WebSocket, src/http/subscriptions.rs).
    pub fn refused(&self, retry_after_secs: u64) -> AppError {
        AppError::RateLimited {
            message: format!(
                "too many requests: the limit is {} a minute (bursts of {}); retry after {retry_after_secs} s",
                self.settings.rate_limit_per_minute, self.settings.rate_limit_burst
            ),
            retry_after_secs,
        }
    }

    /// The 429 answer telling the caller to retry after `retry_after_secs`,
    /// in the shape and media type of every `/graphql` refusal ([`crate::http::response`]).
    fn refusal(&self, retry_after_secs: u64, request: &HttpRequest) -> HttpResponse {
        let error = self.refused(retry_after_secs).extend();
        let mut response = crate::http::response::refusal(request, StatusCode::TOO_MANY_REQUESTS, &error);
        if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
            response.headers_mut().insert(RETRY_AFTER, value);
        }
        response
    }
}

/// The caller of a request: a verified token's subject, else the peer's IP.
pub fn caller_key(request: &ServiceRequest, authenticator: Option<&Authenticator>) -> CallerKey {
    let header = request.headers().get(AUTHORIZATION).and_then(|h| h.to_str().ok());
    caller_key_of(header, request.peer_addr().map(|addr| addr.ip()), authenticator)
}

/// The caller named by an `Authorization` value (a verified token's
/// subject), else by the peer's address; the rule of [`caller_key`] for
/// callers that are not an HTTP request (WebSocket messages).
pub fn caller_key_of(
    authorization: Option<&str>,
    peer: Option<IpAddr>,
    authenticator: Option<&Authenticator>,
) -> CallerKey {
    let subject = authenticator.and_then(|authenticator| {
        let token = bearer_token(authorization?).ok()?;
        authenticator.verify(token).ok().map(|verified| verified.subject)
    });
    if let Some(subject) = subject {
        return CallerKey::Subject(subject);
    }
    match peer.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V6(ip)) => {
            let network = u128::from(ip) & !((1u128 << 64) - 1);
            CallerKey::Ip(IpAddr::V6(network.into()))
        }
        Some(ip) => CallerKey::Ip(ip),
        None => CallerKey::Unknown,
    }
}

/// Middleware enforcing the [`RateLimiter`] in the app data (none: no limit).
///
/// # Errors
/// Those of the wrapped service, unchanged.
pub async fn limit(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(limiter) = request.app_data::<web::Data<RateLimiter>>().cloned() else {
        return Ok(next.call(request).await?.map_into_left_body());
    };
    if limiter.limiter.is_some() {
        let authenticator = request.app_data::<web::Data<Authenticator>>().map(|a| a.get_ref());
        let key = caller_key(&request, authenticator);
        if let Err(retry_after_secs) = limiter.check(&key) {
            if let Some(metrics) = request.app_data::<web::Data<Metrics>>() {
                metrics.record_rate_limited();
            }
            tracing::debug!(caller = ?key, retry_after_secs, "rate limited");
            let response = limiter.refusal(retry_after_secs, request.request());
            return Ok(request.into_response(response).map_into_right_body());
        }
    }
    Ok(next.call(request).await?.map_into_left_body())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_refused_with_a_wait() {
        let limiter = RateLimiter::new(&RateLimitSettings { rate_limit_per_minute: 1, rate_limit_burst: 2 });
        let a = CallerKey::Subject("a".into());
        assert_eq!(limiter.check(&a), Ok(()));
        assert_eq!(limiter.check(&a), Ok(()));
        let wait = limiter.check(&a).unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        assert_eq!(limiter.check(&CallerKey::Subject("b".into())), Ok(()));
        assert_eq!(limiter.tracked_callers(), 2);
    }

    #[test]
    fn the_command_line_enables_limiting_by_default() {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            settings: RateLimitSettings,
        }
        let cli = Cli::try_parse_from(["x"]).unwrap();
        assert_eq!(cli.settings, RateLimitSettings { rate_limit_per_minute: 600, rate_limit_burst: 100 });
        assert!(Cli::try_parse_from(["x", "--rate-limit-burst", "0"]).is_err());
        assert_eq!(RateLimitSettings::default(), cli.settings, "Default is the command line's default");
    }

    #[test]
    fn zero_disables() {
        let limiter = RateLimiter::new(&RateLimitSettings { rate_limit_per_minute: 0, rate_limit_burst: 1 });
        for _ in 0..1000 {
            assert_eq!(limiter.check(&CallerKey::Unknown), Ok(()));
        }
        assert_eq!(limiter.tracked_callers(), 0);
    }

    #[test]
    fn the_refusal_is_graphql_shaped() {
        let limiter = RateLimiter::new(&RateLimitSettings { rate_limit_per_minute: 600, rate_limit_burst: 100 });
        let response = limiter.refusal(7, &actix_web::test::TestRequest::default().to_http_request());
        assert_eq!(response.status(), actix_web::http::StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers().get(RETRY_AFTER).unwrap(), "7");
    }
}
