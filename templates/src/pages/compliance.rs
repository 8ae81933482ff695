//! The compliance tier on an application's page: the coordinator's checks, questions and
//! ineligibility; the applicant's answers, the reason they see, and declining a grant.

use maud::{Markup, html};

use crate::components::{FormView, csrf, error_summary};
use crate::{PageCtx, t};

pub struct ClarificationView {
    pub id: i32,
    pub question: String,
    pub deadline: String,
    pub answer: Option<String>,
    pub can_answer: bool,
}

pub struct RequirementRow {
    pub id: i32,
    pub text: String,
    /// `None` until checked.
    pub met: Option<bool>,
    pub comment: String,
}

fn clarifications(ctx: &PageCtx, app_id: i32, rows: &[ClarificationView]) -> Markup {
    let l = ctx.lang;
    html! {
        @if !rows.is_empty() {
            h2 #clarifications { (t(l, "clarifications-title")) }
            @for c in rows {
                div.criterion {
                    p { strong { (c.question) } br; span.hint { (t(l, "clarification-deadline")) ": " (c.deadline) } }
                    @if let Some(answer) = &c.answer {
                        p.pre { (answer) }
                    } @else if c.can_answer {
                        form method="post" action={ "/applications/" (app_id) "/clarifications/" (c.id) } {
                            (csrf(ctx))
                            div.field {
                                label for={ "answer-" (c.id) } { (t(l, "clarification-answer")) }
                                textarea id={ "answer-" (c.id) } name="answer" rows="3" required {}
                            }
                            button type="submit" { (t(l, "clarification-send")) }
                        }
                    } @else {
                        p.empty { (t(l, "clarification-unanswered")) }
                    }
                }
            }
        }
    }
}

/// A grant offered to the applicant, as it stands.
pub struct OfferView {
    pub amount: String,
    pub status: String,
    /// By when to accept; empty once answered.
    pub answer_by: String,
    pub can_accept: bool,
    /// The project's page, once the grant is accepted.
    pub project_href: Option<String>,
}

/// What the applicant sees: questions to answer, the reason for ineligibility, the grant
/// offered with its acceptance, declining.
pub fn applicant(
    ctx: &PageCtx,
    app_id: i32,
    rows: &[ClarificationView],
    ineligible: Option<&str>,
    offer: Option<&OfferView>,
    can_decline: bool,
) -> Markup {
    let l = ctx.lang;
    html! {
        @if let Some(reason) = ineligible {
            h2 { (t(l, "application-status-ineligible")) }
            p.pre { (reason) }
        }
        @if let Some(o) = offer {
            h2 { (t(l, "offer-title")) }
            dl {
                dt { (t(l, "offer-granted")) } dd #granted { (o.amount) }
                dt { (t(l, "offer-status")) } dd #offer-status { (o.status) }
                @if !o.answer_by.is_empty() { dt { (t(l, "offer-answer-by")) } dd { strong { (o.answer_by) } } }
            }
            @if let Some(href) = &o.project_href {
                p { a href=(href) { (t(l, "project-open")) } }
            }
            @if o.can_accept {
                form method="post" action={ "/applications/" (app_id) "/accept" } {
                    (csrf(ctx))
                    button type="submit" { (t(l, "offer-accept")) }
                }
            }
        }
        (clarifications(ctx, app_id, rows))
        @if can_decline {
            form method="post" action={ "/applications/" (app_id) "/decline" } {
                (csrf(ctx))
                div.field.checkbox {
                    input id="confirm" name="confirm" type="checkbox" value="yes" required;
                    label for="confirm" { (t(l, "decline-confirm")) }
                }
                button.danger type="submit" { (t(l, "decline-submit")) }
            }
        }
    }
}

/// The coordinator's compliance tools for one application.
pub fn coordinator(
    ctx: &PageCtx,
    app_id: i32,
    documents: &[crate::pages::call_form::DocumentView],
    requirements: &[RequirementRow],
    rows: &[ClarificationView],
    open: bool,
    form: &FormView,
) -> Markup {
    let l = ctx.lang;
    let base = format!("/manage/applications/{app_id}");
    html! {
        section #compliance {
            h2 { (t(l, "compliance-title")) }
            (error_summary(l, form))
            @if !documents.is_empty() {
                h3 { (t(l, "call-form-documents")) }
                ul #document-check { @for d in documents { li {
                    (d.title) ": "
                    @if d.files.is_empty() { strong { (t(l, "call-form-not-attached")) } }
                    @else { (t(l, "call-form-attached")) " — " (d.files.join(", ")) }
                } } }
            }
            @if requirements.is_empty() { p.empty { (t(l, "compliance-none")) } }
            @if open && !requirements.is_empty() {
                form method="post" action={ (base) "/compliance" } {
                    (csrf(ctx))
                    @for r in requirements {
                        fieldset {
                            legend { (r.text) }
                            input type="hidden" name="requirement" value=(r.id);
                            div.field.checkbox {
                                input id={ "met-" (r.id) } name="met" type="checkbox" value=(r.id) checked[r.met == Some(true)];
                                label for={ "met-" (r.id) } { (t(l, "compliance-met")) }
                            }
                            @let field = format!("comment-{}", r.id);
                            div.field.has-error[form.errors.get(&field).is_some()] {
                                label for=(field) { (t(l, "compliance-comment")) }
                                @if let Some(m) = form.errors.get(&field) { p.error id={ (field) "-error" } { (t(l, m)) } }
                                input id=(field) name="comment" type="text" value=(r.comment);
                            }
                        }
                    }
                    button type="submit" { (t(l, "compliance-save")) }
                }
            } @else {
                ul { @for r in requirements { li { (r.text) ": " (t(l, match r.met { Some(true) => "yes", Some(false) => "no", None => "compliance-unchecked" })) @if !r.comment.is_empty() { " — " (r.comment) } } } }
            }
            (clarifications(ctx, app_id, rows))
            @if open {
                h3 { (t(l, "clarification-ask")) }
                form method="post" action={ (base) "/clarifications" } novalidate {
                    (csrf(ctx))
                    div.field.has-error[form.errors.get("question").is_some()] {
                        label for="question" { (t(l, "clarification-question")) }
                        @if let Some(m) = form.errors.get("question") { p.error id="question-error" { (t(l, m)) } }
                        textarea id="question" name="question" rows="3" { (form.value("question")) }
                    }
                    div.field.has-error[form.errors.get("deadline").is_some()] {
                        label for="deadline" { (t(l, "clarification-deadline")) }
                        p.hint { (t(l, "hint-riga-time")) }
                        @if let Some(m) = form.errors.get("deadline") { p.error id="deadline-error" { (t(l, m)) } }
                        input id="deadline" name="deadline" type="datetime-local" value=(form.value("deadline"));
                    }
                    button.secondary type="submit" { (t(l, "clarification-ask")) }
                }
                h3 { (t(l, "ineligible-title")) }
                form method="post" action={ (base) "/ineligible" } novalidate {
                    (csrf(ctx))
                    div.field.has-error[form.errors.get("reason").is_some()] {
                        label for="reason" { (t(l, "ineligible-reason")) }
                        @if let Some(m) = form.errors.get("reason") { p.error id="reason-error" { (t(l, m)) } }
                        textarea id="reason" name="reason" rows="2" { (form.value("reason")) }
                    }
                    div.field.checkbox {
                        input id="ineligible_confirm" name="confirm" type="checkbox" value="yes";
                        label for="ineligible_confirm" { (t(l, "ineligible-confirm")) }
                    }
                    button.danger type="submit" { (t(l, "ineligible-submit")) }
                }
            }
        }
    }
}
