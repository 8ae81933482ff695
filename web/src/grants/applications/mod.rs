//! Applications, as the applicant writes them: start one on an open call, edit the draft
//! (budget lines added and removed on the server), attach documents, submit, withdraw. The
//! read-only view also serves the coordinator of the call.

use axum::extract::RawForm;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use entities::attachments::{self, DocType, Limits};
use entities::entity::application::{self, ApplicationStatus};
use entities::entity::call;
use entities::grants::applications::{self, DraftForm, LineForm};
use entities::grants::calls;
use entities::grants::forms::{self, CallForm, Slot};
use entities::money::Eur;
use entities::{Error as DomainError, FieldErrors, tokens};
use object_store::ObjectStoreExt;
use object_store::path::Path as StorePath;
use serde::Deserialize;
use std::collections::HashMap;
use templates::components::FormView;
use templates::pages::applications::{self as pages, ApplicationRow, ApplicationView, AttachmentView, LineView};
use templates::{Lang, t, tf};

use crate::ctx::{Signed, redirect_with_flash};
use crate::documents::serve_stored;
use crate::error::{AppError, AppResult};
use crate::grants::call_form;
use crate::lists::{self, ListQuery};
use crate::state::AppState;

mod compliance;

pub fn router(max_upload: usize) -> Router<AppState> {
    Router::new()
        .merge(compliance::router())
        .route("/calls/{id}/apply", post(start))
        .route("/applications", get(list))
        .route("/applications/{id}", get(show).post(save))
        .route("/applications/{id}/document", get(document_page))
        .route("/applications/{id}/document.pdf", get(document_pdf))
        .route("/applications/{id}/withdraw", get(withdraw_page).post(withdraw))
        .route("/applications/{id}/delete", post(delete_draft))
        .route(
            "/applications/{id}/attachments",
            post(upload).layer(DefaultBodyLimit::max(max_upload)),
        )
        .route("/applications/{id}/attachments/{aid}", get(download))
        .route("/applications/{id}/attachments/{aid}/delete", post(delete_attachment))
}

/// The draft form as posted: single fields, repeated budget-line fields, the button pressed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct DraftData {
    title: String,
    summary: String,
    target_group: String,
    activities: String,
    timeline: String,
    requested: String,
    cofinancing: String,
    line_category: Vec<String>,
    line_description: Vec<String>,
    line_quantity: Vec<String>,
    line_unit_cost: Vec<String>,
    action: String,
    submit_key: String,
    /// The answers to the call's questions (`q-{id}` fields), taken from the body as sent.
    #[serde(skip)]
    answers: HashMap<String, String>,
}

impl DraftData {
    /// The form from an urlencoded body: its fixed fields and the answers to the call's questions.
    fn from_body(body: &[u8]) -> Self {
        let mut data: Self = serde_html_form::from_bytes(body).unwrap_or_default();
        data.answers = form_urlencoded::parse(body)
            .filter(|(k, _)| k.starts_with("q-"))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        data
    }

    fn lines(&self) -> Vec<LineForm> {
        let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
        (0..self.line_description.len().max(self.line_category.len()))
            .map(|i| LineForm {
                category: at(&self.line_category, i),
                description: at(&self.line_description, i),
                quantity: at(&self.line_quantity, i),
                unit_cost: at(&self.line_unit_cost, i),
            })
            .collect()
    }

    fn set_lines(&mut self, lines: &[LineForm]) {
        self.line_category = lines.iter().map(|l| l.category.clone()).collect();
        self.line_description = lines.iter().map(|l| l.description.clone()).collect();
        self.line_quantity = lines.iter().map(|l| l.quantity.clone()).collect();
        self.line_unit_cost = lines.iter().map(|l| l.unit_cost.clone()).collect();
    }

    fn to_form(&self) -> DraftForm {
        DraftForm {
            title: self.title.clone(),
            summary: self.summary.clone(),
            target_group: self.target_group.clone(),
            activities: self.activities.clone(),
            timeline: self.timeline.clone(),
            requested: self.requested.clone(),
            cofinancing: self.cofinancing.clone(),
            lines: self.lines(),
            answers: self.answers.clone(),
        }
    }

    fn from_saved(
        app: &application::Model,
        lines: &[entities::entity::budget_line::Model],
        answers: &HashMap<i32, String>,
        lang: Lang,
    ) -> Self {
        let plain = |c: i64| {
            if c == 0 {
                String::new()
            } else {
                templates::view::amount_input(lang, c)
            }
        };
        let mut data = Self {
            title: app.title.clone(),
            summary: app.summary.clone(),
            target_group: app.target_group.clone(),
            activities: app.activities.clone(),
            timeline: app.timeline.clone(),
            requested: plain(app.requested_cents),
            cofinancing: plain(app.cofinancing_cents),
            answers: answers.iter().map(|(q, v)| (format!("q-{q}"), v.clone())).collect(),
            ..Default::default()
        };
        let forms: Vec<LineForm> = lines
            .iter()
            .map(|l| LineForm {
                category: l.category.clone(),
                description: l.description.clone(),
                quantity: l.quantity.to_string(),
                unit_cost: templates::view::amount_input(lang, l.unit_cents),
            })
            .collect();
        data.set_lines(&forms);
        data
    }

    /// Adds or removes a budget line when that button was pressed (a new line takes the last
    /// of the call's categories).
    fn apply_row_action(&mut self, form: &CallForm) {
        let mut lines = self.lines();
        if self.action == "add_line" {
            lines.push(LineForm {
                category: form.category_keys().pop().unwrap_or_default(),
                ..Default::default()
            });
        } else if let Some(i) = self
            .action
            .strip_prefix("remove_line-")
            .and_then(|i| i.parse::<usize>().ok())
        {
            if i < lines.len() {
                lines.remove(i);
            }
        } else {
            return;
        }
        self.set_lines(&lines);
    }
}

/// What an application's pages read besides the application and its call.
struct Saved {
    applicant: String,
    lines: Vec<entities::entity::budget_line::Model>,
    form: CallForm,
    answers: HashMap<i32, String>,
    docs: Vec<entities::entity::attachment::Model>,
}

impl Saved {
    async fn load(state: &AppState, app: &application::Model, call: &call::Model) -> AppResult<Self> {
        let form = forms::of_call(&state.db, call.id).await?;
        Ok(Self {
            applicant: entities::orgs::name_of(&state.db, app.applicant_id).await?,
            lines: applications::lines(&state.db, app.id).await?,
            answers: if form.questions.is_empty() {
                HashMap::new()
            } else {
                forms::answers(&state.db, app.id).await?
            },
            form,
            docs: applications::attachments(&state.db, app.id).await?,
        })
    }
}

/// Everything the pages show about one application.
async fn view_model(
    state: &AppState,
    lang: Lang,
    app: &application::Model,
    call: &call::Model,
    data: Option<DraftData>,
    errors: FieldErrors,
    own: bool,
) -> AppResult<ApplicationView> {
    let saved = Saved::load(state, app, call).await?;
    Ok(build_view(state, lang, app, call, saved, data, errors, own))
}

/// The view of `app` from what was read.
#[expect(clippy::too_many_arguments, reason = "the parts of one page, each named at the call")]
fn build_view(
    state: &AppState,
    lang: Lang,
    app: &application::Model,
    call: &call::Model,
    saved: Saved,
    data: Option<DraftData>,
    errors: FieldErrors,
    own: bool,
) -> ApplicationView {
    let now = state.now();
    let Saved {
        applicant,
        lines: saved_lines,
        form: call_form,
        answers: saved_answers,
        docs,
    } = saved;
    let data = data.unwrap_or_else(|| DraftData::from_saved(app, &saved_lines, &saved_answers, lang));
    let draft = app.status == ApplicationStatus::Draft;
    let editable = editable(app, call, now);
    let eur = |c: i64| Eur::from_cents(c).display(lang);
    let lines: Vec<LineView> = data
        .lines()
        .into_iter()
        .map(|l| {
            let total = match (l.quantity.trim().parse::<i64>(), Eur::parse(&l.unit_cost)) {
                (Ok(q), Some(u)) => eur(u.cents().saturating_mul(q)),
                _ => "—".to_owned(),
            };
            let category = if draft {
                l.category.clone()
            } else {
                category_label(lang, &call_form, &l.category)
            };
            let unit_cost = if draft {
                l.unit_cost.clone()
            } else {
                Eur::parse(&l.unit_cost).map(|u| u.display(lang)).unwrap_or_default()
            };
            LineView {
                category,
                description: l.description,
                quantity: l.quantity,
                unit_cost,
                total,
            }
        })
        .collect();
    // After a line was added or removed the page opens where the person was: on the new line,
    // on the line that took the removed one's place, or on the button that adds one.
    let (focus_line, focus_add) = match data.action.as_str() {
        "add_line" => (lines.len().checked_sub(1), false),
        a if a.starts_with("remove_line-") => match a.trim_start_matches("remove_line-").parse::<usize>() {
            Ok(i) if !lines.is_empty() => (Some(i.min(lines.len() - 1)), false),
            _ => (None, true),
        },
        _ => (None, false),
    };
    let form = FormView::with_typed(
        data.answers.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain([
            ("title", data.title.as_str()),
            ("summary", data.summary.as_str()),
            ("target_group", data.target_group.as_str()),
            ("activities", data.activities.as_str()),
            ("timeline", data.timeline.as_str()),
            ("requested", data.requested.as_str()),
            ("cofinancing", data.cofinancing.as_str()),
        ]),
        errors,
    );
    let mb = |b: u64| (b / (1024 * 1024)).to_string();
    ApplicationView {
        focus_line,
        focus_add,
        id: app.id,
        title: if app.title.is_empty() {
            t(lang, "application-untitled")
        } else {
            app.title.clone()
        },
        call_title: call.title.clone(),
        call_href: format!("/calls/{}", call.id),
        applicant,
        status: templates::view::application_status(lang, app.status),
        reference: app.ref_no.clone(),
        deadline: templates::view::riga(call.closes_at),
        time_left: templates::view::time_left(lang, call.closes_at, now),
        limits: tf(
            lang,
            "application-limits-text",
            &[
                ("min", &eur(call.min_grant_cents)),
                ("max", &eur(call.max_grant_cents)),
                ("share", &templates::view::percent(call.cofinancing_bp)),
            ],
        ),
        submitted_at: app.submitted_at.map(templates::view::riga_seconds),
        form,
        lines,
        categories: call_form
            .category_keys()
            .into_iter()
            .map(|k| {
                let label = category_label(lang, &call_form, &k);
                (k, label)
            })
            .collect(),
        budget_total: eur(applications::budget_total(&saved_lines).cents()),
        requested: eur(app.requested_cents),
        cofinancing: eur(app.cofinancing_cents),
        attachments: docs
            .iter()
            .map(|d| AttachmentView {
                name: d.file_name.clone(),
                href: format!("/applications/{}/attachments/{}", app.id, d.id),
                size: super::size_label(d.size_bytes),
                kind: DocType::from_mime(&d.content_type)
                    .map(DocType::label)
                    .unwrap_or("")
                    .to_owned(),
                purpose: call_form::purpose(&call_form, d),
                delete: (own && editable).then(|| format!("/applications/{}/attachments/{}/delete", app.id, d.id)),
            })
            .collect(),
        upload_hint: tf(
            lang,
            "attachment-hint",
            &[
                ("file", &mb(state.cfg.max_file_bytes)),
                ("total", &mb(state.cfg.max_application_bytes)),
            ],
        ),
        submit_key: tokens::random_hex(),
        can_withdraw: own && app.status == ApplicationStatus::Submitted && now < call.closes_at,
        editable,
        past_deadline: draft && !editable,
        extra: maud::html! {},
        spec: call_form::spec(lang, &call_form, &docs),
        answers: call_form::answers_shown(lang, &call_form, &saved_answers, &docs),
        preview: None,
    }
}

/// The application form of a call as an applicant will see it, to its coordinator: empty, as a
/// new draft, with nothing it can send.
pub(crate) async fn preview(state: &AppState, signed: &Signed, call: &call::Model) -> AppResult<Response> {
    let lang = signed.ctx.lang;
    let now = state.now();
    let blank = application::Model {
        id: 0,
        call_id: call.id,
        applicant_id: 0,
        status: ApplicationStatus::Draft,
        title: String::new(),
        summary: String::new(),
        target_group: String::new(),
        activities: String::new(),
        timeline: String::new(),
        requested_cents: 0,
        cofinancing_cents: 0,
        ref_seq: None,
        ref_no: None,
        submit_key: None,
        submitted_at: None,
        submitted_by: None,
        withdrawn_at: None,
        created_by: signed.actor.user.id,
        created_at: now,
        updated_at: now,
        ineligible_reason: None,
    };
    let saved = Saved {
        applicant: t(lang, "call-preview-applicant"),
        lines: Vec::new(),
        form: forms::of_call(&state.db, call.id).await?,
        answers: HashMap::new(),
        docs: Vec::new(),
    };
    // One empty budget line, so that the call's categories show in its list.
    let data = DraftData {
        line_category: vec![saved.form.category_keys().into_iter().next().unwrap_or_default()],
        line_description: vec![String::new()],
        line_quantity: vec![String::new()],
        line_unit_cost: vec![String::new()],
        ..Default::default()
    };
    let mut view = build_view(state, lang, &blank, call, saved, Some(data), FieldErrors::new(), true);
    view.title = format!("{} — {}", t(lang, "call-form-preview"), call.title);
    view.editable = true;
    view.past_deadline = false;
    view.preview = Some(format!("/manage/calls/{}/form", call.id));
    Ok(pages::edit(&signed.ctx.page(), &view).into_response())
}

/// A budget category's name: the call's own, or one of the six fixed ones in the reader's language.
pub(crate) fn category_label(lang: Lang, form: &CallForm, key: &str) -> String {
    form.category_name(key)
        .map(str::to_owned)
        .unwrap_or_else(|| t(lang, &format!("budget-category-{key}")))
}

fn is_own(signed: &Signed, app: &application::Model) -> bool {
    applications::applicant_orgs(&signed.actor).contains(&app.applicant_id)
}

async fn render(
    state: &AppState,
    signed: &Signed,
    app: &application::Model,
    call: &call::Model,
    data: Option<DraftData>,
    errors: FieldErrors,
) -> AppResult<Response> {
    render_with(state, signed, app, call, data, errors, FormView::new()).await
}

/// The application's page; `compliance` is the compliance form as typed, with its problems.
pub(crate) async fn render_with(
    state: &AppState,
    signed: &Signed,
    app: &application::Model,
    call: &call::Model,
    data: Option<DraftData>,
    errors: FieldErrors,
    compliance: FormView,
) -> AppResult<Response> {
    let own = is_own(signed, app);
    let failed = !errors.is_empty() || !compliance.errors.is_empty();
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut view = view_model(state, signed.ctx.lang, app, call, data, errors, own).await?;
    view.extra = compliance::section(state, signed, app, call, own, &compliance, &view.spec.documents).await?;
    let page = if own && view.editable {
        pages::edit(&signed.ctx.page(), &view)
    } else {
        pages::view(&signed.ctx.page(), &view)
    };
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StartForm {
    applicant: String,
}

async fn start(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<StartForm>,
) -> AppResult<Response> {
    let (call, _) = calls::published(&state.db, id).await?;
    let applicant = signed
        .actor
        .applicants()
        .find(|o| o.id.to_string() == f.applicant)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let txn = entities::db::write(&state.db).await?;
    let app = applications::start(&txn, &signed.actor, &call, &applicant, state.now()).await?;
    txn.commit().await?;
    Ok(Redirect::to(&format!("/applications/{}", app.id)).into_response())
}

async fn list(State(state): State<AppState>, signed: Signed, Query(list): Query<ListQuery>) -> AppResult<Response> {
    let lang = signed.ctx.lang;
    let names: std::collections::HashMap<i32, String> = signed
        .actor
        .grants
        .iter()
        .map(|g| (g.org.id, g.org.name.clone()))
        .collect();
    let window = list.window();
    let (found, total) = applications::of_actor(&state.db, &signed.actor, &window).await?;
    let rows: Vec<ApplicationRow> = found
        .into_iter()
        .map(|(app, call)| ApplicationRow {
            href: format!("/applications/{}", app.id),
            title: if app.title.is_empty() {
                t(lang, "application-untitled")
            } else {
                app.title.clone()
            },
            call: call.map(|c| c.title).unwrap_or_default(),
            reference: app.ref_no.clone().unwrap_or_else(|| "—".to_owned()),
            status: templates::view::application_status(lang, app.status),
            requested: Eur::from_cents(app.requested_cents).display(lang),
            applicant: names.get(&app.applicant_id).cloned().unwrap_or_default(),
        })
        .collect();
    let sorts = [
        ("-newest", "list-sort-newest"),
        ("title", "list-sort-title"),
        ("ref", "list-sort-ref"),
    ];
    let view = lists::view(lang, "/applications".to_owned(), Vec::new(), &window, &sorts, total);
    Ok(pages::list(
        &signed.ctx.page(),
        &t(lang, "applications-title"),
        &rows,
        &view,
        "applications-empty",
    )
    .into_response())
}

async fn show(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let (app, call) = applications::readable(&state.db, &signed.actor, id).await?;
    render(&state, &signed, &app, &call, None, FieldErrors::new()).await
}

/// A draft deleted, its box ticked: back to the list; its documents deleted once that is done.
async fn delete_draft(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(confirm): Form<crate::ctx::ConfirmForm>,
) -> AppResult<Response> {
    confirm.required()?;
    let txn = entities::db::write(&state.db).await?;
    let keys = applications::delete_draft(&txn, &signed.actor, id, state.now()).await?;
    txn.commit().await?;
    for key in keys {
        if let Err(e) = state.documents.delete(&StorePath::from(key.as_str())).await {
            tracing::warn!(error = %e, "a deleted draft's document not deleted");
        }
    }
    Ok(redirect_with_flash(&state, "/applications", "application-deleted"))
}

/// A submitted application as its reader sees it, for its document (a draft has none: 404).
async fn submitted_view(state: &AppState, signed: &Signed, id: i32) -> AppResult<ApplicationView> {
    let (app, call) = applications::readable(&state.db, &signed.actor, id).await?;
    if app.submitted_at.is_none() {
        return Err(AppError::NotFound);
    }
    view_model(
        state,
        signed.ctx.lang,
        &app,
        &call,
        None,
        FieldErrors::new(),
        is_own(signed, &app),
    )
    .await
}

async fn document_page(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let view = submitted_view(&state, &signed, id).await?;
    Ok(pages::document_page(&signed.ctx.page(), &view).into_response())
}

async fn document_pdf(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let lang = signed.ctx.lang;
    let view = submitted_view(&state, &signed, id).await?;
    Ok(crate::documents::pdf_download(
        &t(lang, "application-document-file-name"),
        view.reference.as_deref().unwrap_or_default(),
        pages::document_pdf(lang, &view),
    ))
}

async fn save(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let mut data = DraftData::from_body(&body);
    let now = state.now();
    let txn = entities::db::write(&state.db).await?;
    let (app, call) = applications::own_locked(&txn, &signed.actor, id).await?;
    if !editable(&app, &call, now) {
        // The page is drawn outside the writer's transaction, which would hold SQLite's lock.
        drop(txn);
        return not_editable(&state, &signed, &app, &call, &data).await;
    }
    let call_form = forms::of_call(&txn, call.id).await?;
    data.apply_row_action(&call_form);
    let (input, errors) = data.to_form().parse(&call_form);
    if !errors.is_empty() {
        // Refused as a whole: nothing stored changes, everything typed is shown again.
        drop(txn);
        return render(&state, &signed, &app, &call, Some(data), errors).await;
    }
    let app = applications::save_draft(&txn, app, &input, now).await?;
    if data.action != "submit" {
        txn.commit().await?;
        if data.action == "save" || data.action.is_empty() {
            return Ok(redirect_with_flash(
                &state,
                &format!("/applications/{id}"),
                "application-saved",
            ));
        }
        return render(&state, &signed, &app, &call, Some(data), errors).await;
    }
    match applications::submit(&txn, &signed.actor, id, &data.submit_key, now).await {
        Ok(_) => {
            txn.commit().await?;
            Ok(submitted(&state, id))
        }
        // The draft is saved; what stands between it and submitting is shown.
        Err(DomainError::Invalid(problems)) => {
            txn.commit().await?;
            render(&state, &signed, &app, &call, Some(data), problems).await
        }
        Err(DomainError::Refused(message)) => {
            txn.commit().await?;
            render(
                &state,
                &signed,
                &app,
                &call,
                Some(data),
                FieldErrors::one("action", message),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

fn submitted(state: &AppState, id: i32) -> Response {
    redirect_with_flash(state, &format!("/applications/{id}"), "application-submitted")
}

/// Whether the applicant may still change the application: a draft whose call accepts them.
fn editable(app: &application::Model, call: &call::Model, now: chrono::DateTime<chrono::Utc>) -> bool {
    app.status == ApplicationStatus::Draft && calls::accepts_applications(call, now)
}

/// The answer to a post on an application that can no longer be edited: a second click of
/// "submit" lands on the submitted application; a draft past its deadline is shown read-only
/// with that said; anything else is refused.
async fn not_editable(
    state: &AppState,
    signed: &Signed,
    app: &application::Model,
    call: &call::Model,
    data: &DraftData,
) -> AppResult<Response> {
    if app.status != ApplicationStatus::Draft {
        if data.action == "submit" && applications::submitted_with(app, &data.submit_key) {
            return Ok(submitted(state, app.id));
        }
        return Err(AppError::BadRequest("error-application-read-only"));
    }
    let page = render(state, signed, app, call, None, FieldErrors::new()).await?;
    Ok((StatusCode::CONFLICT, page).into_response())
}

async fn withdraw_page(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let app = applications::own(&state.db, &signed.actor, id).await?;
    let call = calls::get(&state.db, app.call_id).await?;
    let view = view_model(&state, signed.ctx.lang, &app, &call, None, FieldErrors::new(), true).await?;
    if !view.can_withdraw {
        return Err(AppError::BadRequest("error-application-not-submitted"));
    }
    Ok(pages::confirm_withdraw(&signed.ctx.page(), &view).into_response())
}

async fn withdraw(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let txn = entities::db::write(&state.db).await?;
    applications::withdraw(&txn, &signed.actor, id, state.now()).await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/applications/{id}"),
        "application-withdrawn",
    ))
}

/// Documents added to a draft. The draft's form posts here with an "add document" button, so
/// what was typed in the rest of the form comes first in the body and is saved before the files
/// are read (a form with a problem is not saved, and is shown again as typed). Each file field
/// says what its file is for: `file` (a document of the applicant's choosing), `doc-{id}` (one
/// of the call's required documents) or `q-{id}` (a file question); every one chosen is stored.
async fn upload(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let (app, call) = applications::own_locked(&state.db, &signed.actor, id).await?;
    if !editable(&app, &call, state.now()) {
        return not_editable(&state, &signed, &app, &call, &DraftData::default()).await;
    }
    let mut typed: Vec<(String, String)> = Vec::new();
    let mut next = multipart.next_field().await.ok().flatten();
    while let Some(field) = next.take_if(|f| f.file_name().is_none()) {
        let name = field.name().unwrap_or("").to_owned();
        match field.text().await {
            Ok(value) => typed.push((name, value)),
            Err(_) => break,
        }
        next = multipart.next_field().await.ok().flatten();
    }
    let (app, data, mut errors) = save_typed(&state, app, &typed).await?;
    let limits = Limits {
        max_file: state.cfg.max_file_bytes,
        max_application: state.cfg.max_application_bytes,
    };
    let prefix = format!("applications/{id}");
    let mut added = 0;
    while let Some(field) = next.take() {
        let slot = field.name().and_then(Slot::from_field);
        let file_name = field.file_name().unwrap_or("").to_owned();
        if let (Some(slot), false) = (slot, file_name.is_empty()) {
            let used = attachments::used_bytes(&state.db, id).await?;
            match attachments::store_upload(state.documents.clone(), &prefix, &file_name, field, limits, used).await {
                Ok(stored) => {
                    let txn = entities::db::write(&state.db).await?;
                    match attachments::record_as(
                        &txn,
                        &app,
                        (&file_name, &stored),
                        slot,
                        signed.actor.user.id,
                        state.now(),
                    )
                    .await
                    {
                        Ok(_) => {
                            txn.commit().await?;
                            added += 1;
                        }
                        Err(e) => {
                            drop(txn);
                            crate::grants::projects::delete_stored(&state, &stored.key).await;
                            match e {
                                DomainError::Invalid(problems) => errors.extend(problems),
                                other => return Err(other.into()),
                            }
                        }
                    }
                }
                Err(e) => match e.message() {
                    Some(message) => errors.add(slot.field(), message),
                    None => return Err(AppError::Internal(e.into())),
                },
            }
        }
        next = multipart.next_field().await.ok().flatten();
    }
    if added == 0 && errors.is_empty() {
        errors.add("file", "error-file-empty");
    }
    if !errors.is_empty() {
        return render(&state, &signed, &app, &call, data, errors).await;
    }
    Ok(redirect_with_flash(
        &state,
        &format!("/applications/{id}"),
        "attachment-added",
    ))
}

/// Saves the draft's fields that came with an upload, if they did and all of them parse. Returns
/// the application as it now is, the form as typed (to show again) and its problems.
async fn save_typed(
    state: &AppState,
    app: application::Model,
    typed: &[(String, String)],
) -> AppResult<(application::Model, Option<DraftData>, FieldErrors)> {
    if !typed.iter().any(|(name, _)| name == "title") {
        return Ok((app, None, FieldErrors::new()));
    }
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(typed)
        .finish();
    let data = DraftData::from_body(body.as_bytes());
    let call_form = forms::of_call(&state.db, app.call_id).await?;
    let (input, errors) = data.to_form().parse(&call_form);
    if !errors.is_empty() {
        return Ok((app, Some(data), errors));
    }
    let txn = entities::db::write(&state.db).await?;
    let app = applications::save_draft(&txn, app, &input, state.now()).await?;
    txn.commit().await?;
    Ok((app, Some(data), errors))
}

async fn download(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, aid)): Path<(i32, i32)>,
) -> AppResult<Response> {
    let (app, _) = applications::readable(&state.db, &signed.actor, id).await?;
    serve_attachment(&state, app.id, aid).await
}

/// Streams a document of an application the caller has already been allowed to read.
pub(crate) async fn serve_attachment(state: &AppState, application_id: i32, aid: i32) -> AppResult<Response> {
    let doc = attachments::find(&state.db, application_id, aid).await?;
    serve_stored(
        state,
        &doc.storage_key,
        &doc.file_name,
        &doc.content_type,
        doc.size_bytes,
    )
    .await
}

async fn delete_attachment(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, aid)): Path<(i32, i32)>,
) -> AppResult<Response> {
    let (app, call) = applications::own_locked(&state.db, &signed.actor, id).await?;
    if !editable(&app, &call, state.now()) {
        return Err(AppError::BadRequest("error-application-read-only"));
    }
    let doc = attachments::find(&state.db, app.id, aid).await?;
    attachments::remove(&state.db, &doc).await?;
    // The row is gone first: a failed delete in the store leaves an orphan object, never a
    // row pointing at nothing.
    if let Err(e) = state.documents.delete(&StorePath::from(doc.storage_key.as_str())).await {
        tracing::warn!(attachment = doc.id, error = %e, "stored object not deleted");
    }
    Ok(redirect_with_flash(
        &state,
        &format!("/applications/{id}"),
        "attachment-deleted",
    ))
}
