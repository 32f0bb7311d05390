//! The audit trail's vocabulary: what kind of record a change is about, what
//! was done to it, and whose visibility governs the entry.
//!
//! These names are stored in the `change` table (`entity`, `action`,
//! `scope_entity`) and hashed into the chain, so a name, once written, never
//! changes spelling: [`AuditEntity::as_str`] and friends are the only place
//! that spells them, and [`AuditEntity::parse`] reads them back.

/// The kind of record a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditEntity {
    Plan,
    Task,
    Indicator,
    /// A department's LEAD or SUPPORT assignment to a task.
    Assignment,
    /// An indicator's target for a year.
    Target,
    /// A reported value of an indicator.
    Actual,
    ProgressReport,
    Region,
    Department,
    DepartmentAlias,
    /// An access grant opening a CONDITIONAL plan to a department.
    Grant,
    RevokedToken,
    /// A registered webhook endpoint (never with its secret).
    WebhookEndpoint,
}

impl AuditEntity {
    /// Every entity, in the order the API lists them.
    pub const ALL: [AuditEntity; 13] = [
        Self::Plan,
        Self::Task,
        Self::Indicator,
        Self::Assignment,
        Self::Target,
        Self::Actual,
        Self::ProgressReport,
        Self::Region,
        Self::Department,
        Self::DepartmentAlias,
        Self::Grant,
        Self::RevokedToken,
        Self::WebhookEndpoint,
    ];

    /// The name stored in `change.entity`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Plan => "Plan",
            Self::Task => "Task",
            Self::Indicator => "Indicator",
            Self::Assignment => "Assignment",
            Self::Target => "Target",
            Self::Actual => "Actual",
            Self::ProgressReport => "ProgressReport",
            Self::Region => "Region",
            Self::Department => "Department",
            Self::DepartmentAlias => "DepartmentAlias",
            Self::Grant => "Grant",
            Self::RevokedToken => "RevokedToken",
            Self::WebhookEndpoint => "WebhookEndpoint",
        }
    }

    /// The entity a stored name stands for; `None` for a name this version does not know.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == name)
    }
}

/// What a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    Create,
    Update,
    /// A task placed under another parent or at another position.
    Move,
    Archive,
    Delete,
    /// An access grant given.
    Grant,
    /// An access grant or a token revoked.
    Revoke,
    ReportProgress,
    /// The first value of an indicator for a period.
    RecordActual,
    /// A later value for the same period, superseding the earlier one.
    ReviseActual,
    /// A webhook endpoint switched off by an administrator.
    Disable,
    /// A webhook endpoint switched (back) on.
    Enable,
    /// A webhook endpoint's signing secret replaced (the old one signs for a while longer).
    RotateSecret,
}

impl AuditAction {
    /// Every action, in the order the API lists them.
    pub const ALL: [AuditAction; 13] = [
        Self::Create,
        Self::Update,
        Self::Move,
        Self::Archive,
        Self::Delete,
        Self::Grant,
        Self::Revoke,
        Self::ReportProgress,
        Self::RecordActual,
        Self::ReviseActual,
        Self::Disable,
        Self::Enable,
        Self::RotateSecret,
    ];

    /// The action a stored name stands for; `None` for a name this version does not know.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// The name stored in `change.action`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Create => "CREATE",
            Self::Update => "UPDATE",
            Self::Move => "MOVE",
            Self::Archive => "ARCHIVE",
            Self::Delete => "DELETE",
            Self::Grant => "GRANT",
            Self::Revoke => "REVOKE",
            Self::ReportProgress => "REPORT_PROGRESS",
            Self::RecordActual => "RECORD_ACTUAL",
            Self::ReviseActual => "REVISE_ACTUAL",
            Self::Disable => "DISABLE",
            Self::Enable => "ENABLE",
            Self::RotateSecret => "ROTATE_SECRET",
        }
    }
}

/// Whose visibility governs a change entry: the feed shows an entry to a
/// caller exactly when the caller may see what its scope names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Follows the visibility of this plan.
    Plan(String),
    /// Follows the visibility of this task.
    Task(String),
    /// Follows the visibility of this indicator.
    Indicator(String),
    /// Reference data everyone may read (regions, departments).
    Public,
    /// Administrative records (grants, revoked tokens): administrators only.
    Admin,
}

/// The kinds of [`Scope`], as stored in `change.scope_entity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScopeKind {
    Plan,
    Task,
    Indicator,
    Public,
    Admin,
}

impl ScopeKind {
    /// The name stored in `change.scope_entity`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Plan => "Plan",
            Self::Task => "Task",
            Self::Indicator => "Indicator",
            Self::Public => "PUBLIC",
            Self::Admin => "ADMIN",
        }
    }
}

impl Scope {
    /// The stored form: the kind and, for a record scope, the record's ID.
    pub fn into_parts(self) -> (ScopeKind, Option<String>) {
        match self {
            Self::Plan(id) => (ScopeKind::Plan, Some(id)),
            Self::Task(id) => (ScopeKind::Task, Some(id)),
            Self::Indicator(id) => (ScopeKind::Indicator, Some(id)),
            Self::Public => (ScopeKind::Public, None),
            Self::Admin => (ScopeKind::Admin, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AuditEntity;

    #[test]
    fn every_entity_name_reads_back_as_itself() {
        for entity in AuditEntity::ALL {
            assert_eq!(AuditEntity::parse(entity.as_str()), Some(entity));
        }
        assert_eq!(AuditEntity::parse("task"), None, "stored names are case-sensitive");
        for action in super::AuditAction::ALL {
            assert_eq!(super::AuditAction::parse(action.as_str()), Some(action));
        }
    }
}
