//! Spreadsheet imports: statistics uploads (indicator actuals, here) and task
//! split tables ([`tasks`]), as many rows as the sheet holds, each row checked
//! and written by the rules of the matching mutation.
//!
//! Contract of a statistics upload (rows written by the rules of `recordActual`):
//! Contract:
//! - every row is staged in one write transaction, each by
//!   [`writes::reports::stage_actual`] under the caller's rights, and reported
//!   as CREATED, UPDATED (a new revision), UNCHANGED (the period already holds
//!   this value, status and note) or ERROR with the cell and the reason;
//! - a dry run (the default) then rolls everything back: the report says
//!   exactly what applying would do;
//! - applying commits all rows or none: one ERROR row rolls back the whole
//!   upload; otherwise each written actual gets its own audit entry;
//! - the same file applied twice changes nothing the second time.

pub mod sheet;
pub mod tasks;

use super::writes::reports::{self, NewActual, Repeat};
use super::writes::{Changes, WriteTxn};
use crate::access::{Actor, Viewer};
use crate::db::Writer;
use crate::error::{AppError, AppResult};
use crate::ids::{NodeKind, from_global};
use crate::service::audit::AuditAction;
use entity::enums::ActualStatus;
use sea_orm::DatabaseTransaction;
use serde::Serialize;

/// One cell of the sheet: where it is (`C5`) and its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    pub at: String,
    pub text: String,
}

/// One row of a statistics upload, as the sheet gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActualRow {
    /// The row's number in the sheet (from 1, as spreadsheet programs count).
    pub line: u32,
    /// The indicator's ID, as the API gives it.
    pub indicator: Cell,
    pub period: Cell,
    pub value: Cell,
    pub status: Cell,
    /// `None` when the sheet has no such column.
    pub note: Option<Cell>,
    /// Why a period's value is corrected; `None` when the sheet has no such column.
    pub reason: Option<Cell>,
}

/// What became of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
    Error,
}

/// The report on one row.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowReport {
    pub line: u32,
    pub outcome: Outcome,
    /// The cell at fault, for an ERROR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// Why the row is refused, for an ERROR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The report on an upload.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// Whether the rows were written (an apply without errors that changed something).
    pub applied: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: usize,
    pub rows: Vec<RowReport>,
}

/// A row refused: the cell at fault and why.
struct Refusal {
    cell: String,
    message: String,
}

impl ImportReport {
    /// Counts one row: what became of it, or why it was refused.
    fn count(&mut self, line: u32, outcome: Result<Outcome, Refusal>) {
        let (outcome, refusal) = match outcome {
            Ok(outcome) => (outcome, None),
            Err(refusal) => (Outcome::Error, Some(refusal)),
        };
        match outcome {
            Outcome::Created => self.created += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Error => self.errors += 1,
        }
        let (cell, message) = refusal.map(|r| (r.cell, r.message)).unzip();
        self.rows.push(RowReport { line, outcome, cell, message });
    }
}

/// Stages every row of a statistics upload, then commits them when `apply`
/// and no row is refused, else rolls back (see the module documentation).
///
/// # Errors
/// Store failures only: refused rows are reported, not returned as errors.
pub async fn import_actuals(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    rows: Vec<ActualRow>,
    apply: bool,
) -> AppResult<ImportReport> {
    let write = WriteTxn::begin(writer, actor).await?;
    let mut report = ImportReport::default();
    let mut changes = Vec::new();
    for row in rows {
        let line = row.line;
        let outcome = match stage_row(write.db(), viewer, row).await? {
            Ok(None) => Ok(Outcome::Unchanged),
            Ok(Some(change)) => {
                let outcome =
                    if change.action == AuditAction::ReviseActual { Outcome::Updated } else { Outcome::Created };
                changes.push(change);
                Ok(outcome)
            }
            Err(refusal) => Err(refusal),
        };
        report.count(line, outcome);
    }
    if apply && report.errors == 0 && !changes.is_empty() {
        write.commit(changes.into_iter().collect::<Changes>()).await?;
        report.applied = true;
    } else {
        write.end_unchanged().await?;
    }
    Ok(report)
}

/// Stages one row: `Ok(Ok(change))` when it was written (`None`: unchanged),
/// `Ok(Err(refusal))` when the row is refused; `Err` for a store failure.
async fn stage_row(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    row: ActualRow,
) -> AppResult<Result<Option<crate::service::audit::ChangeInput>, Refusal>> {
    let refuse = |cell: &Cell, message: String| Ok(Err(Refusal { cell: cell.at.clone(), message }));
    let Ok(indicator_id) = from_global(NodeKind::Indicator, row.indicator.text.trim(), "indicator") else {
        let text = &row.indicator.text;
        return refuse(
            &row.indicator,
            format!("{text:?} is not an indicator ID (the `id` the API gives an indicator)"),
        );
    };
    let Ok(value) = row.value.text.trim().replace(',', "").parse::<f64>() else {
        return refuse(&row.value, format!("{:?} is not a number", row.value.text));
    };
    let Some(status) = parse_status(&row.status.text) else {
        let allowed = "PROVISIONAL (初步), VERIFIED (核实), ESTIMATED (估算) or FINAL (最终)";
        return refuse(&row.status, format!("{:?} is not a status: write {allowed}", row.status.text));
    };
    let text_of = |cell: &Option<Cell>| cell.as_ref().map(|c| c.text.trim().to_owned()).filter(|t| !t.is_empty());
    let input = NewActual {
        indicator_id,
        period: row.period.text.trim().to_owned(),
        value,
        status,
        note: text_of(&row.note),
        reason: text_of(&row.reason),
    };
    if let Err(error) = reports::check_actual(&input, "row") {
        let cell = match field_of(&error) {
            Some("row.period") => &row.period,
            Some("row.value") => &row.value,
            Some("row.note") => row.note.as_ref().unwrap_or(&row.value),
            Some("row.reason") => row.reason.as_ref().unwrap_or(&row.value),
            _ => &row.indicator,
        };
        return refuse(cell, error.to_string());
    }
    let staged = async {
        let found = reports::visible_indicator(txn, viewer, &input.indicator_id).await?;
        reports::may_record_actuals_of(txn, viewer, &found).await?;
        reports::stage_actual(txn, viewer, &found, input, Repeat::Keep).await
    };
    match staged.await {
        Ok(staged) => Ok(Ok(staged.change)),
        Err(error @ (AppError::NotFound(_) | AppError::Forbidden(_))) => refuse(&row.indicator, error.to_string()),
        Err(error @ AppError::BadUserInput { .. }) => {
            let message = match &row.reason {
                Some(_) => error.to_string(),
                None => format!("{error}: add a column 更正原因 (reason) with the reason"),
            };
            refuse(row.reason.as_ref().unwrap_or(&row.value), message)
        }
        Err(other) => Err(other),
    }
}

/// The first field a `BAD_USER_INPUT` names.
fn field_of(error: &AppError) -> Option<&str> {
    match error {
        AppError::BadUserInput { fields, .. } => fields.first().map(|field| field.field.as_str()),
        _ => None,
    }
}

/// A status as the API names it, or in Chinese.
fn parse_status(text: &str) -> Option<ActualStatus> {
    match text.trim().to_ascii_uppercase().as_str() {
        "PROVISIONAL" | "初步" | "初步数" => Some(ActualStatus::Provisional),
        "VERIFIED" | "核实" | "核实数" => Some(ActualStatus::Verified),
        "ESTIMATED" | "估算" | "估算数" => Some(ActualStatus::Estimated),
        "FINAL" | "最终" | "最终数" => Some(ActualStatus::Final),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_read_in_either_language() {
        assert_eq!(parse_status(" verified "), Some(ActualStatus::Verified));
        assert_eq!(parse_status("初步"), Some(ActualStatus::Provisional));
        assert_eq!(parse_status("估算数"), Some(ActualStatus::Estimated));
        assert_eq!(parse_status("maybe"), None);
    }
}
