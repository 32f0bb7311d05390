//! `POST /import/actuals`: a statistics upload (indicator actuals) from a
//! spreadsheet, as XLSX (its first sheet) or CSV (UTF-8, a byte-order mark
//! allowed), sent as the request body. A dry run unless `?apply=true`; the
//! answer is the per-row report of `service::imports` as JSON.
//!
//! The sheet may start with title rows; its header row is the first that
//! names the columns 指标ID (or `indicator`), 期间 (`period`), 数值
//! (`value`) and 状态 (`status`), and may also name 备注 (`note`) and
//! 更正原因 (`reason`). Rows below it are data; empty rows are skipped.
//!
//! The caller must bring a token (401 without); each row is then written
//! under its rights. Refusals have the JSON error shape of `/graphql`.

use super::response::{authorization, caller_refusal, read_body};
use crate::auth::Authenticator;
use crate::error::AppError;
use crate::service::imports::{self, ActualRow, Cell};
use actix_web::{HttpRequest, HttpResponse, web};
use calamine::{Data, Reader, Xlsx};
use sea_orm::DatabaseConnection;
use tracing_actix_web::RequestId;

/// Largest upload accepted: a year of monthly figures for every indicator of a district fits.
pub const MAX_UPLOAD_BYTES: usize = 4 * 1024 * 1024;

/// Most data rows one upload may hold.
pub const MAX_ROWS: usize = 10_000;

/// Registers the import route, rate limited like `/graphql`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/import/actuals")
            .wrap(actix_web::middleware::from_fn(super::rate_limit::limit))
            .route(web::post().to(upload)),
    );
}

/// `?apply=true` writes the rows; anything else is a dry run.
#[derive(serde::Deserialize)]
struct Mode {
    #[serde(default)]
    apply: bool,
}

async fn upload(
    http: HttpRequest,
    mode: web::Query<Mode>,
    payload: web::Payload,
    db: web::Data<DatabaseConnection>,
    authenticator: web::Data<Authenticator>,
    request_id: RequestId,
) -> HttpResponse {
    // Over the limit: 413 in the JSON error shape, before the body is read whole.
    let body = match read_body(&http, payload, MAX_UPLOAD_BYTES).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let answer = async {
        let viewer = authenticator.viewer(db.get_ref(), authorization(&http)?).await?;
        let actor = viewer.actor(Some(request_id.to_string()))?;
        let rows = actual_rows(&read_sheet(&body)?)?;
        imports::import_actuals(db.get_ref(), &viewer, &actor, rows, mode.apply).await
    };
    match answer.await {
        Ok(report) => HttpResponse::Ok().json(report),
        Err(error) => caller_refusal(&http, error),
    }
}

/// The cells of the upload as text: the first sheet of an XLSX workbook
/// (recognised by its ZIP signature), else CSV.
fn read_sheet(body: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
    if body.starts_with(b"PK\x03\x04") {
        let unreadable =
            |e: calamine::XlsxError| AppError::bad_input("file", format!("not a readable XLSX workbook: {e}"));
        let mut workbook = Xlsx::new(std::io::Cursor::new(body)).map_err(unreadable)?;
        let sheet = workbook
            .worksheet_range_at(0)
            .ok_or_else(|| AppError::bad_input("file", "the workbook has no sheet"))?
            .map_err(unreadable)?;
        return Ok(sheet.rows().map(|row| row.iter().map(cell_text).collect()).collect());
    }
    let text = body.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(body);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text);
    reader
        .records()
        .map(|record| {
            record.map(|r| r.iter().map(str::to_owned).collect()).map_err(|e| {
                AppError::bad_input("file", format!("neither an XLSX workbook nor readable CSV (UTF-8): {e}"))
            })
        })
        .collect()
}

/// A cell as the text a person reads in it (numbers without a trailing `.0`).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Float(value) if value.fract() == 0.0 && value.abs() < 1e15 => format!("{value:.0}"),
        other => other.to_string(),
    }
}

/// The column names each field may have in the header row.
const COLUMNS: [(&str, &[&str]); 6] = [
    ("indicator", &["指标ID", "指标id", "indicator", "indicatorId"]),
    ("period", &["期间", "period"]),
    ("value", &["数值", "value"]),
    ("status", &["状态", "status"]),
    ("note", &["备注", "note"]),
    ("reason", &["更正原因", "reason"]),
];

/// The data rows below the header row, each cell named by its place (`C5`).
fn actual_rows(sheet: &[Vec<String>]) -> Result<Vec<ActualRow>, AppError> {
    let column_of = |row: &[String], field: &str| {
        let names = COLUMNS.iter().find(|(name, _)| *name == field).map(|(_, names)| *names).unwrap_or_default();
        row.iter().position(|cell| names.iter().any(|name| cell.trim().eq_ignore_ascii_case(name)))
    };
    let required = ["indicator", "period", "value", "status"];
    let (header_at, header) = sheet
        .iter()
        .enumerate()
        .find(|(_, row)| required.iter().all(|field| column_of(row, field).is_some()))
        .ok_or_else(|| {
            AppError::bad_input(
                "file",
                "no header row names the columns 指标ID, 期间, 数值 and 状态 (or indicator, period, value, status)",
            )
        })?;
    let place = |field: &str| column_of(header, field);
    let (indicator, period, value, status) = match required.map(place) {
        [Some(a), Some(b), Some(c), Some(d)] => (a, b, c, d),
        _ => return Err(AppError::bad_input("file", "the header row lacks a required column")),
    };
    let (note, reason) = (place("note"), place("reason"));
    let data = &sheet[header_at + 1..];
    if data.len() > MAX_ROWS {
        return Err(AppError::bad_input(
            "file",
            format!("the sheet holds {} rows; the limit is {MAX_ROWS}", data.len()),
        ));
    }
    let mut rows = Vec::new();
    for (offset, cells) in data.iter().enumerate() {
        if cells.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let line = u32::try_from(header_at + offset + 2).unwrap_or(u32::MAX);
        let cell = |column: usize| Cell {
            at: format!("{}{line}", column_letters(column)),
            text: cells.get(column).cloned().unwrap_or_default(),
        };
        rows.push(ActualRow {
            line,
            indicator: cell(indicator),
            period: cell(period),
            value: cell(value),
            status: cell(status),
            note: note.map(cell),
            reason: reason.map(cell),
        });
    }
    Ok(rows)
}

/// `0` → `A`, `25` → `Z`, `26` → `AA`: a column as spreadsheet programs name it.
fn column_letters(mut column: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(char::from(b'A' + u8::try_from(column % 26).unwrap_or(0)));
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_as_spreadsheets_name_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
    }

    #[test]
    fn the_header_is_found_below_title_rows_and_cells_are_placed() {
        let sheet: Vec<Vec<String>> = [
            vec!["2024年统计报表"],
            vec![""],
            vec!["序号", "指标ID", "期间", "数值", "状态", "备注"],
            vec!["1", "SW5kaWNhdG9yOng", "2024", "12.5", "初步", ""],
            vec!["", "", "", "", "", ""],
            vec!["2", "SW5kaWNhdG9yOnk", "2024-Q3", "3", "VERIFIED"],
        ]
        .into_iter()
        .map(|row| row.into_iter().map(str::to_owned).collect())
        .collect();
        let rows = actual_rows(&sheet).unwrap_or_default();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 4);
        assert_eq!(rows[0].value, Cell { at: "D4".into(), text: "12.5".into() });
        assert_eq!(rows[1].line, 6);
        assert_eq!(rows[1].note, Some(Cell { at: "F6".into(), text: String::new() }));
        assert!(rows[1].reason.is_none());
        assert!(actual_rows(&sheet[..1]).is_err(), "no header row");
    }
}
