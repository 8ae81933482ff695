//! Tables people upload (a school's class list): an XLSX workbook's first sheet, or CSV as
//! diary systems and spreadsheets write it - `;`, `,` or tab between cells, UTF-8 (with or
//! without a byte-order mark) or the Baltic Windows code page. Every cell as text; a date cell
//! as `yyyy-mm-dd`.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// The rows of `bytes`, or the catalogue message of why they cannot be read.
pub(crate) fn read(file_name: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, &'static str> {
    if bytes.starts_with(b"PK\x03\x04") {
        return xlsx(bytes);
    }
    let lower = file_name.to_lowercase();
    if lower.ends_with(".xls") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err("error-import-old-excel");
    }
    if lower.ends_with(".xlsx") || lower.ends_with(".ods") || lower.ends_with(".pdf") || bytes.contains(&0) {
        return Err("error-import-type");
    }
    csv(bytes)
}

fn xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, &'static str> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|_| "error-import-type")?;
    let range = book
        .worksheet_range_at(0)
        .ok_or("error-import-empty")?
        .map_err(|_| "error-import-type")?;
    Ok(range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::DateTime(d) => d
                        .as_datetime()
                        .map(|t| t.date().format("%Y-%m-%d").to_string())
                        .unwrap_or_default(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
                    Data::Empty | Data::Error(_) => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect())
}

fn csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, &'static str> {
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_owned(),
        Err(_) => encoding_rs::WINDOWS_1257.decode(bytes).0.into_owned(),
    };
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b';');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.map(|r| r.iter().map(str::to_owned).collect()))
        .collect::<Result<_, _>>()
        .map_err(|_| "error-import-type")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_any_of_the_usual_shapes_reads_the_same() {
        let rows = vec![
            vec!["Vārds".to_owned(), "Klase".to_owned()],
            vec!["Anna \"Ā\"".to_owned(), "5.a".to_owned()],
        ];
        for text in [
            "\u{feff}Vārds;Klase\r\n\"Anna \"\"Ā\"\"\";5.a\r\n",
            "Vārds,Klase\n\"Anna \"\"Ā\"\"\",5.a\n",
            "Vārds\tKlase\n\"Anna \"\"Ā\"\"\"\t5.a\n",
        ] {
            assert_eq!(read("klase.csv", text.as_bytes()), Ok(rows.clone()), "{text:?}");
        }
        // The Baltic code page: Ā is 0xC2 there.
        let baltic = b"V\xe2rds;Klase\r\n\xc2ris;5.a\r\n";
        assert_eq!(
            read("klase.csv", baltic),
            Ok(vec![
                vec!["Vārds".to_owned(), "Klase".to_owned()],
                vec!["Āris".to_owned(), "5.a".to_owned()]
            ])
        );
    }

    #[test]
    fn an_xlsx_sheet_reads_as_text_with_dates_as_iso_dates() -> Result<(), rust_xlsxwriter::XlsxError> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Vārds, uzvārds")?;
        sheet.write_string(0, 1, "Klase")?;
        sheet.write_string(0, 2, "Dzimšanas datums")?;
        sheet.write_string(1, 0, "Ēriks Ozols")?;
        sheet.write_number(1, 1, 7)?;
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2011, 5, 31)?;
        let format = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy");
        sheet.write_datetime_with_format(1, 2, &date, &format)?;
        let bytes = book.save_to_buffer()?;
        assert_eq!(
            read("klase.xlsx", &bytes),
            Ok(vec![
                vec![
                    "Vārds, uzvārds".to_owned(),
                    "Klase".to_owned(),
                    "Dzimšanas datums".to_owned()
                ],
                vec!["Ēriks Ozols".to_owned(), "7".to_owned(), "2011-05-31".to_owned()],
            ])
        );
        Ok(())
    }

    #[test]
    fn what_is_not_a_table_is_refused_with_a_reason() {
        assert_eq!(
            read("saraksts.xls", b"\xd0\xcf\x11\xe0rest"),
            Err("error-import-old-excel")
        );
        assert_eq!(
            read("saraksts.xlsx", b"PK\x03\x04 not really a zip"),
            Err("error-import-type")
        );
        assert_eq!(read("saraksts.pdf", b"%PDF-1.4"), Err("error-import-type"));
        assert_eq!(read("saraksts.csv", b"a;b\0c"), Err("error-import-type"));
    }
}
