//! The core tables: regions, departments, plans, tasks, indicators and their
//! targets, actuals and progress reports, with provenance columns.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Width of an ID column: UUIDs as text.
const ID: u32 = 36;
/// Width of an enumeration column.
const ENUM: u32 = 32;

fn id<T: IntoIden>(col: T) -> ColumnDef {
    string_len(col, ID).primary_key().take()
}

fn fk(from: (impl IntoIden, impl IntoIden), to: (impl IntoIden, impl IntoIden)) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from.0, from.1).to(to.0, to.1).take()
}

fn index(table: impl IntoIden, name: &str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut stmt = Index::create().name(name).table(table).take();
    for col in cols {
        stmt.col(Alias::new(*col));
    }
    stmt
}

/// Provenance and versioning columns shared by the document-derived tables.
fn provenance_and_version(mut t: TableCreateStatement, source: impl IntoIden + Copy) -> TableCreateStatement {
    t.col(string_len_null(Alias::new("source_document_id"), ID))
        .col(text_null(Alias::new("source_section")))
        .col(text_null(Alias::new("source_quote")))
        .col(integer(Alias::new("version")).default(1))
        .col(timestamp_with_time_zone(Alias::new("created_at")))
        .col(timestamp_with_time_zone(Alias::new("updated_at")))
        .foreign_key(&mut fk((source, Alias::new("source_document_id")), (SourceDocument::Table, SourceDocument::Id)));
    t
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SourceDocument::Table)
                    .col(id(SourceDocument::Id))
                    .col(string_uniq(SourceDocument::FileName))
                    .col(text(SourceDocument::Title))
                    .col(string_len(SourceDocument::Sha256, 64))
                    .col(timestamp_with_time_zone(SourceDocument::CreatedAt))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Region::Table)
                    .col(id(Region::Id))
                    .col(string_len_null(Region::Code, 12).unique_key())
                    .col(string(Region::Name))
                    .col(string(Region::NameEn))
                    .col(string_len(Region::Level, ENUM))
                    .col(string_len_null(Region::ParentId, ID))
                    .col(integer(Region::Version).default(1))
                    .col(timestamp_with_time_zone(Region::CreatedAt))
                    .col(timestamp_with_time_zone(Region::UpdatedAt))
                    .foreign_key(&mut fk((Region::Table, Region::ParentId), (Region::Table, Region::Id)))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Department::Table)
                    .col(id(Department::Id))
                    .col(string(Department::Name))
                    .col(string_len(Department::Kind, ENUM))
                    .col(string_len(Department::RegionId, ID))
                    .col(string_len_null(Department::ParentId, ID))
                    .col(integer(Department::Version).default(1))
                    .col(timestamp_with_time_zone(Department::CreatedAt))
                    .col(timestamp_with_time_zone(Department::UpdatedAt))
                    .foreign_key(&mut fk((Department::Table, Department::RegionId), (Region::Table, Region::Id)))
                    .foreign_key(&mut fk(
                        (Department::Table, Department::ParentId),
                        (Department::Table, Department::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(Department::Table, "ux_department_region_name", &["region_id", "name"]).unique().take())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DepartmentAlias::Table)
                    .col(id(DepartmentAlias::Id))
                    .col(string_len(DepartmentAlias::DepartmentId, ID))
                    .col(string(DepartmentAlias::Alias))
                    .foreign_key(&mut fk(
                        (DepartmentAlias::Table, DepartmentAlias::DepartmentId),
                        (Department::Table, Department::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index(DepartmentAlias::Table, "ux_department_alias", &["department_id", "alias"]).unique().take(),
            )
            .await?;
        manager.create_index(index(DepartmentAlias::Table, "ix_department_alias_alias", &["alias"])).await?;

        let mut plan = Table::create()
            .table(Plan::Table)
            .col(id(Plan::Id))
            .col(text(Plan::Title))
            .col(string_null(Plan::DocumentNumber))
            .col(string_len_null(Plan::IssuerId, ID))
            .col(string_len(Plan::RegionId, ID))
            .col(date_null(Plan::IssuedOn))
            .col(integer_null(Plan::PeriodStart))
            .col(integer_null(Plan::PeriodEnd))
            .col(string_len(Plan::Kind, ENUM))
            .col(string_len(Plan::Status, ENUM))
            .col(string_len(Plan::SharingClass, ENUM))
            .col(text_null(Plan::LegalBasis))
            .col(string_len_null(Plan::ParentId, ID))
            .foreign_key(&mut fk((Plan::Table, Plan::IssuerId), (Department::Table, Department::Id)))
            .foreign_key(&mut fk((Plan::Table, Plan::RegionId), (Region::Table, Region::Id)))
            .foreign_key(&mut fk((Plan::Table, Plan::ParentId), (Plan::Table, Plan::Id)))
            .take();
        plan = provenance_and_version(plan, Plan::Table);
        manager.create_table(plan).await?;
        manager.create_index(index(Plan::Table, "ix_plan_region", &["region_id"])).await?;

        let mut task = Table::create()
            .table(Task::Table)
            .col(id(Task::Id))
            .col(string_len(Task::PlanId, ID))
            .col(string_len_null(Task::ParentId, ID))
            .col(string_len(Task::Kind, ENUM))
            .col(string_len(Task::Code, 64))
            .col(integer(Task::Position))
            .col(string_len(Task::DocOrder, 80))
            .col(text(Task::Title))
            .col(text(Task::Body))
            .col(integer_null(Task::DueYear))
            .col(string_len(Task::Status, ENUM))
            .col(string_len_null(Task::SharingClass, ENUM))
            .col(text_null(Task::LegalBasis))
            .foreign_key(&mut fk((Task::Table, Task::PlanId), (Plan::Table, Plan::Id)))
            .foreign_key(&mut fk((Task::Table, Task::ParentId), (Task::Table, Task::Id)))
            .take();
        task = provenance_and_version(task, Task::Table);
        manager.create_table(task).await?;
        manager.create_index(index(Task::Table, "ix_task_plan", &["plan_id", "position"])).await?;
        manager.create_index(index(Task::Table, "ix_task_parent", &["parent_id", "position"])).await?;

        manager
            .create_table(
                Table::create()
                    .table(TaskAssignment::Table)
                    .col(id(TaskAssignment::Id))
                    .col(string_len(TaskAssignment::TaskId, ID))
                    .col(string_len(TaskAssignment::DepartmentId, ID))
                    .col(string_len(TaskAssignment::Role, ENUM))
                    .col(integer(TaskAssignment::Position))
                    .col(timestamp_with_time_zone(TaskAssignment::CreatedAt))
                    .foreign_key(&mut fk((TaskAssignment::Table, TaskAssignment::TaskId), (Task::Table, Task::Id)))
                    .foreign_key(&mut fk(
                        (TaskAssignment::Table, TaskAssignment::DepartmentId),
                        (Department::Table, Department::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                index(TaskAssignment::Table, "ux_task_assignment", &["task_id", "department_id"]).unique().take(),
            )
            .await?;
        manager.create_index(index(TaskAssignment::Table, "ix_task_assignment_department", &["department_id"])).await?;

        let mut indicator = Table::create()
            .table(Indicator::Table)
            .col(id(Indicator::Id))
            .col(text(Indicator::Name))
            .col(string_len(Indicator::DocOrder, 80))
            .col(string_len(Indicator::Unit, 64))
            .col(string_len(Indicator::Measure, ENUM))
            .col(string_len(Indicator::Direction, ENUM))
            .col(boolean(Indicator::Summable))
            .col(string_len(Indicator::Nature, ENUM))
            .col(string_len(Indicator::RegionId, ID))
            .col(string_len(Indicator::PlanId, ID))
            .col(string_len_null(Indicator::TaskId, ID))
            .col(integer_null(Indicator::BaselineYear))
            .col(double_null(Indicator::BaselineValue))
            .col(string_len_null(Indicator::ContributesToId, ID))
            .col(string_len_null(Indicator::SharingClass, ENUM))
            .col(text_null(Indicator::LegalBasis))
            .foreign_key(&mut fk((Indicator::Table, Indicator::RegionId), (Region::Table, Region::Id)))
            .foreign_key(&mut fk((Indicator::Table, Indicator::PlanId), (Plan::Table, Plan::Id)))
            .foreign_key(&mut fk((Indicator::Table, Indicator::TaskId), (Task::Table, Task::Id)))
            .foreign_key(&mut fk((Indicator::Table, Indicator::ContributesToId), (Indicator::Table, Indicator::Id)))
            .take();
        indicator = provenance_and_version(indicator, Indicator::Table);
        manager.create_table(indicator).await?;
        manager.create_index(index(Indicator::Table, "ix_indicator_plan", &["plan_id"])).await?;
        manager.create_index(index(Indicator::Table, "ix_indicator_task", &["task_id"])).await?;
        manager.create_index(index(Indicator::Table, "ix_indicator_region", &["region_id"])).await?;

        let mut target = Table::create()
            .table(IndicatorTarget::Table)
            .col(id(IndicatorTarget::Id))
            .col(string_len(IndicatorTarget::IndicatorId, ID))
            .col(integer(IndicatorTarget::Year))
            .col(string_len(IndicatorTarget::Comparator, ENUM))
            .col(double(IndicatorTarget::Value))
            .col(double_null(IndicatorTarget::ValueMax))
            .foreign_key(&mut fk(
                (IndicatorTarget::Table, IndicatorTarget::IndicatorId),
                (Indicator::Table, Indicator::Id),
            ))
            .take();
        target = provenance_and_version(target, IndicatorTarget::Table);
        manager.create_table(target).await?;
        manager
            .create_index(
                index(IndicatorTarget::Table, "ux_indicator_target_year", &["indicator_id", "year"]).unique().take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IndicatorActual::Table)
                    .col(id(IndicatorActual::Id))
                    .col(string_len(IndicatorActual::IndicatorId, ID))
                    .col(string_len(IndicatorActual::Period, 16))
                    .col(double(IndicatorActual::Value))
                    .col(string_len(IndicatorActual::Status, ENUM))
                    .col(integer(IndicatorActual::Revision))
                    .col(string_len_null(IndicatorActual::SupersedesId, ID))
                    .col(text_null(IndicatorActual::Reason))
                    .col(text_null(IndicatorActual::Note))
                    .col(string_len_null(IndicatorActual::DepartmentId, ID))
                    .col(string_null(IndicatorActual::ReportedBy))
                    .col(timestamp_with_time_zone(IndicatorActual::ReportedAt))
                    .foreign_key(&mut fk(
                        (IndicatorActual::Table, IndicatorActual::IndicatorId),
                        (Indicator::Table, Indicator::Id),
                    ))
                    .foreign_key(&mut fk(
                        (IndicatorActual::Table, IndicatorActual::SupersedesId),
                        (IndicatorActual::Table, IndicatorActual::Id),
                    ))
                    .foreign_key(&mut fk(
                        (IndicatorActual::Table, IndicatorActual::DepartmentId),
                        (Department::Table, Department::Id),
                    ))
                    .take(),
            )
            .await?;
        // One row per (indicator, period, revision): two concurrent corrections
        // of the same revision cannot both land.
        manager
            .create_index(
                index(IndicatorActual::Table, "ux_indicator_actual_revision", &["indicator_id", "period", "revision"])
                    .unique()
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProgressReport::Table)
                    .col(id(ProgressReport::Id))
                    .col(string_len(ProgressReport::TaskId, ID))
                    .col(string_len(ProgressReport::Period, 16))
                    .col(string_len(ProgressReport::Status, ENUM))
                    .col(integer_null(ProgressReport::Percent))
                    .col(text(ProgressReport::Narrative))
                    .col(string_len(ProgressReport::DepartmentId, ID))
                    .col(string(ProgressReport::Reporter))
                    .col(timestamp_with_time_zone(ProgressReport::CreatedAt))
                    .foreign_key(&mut fk((ProgressReport::Table, ProgressReport::TaskId), (Task::Table, Task::Id)))
                    .foreign_key(&mut fk(
                        (ProgressReport::Table, ProgressReport::DepartmentId),
                        (Department::Table, Department::Id),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(ProgressReport::Table, "ix_progress_report_task", &["task_id", "created_at"]))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ProgressReport::Table.into_iden(),
            IndicatorActual::Table.into_iden(),
            IndicatorTarget::Table.into_iden(),
            Indicator::Table.into_iden(),
            TaskAssignment::Table.into_iden(),
            Task::Table.into_iden(),
            Plan::Table.into_iden(),
            DepartmentAlias::Table.into_iden(),
            Department::Table.into_iden(),
            Region::Table.into_iden(),
            SourceDocument::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum SourceDocument {
    Table,
    Id,
    FileName,
    Title,
    Sha256,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Region {
    Table,
    Id,
    Code,
    Name,
    NameEn,
    Level,
    ParentId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Department {
    Table,
    Id,
    Name,
    Kind,
    RegionId,
    ParentId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum DepartmentAlias {
    Table,
    Id,
    DepartmentId,
    Alias,
}

#[derive(DeriveIden, Clone, Copy)]
enum Plan {
    Table,
    Id,
    Title,
    DocumentNumber,
    IssuerId,
    RegionId,
    IssuedOn,
    PeriodStart,
    PeriodEnd,
    Kind,
    Status,
    SharingClass,
    LegalBasis,
    ParentId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Task {
    Table,
    Id,
    PlanId,
    ParentId,
    Kind,
    Code,
    Position,
    DocOrder,
    Title,
    Body,
    DueYear,
    Status,
    SharingClass,
    LegalBasis,
}

#[derive(DeriveIden, Clone, Copy)]
enum TaskAssignment {
    Table,
    Id,
    TaskId,
    DepartmentId,
    Role,
    Position,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Indicator {
    Table,
    Id,
    Name,
    DocOrder,
    Unit,
    Measure,
    Direction,
    Summable,
    Nature,
    RegionId,
    PlanId,
    TaskId,
    BaselineYear,
    BaselineValue,
    ContributesToId,
    SharingClass,
    LegalBasis,
}

#[derive(DeriveIden, Clone, Copy)]
enum IndicatorTarget {
    Table,
    Id,
    IndicatorId,
    Year,
    Comparator,
    Value,
    ValueMax,
}

#[derive(DeriveIden, Clone, Copy)]
enum IndicatorActual {
    Table,
    Id,
    IndicatorId,
    Period,
    Value,
    Status,
    Revision,
    SupersedesId,
    Reason,
    Note,
    DepartmentId,
    ReportedBy,
    ReportedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ProgressReport {
    Table,
    Id,
    TaskId,
    Period,
    Status,
    Percent,
    Narrative,
    DepartmentId,
    Reporter,
    CreatedAt,
}
