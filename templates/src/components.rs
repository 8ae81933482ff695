//! Small pieces that pages are built from: form fields tied to their errors, the error summary,
//! the CSRF field, a pager, money.

use std::collections::BTreeMap;

use entities::FieldErrors;
use maud::{Markup, html};

use crate::{Lang, PageCtx, t, tf};

pub fn csrf(ctx: &PageCtx) -> Markup {
    html! { input type="hidden" name="_csrf" value=(ctx.csrf); }
}

/// A one-button form posting to `action` that goes through only with its box ticked
/// (`confirm=yes`): for what cannot be undone. `key` makes the box's id unique on the page.
pub fn confirmed_action(ctx: &PageCtx, action: &str, key: i32, confirm: &str, button: &str) -> Markup {
    let id = format!("confirm-{key}");
    html! {
        form.inline method="post" action=(action) {
            (csrf(ctx))
            input id=(id) name="confirm" type="checkbox" value="yes" required;
            label for=(id) { (t(ctx.lang, confirm)) }
            " "
            button.danger type="submit" { (t(ctx.lang, button)) }
        }
    }
}

/// The box of a form whose action cannot be undone (`confirm=yes`), saying what it will do,
/// with its problem if it was sent unticked. `id` names it (and its problem) on the page.
pub fn confirm_box(lang: Lang, form: &FormView, id: &str, label: &str) -> Markup {
    let error = form.errors.get(id);
    html! {
        div.field.checkbox.has-error[error.is_some()] {
            @if let Some(m) = error { p.error id={ (id) "-error" } { (t(lang, m)) } }
            input id=(id) name="confirm" type="checkbox" value="yes" required;
            label for=(id) { (label) }
        }
    }
}

/// A form as the user last sent it: the values they typed and what is wrong with them.
///
/// A form drawn several times on one page (a session form under each measure) is drawn from a
/// *scoped* view (`scoped`): every field's id — and the key its value and problem are kept
/// under — ends in the scope, so ids stay unique, and what was typed into one copy (moved
/// there by `in_scope`) comes back in that copy only.
#[derive(Debug, Clone, Default)]
pub struct FormView {
    pub values: BTreeMap<String, String>,
    pub errors: FieldErrors,
    /// Appended to field ids: empty, or `-SCOPE`.
    pub suffix: String,
}

impl FormView {
    pub fn new() -> Self {
        Self::default()
    }
    /// This form as typed into the copy drawn with `scope`: its values and problems are moved
    /// to that copy's ids.
    pub fn in_scope(self, scope: &str) -> Self {
        let key = |k: String| format!("{k}-{scope}");
        Self {
            values: self.values.into_iter().map(|(k, v)| (key(k), v)).collect(),
            errors: FieldErrors(self.errors.0.into_iter().map(|(k, m)| (key(k), m)).collect()),
            suffix: self.suffix,
        }
    }
    /// The view to draw the copy of a form with `scope` from.
    pub fn scoped(&self, scope: &str) -> Self {
        Self {
            suffix: format!("-{scope}"),
            ..self.clone()
        }
    }
    /// Whether anything was typed into, or is wrong with, the copy drawn with `scope`.
    pub fn touches(&self, scope: &str) -> bool {
        let end = format!("-{scope}");
        self.values
            .keys()
            .chain(self.errors.0.keys())
            .any(|k| k.ends_with(&end))
    }
    /// The id of field `name` in this (copy of the) form.
    pub fn id(&self, name: &str) -> String {
        format!("{name}{}", self.suffix)
    }
    /// This copy of the form with `value` in field `name` (what a correction form starts from).
    pub fn fill(mut self, name: &str, value: impl Into<String>) -> Self {
        self.values.insert(self.id(name), value.into());
        self
    }
    /// What was typed into field `name` of this copy.
    pub fn typed(&self, name: &str) -> &str {
        self.value(&self.id(name))
    }
    /// What is wrong with field `name` of this copy.
    pub fn error(&self, name: &str) -> Option<&'static str> {
        self.errors.get(&self.id(name))
    }
    /// A form shown again with what was typed in it and what is wrong with it.
    pub fn with_typed<'a>(values: impl IntoIterator<Item = (&'a str, &'a str)>, errors: FieldErrors) -> Self {
        values
            .into_iter()
            .fold(Self { errors, ..Self::new() }, |f, (k, v)| f.with(k, v))
    }

    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.values.insert(name.to_owned(), value.into());
        self
    }
    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }
}

/// The list of problems at the top of a rejected form. The layout completes it once the page
/// is drawn (`summary::complete`): each problem named by its field's label, in the order of the
/// form, linking to the field.
pub fn error_summary(lang: Lang, form: &FormView) -> Markup {
    html! {
        @if !form.errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" {
                h2 { (t(lang, "error-summary")) }
                ul {
                    @for (field, message) in &form.errors.0 {
                        li data-field=(field) { a href={ "#" (field) } { (t(lang, message)) } }
                    }
                }
            }
        }
    }
}

/// How a text input behaves.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub kind: &'a str,
    pub autocomplete: &'a str,
    pub hint: Option<&'a str>,
    pub required: bool,
}

impl Input<'_> {
    pub const TEXT: Input<'static> = Input {
        kind: "text",
        autocomplete: "off",
        hint: None,
        required: true,
    };
}

/// A labelled input with its hint and error, keeping what the user typed (never passwords).
pub fn field(lang: Lang, form: &FormView, name: &str, label: &str, input: Input<'_>) -> Markup {
    let id = form.id(name);
    let error = form.error(name);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described: Vec<&str> = [input.hint.map(|_| hint_id.as_str()), error.map(|_| error_id.as_str())]
        .into_iter()
        .flatten()
        .collect();
    let value = if input.kind == "password" { "" } else { form.typed(name) };
    html! {
        div.field.has-error[error.is_some()] {
            label for=(id) { (t(lang, label)) }
            @if let Some(hint) = input.hint {
                p.hint id=(hint_id) { (t(lang, hint)) }
            }
            @if let Some(message) = error {
                p.error id=(error_id) { (t(lang, message)) }
            }
            input id=(id) name=(name) type=(input.kind) value=(value)
                autocomplete=(input.autocomplete)
                required[input.required]
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[(!described.is_empty()).then(|| described.join(" "))];
        }
    }
}

/// A labelled multi-line text field, keeping what the user typed.
pub fn textarea(lang: Lang, form: &FormView, name: &str, label: &str, rows: u32) -> Markup {
    let id = form.id(name);
    let error = form.error(name);
    let error_id = format!("{id}-error");
    html! {
        div.field.has-error[error.is_some()] {
            label for=(id) { (t(lang, label)) }
            @if let Some(message) = error {
                p.error id=(error_id) { (t(lang, message)) }
            }
            textarea id=(id) name=(name) rows=(rows)
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())] { (form.typed(name)) }
        }
    }
}

/// A labelled checkbox; checked when the form holds `on` for it.
pub fn checkbox(lang: Lang, form: &FormView, name: &str, label: &str) -> Markup {
    let id = form.id(name);
    html! {
        div.field.checkbox {
            input id=(id) name=(name) type="checkbox" value="on" checked[form.typed(name) == "on"];
            label for=(id) { (t(lang, label)) }
        }
    }
}

/// A labelled select; `options` are (value, already translated label).
pub fn select(lang: Lang, form: &FormView, name: &str, label: &str, options: &[(String, String)]) -> Markup {
    let id = form.id(name);
    let error = form.error(name);
    let error_id = format!("{id}-error");
    html! {
        div.field.has-error[error.is_some()] {
            label for=(id) { (t(lang, label)) }
            @if let Some(message) = error {
                p.error id=(error_id) { (t(lang, message)) }
            }
            select id=(id) name=(name) aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())] {
                @for (value, text) in options {
                    option value=(value) selected[form.typed(name) == value] { (text) }
                }
            }
        }
    }
}

/// A long list as it was asked for: where it lives, the filters it keeps in its links, the
/// search, the sort (among `sorts`: key and label), the page and how many rows match.
pub struct ListView {
    pub path: String,
    pub keep: Vec<(&'static str, String)>,
    pub search: String,
    pub sort: String,
    pub sorts: Vec<(&'static str, String)>,
    pub page: u64,
    pub total: u64,
}

impl ListView {
    /// The list's address at `page`, keeping its filters, search and sort.
    pub fn href(&self, page: u64) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.keep {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        if !self.search.is_empty() {
            query.append_pair("q", &self.search);
        }
        if !self.sort.is_empty() {
            query.append_pair("sort", &self.sort);
        }
        query.append_pair("page", &page.to_string());
        format!("{}?{}", self.path, query.finish())
    }

    /// The list's first page with its filters and sort but no search.
    pub fn without_search(&self) -> String {
        ListView {
            path: self.path.clone(),
            keep: self.keep.clone(),
            search: String::new(),
            sort: self.sort.clone(),
            sorts: Vec::new(),
            page: 1,
            total: 0,
        }
        .href(1)
    }
}

/// The search and sort form above a long list (a plain GET form, so it works without scripts),
/// with the list's own `filters` (the fields of what `keep` holds) inside it, and the number of
/// rows found.
pub fn list_tools(lang: Lang, view: &ListView, search_label: &str, filters: Markup) -> Markup {
    html! {
        form.list-tools method="get" action=(view.path) role="search" {
            div.field {
                label for="q" { (t(lang, search_label)) }
                input id="q" name="q" type="search" value=(view.search) maxlength="100";
            }
            (filters)
            @if !view.sorts.is_empty() {
                div.field {
                    label for="sort" { (t(lang, "list-sort")) }
                    select id="sort" name="sort" {
                        @for (key, label) in &view.sorts {
                            option value=(key) selected[*key == view.sort] { (label) }
                        }
                    }
                }
            }
            button.secondary type="submit" { (t(lang, "list-apply")) }
        }
        p.hint role="status" {
            @if view.search.is_empty() {
                (tf(lang, "list-count", &[("total", &crate::view::count(lang, view.total))]))
            } @else {
                (tf(lang, "list-found", &[("total", &crate::view::count(lang, view.total)), ("search", &view.search)]))
                " " a href=(view.without_search()) { (t(lang, "list-clear")) }
            }
        }
    }
}

/// The pager under a long list, keeping its filters, search and sort.
pub fn list_pager(lang: Lang, view: &ListView) -> Markup {
    pager(lang, view.page, view.total, entities::listing::PAGE_SIZE, |p| {
        view.href(p)
    })
}

/// Previous/next links for a list of `total` rows shown `page_size` at a time.
pub fn pager(lang: Lang, page: u64, total: u64, page_size: u64, href: impl Fn(u64) -> String) -> Markup {
    let pages = total.div_ceil(page_size).max(1);
    let status = tf(
        lang,
        "pager-status",
        &[
            ("page", &crate::view::count(lang, page)),
            ("pages", &crate::view::count(lang, pages)),
            ("total", &crate::view::count(lang, total)),
        ],
    );
    html! {
        @if pages > 1 {
            nav.pager aria-label=(status) {
                @if page > 1 { a rel="prev" href=(href(page - 1)) { (t(lang, "pager-prev")) } }
                span { (status) }
                @if page < pages { a rel="next" href=(href(page + 1)) { (t(lang, "pager-next")) } }
            }
        }
    }
}
