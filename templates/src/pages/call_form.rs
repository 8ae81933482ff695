//! A call's own form: the coordinator's builder (questions, required documents, budget
//! categories), and the pieces the application's pages draw from it — each question's field,
//! each required document's upload, the answers as read.

use entities::entity::call_question::QuestionKind;
use maud::{Markup, html};

use crate::components::{FormView, Input, checkbox, csrf, error_summary, field, select, textarea};
use crate::{Lang, PageCtx, layout, t, tf};

/// A question as its field draws it.
pub struct QuestionView {
    pub id: i32,
    /// `q-{id}`: the field's name and id.
    pub field: String,
    pub kind: QuestionKind,
    pub label: String,
    pub help: String,
    pub required: bool,
    pub max_len: Option<i32>,
    pub options: Vec<String>,
    /// Files already given as its answer (a file question).
    pub files: Vec<String>,
}

/// A required document: what it is, the kinds of file it may be, what was attached as it.
pub struct DocumentView {
    pub id: i32,
    /// `doc-{id}`.
    pub field: String,
    pub title: String,
    /// "PDF, DOCX"
    pub types: String,
    /// The file input's `accept`.
    pub accept: String,
    pub files: Vec<String>,
}

/// A budget category of the call with its cap, as said to the applicant.
pub struct CategoryView {
    pub id: i32,
    pub name: String,
    pub cap: String,
}

/// The call's form as its pages show it.
#[derive(Default)]
pub struct FormSpec {
    pub questions: Vec<QuestionView>,
    pub documents: Vec<DocumentView>,
    pub categories: Vec<CategoryView>,
}

fn kind_label(l: Lang, kind: QuestionKind) -> String {
    t(l, &format!("question-kind-{}", kind.as_str()))
}

/// The builder: the call's questions, required documents and categories, with forms to add
/// more while the call is a draft.
pub fn builder(ctx: &PageCtx, call_title: &str, call_id: i32, draft: bool, spec: &FormSpec, form: &FormView) -> Markup {
    let l = ctx.lang;
    let base = format!("/manage/calls/{call_id}/form");
    let remove = |part: &str, id: i32| {
        html! {
            form.inline method="post" action={ (base) "/" (part) "/" (id) "/delete" } {
                (csrf(ctx)) button.link type="submit" { (t(l, "call-form-remove")) }
            }
        }
    };
    let kinds: Vec<(String, String)> = QuestionKind::ALL
        .into_iter()
        .map(|k| (k.as_str().to_owned(), kind_label(l, k)))
        .collect();
    let caps: Vec<(String, String)> = [
        ("", "call-form-cap-none"),
        ("share", "call-form-cap-share"),
        ("amount", "call-form-cap-amount"),
    ]
    .into_iter()
    .map(|(v, k)| (v.to_owned(), t(l, k)))
    .collect();
    layout(
        ctx,
        &tf(l, "call-form-title", &[("call", call_title)]),
        html! {
            (error_summary(l, form))
            p.actions {
                a href={ "/manage/calls/" (call_id) } { (t(l, "call-files-back")) }
                a href={ "/manage/calls/" (call_id) "/preview" } { (t(l, "call-form-preview")) }
            }
            p.hint { (t(l, if draft { "call-form-lead" } else { "call-form-frozen" })) }
            section {
                h2 { (t(l, "call-form-questions")) }
                @if spec.questions.is_empty() { p.empty { (t(l, "call-form-no-questions")) } }
                @else { ol #questions { @for (i, q) in spec.questions.iter().enumerate() { li {
                    strong { (q.label) } " (" (kind_label(l, q.kind))
                    @if q.required { ", " (t(l, "call-form-required")) }
                    @if let Some(max) = q.max_len { ", " (tf(l, "call-form-max-len", &[("n", &max.to_string())])) }
                    ")"
                    @if !q.options.is_empty() { " — " (q.options.join(" / ")) }
                    @if !q.help.is_empty() { br; span.hint { (q.help) } }
                    @if draft {
                        " "
                        @if i > 0 { form.inline method="post" action={ (base) "/question/" (q.id) "/up" } { (csrf(ctx)) button.link type="submit" { (t(l, "call-form-up")) } } " " }
                        @if i + 1 < spec.questions.len() { form.inline method="post" action={ (base) "/question/" (q.id) "/down" } { (csrf(ctx)) button.link type="submit" { (t(l, "call-form-down")) } } " " }
                        (remove("question", q.id))
                    }
                } } } }
                @if draft {
                    details open[form.errors.0.keys().any(|k| ["kind", "label", "help", "max_len", "choices"].contains(&k.as_str()))] {
                        summary { (t(l, "call-form-add-question")) }
                        form method="post" action={ (base) "/questions" } novalidate {
                            (csrf(ctx))
                            (select(l, form, "kind", "call-form-kind", &kinds))
                            (field(l, form, "label", "call-form-label", Input::TEXT))
                            (textarea(l, form, "help", "call-form-help", 2))
                            (checkbox(l, form, "required", "call-form-required-box"))
                            (field(l, form, "max_len", "call-form-max-len-label", Input { hint: Some("call-form-max-len-hint"), required: false, ..Input::TEXT }))
                            (textarea(l, form, "choices", "call-form-choices", 4))
                            p.hint { (t(l, "call-form-choices-hint")) }
                            button type="submit" { (t(l, "call-form-add-question")) }
                        }
                    }
                }
            }
            section {
                h2 { (t(l, "call-form-documents")) }
                @if spec.documents.is_empty() { p.empty { (t(l, "call-form-no-documents")) } }
                @else { ul #documents { @for d in &spec.documents { li {
                    strong { (d.title) } " (" (d.types) ")"
                    @if draft { " " (remove("document", d.id)) }
                } } } }
                @if draft {
                    details open[form.errors.0.keys().any(|k| k.starts_with("doc_"))] {
                        summary { (t(l, "call-form-add-document")) }
                        form method="post" action={ (base) "/documents" } novalidate {
                            (csrf(ctx))
                            (field(l, form, "doc_title", "call-form-document-title", Input { hint: Some("call-form-document-hint"), ..Input::TEXT }))
                            @let error = form.error("doc_types");
                            fieldset.has-error[error.is_some()] id="doc_types" {
                                legend { (t(l, "call-form-document-types")) }
                                @if let Some(m) = error { p.error id="doc_types-error" { (t(l, m)) } }
                                @for g in entities::grants::forms::TYPE_GROUPS {
                                    div.field.checkbox {
                                        input id={ "type-" (g) } name="types" type="checkbox" value=(g) checked[form.value("types").split(',').any(|v| v == g)];
                                        label for={ "type-" (g) } { (t(l, &format!("call-form-type-{g}"))) }
                                    }
                                }
                            }
                            button type="submit" { (t(l, "call-form-add-document")) }
                        }
                    }
                }
            }
            section {
                h2 { (t(l, "call-form-categories")) }
                @if spec.categories.is_empty() { p.empty { (t(l, "call-form-no-categories")) } }
                @else { ul #categories { @for k in &spec.categories { li {
                    strong { (k.name) } @if !k.cap.is_empty() { " — " (k.cap) }
                    @if draft { " " (remove("category", k.id)) }
                } } } }
                @if draft {
                    details open[form.errors.0.keys().any(|k| k.starts_with("cat") || k.starts_with("cap"))] {
                        summary { (t(l, "call-form-add-category")) }
                        form method="post" action={ (base) "/categories" } novalidate {
                            (csrf(ctx))
                            (field(l, form, "cat_name", "call-form-category-name", Input::TEXT))
                            (select(l, form, "cap", "call-form-cap", &caps))
                            (field(l, form, "cap_value", "call-form-cap-value", Input { hint: Some("call-form-cap-value-hint"), required: false, ..Input::TEXT }))
                            button type="submit" { (t(l, "call-form-add-category")) }
                        }
                    }
                }
            }
        },
    )
}

/// The field of one question on the application form, holding what was typed.
/// (An empty `upload_action` disables a file question's upload button, as in a preview.)
pub fn question_field(l: Lang, q: &QuestionView, form: &FormView, upload_action: &str) -> Markup {
    let error = form.errors.get(&q.field);
    let value = form.value(&q.field);
    let hint_id = format!("{}-hint", q.field);
    let error_id = format!("{}-error", q.field);
    let described: Vec<&str> = [
        (!q.help.is_empty()).then_some(hint_id.as_str()),
        error.map(|_| error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let described = (!described.is_empty()).then(|| described.join(" "));
    let invalid = error.map(|_| "true");
    let label = html! {
        (q.label) @if !q.required { " " span.hint { (t(l, "call-form-optional")) } }
    };
    html! {
        @if matches!(q.kind, QuestionKind::Choice | QuestionKind::YesNo) {
            fieldset.field.has-error[error.is_some()] id=(q.field) aria-describedby=[described.as_deref()] {
                legend { (label) }
                @if !q.help.is_empty() { p.hint id=(hint_id) { (q.help) } }
                @if let Some(m) = error { p.error id=(error_id) { (t(l, m)) } }
                @let options: Vec<(String, String)> = if q.kind == QuestionKind::YesNo {
                    vec![("yes".to_owned(), t(l, "answer-yes")), ("no".to_owned(), t(l, "answer-no"))]
                } else {
                    q.options.iter().map(|o| (o.clone(), o.clone())).collect()
                };
                @for (i, (v, text)) in options.iter().enumerate() {
                    div.field.checkbox {
                        input id={ (q.field) "-" (i) } name=(q.field) type="radio" value=(v) checked[value == v];
                        label for={ (q.field) "-" (i) } { (text) }
                    }
                }
            }
        } @else {
            div.field.has-error[error.is_some()] {
                label for=(q.field) { (label) }
                @if !q.help.is_empty() { p.hint id=(hint_id) { (q.help) } }
                @if let Some(m) = error { p.error id=(error_id) { (t(l, m)) } }
                @match q.kind {
                    QuestionKind::LongText => {
                        textarea id=(q.field) name=(q.field) rows="5" maxlength=[q.max_len]
                            aria-invalid=[invalid] aria-describedby=[described.as_deref()] { (value) }
                        @if let Some(max) = q.max_len { p.hint { (tf(l, "call-form-max-len", &[("n", &max.to_string())])) } }
                    }
                    QuestionKind::File => {
                        @if !q.files.is_empty() { p { (t(l, "call-form-attached")) ": " (q.files.join(", ")) } }
                        input id=(q.field) name=(q.field) type="file" aria-describedby=[described.as_deref()] aria-invalid=[invalid]
                            accept=".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.odt,.ods,.edoc,.asice";
                        " "
                        button.secondary type="submit" formenctype="multipart/form-data" formaction=(upload_action) disabled[upload_action.is_empty()] { (t(l, "attachment-upload")) }
                    }
                    _ => {
                        @let (kind, mode) = match q.kind {
                            QuestionKind::Number => ("text", Some("numeric")),
                            QuestionKind::Amount => ("text", Some("decimal")),
                            QuestionKind::Date => ("date", None),
                            _ => ("text", None),
                        };
                        input id=(q.field) name=(q.field) type=(kind) inputmode=[mode] value=(value)
                            aria-invalid=[invalid] aria-describedby=[described.as_deref()];
                    }
                }
            }
        }
    }
}

/// The upload of one required document, with the types it may be and what is attached as it.
pub fn document_field(l: Lang, d: &DocumentView, form: &FormView, upload_action: &str) -> Markup {
    let error = form.errors.get(&d.field);
    html! {
        div.field.has-error[error.is_some()] {
            label for=(d.field) { (d.title) }
            p.hint id={ (d.field) "-hint" } { (tf(l, "call-form-document-allowed", &[("types", &d.types)])) }
            @if let Some(m) = error { p.error id={ (d.field) "-error" } { (t(l, m)) } }
            @if d.files.is_empty() { p { (t(l, "call-form-not-attached")) } }
            @else { p { (t(l, "call-form-attached")) ": " (d.files.join(", ")) } }
            input id=(d.field) name=(d.field) type="file" accept=(d.accept) aria-describedby={ (d.field) "-hint" }
                aria-invalid=[error.map(|_| "true")];
            " "
            button.secondary type="submit" formenctype="multipart/form-data" formaction=(upload_action) disabled[upload_action.is_empty()] { (t(l, "attachment-upload")) }
        }
    }
}

/// The answers to the call's questions, as read (label, shown answer).
pub fn answers(l: Lang, answers: &[(String, String)]) -> Markup {
    html! {
        @if !answers.is_empty() {
            section.answers {
                h2 { (t(l, "call-form-answers")) }
                dl { @for (label, value) in answers { dt { (label) } dd.pre { (value) } } }
            }
        }
    }
}
