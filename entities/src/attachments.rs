//! Documents attached to applications: the type is read from the content (magic bytes) and must
//! be on the allow-list and agree with the file name; the bytes stream to object storage under a
//! server-made key, hashed (SHA-256) and size-limited on the way, never held whole in memory.

use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use object_store::ObjectStore;
use object_store::buffered::BufWriter;
use object_store::path::Path;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::entity::application::{self, ApplicationStatus};
use crate::entity::attachment;
use crate::error::{Error, Result};
use crate::grants::forms::Slot;
use crate::tokens;

/// The kinds of document accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocType {
    Pdf,
    Png,
    Jpeg,
    Docx,
    Xlsx,
    Odt,
    Ods,
    /// An e-signature container (ASiC-E; Latvia's eParaksts `.edoc` is one), stored as is.
    Asice,
}

impl DocType {
    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Odt => "application/vnd.oasis.opendocument.text",
            Self::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            Self::Asice => "application/vnd.etsi.asic-e+zip",
        }
    }

    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Pdf => &["pdf"],
            Self::Png => &["png"],
            Self::Jpeg => &["jpg", "jpeg"],
            Self::Docx => &["docx"],
            Self::Xlsx => &["xlsx"],
            Self::Odt => &["odt"],
            Self::Ods => &["ods"],
            Self::Asice => &["edoc", "asice", "sce"],
        }
    }

    pub fn from_mime(mime: &str) -> Option<Self> {
        [
            Self::Pdf,
            Self::Png,
            Self::Jpeg,
            Self::Docx,
            Self::Xlsx,
            Self::Odt,
            Self::Ods,
            Self::Asice,
        ]
        .into_iter()
        .find(|d| d.mime() == mime)
    }

    /// A short label: `PDF`, `DOCX`, …
    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Png => "PNG",
            Self::Jpeg => "JPEG",
            Self::Docx => "DOCX",
            Self::Xlsx => "XLSX",
            Self::Odt => "ODT",
            Self::Ods => "ODS",
            Self::Asice => "EDOC",
        }
    }
}

/// How much of the start of a file is read before deciding what it is.
pub const SNIFF_BYTES: usize = 64 * 1024;

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// What the content is, from its first bytes (up to `SNIFF_BYTES`).
pub fn sniff(head: &[u8]) -> Option<DocType> {
    if head.starts_with(b"%PDF-") {
        return Some(DocType::Pdf);
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(DocType::Png);
    }
    if head.starts_with(b"\xFF\xD8\xFF") {
        return Some(DocType::Jpeg);
    }
    if head.starts_with(b"PK\x03\x04") {
        // OpenDocument: the first entry is an uncompressed `mimetype` naming the type.
        if head.get(30..38) == Some(b"mimetype") {
            let rest = &head[38..head.len().min(38 + 80)];
            if rest.starts_with(b"application/vnd.oasis.opendocument.text") {
                return Some(DocType::Odt);
            }
            if rest.starts_with(b"application/vnd.oasis.opendocument.spreadsheet") {
                return Some(DocType::Ods);
            }
            if rest.starts_with(b"application/vnd.etsi.asic-e+zip") {
                return Some(DocType::Asice);
            }
            return None;
        }
        // Office Open XML: a content-types part and the main part's folder among the entries.
        if contains(head, b"[Content_Types].xml") {
            if contains(head, b"word/") {
                return Some(DocType::Docx);
            }
            if contains(head, b"xl/") {
                return Some(DocType::Xlsx);
            }
        }
    }
    None
}

/// Size limits, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_file: u64,
    pub max_application: u64,
}

/// Why an upload was refused; each has an i18n message id.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("empty file")]
    Empty,
    #[error("type not allowed")]
    NotAllowed,
    #[error("the name does not match the content")]
    Mislabelled,
    #[error("file too large")]
    TooLarge,
    #[error("the file's name cannot be used")]
    BadName,
    #[error("the application's documents would be too large")]
    ApplicationFull,
    #[error("reading the upload: {0}")]
    Read(String),
    #[error("storage: {0}")]
    Store(#[from] object_store::Error),
    #[error("storage: {0}")]
    Io(#[from] std::io::Error),
}

impl UploadError {
    /// The message for the person uploading; `None` for a failure that is ours.
    pub fn message(&self) -> Option<&'static str> {
        match self {
            Self::Empty => Some("error-file-empty"),
            Self::NotAllowed => Some("error-file-type"),
            Self::Mislabelled => Some("error-file-mislabelled"),
            Self::TooLarge => Some("error-file-too-large"),
            Self::BadName => Some("error-file-name"),
            Self::ApplicationFull => Some("error-application-files-full"),
            Self::Read(_) => Some("error-file-read"),
            Self::Store(_) | Self::Io(_) => None,
        }
    }
}

/// A stored upload, ready to be recorded.
#[derive(Debug, Clone)]
pub struct Stored {
    pub key: String,
    pub doc_type: DocType,
    pub size: u64,
    pub sha256: String,
}

fn extension(name: &str) -> Option<String> {
    name.rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e.len() <= 5)
}

/// Streams an upload to `store` under a new key in `folder` (`applications/7`). `used` is what
/// the application's (or expense's) documents already take. Nothing is left in the store when it is refused.
pub async fn store_upload<S, E>(
    store: Arc<dyn ObjectStore>,
    folder: &str,
    file_name: &str,
    mut body: S,
    limits: Limits,
    used: u64,
) -> std::result::Result<Stored, UploadError>
where
    S: Stream<Item = std::result::Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let room = limits.max_file.min(limits.max_application.saturating_sub(used));
    let too_large = |size: u64| {
        if size > limits.max_file {
            UploadError::TooLarge
        } else {
            UploadError::ApplicationFull
        }
    };
    // Read the head first: nothing is written before the type is known to be allowed.
    let mut head: Vec<u8> = Vec::new();
    let mut ended = false;
    while head.len() < SNIFF_BYTES {
        match body.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(e)) => return Err(UploadError::Read(e.to_string())),
            None => {
                ended = true;
                break;
            }
        }
        if head.len() as u64 > room {
            return Err(too_large(head.len() as u64));
        }
    }
    if head.is_empty() {
        return Err(UploadError::Empty);
    }
    if !usable_name(file_name) {
        return Err(UploadError::BadName);
    }
    let doc_type = sniff(&head).ok_or(UploadError::NotAllowed)?;
    if let Some(ext) = extension(file_name)
        && !doc_type.extensions().contains(&ext.as_str())
    {
        return Err(UploadError::Mislabelled);
    }
    let key = format!("{folder}/{}", &tokens::random_hex()[..32]);
    let mut writer = BufWriter::new(store, Path::from(key.as_str()));
    let mut hasher = Sha256::new();
    let mut size = head.len() as u64;
    hasher.update(&head);
    writer.write_all(&head).await?;
    drop(head);
    if !ended {
        while let Some(chunk) = body.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    writer.abort().await.ok();
                    return Err(UploadError::Read(e.to_string()));
                }
            };
            size += chunk.len() as u64;
            if size > room {
                writer.abort().await.ok();
                return Err(too_large(size));
            }
            hasher.update(&chunk);
            writer.write_all(&chunk).await?;
        }
    }
    writer.shutdown().await?;
    Ok(Stored {
        key,
        doc_type,
        size,
        sha256: tokens::hex(&hasher.finalize()),
    })
}

/// A stored file as a record keeps it (a signed agreement, a receipt, a report's or a call's
/// document): the name shown, its type, size, checksum and storage key.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub key: String,
}

impl StoredFile {
    /// An upload named `file_name`, as stored.
    pub fn of(file_name: &str, stored: Stored) -> Self {
        Self {
            name: display_name(file_name),
            content_type: stored.doc_type.mime().to_owned(),
            size: i64::try_from(stored.size).unwrap_or(i64::MAX),
            sha256: stored.sha256,
            key: stored.key,
        }
    }
}

/// How many bytes an application's documents take.
pub async fn used_bytes(conn: &impl ConnectionTrait, application_id: i32) -> Result<u64> {
    let total: Option<i64> = attachment::Entity::find()
        .select_only()
        .column_as(crate::money::sum_cents(attachment::Column::SizeBytes), "total")
        .filter(attachment::Column::ApplicationId.eq(application_id))
        .into_tuple::<Option<i64>>()
        .one(conn)
        .await?
        .flatten();
    Ok(u64::try_from(total.unwrap_or(0)).unwrap_or(0))
}

/// The uploader's file name as shown: the last path part, without control characters or the
/// characters that reorder text (a right-to-left override makes `gpj.exe` look like `exe.jpg`),
/// at most 200 characters — a longer name loses the end of its stem, never its extension —,
/// `document` when nothing is left.
/// Whether an uploaded file's name can be shown and saved: after its folders, it has a letter
/// or a digit and no control character (a name of dots, or with a NUL, is refused and the
/// person told so, rather than quietly renamed).
pub fn usable_name(file_name: &str) -> bool {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or("");
    name.chars().any(char::is_alphanumeric) && !name.chars().any(char::is_control)
}

pub fn display_name(file_name: &str) -> String {
    const MAX: usize = 200;
    let reorders = |c: &char| matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    let name: Vec<char> = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control() && !reorders(c))
        .collect();
    let name: String = if name.len() <= MAX {
        name.into_iter().collect()
    } else {
        let dot = name.iter().rposition(|c| *c == '.').filter(|at| name.len() - at <= 6);
        match dot {
            Some(at) => name[..MAX - (name.len() - at)].iter().chain(&name[at..]).collect(),
            None => name[..MAX].iter().collect(),
        }
    };
    if name.trim().is_empty() {
        "document".to_owned()
    } else {
        name
    }
}

/// Records a stored upload on a draft application, as none of its call's required documents.
pub async fn record(
    conn: &impl ConnectionTrait,
    app: &application::Model,
    file_name: &str,
    stored: &Stored,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<attachment::Model> {
    record_as(conn, app, (file_name, stored), Slot::Other, user_id, now).await
}

/// Records a stored upload on a draft application as what it is for (`slot`): one of the call's
/// required documents (a type it allows), the answer to a file question, or neither. A document
/// or question of another call is `NotFound`.
pub async fn record_as(
    conn: &impl ConnectionTrait,
    app: &application::Model,
    (file_name, stored): (&str, &Stored),
    slot: Slot,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<attachment::Model> {
    if app.status != ApplicationStatus::Draft {
        return Err(Error::Refused("error-application-read-only"));
    }
    if slot != Slot::Other {
        slot.check(
            &crate::grants::forms::of_call(conn, app.call_id).await?,
            stored.doc_type,
        )?;
    }
    Ok(attachment::ActiveModel {
        application_id: Set(app.id),
        file_name: Set(display_name(file_name)),
        content_type: Set(stored.doc_type.mime().to_owned()),
        size_bytes: Set(i64::try_from(stored.size).unwrap_or(i64::MAX)),
        sha256: Set(stored.sha256.clone()),
        storage_key: Set(stored.key.clone()),
        uploaded_by: Set(user_id),
        created_at: Set(now),
        archived_at: Set(None),
        document_id: Set(slot.document_id()),
        question_id: Set(slot.question_id()),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// An attachment of an application, or `NotFound`.
pub async fn find(conn: &impl ConnectionTrait, application_id: i32, id: i32) -> Result<attachment::Model> {
    attachment::Entity::find_by_id(id)
        .filter(attachment::Column::ApplicationId.eq(application_id))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)
}

/// Removes an attachment's row (its stored object is the caller's to delete, after).
pub async fn remove(conn: &impl ConnectionTrait, doc: &attachment::Model) -> Result<()> {
    attachment::Entity::delete_by_id(doc.id).exec(conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_names_lose_reordering_characters_and_keep_their_extension() {
        assert_eq!(
            display_name("rēķins\u{202e}fdp.exe"),
            "rēķinsfdp.exe",
            "no right-to-left override"
        );
        assert_eq!(display_name("C:\\Users\\x\\čeks.pdf"), "čeks.pdf");
        let long = display_name(&format!("{}.pdf", "ā".repeat(300)));
        assert_eq!(
            (long.chars().count(), long.ends_with("ā.pdf")),
            (200, true),
            "cut in the stem"
        );
        assert_eq!(display_name(&"x".repeat(300)).chars().count(), 200);
        assert_eq!(display_name("\u{202e}\u{2066}"), "document");
    }

    fn zip_with(names: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for name in names {
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&[0u8; 22]);
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0u8; 2]);
            out.extend_from_slice(name.as_bytes());
        }
        out
    }

    #[test]
    fn sniffs_the_allowed_types_and_nothing_else() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(DocType::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(DocType::Png));
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0..JFIF"), Some(DocType::Jpeg));
        assert_eq!(
            sniff(&zip_with(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"])),
            Some(DocType::Docx)
        );
        assert_eq!(
            sniff(&zip_with(&["[Content_Types].xml", "xl/workbook.xml"])),
            Some(DocType::Xlsx)
        );
        let mut odt = zip_with(&["mimetype"]);
        odt.extend_from_slice(b"application/vnd.oasis.opendocument.text");
        assert_eq!(sniff(&odt), Some(DocType::Odt));
        let mut edoc = zip_with(&["mimetype"]);
        edoc.extend_from_slice(b"application/vnd.etsi.asic-e+zip");
        assert_eq!(sniff(&edoc), Some(DocType::Asice));
        assert_eq!(sniff(b"MZ\x90\x00 this program cannot be run in DOS mode"), None);
        assert_eq!(sniff(b"\x7fELF\x02\x01"), None);
        assert_eq!(
            sniff(&zip_with(&["payload.exe"])),
            None,
            "a plain zip is not a document"
        );
        assert_eq!(sniff(b"<html><script>"), None);
    }

    #[test]
    fn a_name_of_dots_or_with_a_control_character_is_refused() {
        for good in ["kvīts.pdf", "C:\\Dokumenti\\līgums.docx", "2026.pdf", "Ω"] {
            assert!(usable_name(good), "{good}");
        }
        for bad in ["", "...", "..", " . ", "a\0b.pdf", "rēķins\n.pdf", "folder/..", "._-"] {
            assert!(!usable_name(bad), "{bad:?}");
        }
    }
}
