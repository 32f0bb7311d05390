//! Webhooks: the change feed delivered to agency systems as signed HTTP
//! callbacks, to the Standard Webhooks specification.
//!
//! - [`registry`]: registering, listing, enabling, disabling, deleting
//!   endpoints and rotating their secrets (audited mutations); [`history`]:
//!   their deliveries and attempts; [`resend`]: sending a delivery again.
//! - [`worker`]: the background task of each instance that delivers, per
//!   endpoint, every change after its cursor that the endpoint's identity may
//!   see (the feed's own visibility, [`super::changes::next_batch`]), in order,
//!   at least once, under a per-endpoint lease.
//! - [`payload`]: the JSON body of one change, redacted like the `changes` query.
//! - [`delivery`]: one signed POST with a timeout and a cap on the answer read.
//! - [`signing`], [`guard`], [`settings`]: signatures, the host allow-list, the flags.

mod cursor;
pub mod delivery;
pub mod guard;
pub mod history;
pub mod payload;
pub mod registry;
pub mod resend;
pub mod settings;
pub mod signing;
pub mod worker;

pub use cursor::{acting_viewer, backoff, filter_of, record};
pub use settings::WebhookSettings;

/// Where an endpoint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndpointStatus {
    /// Delivered to as changes commit.
    Active,
    /// The receiver failed `--webhook-max-attempts` times in a row; probed every
    /// `--webhook-probe-interval`, and ACTIVE again after a success or when re-enabled.
    Failing,
    /// Switched off by an administrator; its cursor waits where it stopped.
    Disabled,
}

impl EndpointStatus {
    /// The name stored in `webhook_endpoint.status`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Failing => "FAILING",
            Self::Disabled => "DISABLED",
        }
    }

    /// The status a stored name stands for (an unknown name reads as DISABLED: deliver nothing).
    pub fn parse(name: &str) -> Self {
        match name {
            "ACTIVE" => Self::Active,
            "FAILING" => Self::Failing,
            _ => Self::Disabled,
        }
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    /// The receiver answered 2xx.
    Delivered,
    /// Not yet: the last attempt failed and another is scheduled.
    Retrying,
}

impl DeliveryStatus {
    /// The name stored in `webhook_delivery.status`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "DELIVERED",
            Self::Retrying => "RETRYING",
        }
    }

    /// The status a stored name stands for.
    pub fn parse(name: &str) -> Self {
        if name == "DELIVERED" { Self::Delivered } else { Self::Retrying }
    }
}

/// The `webhook-id` of the message carrying change `change_id` to endpoint
/// `endpoint_id`, also its delivery's record ID: the same for every attempt
/// and re-send of it, different for every other message (a name-based UUID of the pair).
pub fn message_id(endpoint_id: &str, change_id: &str) -> String {
    let name = format!("webhook:{endpoint_id}:{change_id}");
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, name.as_bytes()).to_string()
}

/// Milliseconds since the Unix epoch now (the unit of the worker's schedule columns).
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
