//! What was delivered: an endpoint's deliveries (paged by change sequence
//! number) and each delivery's attempts, for those who manage the endpoint
//! (see [`super::registry`]).

use super::DeliveryStatus;
use super::registry::{load_managed, managed};
use crate::access::Viewer;
use crate::error::{AppError, AppResult};
use crate::service::page::{self, Page, PageArgs, SortSpec, SortValue};
use entity::{webhook_attempt, webhook_delivery, webhook_endpoint};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Select};

/// The deliveries of `ids` whose endpoints the caller may manage, for `node(id)`.
///
/// # Errors
/// Store failures.
pub async fn deliveries_by_ids(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ids: Vec<String>,
) -> AppResult<Vec<webhook_delivery::Model>> {
    let Ok(managed) = managed(viewer) else { return Ok(Vec::new()) };
    let endpoints = Query::select()
        .column(webhook_endpoint::Column::Id)
        .from(webhook_endpoint::Entity)
        .cond_where(managed)
        .to_owned();
    Ok(webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Id.is_in(ids))
        .filter(webhook_delivery::Column::EndpointId.in_subquery(endpoints))
        .all(db)
        .await?)
}

/// The order of an endpoint's deliveries: by change sequence number.
fn delivery_sort() -> SortSpec<webhook_delivery::Model> {
    SortSpec {
        list: "WebhookDelivery.seq",
        kind: page::SortKind::Int,
        expr: Expr::col((webhook_delivery::Entity, webhook_delivery::Column::Seq)),
        then: None,
        id: Expr::col((webhook_delivery::Entity, webhook_delivery::Column::Id)),
        descending: false,
        value_of: |m| SortValue::Int(m.seq),
        id_of: |m| &m.id,
    }
}

/// One page of the deliveries of an endpoint the caller may manage (oldest
/// change first; `last: N` gives the latest), and the query that counts them.
///
/// # Errors
/// NOT_FOUND, FORBIDDEN, BAD_USER_INPUT for bad paging arguments.
pub async fn deliveries(
    db: &DatabaseConnection,
    viewer: &Viewer,
    endpoint_id: &str,
    status: Option<DeliveryStatus>,
    args: &PageArgs,
    max_page_size: u32,
) -> AppResult<(Page<webhook_delivery::Model>, Select<webhook_delivery::Entity>)> {
    load_managed(db, viewer, endpoint_id).await?;
    let mut query = webhook_delivery::Entity::find().filter(webhook_delivery::Column::EndpointId.eq(endpoint_id));
    if let Some(status) = status {
        query = query.filter(webhook_delivery::Column::Status.eq(status.as_str()));
    }
    let page = page::fetch_page(db, query.clone(), &delivery_sort(), args, max_page_size).await?;
    Ok((page, query))
}

/// The attempts of a delivery, oldest first (the caller has read the delivery through its endpoint).
///
/// # Errors
/// Store failures.
pub async fn attempts(db: &DatabaseConnection, delivery_id: &str) -> AppResult<Vec<webhook_attempt::Model>> {
    Ok(webhook_attempt::Entity::find()
        .filter(webhook_attempt::Column::DeliveryId.eq(delivery_id))
        .order_by_asc(webhook_attempt::Column::AttemptedAt)
        .order_by_asc(webhook_attempt::Column::Id)
        .all(db)
        .await?)
}

/// A delivery of an endpoint the caller may manage, with that endpoint.
///
/// # Errors
/// NOT_FOUND when either is missing or not the caller's to manage; FORBIDDEN.
pub async fn find_delivery(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
) -> AppResult<(webhook_delivery::Model, webhook_endpoint::Model)> {
    let delivery = webhook_delivery::Entity::find_by_id(id).one(db).await?;
    let delivery = delivery.ok_or_else(|| AppError::not_found("WebhookDelivery", id))?;
    let (endpoint, _) = load_managed(db, viewer, &delivery.endpoint_id)
        .await
        .map_err(|e| if matches!(e, AppError::NotFound(_)) { AppError::not_found("WebhookDelivery", id) } else { e })?;
    Ok((delivery, endpoint))
}
