//! The media types and the error shape of every answer of `/graphql`
//! (GraphQL over HTTP, <https://graphql.github.io/graphql-over-http/draft/>).
//!
//! Contract:
//! - The answer's media type follows the request's `Accept` header: the
//!   supported type it ranks highest (by `q`, then by position) among
//!   `application/graphql-response+json` and `application/json`; `*/*`,
//!   `application/*` and a missing or empty header mean `application/json`.
//!   A header naming neither is answered 406 (in `application/json`).
//! - Every refusal — 400, 401, 405, 406, 413, 415, 429, 503 — has the body
//!   `{"errors":[{"message":…,"extensions":{"code":…}}]}` with no `data`,
//!   in the negotiated media type; both media types are UTF-8 JSON.

use crate::error::AppError;
use actix_web::http::StatusCode;
use actix_web::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, WWW_AUTHENTICATE};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::ErrorExtensionValues;
use serde::Serialize;

/// `Content-Type` of [`MediaType::GraphqlResponse`] answers.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json; charset=utf-8";
/// `Content-Type` of [`MediaType::Json`] answers.
pub const APPLICATION_JSON: &str = "application/json; charset=utf-8";

/// The media type a `/graphql` answer is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// `application/graphql-response+json`: request errors (syntax,
    /// validation, variables) are answered 400 without `data`.
    GraphqlResponse,
    /// `application/json`, the legacy type: every executed or refused
    /// GraphQL document is answered 200, with `data` as async-graphql gives it.
    Json,
}

impl MediaType {
    /// The `Content-Type` header value of an answer in this type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponse => GRAPHQL_RESPONSE_JSON,
            Self::Json => APPLICATION_JSON,
        }
    }
}

/// The media type the request's `Accept` header asks for; `None` when it
/// names no type this server can write (answer 406).
pub fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let values: Vec<&HeaderValue> = headers.get_all(ACCEPT).collect();
    if values.is_empty() {
        return Some(MediaType::Json);
    }
    let mut best: Option<(f32, MediaType)> = None;
    let mut listed_any = false;
    for range in values.iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')) {
        let mut parts = range.split(';').map(str::trim);
        let essence = parts.next().unwrap_or_default().to_ascii_lowercase();
        if essence.is_empty() {
            continue;
        }
        listed_any = true;
        let quality = parts
            .filter_map(|p| p.split_once('='))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
            .and_then(|(_, value)| value.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let media = match essence.as_str() {
            "application/graphql-response+json" => MediaType::GraphqlResponse,
            "application/json" | "application/*" | "*/*" => MediaType::Json,
            _ => continue,
        };
        // A strictly higher weight wins; on a tie the earlier range stays.
        if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, media));
        }
    }
    match best {
        Some((_, media)) => Some(media),
        None if !listed_any => Some(MediaType::Json),
        None => None,
    }
}

/// [`negotiate`], falling back to `application/json` (used for the 406 itself
/// and by refusals that must be answered whatever was asked).
pub fn media_type_or_json(headers: &HeaderMap) -> MediaType {
    negotiate(headers).unwrap_or(MediaType::Json)
}

#[derive(Serialize)]
struct ErrorsBody<'a> {
    errors: [ErrorEntry<'a>; 1],
}

#[derive(Serialize)]
struct ErrorEntry<'a> {
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    extensions: Option<&'a ErrorExtensionValues>,
}

/// A refusal of a `/graphql` request: `status` with the body
/// `{"errors":[{"message":…,"extensions":…}]}` (the error's extensions carry
/// its `code`), in the media type the request negotiates. Nothing was executed.
pub fn refusal(request: &HttpRequest, status: StatusCode, error: &async_graphql::Error) -> HttpResponse {
    let media = media_type_or_json(request.headers());
    let body = ErrorsBody { errors: [ErrorEntry { message: &error.message, extensions: error.extensions.as_ref() }] };
    json_response(status, media, &body)
}

/// `value` serialised as the body of a `status` answer in `media`; a value
/// that cannot be serialised is logged and answered 500 with a fixed body.
pub fn json_response(status: StatusCode, media: MediaType, value: &impl Serialize) -> HttpResponse {
    match serde_json::to_vec(value) {
        Ok(body) => HttpResponse::build(status).insert_header((CONTENT_TYPE, media.content_type())).body(body),
        Err(error) => {
            tracing::error!(%error, "cannot serialise a GraphQL response");
            HttpResponse::InternalServerError()
                .insert_header((CONTENT_TYPE, media.content_type()))
                .body(r#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#)
        }
    }
}

/// The request's one `Authorization` header value, if any.
pub fn authorization(http: &HttpRequest) -> Result<Option<&str>, AppError> {
    let mut values = http.headers().get_all(AUTHORIZATION);
    let Some(value) = values.next() else { return Ok(None) };
    if values.next().is_some() {
        return Err(AppError::Unauthenticated("more than one Authorization header".into()));
    }
    value
        .to_str()
        .map(Some)
        .map_err(|_| AppError::Unauthenticated("malformed Authorization header: expected `Bearer <token>`".into()))
}

/// The answer to a request refused by the application's own rules, outside
/// GraphQL execution: 401 for a refused token (with `WWW-Authenticate`), 400
/// for bad input, 403, 404, 409, 429, and 503/500 when the store failed.
pub fn caller_refusal(http: &HttpRequest, error: AppError) -> HttpResponse {
    let status = match &error {
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::ServiceUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::BadUserInput { .. } | AppError::QueryTooComplex(_) => StatusCode::BAD_REQUEST,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    // Logs internal causes; the message shown is the safe one.
    let mut response = refusal(http, status, &error.into_graphql());
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            actix_web::http::header::HeaderValue::from_static(r#"Bearer error="invalid_token""#),
        );
    }
    response
}

/// The body, read chunk by chunk; 413 as soon as it exceeds `max_body_bytes`.
pub async fn read_body(
    http: &HttpRequest,
    mut payload: web::Payload,
    max_body_bytes: usize,
) -> Result<web::BytesMut, HttpResponse> {
    use futures_util::StreamExt;
    let too_large = || {
        refusal(
            http,
            StatusCode::PAYLOAD_TOO_LARGE,
            &AppError::bad_input("request", format!("the request body exceeds the limit of {max_body_bytes} bytes"))
                .into_graphql(),
        )
    };
    let declared = http
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max_body_bytes) {
        return Err(too_large());
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            refusal(
                http,
                StatusCode::BAD_REQUEST,
                &AppError::bad_input("request", format!("cannot read the request body: {e}")).into_graphql(),
            )
        })?;
        if body.len() + chunk.len() > max_body_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use actix_web::http::header::HeaderName;

    fn accept(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(HeaderName::from_static("accept"), HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn accept_picks_the_highest_ranked_supported_type() {
        use MediaType::*;
        let cases: [(&[&str], Option<MediaType>); 12] = [
            (&[], Some(Json)),
            (&[""], Some(Json)),
            (&["*/*"], Some(Json)),
            (&["application/json"], Some(Json)),
            (&["application/graphql-response+json"], Some(GraphqlResponse)),
            (&["application/graphql-response+json, application/json;q=0.9"], Some(GraphqlResponse)),
            (&["application/json, application/graphql-response+json"], Some(Json)),
            (&["application/json;q=0.5, application/graphql-response+json"], Some(GraphqlResponse)),
            (&["text/html,application/xhtml+xml,*/*;q=0.8"], Some(Json)),
            (&["text/html"], None),
            (&["application/graphql-response+json;q=0"], None),
            (&["text/html", "APPLICATION/GRAPHQL-RESPONSE+JSON; charset=utf-8"], Some(GraphqlResponse)),
        ];
        for (values, expected) in cases {
            assert_eq!(negotiate(&accept(values)), expected, "Accept: {values:?}");
        }
    }
}
