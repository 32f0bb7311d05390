//! Jing-Jin-Ji coordination records (DESIGN.md, "Coordination record"): what
//! the agencies of the three provinces set up, signed or did together, with
//! the agencies taking part and the regions each record concerns. A record
//! belongs to a plan and is read under that plan's sharing rule.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Width of an ID column: UUIDs as text.
const ID: u32 = 36;

fn fk(
    from: impl IntoIden,
    column: impl IntoIden,
    to: impl IntoIden,
    to_column: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from, column).to(to, to_column).take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CoordinationRecord::Table)
                    .col(string_len(CoordinationRecord::Id, ID).primary_key())
                    .col(string_len(CoordinationRecord::PlanId, ID))
                    .col(string_len(CoordinationRecord::Kind, 32))
                    .col(string_len_null(CoordinationRecord::Date, 10))
                    .col(text(CoordinationRecord::Title))
                    .col(text(CoordinationRecord::Text))
                    .col(string(CoordinationRecord::DocOrder))
                    .col(string_len_null(CoordinationRecord::SourceDocumentId, ID))
                    .col(text_null(CoordinationRecord::SourceSection))
                    .col(text_null(CoordinationRecord::SourceQuote))
                    .col(integer_null(CoordinationRecord::SourceStart))
                    .col(integer_null(CoordinationRecord::SourceEnd))
                    .col(text_null(CoordinationRecord::SourceCleaned))
                    .col(integer(CoordinationRecord::Version))
                    .col(timestamp_with_time_zone(CoordinationRecord::CreatedAt))
                    .col(timestamp_with_time_zone(CoordinationRecord::UpdatedAt))
                    .foreign_key(&mut fk(CoordinationRecord::Table, CoordinationRecord::PlanId, Plan::Table, Plan::Id))
                    .foreign_key(&mut fk(
                        CoordinationRecord::Table,
                        CoordinationRecord::SourceDocumentId,
                        SourceDocument::Table,
                        SourceDocument::Id,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_coordination_record_plan_order")
                    .table(CoordinationRecord::Table)
                    .col(CoordinationRecord::PlanId)
                    .col(CoordinationRecord::DocOrder)
                    .take(),
            )
            .await?;
        for (table, column, target, target_id, index) in [
            (
                CoordinationParticipant::Table.into_iden(),
                CoordinationParticipant::DepartmentId.into_iden(),
                Department::Table.into_iden(),
                Department::Id.into_iden(),
                "ix_coordination_participant",
            ),
            (
                CoordinationRegion::Table.into_iden(),
                CoordinationRegion::RegionId.into_iden(),
                Region::Table.into_iden(),
                Region::Id.into_iden(),
                "ix_coordination_region",
            ),
        ] {
            manager
                .create_table(
                    Table::create()
                        .table(table.clone())
                        .col(string_len(Link::Id, ID).primary_key())
                        .col(string_len(Link::RecordId, ID))
                        .col(string_len(column.clone(), ID))
                        .col(integer(Link::Position))
                        .foreign_key(&mut fk(
                            table.clone(),
                            Link::RecordId,
                            CoordinationRecord::Table,
                            CoordinationRecord::Id,
                        ))
                        .foreign_key(&mut fk(table.clone(), column.clone(), target, target_id))
                        .take(),
                )
                .await?;
            manager
                .create_index(
                    Index::create()
                        .name(format!("{index}_record"))
                        .table(table.clone())
                        .col(Link::RecordId)
                        .col(Link::Position)
                        .take(),
                )
                .await?;
            manager
                .create_index(Index::create().name(format!("{index}_member")).table(table).col(column).take())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CoordinationRegion::Table).take()).await?;
        manager.drop_table(Table::drop().table(CoordinationParticipant::Table).take()).await?;
        manager.drop_table(Table::drop().table(CoordinationRecord::Table).take()).await
    }
}

#[derive(DeriveIden)]
enum CoordinationRecord {
    Table,
    Id,
    PlanId,
    Kind,
    Date,
    Title,
    Text,
    DocOrder,
    SourceDocumentId,
    SourceSection,
    SourceQuote,
    SourceStart,
    SourceEnd,
    SourceCleaned,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CoordinationParticipant {
    Table,
    DepartmentId,
}

#[derive(DeriveIden)]
enum CoordinationRegion {
    Table,
    RegionId,
}

/// Columns both link tables share.
#[derive(DeriveIden)]
enum Link {
    Id,
    RecordId,
    Position,
}

#[derive(DeriveIden)]
enum SourceDocument {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Department {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Region {
    Table,
    Id,
}
