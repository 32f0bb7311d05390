//! sea-orm entities of xietong: one module per table, nothing else.
//!
//! The entities stay database-shaped. GraphQL types live in the server crate
//! and convert from these models, so renaming a column never silently changes
//! the API. Enumerations are stored as their SCREAMING_CASE names in text
//! columns, which reads the same on SQLite and PostgreSQL.

pub mod access_grant;
pub mod audit_head;
pub mod change;
pub mod coordination_participant;
pub mod coordination_record;
pub mod coordination_region;
pub mod department;
pub mod department_alias;
pub mod enums;
pub mod idempotency_record;
pub mod indicator;
pub mod indicator_actual;
pub mod indicator_latest_actual;
pub mod indicator_target;
pub mod plan;
pub mod progress_report;
pub mod project;
pub mod project_department;
pub mod project_size;
pub mod region;
pub mod revoked_token;
pub mod source_document;
pub mod task;
pub mod task_assignment;
pub mod webhook_attempt;
pub mod webhook_delivery;
pub mod webhook_endpoint;

pub mod prelude {
    //! Entity types under short names, for `use entity::prelude::*`.
    pub use crate::coordination_record::Entity as CoordinationRecord;
    pub use crate::department::Entity as Department;
    pub use crate::department_alias::Entity as DepartmentAlias;
    pub use crate::indicator::Entity as Indicator;
    pub use crate::indicator_actual::Entity as IndicatorActual;
    pub use crate::indicator_target::Entity as IndicatorTarget;
    pub use crate::plan::Entity as Plan;
    pub use crate::progress_report::Entity as ProgressReport;
    pub use crate::project::Entity as Project;
    pub use crate::region::Entity as Region;
    pub use crate::source_document::Entity as SourceDocument;
    pub use crate::task::Entity as Task;
    pub use crate::task_assignment::Entity as TaskAssignment;
}
