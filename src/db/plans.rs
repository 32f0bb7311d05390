//! Statements that the database can prepare and plan once.
//!
//! sqlx prepares each statement once per connection. At every execution
//! PostgreSQL then picks either a plan made for the bound values (a custom
//! plan, made again at every `bind`) or one generic plan made once, and it
//! keeps the generic plan only when its estimated cost is close to the
//! custom plans'. A bound `LIMIT` defeats that: the generic plan cannot know
//! the limit, assumes a tenth of the rows, looks far more expensive than the
//! custom plans for `LIMIT 51`, and is never chosen. Every page statement was
//! planned again at every execution: 1.0–1.3 ms of `bind` for the BUREAU's
//! long statements, more than their execution (BENCHMARKS.md).
//!
//! SQLite (3.51 as bundled) does worse with a bound `LIMIT`: its planner reads
//! the bound value, and marks the prepared statement so that binding that
//! parameter again expires it. sqlx binds every parameter at every execution,
//! so each page statement was compiled again each time it ran.
//!
//! Page sizes are integers the paging code has already checked against the
//! limits, so [`build`] writes each bound `LIMIT` and `OFFSET` into the
//! statement's text. The text then differs only by page size, a handful of
//! values. Contract: no other `$` (PostgreSQL) or `?` (SQLite) than
//! placeholders appears in the statements built here (xietong writes neither
//! in a literal or a name: values are bound).

use sea_orm::sea_query::SelectStatement;
use sea_orm::{DbBackend, Statement, Value};

/// `query` as a statement for `backend`, its `LIMIT` and `OFFSET` values
/// written into the text (see the module's contract).
pub fn build(backend: DbBackend, query: &SelectStatement) -> Statement {
    let statement = backend.build(query);
    match backend {
        DbBackend::Postgres => limits_written_in(statement, Placeholders::Numbered),
        DbBackend::Sqlite => limits_written_in(statement, Placeholders::Positional),
        _ => statement,
    }
}

/// How a backend's statements name their bound values.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Placeholders {
    /// `$1`, `$2`, … (PostgreSQL).
    Numbered,
    /// `?`, the n-th one for the n-th value (SQLite).
    Positional,
}

impl Placeholders {
    fn mark(self) -> char {
        match self {
            Self::Numbered => '$',
            Self::Positional => '?',
        }
    }
}

/// `statement` with each `LIMIT`/`OFFSET` placeholder whose value is an
/// unsigned integer replaced by that integer, and the other placeholders
/// renumbered (where they carry numbers).
fn limits_written_in(mut statement: Statement, style: Placeholders) -> Statement {
    // Most statements (lookups by key) have no page size: leave them without a scan.
    let (limit, offset) = match style {
        Placeholders::Numbered => ("LIMIT $", "OFFSET $"),
        Placeholders::Positional => ("LIMIT ?", "OFFSET ?"),
    };
    if !statement.sql.contains(limit) && !statement.sql.contains(offset) {
        return statement;
    }
    let Some(values) = statement.values.as_mut() else { return statement };
    let placeholders = placeholders(&statement.sql, style);
    let written: Vec<(usize, u64)> = placeholders
        .iter()
        .filter(|p| p.after_limit)
        .filter_map(|p| match values.0.get(p.number.checked_sub(1)?) {
            Some(Value::BigUnsigned(Some(limit))) => Some((p.number, *limit)),
            _ => None,
        })
        .collect();
    if written.is_empty() {
        return statement;
    }
    let mut sql = String::with_capacity(statement.sql.len());
    let mut copied = 0;
    for p in &placeholders {
        sql.push_str(&statement.sql[copied..p.start]);
        match written.iter().find(|(n, _)| *n == p.number) {
            Some((_, limit)) => sql.push_str(&limit.to_string()),
            None if style == Placeholders::Positional => sql.push('?'),
            None => {
                let shift = written.iter().filter(|(n, _)| *n < p.number).count();
                sql.push('$');
                sql.push_str(&(p.number - shift).to_string());
            }
        }
        copied = p.end;
    }
    sql.push_str(&statement.sql[copied..]);
    statement.sql = sql;
    let mut position = 0;
    values.0.retain(|_| {
        position += 1;
        !written.iter().any(|(n, _)| *n == position)
    });
    statement
}

/// A placeholder of a statement.
struct Placeholder {
    /// Byte range of the placeholder in the text.
    start: usize,
    end: usize,
    /// The number of the value it stands for, from 1.
    number: usize,
    /// It follows `LIMIT ` or `OFFSET `.
    after_limit: bool,
}

/// The placeholders of `sql`, in order.
fn placeholders(sql: &str, style: Placeholders) -> Vec<Placeholder> {
    let bytes = sql.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(offset) = sql[at..].find(style.mark()) {
        let start = at + offset;
        let (end, number) = match style {
            Placeholders::Positional => (start + 1, Some(found.len() + 1)),
            Placeholders::Numbered => {
                let digits = bytes[start + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
                let end = start + 1 + digits;
                (end, sql[start + 1..end].parse::<usize>().ok())
            }
        };
        if let Some(number) = number {
            let before = &sql[..start];
            let after_limit = before.ends_with("LIMIT ") || before.ends_with("OFFSET ");
            found.push(Placeholder { start, end, number, after_limit });
        }
        at = end;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, UnionType};

    fn arm(key: &str, limit: u64) -> SelectStatement {
        Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("task"))
            .and_where(Expr::col(Alias::new("plan_id")).eq(key))
            .limit(limit)
            .to_owned()
    }

    #[test]
    fn limits_are_written_into_postgres_statements_and_the_rest_renumbered() {
        let mut query = Query::select().column(Alias::new("id")).from_subquery(arm("a", 6), Alias::new("x")).to_owned();
        query.union(
            UnionType::All,
            Query::select().column(Alias::new("id")).from_subquery(arm("b", 6), Alias::new("y")).to_owned(),
        );
        query.offset(3);
        let statement = build(DbBackend::Postgres, &query);
        assert_eq!(
            statement.sql,
            r#"SELECT "id" FROM (SELECT "id" FROM "task" WHERE "plan_id" = $1 LIMIT 6) AS "x" UNION ALL (SELECT "id" FROM (SELECT "id" FROM "task" WHERE "plan_id" = $2 LIMIT 6) AS "y") OFFSET 3"#
        );
        let values = statement.values.expect("values").0;
        assert_eq!(values, vec![Value::from("a"), Value::from("b")]);
    }

    #[test]
    fn limits_are_written_into_sqlite_statements_and_the_other_values_kept_in_order() {
        let mut query = Query::select().column(Alias::new("id")).from_subquery(arm("a", 6), Alias::new("x")).to_owned();
        query.union(
            UnionType::All,
            Query::select().column(Alias::new("id")).from_subquery(arm("b", 7), Alias::new("y")).to_owned(),
        );
        let statement = build(DbBackend::Sqlite, &query);
        assert_eq!(
            statement.sql,
            r#"SELECT "id" FROM (SELECT "id" FROM "task" WHERE "plan_id" = ? LIMIT 6) AS "x" UNION ALL SELECT "id" FROM (SELECT "id" FROM "task" WHERE "plan_id" = ? LIMIT 7) AS "y""#
        );
        assert_eq!(statement.values.expect("values").0, vec![Value::from("a"), Value::from("b")]);
    }

    #[test]
    fn statements_without_limits_are_left_alone() {
        let mut plain = arm("a", 6);
        plain.reset_limit();
        let postgres = build(DbBackend::Postgres, &plain);
        assert_eq!(postgres.sql, r#"SELECT "id" FROM "task" WHERE "plan_id" = $1"#);
        let sqlite = build(DbBackend::Sqlite, &plain);
        assert_eq!(sqlite.sql, r#"SELECT "id" FROM "task" WHERE "plan_id" = ?"#);
        assert_eq!(sqlite.values.expect("values").0, vec![Value::from("a")]);
    }
}
