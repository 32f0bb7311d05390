//! Cross-origin requests from browsers (CORS), for the origins named by
//! `--cors-origins`; none by default.
//!
//! Contract, for an allowed origin: a preflight (`OPTIONS` with
//! `Access-Control-Request-Method`) is answered 200 with
//! `Access-Control-Allow-Origin` echoing the origin,
//! `Access-Control-Allow-Credentials: true`, the methods GET, POST and
//! OPTIONS, the request headers `Authorization`, `Content-Type` and `Accept`,
//! and `Access-Control-Max-Age` ([`MAX_AGE_SECS`]); an actual request gets the
//! same origin and credentials headers and may read `Retry-After` and
//! `WWW-Authenticate`. Every answer carries `Vary: Origin`. Any other origin
//! gets no `Access-Control-*` header at all (its preflight is refused 400),
//! so browsers keep its pages from calling the API; clients outside a browser
//! are not affected.

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName};
use actix_web::middleware::Next;

/// How long (seconds) a browser may cache a preflight answer.
pub const MAX_AGE_SECS: usize = 3600;

/// The CORS middleware for `origins` (already checked by
/// [`crate::config::parse_origin`]); `None` when the list is empty.
pub fn middleware(origins: &[String]) -> Option<Cors> {
    if origins.is_empty() {
        return None;
    }
    let cors = origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods(["GET", "POST", "OPTIONS"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([header::RETRY_AFTER, header::WWW_AUTHENTICATE])
        .supports_credentials()
        .max_age(MAX_AGE_SECS);
    Some(cors)
}

/// Removes the `Access-Control-*` headers actix-cors adds to answers that do
/// not allow the request's origin (it sets `…-Allow-Credentials` and
/// `…-Expose-Headers` on every answer): an origin that is not allowed gets none.
///
/// # Errors
/// Those of the wrapped service, unchanged.
pub async fn only_for_allowed_origins(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut response = next.call(request).await?;
    let headers = response.headers_mut();
    if !headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
        let cors: Vec<HeaderName> =
            headers.keys().filter(|name| name.as_str().starts_with("access-control-")).cloned().collect();
        for name in cors {
            headers.remove(name);
        }
    }
    Ok(response)
}
