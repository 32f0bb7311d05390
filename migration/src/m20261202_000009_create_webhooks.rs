//! Webhook endpoints, their deliveries and each delivery's attempts.
//!
//! An endpoint keeps its own position in the change feed (`cursor`, the last
//! delivered sequence number) and a lease (`lease_owner`, `lease_until_ms`)
//! that one instance takes with a conditional UPDATE before delivering, so
//! several instances on one database deliver each change once per endpoint.
//! Times the worker compares in SQL are epoch milliseconds, which compare
//! the same way on SQLite and PostgreSQL.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebhookEndpoint::Table)
                    .col(string_len(WebhookEndpoint::Id, 36).primary_key())
                    .col(text(WebhookEndpoint::Url))
                    .col(string_len(WebhookEndpoint::DepartmentId, 36))
                    .col(string_len(WebhookEndpoint::Role, 32))
                    .col(string_len_null(WebhookEndpoint::FilterPlanId, 36))
                    .col(string_len_null(WebhookEndpoint::FilterEntity, 32))
                    .col(string_len_null(WebhookEndpoint::FilterAction, 32))
                    .col(string(WebhookEndpoint::Secret))
                    .col(string_null(WebhookEndpoint::PreviousSecret))
                    .col(timestamp_with_time_zone_null(WebhookEndpoint::PreviousSecretExpiresAt))
                    .col(string_len(WebhookEndpoint::Status, 16))
                    .col(big_integer(WebhookEndpoint::Cursor))
                    .col(integer(WebhookEndpoint::Failures))
                    .col(big_integer(WebhookEndpoint::NextAttemptMs))
                    .col(string_null(WebhookEndpoint::LeaseOwner))
                    .col(big_integer(WebhookEndpoint::LeaseUntilMs))
                    .col(string(WebhookEndpoint::CreatedBy))
                    .col(timestamp_with_time_zone(WebhookEndpoint::CreatedAt))
                    .col(timestamp_with_time_zone(WebhookEndpoint::UpdatedAt))
                    .col(integer(WebhookEndpoint::Version))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDelivery::Table)
                    .col(string_len(WebhookDelivery::Id, 36).primary_key())
                    .col(string_len(WebhookDelivery::EndpointId, 36))
                    .col(big_integer(WebhookDelivery::Seq))
                    .col(string_len(WebhookDelivery::Status, 16))
                    .col(integer(WebhookDelivery::Attempts))
                    .col(integer_null(WebhookDelivery::LastStatusCode))
                    .col(big_integer_null(WebhookDelivery::LastLatencyMs))
                    .col(text_null(WebhookDelivery::LastError))
                    .col(timestamp_with_time_zone_null(WebhookDelivery::NextAttemptAt))
                    .col(timestamp_with_time_zone(WebhookDelivery::CreatedAt))
                    .col(timestamp_with_time_zone(WebhookDelivery::UpdatedAt))
                    .col(timestamp_with_time_zone_null(WebhookDelivery::DeliveredAt))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_webhook_delivery_endpoint_seq")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::EndpointId)
                    .col(WebhookDelivery::Seq)
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempt::Table)
                    .col(string_len(WebhookAttempt::Id, 36).primary_key())
                    .col(string_len(WebhookAttempt::DeliveryId, 36))
                    .col(timestamp_with_time_zone(WebhookAttempt::AttemptedAt))
                    .col(boolean(WebhookAttempt::Succeeded))
                    .col(integer_null(WebhookAttempt::StatusCode))
                    .col(big_integer(WebhookAttempt::LatencyMs))
                    .col(text_null(WebhookAttempt::Error))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_attempt_delivery")
                    .table(WebhookAttempt::Table)
                    .col(WebhookAttempt::DeliveryId)
                    .col(WebhookAttempt::AttemptedAt)
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WebhookAttempt::Table).take()).await?;
        manager.drop_table(Table::drop().table(WebhookDelivery::Table).take()).await?;
        manager.drop_table(Table::drop().table(WebhookEndpoint::Table).take()).await
    }
}

#[derive(DeriveIden)]
enum WebhookEndpoint {
    Table,
    Id,
    Url,
    DepartmentId,
    Role,
    FilterPlanId,
    FilterEntity,
    FilterAction,
    Secret,
    PreviousSecret,
    PreviousSecretExpiresAt,
    Status,
    Cursor,
    Failures,
    NextAttemptMs,
    LeaseOwner,
    LeaseUntilMs,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum WebhookDelivery {
    Table,
    Id,
    EndpointId,
    Seq,
    Status,
    Attempts,
    LastStatusCode,
    LastLatencyMs,
    LastError,
    NextAttemptAt,
    CreatedAt,
    UpdatedAt,
    DeliveredAt,
}

#[derive(DeriveIden)]
enum WebhookAttempt {
    Table,
    Id,
    DeliveryId,
    AttemptedAt,
    Succeeded,
    StatusCode,
    LatencyMs,
    Error,
}
