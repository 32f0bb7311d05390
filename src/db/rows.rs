//! Rows decoded into entity models by column position, NULL checked first.
//!
//! sea-orm 2 decodes every column of a model by name, and decodes a NULL into
//! an `Option` by first building an error that holds the `Debug`-formatted
//! column name, then dropping it: for the many NULL provenance columns of the
//! hot tables that was ≈ 28 % of the instructions of a nested request
//! (BENCHMARKS.md). [`Decode`] reads the columns of a whole result by
//! position instead, found once per result by name, and asks the driver's
//! row whether a value is NULL before decoding it. Non-NULL values are still
//! decoded by sea-orm, so every value reads exactly as it did.
//!
//! Models that are not hot keep sea-orm's decoding ([`by_name!`]); the hot
//! ones list their fields in column order ([`positional!`]), which a test
//! checks against each entity's columns.

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{
    ActualStatus, AssignmentRole, Comparator, DepartmentKind, Direction, Measure, Nature, PlanKind, PlanStatus,
    RegionLevel, SharingClass, TaskKind, TaskStatus,
};
use sea_orm::sqlx::{Column as _, Row as _, ValueRef as _};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryResult, QueryTrait, Select, TryGetError};

/// A model read from the rows of one result.
pub trait Decode: FromQueryResult {
    /// The columns a positional decoding reads, in order (empty: decoded by name).
    const COLUMNS: &'static [&'static str] = &[];

    /// Decodes every row of one result.
    ///
    /// # Errors
    /// A column missing or of another type.
    fn decode_all(rows: Vec<QueryResult>) -> Result<Vec<Self>, DbErr> {
        by_name(rows)
    }
}

/// The rows of `select`, decoded with [`Decode`]: what `select.all(db)` returns.
///
/// # Errors
/// Database errors, or a row that does not decode.
pub async fn all<E, C>(db: &C, select: Select<E>) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait,
    E::Model: Decode,
    C: ConnectionTrait,
{
    E::Model::decode_all(db.query_all(&select.into_query()).await?)
}

/// sea-orm's own decoding, by column name.
fn by_name<M: FromQueryResult>(rows: Vec<QueryResult>) -> Result<Vec<M>, DbErr> {
    rows.iter().map(|row| M::from_query_result(row, "")).collect()
}

/// One value of a row, read by position.
pub trait Cell: Sized {
    /// The value at position `at` of `row`.
    ///
    /// # Errors
    /// `TryGetError::Null` for a NULL where a value is required; a database
    /// error for a missing column or another type.
    fn cell(row: &QueryResult, at: usize) -> Result<Self, TryGetError>;
}

macro_rules! cell_by_sea_orm {
    ($($t:ty),* $(,)?) => {
        $(impl Cell for $t {
            fn cell(row: &QueryResult, at: usize) -> Result<Self, TryGetError> {
                <$t as sea_orm::TryGetable>::try_get_by_index(row, at)
            }
        })*
    };
}

cell_by_sea_orm!(
    String,
    i32,
    i64,
    f64,
    bool,
    DateTime<Utc>,
    NaiveDate,
    ActualStatus,
    AssignmentRole,
    Comparator,
    DepartmentKind,
    Direction,
    Measure,
    Nature,
    PlanKind,
    PlanStatus,
    RegionLevel,
    SharingClass,
    TaskKind,
    TaskStatus,
);

impl<T: Cell> Cell for Option<T> {
    fn cell(row: &QueryResult, at: usize) -> Result<Self, TryGetError> {
        match is_null(row, at) {
            Some(true) => Ok(None),
            Some(false) => T::cell(row, at).map(Some),
            // Neither SQLite nor PostgreSQL (a mock row): as sea-orm does it.
            None => match T::cell(row, at) {
                Ok(value) => Ok(Some(value)),
                Err(TryGetError::Null(_)) => Ok(None),
                Err(error) => Err(error),
            },
        }
    }
}

/// Whether the value at `at` is NULL, asked of the driver's row; `None` when
/// the row is of neither store or has no such column.
fn is_null(row: &QueryResult, at: usize) -> Option<bool> {
    if let Some(pg) = row.try_as_pg_row() {
        return pg.try_get_raw(at).ok().map(|value| value.is_null());
    }
    if let Some(sqlite) = row.try_as_sqlite_row() {
        return sqlite.try_get_raw(at).ok().map(|value| value.is_null());
    }
    None
}

/// The names of the columns of `row`, in order; `None` for a row of neither store.
fn column_names(row: &QueryResult) -> Option<Vec<&str>> {
    if let Some(pg) = row.try_as_pg_row() {
        return Some(pg.columns().iter().map(|c| c.name()).collect());
    }
    if let Some(sqlite) = row.try_as_sqlite_row() {
        return Some(sqlite.columns().iter().map(|c| c.name()).collect());
    }
    None
}

/// Where each of `wanted` is among the columns of `row`: at the same
/// position when the result starts with them in order (a whole-entity
/// select), else found by name; `None` when one is missing.
fn positions(row: &QueryResult, wanted: &[&str]) -> Option<Vec<usize>> {
    let names = column_names(row)?;
    if names.len() >= wanted.len() && names.iter().zip(wanted).all(|(have, want)| have == want) {
        return Some((0..wanted.len()).collect());
    }
    wanted.iter().map(|want| names.iter().position(|have| have == want)).collect()
}

/// Decodes each of `rows` into `M` with `decode`, reading the columns at
/// the positions of `M::COLUMNS` in the first row; by name when the rows do
/// not come from a store or lack a column.
fn decode_rows<M: Decode>(
    rows: Vec<QueryResult>,
    decode: impl Fn(&QueryResult, &[usize]) -> Result<M, TryGetError>,
) -> Result<Vec<M>, DbErr> {
    let Some(first) = rows.first() else { return Ok(Vec::new()) };
    let Some(at) = positions(first, M::COLUMNS) else { return by_name(rows) };
    rows.iter().map(|row| decode(row, &at).map_err(DbErr::from)).collect()
}

/// Decodes a model by position: its fields listed in column order, exactly
/// the entity's columns (a test checks each list against the entity).
macro_rules! positional {
    ($($model:path { $($field:ident),+ $(,)? })+) => {
        $(impl Decode for $model {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),+];

            fn decode_all(rows: Vec<QueryResult>) -> Result<Vec<Self>, DbErr> {
                decode_rows(rows, |row, at| {
                    let mut next = at.iter().copied();
                    // Struct fields are evaluated in the order written: the order of COLUMNS.
                    Ok(Self { $($field: Cell::cell(row, next.next().unwrap_or(usize::MAX))?),+ })
                })
            }
        })+
    };
}

/// Keeps sea-orm's decoding by name for models that are not hot.
macro_rules! by_name {
    ($($model:path),+ $(,)?) => {
        $(impl Decode for $model {})+
    };
}

positional! {
    entity::task::Model {
        id, plan_id, parent_id, kind, code, position, doc_order, title, body, due_year, status, sharing_class,
        legal_basis, source_document_id, source_section, source_quote, source_start, source_end, source_cleaned,
        version, created_at, updated_at,
    }
    entity::indicator::Model {
        id, name, doc_order, unit, measure, direction, summable, nature, region_id, plan_id, task_id,
        baseline_year, baseline_value, contributes_to_id, sharing_class, legal_basis, source_document_id,
        source_section, source_quote, source_start, source_end, source_cleaned, version, created_at, updated_at,
    }
    entity::plan::Model {
        id, title, document_number, issuer_id, region_id, issued_on, period_start, period_end, kind, status,
        sharing_class, legal_basis, parent_id, source_document_id, source_section, source_quote, source_start,
        source_end, source_cleaned, version, created_at, updated_at,
    }
    entity::indicator_actual::Model {
        id, indicator_id, period, value, status, revision, supersedes_id, reason, note, department_id,
        reported_by, reported_at, source_document_id, source_section, source_quote, source_start, source_end,
        source_cleaned,
    }
    entity::indicator_target::Model {
        id, indicator_id, year, comparator, value, value_max, source_document_id, source_section, source_quote,
        source_start, source_end, source_cleaned, version, created_at, updated_at,
    }
    entity::task_assignment::Model { id, task_id, department_id, role, position, created_at }
    entity::department::Model { id, name, kind, region_id, parent_id, version, created_at, updated_at }
}

by_name!(
    entity::change::Model,
    entity::department_alias::Model,
    entity::progress_report::Model,
    entity::region::Model,
    entity::source_document::Model,
    entity::webhook_delivery::Model,
);

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{IdenStatic, Iterable};

    fn columns<E: EntityTrait>() -> Vec<&'static str> {
        E::Column::iter().map(|c| IdenStatic::as_str(&c)).collect()
    }

    #[test]
    fn each_positional_model_lists_exactly_its_entitys_columns_in_order() {
        assert_eq!(entity::task::Model::COLUMNS, columns::<entity::task::Entity>());
        assert_eq!(entity::indicator::Model::COLUMNS, columns::<entity::indicator::Entity>());
        assert_eq!(entity::plan::Model::COLUMNS, columns::<entity::plan::Entity>());
        assert_eq!(entity::indicator_actual::Model::COLUMNS, columns::<entity::indicator_actual::Entity>());
        assert_eq!(entity::indicator_target::Model::COLUMNS, columns::<entity::indicator_target::Entity>());
        assert_eq!(entity::task_assignment::Model::COLUMNS, columns::<entity::task_assignment::Entity>());
        assert_eq!(entity::department::Model::COLUMNS, columns::<entity::department::Entity>());
    }
}
