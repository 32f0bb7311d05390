//! Authentication: who is calling, from an `Authorization: Bearer <JWT>` header.
//!
//! - [`settings`]: the `--jwt-*` flags ([`AuthSettings`]).
//! - [`keys`]: the HS256 secret (generated into a file on first use) and the
//!   RS256/ES256 public keys.
//! - [`Authenticator`]: built once at startup; verifies a token and builds the
//!   request's [`Viewer`](crate::access::Viewer) (no header: anonymous).
//! - [`issue`]: signing the tokens `xietong token issue` prints.
//!
//! A refused token refuses the whole request with `UNAUTHENTICATED` and the
//! reason; the HTTP layer answers 401 without executing anything.

pub mod claims;
pub mod duration;
pub mod identity;
pub mod issue;
pub mod keys;
pub mod settings;
mod verify;

pub use settings::AuthSettings;
pub use verify::{Authenticator, LEEWAY_SECS, VerifiedToken, bearer_token};
