//! Rows decoded into entity models by column position, NULL checked first.
//!
//! sea-orm 2 decodes every column of a model by name, and decodes a NULL into
//! an `Option` by first building an error that holds the `Debug`-formatted
//! column name, then dropping it: for the many NULL provenance columns of the
//! hot tables that was ≈ 28 % of the instructions of a nested request
//! (BENCHMARKS.md). [`decode_all`] reads the columns of a whole result by
//! position instead, found once per result by name, and asks the driver's
//! row whether a value is NULL before decoding it. Non-NULL values are still
//! decoded by sea-orm, so every value reads exactly as it did.
//!
//! Only the hot models are decoded so: they list their fields in column
//! order below ([`Positional`]), which a test checks against each entity's
//! columns. Every other model keeps sea-orm's decoding by name, with nothing
//! to declare: [`decode_all`] picks by the model's type, so the paging
//! functions need no bound beyond sea-orm's own.

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{
    ActualStatus, AssignmentRole, Comparator, DepartmentKind, Direction, Measure, Nature, PlanKind, PlanStatus,
    RegionLevel, SharingClass, TargetKind, TaskKind, TaskStatus,
};
use sea_orm::sqlx::{Column as _, Row as _, ValueRef as _};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryResult, QueryTrait, Select, TryGetError};
use std::any::{Any, TypeId};

/// The rows of `select`, decoded with [`decode_all`]: what `select.all(db)` returns.
///
/// # Errors
/// Database errors, or a row that does not decode.
pub async fn all<E, C>(db: &C, select: Select<E>) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait,
    E::Model: 'static,
    C: ConnectionTrait,
{
    let statement = super::plans::build(db.get_database_backend(), &select.into_query());
    decode_all(db.query_all_raw(statement).await?)
}

/// A model decoded by position: its fields in column order.
pub trait Positional: FromQueryResult + 'static {
    /// The columns [`Positional::decode`] reads, in order.
    const COLUMNS: &'static [&'static str];

    /// The model in `row`, whose column `COLUMNS[i]` is at position `at[i]`.
    ///
    /// # Errors
    /// A NULL where a value is required, or a value of another type.
    fn decode(row: &QueryResult, at: &[usize]) -> Result<Self, TryGetError>;
}

/// `rows` decoded as `P`, when `M` is `P`; else the rows back, untouched.
fn when_positional<M: 'static, P: Positional>(
    rows: Vec<QueryResult>,
) -> Result<Result<Vec<M>, DbErr>, Vec<QueryResult>> {
    if TypeId::of::<M>() != TypeId::of::<P>() {
        return Err(rows);
    }
    let decoded: Box<dyn Any> = Box::new(decode_rows::<P>(rows));
    // `M` is `P`, so the downcast cannot fail.
    Ok(decoded
        .downcast::<Result<Vec<M>, DbErr>>()
        .map_or_else(|_| Err(DbErr::Custom("rows decoded as another model".into())), |decoded| *decoded))
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

cell_by_sea_orm!(i32, i64, f64, bool, DateTime<Utc>, NaiveDate);

/// Enums are stored as their text: read it as a [`String`] cell (on
/// PostgreSQL without sqlx's per-value type check, below), then parse it.
macro_rules! cell_by_text {
    ($($t:ty),* $(,)?) => {
        $(impl Cell for $t {
            fn cell(row: &QueryResult, at: usize) -> Result<Self, TryGetError> {
                let text = <String as Cell>::cell(row, at)?;
                <$t as sea_orm::ActiveEnum>::try_from_value(&text).map_err(TryGetError::DbErr)
            }
        })*
    };
}

cell_by_text!(
    ActualStatus,
    AssignmentRole,
    Comparator,
    DepartmentKind,
    Direction,
    TargetKind,
    Measure,
    Nature,
    PlanKind,
    PlanStatus,
    RegionLevel,
    SharingClass,
    TaskKind,
    TaskStatus,
);

/// PostgreSQL's type OIDs of `text` and `varchar`, the types xietong's text
/// columns have (`pg_type.oid`, fixed in every PostgreSQL).
const PG_TEXT_OIDS: [u32; 2] = [25, 1043];

impl Cell for String {
    /// On PostgreSQL a `text` or `varchar` value is decoded directly: sqlx's
    /// checked path compares the value's type with six text-like types
    /// (names included) at every value; skipping it, here and for the enums
    /// read through this cell, saved 6.7 % of a nested request's
    /// instructions (BENCHMARKS.md). Any other type, and SQLite, take
    /// sea-orm's checked path, so a mismatch is still an error.
    fn cell(row: &QueryResult, at: usize) -> Result<Self, TryGetError> {
        if let Some(pg) = row.try_as_pg_row()
            && let Ok(value) = pg.try_get_raw(at)
            && !value.is_null()
            && value.type_info().oid().is_some_and(|oid| PG_TEXT_OIDS.contains(&oid.0))
        {
            return <String as sea_orm::sqlx::Decode<'_, sea_orm::sqlx::Postgres>>::decode(value)
                .map_err(|error| TryGetError::DbErr(DbErr::Type(error.to_string())));
        }
        <String as sea_orm::TryGetable>::try_get_by_index(row, at)
    }
}

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

/// Decodes each of `rows` as `P`, reading the columns at the positions of
/// `P::COLUMNS` in the first row; by name when the rows do not come from a
/// store or lack one of the columns.
fn decode_rows<P: Positional>(rows: Vec<QueryResult>) -> Result<Vec<P>, DbErr> {
    let Some(first) = rows.first() else { return Ok(Vec::new()) };
    let Some(at) = positions(first, P::COLUMNS) else { return by_name(rows) };
    rows.iter().map(|row| P::decode(row, &at).map_err(DbErr::from)).collect()
}

/// Declares the hot models, decoded by position: each with its fields in
/// column order, exactly the entity's columns (a test checks each list).
/// Declares [`decode_all`] with them.
macro_rules! positional {
    ($($model:path { $($field:ident),+ $(,)? })+) => {
        $(impl Positional for $model {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),+];

            fn decode(row: &QueryResult, at: &[usize]) -> Result<Self, TryGetError> {
                let mut next = at.iter().copied();
                // Struct fields are evaluated in the order written: the order of COLUMNS.
                Ok(Self { $($field: Cell::cell(row, next.next().unwrap_or(usize::MAX))?),+ })
            }
        })+

        /// Decodes every row of one result as `M`: by position when `M` is
        /// one of the hot models, else by name as sea-orm does.
        ///
        /// # Errors
        /// A column missing, NULL where a value is required, or of another type.
        pub fn decode_all<M: FromQueryResult + 'static>(rows: Vec<QueryResult>) -> Result<Vec<M>, DbErr> {
            $(let rows = match when_positional::<M, $model>(rows) {
                Ok(decoded) => return decoded,
                Err(rows) => rows,
            };)+
            by_name(rows)
        }
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
        id, indicator_id, year, kind, start_year, phrase, comparator, value, value_max, source_document_id,
        source_section, source_quote, source_start, source_end, source_cleaned, version, created_at, updated_at,
    }
    entity::task_assignment::Model { id, task_id, department_id, role, position, created_at }
    entity::department::Model { id, name, kind, region_id, parent_id, version, created_at, updated_at }
}

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
