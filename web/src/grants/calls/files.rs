//! A call's files — its regulation and annexes: the coordinator attaches them (streamed to
//! storage and checked like every upload) and removes them while the call is a draft; everyone
//! downloads them from the published call's page.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use entities::FieldErrors;
use entities::attachments::DocType;
use entities::entity::call::CallStatus;
use entities::grants::calls;
use templates::components::FormView;
use templates::pages::calls as pages;

use crate::ctx::{Ctx, Signed, redirect_with_flash, unprocessable};
use crate::documents::serve_stored;
use crate::error::{AppError, AppResult};
use crate::grants::projects::{delete_stored, record_stored, store_file};
use crate::state::AppState;

pub fn router(max_upload: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/manage/calls/{id}/files",
            get(show).post(add).layer(DefaultBodyLimit::max(max_upload)),
        )
        .route("/manage/calls/{id}/files/{fid}/delete", post(remove))
        .route("/calls/{id}/files/{fid}", get(download))
}

/// What a call's file may be: a PDF or an office document (a form to fill in).
const CALL_FILE_TYPES: &[DocType] = &[DocType::Pdf, DocType::Docx, DocType::Xlsx, DocType::Odt, DocType::Ods];

/// The call's files as its pages list them: (id, title, file name, size).
pub(crate) async fn listed(state: &AppState, call_id: i32) -> AppResult<Vec<pages::CallFileRow>> {
    Ok(calls::files(&state.db, call_id)
        .await?
        .into_iter()
        .map(|f| pages::CallFileRow {
            href: format!("/calls/{call_id}/files/{}", f.id),
            id: f.id,
            title: f.title,
            name: f.name,
            size: crate::grants::size_label(f.size),
        })
        .collect())
}

async fn render(state: &AppState, signed: &Signed, id: i32, form: FormView) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    let rows = listed(state, c.id).await?;
    let page = pages::files_page(
        &signed.ctx.page(),
        &c.title,
        c.id,
        c.status == CallStatus::Draft,
        &rows,
        &form,
    );
    Ok(if form.errors.is_empty() {
        axum::response::IntoResponse::into_response(page)
    } else {
        unprocessable(page)
    })
}

async fn show(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    render(&state, &signed, id, FormView::new()).await
}

async fn add(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let c = calls::managed(&state.db, &signed.actor, id).await?;
    let mut title = String::new();
    let field = loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => break Some(field),
            Ok(Some(field)) => {
                if field.name() == Some("title") {
                    title = field.text().await.unwrap_or_default();
                }
            }
            Ok(None) | Err(_) => break None,
        }
    };
    let again = async |errors: FieldErrors| {
        render(
            &state,
            &signed,
            id,
            FormView::with_typed([("title", title.as_str())], errors),
        )
        .await
    };
    if title.trim().is_empty() {
        return again(FieldErrors::one("title", "error-required")).await;
    }
    let Some(field) = field else {
        return again(FieldErrors::one("file", "error-file-empty")).await;
    };
    let stored = match store_file(&state, &format!("calls/{}", c.id), field, CALL_FILE_TYPES).await? {
        Ok(stored) => stored,
        Err(message) => return again(FieldErrors::one("file", message.unwrap_or("error-file-type"))).await,
    };
    let key = stored.key.clone();
    let now = state.now();
    let recorded = record_stored(&state, &key, async |txn| {
        calls::add_file(txn, &signed.actor, id, &title, stored, now).await
    })
    .await?;
    if let Err(errors) = recorded {
        return again(errors).await;
    }
    Ok(redirect_with_flash(
        &state,
        &format!("/manage/calls/{id}/files"),
        "call-file-added",
    ))
}

async fn remove(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, fid)): Path<(i32, i32)>,
) -> AppResult<Response> {
    let txn = entities::db::write(&state.db).await?;
    let key = calls::remove_file(&txn, &signed.actor, id, fid).await?;
    txn.commit().await?;
    delete_stored(&state, &key).await;
    Ok(redirect_with_flash(
        &state,
        &format!("/manage/calls/{id}/files"),
        "call-file-removed",
    ))
}

/// A call's file, for everyone once the call is published (its coordinators before).
async fn download(State(state): State<AppState>, ctx: Ctx, Path((id, fid)): Path<(i32, i32)>) -> AppResult<Response> {
    let visible = match calls::published(&state.db, id).await {
        Ok(_) => true,
        Err(entities::Error::NotFound) => match &ctx.actor {
            Some(actor) => calls::managed(&state.db, actor, id).await.is_ok(),
            None => false,
        },
        Err(e) => return Err(e.into()),
    };
    if !visible {
        return Err(AppError::NotFound);
    }
    let f = calls::file_of(&state.db, id, fid).await?;
    serve_stored(&state, &f.storage_key, &f.name, &f.content_type, f.size).await
}
