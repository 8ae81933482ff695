//! CSV for spreadsheets: `;`-separated (Latvian spreadsheet settings use the decimal comma),
//! UTF-8 with a byte-order mark, every cell quoted, and cells that a spreadsheet would take for
//! a formula (`=`, `+`, `-`, `@`, tab, carriage return) prefixed with `'`.

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
pub fn response(file_name: &str, header: &[String], rows: &[Vec<String>]) -> axum::response::Response {
    use axum::http::header as h;
    use axum::response::IntoResponse;
    let disposition = format!("attachment; filename=\"{file_name}\"");
    (
        [
            (h::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (h::CONTENT_DISPOSITION, disposition),
        ],
        document(header, rows),
    )
        .into_response()
}

/// An amount of cents as a spreadsheet in Latvia reads it: `1200,50`.
pub fn cents(cents: i64) -> String {
    entities::money::Eur::from_cents(cents).to_plain().replace('.', ",")
}

/// A table: its header and rows.
pub type Table = (Vec<String>, Vec<Vec<String>>);

/// An XLSX download named `file_name`, a sheet per table.
pub fn xlsx_response(
    file_name: &str,
    sheets: &[(String, Table)],
) -> Result<axum::response::Response, crate::error::AppError> {
    use axum::http::header as h;
    use axum::response::IntoResponse;
    let bytes = xlsx(sheets).map_err(|e| crate::error::AppError::Internal(anyhow::anyhow!("xlsx: {e}")))?;
    Ok((
        [
            (
                h::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (h::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
        ],
        bytes,
    )
        .into_response())
}

/// A workbook with a sheet per table; cells that are plain numbers are written as numbers.
fn xlsx(sheets: &[(String, Table)]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, (header, rows)) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(name.chars().take(31).collect::<String>())?;
        write_sheet(sheet, header, rows)?;
    }
    book.save_to_buffer()
}

fn write_sheet(
    sheet: &mut rust_xlsxwriter::Worksheet,
    header: &[String],
    rows: &[Vec<String>],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (col, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, u16::try_from(col).unwrap_or(u16::MAX), h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (col, cell) in row.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
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
    }
    Ok(())
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
}
