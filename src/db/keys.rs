//! "This column is one of these keys", written so that the statement's text
//! does not depend on how many keys there are.
//!
//! A batch of a DataLoader asks for any number of keys. Written as `IN ($1,
//! …, $n)` every batch size is another statement: prepared again on each
//! connection, planned again by PostgreSQL, and it crowds sqlx's per-connection
//! statement cache. On PostgreSQL the keys are bound as one array instead
//! (`= ANY(CAST($1 AS text[]))`), so one statement serves every batch. SQLite has no array
//! values and keeps the list.

use sea_orm::sea_query::{Alias, ArrayType, BinOper, Expr, Func, SimpleExpr};
use sea_orm::{DbBackend, ExprTrait, Value};

/// `expr` is one of `keys`, for `backend` (see the module's contract).
pub fn one_of(backend: DbBackend, expr: SimpleExpr, keys: &[String]) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => expr.binary(BinOper::Equal, Func::cust("ANY").arg(array(keys))),
        _ => expr.is_in(keys.iter().cloned()),
    }
}

/// `keys` as one PostgreSQL `text[]` value, cast in the statement's text so
/// that it keeps its type when the statement is replayed with the value
/// written in (`bench/peer.sh` replays xietong's statements with pgbench; a
/// bare `'{…}'` is of unknown type there, and `unnest` of it is ambiguous).
pub fn array(keys: &[String]) -> SimpleExpr {
    let values = keys.iter().map(|key| Value::from(key.clone())).collect();
    Expr::val(Value::Array(ArrayType::String, Some(Box::new(values)))).cast_as(Alias::new("text[]"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::Query;

    fn statement(backend: DbBackend, keys: &[String]) -> String {
        let query = Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("task"))
            .and_where(one_of(backend, Expr::col(Alias::new("id")), keys))
            .to_owned();
        backend.build(&query).sql
    }

    #[test]
    fn postgres_binds_one_array_whatever_the_number_of_keys() {
        let one = statement(DbBackend::Postgres, &["a".into()]);
        let three = statement(DbBackend::Postgres, &["a".into(), "b".into(), "c".into()]);
        assert_eq!(one, r#"SELECT "id" FROM "task" WHERE "id" = ANY(CAST($1 AS text[]))"#);
        assert_eq!(one, three);
    }

    #[test]
    fn sqlite_lists_the_keys() {
        let two = statement(DbBackend::Sqlite, &["a".into(), "b".into()]);
        assert_eq!(two, r#"SELECT "id" FROM "task" WHERE "id" IN (?, ?)"#);
    }
}
