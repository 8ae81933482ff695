//! The compliance tier's handlers: the coordinator checks requirements, asks questions and
//! finds applications ineligible; the applicant answers and may decline a grant.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use axum::{Form, Router};
use axum_extra::extract::Form as MultiForm;
use entities::entity::application::{self, ApplicationStatus};
use entities::entity::call::{self, CallStatus};
use entities::entity::project::ProjectState;
use entities::grants::{applications, calls, compliance, decision, projects};
use entities::money::Eur;
use entities::{Error as DomainError, FieldErrors};
use maud::Markup;
use serde::Deserialize;
use templates::components::FormView;
use templates::pages::compliance::{self as pages, ClarificationView, OfferView, RequirementRow};

use crate::ctx::{ConfirmForm, Signed, write_or_show_again};
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/manage/applications/{id}/compliance", post(check))
        .route("/manage/applications/{id}/clarifications", post(ask))
        .route("/manage/applications/{id}/ineligible", post(ineligible))
        .route("/applications/{id}/clarifications/{cid}", post(answer))
        .route("/applications/{id}/decline", post(decline))
        .route("/applications/{id}/accept", post(accept))
}

/// The compliance part of an application's page, for the call's coordinator or the applicant.
pub(crate) async fn section(
    state: &AppState,
    signed: &Signed,
    app: &application::Model,
    call: &call::Model,
    own: bool,
    form: &FormView,
    documents: &[templates::pages::call_form::DocumentView],
) -> AppResult<Markup> {
    let now = state.now();
    let questions: Vec<ClarificationView> = compliance::clarifications(&state.db, app.id)
        .await?
        .into_iter()
        .map(|c| ClarificationView {
            id: c.id,
            can_answer: own && c.answer.is_none() && now < c.deadline,
            question: c.question,
            deadline: templates::view::riga(c.deadline),
            answer: c.answer,
        })
        .collect();
    if calls::managed(&state.db, &signed.actor, call.id).await.is_ok() {
        let checks = compliance::checks(&state.db, app.id).await?;
        let requirements: Vec<RequirementRow> = calls::requirements(&state.db, call.id)
            .await?
            .into_iter()
            .map(|r| {
                let check = checks.iter().find(|c| c.requirement_id == r.id);
                let typed = form.value(&format!("comment-{}", r.id));
                RequirementRow {
                    id: r.id,
                    text: r.text,
                    met: check.map(|c| c.met),
                    comment: if typed.is_empty() {
                        check.map(|c| c.comment.clone()).unwrap_or_default()
                    } else {
                        typed.to_owned()
                    },
                }
            })
            .collect();
        let open = matches!(
            calls::effective_status(call, now),
            CallStatus::Closed | CallStatus::InReview
        ) && matches!(app.status, ApplicationStatus::Submitted | ApplicationStatus::InReview);
        return Ok(pages::coordinator(
            &signed.ctx.page(),
            app.id,
            documents,
            &requirements,
            &questions,
            open,
            form,
        ));
    }
    if own {
        let ineligible =
            (app.status == ApplicationStatus::Ineligible).then(|| app.ineligible_reason.clone().unwrap_or_default());
        let lang = signed.ctx.lang;
        let offer = projects::of_application(&state.db, app.id).await?.map(|p| {
            let open = p.status == ProjectState::Offered && now <= p.answer_by;
            OfferView {
                amount: Eur::from_cents(p.granted_cents).display(lang),
                status: templates::view::label(lang, "project-status-", p.status),
                answer_by: if open {
                    templates::view::riga(p.answer_by)
                } else {
                    String::new()
                },
                can_accept: open,
                project_href: (p.status == ProjectState::Accepted).then(|| format!("/projects/{}", p.id)),
            }
        });
        return Ok(pages::applicant(
            &signed.ctx.page(),
            app.id,
            &questions,
            ineligible.as_deref(),
            offer.as_ref(),
            app.status == ApplicationStatus::Funded,
        ));
    }
    Ok(maud::html! {})
}

/// Runs a compliance step; field errors show the application again with the form as typed.
async fn step<T>(
    state: &AppState,
    signed: &Signed,
    id: i32,
    typed: FormView,
    flash: &str,
    change: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> Result<T, DomainError>,
) -> AppResult<Response> {
    let again = async |errors| {
        let (app, call) = applications::readable(&state.db, &signed.actor, id).await?;
        let form = FormView { errors, ..typed };
        super::render_with(state, signed, &app, &call, None, FieldErrors::new(), form).await
    };
    write_or_show_again(state, &format!("/applications/{id}"), flash, change, again).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CheckForm {
    requirement: Vec<i32>,
    met: Vec<i32>,
    comment: Vec<String>,
}

async fn check(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    MultiForm(f): MultiForm<CheckForm>,
) -> AppResult<Response> {
    let now = state.now();
    let typed = FormView::with_typed(
        f.requirement
            .iter()
            .zip(&f.comment)
            .map(|(r, c)| (format!("comment-{r}"), c.clone()))
            .collect::<Vec<_>>()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
        FieldErrors::new(),
    );
    step(&state, &signed, id, typed, "compliance-saved", async |txn| {
        let mut errors = FieldErrors::new();
        for (i, requirement) in f.requirement.iter().enumerate() {
            let comment = f.comment.get(i).map(String::as_str).unwrap_or("");
            match compliance::check(
                txn,
                &signed.actor,
                id,
                *requirement,
                f.met.contains(requirement),
                comment,
                now,
            )
            .await
            {
                Ok(()) => {}
                Err(DomainError::Invalid(e)) => errors.0.extend(e.0),
                Err(e) => return Err(e),
            }
        }
        errors.into_result()
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AskForm {
    question: String,
    deadline: String,
}

async fn ask(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<AskForm>,
) -> AppResult<Response> {
    let now = state.now();
    let typed = FormView::with_typed(
        [("question", f.question.as_str()), ("deadline", f.deadline.as_str())],
        FieldErrors::new(),
    );
    step(&state, &signed, id, typed, "clarification-asked", async |txn| {
        compliance::ask(txn, &signed.actor, id, &f.question, &f.deadline, now).await
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct IneligibleForm {
    reason: String,
    confirm: String,
}

async fn ineligible(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<IneligibleForm>,
) -> AppResult<Response> {
    let now = state.now();
    let typed = FormView::with_typed([("reason", f.reason.as_str())], FieldErrors::new());
    step(&state, &signed, id, typed, "ineligible-saved", async |txn| {
        if f.confirm != "yes" {
            return Err(FieldErrors::single("ineligible_confirm", "error-confirm"));
        }
        compliance::mark_ineligible(txn, &signed.actor, id, &f.reason, now).await
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AnswerForm {
    answer: String,
}

async fn answer(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, cid)): Path<(i32, i32)>,
    Form(f): Form<AnswerForm>,
) -> AppResult<Response> {
    let now = state.now();
    step(
        &state,
        &signed,
        id,
        FormView::new(),
        "clarification-answered",
        async |txn| compliance::answer(txn, &signed.actor, id, cid, &f.answer, now).await,
    )
    .await
}

async fn accept(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let now = state.now();
    step(&state, &signed, id, FormView::new(), "offer-accepted", async |txn| {
        projects::accept(txn, &signed.actor, id, now).await
    })
    .await
}

async fn decline(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<ConfirmForm>,
) -> AppResult<Response> {
    f.required()?;
    let now = state.now();
    step(&state, &signed, id, FormView::new(), "decline-done", async |txn| {
        decision::decline(txn, &signed.actor, id, now).await
    })
    .await
}
