//! Relay-style keyset pagination that never skips or repeats.
//!
//! A cursor names the last row seen by its sort value and its ID (the ID
//! breaks ties), so rows inserted or deleted elsewhere in the list do not
//! shift a page the way offsets would. Root lists page in SQL
//! ([`fetch_page`]); nested lists, whose rows are loaded in one batch for
//! all parents, page the same way in memory ([`page_in_memory`]) with the
//! same cursor format. Nested lists of a plain parent column fetch only
//! each parent's page (plus one row) in one statement for all parents
//! ([`fetch_grouped_pages`]), then page those in memory.

use crate::db::rows;
use crate::error::{AppError, AppResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Expr, Func, JoinType, Query, SimpleExpr, UnionType, WindowStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, ExprTrait, ModelTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select,
};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashMap;

/// Page size when the caller gives neither `first` nor `last`.
pub const DEFAULT_PAGE_SIZE: u32 = 20;

/// The paging arguments of a connection field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// A sort value as stored in a cursor.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SortValue {
    Int(i64),
    Text(String),
    /// A text, then a number (an actual's period, then its revision).
    TextInt(String, i64),
}

/// What a cursor holds: the list and sort order it was taken from (see
/// [`SortSpec::tag`]), the sort value and the ID of its row. A cursor is only
/// accepted by a list of the same tag, and its value must be of the kind
/// that sort compares, so a cursor from another list or order, or a forged
/// one, is BAD_USER_INPUT rather than a store error or a wrong page.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CursorData(String, SortValue, String);

/// The kind of value a sort compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKind {
    Int,
    Text,
    /// An instant: `SortValue::Text` in the form of [`instant`] in cursors
    /// and in memory, a timestamp in SQL.
    Time,
    /// A text, then a number (`SortValue::TextInt`): the text is
    /// [`SortSpec::expr`], the number [`SortSpec::then`].
    TextInt,
}

/// An instant as a sort value: RFC 3339 in UTC with nanoseconds, so that
/// comparing the texts compares the instants.
pub fn instant(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
}

/// The instant of a text written by [`instant`]; `None` for any other text.
fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    let at = DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc);
    (instant(&at) == text).then_some(at)
}

/// The list and sort order of the change feed: the one of
/// [`encode`] and [`decode_cursor`].
pub const CHANGE_FEED_LIST: &str = "Change.seq";

/// How a list is ordered: one sort expression, then the ID.
pub struct SortSpec<M> {
    /// Names the list and its sort field (`Task.docOrder`); with the
    /// direction it tags the list's cursors. Stable: changing it invalidates
    /// every cursor callers hold.
    pub list: &'static str,
    /// The kind of the sort value.
    pub kind: SortKind,
    /// SQL of the sort expression (must never be NULL: wrap nullable columns in COALESCE).
    pub expr: SimpleExpr,
    /// SQL of the second sort expression, for sorts of kind `TextInt` only.
    pub then: Option<SimpleExpr>,
    /// SQL of the ID column.
    pub id: SimpleExpr,
    pub descending: bool,
    /// The same sort value computed from a loaded row.
    pub value_of: fn(&M) -> SortValue,
    /// The row's ID.
    pub id_of: fn(&M) -> &str,
}

/// One page of rows with their cursors.
#[derive(Debug, Clone)]
pub struct Page<M> {
    pub rows: Vec<(String, M)>,
    pub has_previous_page: bool,
    pub has_next_page: bool,
}

/// Paging arguments checked against the limits.
struct Window {
    forward: bool,
    limit: u64,
    cursor: Option<CursorData>,
}

impl PageArgs {
    /// The window of these arguments for the list of `spec`.
    fn window_for<M>(&self, spec: &SortSpec<M>, max_page_size: u32) -> AppResult<Window> {
        let window = self.window(max_page_size)?;
        if let Some(cursor) = &window.cursor {
            spec.accept(cursor, if window.forward { "after" } else { "before" })?;
        }
        Ok(window)
    }

    fn window(&self, max_page_size: u32) -> AppResult<Window> {
        let size = |field: &str, n: i32| -> AppResult<u64> {
            if n < 0 {
                return Err(AppError::bad_input(field, "must not be negative"));
            }
            if n as u32 > max_page_size {
                return Err(AppError::bad_input(
                    field,
                    format!("page size {n} exceeds the maximum page size of {max_page_size}"),
                ));
            }
            Ok(n as u64)
        };
        match (self.first, self.last) {
            (Some(_), Some(_)) => Err(AppError::bad_input("last", "give either `first` or `last`, not both")),
            (_, Some(last)) => {
                if self.after.is_some() {
                    return Err(AppError::bad_input("after", "use `before` with `last`"));
                }
                Ok(Window {
                    forward: false,
                    limit: size("last", last)?,
                    cursor: decode(self.before.as_deref(), "before")?,
                })
            }
            (first, None) => {
                if self.before.is_some() {
                    return Err(AppError::bad_input("before", "use `after` with `first`, or `before` with `last`"));
                }
                let first = first.unwrap_or(std::cmp::min(DEFAULT_PAGE_SIZE, max_page_size) as i32);
                Ok(Window {
                    forward: true,
                    limit: size("first", first)?,
                    cursor: decode(self.after.as_deref(), "after")?,
                })
            }
        }
    }
}

/// Decodes a cursor's structure: base64url JSON of three fields, with no
/// control characters in its texts (a NUL would be a store error).
fn decode(cursor: Option<&str>, field: &str) -> AppResult<Option<CursorData>> {
    let Some(cursor) = cursor else { return Ok(None) };
    let invalid = || AppError::bad_input(field, "not a valid cursor");
    if cursor.len() > 1024 {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let data: CursorData = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let texts = [
        Some(data.0.as_str()),
        Some(data.2.as_str()),
        match &data.1 {
            SortValue::Text(t) | SortValue::TextInt(t, _) => Some(t.as_str()),
            SortValue::Int(_) => None,
        },
    ];
    if texts.into_iter().flatten().any(|t| t.chars().any(char::is_control)) {
        return Err(invalid());
    }
    Ok(Some(data))
}

/// The tag of a cursor of `list` read in this direction.
fn tag(list: &str, descending: bool) -> String {
    format!("{list}:{}", if descending { "desc" } else { "asc" })
}

impl<M> SortSpec<M> {
    /// The tag of this list's cursors: the list, its sort field and direction.
    fn tag(&self) -> String {
        tag(self.list, self.descending)
    }

    /// Refuses a cursor taken from another list or sort order, or whose
    /// value is not of the kind this sort compares.
    fn accept(&self, cursor: &CursorData, field: &str) -> AppResult<()> {
        if cursor.0 != self.tag() {
            return Err(AppError::bad_input(
                field,
                "this cursor belongs to another list or sort order; page with the cursors of this list",
            ));
        }
        if self.values(&cursor.1).is_none() {
            return Err(AppError::bad_input(field, "not a valid cursor"));
        }
        Ok(())
    }

    /// The SQL sort expressions, most significant first; the ID follows them.
    fn exprs(&self) -> impl Iterator<Item = SimpleExpr> + '_ {
        std::iter::once(self.expr.clone()).chain(self.then.clone())
    }

    /// The SQL values of a sort value, one for each of [`Self::exprs`];
    /// `None` when the value is not of the kind this sort compares.
    fn values(&self, value: &SortValue) -> Option<Vec<sea_orm::Value>> {
        match (self.kind, value) {
            (SortKind::Int, SortValue::Int(i)) => Some(vec![(*i).into()]),
            (SortKind::Text, SortValue::Text(t)) => Some(vec![t.clone().into()]),
            (SortKind::Time, SortValue::Text(t)) => parse_instant(t).map(|at| vec![at.into()]),
            (SortKind::TextInt, SortValue::TextInt(t, i)) => Some(vec![t.clone().into(), (*i).into()]),
            _ => None,
        }
    }
}

/// Decodes a change-feed cursor (see [`CHANGE_FEED_LIST`]) into its sort
/// value and ID.
///
/// # Errors
/// `BAD_USER_INPUT` naming `field` when the cursor is not one of the change
/// feed that xietong issued.
pub fn decode_cursor(cursor: &str, field: &str) -> AppResult<(SortValue, String)> {
    let invalid = || AppError::bad_input(field, "not a valid cursor of the change feed");
    let data = decode(Some(cursor), field)?.ok_or_else(invalid)?;
    if data.0 != tag(CHANGE_FEED_LIST, false) || !matches!(data.1, SortValue::Int(_)) {
        return Err(invalid());
    }
    Ok((data.1, data.2))
}

/// The change-feed cursor (see [`CHANGE_FEED_LIST`]) of the change with this
/// sequence number (as `SortValue::Int`) and ID.
pub fn encode(value: SortValue, id: &str) -> String {
    encode_tagged(tag(CHANGE_FEED_LIST, false), value, id)
}

/// The cursor of a row with this sort value and ID in the list of `tag`.
fn encode_tagged(tag: String, value: SortValue, id: &str) -> String {
    let json = serde_json::to_vec(&CursorData(tag, value, id.to_owned())).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// Fetches one page of `select` in SQL, ordered by `spec`.
///
/// # Errors
/// `BAD_USER_INPUT` for invalid paging arguments; database errors otherwise.
pub async fn fetch_page<E, C>(
    db: &C,
    select: Select<E>,
    spec: &SortSpec<E::Model>,
    args: &PageArgs,
    max_page_size: u32,
) -> AppResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: 'static,
    C: ConnectionTrait,
{
    let window = args.window_for(spec, max_page_size)?;
    // Walking backwards reads the list in reverse and flips the page afterwards.
    let ascending = window.forward != spec.descending;
    let mut select = select;
    if let Some(cursor) = &window.cursor {
        select = select.filter(beyond(spec, cursor, ascending));
    }
    let mut rows = rows::all(db, ordered(select, spec, ascending).limit(window.limit + 1)).await?;
    let more = rows.len() as u64 > window.limit;
    rows.truncate(window.limit as usize);
    if !window.forward {
        rows.reverse();
    }
    Ok(finish(rows, spec, &window, more))
}

/// `select` in reading order: by the sort expressions, then by ID.
fn ordered<E: EntityTrait>(select: Select<E>, spec: &SortSpec<E::Model>, ascending: bool) -> Select<E> {
    let order = if ascending { Order::Asc } else { Order::Desc };
    spec.exprs().chain([spec.id.clone()]).fold(select, |select, expr| select.order_by(expr, order.clone()))
}

/// The rows after `cursor` in the direction of reading: those past it on the
/// first sort expression, or equal on it and past it on the next, and so on
/// to the ID. The cursor was accepted by [`SortSpec::accept`], so its value
/// is of the sort's kind.
fn beyond<M>(spec: &SortSpec<M>, cursor: &CursorData, ascending: bool) -> Condition {
    let CursorData(_, value, id) = cursor;
    let past = |expr: SimpleExpr, value: sea_orm::Value| if ascending { expr.gt(value) } else { expr.lt(value) };
    let mut any = Condition::any();
    let mut equal = Condition::all();
    for (expr, value) in spec.exprs().zip(spec.values(value).unwrap_or_default()) {
        any = any.add(equal.clone().add(past(expr.clone(), value.clone())));
        equal = equal.add(expr.eq(value));
    }
    any.add(equal.add(past(spec.id.clone(), id.clone().into())))
}

impl PageArgs {
    /// Checks the arguments against the limits (as every paging function does).
    ///
    /// # Errors
    /// `BAD_USER_INPUT` for invalid paging arguments.
    pub fn validate(&self, max_page_size: u32) -> AppResult<()> {
        self.window(max_page_size).map(|_| ())
    }
}

/// What [`fetch_grouped_pages`] found for one parent.
#[derive(Debug, Clone)]
pub struct GroupedPage<M> {
    /// The rows of the parent's page, plus the next one if there is one:
    /// [`page_in_memory`] with the same arguments turns them into the page.
    pub rows: Vec<M>,
    /// How many rows the parent has in all, when asked for (for `totalCount`); else 0.
    pub total: u64,
}

impl<M> Default for GroupedPage<M> {
    fn default() -> Self {
        Self { rows: Vec::new(), total: 0 }
    }
}

/// Most parents [`fetch_grouped_pages`] pages with one `UNION ALL` arm each
/// (SQLite allows 500 arms in a compound select); more are paged with a
/// window function. The default maximum page size is 100, so a page of
/// parents takes the arms.
pub const PARENTS_PER_STATEMENT: usize = 100;

/// For each of `parents`, the rows of `select` whose `parent` column names it
/// that its page needs: those beyond the cursor in reading order, at most the
/// page size + 1. [`page_in_memory`] with the same `args` then gives exactly
/// the page it would give from all of the parent's rows.
///
/// One statement, however many parents. Each parent's rows are read with
/// `ORDER BY … LIMIT`, so with an index on (parent, sort, id) the database
/// reads about a page of rows per parent however many it has: on PostgreSQL
/// by one `LATERAL` subquery over the array of parents' keys (one bound
/// value, the visibility rules in the statement once); on SQLite, which has
/// no `LATERAL`, by one `UNION ALL` arm per parent, up to
/// [`PARENTS_PER_STATEMENT`] of them. Beyond that on SQLite (a nested list
/// under a nested list), `ROW_NUMBER() OVER (PARTITION BY parent …)` numbers
/// the rows of all the parents in one pass and keeps each parent's first
/// ones: it reads every candidate row once instead of repeating the query per
/// parent. Either way the other rows never leave the database. With
/// `with_total`, a second statement counts each parent's rows.
///
/// # Errors
/// `BAD_USER_INPUT` for invalid paging arguments; database errors otherwise.
#[allow(clippy::too_many_arguments)]
pub async fn fetch_grouped_pages<E, C>(
    db: &C,
    select: Select<E>,
    parent: E::Column,
    parents: &[String],
    spec: &SortSpec<E::Model>,
    args: &PageArgs,
    max_page_size: u32,
    with_total: bool,
) -> AppResult<HashMap<String, GroupedPage<E::Model>>>
where
    E: EntityTrait,
    E::Model: 'static,
    C: ConnectionTrait,
{
    let window = args.window_for(spec, max_page_size)?;
    let mut pages: HashMap<String, GroupedPage<E::Model>> = HashMap::new();
    if parents.is_empty() {
        return Ok(pages);
    }
    let backend = db.get_database_backend();
    let query = grouped_pages_query(backend, select.clone(), parent, parents, spec, &window);
    let statement = crate::db::plans::build(backend, &query);
    for model in rows::decode_all::<E::Model>(db.query_all_raw(statement).await?)? {
        if let sea_orm::Value::String(Some(key)) = model.get(parent) {
            pages.entry(key.to_string()).or_default().rows.push(model);
        }
    }
    if with_total {
        let counts: Vec<(String, i64)> = select
            .select_only()
            .column(parent)
            .column_as(Expr::cust("COUNT(*)"), "xt_total")
            .filter(crate::db::keys::one_of(backend, Expr::col((E::default(), parent)), parents))
            .group_by(parent)
            .into_tuple()
            .all(db)
            .await?;
        for (key, total) in counts {
            pages.entry(key).or_default().total = u64::try_from(total).unwrap_or(0);
        }
    }
    Ok(pages)
}

/// The statement of [`fetch_grouped_pages`] for `backend`: each parent's rows
/// of `select` beyond the window's cursor, at most its page size + 1 each.
fn grouped_pages_query<E: EntityTrait>(
    backend: DbBackend,
    select: Select<E>,
    parent: E::Column,
    parents: &[String],
    spec: &SortSpec<E::Model>,
    window: &Window,
) -> sea_orm::sea_query::SelectStatement {
    let ascending = window.forward != spec.descending;
    let beyond_cursor = |select: Select<E>| match &window.cursor {
        Some(cursor) => select.filter(beyond(spec, cursor, ascending)),
        None => select,
    };
    let rows_per_parent = window.limit.saturating_add(1);
    if backend == DbBackend::Postgres {
        // One arm, run once per parent from an array of the parents' keys:
        // the visibility subqueries are evaluated once for all parents, and
        // the statement's text is the same for any number of them, so
        // PostgreSQL plans it once (see `db::plans`).
        let parent_key = Alias::new("xt_parent");
        let arm = beyond_cursor(
            select.clone().filter(Expr::col((E::default(), parent)).equals((parent_key.clone(), parent_key.clone()))),
        );
        let arm = ordered(arm, spec, ascending).limit(rows_per_parent).into_query();
        Query::select()
            .column((Alias::new("xt_arm"), Asterisk))
            .from_function(Func::cust("unnest").arg(crate::db::keys::array(parents)), parent_key)
            .join_lateral(JoinType::InnerJoin, arm, Alias::new("xt_arm"), Expr::cust("TRUE"))
            .to_owned()
    } else if parents.len() <= PARENTS_PER_STATEMENT {
        let mut arms = parents.iter().map(|key| {
            let arm = beyond_cursor(select.clone().filter(parent.eq(key.clone())));
            let arm = ordered(arm, spec, ascending).limit(rows_per_parent).into_query();
            // Wrapped, so each arm keeps its own ORDER BY and LIMIT in a compound select.
            Query::select().column(Asterisk).from_subquery(arm, Alias::new("xt_arm")).to_owned()
        });
        let mut query = arms.next().unwrap_or_default();
        for arm in arms {
            query.union(UnionType::All, arm);
        }
        query
    } else {
        let order = if ascending { Order::Asc } else { Order::Desc };
        let mut numbering = WindowStatement::partition_by((E::default(), parent));
        for expr in spec.exprs().chain([spec.id.clone()]) {
            numbering.order_by_expr(expr, order.clone());
        }
        let rank = Alias::new("xt_rank");
        let ranked = beyond_cursor(select.clone().filter(parent.is_in(parents.iter().cloned())))
            .into_query()
            .expr_window_as(Expr::cust("ROW_NUMBER()"), numbering, rank.clone())
            .to_owned();
        Query::select()
            .column(Asterisk)
            .from_subquery(ranked, Alias::new("xt_ranked"))
            .and_where(Expr::col(rank).lte(rows_per_parent))
            .to_owned()
    }
}

/// Pages rows already loaded in memory, with the same cursors as [`fetch_page`].
///
/// # Errors
/// `BAD_USER_INPUT` for invalid paging arguments.
pub fn page_in_memory<M: Clone>(
    mut rows: Vec<M>,
    spec: &SortSpec<M>,
    args: &PageArgs,
    max_page_size: u32,
) -> AppResult<Page<M>> {
    let window = args.window_for(spec, max_page_size)?;
    let key = |m: &M| ((spec.value_of)(m), (spec.id_of)(m).to_owned());
    rows.sort_by(|a, b| {
        let ord = key(a).cmp(&key(b));
        if spec.descending { ord.reverse() } else { ord }
    });
    let position = |m: &M, cursor: &CursorData| -> Ordering {
        let ord = key(m).cmp(&(cursor.1.clone(), cursor.2.clone()));
        if spec.descending { ord.reverse() } else { ord }
    };
    let limit = window.limit as usize;
    let (page, more) = if window.forward {
        let start = match &window.cursor {
            Some(c) => rows.iter().position(|m| position(m, c) == Ordering::Greater).unwrap_or(rows.len()),
            None => 0,
        };
        let rest = &rows[start..];
        (rest.iter().take(limit).cloned().collect::<Vec<_>>(), rest.len() > limit)
    } else {
        let end = match &window.cursor {
            Some(c) => rows.iter().position(|m| position(m, c) != Ordering::Less).unwrap_or(rows.len()),
            None => rows.len(),
        };
        let before = &rows[..end];
        let skip = before.len().saturating_sub(limit);
        (before[skip..].to_vec(), skip > 0)
    };
    Ok(finish(page, spec, &window, more))
}

fn finish<M>(rows: Vec<M>, spec: &SortSpec<M>, window: &Window, more: bool) -> Page<M> {
    let tag = spec.tag();
    let rows =
        rows.into_iter().map(|m| (encode_tagged(tag.clone(), (spec.value_of)(&m), (spec.id_of)(&m)), m)).collect();
    // Relay allows answering `hasPreviousPage` (going forward) and
    // `hasNextPage` (going backward) with "a cursor was given".
    let from_cursor = window.cursor.is_some();
    if window.forward {
        Page { rows, has_previous_page: from_cursor, has_next_page: more }
    } else {
        Page { rows, has_previous_page: more, has_next_page: from_cursor }
    }
}

/// Counts the rows of `select` (for `totalCount`).
pub async fn count<E, C>(db: &C, select: Select<E>) -> AppResult<u64>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    Ok(select.count(db).await?)
}

/// A case-insensitive substring match on any of `columns`, with LIKE wildcards escaped.
pub fn search_condition(columns: &[SimpleExpr], text: &str) -> Condition {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    let pattern = format!("%{}%", escaped.to_lowercase());
    columns.iter().fold(Condition::any(), |cond, col| {
        cond.add(
            Expr::expr(sea_orm::sea_query::Func::lower(col.clone()))
                .like(sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\')),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct Row(i64, String);

    fn spec() -> SortSpec<Row> {
        SortSpec {
            list: "Row.k",
            kind: SortKind::Int,
            expr: Expr::cust("k"),
            then: None,
            id: Expr::cust("id"),
            descending: false,
            value_of: |r| SortValue::Int(r.0),
            id_of: |r| &r.1,
        }
    }

    fn rows() -> Vec<Row> {
        (0..7).map(|i| Row(i / 2, format!("id{i}"))).collect()
    }

    #[test]
    fn paging_forward_and_backward_visits_every_row_once() {
        let spec = spec();
        let mut seen = Vec::new();
        let mut args = PageArgs { first: Some(2), ..Default::default() };
        loop {
            let page = page_in_memory(rows(), &spec, &args, 10).unwrap_or_else(|e| panic!("{e}"));
            seen.extend(page.rows.iter().map(|(_, r)| r.clone()));
            match page.rows.last() {
                Some((cursor, _)) if page.has_next_page => args.after = Some(cursor.clone()),
                _ => break,
            }
        }
        assert_eq!(seen, rows());

        let mut back = Vec::new();
        let mut args = PageArgs { last: Some(3), ..Default::default() };
        loop {
            let page = page_in_memory(rows(), &spec, &args, 10).unwrap_or_else(|e| panic!("{e}"));
            let mut chunk: Vec<_> = page.rows.iter().map(|(_, r)| r.clone()).collect();
            chunk.extend(back);
            back = chunk;
            match page.rows.first() {
                Some((cursor, _)) if page.has_previous_page => args.before = Some(cursor.clone()),
                _ => break,
            }
        }
        assert_eq!(back, rows());
    }

    /// Pages `rows` forward `size` at a time and returns them in the order seen.
    fn walk<M: Clone>(rows: Vec<M>, spec: &SortSpec<M>, size: i32) -> Vec<M> {
        let mut seen = Vec::new();
        let mut args = PageArgs { first: Some(size), ..Default::default() };
        loop {
            let page = page_in_memory(rows.clone(), spec, &args, 10).unwrap_or_else(|e| panic!("{e}"));
            seen.extend(page.rows.iter().map(|(_, r)| r.clone()));
            match page.rows.last() {
                Some((cursor, _)) if page.has_next_page => args.after = Some(cursor.clone()),
                _ => return seen,
            }
        }
    }

    #[test]
    fn instants_sort_as_texts_and_their_cursors_must_be_canonical() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).unwrap();
        // Whole seconds, milliseconds and nanoseconds: the texts compare as the instants do.
        let rows = vec![
            (at("2024-05-01T08:00:00.5+08:00"), "b".to_owned()),
            (at("2024-05-01T00:00:00Z"), "a".to_owned()),
            (at("2024-05-01T00:00:00.000000001Z"), "c".to_owned()),
            (at("2023-12-31T23:59:59.999Z"), "d".to_owned()),
        ];
        let spec: SortSpec<(DateTime<Utc>, String)> = SortSpec {
            list: "Row.at",
            kind: SortKind::Time,
            expr: Expr::cust("at"),
            then: None,
            id: Expr::cust("id"),
            descending: false,
            value_of: |r| SortValue::Text(instant(&r.0)),
            id_of: |r| &r.1,
        };
        let order: Vec<String> = walk(rows.clone(), &spec, 1).into_iter().map(|r| r.1).collect();
        assert_eq!(order, ["d", "a", "c", "b"]);
        assert_eq!(instant(&rows[1].0), "2024-05-01T00:00:00.000000000Z");
        let tag = spec.tag();
        for value in [SortValue::Text("2024-05-01T08:00:00+08:00".into()), SortValue::Int(0)] {
            let args = PageArgs { after: Some(encode_tagged(tag.clone(), value.clone(), "a")), ..Default::default() };
            let code = page_in_memory(rows.clone(), &spec, &args, 10).err().map(|e| e.code());
            assert_eq!(code, Some("BAD_USER_INPUT"), "{value:?}");
        }
    }

    #[test]
    fn a_text_then_a_number_sorts_by_both() {
        let rows: Vec<(String, i64, String)> =
            [("2022", 2, "x"), ("2022-H1", 1, "y"), ("2022", 10, "z"), ("2021", 3, "w")]
                .into_iter()
                .map(|(p, r, id)| (p.to_owned(), r, id.to_owned()))
                .collect();
        let spec: SortSpec<(String, i64, String)> = SortSpec {
            list: "Row.periodRevision",
            kind: SortKind::TextInt,
            expr: Expr::cust("period"),
            then: Some(Expr::cust("revision")),
            id: Expr::cust("id"),
            descending: false,
            value_of: |r| SortValue::TextInt(r.0.clone(), r.1),
            id_of: |r| &r.2,
        };
        let order: Vec<String> = walk(rows, &spec, 2).into_iter().map(|r| r.2).collect();
        assert_eq!(order, ["w", "x", "z", "y"]);
        let values = spec.values(&SortValue::TextInt("2022".into(), 2)).map(|v| v.len());
        assert_eq!(values, Some(2));
        assert_eq!(spec.values(&SortValue::Text("2022".into())), None);
    }

    #[test]
    fn on_postgresql_a_page_per_parent_is_one_statement_text_for_any_number_of_parents() {
        use entity::task;
        let spec: SortSpec<task::Model> = SortSpec {
            list: "Task.docOrder",
            kind: SortKind::Text,
            expr: Expr::col((task::Entity, task::Column::DocOrder)),
            then: None,
            id: Expr::col((task::Entity, task::Column::Id)),
            descending: false,
            value_of: |t| SortValue::Text(t.doc_order.clone()),
            id_of: |t| &t.id,
        };
        let window = PageArgs { first: Some(20), ..Default::default() }.window_for(&spec, 100).unwrap();
        let parents = |n: usize| (0..n).map(|i| format!("plan-{i}")).collect::<Vec<_>>();
        let statement = |backend: DbBackend, n: usize| {
            let query =
                grouped_pages_query(backend, task::Entity::find(), task::Column::PlanId, &parents(n), &spec, &window);
            crate::db::plans::build(backend, &query)
        };
        let (two, five) = (statement(DbBackend::Postgres, 2), statement(DbBackend::Postgres, 5));
        assert_eq!(two.sql, five.sql);
        assert!(five.sql.contains("JOIN LATERAL") && five.sql.contains("LIMIT 21"), "{}", five.sql);
        // The parents are one bound array: the page size is written in (`db::plans`).
        assert_eq!(five.values.map(|v| v.0.len()), Some(1));
        // SQLite has no LATERAL: one arm per parent.
        let sqlite = statement(DbBackend::Sqlite, 5);
        assert_eq!(sqlite.sql.matches("UNION ALL").count(), 4);
    }

    #[test]
    fn page_sizes_are_limited() {
        let too_big = PageArgs { first: Some(11), ..Default::default() };
        let negative = PageArgs { last: Some(-1), ..Default::default() };
        let both = PageArgs { first: Some(1), last: Some(1), ..Default::default() };
        let garbage = PageArgs { after: Some("%%%".into()), ..Default::default() };
        for args in [too_big, negative, both, garbage] {
            let code = page_in_memory(rows(), &spec(), &args, 10).err().map(|e| e.code());
            assert_eq!(code, Some("BAD_USER_INPUT"), "{args:?}");
        }
    }
}
