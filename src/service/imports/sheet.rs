//! Spreadsheets as rows: the first sheet of an XLSX workbook or a CSV file, its header row found
//! below any title rows, each data cell named by its place (`C5`) — for `POST /import/…` and
//! `xietong import …` alike.

use super::tasks::TaskRow;
use super::{ActualRow, Cell};
use crate::error::AppError;
use calamine::{Data, Reader, Xlsx};

/// Most data rows one upload may hold.
pub const MAX_ROWS: usize = 10_000;

/// The cells of a spreadsheet as text: the first sheet of an XLSX workbook
/// (recognised by its ZIP signature), else CSV.
pub fn read_sheet(body: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
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

/// The column names each field of a statistics upload may have in the header row.
const ACTUAL_COLUMNS: [(&str, &[&str]); 6] = [
    ("indicator", &["指标ID", "指标id", "indicator", "indicatorId"]),
    ("period", &["期间", "period"]),
    ("value", &["数值", "value"]),
    ("status", &["状态", "status"]),
    ("note", &["备注", "note"]),
    ("reason", &["更正原因", "reason"]),
];

/// The column names each field of a task split table may have in the header row.
const TASK_COLUMNS: [(&str, &[&str]); 5] = [
    ("code", &["序号", "code"]),
    ("title", &["重点任务", "任务", "title"]),
    ("lead", &["牵头单位", "lead"]),
    ("support", &["配合单位", "support"]),
    ("due", &["完成时限", "due"]),
];

/// A sheet's header row and the data rows below it.
struct Table<'a> {
    /// Column of each field the header names.
    columns: Vec<(&'static str, usize)>,
    /// Data rows with their line numbers (from 1), empty rows left out.
    rows: Vec<(u32, &'a [String])>,
}

impl Table<'_> {
    fn column(&self, field: &str) -> Option<usize> {
        self.columns.iter().find(|(name, _)| *name == field).map(|(_, column)| *column)
    }

    /// The cell of `field` in `row` (present or not, it has a place).
    fn cell(&self, line: u32, cells: &[String], column: usize) -> Cell {
        Cell { at: format!("{}{line}", column_letters(column)), text: cells.get(column).cloned().unwrap_or_default() }
    }
}

/// Finds the first row naming every `required` field (by `columns`' names) and takes the rows
/// below it; `what` names the columns for the error.
fn find_table<'a>(
    sheet: &'a [Vec<String>],
    columns: &[(&'static str, &[&str])],
    required: &[&str],
    what: &str,
) -> Result<Table<'a>, AppError> {
    let named = |row: &[String]| -> Vec<(&'static str, usize)> {
        columns
            .iter()
            .filter_map(|(field, names)| {
                row.iter()
                    .position(|cell| names.iter().any(|name| cell.trim().eq_ignore_ascii_case(name)))
                    .map(|column| (*field, column))
            })
            .collect()
    };
    let (header_at, columns) = sheet
        .iter()
        .enumerate()
        .map(|(at, row)| (at, named(row)))
        .find(|(_, found)| required.iter().all(|field| found.iter().any(|(name, _)| name == field)))
        .ok_or_else(|| AppError::bad_input("file", format!("no header row names the columns {what}")))?;
    let data = &sheet[header_at + 1..];
    if data.len() > MAX_ROWS {
        return Err(AppError::bad_input(
            "file",
            format!("the sheet holds {} rows; the limit is {MAX_ROWS}", data.len()),
        ));
    }
    let rows = data
        .iter()
        .enumerate()
        .filter(|(_, cells)| !cells.iter().all(|cell| cell.trim().is_empty()))
        .map(|(offset, cells)| (u32::try_from(header_at + offset + 2).unwrap_or(u32::MAX), cells.as_slice()))
        .collect();
    Ok(Table { columns, rows })
}

/// The data rows of a statistics upload, each cell named by its place (`C5`).
pub fn actual_rows(sheet: &[Vec<String>]) -> Result<Vec<ActualRow>, AppError> {
    let table = find_table(
        sheet,
        &ACTUAL_COLUMNS,
        &["indicator", "period", "value", "status"],
        "指标ID, 期间, 数值 and 状态 (or indicator, period, value, status)",
    )?;
    let column = |field| table.column(field).unwrap_or_default();
    Ok(table
        .rows
        .iter()
        .map(|&(line, cells)| ActualRow {
            line,
            indicator: table.cell(line, cells, column("indicator")),
            period: table.cell(line, cells, column("period")),
            value: table.cell(line, cells, column("value")),
            status: table.cell(line, cells, column("status")),
            note: table.column("note").map(|c| table.cell(line, cells, c)),
            reason: table.column("reason").map(|c| table.cell(line, cells, c)),
        })
        .collect())
}

/// The data rows of a task split table, each cell named by its place.
pub fn task_rows(sheet: &[Vec<String>]) -> Result<Vec<TaskRow>, AppError> {
    let table = find_table(
        sheet,
        &TASK_COLUMNS,
        &["code", "title", "lead", "support"],
        "序号, 重点任务, 牵头单位 and 配合单位 (or code, title, lead, support)",
    )?;
    let column = |field| table.column(field).unwrap_or_default();
    Ok(table
        .rows
        .iter()
        .map(|&(line, cells)| TaskRow {
            line,
            code: table.cell(line, cells, column("code")),
            title: table.cell(line, cells, column("title")),
            lead: table.cell(line, cells, column("lead")),
            support: table.cell(line, cells, column("support")),
            due: table.column("due").map(|c| table.cell(line, cells, c)),
        })
        .collect())
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
