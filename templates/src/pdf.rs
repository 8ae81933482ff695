//! A small PDF writer for the portal's documents (an agreement, a plan, an application): A4 pages
//! of headings, wrapped paragraphs, label–value rows, tables and signature lines, in the viewer's
//! built-in Helvetica. The same blocks are drawn as HTML for the printable page ([`html`]).
//! Latvian letters, the euro sign and typographic quotes are mapped into the font's encoding by
//! a `Differences` array (the standard Latin glyph set has them), so nothing is embedded and a
//! document of a few pages is a few kilobytes.
#![expect(
    clippy::float_arithmetic,
    reason = "page layout in points; no money is computed here (amounts arrive as text)"
)]

/// One block of a document, laid out top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Title(String),
    Heading(String),
    Paragraph(String),
    /// A label and its value, side by side.
    Field(String, String),
    /// Signature lines, each with its caption under it.
    Signatures(Vec<String>),
    /// A table: its columns, then its rows (a row shorter than the columns leaves the rest empty).
    Table(Vec<Column>, Vec<Vec<String>>),
}

/// A table's column: its heading, its share of the width (any unit; the shares are summed) and
/// whether its cells are numbers (right-aligned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub heading: String,
    pub share: u16,
    pub numeric: bool,
}

impl Column {
    pub fn new(heading: String, share: u16, numeric: bool) -> Self {
        Self {
            heading,
            share,
            numeric,
        }
    }
}

/// The blocks as HTML, for a page printed from the browser (the first title is the page's own
/// heading, so it is left out); fields in a row make one list, so that their values align.
pub fn html(blocks: &[Block]) -> maud::Markup {
    let skip = usize::from(matches!(blocks.first(), Some(Block::Title(_))));
    let runs = blocks[skip..].chunk_by(|a, b| matches!((a, b), (Block::Field(..), Block::Field(..))));
    maud::html! {
        @for run in runs {
            @if let [Block::Field(..), ..] = run {
                dl { @for b in run { @if let Block::Field(k, v) = b { dt { (k) } dd.pre { (v) } } } }
            }
            @for b in run {
                @match b {
                    Block::Title(s) | Block::Heading(s) => h2 { (s) },
                    Block::Paragraph(s) => p.pre { (s) },
                    Block::Field(..) => {},
                    Block::Signatures(captions) => div.signatures {
                        @for c in captions { div.signature { span.line {} span { (c) } } }
                    },
                    Block::Table(columns, rows) => table {
                        thead { tr { @for c in columns { th.num[c.numeric] scope="col" { (c.heading) } } } }
                        tbody { @for row in rows { tr {
                            @for (i, c) in columns.iter().enumerate() { td.num[c.numeric] { (row.get(i).map_or("", String::as_str)) } }
                        } } }
                    },
                }
            }
        }
    }
}

/// A document as a page to print from the browser: its links (back, the PDF; not printed), a
/// hint how to print it, and the blocks - in a frame whose heading row, `running`, the browser
/// repeats on every printed page. The first title block is the page's heading.
pub fn printable(
    ctx: &crate::PageCtx,
    blocks: &[Block],
    (back, back_label): (&str, &str),
    pdf: &str,
    running: &str,
) -> maud::Markup {
    let l = ctx.lang;
    let title = match blocks.first() {
        Some(Block::Title(s)) => s.clone(),
        _ => running.to_owned(),
    };
    crate::layout(
        ctx,
        &title,
        maud::html! {
            p.actions {
                a href=(back) { (crate::t(l, back_label)) }
                a href=(pdf) { (crate::t(l, "agreement-download-pdf")) }
            }
            p.hint.no-print { (crate::t(l, "document-print-hint")) }
            table.print-frame role="presentation" {
                thead { tr { td { p.running { (running) } } } }
                tbody { tr { td { article.document { (html(blocks)) } } } }
            }
        },
    )
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const LABEL_W: f32 = 170.0;

/// Letters outside WinAnsi, given codes 128.. by the fonts' `Differences`.
const EXTRA: &[(char, &str)] = &[
    ('Ā', "Amacron"),
    ('ā', "amacron"),
    ('Č', "Ccaron"),
    ('č', "ccaron"),
    ('Ē', "Emacron"),
    ('ē', "emacron"),
    ('Ģ', "Gcommaaccent"),
    ('ģ', "gcommaaccent"),
    ('Ī', "Imacron"),
    ('ī', "imacron"),
    ('Ķ', "Kcommaaccent"),
    ('ķ', "kcommaaccent"),
    ('Ļ', "Lcommaaccent"),
    ('ļ', "lcommaaccent"),
    ('Ņ', "Ncommaaccent"),
    ('ņ', "ncommaaccent"),
    ('Š', "Scaron"),
    ('š', "scaron"),
    ('Ū', "Umacron"),
    ('ū', "umacron"),
    ('Ž', "Zcaron"),
    ('ž', "zcaron"),
    ('€', "Euro"),
    ('–', "endash"),
    ('—', "emdash"),
    ('„', "quotedblbase"),
    ('“', "quotedblleft"),
    ('”', "quotedblright"),
    ('‘', "quoteleft"),
    ('’', "quoteright"),
    ('•', "bullet"),
];

/// The byte a character is shown by (`?` for one the font cannot show).
fn code(c: char) -> u8 {
    if let Some(i) = EXTRA.iter().position(|(x, _)| *x == c) {
        return 128 + i as u8;
    }
    match u32::from(c) {
        0x20..=0x7E | 0xA0..=0xFF => c as u8,
        0x202F | 0x2009 => b' ',
        _ => b'?',
    }
}

/// Helvetica's advance widths (1/1000 em) of the ASCII characters from the space on.
const REGULAR: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
    556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
    260, 334, 584,
];
const BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611,
    556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389,
    280, 389, 584,
];

/// The width of `s` at `size` points; a marked letter is as wide as its base letter.
fn width(s: &str, size: f32, bold: bool) -> f32 {
    let table = if bold { &BOLD } else { &REGULAR };
    let units: u32 = entities::domain::ascii_fold(s)
        .chars()
        .map(|c| match u32::from(c) {
            b @ 0x20..=0x7E => u32::from(table[(b - 0x20) as usize]),
            0xA0 => 278,
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
}

/// `text` broken into lines no wider than `max` (a word longer than a line is cut).
fn wrap(text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        // Only plain spaces break a line (a no-break space, as in `1 200,00 €`, does not).
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if width(&candidate, size, bold) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let mut rest = word.to_owned();
            while width(&rest, size, bold) > max {
                let mut cut = rest.chars().count();
                while cut > 1 && width(&rest.chars().take(cut).collect::<String>(), size, bold) > max {
                    cut -= 1;
                }
                lines.push(rest.chars().take(cut).collect());
                rest = rest.chars().skip(cut).collect();
            }
            line = rest;
        }
        lines.push(line);
    }
    lines
}

/// A PDF string literal of `s` in the fonts' encoding.
fn literal(s: &str) -> String {
    let mut out = String::from("(");
    for c in s.chars() {
        match code(c) {
            b'(' => out.push_str("\\("),
            b')' => out.push_str("\\)"),
            b'\\' => out.push_str("\\\\"),
            b @ 0x20..=0x7E => out.push(char::from(b)),
            b => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out.push(')');
    out
}

struct Layout {
    pages: Vec<String>,
    page: String,
    y: f32,
}

impl Layout {
    fn room(&mut self, height: f32) {
        if self.y - height < MARGIN + 20.0 {
            self.pages.push(std::mem::take(&mut self.page));
            self.y = PAGE_H - MARGIN;
        }
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, s: &str) {
        let font = if bold { "F2" } else { "F1" };
        self.page
            .push_str(&format!("BT /{font} {size} Tf {x:.1} {y:.1} Td {} Tj ET\n", literal(s)));
    }

    fn lines(&mut self, x: f32, size: f32, bold: bool, lines: &[String]) {
        let leading = size * 1.35;
        for line in lines {
            self.room(leading);
            self.y -= leading;
            let y = self.y;
            self.text(x, y, size, bold, line);
        }
    }
}

/// A table across the full width: a bold heading row (repeated on a new page), a rule under it,
/// each row as tall as its longest cell, numbers right-aligned.
fn table(l: &mut Layout, columns: &[Column], rows: &[Vec<String>], full: f32) {
    const SIZE: f32 = 9.0;
    const GAP: f32 = 6.0;
    let shares: f32 = columns.iter().map(|c| f32::from(c.share.max(1))).sum();
    let widths: Vec<f32> = columns
        .iter()
        .map(|c| full * f32::from(c.share.max(1)) / shares)
        .collect();
    let leading = SIZE * 1.35;
    let draw = |l: &mut Layout, cells: Vec<Vec<String>>, bold: bool| {
        let top = l.y;
        let mut x = MARGIN;
        let mut bottom = top;
        for ((lines, c), w) in cells.iter().zip(columns).zip(&widths) {
            l.y = top;
            for line in lines {
                l.y -= leading;
                let at = if c.numeric {
                    x + w - GAP - width(line, SIZE, bold)
                } else {
                    x
                };
                let y = l.y;
                l.text(at, y, SIZE, bold, line);
            }
            bottom = bottom.min(l.y);
            x += w;
        }
        l.y = bottom - 3.0;
    };
    let wrapped = |texts: &[&str], bold: bool| -> Vec<Vec<String>> {
        texts
            .iter()
            .zip(&widths)
            .map(|(s, w)| wrap(s, SIZE, bold, w - GAP))
            .collect()
    };
    let head: Vec<&str> = columns.iter().map(|c| c.heading.as_str()).collect();
    let head = wrapped(&head, true);
    let head_height = leading * head.iter().map(Vec::len).max().unwrap_or(1) as f32 + 3.0;
    let heading = |l: &mut Layout| {
        draw(l, head.clone(), true);
        let y = l.y + 1.0;
        l.page
            .push_str(&format!("0.5 w {MARGIN:.1} {y:.1} m {:.1} {y:.1} l S\n", MARGIN + full));
        l.y -= 2.0;
    };
    l.y -= 4.0;
    l.room(head_height + 2.0 * leading);
    heading(l);
    for row in rows {
        let texts: Vec<&str> = (0..columns.len())
            .map(|i| row.get(i).map_or("", String::as_str))
            .collect();
        let cells = wrapped(&texts, false);
        let height = leading * cells.iter().map(Vec::len).max().unwrap_or(1) as f32 + 3.0;
        let before = l.pages.len();
        l.room(height);
        if l.pages.len() != before {
            heading(l);
        }
        draw(l, cells, false);
    }
    l.y -= 6.0;
}

/// The document of `blocks` with `footer` (and the page number) at the foot of every page.
pub fn render(blocks: &[Block], footer: &str) -> Vec<u8> {
    let full = PAGE_W - 2.0 * MARGIN;
    let mut l = Layout {
        pages: Vec::new(),
        page: String::new(),
        y: PAGE_H - MARGIN,
    };
    for block in blocks {
        match block {
            Block::Title(s) => {
                l.lines(MARGIN, 15.0, true, &wrap(s, 15.0, true, full));
                l.y -= 8.0;
            }
            Block::Heading(s) => {
                l.y -= 8.0;
                l.room(40.0);
                l.lines(MARGIN, 11.5, true, &wrap(s, 11.5, true, full));
                l.y -= 2.0;
            }
            Block::Paragraph(s) => {
                l.lines(MARGIN, 10.0, false, &wrap(s, 10.0, false, full));
                l.y -= 4.0;
            }
            Block::Field(label, value) => {
                let labels = wrap(label, 10.0, true, LABEL_W - 10.0);
                let values = wrap(value, 10.0, false, full - LABEL_W);
                let rows = labels.len().max(values.len());
                l.room(13.5 * rows as f32);
                let top = l.y;
                l.lines(MARGIN, 10.0, true, &labels);
                let after_labels = l.y;
                l.y = top;
                l.lines(MARGIN + LABEL_W, 10.0, false, &values);
                l.y = l.y.min(after_labels) - 2.0;
            }
            Block::Signatures(captions) => {
                l.y -= 10.0;
                for pair in captions.chunks(2) {
                    l.room(60.0);
                    l.y -= 40.0;
                    let y = l.y;
                    for (i, caption) in pair.iter().enumerate() {
                        let x = MARGIN + i as f32 * (full / 2.0 + 10.0);
                        let w = full / 2.0 - 20.0;
                        l.page
                            .push_str(&format!("0.5 w {x:.1} {y:.1} m {:.1} {y:.1} l S\n", x + w));
                        l.text(x, y - 12.0, 9.0, false, caption);
                    }
                    l.y -= 16.0;
                }
            }
            Block::Table(columns, rows) => table(&mut l, columns, rows, full),
        }
    }
    l.pages.push(l.page);
    let count = l.pages.len();
    // Objects: 1 catalog, 2 pages, 3-4 fonts, then a page and its content for each page.
    let mut objects: Vec<String> = Vec::new();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".to_owned());
    let kids: Vec<String> = (0..count).map(|i| format!("{} 0 R", 5 + 2 * i)).collect();
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {count} >>", kids.join(" ")));
    let differences: Vec<String> = EXTRA.iter().map(|(_, name)| format!("/{name}")).collect();
    for base in ["Helvetica", "Helvetica-Bold"] {
        objects.push(format!(
            "<< /Type /Font /Subtype /Type1 /BaseFont /{base} /Encoding << /Type /Encoding \
             /BaseEncoding /WinAnsiEncoding /Differences [128 {}] >> >>",
            differences.join(" ")
        ));
    }
    for (i, content) in l.pages.iter().enumerate() {
        let mut content = content.clone();
        let foot = format!("{footer}   {}/{count}", i + 1);
        content.push_str(&format!(
            "BT /F1 8 Tf {MARGIN:.1} {:.1} Td {} Tj ET\n",
            MARGIN - 20.0,
            literal(&foot)
        ));
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] \
             /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
            6 + 2 * i
        ));
        objects.push(format!("<< /Length {} >>\nstream\n{content}endstream", content.len()));
    }
    let mut pdf = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        tail.push_str(&format!("{offset:010} 00000 n \n"));
    }
    tail.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.extend_from_slice(tail.as_bytes());
    pdf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latvian_letters_and_the_euro_are_encoded_and_brackets_escaped() {
        assert_eq!(literal("Līgums (1)"), "(L\\211gums \\(1\\))");
        assert_eq!(
            literal("Žūžā €"),
            format!("(\\{:03o}\\{:03o}\\{:03o}\\{:03o} \\{:03o})", 148, 147, 149, 129, 150)
        );
        assert_eq!(literal("中"), "(?)");
    }

    #[test]
    fn long_text_wraps_within_the_width_and_long_documents_get_more_pages() {
        let text = "vārds ".repeat(200);
        for line in wrap(&text, 10.0, false, 300.0) {
            assert!(width(&line, 10.0, false) <= 300.0, "{line}");
        }
        let one = render(&[Block::Paragraph("īss".into())], "x");
        assert!(one.starts_with(b"%PDF-1.4") && one.ends_with(b"%%EOF\n"));
        assert!(String::from_utf8_lossy(&one).contains("/Count 1 "));
        let many = render(&vec![Block::Paragraph(text); 20], "x");
        let count: usize = String::from_utf8_lossy(&many)
            .split("/Count ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(count > 3, "{count} pages");
    }

    #[test]
    fn a_long_table_repeats_its_heading_on_every_page_and_numbers_stay_inside_their_column() {
        let columns = vec![
            Column::new("Pozīcija".into(), 3, false),
            Column::new("Summa".into(), 1, true),
        ];
        let rows: Vec<Vec<String>> = (0..200)
            .map(|i| vec![format!("rinda {i} ").repeat(6), "1 200,00 €".into()])
            .collect();
        let pdf = String::from_utf8_lossy(&render(&[Block::Table(columns, rows)], "x")).into_owned();
        let pages: Vec<&str> = pdf.split(">>\nstream\n").skip(1).collect();
        assert!(pages.len() > 3, "{} pages", pages.len());
        for page in &pages {
            assert!(page.contains("(Poz\\211cija)"), "heading on every page");
        }
        assert!(pdf.contains("(rinda 199"), "the last row is drawn");
        // A number ends before the right margin: its x plus its width stays within the page.
        let full = PAGE_W - 2.0 * MARGIN;
        let xs: Vec<f32> = pdf
            .lines()
            .filter(|l| l.contains("(1 200,00 \\226)"))
            .filter_map(|l| l.split(' ').nth(4)?.parse().ok())
            .collect();
        assert_eq!(xs.len(), 200);
        for x in xs {
            assert!(x + width("1 200,00 €", 9.0, false) <= MARGIN + full, "{x}");
            assert!(x > MARGIN + full * 3.0 / 4.0 - 1.0, "{x} is in the last column");
        }
    }
}
