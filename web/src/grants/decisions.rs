//! The coordinator's side of scoring and decisions: the panel (and who has not finished), the
//! results with the calibration view, reduced amounts, locking, reopening and publishing the
//! decision, exports (CSV, XLSX) and the printable minutes; and the public results (page, JSON).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::Form as MultiForm;
use entities::entity::call::{self, CallStatus};
use entities::entity::project::{self, ProjectState};
use entities::grants::allocation::Outcome;
use entities::grants::decision::{self, Standing};
use entities::grants::{calls, panel, projects};
use entities::listing::Window;
use entities::money::Eur;
use entities::sea_orm::ActiveEnum;
use entities::{Error as DomainError, FieldErrors};
use rust_decimal::Decimal;
use serde::Deserialize;
use templates::components::FormView;
use templates::pages::decisions::{self as pages, PanelMemberRow, PanelView, ResultsView, StandingRow};
use templates::{Lang, t, tf};

use crate::csv::Sink;
use crate::ctx::{ConfirmForm, Ctx, Signed, redirect_with_flash, write_or_show_again};
use crate::error::AppResult;
use crate::grants::call_form::AnswerColumns;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/manage/calls/{id}/panel", get(panel_page).post(set_panel))
        .route("/manage/calls/{id}/results", get(results_page))
        .route("/manage/calls/{id}/reduced", post(set_reduced))
        .route("/manage/calls/{id}/lock", post(lock))
        .route("/manage/calls/{id}/reopen", post(reopen))
        .route("/manage/calls/{id}/publish-results", post(publish))
        .route("/manage/calls/{id}/export.csv", get(export_csv))
        .route("/manage/calls/{id}/export.xlsx", get(export_xlsx))
        .route("/manage/calls/{id}/scores.csv", get(scores_csv))
        .route("/manage/calls/{id}/minutes", get(minutes))
        .route("/calls/{id}/results", get(public_results))
        .route("/api/v1/calls/{id}/results", get(api_results))
}

/// A score to two decimals at most, with the language's decimal separator ("—" when none).
fn score(lang: Lang, d: Option<Decimal>) -> String {
    d.map(|d| {
        let s = d.round_dp(2).normalize().to_string();
        if lang == Lang::Lv { s.replace('.', ",") } else { s }
    })
    .unwrap_or_else(|| "—".to_owned())
}

fn outcome_label(lang: Lang, o: Outcome) -> String {
    match o {
        Outcome::Funded { .. } => t(lang, "application-status-funded"),
        Outcome::Reserve { position } => format!("{} {position}", t(lang, "application-status-reserve")),
        Outcome::NotFunded => t(lang, "application-status-not_funded"),
        Outcome::Withdrawn => t(lang, "application-status-withdrawn"),
    }
}

async fn panel_view(state: &AppState, c: &call::Model, form: FormView) -> AppResult<PanelView> {
    let seated = panel::members(&state.db, c.id).await?;
    let candidates = panel::candidates(&state.db, c.municipality_id).await?;
    let progress = panel::progress(&state.db, c.id)
        .await?
        .into_iter()
        .map(|p| PanelMemberRow {
            name: p.name,
            chair: p.chair,
            done: p.done,
            to_do: p.to_do,
            recused: p.recused,
        })
        .collect();
    Ok(PanelView {
        call_id: c.id,
        call_title: c.title.clone(),
        candidates: candidates
            .into_iter()
            .map(|u| {
                let seat = seated.iter().find(|(_, s)| s.id == u.id);
                (u.id, u.name, seat.is_some(), seat.is_some_and(|(p, _)| p.is_chair))
            })
            .collect(),
        progress,
        form,
    })
}

async fn panel_page(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    let view = panel_view(&state, &c, FormView::new()).await?;
    Ok(pages::panel(&signed.ctx.page(), &view).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PanelForm {
    member: Vec<i32>,
    chair: Option<i32>,
}

async fn set_panel(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    MultiForm(f): MultiForm<PanelForm>,
) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    let txn = entities::db::write(&state.db).await?;
    match panel::set_panel(&txn, &signed.actor, &c, &f.member, f.chair, state.now()).await {
        Ok(()) => {
            txn.commit().await?;
            Ok(redirect_with_flash(
                &state,
                &format!("/manage/calls/{id}/panel"),
                "manage-panel-saved",
            ))
        }
        Err(DomainError::Invalid(errors)) => {
            drop(txn);
            let view = panel_view(
                &state,
                &c,
                FormView {
                    errors,
                    ..FormView::new()
                },
            )
            .await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                pages::panel(&signed.ctx.page(), &view),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A funded application's answer to its offer, as the coordinator reads it.
fn answer_label(lang: Lang, p: &project::Model) -> String {
    match p.status {
        ProjectState::Offered => tf(lang, "answer-offered", &[("date", &templates::view::riga(p.answer_by))]),
        status => templates::view::label(lang, "answer-", status),
    }
}

fn standing_rows(
    lang: Lang,
    standings: &[Standing],
    criteria: &[entities::entity::call_criterion::Model],
    projects: &HashMap<i32, project::Model>,
) -> Vec<StandingRow> {
    standings
        .iter()
        .map(|s| StandingRow {
            rank: s.rank,
            app_href: format!("/applications/{}", s.app.id),
            reference: s.app.ref_no.clone().unwrap_or_default(),
            applicant: s.applicant.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
            title: s.app.title.clone(),
            requested: Eur::from_cents(s.app.requested_cents).display(lang),
            reduced: s
                .reduced_cents
                .map(|c| templates::view::amount_input(lang, c))
                .unwrap_or_default(),
            app_id: s.app.id,
            cards: s.result.cards,
            mean: score(lang, s.result.mean),
            median: score(lang, s.result.median),
            spread: score(lang, s.result.spread),
            failed: s
                .result
                .failed
                .iter()
                .filter_map(|id| criteria.iter().find(|c| c.id == *id).map(|c| c.name.clone()))
                .collect(),
            outcome: match projects.get(&s.app.id) {
                Some(p) => format!("{} — {}", outcome_label(lang, s.outcome), answer_label(lang, p)),
                None => outcome_label(lang, s.outcome),
            },
            project_href: projects
                .get(&s.app.id)
                .filter(|p| p.status == ProjectState::Accepted)
                .map(|p| format!("/projects/{}", p.id)),
        })
        .collect()
}

/// The results page at `window` (all rows for the minutes), from the call's kept ranking.
async fn results_view(
    state: &AppState,
    lang: Lang,
    c: &call::Model,
    form: FormView,
    window: Option<&Window>,
) -> AppResult<ResultsView> {
    let now = state.now();
    let ranking = state.rankings.of(&state.db, c).await?;
    let criteria = calls::criteria(&state.db, c.id).await?;
    let names = entities::accounts::names(&state.db, ranking.calibration.keys().copied()).await?;
    let status = calls::effective_status(c, now);
    let undecided = matches!(status, CallStatus::Closed | CallStatus::InReview);
    // What locking would leave behind, said before it is done.
    let unfinished = if undecided {
        ranking
            .progress
            .iter()
            .filter(|p| p.to_do > 0)
            .map(|p| format!("{} ({})", p.name, p.to_do))
            .collect()
    } else {
        Vec::new()
    };
    let to_tell = if status == CallStatus::Decided {
        decision::applicants_to_tell(&state.db, c.id).await?
    } else {
        0
    };
    let total = u64::try_from(ranking.standings.len()).unwrap_or(u64::MAX);
    let shown: &[Standing] = match window {
        Some(w) => {
            let from = usize::try_from(w.offset())
                .unwrap_or(usize::MAX)
                .min(ranking.standings.len());
            let to = from
                .saturating_add(usize::try_from(entities::listing::PAGE_SIZE).unwrap_or(usize::MAX))
                .min(ranking.standings.len());
            &ranking.standings[from..to]
        }
        None => &ranking.standings,
    };
    let projects = projects::of_applications(&state.db, shown.iter().map(|s| s.app.id).collect()).await?;
    let default_window = Window::default();
    let list = crate::lists::view(
        lang,
        format!("/manage/calls/{}/results", c.id),
        Vec::new(),
        window.unwrap_or(&default_window),
        &[],
        total,
    );
    Ok(ResultsView {
        call_id: c.id,
        call_title: c.title.clone(),
        status: templates::view::call_status(lang, status),
        budget: Eur::from_cents(c.budget_cents).display(lang),
        funded_total: Eur::from_cents(ranking.funded_cents).display(lang),
        rows: standing_rows(lang, shown, &criteria, &projects),
        list,
        calibration: ranking
            .calibration
            .iter()
            .map(|(member, (n, dev))| {
                (
                    names.get(member).cloned().unwrap_or_default(),
                    *n,
                    format!("{:+}", dev.round_dp(2)),
                )
            })
            .collect(),
        can_change: undecided,
        can_lock: undecided,
        can_reopen: status == CallStatus::Decided,
        can_publish: status == CallStatus::Decided,
        unfinished,
        scoring_open: now < c.scoring_deadline,
        scoring_deadline: templates::view::riga(c.scoring_deadline),
        to_tell,
        form,
    })
}

async fn render_results(
    state: &AppState,
    signed: &Signed,
    c: &call::Model,
    form: FormView,
    window: &Window,
) -> AppResult<Response> {
    let status = if form.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = results_view(state, signed.ctx.lang, c, form, Some(window)).await?;
    Ok((status, pages::results(&signed.ctx.page(), &view)).into_response())
}

/// A page of the ranking; the whole of it is the export.
async fn results_page(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Query(q): Query<crate::lists::ListQuery>,
) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    render_results(&state, &signed, &c, FormView::new(), &q.window()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReducedForm {
    application: i32,
    amount: String,
    reason: String,
}

/// Runs a change of the decision in a transaction: success redirects to the results with
/// `flash`; field errors show the results again.
async fn decide<T>(
    state: &AppState,
    signed: &Signed,
    c: &call::Model,
    flash: &str,
    form: FormView,
    change: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> Result<T, DomainError>,
) -> AppResult<Response> {
    let again = async |errors| render_results(state, signed, c, FormView { errors, ..form }, &Window::default()).await;
    let to = format!("/manage/calls/{}/results", c.id);
    write_or_show_again(state, &to, flash, change, again).await
}

async fn set_reduced(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<ReducedForm>,
) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    let now = state.now();
    decide(
        &state,
        &signed,
        &c,
        "results-reduced-saved",
        FormView::new(),
        async |txn| decision::set_reduced(txn, &signed.actor, f.application, &f.amount, now).await,
    )
    .await
}

/// Refuses, as a problem of the box `field`, a step that cannot be undone unless its box was ticked.
fn confirmed(f: &ConfirmForm, field: &'static str) -> Result<(), DomainError> {
    f.required().map_err(|_| FieldErrors::single(field, "error-confirm"))
}

async fn lock(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<ConfirmForm>,
) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    let now = state.now();
    decide(
        &state,
        &signed,
        &c.clone(),
        "results-locked",
        FormView::new(),
        async |txn| {
            confirmed(&f, "lock_confirm")?;
            decision::lock(txn, &signed.actor, c, now).await
        },
    )
    .await
}

async fn reopen(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<ReducedForm>,
) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    let now = state.now();
    let form = FormView::with_typed([("reason", f.reason.as_str())], FieldErrors::new());
    decide(&state, &signed, &c.clone(), "results-reopened", form, async |txn| {
        decision::reopen(txn, &signed.actor, c, &f.reason, now).await
    })
    .await
}

async fn publish(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<ConfirmForm>,
) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    let now = state.now();
    decide(
        &state,
        &signed,
        &c.clone(),
        "results-published",
        FormView::new(),
        async |txn| {
            confirmed(&f, "publish_confirm")?;
            decision::publish(txn, &signed.actor, c, now).await
        },
    )
    .await
}

/// The sheet every export shares: one row per application with its scores and outcome, in the
/// ranking's order, [`crate::csv::ROWS_PER_PART`] at a time.
async fn export_sheet(state: &AppState, lang: Lang, c: &call::Model, sink: &Sink) -> AppResult<()> {
    let ranking = state.rankings.of(&state.db, c).await?;
    let columns = AnswerColumns::of(state, lang, c.id).await?;
    let header = [
        "application-reference",
        "field-applicant",
        "application-title",
        "application-requested",
        "results-reduced",
        "results-cards",
        "results-mean",
        "results-median",
        "results-spread",
        "results-outcome",
        "results-amount",
    ]
    .iter()
    .map(|k| t(lang, k))
    .chain(columns.header())
    .collect();
    sink.sheet(t(lang, "results-title"), header).await?;
    for part in ranking.standings.chunks(crate::csv::ROWS_PER_PART) {
        let ids: Vec<i32> = part.iter().map(|s| s.app.id).collect();
        let mut answers = columns.cells(state, &ids).await?;
        let rows = part
            .iter()
            .map(|s| {
                let answers = answers.remove(&s.app.id).unwrap_or_default();
                vec![
                    s.app.ref_no.clone().unwrap_or_default(),
                    s.applicant.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
                    s.app.title.clone(),
                    crate::csv::cents(s.app.requested_cents),
                    s.reduced_cents.map(crate::csv::cents).unwrap_or_default(),
                    s.result.cards.to_string(),
                    score(Lang::Lv, s.result.mean),
                    score(Lang::Lv, s.result.median),
                    score(Lang::Lv, s.result.spread),
                    outcome_label(lang, s.outcome),
                    crate::csv::cents(if let Outcome::Funded { cents } = s.outcome {
                        cents
                    } else {
                        0
                    }),
                ]
                .into_iter()
                .chain(answers)
                .collect()
            })
            .collect();
        sink.rows(rows).await?;
    }
    Ok(())
}

/// Every submitted mark, by application reference, member and criterion: application, member,
/// criterion, points (or "not applicable"), comment; the marks of
/// [`crate::csv::ROWS_PER_PART`] applications at a time.
async fn scores_sheet(state: &AppState, lang: Lang, c: &call::Model, sink: &Sink) -> AppResult<()> {
    let ranking = state.rankings.of(&state.db, c).await?;
    let mut apps: Vec<(String, i32)> = ranking
        .standings
        .iter()
        .map(|s| (s.app.ref_no.clone().unwrap_or_default(), s.app.id))
        .collect();
    drop(ranking);
    apps.sort();
    let criteria: HashMap<i32, String> = calls::criteria(&state.db, c.id)
        .await?
        .into_iter()
        .map(|k| (k.id, k.name))
        .collect();
    let header = [
        "application-reference",
        "field-name",
        "criterion-name",
        "panel-points",
        "panel-comment",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    sink.sheet(t(lang, "scores-title"), header).await?;
    for part in apps.chunks(crate::csv::ROWS_PER_PART) {
        let refs: HashMap<i32, &String> = part.iter().map(|(r, id)| (*id, r)).collect();
        let marks = panel::marks(&state.db, part.iter().map(|(_, id)| *id).collect()).await?;
        let mut rows: Vec<Vec<String>> = marks
            .into_iter()
            .filter_map(|m| {
                let criterion = criteria.get(&m.criterion_id)?;
                let points = if m.not_applicable {
                    t(lang, "scores-not-applicable")
                } else {
                    m.points.map(|p| p.to_string()).unwrap_or_default()
                };
                Some(vec![
                    refs.get(&m.application_id).map(|r| (*r).clone()).unwrap_or_default(),
                    m.member,
                    criterion.clone(),
                    points,
                    m.comment,
                ])
            })
            .collect();
        rows.sort();
        sink.rows(rows).await?;
    }
    Ok(())
}

async fn scores_csv(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    let lang = signed.ctx.lang;
    let name = format!("vertejumi-{}.csv", c.id);
    crate::csv::stream(
        &name,
        move |sink| async move { scores_sheet(&state, lang, &c, &sink).await },
    )
    .await
}

async fn export_csv(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    let lang = signed.ctx.lang;
    let name = format!("rezultati-{}.csv", c.id);
    crate::csv::stream(
        &name,
        move |sink| async move { export_sheet(&state, lang, &c, &sink).await },
    )
    .await
}

async fn export_xlsx(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    let lang = signed.ctx.lang;
    crate::csv::xlsx_stream(&format!("rezultati-{id}.xlsx"), move |sink| async move {
        export_sheet(&state, lang, &c, &sink).await?;
        scores_sheet(&state, lang, &c, &sink).await
    })
    .await
}

async fn minutes(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    let lang = signed.ctx.lang;
    let view = results_view(&state, lang, &c, FormView::new(), None).await?;
    let members: Vec<(String, bool)> = panel::members(&state.db, c.id)
        .await?
        .into_iter()
        .map(|(p, u)| (u.name, p.is_chair))
        .collect();
    let apps: Vec<i32> = view.rows.iter().map(|r| r.app_id).collect();
    let recusals = panel::recusals(&state.db, apps).await?;
    let refs: HashMap<i32, String> = view.rows.iter().map(|r| (r.app_id, r.reference.clone())).collect();
    let recusals: Vec<(String, String)> = recusals
        .into_iter()
        .map(|d| (d.member, refs.get(&d.application_id).cloned().unwrap_or_default()))
        .collect();
    let columns = AnswerColumns::of(&state, lang, c.id).await?;
    let questions = columns.header();
    let mut cells = columns
        .cells(&state, &view.rows.iter().map(|r| r.app_id).collect::<Vec<_>>())
        .await?;
    let answers: Vec<(String, Vec<(String, String)>)> = view
        .rows
        .iter()
        .filter_map(|r| {
            let row = cells.remove(&r.app_id)?;
            let shown = row.into_iter().map(|a| if a.is_empty() { "—".to_owned() } else { a });
            Some((
                format!("{} — {}", r.reference, r.title),
                questions.iter().cloned().zip(shown).collect(),
            ))
        })
        .collect();
    Ok(templates::pages::minutes::minutes(&signed.ctx.page(), &view, &members, &recusals, &answers).into_response())
}

async fn public_results(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i32>) -> AppResult<Response> {
    let (c, rows) = decision::public_results(&state.db, id).await?;
    let projects = entities::grants::settlement::public_states(&state.db, c.id).await?;
    let lang = ctx.lang;
    let rows: Vec<pages::PublicRow> = rows
        .into_iter()
        .map(|r| {
            let mut outcome = templates::view::label(lang, "application-status-", r.outcome);
            if let Some(state) = projects.get(&r.reference) {
                outcome = format!("{outcome} — {}", t(lang, state));
            }
            let amount = if r.amount_cents > 0 {
                Eur::from_cents(r.amount_cents).display(lang)
            } else {
                String::new()
            };
            (
                r.rank,
                r.reference,
                r.applicant,
                r.title,
                outcome,
                amount,
                score(lang, r.score),
            )
        })
        .collect();
    Ok(pages::public_results(&ctx.page(), id, &c.title, &rows).into_response())
}

async fn api_results(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i32>() else {
        return crate::api::not_found();
    };
    match decision::public_results(&state.db, id).await {
        Ok((c, rows)) => {
            let results: Vec<serde_json::Value> = rows
                .into_iter()
                .map(|r| {
                    serde_json::json!({
                        "rank": r.rank,
                        "reference": r.reference,
                        "applicant": r.applicant,
                        "project": r.title,
                        "outcome": r.outcome.to_value(),
                        "amount": Eur::from_cents(r.amount_cents).to_plain(),
                        "score": r.score.map(|s| s.round_dp(2).to_string()),
                    })
                })
                .collect();
            crate::api::public_json(
                StatusCode::OK,
                serde_json::json!({ "call": { "id": c.id, "title": c.title }, "results": results }),
            )
        }
        Err(DomainError::NotFound) => crate::api::not_found(),
        Err(e) => crate::api::internal(e),
    }
}
