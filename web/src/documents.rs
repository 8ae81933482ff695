//! Stored documents served as downloads.

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use object_store::ObjectStoreExt;
use object_store::path::Path as StorePath;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A PDF the portal drew (an agreement, an application) as a download named `{stem}-{number}.pdf`
/// (the number folded to ASCII, so the name needs no encoding).
pub(crate) fn pdf_download(stem: &str, number: &str, pdf: Vec<u8>) -> Response {
    let name = format!("{stem}-{}.pdf", entities::domain::ascii_fold(number));
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        pdf,
    )
        .into_response()
}

/// Streams a stored document (key, the name to save it as, its type and size) as a download.
pub(crate) async fn serve_stored(
    state: &AppState,
    key: &str,
    file_name: &str,
    content_type: &str,
    size: i64,
) -> AppResult<Response> {
    let object = state
        .documents
        .get(&StorePath::from(key))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let encoded: String = form_urlencoded::byte_serialize(file_name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_LENGTH, size.to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        Body::from_stream(object.into_stream()),
    )
        .into_response())
}
