//! The audit trail (hash-chained, append-only, also the change feed), access
//! grants, revoked tokens and idempotency records.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One row: the head of the audit chain. Every mutation updates it
        // first, which serialises writers: sequence numbers are handed out
        // and committed in the same order, and each change can hash its
        // predecessor.
        manager
            .create_table(
                Table::create()
                    .table(AuditHead::Table)
                    .col(integer(AuditHead::Id).primary_key())
                    .col(big_integer(AuditHead::LastSeq))
                    .col(string_len(AuditHead::LastHash, 64))
                    .take(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(AuditHead::Table)
                    .columns([AuditHead::Id, AuditHead::LastSeq, AuditHead::LastHash])
                    .values_panic([1.into(), 0i64.into(), "0".repeat(64).into()])
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Change::Table)
                    .col(big_integer(Change::Seq).primary_key())
                    .col(string_len(Change::Id, 36).unique_key())
                    .col(timestamp_with_time_zone(Change::OccurredAt))
                    .col(string(Change::ActorSubject))
                    .col(string_null(Change::ActorClient))
                    .col(string_len_null(Change::ActorDepartmentId, 36))
                    .col(string_len(Change::ActorRole, 32))
                    .col(string_len(Change::Entity, 32))
                    .col(string_len(Change::EntityId, 36))
                    .col(string_len(Change::Action, 32))
                    .col(text_null(Change::Before))
                    .col(text_null(Change::After))
                    .col(string_len(Change::ScopeEntity, 32))
                    .col(string_len_null(Change::ScopeId, 36))
                    .col(string_len_null(Change::PlanId, 36))
                    .col(string_len_null(Change::RegionId, 36))
                    .col(string_null(Change::RequestId))
                    .col(string_len(Change::PrevHash, 64))
                    .col(string_len(Change::Hash, 64))
                    .take(),
            )
            .await?;
        for (name, cols) in [
            ("ix_change_entity", vec![Change::Entity, Change::EntityId]),
            ("ix_change_department", vec![Change::ActorDepartmentId]),
            ("ix_change_plan", vec![Change::PlanId]),
        ] {
            let mut index = Index::create().name(name).table(Change::Table).take();
            for col in cols {
                index.col(col);
            }
            manager.create_index(index).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(AccessGrant::Table)
                    .col(string_len(AccessGrant::Id, 36).primary_key())
                    .col(string_len(AccessGrant::PlanId, 36))
                    .col(string_len(AccessGrant::DepartmentId, 36))
                    .col(timestamp_with_time_zone(AccessGrant::ExpiresAt))
                    .col(text_null(AccessGrant::Reason))
                    .col(string(AccessGrant::GrantedBy))
                    .col(timestamp_with_time_zone(AccessGrant::CreatedAt))
                    .col(timestamp_with_time_zone_null(AccessGrant::RevokedAt))
                    .col(integer(AccessGrant::Version).default(1))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_access_grant_department")
                    .table(AccessGrant::Table)
                    .col(AccessGrant::DepartmentId)
                    .col(AccessGrant::PlanId)
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RevokedToken::Table)
                    .col(string(RevokedToken::Jti).primary_key())
                    .col(timestamp_with_time_zone(RevokedToken::RevokedAt))
                    .col(string(RevokedToken::RevokedBy))
                    .col(text_null(RevokedToken::Reason))
                    .take(),
            )
            .await?;

        // A retried create with the same key returns the first result.
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyRecord::Table)
                    .col(string_len(IdempotencyRecord::Id, 36).primary_key())
                    .col(string(IdempotencyRecord::Subject))
                    .col(string_len(IdempotencyRecord::Operation, 64))
                    .col(string(IdempotencyRecord::Key))
                    .col(string_len(IdempotencyRecord::Entity, 32))
                    .col(string_len(IdempotencyRecord::EntityId, 36))
                    .col(string_len(IdempotencyRecord::RequestHash, 64))
                    .col(timestamp_with_time_zone(IdempotencyRecord::CreatedAt))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_idempotency_key")
                    .table(IdempotencyRecord::Table)
                    .col(IdempotencyRecord::Subject)
                    .col(IdempotencyRecord::Operation)
                    .col(IdempotencyRecord::Key)
                    .unique()
                    .take(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyRecord::Table.into_iden(),
            RevokedToken::Table.into_iden(),
            AccessGrant::Table.into_iden(),
            Change::Table.into_iden(),
            AuditHead::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditHead {
    Table,
    Id,
    LastSeq,
    LastHash,
}

#[derive(DeriveIden, Clone, Copy)]
enum Change {
    Table,
    Seq,
    Id,
    OccurredAt,
    ActorSubject,
    ActorClient,
    ActorDepartmentId,
    ActorRole,
    Entity,
    EntityId,
    Action,
    Before,
    After,
    ScopeEntity,
    ScopeId,
    PlanId,
    RegionId,
    RequestId,
    PrevHash,
    Hash,
}

#[derive(DeriveIden, Clone, Copy)]
enum AccessGrant {
    Table,
    Id,
    PlanId,
    DepartmentId,
    ExpiresAt,
    Reason,
    GrantedBy,
    CreatedAt,
    RevokedAt,
    Version,
}

#[derive(DeriveIden, Clone, Copy)]
enum RevokedToken {
    Table,
    Jti,
    RevokedAt,
    RevokedBy,
    Reason,
}

#[derive(DeriveIden, Clone, Copy)]
enum IdempotencyRecord {
    Table,
    Id,
    Subject,
    Operation,
    Key,
    Entity,
    EntityId,
    RequestHash,
    CreatedAt,
}
