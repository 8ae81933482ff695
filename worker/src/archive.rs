//! Archiving a decided call: every document of its applications is copied to the archive store
//! under a stable, readable key (`calls/{call}-{prefix}/{reference}/{attachment}-{file}`), read
//! back and checked against the SHA-256 recorded at upload, listed in the call's manifest, and
//! marked archived. A re-run skips what is archived and writes the manifest again.

use std::sync::Arc;

use chrono::Utc;
use entities::entity::application::{self, ApplicationStatus};
use entities::entity::{attachment, call};
use entities::tokens;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use sha2::{Digest, Sha256};

use crate::WorkerError;

/// A file name that is safe in a key (plain ASCII) and still readable.
fn key_part(s: &str) -> String {
    entities::domain::ascii_fold(s)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Archives the documents of `call_id`; returns how many were copied now.
pub async fn archive_call(
    db: &DatabaseConnection,
    documents: &Arc<dyn ObjectStore>,
    archive: &Arc<dyn ObjectStore>,
    call_id: i32,
) -> Result<usize, WorkerError> {
    let Some(c) = call::Entity::find_by_id(call_id).one(db).await? else {
        return Ok(0);
    };
    let apps = application::Entity::find()
        .filter(application::Column::CallId.eq(c.id))
        .filter(application::Column::Status.ne(ApplicationStatus::Draft))
        .all(db)
        .await?;
    let docs = attachment::Entity::find()
        .filter(attachment::Column::ApplicationId.is_in(apps.iter().map(|a| a.id).collect::<Vec<_>>()))
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await?;
    let folder = format!("calls/{}-{}", c.id, key_part(&c.ref_prefix));
    let mut copied = 0;
    let mut manifest = Vec::new();
    for doc in &docs {
        let reference = apps
            .iter()
            .find(|a| a.id == doc.application_id)
            .and_then(|a| a.ref_no.clone())
            .unwrap_or_default();
        let key = format!(
            "{folder}/{}/{}-{}",
            key_part(&reference),
            doc.id,
            key_part(&doc.file_name)
        );
        if doc.archived_at.is_none() {
            let bytes = documents
                .get(&Path::from(doc.storage_key.as_str()))
                .await?
                .bytes()
                .await?;
            archive.put(&Path::from(key.as_str()), PutPayload::from(bytes)).await?;
            let back = archive.get(&Path::from(key.as_str())).await?.bytes().await?;
            let sum = tokens::hex(&Sha256::digest(&back));
            if sum != doc.sha256 {
                return Err(WorkerError::Archive(format!(
                    "attachment {}: checksum {sum} does not match {}",
                    doc.id, doc.sha256
                )));
            }
            attachment::Entity::update_many()
                .col_expr(attachment::Column::ArchivedAt, Expr::value(Utc::now()))
                .filter(attachment::Column::Id.eq(doc.id))
                .exec(db)
                .await?;
            copied += 1;
        }
        manifest.push(serde_json::json!({
            "reference": reference,
            "file": doc.file_name,
            "key": key,
            "sha256": doc.sha256,
            "size": doc.size_bytes,
            "content_type": doc.content_type,
        }));
    }
    let manifest = serde_json::json!({ "call": { "id": c.id, "title": c.title }, "documents": manifest });
    archive
        .put(
            &Path::from(format!("{folder}/manifest.json")),
            PutPayload::from(serde_json::to_vec_pretty(&manifest)?),
        )
        .await?;
    tracing::info!(call = c.id, copied, total = docs.len(), "documents archived");
    Ok(copied)
}
