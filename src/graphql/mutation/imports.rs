//! importActuals and importTaskTable: the spreadsheet imports of `POST /import/…` as mutations
//! with a file, sent by the GraphQL multipart request specification (what Apollo Client's upload
//! link and most GraphQL clients send). Same rows, rules and report as over plain HTTP.

use super::write_context;
use crate::error::{AppError, GqlResult};
use crate::ids::{NodeKind, from_global};
use crate::service::imports::sheet::{actual_rows, read_sheet, task_rows};
use crate::service::imports::{self, ImportReport as Report, Outcome};
use async_graphql::{Context, Enum, ID, Object, SimpleObject, Upload};
use std::io::Read;

/// Spreadsheet uploads.
#[derive(Default)]
pub struct ImportMutation;

/// 导入结果 — What an import did, or would do in a dry run, row by row.
#[derive(SimpleObject)]
pub struct ImportReport {
    /// 已写入 — Whether the rows were written (applied, no row refused, something changed).
    pub applied: bool,
    /// 新建 — Rows that create a record.
    pub created: i32,
    /// 更新 — Rows that change a record (for actuals: a new revision).
    pub updated: i32,
    /// 未变 — Rows that change nothing.
    pub unchanged: i32,
    /// 错误 — Rows refused; any one applies nothing.
    pub errors: i32,
    /// 各行 — Each data row, in the sheet's order.
    pub rows: Vec<ImportRow>,
}

/// 导入行 — One data row of an import.
#[derive(SimpleObject)]
pub struct ImportRow {
    /// 行号 — The row's number in the sheet, from 1 as spreadsheet programs count.
    pub line: i32,
    /// 结果 — What became of it.
    pub outcome: ImportOutcome,
    /// 单元格 — The cell at fault (`C5`), for an ERROR.
    pub cell: Option<String>,
    /// 原因 — Why the row is refused, for an ERROR.
    pub message: Option<String>,
}

/// 导入行结果 — What became of a row.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ImportOutcome {
    /// 新建 — creates a record.
    Created,
    /// 更新 — changes a record.
    Updated,
    /// 未变 — changes nothing.
    Unchanged,
    /// 错误 — refused (see `cell` and `message`).
    Error,
}

impl From<Report> for ImportReport {
    fn from(report: Report) -> Self {
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        Self {
            applied: report.applied,
            created: count(report.created),
            updated: count(report.updated),
            unchanged: count(report.unchanged),
            errors: count(report.errors),
            rows: report
                .rows
                .into_iter()
                .map(|row| ImportRow {
                    line: i32::try_from(row.line).unwrap_or(i32::MAX),
                    outcome: match row.outcome {
                        Outcome::Created => ImportOutcome::Created,
                        Outcome::Updated => ImportOutcome::Updated,
                        Outcome::Unchanged => ImportOutcome::Unchanged,
                        Outcome::Error => ImportOutcome::Error,
                    },
                    cell: row.cell,
                    message: row.message,
                })
                .collect(),
        }
    }
}

/// The uploaded file's cells.
fn sheet_of(ctx: &Context<'_>, file: &Upload) -> async_graphql::Result<Vec<Vec<String>>> {
    let mut bytes = Vec::new();
    file.value(ctx)
        .and_then(|value| value.into_read().read_to_end(&mut bytes))
        .map_err(|e| AppError::bad_input("file", format!("the uploaded file cannot be read: {e}")))
        .gql()?;
    read_sheet(&bytes).gql()
}

#[Object]
impl ImportMutation {
    /// 导入实际值 — A statistics upload (XLSX or CSV: 指标ID, 期间, 数值, 状态, optionally 备注, 更正原因), as
    /// `POST /import/actuals`: a dry run unless `apply`; all rows or none.
    async fn import_actuals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "文件 — The spreadsheet (a multipart upload).")] file: Upload,
        #[graphql(desc = "写入 — Write the rows (all or none); false: a dry run.", default = false)] apply: bool,
    ) -> async_graphql::Result<ImportReport> {
        let (state, viewer, actor) = write_context(ctx)?;
        let rows = actual_rows(&sheet_of(ctx, &file)?).gql()?;
        Ok(imports::import_actuals(&state.writer, viewer, &actor, rows, apply).await.gql()?.into())
    }

    /// 导入任务分工表 — A task split table (序号, 重点任务, 牵头单位, 配合单位, optionally 完成时限) into a plan,
    /// as `POST /import/plans/{id}/tasks`: a dry run unless `apply`; all rows or none.
    async fn import_task_table(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "方案 — The plan the tasks go into.")] plan_id: ID,
        #[graphql(desc = "文件 — The spreadsheet (a multipart upload).")] file: Upload,
        #[graphql(desc = "写入 — Write the rows (all or none); false: a dry run.", default = false)] apply: bool,
    ) -> async_graphql::Result<ImportReport> {
        let (state, viewer, actor) = write_context(ctx)?;
        let plan_id = from_global(NodeKind::Plan, &plan_id, "planId").gql()?;
        let rows = task_rows(&sheet_of(ctx, &file)?).gql()?;
        Ok(imports::tasks::import_task_table(&state.writer, viewer, &actor, &plan_id, rows, apply).await.gql()?.into())
    }
}
