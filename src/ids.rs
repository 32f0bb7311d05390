//! Opaque global IDs and stable record IDs.
//!
//! Records are keyed by UUIDs. Records imported from the source documents get
//! a name-based UUID (v5) of their natural key, so re-importing the same texts
//! yields the same IDs; records created through the API get random ones.
//! The API never shows a raw UUID: a GraphQL `ID` is the base64url encoding of
//! `<Kind>:<uuid>`, so `node(id)` knows which table to look in and IDs are
//! globally unique across types.

use crate::error::AppError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Namespace of all name-based UUIDs of xietong (a fixed random UUID).
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x5a0c_7f0e_9d4b_4c6a_8e21_3b7d_1f4e_c902);

/// Every kind of record reachable through `node(id)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    Region,
    Department,
    Plan,
    Task,
    Indicator,
    IndicatorTarget,
    IndicatorActual,
    ProgressReport,
    SourceDocument,
    TaskAssignment,
    DepartmentAlias,
    AccessGrant,
    Change,
    WebhookEndpoint,
    WebhookDelivery,
    CoordinationRecord,
    /// A participant or region link of a coordination record (stable IDs only, not nodes).
    CoordinationLink,
    Project,
    /// A size or responsible-unit link of a project (stable IDs only, not nodes).
    ProjectPart,
}

impl NodeKind {
    const ALL: [NodeKind; 19] = [
        Self::Region,
        Self::Department,
        Self::Plan,
        Self::Task,
        Self::Indicator,
        Self::IndicatorTarget,
        Self::IndicatorActual,
        Self::ProgressReport,
        Self::SourceDocument,
        Self::TaskAssignment,
        Self::DepartmentAlias,
        Self::AccessGrant,
        Self::Change,
        Self::WebhookEndpoint,
        Self::WebhookDelivery,
        Self::CoordinationRecord,
        Self::CoordinationLink,
        Self::Project,
        Self::ProjectPart,
    ];

    /// The type name used inside global IDs (and as the GraphQL type name).
    pub fn name(self) -> &'static str {
        match self {
            Self::Region => "Region",
            Self::Department => "Department",
            Self::Plan => "Plan",
            Self::Task => "Task",
            Self::Indicator => "Indicator",
            Self::IndicatorTarget => "Target",
            Self::IndicatorActual => "Actual",
            Self::ProgressReport => "ProgressReport",
            Self::SourceDocument => "SourceDocument",
            Self::TaskAssignment => "Assignment",
            Self::DepartmentAlias => "DepartmentAlias",
            Self::AccessGrant => "Grant",
            Self::Change => "Change",
            Self::WebhookEndpoint => "WebhookEndpoint",
            Self::WebhookDelivery => "WebhookDelivery",
            Self::CoordinationRecord => "CoordinationRecord",
            Self::CoordinationLink => "CoordinationLink",
            Self::Project => "Project",
            Self::ProjectPart => "ProjectPart",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// The stable record ID of an imported record: a UUID v5 of its kind and natural key.
pub fn stable_uuid(kind: NodeKind, natural_key: &str) -> String {
    uuid::Uuid::new_v5(&NAMESPACE, format!("{}:{natural_key}", kind.name()).as_bytes()).to_string()
}

/// A fresh random record ID for a record created through the API.
pub fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Encodes a record ID as an opaque global ID.
pub fn to_global(kind: NodeKind, record_id: &str) -> async_graphql::ID {
    async_graphql::ID(URL_SAFE_NO_PAD.encode(format!("{}:{record_id}", kind.name())))
}

/// Decodes any global ID into its kind and record ID.
///
/// # Errors
/// `BAD_USER_INPUT` naming `field` when the ID is not one xietong issued.
pub fn from_global_any(id: &str, field: &str) -> Result<(NodeKind, String), AppError> {
    let invalid = || AppError::bad_input(field, "not a valid ID");
    if id.len() > 128 {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(id.as_bytes()).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (kind, record) = text.split_once(':').ok_or_else(invalid)?;
    let kind = NodeKind::from_name(kind).ok_or_else(invalid)?;
    let record = uuid::Uuid::parse_str(record).map_err(|_| invalid())?;
    Ok((kind, record.to_string()))
}

/// Decodes a global ID that must be of `kind`.
///
/// # Errors
/// `BAD_USER_INPUT` naming `field` when the ID is malformed or of another kind.
pub fn from_global(kind: NodeKind, id: &str, field: &str) -> Result<String, AppError> {
    match from_global_any(id, field)? {
        (k, record) if k == kind => Ok(record),
        (k, _) => Err(AppError::bad_input(field, format!("expected a {} ID, got a {} ID", kind.name(), k.name()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip() {
        let record = stable_uuid(NodeKind::Plan, "津静海政发〔2023〕11号");
        let id = to_global(NodeKind::Plan, &record);
        assert_eq!(from_global(NodeKind::Plan, &id, "id").ok(), Some(record));
    }

    #[test]
    fn stable_ids_depend_only_on_the_key() {
        assert_eq!(stable_uuid(NodeKind::Task, "a#1"), stable_uuid(NodeKind::Task, "a#1"));
        assert_ne!(stable_uuid(NodeKind::Task, "a#1"), stable_uuid(NodeKind::Plan, "a#1"));
    }

    #[test]
    fn malformed_ids_are_bad_input() {
        for bad in ["", "!!!", "UGxhbjp4", &"A".repeat(500), "UGxhbjo="] {
            let err = from_global_any(bad, "id").err().map(|e| e.code());
            assert_eq!(err, Some("BAD_USER_INPUT"), "{bad}");
        }
        let task = to_global(NodeKind::Task, &new_uuid());
        assert!(from_global(NodeKind::Plan, &task, "id").is_err());
    }
}
