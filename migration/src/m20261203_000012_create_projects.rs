//! Key projects (重点项目) as records of their own: the named construction
//! items of a plan's 专栏 and tasks, with their sizes (value and unit as
//! written) and responsible units. A project belongs to a task and is read
//! under that task's sharing rule.

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
                    .table(Project::Table)
                    .col(string_len(Project::Id, ID).primary_key())
                    .col(string_len(Project::PlanId, ID))
                    .col(string_len(Project::TaskId, ID))
                    .col(text(Project::Kind))
                    .col(text(Project::Name))
                    .col(text_null(Project::Place))
                    .col(string(Project::DocOrder))
                    .col(string_len_null(Project::SourceDocumentId, ID))
                    .col(text_null(Project::SourceSection))
                    .col(text_null(Project::SourceQuote))
                    .col(integer_null(Project::SourceStart))
                    .col(integer_null(Project::SourceEnd))
                    .col(text_null(Project::SourceCleaned))
                    .col(integer(Project::Version))
                    .col(timestamp_with_time_zone(Project::CreatedAt))
                    .col(timestamp_with_time_zone(Project::UpdatedAt))
                    .foreign_key(&mut fk(Project::Table, Project::PlanId, Plan::Table, Plan::Id))
                    .foreign_key(&mut fk(Project::Table, Project::TaskId, Task::Table, Task::Id))
                    .foreign_key(&mut fk(
                        Project::Table,
                        Project::SourceDocumentId,
                        SourceDocument::Table,
                        SourceDocument::Id,
                    ))
                    .take(),
            )
            .await?;
        for (name, column) in [("ix_project_plan_order", Project::PlanId), ("ix_project_task_order", Project::TaskId)] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Project::Table)
                        .col(column)
                        .col(Project::DocOrder)
                        .col(Project::Id)
                        .take(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_project_doc_order")
                    .table(Project::Table)
                    .col(Project::DocOrder)
                    .col(Project::Id)
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProjectSize::Table)
                    .col(string_len(ProjectSize::Id, ID).primary_key())
                    .col(string_len(ProjectSize::ProjectId, ID))
                    .col(integer(ProjectSize::Position))
                    .col(double(ProjectSize::Value))
                    .col(string_len(ProjectSize::Unit, 32))
                    .col(text_null(ProjectSize::Measure))
                    .foreign_key(&mut fk(ProjectSize::Table, ProjectSize::ProjectId, Project::Table, Project::Id))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_project_size_project")
                    .table(ProjectSize::Table)
                    .col(ProjectSize::ProjectId)
                    .col(ProjectSize::Position)
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProjectDepartment::Table)
                    .col(string_len(ProjectDepartment::Id, ID).primary_key())
                    .col(string_len(ProjectDepartment::ProjectId, ID))
                    .col(string_len(ProjectDepartment::DepartmentId, ID))
                    .col(integer(ProjectDepartment::Position))
                    .foreign_key(&mut fk(
                        ProjectDepartment::Table,
                        ProjectDepartment::ProjectId,
                        Project::Table,
                        Project::Id,
                    ))
                    .foreign_key(&mut fk(
                        ProjectDepartment::Table,
                        ProjectDepartment::DepartmentId,
                        Department::Table,
                        Department::Id,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_project_department_project")
                    .table(ProjectDepartment::Table)
                    .col(ProjectDepartment::ProjectId)
                    .col(ProjectDepartment::Position)
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_project_department_member")
                    .table(ProjectDepartment::Table)
                    .col(ProjectDepartment::DepartmentId)
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ProjectDepartment::Table).take()).await?;
        manager.drop_table(Table::drop().table(ProjectSize::Table).take()).await?;
        manager.drop_table(Table::drop().table(Project::Table).take()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Project {
    Table,
    Id,
    PlanId,
    TaskId,
    Kind,
    Name,
    Place,
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
enum ProjectSize {
    Table,
    Id,
    ProjectId,
    Position,
    Value,
    Unit,
    Measure,
}

#[derive(DeriveIden)]
enum ProjectDepartment {
    Table,
    Id,
    ProjectId,
    DepartmentId,
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
enum Task {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Department {
    Table,
    Id,
}
