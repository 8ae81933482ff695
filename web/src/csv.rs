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
