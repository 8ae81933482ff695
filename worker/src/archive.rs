//! Archiving a decided call: every document of its applications is copied to the archive store
//! under a stable, readable key (`calls/{call}-{prefix}/{reference}/{attachment}-{file}`), read
//! back and checked against the SHA-256 recorded at upload, listed in the call's manifest, and
//! marked archived. A re-run skips what is archived and writes the manifest again. A closed
//! semester's expense documents are archived the same way
//! (`semesters/{year}-{half}-{semester}/{school}/{expense}-{file}`), without any pupil data.
//! A closed project's signed agreement and receipts likewise
//! (`projects/{project}-{reference}/…`), its manifest holding the reports' content.

use std::sync::Arc;

use chrono::Utc;
use entities::tokens;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use sea_orm::{ActiveEnum, DatabaseConnection};
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
    let Some((c, docs)) = entities::archive::call_documents(db, call_id).await? else {
        return Ok(0);
    };
    let folder = format!("calls/{}-{}", c.id, key_part(&c.ref_prefix));
    let mut copied = 0;
    let mut manifest = Vec::new();
    for (reference, doc) in &docs {
        let key = format!(
            "{folder}/{}/{}-{}",
            key_part(reference),
            doc.id,
            key_part(&doc.file_name)
        );
        if doc.archived_at.is_none() {
            copy_checked((documents, archive), &doc.storage_key, &key, &doc.sha256)
                .await
                .map_err(|e| e.about(&format!("attachment {}", doc.id)))?;
            entities::archive::attachment_archived(db, doc.id, Utc::now()).await?;
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

/// Copies `from` (documents store) to `to` (archive store), reads it back and compares its
/// SHA-256 with `sha256`.
async fn copy_checked(
    (documents, archive): (&Arc<dyn ObjectStore>, &Arc<dyn ObjectStore>),
    from: &str,
    to: &str,
    sha256: &str,
) -> Result<(), WorkerError> {
    let bytes = documents.get(&Path::from(from)).await?.bytes().await?;
    archive.put(&Path::from(to), PutPayload::from(bytes)).await?;
    let back = archive.get(&Path::from(to)).await?.bytes().await?;
    let sum = tokens::hex(&Sha256::digest(&back));
    if sum != sha256 {
        return Err(WorkerError::Archive(format!("checksum {sum} does not match {sha256}")));
    }
    Ok(())
}

/// Archives the expense documents of a closed semester; returns how many were copied now.
pub async fn archive_semester(
    db: &DatabaseConnection,
    documents: &Arc<dyn ObjectStore>,
    archive: &Arc<dyn ObjectStore>,
    semester_id: i32,
) -> Result<usize, WorkerError> {
    let Some((s, docs)) = entities::archive::semester_documents(db, semester_id).await? else {
        return Ok(0);
    };
    let folder = format!("semesters/{}-{}-{}", s.school_year, s.half, s.id);
    let mut copied = 0;
    let mut manifest = Vec::new();
    for (school, doc) in &docs {
        let (Some(from), Some(sha256)) = (&doc.document_key, &doc.document_sha256) else {
            continue;
        };
        let name = doc.document_name.clone().unwrap_or_default();
        let key = format!("{folder}/{school}/{}-{}", doc.id, key_part(&name));
        if doc.archived_at.is_none() {
            copy_checked((documents, archive), from, &key, sha256)
                .await
                .map_err(|e| e.about(&format!("expense {}", doc.id)))?;
            entities::archive::expense_archived(db, doc.id, Utc::now()).await?;
            copied += 1;
        }
        manifest.push(serde_json::json!({
            "school": school,
            "expense": doc.id,
            "file": name,
            "key": key,
            "sha256": sha256,
            "size": doc.document_size,
            "content_type": doc.document_type,
        }));
    }
    let manifest = serde_json::json!({
        "semester": { "id": s.id, "school_year": s.school_year, "half": s.half },
        "documents": manifest,
    });
    archive
        .put(
            &Path::from(format!("{folder}/manifest.json")),
            PutPayload::from(serde_json::to_vec_pretty(&manifest)?),
        )
        .await?;
    tracing::info!(
        semester = s.id,
        copied,
        total = docs.len(),
        "semester documents archived"
    );
    Ok(copied)
}

/// Archives a closed project's signed agreement, receipts and report documents, with its reports in the
/// manifest; returns how many documents were copied. Copying again is harmless (each copy is
/// checked), so a re-run copies all and marks the project archived once complete.
pub async fn archive_project(
    db: &DatabaseConnection,
    documents: &Arc<dyn ObjectStore>,
    archive: &Arc<dyn ObjectStore>,
    project_id: i32,
) -> Result<usize, WorkerError> {
    let Some(p) = entities::grants::settlement::archive_of(db, project_id).await? else {
        return Ok(0);
    };
    let folder = format!("projects/{}-{}", p.project.id, key_part(&p.reference));
    let mut files = Vec::new();
    if let Some(a) = &p.agreement
        && let (Some(from), Some(name), Some(sha256)) = (&a.signed_key, &a.signed_name, &a.signed_sha256)
    {
        files.push((
            "agreement".to_owned(),
            from.clone(),
            name.clone(),
            sha256.clone(),
            a.signed_size.unwrap_or(0),
        ));
    }
    for e in &p.receipts {
        files.push((
            format!("receipt-{}", e.id),
            e.receipt_key.clone(),
            e.receipt_name.clone(),
            e.receipt_sha256.clone(),
            e.receipt_size,
        ));
    }
    for d in &p.documents {
        files.push((
            format!("document-{}", d.id),
            d.storage_key.clone(),
            d.name.clone(),
            d.sha256.clone(),
            d.size,
        ));
    }
    let mut manifest = Vec::new();
    for (what, from, name, sha256, size) in &files {
        let key = format!("{folder}/{what}-{}", key_part(name));
        copy_checked((documents, archive), from, &key, sha256)
            .await
            .map_err(|e| e.about(&format!("project {} {what}", p.project.id)))?;
        manifest
            .push(serde_json::json!({ "document": what, "file": name, "key": key, "sha256": sha256, "size": size }));
    }
    let reports: Vec<serde_json::Value> = p
        .reports
        .iter()
        .map(|r| {
            serde_json::json!({
                "kind": r.kind.to_value(),
                "status": r.status.to_value(),
                "activities": r.activities,
                "started_on": r.started_on,
                "ended_on": r.ended_on,
                "participants": r.participants,
                "pupils_at_risk": r.pupils_at_risk,
                "publicity": r.publicity,
            })
        })
        .collect();
    let manifest = serde_json::json!({
        "project": { "id": p.project.id, "reference": p.reference, "granted_cents": p.project.granted_cents },
        "reports": reports,
        "documents": manifest,
    });
    archive
        .put(
            &Path::from(format!("{folder}/manifest.json")),
            PutPayload::from(serde_json::to_vec_pretty(&manifest)?),
        )
        .await?;
    let copied = files.len();
    entities::grants::settlement::archived(db, p.project, Utc::now()).await?;
    tracing::info!(project = project_id, copied, "project documents archived");
    Ok(copied)
}
