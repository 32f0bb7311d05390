//! `GET /export/plans/{plan}/{table}.{format}`: a plan's task split table
//! (`tasks`) or indicator table (`indicators`) as a spreadsheet (`xlsx`) or
//! as CSV (`csv`, UTF-8 with a byte-order mark so that spreadsheet programs
//! read the Chinese text), laid out by `service::export`.
//!
//! The caller is the bearer of the `Authorization` header, as on `/graphql`
//! (none: the anonymous viewer, who sees PUBLIC plans); what it may not see
//! is left out, and a plan it may not see is 404. Refusals have the JSON
//! error shape of `/graphql` with the same codes.

use super::response::{authorization, caller_refusal};
use crate::auth::Authenticator;
use crate::error::AppError;
use crate::ids::{NodeKind, from_global};
use crate::service::export::{self, Table};
use actix_web::http::header::{
    CONTENT_DISPOSITION, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{HttpRequest, HttpResponse, web};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use sea_orm::DatabaseConnection;

/// Registers the export routes, rate limited like `/graphql`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/export/plans/{plan}/{file}")
            .wrap(actix_web::middleware::from_fn(super::rate_limit::limit))
            .route(web::get().to(download)),
    );
}

/// The spreadsheet formats served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileFormat {
    Csv,
    Xlsx,
}

async fn download(
    http: HttpRequest,
    path: web::Path<(String, String)>,
    db: web::Data<DatabaseConnection>,
    authenticator: web::Data<Authenticator>,
) -> HttpResponse {
    let (plan, file) = path.into_inner();
    match answer(&http, &plan, &file, db.get_ref(), authenticator.get_ref()).await {
        Ok(response) => response,
        Err(error) => caller_refusal(&http, error),
    }
}

async fn answer(
    http: &HttpRequest,
    plan: &str,
    file: &str,
    db: &DatabaseConnection,
    authenticator: &Authenticator,
) -> Result<HttpResponse, AppError> {
    let (table, format) = parse_file(file)?;
    let plan_id = from_global(NodeKind::Plan, plan, "plan")?;
    let viewer = authenticator.viewer(db, authorization(http)?).await?;
    let table = match table {
        "tasks" => export::task_table(db, &viewer, &plan_id).await?,
        _ => export::indicator_table(db, &viewer, &plan_id).await?,
    };
    let (body, content_type, extension) = match format {
        FileFormat::Csv => (csv(&table)?, "text/csv; charset=utf-8", "csv"),
        FileFormat::Xlsx => (
            xlsx(&table).map_err(|error| AppError::Internal(anyhow::anyhow!("writing the spreadsheet: {error}")))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(file.to_owned()),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: format!("{}.{extension}", table.name).into_bytes(),
            }),
        ],
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((CONTENT_DISPOSITION, disposition.to_string()))
        .body(body))
}

/// `tasks.csv` → (`tasks`, CSV); anything else is `BAD_USER_INPUT` naming what is served.
fn parse_file(file: &str) -> Result<(&str, FileFormat), AppError> {
    let refuse = || {
        AppError::bad_input(
            "file",
            format!("{file} is not served here: ask for tasks.xlsx, tasks.csv, indicators.xlsx or indicators.csv"),
        )
    };
    let (table, extension) = file.rsplit_once('.').ok_or_else(refuse)?;
    let format = match extension {
        "csv" => FileFormat::Csv,
        "xlsx" => FileFormat::Xlsx,
        _ => return Err(refuse()),
    };
    match table {
        "tasks" | "indicators" => Ok((table, format)),
        _ => Err(refuse()),
    }
}

/// The table as CSV: the title rows (one cell each), the header, the rows.
fn csv(table: &Table) -> Result<Vec<u8>, AppError> {
    let failed = |error: csv::Error| AppError::Internal(anyhow::anyhow!("writing CSV: {error}"));
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(b"\xEF\xBB\xBF".to_vec());
    for line in &table.title {
        writer.write_record([line]).map_err(failed)?;
    }
    writer.write_record(&table.header).map_err(failed)?;
    for row in &table.rows {
        writer.write_record(row).map_err(failed)?;
    }
    writer.into_inner().map_err(|error| AppError::Internal(anyhow::anyhow!("writing CSV: {error}")))
}

/// The table as one worksheet: the title rows merged across the columns,
/// the header bold with borders and frozen, long text wrapped.
fn xlsx(table: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let last_column = u16::try_from(table.header.len().saturating_sub(1)).unwrap_or(u16::MAX);
    let title = Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center);
    let subtitle = Format::new().set_align(FormatAlign::Center);
    let heading = Format::new().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::Center);
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::Top);
    for (row, line) in table.title.iter().enumerate() {
        let row = u32::try_from(row).unwrap_or(u32::MAX);
        let format = if row == 0 { &title } else { &subtitle };
        sheet.merge_range(row, 0, row, last_column, line, format)?;
    }
    let header_row = u32::try_from(table.title.len()).unwrap_or(u32::MAX);
    for (column, name) in table.header.iter().enumerate() {
        let column = u16::try_from(column).unwrap_or(u16::MAX);
        sheet.write_string_with_format(header_row, column, *name, &heading)?;
        sheet.set_column_width(column, column_width(name))?;
    }
    for (offset, values) in table.rows.iter().enumerate() {
        let row = header_row.saturating_add(1).saturating_add(u32::try_from(offset).unwrap_or(u32::MAX));
        for (column, value) in values.iter().enumerate() {
            sheet.write_string_with_format(row, u16::try_from(column).unwrap_or(u16::MAX), value, &cell)?;
        }
    }
    sheet.set_freeze_panes(header_row.saturating_add(1), 0)?;
    workbook.save_to_buffer()
}

/// Column widths (in characters) that fit what each column holds.
fn column_width(header: &str) -> f64 {
    match header {
        "重点任务" => 60.0,
        "牵头单位" | "指标名称" => 30.0,
        "配合单位" => 40.0,
        "目标" => 24.0,
        "序号" => 10.0,
        _ => 14.0,
    }
}
