//! The `Grant` type: an access grant opening a CONDITIONAL plan to a department.
//!
//! Grant IDs have the same opaque form as every other ID (base64url of
//! `Grant:<uuid>`), so they stay valid once `NodeKind` learns about grants.

use super::common::loader_error;
use super::department::Department;
use super::plan::Plan;
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use async_graphql::{Context, ID, Object};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entity::access_grant;

/// The type name inside a grant's global ID.
const KIND: &str = "Grant";

/// The opaque global ID of a grant.
pub fn grant_id(record_id: &str) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{KIND}:{record_id}")))
}

/// Decodes a grant's global ID into its record ID.
///
/// # Errors
/// BAD_USER_INPUT naming `field` when the ID is not a grant ID xietong issued.
pub fn decode_grant_id(id: &str, field: &str) -> AppResult<String> {
    let invalid = || AppError::bad_input(field, "not a valid Grant ID");
    if id.len() > 128 {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(id.as_bytes()).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let record = text.strip_prefix("Grant:").ok_or_else(invalid)?;
    let record = uuid::Uuid::parse_str(record).map_err(|_| invalid())?;
    Ok(record.to_string())
}

/// An access grant.
#[derive(Clone)]
pub struct Grant(pub access_grant::Model);

/// 授权 — A grant opening a CONDITIONAL plan (and its tasks and indicators that inherit its class) to a department until it expires.
#[Object]
impl Grant {
    /// 全局标识 — Opaque global ID.
    async fn id(&self) -> ID {
        grant_id(&self.0.id)
    }

    /// 方案 — The plan the grant opens.
    async fn plan(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Plan>> {
        let found = ctx.scope()?.loaders.plan.load_one(self.0.plan_id.clone()).await.map_err(loader_error)?;
        Ok(found.map(Plan))
    }

    /// 被授权单位 — The department that may read the plan.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Department>> {
        let id = self.0.department_id.clone();
        let found = ctx.scope()?.loaders.department.load_one(id).await.map_err(loader_error)?;
        Ok(found.map(Department))
    }

    /// 到期时间 — When the grant expires.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }

    /// 事由 — Why access was granted.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// 授权人 — Subject of the token that granted it.
    async fn granted_by(&self) -> &str {
        &self.0.granted_by
    }

    /// 授权时间 — When it was granted.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// 撤销时间 — When it was revoked; null while not revoked.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }

    /// 有效 — Whether the grant is in effect now: not revoked and not expired.
    async fn active(&self) -> bool {
        self.0.revoked_at.is_none() && self.0.expires_at > Utc::now()
    }

    /// 版本 — Record version, for `expectedVersion` on revokeGrant.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_ids_round_trip() {
        let record = crate::ids::new_uuid();
        let id = grant_id(&record);
        assert_eq!(decode_grant_id(&id, "id").ok(), Some(record.clone()));
        let plan = crate::ids::to_global(crate::ids::NodeKind::Plan, &record);
        assert!(decode_grant_id(&plan, "id").is_err());
        assert!(decode_grant_id("!!!", "id").is_err());
    }
}
