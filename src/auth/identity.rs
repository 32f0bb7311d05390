//! From a verified token to an [`Identity`]: the store's part of authentication.
//!
//! Contract: three statements — is the `jti` revoked, the department, the
//! region tree (for the jurisdiction: the department's region and everything
//! under it). A revoked token or an unknown department is `UNAUTHENTICATED`.

use super::verify::VerifiedToken;
use crate::access::Identity;
use crate::error::AppError;
use crate::service::regions;
use entity::{department, revoked_token};
use sea_orm::{ConnectionTrait, EntityTrait};

/// The identity a verified token stands for.
///
/// # Errors
/// `UNAUTHENTICATED` when the token is revoked or its department does not
/// exist; store failures as their own codes.
pub(super) async fn load<C: ConnectionTrait>(db: &C, token: VerifiedToken) -> Result<Identity, AppError> {
    if revoked_token::Entity::find_by_id(token.jti.clone()).one(db).await?.is_some() {
        return Err(AppError::Unauthenticated("token has been revoked".into()));
    }
    let department = department::Entity::find_by_id(token.department_id.clone())
        .one(db)
        .await?
        .ok_or_else(|| AppError::Unauthenticated("token names a department that does not exist".into()))?;
    let jurisdiction = regions::subtree_ids(db, &department.region_id).await?;
    Ok(Identity {
        subject: token.subject,
        client: token.client,
        department_id: department.id,
        role: token.role,
        jurisdiction,
        expires_at: Some(token.expires_at),
    })
}
