//! A call's own form: the coordinator's builder (`/manage/calls/{id}/form`) and what the
//! application's pages draw from it — the questions' fields, the required documents' uploads,
//! the answers as read, and their columns in the exports.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form as MultiForm;
use chrono::NaiveDate;
use entities::entity::attachment;
use entities::entity::call::CallStatus;
use entities::entity::call_question::{self, QuestionKind};
use entities::grants::calls;
use entities::grants::forms::{self, CallForm, CategoryInput, DocumentInput, Part, QuestionInput};
use entities::money::Eur;
use entities::{Error as DomainError, FieldErrors};
use serde::Deserialize;
use templates::components::FormView;
use templates::pages::call_form::{self as pages, CategoryView, DocumentView, FormSpec, QuestionView};
use templates::{Lang, t, tf};

use crate::ctx::{Signed, redirect_with_flash, unprocessable};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/manage/calls/{id}/form", get(show))
        .route("/manage/calls/{id}/preview", get(preview))
        .route("/manage/calls/{id}/form/questions", post(add_question))
        .route("/manage/calls/{id}/form/documents", post(add_document))
        .route("/manage/calls/{id}/form/categories", post(add_category))
        .route("/manage/calls/{id}/form/{part}/{pid}/delete", post(remove))
        .route("/manage/calls/{id}/form/question/{pid}/{dir}", post(move_question))
}

/// The call's form as its pages show it; `answers` and `docs` fill in what an application has.
pub(crate) fn spec(lang: Lang, form: &CallForm, docs: &[attachment::Model]) -> FormSpec {
    let names = |pick: &dyn Fn(&attachment::Model) -> bool| -> Vec<String> {
        docs.iter().filter(|d| pick(d)).map(|d| d.file_name.clone()).collect()
    };
    let eur = |c: i64| Eur::from_cents(c).display(lang);
    FormSpec {
        questions: form
            .questions
            .iter()
            .map(|q| QuestionView {
                id: q.id,
                field: q.field(),
                kind: q.kind,
                label: q.label.clone(),
                help: q.help.clone(),
                required: q.required,
                max_len: q.max_len,
                options: q.options().into_iter().map(str::to_owned).collect(),
                files: names(&|d| d.question_id == Some(q.id)),
            })
            .collect(),
        documents: form
            .documents
            .iter()
            .map(|d| {
                let types = forms::allowed_types(d);
                DocumentView {
                    id: d.id,
                    field: d.field(),
                    title: d.title.clone(),
                    types: types.iter().map(|t| t.label()).collect::<Vec<_>>().join(", "),
                    accept: types
                        .iter()
                        .flat_map(|t| t.extensions().iter().map(|e| format!(".{e}")))
                        .collect::<Vec<_>>()
                        .join(","),
                    files: names(&|a| a.document_id == Some(d.id)),
                }
            })
            .collect(),
        categories: form
            .categories
            .iter()
            .map(|k| CategoryView {
                id: k.id,
                name: k.name.clone(),
                cap: match (k.cap_bp, k.cap_cents) {
                    (Some(bp), _) => tf(
                        lang,
                        "call-form-cap-share-text",
                        &[("share", &templates::view::percent(bp))],
                    ),
                    (_, Some(cents)) => tf(lang, "call-form-cap-amount-text", &[("amount", &eur(cents))]),
                    _ => String::new(),
                },
            })
            .collect(),
    }
}

/// An answer as people read it (an amount in euros, a date as dd.mm.yyyy, yes/no in words).
pub(crate) fn shown(lang: Lang, q: &call_question::Model, value: &str) -> String {
    match q.kind {
        QuestionKind::Amount => Eur::parse(value).map(|e| e.display(lang)).unwrap_or_default(),
        QuestionKind::Date => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .map(templates::view::date)
            .unwrap_or_default(),
        QuestionKind::YesNo => t(lang, if value == "yes" { "answer-yes" } else { "answer-no" }),
        _ => value.to_owned(),
    }
}

/// Every question with its answer as read; a file question lists its files, an unanswered one
/// a dash.
pub(crate) fn answers_shown(
    lang: Lang,
    form: &CallForm,
    answers: &HashMap<i32, String>,
    docs: &[attachment::Model],
) -> Vec<(String, String)> {
    form.questions
        .iter()
        .map(|q| {
            let value = match q.kind {
                QuestionKind::File => docs
                    .iter()
                    .filter(|d| d.question_id == Some(q.id))
                    .map(|d| d.file_name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => answers.get(&q.id).map(|v| shown(lang, q, v)).unwrap_or_default(),
            };
            (q.label.clone(), if value.is_empty() { "—".to_owned() } else { value })
        })
        .collect()
}

/// What an attachment is, in the call's words: the required document or the question it answers.
pub(crate) fn purpose(form: &CallForm, doc: &attachment::Model) -> String {
    let document = doc
        .document_id
        .and_then(|id| form.documents.iter().find(|d| d.id == id))
        .map(|d| d.title.clone());
    let question = doc
        .question_id
        .and_then(|id| form.questions.iter().find(|q| q.id == id))
        .map(|q| q.label.clone());
    document.or(question).unwrap_or_default()
}

/// The export columns of a call's questions: their headers, and the cells of applications.
pub(crate) struct AnswerColumns {
    lang: Lang,
    questions: Vec<call_question::Model>,
}

impl AnswerColumns {
    pub(crate) async fn of(state: &AppState, lang: Lang, call_id: i32) -> AppResult<Self> {
        let questions = forms::of_call(&state.db, call_id).await?.questions;
        Ok(Self { lang, questions })
    }

    pub(crate) fn header(&self) -> Vec<String> {
        self.questions.iter().map(|q| q.label.clone()).collect()
    }

    /// The cells of each of `applications`: two statements per 500 of them, so that no list
    /// of ids grows with the call.
    pub(crate) async fn cells(&self, state: &AppState, applications: &[i32]) -> AppResult<HashMap<i32, Vec<String>>> {
        let mut out = HashMap::new();
        if self.questions.is_empty() {
            return Ok(out);
        }
        for part in applications.chunks(crate::csv::ROWS_PER_PART) {
            let answers = forms::answers_of(&state.db, part.to_vec()).await?;
            let files = forms::files_of(&state.db, part.to_vec()).await?;
            for &app in part {
                let row = self
                    .questions
                    .iter()
                    .map(|q| match q.kind {
                        QuestionKind::File => files.get(&(app, q.id)).map(|f| f.join(", ")).unwrap_or_default(),
                        _ => answers
                            .get(&(app, q.id))
                            .map(|v| shown(self.lang, q, v))
                            .unwrap_or_default(),
                    })
                    .collect();
                out.insert(app, row);
            }
        }
        Ok(out)
    }
}

async fn render(state: &AppState, signed: &Signed, id: i32, form: FormView) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    let call_form = forms::of_call(&state.db, c.id).await?;
    let page = pages::builder(
        &signed.ctx.page(),
        &c.title,
        c.id,
        c.status == CallStatus::Draft,
        &spec(signed.ctx.lang, &call_form, &[]),
        &form,
    );
    Ok(if form.errors.is_empty() {
        page.into_response()
    } else {
        unprocessable(page)
    })
}

/// The application form as an applicant of the call will see it.
async fn preview(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    super::applications::preview(&state, &signed, &c).await
}

async fn show(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    render(&state, &signed, id, FormView::new()).await
}

/// Runs one change of the form in a transaction: back to the builder with a flash when done,
/// the builder again with what was typed and its problems when refused.
async fn change<T>(
    state: &AppState,
    signed: &Signed,
    id: i32,
    typed: FormView,
    flash: &str,
    run: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> entities::Result<T>,
) -> AppResult<Response> {
    let txn = entities::db::write(&state.db).await?;
    match run(&txn).await {
        Ok(_) => {
            txn.commit().await?;
            Ok(redirect_with_flash(state, &format!("/manage/calls/{id}/form"), flash))
        }
        Err(DomainError::Invalid(errors)) => {
            drop(txn);
            render(state, signed, id, FormView { errors, ..typed }).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct QuestionData {
    kind: String,
    label: String,
    help: String,
    required: String,
    max_len: String,
    choices: String,
}

async fn add_question(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    MultiForm(f): MultiForm<QuestionData>,
) -> AppResult<Response> {
    let input = QuestionInput {
        kind: f.kind.clone(),
        label: f.label.clone(),
        help: f.help.clone(),
        required: f.required == "on",
        max_len: f.max_len.clone(),
        choices: f.choices.clone(),
    };
    let typed = FormView::with_typed(
        [
            ("kind", f.kind.as_str()),
            ("label", f.label.as_str()),
            ("help", f.help.as_str()),
            ("required", f.required.as_str()),
            ("max_len", f.max_len.as_str()),
            ("choices", f.choices.as_str()),
        ],
        FieldErrors::new(),
    );
    let now = state.now();
    change(&state, &signed, id, typed, "call-form-question-added", async |txn| {
        forms::add_question(txn, &signed.actor, id, &input, now).await
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DocumentData {
    doc_title: String,
    types: Vec<String>,
}

async fn add_document(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    MultiForm(f): MultiForm<DocumentData>,
) -> AppResult<Response> {
    let types = f.types.join(",");
    let typed = FormView::with_typed(
        [("doc_title", f.doc_title.as_str()), ("types", types.as_str())],
        FieldErrors::new(),
    );
    let input = DocumentInput {
        title: f.doc_title.clone(),
        types: f.types.clone(),
    };
    let now = state.now();
    change(&state, &signed, id, typed, "call-form-document-added", async |txn| {
        forms::add_document(txn, &signed.actor, id, &input, now).await
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CategoryData {
    cat_name: String,
    cap: String,
    cap_value: String,
}

async fn add_category(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    MultiForm(f): MultiForm<CategoryData>,
) -> AppResult<Response> {
    let typed = FormView::with_typed(
        [
            ("cat_name", f.cat_name.as_str()),
            ("cap", f.cap.as_str()),
            ("cap_value", f.cap_value.as_str()),
        ],
        FieldErrors::new(),
    );
    let input = CategoryInput {
        name: f.cat_name.clone(),
        cap: f.cap.clone(),
        cap_value: f.cap_value.clone(),
    };
    let now = state.now();
    change(&state, &signed, id, typed, "call-form-category-added", async |txn| {
        forms::add_category(txn, &signed.actor, id, &input, now).await
    })
    .await
}

async fn remove(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, part, pid)): Path<(i32, String, i32)>,
) -> AppResult<Response> {
    let part = Part::parse(&part).ok_or(AppError::NotFound)?;
    let now = state.now();
    change(&state, &signed, id, FormView::new(), "call-form-removed", async |txn| {
        forms::remove(txn, &signed.actor, id, part, pid, now).await
    })
    .await
}

async fn move_question(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, pid, dir)): Path<(i32, i32, String)>,
) -> AppResult<Response> {
    let up = match dir.as_str() {
        "up" => true,
        "down" => false,
        _ => return Err(AppError::NotFound),
    };
    let now = state.now();
    change(&state, &signed, id, FormView::new(), "call-form-moved", async |txn| {
        forms::move_question(txn, &signed.actor, id, pid, up, now).await
    })
    .await
}
