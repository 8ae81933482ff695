//! The panel member's side: the calls they sit on, each call's applications with their own
//! progress, the declaration of conflicts, and the scorecard (with the application and its
//! documents, shown only after declaring no conflict).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::Form as MultiForm;
use entities::entity::{application, call};
use entities::grants::panel::{self, MarkForm, Standing};
use entities::grants::{applications, calls, scoring};
use entities::money::Eur;
use entities::{Error as DomainError, FieldErrors, orgs};
use serde::Deserialize;
use templates::components::FormView;
use templates::pages::scoring::{self as pages, CriterionRow, PanelAppRow, PanelCallRow, PanelCallView, ScorecardView};

use crate::ctx::{Signed, redirect_with_flash, unprocessable};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/panel", get(my_calls))
        .route("/panel/calls/{id}", get(call_page))
        .route("/panel/applications/{id}", get(application_page).post(save))
        .route("/panel/applications/{id}/declaration", post(declare))
        .route("/panel/applications/{id}/attachments/{aid}", get(document))
}

async fn my_calls(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    let now = state.now();
    let rows: Vec<PanelCallRow> = panel::seats_of(&state.db, signed.actor.user.id)
        .await?
        .into_iter()
        .map(|seat| PanelCallRow {
            href: format!("/panel/calls/{}", seat.call.id),
            status: templates::view::call_status(signed.ctx.lang, calls::effective_status(&seat.call, now)),
            title: seat.call.title,
            done: seat.done,
            total: seat.total,
        })
        .collect();
    Ok(pages::panel_calls(&signed.ctx.page(), &rows).into_response())
}

/// One page of the call's applications with where the member stands with each; the counts come
/// from the database, so the statements and the page's size stay the same whatever the call's.
async fn call_page(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    axum::extract::Query(q): axum::extract::Query<crate::lists::ListQuery>,
) -> AppResult<Response> {
    let user = signed.actor.user.id;
    let c = panel::seat(&state.db, id, user).await?;
    let window = q.window();
    let progress = panel::seat_progress(&state.db, id, user).await?;
    let rows: Vec<PanelAppRow> = panel::seat_page(&state.db, id, user, window.offset())
        .await?
        .into_iter()
        .map(|a| PanelAppRow {
            href: format!("/panel/applications/{}", a.id),
            reference: a.ref_no.unwrap_or_default(),
            title: a.title,
            applicant: a.applicant,
            state: match a.standing {
                Standing::Undeclared => "panel-state-undeclared",
                Standing::Conflict => "panel-state-conflict",
                Standing::Submitted => "panel-state-submitted",
                Standing::Draft => "panel-state-draft",
                Standing::Declared => "panel-state-declared",
            },
        })
        .collect();
    let list = crate::lists::view(
        signed.ctx.lang,
        format!("/panel/calls/{id}"),
        Vec::new(),
        &window,
        &[],
        progress.total,
    );
    let view = PanelCallView {
        title: c.title.clone(),
        scoring_deadline: templates::view::riga(c.scoring_deadline),
        open: panel::scoring_open(&c, state.now()),
        done: progress.submitted,
        total: progress.total,
        rows,
        list,
    };
    Ok(pages::panel_call(&signed.ctx.page(), &view).into_response())
}

async fn render_card(
    state: &AppState,
    signed: &Signed,
    app: &application::Model,
    c: &call::Model,
    typed: Option<Vec<MarkForm>>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let lang = signed.ctx.lang;
    let criteria = calls::criteria(&state.db, c.id).await?;
    let saved = panel::card_of(&state.db, signed.actor.user.id, app.id).await?;
    let locked = saved.as_ref().is_some_and(|(card, _)| card.submitted_at.is_some());
    // The saved marks' weighted total, as the results will count it.
    let total = saved.as_ref().and_then(|(_, scores)| {
        let marks = scores
            .iter()
            .filter_map(|s| match (s.not_applicable, s.points) {
                (true, _) => Some((s.criterion_id, scoring::Mark::NotApplicable)),
                (false, Some(p)) => Some((s.criterion_id, scoring::Mark::Points(p))),
                (false, None) => None,
            })
            .collect();
        let card = scoring::Card {
            member_id: signed.actor.user.id,
            marks,
        };
        scoring::weighted_total(&panel::rules(&criteria), &card).map(|d| templates::view::decimal(lang, d))
    });
    // Where the member stands on the call: how many scored, and the next one to score.
    let seat = panel::seat_progress(&state.db, c.id, signed.actor.user.id).await?;
    // Nothing left to score needs no search for the next.
    let next = if seat.finished >= seat.total {
        None
    } else {
        panel::next_to_score(&state.db, c.id, signed.actor.user.id, app.id).await?
    };
    let lines = applications::lines(&state.db, app.id).await?;
    let marks: Vec<MarkForm> = typed.unwrap_or_else(|| {
        saved
            .map(|(_, scores)| {
                scores
                    .into_iter()
                    .map(|s| MarkForm {
                        criterion_id: s.criterion_id,
                        points: s.points.map(|p| p.to_string()).unwrap_or_default(),
                        not_applicable: s.not_applicable,
                        comment: s.comment,
                    })
                    .collect()
            })
            .unwrap_or_default()
    });
    let applicant = orgs::name_of(&state.db, app.applicant_id).await?;
    let docs = applications::attachments(&state.db, app.id).await?;
    let call_form = entities::grants::forms::of_call(&state.db, app.call_id).await?;
    let answers = if call_form.questions.is_empty() {
        Vec::new()
    } else {
        let saved = entities::grants::forms::answers(&state.db, app.id).await?;
        crate::grants::call_form::answers_shown(signed.ctx.lang, &call_form, &saved, &docs)
    };
    let documents = docs
        .iter()
        .map(|d| {
            let purpose = crate::grants::call_form::purpose(&call_form, d);
            (
                if purpose.is_empty() {
                    d.file_name.clone()
                } else {
                    format!("{purpose}: {}", d.file_name)
                },
                format!("/panel/applications/{}/attachments/{}", app.id, d.id),
            )
        })
        .collect();
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = ScorecardView {
        app_id: app.id,
        reference: app.ref_no.clone().unwrap_or_default(),
        title: app.title.clone(),
        applicant,
        sections: vec![
            ("application-summary", app.summary.clone()),
            ("application-target-group", app.target_group.clone()),
            ("application-activities", app.activities.clone()),
            ("application-timeline", app.timeline.clone()),
        ],
        requested: Eur::from_cents(app.requested_cents).display(lang),
        cofinancing: Eur::from_cents(app.cofinancing_cents).display(lang),
        budget: lines
            .iter()
            .map(|x| {
                vec![
                    super::applications::category_label(lang, &call_form, &x.category),
                    x.description.clone(),
                    x.quantity.to_string(),
                    Eur::from_cents(x.unit_cents).display(lang),
                    Eur::from_cents(x.unit_cents.saturating_mul(x.quantity.into())).display(lang),
                ]
            })
            .collect(),
        budget_total: Eur::from_cents(applications::budget_total(&lines).cents()).display(lang),
        total,
        progress: (seat.finished, seat.total),
        next,
        call_id: c.id,
        documents,
        answers,
        criteria: criteria
            .iter()
            .map(|k| {
                let mark = marks
                    .iter()
                    .find(|m| m.criterion_id == k.id)
                    .cloned()
                    .unwrap_or_default();
                CriterionRow {
                    id: k.id,
                    name: k.name.clone(),
                    description: k.description.clone(),
                    max_points: k.max_points,
                    weight: templates::view::hundredths_in(lang, k.weight_x100.into()),
                    min_points: k.min_points,
                    points: mark.points,
                    not_applicable: mark.not_applicable,
                    comment: mark.comment,
                }
            })
            .collect(),
        locked,
        errors: FormView {
            errors,
            ..FormView::new()
        },
    };
    Ok((status, pages::scorecard(&signed.ctx.page(), &view)).into_response())
}

/// The application as a member may see it: the declaration form first; nothing at all once
/// they declared a conflict.
async fn application_page(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let (app, c) = panel::panel_application(&state.db, &signed.actor, id).await?;
    match panel::declaration_of(&state.db, signed.actor.user.id, app.id).await? {
        None => {
            let applicant = orgs::name_of(&state.db, app.applicant_id).await?;
            let reference = app.ref_no.clone().unwrap_or_default();
            Ok(pages::declare(
                &signed.ctx.page(),
                app.id,
                &reference,
                &app.title,
                &applicant,
                &FormView::new(),
            )
            .into_response())
        }
        Some(d) if d.conflict => Err(AppError::NotFound),
        Some(_) => render_card(&state, &signed, &app, &c, None, FieldErrors::new()).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DeclareForm {
    conflict: String,
    note: String,
}

async fn declare(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<DeclareForm>,
) -> AppResult<Response> {
    let conflict = f.conflict == "yes";
    let txn = entities::db::write(&state.db).await?;
    match panel::declare(&txn, &signed.actor, id, conflict, &f.note, state.now()).await {
        Ok(_) => {
            txn.commit().await?;
            let (to, flash) = if conflict {
                ("/panel".to_owned(), "panel-recused")
            } else {
                (format!("/panel/applications/{id}"), "panel-declared")
            };
            Ok(redirect_with_flash(&state, &to, flash))
        }
        Err(DomainError::Invalid(errors)) => {
            let (app, _) = panel::panel_application(&state.db, &signed.actor, id).await?;
            let applicant = orgs::name_of(&state.db, app.applicant_id).await?;
            let form = FormView {
                errors,
                ..FormView::new()
            }
            .with("note", f.note);
            let reference = app.ref_no.clone().unwrap_or_default();
            Ok(unprocessable(pages::declare(
                &signed.ctx.page(),
                app.id,
                &reference,
                &app.title,
                &applicant,
                &form,
            )))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CardForm {
    criterion: Vec<i32>,
    points: Vec<String>,
    not_applicable: Vec<i32>,
    comment: Vec<String>,
    action: String,
    confirm: String,
}

async fn save(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    MultiForm(f): MultiForm<CardForm>,
) -> AppResult<Response> {
    let marks: Vec<MarkForm> = f
        .criterion
        .iter()
        .enumerate()
        .map(|(i, cid)| MarkForm {
            criterion_id: *cid,
            points: f.points.get(i).cloned().unwrap_or_default(),
            not_applicable: f.not_applicable.contains(cid),
            comment: f.comment.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    let submit = f.action == "submit";
    if submit && f.confirm != "yes" {
        // Submitting locks the scorecard: not without the box that says so ticked. The marks'
        // own problems are said at the same time; nothing is stored.
        let (app, c) = panel::panel_application(&state.db, &signed.actor, id).await?;
        let criteria = calls::criteria(&state.db, c.id).await?;
        let mut errors = match panel::parse_marks(&criteria, &marks, true) {
            Err(DomainError::Invalid(errors)) => errors,
            _ => FieldErrors::new(),
        };
        errors.add("submit_confirm", "error-confirm-submit");
        return render_card(&state, &signed, &app, &c, Some(marks), errors).await;
    }
    let txn = entities::db::write(&state.db).await?;
    match panel::save_card(&txn, &signed.actor, id, &marks, submit, state.now()).await {
        Ok(_) => {
            txn.commit().await?;
            // "Save and go on": to the next application not yet scored (or the call's list).
            let to = match f.action.as_str() {
                "save_next" => {
                    let (_, c) = panel::panel_application(&state.db, &signed.actor, id).await?;
                    match panel::next_to_score(&state.db, c.id, signed.actor.user.id, id).await? {
                        Some(next) => format!("/panel/applications/{next}"),
                        None => format!("/panel/calls/{}", c.id),
                    }
                }
                _ => format!("/panel/applications/{id}"),
            };
            Ok(redirect_with_flash(
                &state,
                &to,
                if submit { "panel-submitted" } else { "panel-saved" },
            ))
        }
        Err(DomainError::Invalid(errors)) => {
            let (app, c) = panel::panel_application(&state.db, &signed.actor, id).await?;
            render_card(&state, &signed, &app, &c, Some(marks), errors).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn document(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, aid)): Path<(i32, i32)>,
) -> AppResult<Response> {
    let (app, _) = panel::panel_application(&state.db, &signed.actor, id).await?;
    match panel::declaration_of(&state.db, signed.actor.user.id, app.id).await? {
        Some(d) if !d.conflict => super::applications::serve_attachment(&state, app.id, aid).await,
        _ => Err(AppError::NotFound),
    }
}
