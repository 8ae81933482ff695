//! CSV for spreadsheets: `;`-separated (Latvian spreadsheet settings use the decimal comma),
//! UTF-8 with a byte-order mark, every cell quoted, and cells that a spreadsheet would take for
//! a formula (`=`, `+`, `-`, `@`, tab, carriage return) prefixed with `'`.

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use tokio::sync::mpsc;

use crate::error::{AppError, AppResult};

/// One cell, quoted and defused.
pub fn cell(value: &str) -> String {
    let defused = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_owned(),
    };
    format!("\"{}\"", defused.replace('"', "\"\""))
}

/// One line of cells, with its line end.
pub fn line(cells: &[String]) -> String {
    let mut out = cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(";");
    out.push_str("\r\n");
    out
}

/// A whole document from a header and rows.
pub fn document(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::from("\u{feff}");
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        out.push_str(&line(row));
    }
    out
}

/// A CSV download named `file_name`.
pub fn response(file_name: &str, header: &[String], rows: &[Vec<String>]) -> Response {
    attachment("text/csv; charset=utf-8", file_name, Body::from(document(header, rows)))
}

/// An amount of cents as a spreadsheet in Latvia reads it: `1200,50`.
pub fn cents(cents: i64) -> String {
    entities::money::Eur::from_cents(cents).to_plain().replace('.', ",")
}

/// A table: its header and rows.
pub type Table = (Vec<String>, Vec<Vec<String>>);

/// How many rows an export's producer hands over at a time.
pub const ROWS_PER_PART: usize = 500;

/// How many parts wait between an export's producer and its writer: with [`ROWS_PER_PART`],
/// what an export holds in memory whatever its length.
const PARTS_WAITING: usize = 2;

/// A part of an export as its producer makes it: a new sheet with its header, or the next rows
/// of the current sheet.
pub enum Part {
    Sheet { name: String, header: Vec<String> },
    Rows(Vec<Vec<String>>),
}

/// Where an export's producer puts its parts. Putting waits while the writer is behind, and
/// fails once the download is gone, which ends the producer.
pub struct Sink(mpsc::Sender<AppResult<Part>>);

impl Sink {
    pub async fn sheet(&self, name: String, header: Vec<String>) -> AppResult<()> {
        self.put(Part::Sheet { name, header }).await
    }

    pub async fn rows(&self, rows: Vec<Vec<String>>) -> AppResult<()> {
        self.put(Part::Rows(rows)).await
    }

    async fn put(&self, part: Part) -> AppResult<()> {
        self.0
            .send(Ok(part))
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the export's reader is gone")))
    }
}

/// Runs `produce` in a task of its own; its parts, then its error if it fails, come out of the
/// returned channel.
fn start<F, Fut>(produce: F) -> mpsc::Receiver<AppResult<Part>>
where
    F: FnOnce(Sink) -> Fut,
    Fut: Future<Output = AppResult<()>> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(PARTS_WAITING);
    let produced = produce(Sink(tx.clone()));
    tokio::spawn(async move {
        if let Err(e) = produced.await {
            // Nobody to tell when the download is gone.
            let _ = tx.send(Err(e)).await;
        }
    });
    rx
}

/// A CSV download named `file_name`, written to the response as `produce` makes it (one sheet).
/// A producer that fails before its first part answers with the error page; one that fails
/// later cuts the download off, so that a partial file is not taken for a whole one.
pub async fn stream<F, Fut>(file_name: &str, produce: F) -> AppResult<Response>
where
    F: FnOnce(Sink) -> Fut,
    Fut: Future<Output = AppResult<()>> + Send + 'static,
{
    let mut parts = start(produce);
    let first = parts.recv().await.transpose()?;
    let body = futures_util::stream::unfold((first, parts), |(first, mut parts)| async move {
        let part = match first {
            Some(part) => Ok(part),
            None => parts.recv().await?,
        };
        let bytes = match part {
            Ok(Part::Sheet { header, .. }) => Ok(Bytes::from(format!("\u{feff}{}", line(&header)))),
            Ok(Part::Rows(rows)) => Ok(Bytes::from(rows.iter().map(|r| line(r)).collect::<String>())),
            Err(e) => {
                tracing::error!(error = %e, "a CSV export failed part-way");
                Err(std::io::Error::other("the export failed"))
            }
        };
        Some((bytes, (None, parts)))
    });
    Ok(attachment(
        "text/csv; charset=utf-8",
        file_name,
        Body::from_stream(body),
    ))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An XLSX download named `file_name`, a sheet per table.
pub async fn xlsx_response(file_name: &str, sheets: Vec<(String, Table)>) -> AppResult<Response> {
    xlsx_stream(file_name, move |sink| async move {
        for (name, (header, rows)) in sheets {
            sink.sheet(name, header).await?;
            sink.rows(rows).await?;
        }
        Ok(())
    })
    .await
}

/// An XLSX download named `file_name` of the sheets `produce` makes. The workbook is written
/// off the async threads, in constant-memory mode, to a temporary file that is then streamed.
pub async fn xlsx_stream<F, Fut>(file_name: &str, produce: F) -> AppResult<Response>
where
    F: FnOnce(Sink) -> Fut,
    Fut: Future<Output = AppResult<()>> + Send + 'static,
{
    let parts = start(produce);
    let file = tokio::task::spawn_blocking(move || workbook(parts))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    Ok(attachment(XLSX, file_name, file_body(file)))
}

/// The workbook of `parts` in an anonymous temporary file, positioned at its start; cells that
/// are plain numbers are written as numbers.
fn workbook(mut parts: mpsc::Receiver<AppResult<Part>>) -> AppResult<std::fs::File> {
    use std::io::{Seek, SeekFrom};
    let xlsx = |e: rust_xlsxwriter::XlsxError| AppError::Internal(anyhow::anyhow!("xlsx: {e}"));
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    // The sheet rows go to (none before the first `Part::Sheet`) and its next row.
    let mut current = None;
    let mut next_row = 0_u32;
    while let Some(part) = parts.blocking_recv() {
        match part? {
            Part::Sheet { name, header } => {
                let sheet = book.add_worksheet_with_constant_memory().map_err(xlsx)?;
                sheet
                    .set_name(name.chars().take(31).collect::<String>())
                    .map_err(xlsx)?;
                for (col, h) in (0_u16..).zip(&header) {
                    sheet.write_string_with_format(0, col, h, &bold).map_err(xlsx)?;
                }
                current = Some(current.map_or(0, |i: usize| i + 1));
                next_row = 1;
            }
            Part::Rows(rows) => {
                let index = current.ok_or_else(|| AppError::Internal(anyhow::anyhow!("xlsx: rows before a sheet")))?;
                let sheet = book.worksheet_from_index(index).map_err(xlsx)?;
                for row in &rows {
                    write_row(sheet, next_row, row).map_err(xlsx)?;
                    next_row += 1;
                }
            }
        }
    }
    let mut file = tempfile::tempfile().map_err(|e| AppError::Internal(e.into()))?;
    book.save_to_writer(&mut file).map_err(xlsx)?;
    file.seek(SeekFrom::Start(0))
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(file)
}

fn write_row(sheet: &mut rust_xlsxwriter::Worksheet, r: u32, row: &[String]) -> Result<(), rust_xlsxwriter::XlsxError> {
    for (col, cell) in (0_u16..).zip(row) {
        match cell.replace(',', ".").parse::<rust_decimal::Decimal>() {
            Ok(n) if !cell.is_empty() && cell.chars().all(|ch| ch.is_ascii_digit() || ch == ',') => {
                let value: f64 = n.try_into().unwrap_or_default();
                sheet.write_number(r, col, value)?;
            }
            _ => {
                sheet.write_string(r, col, cell)?;
            }
        }
    }
    Ok(())
}

/// A file streamed to a response body 64 KiB at a time.
pub fn file_body(file: std::fs::File) -> Body {
    let file = tokio::fs::File::from_std(file);
    let chunks = futures_util::stream::unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0_u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(Bytes::from(buf)), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    });
    Body::from_stream(chunks)
}

/// A download of `body` as `kind`, named `file_name`.
pub fn attachment(kind: &str, file_name: &str, body: Body) -> Response {
    use axum::http::header as h;
    (
        [
            (h::CONTENT_TYPE, kind.to_owned()),
            (h::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_quotes_escaped() {
        assert_eq!(cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(cell("+371 2000"), "\"'+371 2000\"");
        assert_eq!(cell("-1"), "\"'-1\"");
        assert_eq!(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(cell("Biedrība „Saule”"), "\"Biedrība „Saule”\"");
        assert_eq!(cents(120_050), "1200,50");
        let doc = document(&["a".into(), "b".into()], &[vec!["1".into(), "x;y".into()]]);
        assert_eq!(doc, "\u{feff}\"a\";\"b\"\r\n\"1\";\"x;y\"\r\n");
    }

    #[test]
    fn a_workbook_refuses_rows_before_a_sheet_and_numbers_its_sheets() {
        let parts = |list: Vec<Part>| {
            let (tx, rx) = mpsc::channel(list.len().max(1));
            for part in list {
                assert!(tx.try_send(Ok(part)).is_ok());
            }
            rx
        };
        assert!(workbook(parts(vec![Part::Rows(vec![vec!["1".into()]])])).is_err());
        let two = parts(vec![
            Part::Sheet {
                name: "A".into(),
                header: vec!["a".into()],
            },
            Part::Rows(vec![vec!["1".into()]]),
            Part::Sheet {
                name: "B".into(),
                header: vec!["b".into()],
            },
            Part::Rows(vec![vec!["x".into()], vec!["2,5".into()]]),
        ]);
        assert!(workbook(two).is_ok());
    }
}
