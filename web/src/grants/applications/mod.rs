//! Applications, as the applicant writes them: start one on an open call, edit the draft
//! (budget lines added and removed on the server), attach documents, submit, withdraw. The
//! read-only view also serves the coordinator of the call.

use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::Form as MultiForm;
use entities::attachments::{self, DocType, Limits};
use entities::entity::application::{self, ApplicationStatus};
use entities::entity::call;
use entities::grants::applications::{self, DraftForm, LineForm};
use entities::grants::calls;
use entities::money::Eur;
use entities::{Error as DomainError, FieldErrors, tokens};
use object_store::ObjectStoreExt;
use object_store::path::Path as StorePath;
use serde::Deserialize;
use templates::components::FormView;
use templates::pages::applications::{self as pages, ApplicationRow, ApplicationView, AttachmentView, LineView};
use templates::{Lang, t, tf};

use crate::ctx::{Signed, redirect_with_flash};
use crate::documents::serve_stored;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

mod compliance;

pub fn router(max_upload: usize) -> Router<AppState> {
    Router::new()
        .merge(compliance::router())
        .route("/calls/{id}/apply", post(start))
        .route("/applications", get(list))
        .route("/applications/{id}", get(show).post(save))
        .route("/applications/{id}/withdraw", get(withdraw_page).post(withdraw))
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
}

impl DraftData {
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
        }
    }

    fn from_saved(app: &application::Model, lines: &[entities::entity::budget_line::Model]) -> Self {
        let plain = |c: i64| {
            if c == 0 {
                String::new()
            } else {
                Eur::from_cents(c).to_plain()
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
            ..Default::default()
        };
        let forms: Vec<LineForm> = lines
            .iter()
            .map(|l| LineForm {
                category: l.category.clone(),
                description: l.description.clone(),
                quantity: l.quantity.to_string(),
                unit_cost: Eur::from_cents(l.unit_cents).to_plain(),
            })
            .collect();
        data.set_lines(&forms);
        data
    }

    /// Adds or removes a budget line when that button was pressed.
    fn apply_row_action(&mut self) {
        let mut lines = self.lines();
        if self.action == "add_line" {
            lines.push(LineForm {
                category: "other".into(),
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
    let now = state.now();
    let applicant = entities::orgs::name_of(&state.db, app.applicant_id).await?;
    let saved_lines = applications::lines(&state.db, app.id).await?;
    let data = data.unwrap_or_else(|| DraftData::from_saved(app, &saved_lines));
    let docs = applications::attachments(&state.db, app.id).await?;
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
                t(lang, &format!("budget-category-{}", l.category))
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
    let form = FormView::with_typed(
        [
            ("title", data.title.as_str()),
            ("summary", data.summary.as_str()),
            ("target_group", data.target_group.as_str()),
            ("activities", data.activities.as_str()),
            ("timeline", data.timeline.as_str()),
            ("requested", data.requested.as_str()),
            ("cofinancing", data.cofinancing.as_str()),
        ],
        errors,
    );
    let mb = |b: u64| (b / (1024 * 1024)).to_string();
    Ok(ApplicationView {
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
        categories: applications::BUDGET_CATEGORIES
            .iter()
            .map(|c| ((*c).to_owned(), t(lang, &format!("budget-category-{c}"))))
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
    })
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
    view.extra = compliance::section(state, signed, app, call, own, &compliance).await?;
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

async fn list(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    let lang = signed.ctx.lang;
    let names: std::collections::HashMap<i32, String> = signed
        .actor
        .grants
        .iter()
        .map(|g| (g.org.id, g.org.name.clone()))
        .collect();
    let rows: Vec<ApplicationRow> = applications::of_actor(&state.db, &signed.actor)
        .await?
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
    Ok(pages::list(
        &signed.ctx.page(),
        &t(lang, "applications-title"),
        &rows,
        "applications-empty",
    )
    .into_response())
}

async fn show(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let (app, call) = applications::readable(&state.db, &signed.actor, id).await?;
    render(&state, &signed, &app, &call, None, FieldErrors::new()).await
}

async fn save(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    MultiForm(mut data): MultiForm<DraftData>,
) -> AppResult<Response> {
    let now = state.now();
    let txn = entities::db::write(&state.db).await?;
    let (app, call) = applications::own_locked(&txn, &signed.actor, id).await?;
    if !editable(&app, &call, now) {
        // The page is drawn outside the writer's transaction, which would hold SQLite's lock.
        drop(txn);
        return not_editable(&state, &signed, &app, &call, &data).await;
    }
    data.apply_row_action();
    let (input, errors) = data.to_form().parse();
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

/// A document added to a draft. The draft's form posts here with its "add document" button, so
/// what was typed in the rest of the form comes first in the body and is saved before the file
/// is read (a form with a problem is not saved, and is shown again as typed).
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
    let field = loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => break Some(field),
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                match field.text().await {
                    Ok(value) => typed.push((name, value)),
                    Err(_) => break None,
                }
            }
            Ok(None) | Err(_) => break None,
        }
    };
    let (app, data, mut errors) = save_typed(&state, app, &typed).await?;
    let Some(field) = field else {
        errors.add("file", "error-file-empty");
        return render(&state, &signed, &app, &call, data, errors).await;
    };
    let limits = Limits {
        max_file: state.cfg.max_file_bytes,
        max_application: state.cfg.max_application_bytes,
    };
    let used = attachments::used_bytes(&state.db, id).await?;
    let file_name = field.file_name().unwrap_or("").to_owned();
    let prefix = format!("applications/{id}");
    let stored = attachments::store_upload(state.documents.clone(), &prefix, &file_name, field, limits, used).await;
    let stored = match stored {
        Ok(stored) => stored,
        Err(e) => match e.message() {
            Some(message) => {
                errors.add("file", message);
                return render(&state, &signed, &app, &call, data, errors).await;
            }
            None => return Err(AppError::Internal(e.into())),
        },
    };
    let txn = entities::db::write(&state.db).await?;
    attachments::record(&txn, &app, &file_name, &stored, signed.actor.user.id, state.now()).await?;
    txn.commit().await?;
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
    let data: DraftData = serde_html_form::from_str(&body).unwrap_or_default();
    let (input, errors) = data.to_form().parse();
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
