//! Types shared by every resource: connections, dates, provenance.

use crate::graphql::context::ContextExt;
use crate::graphql::loaders::{Cached, PageKey};
use crate::service::Direction;
use crate::service::page::{GroupedPage, Page, PageArgs};
use async_graphql::dataloader::Loader;
use async_graphql::{Context, InputValueError, InputValueResult, Object, Scalar, ScalarType, Value};
use std::hash::Hash;
use std::sync::Arc;

pub use super::connection::ListConnection;
use super::connection::{Edge, PageInfo};

/// Builds a connection from a page, converting each row.
pub fn connection<M, N>(page: Page<M>, total_count: u64, convert: impl Fn(M) -> N) -> ListConnection<N>
where
    N: async_graphql::OutputType,
{
    let edges: Vec<Edge<N>> = page.rows.into_iter().map(|(cursor, row)| Edge { cursor, node: convert(row) }).collect();
    let page_info = PageInfo {
        has_previous_page: page.has_previous_page,
        has_next_page: page.has_next_page,
        start_cursor: edges.first().map(|e| e.cursor.clone()),
        end_cursor: edges.last().map(|e| e.cursor.clone()),
    };
    ListConnection { page_info, edges, total_count }
}

/// The Relay paging arguments of a field.
pub fn page_args(first: Option<i32>, after: Option<String>, last: Option<i32>, before: Option<String>) -> PageArgs {
    PageArgs { first, after, last, before }
}

/// Whether the query selected `totalCount` on this connection field.
pub fn wants_total(ctx: &Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}

/// The configured maximum page size.
pub fn max_page_size(ctx: &Context<'_>) -> async_graphql::Result<u32> {
    Ok(ctx.state()?.limits.max_page_size)
}

/// Unwraps a DataLoader error.
pub fn loader_error(error: Arc<async_graphql::Error>) -> async_graphql::Error {
    (*error).clone()
}

/// Longest `search` text of a list filter, in characters. A substring
/// search of thousands of characters finds nothing useful and costs the
/// store dearly (SQLite refuses such LIKE patterns outright).
pub const MAX_SEARCH_CHARS: usize = 200;

/// Input validator of a filter's `search`: at most [`MAX_SEARCH_CHARS`]
/// characters; longer text is BAD_USER_INPUT.
#[allow(clippy::ptr_arg)] // async-graphql hands validators the field's own type, `&String`.
pub fn check_search(value: &String) -> Result<(), String> {
    let chars = value.chars().count();
    if chars > MAX_SEARCH_CHARS {
        return Err(format!("search text is {chars} characters long; the limit is {MAX_SEARCH_CHARS}"));
    }
    Ok(())
}

/// A calendar date, `YYYY-MM-DD` (ISO 8601).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub chrono::NaiveDate);

/// 日期 — A calendar date in ISO 8601 form, `YYYY-MM-DD` (RFC 3339 `full-date`).
#[Scalar(name = "Date", specified_by_url = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            // Four-digit years only: the stores compare dates as text.
            Value::String(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .filter(|d| (1..=9999).contains(&chrono::Datelike::year(d)))
                .map(Date)
                .ok_or_else(|| InputValueError::custom("expected a date as YYYY-MM-DD, in years 0001 to 9999")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// Any JSON value; in the API, the before and after images of a changed record.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonValue(pub serde_json::Value);

/// JSON — Any JSON value (RFC 8259): an object, array, string, number, boolean or null.
#[Scalar(name = "JSON", specified_by_url = "https://www.rfc-editor.org/rfc/rfc8259")]
impl ScalarType for JsonValue {
    fn parse(value: Value) -> InputValueResult<Self> {
        value.into_json().map(JsonValue).map_err(|_| InputValueError::custom("expected a JSON value"))
    }

    fn to_value(&self) -> Value {
        Value::from_json(self.0.clone()).unwrap_or(Value::Null)
    }
}

/// Where a record came from.
pub struct Provenance {
    pub document_id: Option<String>,
    pub section: Option<String>,
    pub quote: Option<String>,
    pub start: Option<i32>,
    pub end: Option<i32>,
    pub cleaned: Option<String>,
}

impl Provenance {
    /// The provenance of a record from its `source_*` columns, if it has any.
    pub fn of(
        document_id: &Option<String>,
        section: &Option<String>,
        quote: &Option<String>,
        (start, end): (Option<i32>, Option<i32>),
        cleaned: &Option<String>,
    ) -> Option<Self> {
        (document_id.is_some() || quote.is_some()).then(|| Self {
            document_id: document_id.clone(),
            section: section.clone(),
            quote: quote.clone(),
            start,
            end,
            cleaned: cleaned.clone(),
        })
    }
}

/// Builds the [`Provenance`] of an entity model from its `source_*` columns.
macro_rules! provenance_of {
    ($model:expr) => {{
        let m = $model;
        $crate::graphql::types::common::Provenance::of(
            &m.source_document_id,
            &m.source_section,
            &m.source_quote,
            (m.source_start, m.source_end),
            &m.source_cleaned,
        )
    }};
}
pub(crate) use provenance_of;

/// 出处 — Where a record came from: the source document, the section and the sentence, verbatim
/// with its place in the file, and as the importer read it.
#[Object]
impl Provenance {
    /// 来源文件 — The source document.
    async fn document(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<SourceDocument>> {
        let Some(id) = &self.document_id else { return Ok(None) };
        let doc = ctx.scope()?.loaders.source_document.load_one(id.clone()).await.map_err(loader_error)?;
        Ok(doc.map(SourceDocument))
    }

    /// 章节 — Section path inside the document, e.g. `三、重点任务 / （三）… / 1`.
    async fn section(&self) -> Option<&str> {
        self.section.as_deref()
    }

    /// 原文 — The sentence the record was read from, verbatim: exactly the characters
    /// `startOffset` to `endOffset` of the source file, scraper noise, line breaks and all.
    async fn quote(&self) -> Option<&str> {
        self.quote.as_deref()
    }

    /// 起始位置 — Offset of the quote's first character in the source file, counted in Unicode code
    /// points (not bytes, not UTF-16 units) from 0.
    async fn start_offset(&self) -> Option<i32> {
        self.start
    }

    /// 结束位置 — Offset just after the quote's last character, in code points: the quote is the
    /// file's code points `startOffset` ≤ i < `endOffset`.
    async fn end_offset(&self) -> Option<i32> {
        self.end
    }

    /// 整理文本 — The quote as the importer read it and parsed its figures from: scraper noise
    /// removed (an injected spam link read as the 关于 it replaced, `?` as a space), `PM<sub>2.5</sub>`
    /// as PM2.5, brackets full-width, spaces of PDF conversion dropped, lines joined, reviewed
    /// corrections applied (such as a lost comma). It need not occur in the file; `quote` does.
    async fn cleaned_quote(&self) -> Option<&str> {
        self.cleaned.as_deref()
    }
}

/// A source text of the default dataset.
pub struct SourceDocument(pub entity::source_document::Model);

/// 来源文件 — A source text the default dataset was imported from.
#[Object]
impl SourceDocument {
    /// 文件名 — File name under `data/sources/`.
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }

    /// 标题 — Title of the document.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// SHA-256 — Hash of the file, so the exact text can be verified.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }
}

/// Decodes an optional global ID argument of `kind`.
pub fn decode_id(
    kind: crate::ids::NodeKind,
    id: &Option<async_graphql::ID>,
    field: &str,
) -> crate::error::AppResult<Option<String>> {
    id.as_ref().map(|id| crate::ids::from_global(kind, id, field)).transpose()
}

/// Resolves a region given by ID or by administrative code into its record ID.
/// An unknown code yields an ID that matches nothing, so the filter returns an empty list.
///
/// Codes are looked up through the request's `region_id_by_code` loader: the
/// filters of every parent of a level share one statement, and a code is
/// looked up once per request.
pub async fn resolve_region(
    ctx: &Context<'_>,
    id: &Option<async_graphql::ID>,
    code: &Option<String>,
) -> async_graphql::Result<Option<String>> {
    use crate::error::GqlResult;
    if let Some(record) = decode_id(crate::ids::NodeKind::Region, id, "filter.regionId").gql()? {
        return Ok(Some(record));
    }
    let Some(code) = code else { return Ok(None) };
    let found = ctx.scope()?.loaders.region_id_by_code.load_one(code.clone()).await.map_err(loader_error)?;
    Ok(Some(found.unwrap_or_else(|| "-".to_owned())))
}

/// Pages rows a loader returned for one parent and builds the connection.
pub fn nested_connection<M: Clone, N: async_graphql::OutputType>(
    ctx: &Context<'_>,
    rows: Vec<M>,
    spec: &crate::service::page::SortSpec<M>,
    args: &PageArgs,
    convert: impl Fn(M) -> N,
) -> async_graphql::Result<ListConnection<N>> {
    let total = rows.len() as u64;
    let page = crate::service::page::page_in_memory(rows, spec, args, max_page_size(ctx)?)
        .map_err(crate::error::AppError::into_graphql)?;
    Ok(connection(page, total, convert))
}

/// Checks a nested connection's paging arguments before its loader runs.
pub fn check_page_args(ctx: &Context<'_>, args: &PageArgs) -> async_graphql::Result<()> {
    args.validate(max_page_size(ctx)?).map_err(crate::error::AppError::into_graphql)
}

/// Builds one parent's connection from the rows and total its loader fetched
/// with [`crate::service::page::fetch_grouped_pages`].
pub fn paged_connection<M: Clone, N: async_graphql::OutputType>(
    ctx: &Context<'_>,
    found: crate::service::page::GroupedPage<M>,
    spec: &crate::service::page::SortSpec<M>,
    args: &PageArgs,
    convert: impl Fn(M) -> N,
) -> async_graphql::Result<ListConnection<N>> {
    let page = crate::service::page::page_in_memory(found.rows, spec, args, max_page_size(ctx)?)
        .map_err(crate::error::AppError::into_graphql)?;
    Ok(connection(page, found.total, convert))
}

/// One parent's page of a nested connection: checks the paging arguments,
/// loads the page through `loader` (every parent asking for the same page
/// shares its statement; `totalCount` is counted only when selected) and
/// builds the connection with the list's `spec`.
pub async fn load_page<L, F, O, M, N>(
    ctx: &Context<'_>,
    loader: &Cached<L>,
    parent: &str,
    (filter, order, direction): (F, O, Direction),
    args: PageArgs,
    spec: &crate::service::page::SortSpec<M>,
    convert: impl Fn(M) -> N,
) -> async_graphql::Result<ListConnection<N>>
where
    L: Loader<(String, PageKey<F, O>), Value = GroupedPage<M>, Error = Arc<async_graphql::Error>>,
    F: Clone + Eq + Hash + Send + Sync + 'static,
    O: Clone + Eq + Hash + Send + Sync + 'static,
    M: Clone + Send + Sync + 'static,
    N: async_graphql::OutputType,
{
    check_page_args(ctx, &args)?;
    let key = (parent.to_owned(), (filter, order, direction, args.clone(), wants_total(ctx)));
    let found = loader.load_one(key).await.map_err(loader_error)?.unwrap_or_default();
    paged_connection(ctx, found, spec, &args, convert)
}

/// Complexity of a connection field: its children's cost times the page size asked for (default page size
/// when none is given), plus one for the field itself.
pub fn page_cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let page = first.or(last).unwrap_or(crate::service::page::DEFAULT_PAGE_SIZE as i32).clamp(0, 10_000) as usize;
    1 + child_complexity.saturating_mul(page)
}
