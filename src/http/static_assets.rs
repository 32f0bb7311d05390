//! Files embedded in the binary and served as they are: GraphiQL's scripts, the dashboard's.
//!
//! Contract: a file requested with the current asset version (`?v=VERSION`) may be cached for a
//! year (`immutable`); without it, or with a stale one, for five minutes. The version is the
//! entity tag, so a revalidation with `If-None-Match` is answered 304. An unknown name is 404:
//! nothing outside the embedded list is ever read.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};

/// `Cache-Control` of an asset requested with the current `?v=` version.
pub const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of an asset requested without (or with a stale) version.
pub const CACHE_SHORT: &str = "public, max-age=300";

/// `Content-Type` of a script.
pub const JS: &str = "text/javascript; charset=utf-8";
/// `Content-Type` of a stylesheet.
pub const CSS: &str = "text/css; charset=utf-8";

/// One embedded file.
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

/// Answers a request for `file` among `assets`, all of asset version `version`.
pub fn serve(req: &HttpRequest, assets: &[Asset], version: &str, file: &str) -> HttpResponse {
    let Some(asset) = assets.iter().find(|asset| asset.name == file) else {
        return HttpResponse::NotFound().content_type("text/plain; charset=utf-8").body("not found");
    };
    let versioned = req.query_string().split('&').any(|pair| pair.strip_prefix("v=") == Some(version));
    let cache_control = if versioned { CACHE_IMMUTABLE } else { CACHE_SHORT };
    let etag = format!("\"{version}\"");
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"));
    let mut response = if not_modified { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response
        .insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header((header::ETAG, etag))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if not_modified {
        return response.finish();
    }
    response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type))).body(asset.bytes)
}
