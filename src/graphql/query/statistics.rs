//! The aggregate queries for supervision: `statistics`, `overdueTasks` and
//! `missingReports`. Each decodes its arguments and calls
//! [`crate::service::statistics`].

use super::root_connection;
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::graphql::types::common::{ListConnection, page_args};
use crate::graphql::types::statistics::{MissingReport, StatisticsFilterInput, StatisticsGroup, StatisticsGroupBy};
use crate::graphql::types::task::Task;
use crate::service::statistics::{self, missing};
use async_graphql::{Context, Object};

/// The aggregate fields of the query root.
#[derive(Default)]
pub struct StatisticsQuery;

#[Object]
impl StatisticsQuery {
    /// 统计 — Counts of tasks by status and of indicators by progress, over what the caller may see, grouped.
    /// Without grouping exactly one group; otherwise one per plan, region, (department, role) or action group
    /// with something counted, ordered by the group's record ID. Action groups are headings: never counted as
    /// tasks. A fixed number of database statements whatever the number of groups.
    #[graphql(complexity = "20 + 50 * child_complexity")]
    async fn statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(default, desc = "分组 — How to group the counts (default: one group of everything).")]
        group_by: StatisticsGroupBy,
        #[graphql(desc = "筛选 — Only the tasks and indicators that match every condition given.")] filter: Option<
            StatisticsFilterInput,
        >,
    ) -> async_graphql::Result<Vec<StatisticsGroup>> {
        let filter = filter.unwrap_or_default().into_service(ctx).await?;
        let (db, viewer) = (&ctx.state()?.db, &ctx.scope()?.viewer);
        let groups = statistics::statistics(db, viewer, &filter, group_by.into()).await.gql()?;
        Ok(groups.into_iter().map(StatisticsGroup).collect())
    }

    /// 逾期任务 — Tasks whose due year has passed (before asOfYear, default the current year) and that are not
    /// COMPLETED or ARCHIVED; ACTION_GROUP tasks excluded; paged like tasks, in document order.
    #[graphql(complexity = "5 + crate::graphql::types::common::page_cost(first, None, child_complexity)")]
    async fn overdue_tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "筛选 — Only the tasks that match every condition given.")] filter: Option<
            StatisticsFilterInput,
        >,
        #[graphql(desc = "截至年份 — Tasks due before this year are overdue (default: the current year).")]
        as_of_year: Option<i32>,
        #[graphql(
            desc = "前N条 — Return the first N items after `after` (default 20, at most the server's page-size limit)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "之后 — Cursor: return the items after this one (an `endCursor` or edge `cursor` of the same list and order)."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<ListConnection<Task>> {
        let state = ctx.state()?;
        let filter = filter.unwrap_or_default().into_service(ctx).await?;
        let as_of_year = as_of_year.unwrap_or_else(statistics::current_year);
        let args = page_args(first, after, None, None);
        let viewer = &ctx.scope()?.viewer;
        let max = state.limits.max_page_size;
        let result = statistics::overdue_tasks(&state.db, viewer, &filter, as_of_year, &args, max).await;
        root_connection(ctx, result, Task).await
    }

    /// 缺报 — Indicators the caller may see that have targets but no current actual for the period, with who
    /// should report. An indicator is expected to report while it has a target due in or after the period's
    /// year; a value of any revision for exactly that period counts as reported. In document order.
    #[graphql(complexity = "10 + 50 * child_complexity")]
    async fn missing_reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "报告期 — `2024`, `2024-H1`, `2024-Q3` or `2024-07`.")] period: String,
        #[graphql(desc = "筛选 — Only the indicators that match every condition given.")] filter: Option<
            StatisticsFilterInput,
        >,
    ) -> async_graphql::Result<Vec<MissingReport>> {
        let filter = filter.unwrap_or_default().into_service(ctx).await?;
        let (db, viewer) = (&ctx.state()?.db, &ctx.scope()?.viewer);
        let found = missing::missing_reports(db, viewer, &filter, &period).await.gql()?;
        Ok(found.into_iter().map(MissingReport).collect())
    }
}
