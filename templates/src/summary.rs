//! Error summaries, completed once the whole page is drawn. A page puts `error_summary` above
//! its form while it draws the form below; only the finished page knows where each field stands
//! and what its label says. `complete` rewrites every summary so that each problem names its
//! field by its label, in the order the fields stand on the page, linking to the field (or, for
//! a problem with no field of its own, to where the page states it). It reads markup this crate
//! drew, whose attribute values maud has escaped, so a `"` always ends a value.

/// The marker an unfinished summary item carries: `<li data-field="NAME">`.
const ITEM: &str = "<li data-field=\"";
const SUMMARY: &str = "<div class=\"error-summary\"";

/// Whether the page states any problem.
pub fn has_errors(page: &str) -> bool {
    page.contains(SUMMARY)
}

/// The page with every error summary completed.
pub fn complete(page: &str) -> String {
    let mut out = String::with_capacity(page.len() + 256);
    let mut rest = page;
    while let Some(start) = rest.find(SUMMARY) {
        let Some(list_start) = rest[start..].find("<ul>").map(|i| start + i + "<ul>".len()) else {
            break;
        };
        let Some(list_end) = rest[list_start..].find("</ul>").map(|i| list_start + i) else {
            break;
        };
        out.push_str(&rest[..list_start]);
        out.push_str(&items(page, &rest[list_start..list_end]));
        rest = &rest[list_end..];
    }
    out.push_str(rest);
    out
}

/// The completed items of one summary's list, in the order their fields stand on `page`.
fn items(page: &str, list: &str) -> String {
    let mut found: Vec<(Option<usize>, String)> = Vec::new();
    for raw in list.split("</li>").filter(|s| s.contains(ITEM)) {
        let Some(field) = between(raw, ITEM, "\"") else {
            continue;
        };
        let message = raw
            .rsplit_once("\">")
            .map(|(_, m)| m.trim_end_matches("</a>"))
            .unwrap_or("");
        let (target, at) = match position(page, field) {
            Some(at) => (field.to_owned(), Some(at)),
            None => {
                let stated = format!("{field}-error");
                match position(page, &stated) {
                    Some(at) => (stated, Some(at)),
                    None => (field.to_owned(), None),
                }
            }
        };
        let text = match label(page, field) {
            Some(label) => format!("{label}: {message}"),
            None => message.to_owned(),
        };
        let item = if at.is_some() {
            format!("<li><a href=\"#{target}\">{text}</a></li>")
        } else {
            format!("<li>{text}</li>")
        };
        found.push((at, item));
    }
    // Problems with no place of their own (a refusal of the whole form) come first.
    found.sort_by_key(|(at, _)| at.map_or((0, 0), |p| (1, p)));
    found.into_iter().map(|(_, item)| item).collect()
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let from = s.find(open)? + open.len();
    let to = s[from..].find(close)? + from;
    Some(&s[from..to])
}

/// Where the element with this id stands on the page.
fn position(page: &str, id: &str) -> Option<usize> {
    page.find(&format!(" id=\"{id}\""))
}

/// The text of the label of the field with this id, without markup inside it.
fn label(page: &str, id: &str) -> Option<String> {
    let attr = format!(" for=\"{id}\"");
    let from = page.match_indices(&attr).map(|(at, _)| at).find(|&at| {
        page[..at]
            .rfind('<')
            .is_some_and(|tag| page[tag..at].starts_with("<label"))
    })? + attr.len();
    let body_from = page[from..].find('>')? + from + 1;
    let body_to = page[body_from..].find("</label>")? + body_from;
    let mut text = String::new();
    let mut in_tag = false;
    for c in page[body_from..body_to].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_get_labels_page_order_and_links() {
        let page = concat!(
            "<div class=\"error-summary\" role=\"alert\"><h2>Fix</h2><ul>",
            "<li data-field=\"action\"><a href=\"#action\">Refused.</a></li>",
            "<li data-field=\"amount\"><a href=\"#amount\">Bad amount.</a></li>",
            "<li data-field=\"lines\"><a href=\"#lines\">No lines.</a></li>",
            "<li data-field=\"title\"><a href=\"#title\">Required.</a></li>",
            "</ul></div><form>",
            "<label for=\"title\">Title <abbr>*</abbr></label><input id=\"title\">",
            "<p class=\"error\" id=\"lines-error\">No lines.</p>",
            "<label class=\"visually-hidden\" for=\"amount\">Amount &amp; more</label><input id=\"amount\">",
            "</form>"
        );
        let done = complete(page);
        let list = between(&done, "<ul>", "</ul>").expect("list");
        assert_eq!(
            list,
            concat!(
                "<li>Refused.</li>",
                "<li><a href=\"#title\">Title *: Required.</a></li>",
                "<li><a href=\"#lines-error\">No lines.</a></li>",
                "<li><a href=\"#amount\">Amount &amp; more: Bad amount.</a></li>",
            )
        );
        assert!(done.ends_with("</form>") && done.contains("<label for=\"title\">"));
        assert!(has_errors(&done));
        assert_eq!(complete("<p>no errors</p>"), "<p>no errors</p>");
    }
}
