//! Relay connections (the GraphQL Cursor Connections Specification) with
//! `totalCount`, described in the API's two languages.
//!
//! Every list of the API is a `<Type>Connection` built here: `edges` (each a
//! `cursor` and a `node`), `nodes` (the same items without cursors),
//! `pageInfo` and `totalCount`. Defined here rather than taken from
//! async-graphql so that every field is documented in Chinese and English
//! and `totalCount` is an ordinary field, answered in request order.

use async_graphql::{Object, OutputType, SimpleObject, TypeName};
use std::borrow::Cow;

/// 分页信息 — Where this page sits in the whole list.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct PageInfo {
    /// 有上一页 — Whether items come before this page. Exact when paging backwards (`last`/`before`);
    /// when paging forwards, true exactly when `after` was given and that item is still in the list.
    pub has_previous_page: bool,
    /// 有下一页 — Whether items come after this page. Exact when paging forwards (`first`/`after`);
    /// when paging backwards, true exactly when `before` was given and that item is still in the list.
    pub has_next_page: bool,
    /// 起始游标 — Cursor of this page's first item: pass it as `before` to get the page before. Null on an
    /// empty page.
    pub start_cursor: Option<String>,
    /// 结束游标 — Cursor of this page's last item: pass it as `after` to get the page after. Null on an
    /// empty page.
    pub end_cursor: Option<String>,
}

/// One item of a page with its cursor; its GraphQL name is `<Node>Edge`.
pub struct Edge<N> {
    pub cursor: String,
    pub node: N,
}

impl<N: OutputType> TypeName for Edge<N> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Edge", N::type_name()).into()
    }
}

/// 边 — One item of a page, with the cursor that marks its place in the list.
#[Object(name_type)]
impl<N: OutputType> Edge<N> {
    /// 节点 — The item.
    async fn node(&self) -> &N {
        &self.node
    }

    /// 游标 — Opaque cursor of this item: pass it as `after` or `before` to continue from here. Valid only for
    /// the same list with the same filter and order.
    async fn cursor(&self) -> &str {
        &self.cursor
    }
}

/// One page of a list with its paging information; its GraphQL name is `<Node>Connection`.
pub struct ListConnection<N> {
    pub page_info: PageInfo,
    pub edges: Vec<Edge<N>>,
    pub total_count: u64,
}

impl<N: OutputType> TypeName for ListConnection<N> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Connection", N::type_name()).into()
    }
}

/// 列表分页 — One page of a list, in the list's order, with what is needed to fetch the next or previous one.
#[Object(name_type)]
impl<N: OutputType> ListConnection<N> {
    /// 分页信息 — Whether more pages exist, and the cursors to fetch them.
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }

    /// 边 — The items of this page, each with its cursor.
    async fn edges(&self) -> &[Edge<N>] {
        &self.edges
    }

    /// 节点 — The items of this page, without cursors (the same items as `edges`).
    async fn nodes(&self) -> Vec<&N> {
        self.edges.iter().map(|edge| &edge.node).collect()
    }

    /// 总数 — Number of records matching the filter that the caller may see, on all pages.
    async fn total_count(&self) -> u64 {
        self.total_count
    }
}
