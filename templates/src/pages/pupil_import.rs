//! Importing a class list: the upload (with the columns it needs), then the preview - every row
//! with what will become of it - and the confirmation that writes the new pupils.

use entities::plans::{ImportPreview, RowOutcome};
use maud::{Markup, html};

use crate::components::{FormView, csrf, error_summary};
use crate::{PageCtx, layout, t, tf};

/// The import page: the upload form, and once a file is read, its preview.
pub fn import(
    ctx: &PageCtx,
    school_id: i32,
    school_name: &str,
    form: &FormView,
    preview: Option<&ImportPreview>,
) -> Markup {
    let l = ctx.lang;
    let base = format!("/schools/{school_id}/pupils/import");
    let error = form.errors.get("file");
    layout(
        ctx,
        &t(l, "import-title"),
        html! {
            p.org-name { strong { (school_name) } }
            p.actions { a href={ "/schools/" (school_id) "/pupils" } { (t(l, "import-back")) } }
            (error_summary(l, form))
            @if let Some(p) = preview { (preview_section(ctx, &base, p)) }
            h2 { (t(l, if preview.is_some() { "import-another" } else { "import-upload" })) }
            p { (t(l, "import-lead")) }
            ul #import-columns {
                li #import-missing-name { (t(l, "import-column-name")) }
                li #import-missing-class { (t(l, "import-column-class")) }
                li #import-missing-birth { (t(l, "import-column-birth")) }
            }
            form method="post" action={ (base) "?_csrf=" (ctx.csrf) } enctype="multipart/form-data" {
                div.field.has-error[error.is_some()] {
                    label for="file" { (t(l, "import-file")) }
                    p.hint id="file-hint" { (t(l, "import-file-hint")) }
                    @if let Some(m) = error { p.error id="file-error" { (t(l, m)) } }
                    input id="file" name="file" type="file" accept=".csv,.xlsx,.txt" aria-describedby="file-hint"
                        aria-invalid=[error.map(|_| "true")];
                }
                button type="submit" { (t(l, "import-check")) }
            }
            p.hint { (t(l, "pupil-minimal-data")) }
        },
    )
}

fn preview_section(ctx: &PageCtx, base: &str, p: &ImportPreview) -> Markup {
    let l = ctx.lang;
    let count = |f: &dyn Fn(&RowOutcome) -> bool| p.rows.iter().filter(|r| f(&r.outcome)).count().to_string();
    let new = count(&|o| *o == RowOutcome::New);
    let registered = count(&|o| matches!(o, RowOutcome::Registered(_)));
    let repeated = count(&|o| matches!(o, RowOutcome::Repeated(_)));
    let wrong = count(&|o| matches!(o, RowOutcome::Wrong(_)));
    html! {
        section #import-preview {
            h2 { (t(l, "import-preview")) }
            ul.stats {
                li { span.number { (new) } (t(l, "import-count-new")) }
                li { span.number { (registered) } (t(l, "import-count-registered")) }
                li { span.number { (repeated) } (t(l, "import-count-repeated")) }
                li { span.number { (wrong) } (t(l, "import-count-wrong")) }
            }
            @if new == "0" {
                p.notice role="status" { (t(l, "import-nothing-new")) }
            } @else {
                form method="post" action={ (base) "/confirm" } {
                    (csrf(ctx))
                    @for r in p.new_pupils() {
                        input type="hidden" name="name" value=(r.name);
                        input type="hidden" name="class_name" value=(r.class_name);
                        input type="hidden" name="birth" value=(r.birth_date.map(|d| d.to_string()).unwrap_or_default());
                    }
                    p { (tf(l, "import-confirm-lead", &[("new", &new), ("skipped", &(p.rows.len() - p.new_pupils().count()).to_string())])) }
                    button type="submit" { (tf(l, "import-confirm", &[("new", &new)])) }
                }
            }
            table #import-rows {
                thead { tr {
                    th.num scope="col" { (t(l, "import-line")) }
                    th scope="col" { (t(l, "field-pupil-name")) }
                    th scope="col" { (t(l, "field-class")) }
                    th scope="col" { (t(l, "field-birth-date")) }
                    th scope="col" { (t(l, "import-outcome")) }
                } }
                tbody { @for r in &p.rows {
                    tr.has-error[matches!(r.outcome, RowOutcome::Wrong(_))] {
                        td.num { (r.line) }
                        td { (r.name) }
                        td { (r.class_name) }
                        td { (r.birth_date.map(crate::view::date).unwrap_or_else(|| r.birth.clone())) }
                        td.outcome {
                            @match &r.outcome {
                                RowOutcome::New => { (t(l, "import-row-new")) }
                                RowOutcome::Registered(id) => { a href={ "/pupils/" (id) } { (t(l, "import-row-registered")) } }
                                RowOutcome::Repeated(line) => { (tf(l, "import-row-repeated", &[("line", &line.to_string())])) }
                                RowOutcome::Wrong(problems) => {
                                    @for m in problems { p.error { (t(l, m)) } }
                                }
                            }
                        }
                    }
                } }
            }
        }
    }
}
