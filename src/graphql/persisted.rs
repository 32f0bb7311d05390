//! Persisted operations: a client sends the SHA-256 of a document instead of
//! the document, in the Automatic Persisted Queries protocol that Apollo
//! Client, Relay and most GraphQL clients speak:
//!
//! - `extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}` and
//!   no `query`: the document the server knows by that hash runs; an unknown
//!   hash is refused with `PERSISTED_QUERY_NOT_FOUND` (message
//!   `PersistedQueryNotFound`), and the client sends it again with its text;
//! - the same extension with `query`: the hash must be the text's (else
//!   `BAD_USER_INPUT`); once the document passes the request checks, the
//!   server remembers it by its hash.
//!
//! Documents come from two places. An allow-list given as a persisted-query
//! manifest (see [`AllowList`]) is known from start-up, never forgotten: a
//! registered agency system sends hashes only, even after a restart. Others
//! are learnt from requests, at most [`PersistedQueries::new`]'s `capacity`
//! of them per instance, the least recently used forgotten first (a client
//! that meets `PERSISTED_QUERY_NOT_FOUND` resends the text, so instances need
//! not share them). With a capacity of 0 nothing is learnt, and a hash the
//! manifest lacks is answered `PERSISTED_QUERY_NOT_SUPPORTED`, which tells
//! clients to stop sending hashes.
//!
//! Allow-list mode is unchanged by this: the text a hash stands for is
//! checked against the allow-list like any other text.

use super::limits::operation_hash;
use async_graphql::{ErrorExtensionValues, Request, ServerError, Value};
use lru::LruCache;
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

/// The protocol version this server speaks (`extensions.persistedQuery.version`).
const VERSION: i64 = 1;

/// The documents known by hash, and those learnt from requests.
pub struct PersistedQueries {
    /// From the manifest: SHA-256 (hex) → document.
    registered: HashMap<String, Arc<str>>,
    /// Learnt from requests; `None` when the capacity is 0.
    learnt: Option<Mutex<LruCache<String, Arc<str>>>>,
}

/// What a request asked of the persisted operations, for after its checks.
#[derive(Debug, Default)]
pub struct Lookup {
    /// The hash of a document that came with its text and may be learnt once admitted.
    pub learn: Option<String>,
}

impl PersistedQueries {
    /// Knows `registered` (hash → document) and learns up to `capacity` more.
    pub fn new(registered: HashMap<String, String>, capacity: usize) -> Self {
        let registered = registered.into_iter().map(|(hash, text)| (hash, Arc::from(text))).collect();
        let learnt = NonZeroUsize::new(capacity).map(|capacity| Mutex::new(LruCache::new(capacity)));
        Self { registered, learnt }
    }

    /// Fills in the text of a hash-only request, and checks the hash of one
    /// that brings its text. A request without the extension is left alone.
    ///
    /// # Errors
    /// `PERSISTED_QUERY_NOT_FOUND` or `PERSISTED_QUERY_NOT_SUPPORTED` for an
    /// unknown hash; `BAD_USER_INPUT` for a malformed extension or a hash
    /// that is not the text's.
    pub fn resolve(&self, request: &mut Request) -> Result<Lookup, ServerError> {
        let Some(extension) = request.extensions.get("persistedQuery") else { return Ok(Lookup::default()) };
        let hash = requested_hash(extension)?;
        if request.query.is_empty() {
            let known = self.registered.get(&hash).cloned().or_else(|| self.recall(&hash));
            return match known {
                Some(text) => {
                    request.query = text.to_string();
                    Ok(Lookup::default())
                }
                None if self.learnt.is_none() => Err(coded(
                    "PERSISTED_QUERY_NOT_SUPPORTED",
                    "PersistedQueryNotSupported: this server runs only the persisted operations it was given; \
                     send the query text",
                )),
                None => Err(coded("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")),
            };
        }
        let actual = operation_hash(&request.query);
        if actual != hash {
            return Err(coded(
                "BAD_USER_INPUT",
                &format!("extensions.persistedQuery.sha256Hash is {hash}, but the query's SHA-256 is {actual}"),
            ));
        }
        let learn = (self.learnt.is_some() && !self.registered.contains_key(&hash)).then_some(hash);
        Ok(Lookup { learn })
    }

    /// Remembers `text` by `hash` (the request's checks have passed).
    pub fn learn(&self, hash: String, text: &str) {
        if let Some(mut learnt) = self.learnt.as_ref().and_then(|learnt| learnt.lock().ok()) {
            learnt.put(hash, Arc::from(text));
        }
    }

    fn recall(&self, hash: &str) -> Option<Arc<str>> {
        self.learnt.as_ref()?.lock().ok()?.get(hash).cloned()
    }
}

/// The hash `extensions.persistedQuery` names, lower-case hex.
fn requested_hash(extension: &Value) -> Result<String, ServerError> {
    let malformed = |what: &str| {
        coded(
            "BAD_USER_INPUT",
            &format!(
                "extensions.persistedQuery {what}: send {{\"version\": {VERSION}, \"sha256Hash\": \"<64 hex digits>\"}}"
            ),
        )
    };
    let Value::Object(fields) = extension else { return Err(malformed("is not an object")) };
    match fields.get("version") {
        Some(Value::Number(version)) if version.as_i64() == Some(VERSION) => {}
        Some(_) => return Err(malformed("has an unsupported version")),
        None => return Err(malformed("has no version")),
    }
    match fields.get("sha256Hash") {
        Some(Value::String(hash)) if hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit()) => {
            Ok(hash.to_ascii_lowercase())
        }
        _ => Err(malformed("has no sha256Hash of 64 hex digits")),
    }
}

fn coded(code: &str, message: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashed(hash: &str) -> Request {
        let extension = serde_json::json!({ "version": 1, "sha256Hash": hash });
        let mut request = Request::new("");
        request.extensions.insert("persistedQuery".to_owned(), Value::from_json(extension).unwrap_or_default());
        request
    }

    fn code(error: &ServerError) -> Option<Value> {
        error.extensions.as_ref().and_then(|e| e.get("code").cloned())
    }

    #[test]
    fn a_hash_is_found_once_learnt_and_the_least_recent_is_forgotten() {
        let store = PersistedQueries::new(HashMap::new(), 1);
        let (first, second) = ("{ plans { totalCount } }", "{ tasks { totalCount } }");
        let error = store.resolve(&mut hashed(&operation_hash(first))).err();
        assert_eq!(error.as_ref().and_then(code), Some(Value::from("PERSISTED_QUERY_NOT_FOUND")));

        let mut with_text = hashed(&operation_hash(first));
        with_text.query = first.to_owned();
        let lookup = store.resolve(&mut with_text).unwrap_or_default();
        assert_eq!(lookup.learn.as_deref(), Some(operation_hash(first).as_str()));
        store.learn(operation_hash(first), first);
        let mut again = hashed(&operation_hash(first));
        assert!(store.resolve(&mut again).is_ok());
        assert_eq!(again.query, first);

        store.learn(operation_hash(second), second);
        assert!(store.resolve(&mut hashed(&operation_hash(first))).is_err(), "capacity 1: the first is forgotten");
    }

    #[test]
    fn registered_documents_are_served_and_a_zero_capacity_says_not_supported() {
        let text = "{ plans { totalCount } }";
        let store = PersistedQueries::new(HashMap::from([(operation_hash(text), text.to_owned())]), 0);
        let mut request = hashed(&operation_hash(text).to_ascii_uppercase());
        assert!(store.resolve(&mut request).is_ok());
        assert_eq!(request.query, text);
        let error = store.resolve(&mut hashed(&operation_hash("{ x }"))).err();
        assert_eq!(error.as_ref().and_then(code), Some(Value::from("PERSISTED_QUERY_NOT_SUPPORTED")));
    }

    #[test]
    fn a_wrong_hash_or_a_malformed_extension_is_bad_user_input() {
        let store = PersistedQueries::new(HashMap::new(), 10);
        let mut wrong = hashed(&operation_hash("{ a }"));
        wrong.query = "{ b }".to_owned();
        let mut bad_version = Request::new("");
        bad_version.extensions.insert(
            "persistedQuery".to_owned(),
            Value::from_json(serde_json::json!({ "version": 2, "sha256Hash": operation_hash("{ a }") }))
                .unwrap_or_default(),
        );
        for mut request in [wrong, hashed("abc"), bad_version] {
            let error = store.resolve(&mut request).err();
            assert_eq!(error.as_ref().and_then(code), Some(Value::from("BAD_USER_INPUT")), "{:?}", request.extensions);
        }
    }
}
