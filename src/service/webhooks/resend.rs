//! Re-sending a delivery on request: the same message (same `webhook-id`,
//! fresh timestamp and signatures) POSTed now, outside the endpoint's order,
//! and recorded as one more attempt. The change is read again as the
//! endpoint's identity, so what it may no longer see is not re-sent.

use super::delivery::{self, Message, Outbound};
use super::history::find_delivery;
use super::registry::signing_secrets;
use super::{DeliveryStatus, payload};
use super::{acting_viewer, record};
use crate::access::Viewer;
use crate::error::{AppError, AppResult};
use crate::service::changes::{self, ChangeFilter};
use chrono::Utc;
use entity::webhook_delivery;
use sea_orm::DatabaseConnection;

/// Re-sends delivery `id` of an endpoint the caller may manage; returns the delivery after the attempt.
///
/// # Errors
/// NOT_FOUND, FORBIDDEN; BAD_USER_INPUT when webhooks are off or the endpoint may no longer see the change.
pub async fn resend(
    db: &DatabaseConnection,
    writer: &crate::db::Writer,
    viewer: &Viewer,
    outbound: &Outbound,
    id: &str,
) -> AppResult<webhook_delivery::Model> {
    let (found, endpoint) = find_delivery(db, viewer, id).await?;
    let client =
        outbound.client.as_ref().ok_or_else(|| AppError::bad_input("input.id", "webhooks are off on this server"))?;
    let acting = acting_viewer(db, &endpoint).await?;
    let rows = changes::next_batch(db, &acting, &ChangeFilter::default(), found.seq - 1, 1).await?;
    let row = rows
        .into_iter()
        .find(|r| r.seq == found.seq)
        .ok_or_else(|| AppError::bad_input("input.id", "the endpoint may no longer see this change"))?;
    let body = payload::bodies(db, &acting, std::slice::from_ref(&row)).await?.pop().unwrap_or_default();
    let secrets = signing_secrets(&endpoint, Utc::now());
    let message = Message { url: &endpoint.url, id: &found.id, body: &body, secrets: &secrets };
    let outcome = delivery::post(client, &outbound.settings.webhook_allow_hosts, &message).await;
    let delivered = outcome.succeeded || DeliveryStatus::parse(&found.status) == DeliveryStatus::Delivered;
    let status = if delivered { DeliveryStatus::Delivered } else { DeliveryStatus::Retrying };
    record(writer.connection(), &endpoint.id, found.seq, &found.id, &outcome, status, found.next_attempt_at).await
}
