//! Importing a class list: the upload is read and previewed (nothing written); the
//! confirmation sends the new rows back, checked again and written in one transaction.

use templates::pages::pupil_import as import_pages;

use super::*;

async fn page(
    state: &AppState,
    signed: &Signed,
    id: i32,
    form: FormView,
    preview: Option<&plans::ImportPreview>,
) -> AppResult<Response> {
    if !signed.actor.may_register_pupils(id) {
        return Err(AppError::NotFound);
    }
    let org = school(state, id).await?;
    let failed = !form.errors.is_empty();
    let markup = import_pages::import(&signed.ctx.page(), id, &org.name, &form, preview);
    Ok(if failed {
        unprocessable(markup)
    } else {
        axum::response::IntoResponse::into_response(markup)
    })
}

pub(super) async fn import_page(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    page(&state, &signed, id, FormView::new(), None).await
}

/// The uploaded class list, read and previewed.
pub(super) async fn import_preview(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    if !signed.actor.may_register_pupils(id) {
        return Err(AppError::NotFound);
    }
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_owned();
            file = field.bytes().await.ok().map(|b| (name, b));
            break;
        }
    }
    let problem = |m: &'static str| FormView::with_typed([], FieldErrors::one("file", m));
    let table = match file {
        Some((_, bytes)) if bytes.is_empty() => Err("error-file-empty"),
        Some((name, bytes)) => crate::tables::read(&name, &bytes),
        None => Err("error-file-empty"),
    };
    let table = match table {
        Ok(table) => table,
        Err(m) => return page(&state, &signed, id, problem(m), None).await,
    };
    match plans::preview_import(&state.db, &signed.actor, id, &table, state.now()).await {
        Ok(preview) => page(&state, &signed, id, FormView::new(), Some(&preview)).await,
        Err(e) => page(&state, &signed, id, FormView::with_typed([], refused(e)?), None).await,
    }
}

/// The new rows of a previewed list, as sent back.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ConfirmRows {
    name: Vec<String>,
    class_name: Vec<String>,
    birth: Vec<String>,
}

pub(super) async fn import_confirm(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    MultiForm(f): MultiForm<ConfirmRows>,
) -> AppResult<Response> {
    let header = ["Skolēns", "Klase", "Dzimšanas datums"].map(str::to_owned).to_vec();
    let table: Vec<Vec<String>> = std::iter::once(header)
        .chain(
            f.name
                .iter()
                .zip(&f.class_name)
                .zip(&f.birth)
                .map(|((n, c), b)| vec![n.clone(), c.clone(), b.clone()]),
        )
        .collect();
    let now = state.now();
    let txn = entities::db::write(&state.db).await?;
    match plans::import_pupils(&txn, &signed.actor, id, &table, now).await {
        Ok(_) => {
            txn.commit().await?;
            Ok(redirect_with_flash(
                &state,
                &format!("/schools/{id}/pupils"),
                "import-done",
            ))
        }
        Err(e) => {
            drop(txn);
            let errors = refused(e)?;
            page(&state, &signed, id, FormView::with_typed([], errors), None).await
        }
    }
}
