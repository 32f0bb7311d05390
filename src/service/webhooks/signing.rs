//! Standard Webhooks signatures: secrets (`whsec_` and the base64 of a
//! random key) and `webhook-signature` values (`v1,` and the base64 of
//! HMAC-SHA256 over `id.timestamp.body`, several separated by spaces).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{KeyInit, Mac};
use rand::RngCore;

/// The prefix of a secret, as the specification writes it.
pub const PREFIX: &str = "whsec_";
/// Bytes of a generated key (the specification asks for 24 to 64).
const KEY_BYTES: usize = 32;

type HmacSha256 = hmac::Hmac<sha2_hmac::Sha256>;

/// A new random secret, `whsec_…`.
pub fn new_secret() -> String {
    let mut key = [0u8; KEY_BYTES];
    rand::rng().fill_bytes(&mut key);
    format!("{PREFIX}{}", STANDARD.encode(key))
}

/// One signature of the message `id`, `timestamp` (seconds), `body` with
/// `secret`: `v1,<base64>`; `None` for a secret that is not `whsec_` base64.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = STANDARD.decode(secret.strip_prefix(PREFIX)?).ok()?;
    let mut mac = HmacSha256::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// The `webhook-signature` header value: one signature per secret, space-separated.
pub fn header(secrets: &[&str], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets.iter().filter_map(|secret| sign(secret, id, timestamp, body)).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification's reference libraries.
    #[test]
    fn signs_the_specifications_example() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let signature = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(signature.as_deref(), Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
    }

    #[test]
    fn secrets_are_random_and_well_formed() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with(PREFIX));
        assert_eq!(STANDARD.decode(&a[PREFIX.len()..]).map(|k| k.len()), Ok(KEY_BYTES));
        assert!(sign("not-a-secret", "id", 1, b"").is_none());
        let both = header(&[&a, &b], "id", 1, b"x");
        assert_eq!(both.split(' ').count(), 2, "{both}");
    }
}
