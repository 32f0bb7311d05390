//! The one error type of the domain layer and its mapping to GraphQL.
//!
//! Services return [`AppError`]; resolvers turn it into an
//! `async_graphql::Error` with [`AppError::into_graphql`] (or the
//! [`GqlResult`] helper), which sets `extensions.code`. The codes are API:
//! never rename one. Internal causes are logged with the request id and never
//! shown to the caller.

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

/// One invalid input field, named by its GraphQL path (`input.percent`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    /// Convenience constructor.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// Everything a request can fail with, one variant per stable error code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid credentials where they are required, or a bad token.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The record does not exist, or the caller may not see it.
    #[error("{0}")]
    NotFound(String),
    /// The input is invalid; each offending field is named.
    #[error("{message}")]
    BadUserInput { message: String, fields: Vec<FieldError> },
    /// A stale `expectedVersion` or a conflicting concurrent write.
    #[error("{message}")]
    Conflict { message: String, current_version: Option<i32> },
    /// The query exceeds a configured limit.
    #[error("{0}")]
    QueryTooComplex(String),
    /// The caller sent too many requests.
    #[error("{message}")]
    RateLimited { message: String, retry_after_secs: u64 },
    /// The database is unreachable; the caller may retry.
    #[error("the service is temporarily unavailable, please retry")]
    ServiceUnavailable(#[source] anyhow::Error),
    /// A bug or an unexpected failure; details go to the log only.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadUserInput { .. } => "BAD_USER_INPUT",
            Self::Conflict { .. } => "CONFLICT",
            Self::QueryTooComplex(_) => "QUERY_TOO_COMPLEX",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::ServiceUnavailable(_) => "SERVICE_UNAVAILABLE",
            Self::Internal(_) => "INTERNAL",
        }
    }

    /// A single-field input error.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        let error = FieldError::new(field, message);
        Self::BadUserInput { message: format!("invalid {}: {}", error.field, error.message), fields: vec![error] }
    }

    /// A not-found error for an entity kind and its ID.
    pub fn not_found(kind: &str, id: &str) -> Self {
        Self::NotFound(format!("{kind} {id} not found"))
    }

    /// Converts into a GraphQL error carrying `extensions.code` (and details
    /// such as offending fields). Internal causes are logged here, once.
    pub fn into_graphql(self) -> async_graphql::Error {
        match &self {
            // One line at error level (the request id comes from the request's
            // span); the cause chain and any backtrace only at debug level, so
            // a caller who triggers many errors cannot inflate the log at will.
            Self::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                tracing::debug!(error = ?cause, "internal error, full chain");
            }
            Self::ServiceUnavailable(cause) => tracing::warn!(error = %cause, "database unavailable"),
            _ => {}
        }
        self.extend()
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", self.code());
            match self {
                Self::BadUserInput { fields, .. } => {
                    let list: Vec<async_graphql::Value> = fields
                        .iter()
                        .map(|f| {
                            let mut map = async_graphql::indexmap::IndexMap::new();
                            map.insert(async_graphql::Name::new("field"), async_graphql::Value::from(f.field.clone()));
                            map.insert(
                                async_graphql::Name::new("message"),
                                async_graphql::Value::from(f.message.clone()),
                            );
                            async_graphql::Value::Object(map)
                        })
                        .collect();
                    ext.set("fields", async_graphql::Value::List(list));
                }
                Self::Conflict { current_version: Some(v), .. } => ext.set("currentVersion", *v),
                Self::RateLimited { retry_after_secs, .. } => ext.set("retryAfterSeconds", *retry_after_secs),
                _ => {}
            }
        })
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        match &err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => Self::ServiceUnavailable(err.into()),
            DbErr::Exec(sea_orm::RuntimeErr::SqlxError(e)) | DbErr::Query(sea_orm::RuntimeErr::SqlxError(e))
                if is_connection_failure(e) =>
            {
                Self::ServiceUnavailable(err.into())
            }
            _ => Self::Internal(err.into()),
        }
    }
}

/// Whether a driver error means the connection failed rather than the
/// statement, so that the same request may succeed when retried: the store is
/// unreachable, the connection broke mid-conversation (`Io`, `Protocol`), or
/// PostgreSQL ended or refused the session — SQLSTATE class 08 (connection
/// exception), 57P01/57P02/57P03 (administrator or crash shutdown, e.g. a
/// restart; cannot connect now) and 53300 (too many connections).
fn is_connection_failure(err: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error as E;
    match err {
        E::Io(_) | E::Tls(_) | E::Protocol(_) | E::PoolTimedOut | E::PoolClosed | E::WorkerCrashed => true,
        // Fault hardening (tests/api/faults.rs): a restarted or overloaded PostgreSQL.
        E::Database(db) => {
            db.try_downcast_ref::<sea_orm::sqlx::postgres::PgDatabaseError>()
                .is_some_and(|pg| is_unavailable_sqlstate(pg.code()))
                || (db.try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>().is_some()
                    && db.code().is_some_and(|code| is_sqlite_busy(&code)))
        }
        _ => false,
    }
}

/// PostgreSQL SQLSTATEs that say the session, not the statement, failed.
fn is_unavailable_sqlstate(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

/// SQLite result codes that say another connection holds the lock past the
/// busy timeout: SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended
/// codes (the low byte is the primary code). The statement did nothing, so
/// the caller may retry.
fn is_sqlite_busy(code: &str) -> bool {
    code.parse::<i64>().is_ok_and(|c| matches!(c & 0xff, 5 | 6))
}

/// Result alias of the domain layer.
pub type AppResult<T> = Result<T, AppError>;

/// Turns a domain result into a GraphQL result with the error code attached.
///
/// A bare `?` on an `AppError` inside a resolver would compile (async-graphql
/// converts any `Display`) and silently lose the code; call `.gql()` instead.
pub trait GqlResult<T> {
    /// Maps the error with [`AppError::into_graphql`].
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> GqlResult<T> for AppResult<T> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(AppError::into_graphql)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let cases = [
            (AppError::Unauthenticated(String::new()), "UNAUTHENTICATED"),
            (AppError::Forbidden(String::new()), "FORBIDDEN"),
            (AppError::NotFound(String::new()), "NOT_FOUND"),
            (AppError::bad_input("x", "y"), "BAD_USER_INPUT"),
            (AppError::Conflict { message: String::new(), current_version: None }, "CONFLICT"),
            (AppError::QueryTooComplex(String::new()), "QUERY_TOO_COMPLEX"),
            (AppError::RateLimited { message: String::new(), retry_after_secs: 1 }, "RATE_LIMITED"),
            (AppError::ServiceUnavailable(anyhow::anyhow!("x")), "SERVICE_UNAVAILABLE"),
            (AppError::Internal(anyhow::anyhow!("secret detail")), "INTERNAL"),
        ];
        for (error, code) in cases {
            assert_eq!(error.code(), code);
        }
    }

    #[test]
    fn connection_failures_are_service_unavailable() {
        use sea_orm::sqlx::Error as E;
        let unavailable = |e: E| AppError::from(DbErr::Query(sea_orm::RuntimeErr::SqlxError(e.into()))).code();
        assert_eq!(unavailable(E::Io(std::io::ErrorKind::UnexpectedEof.into())), "SERVICE_UNAVAILABLE");
        assert_eq!(unavailable(E::Protocol("unexpected message".into())), "SERVICE_UNAVAILABLE");
        assert_eq!(unavailable(E::PoolTimedOut), "SERVICE_UNAVAILABLE");
        assert_eq!(unavailable(E::RowNotFound), "INTERNAL");
        for code in ["08006", "08001", "57P01", "57P02", "57P03", "53300"] {
            assert!(is_unavailable_sqlstate(code), "{code}");
        }
        for code in ["23505", "40001", "42P01", "57014"] {
            assert!(!is_unavailable_sqlstate(code), "{code}");
        }
        for code in ["5", "6", "261", "517", "262"] {
            assert!(is_sqlite_busy(code), "{code}");
        }
        for code in ["1", "19", "2067", "x"] {
            assert!(!is_sqlite_busy(code), "{code}");
        }
    }

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let error = AppError::Internal(anyhow::anyhow!("password=hunter2")).extend();
        assert_eq!(error.message, "internal error");
    }
}
