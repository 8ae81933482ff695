use sea_orm::entity::prelude::*;

/// A document attached to an application; the bytes live in object storage under `storage_key`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub application_id: i32,
    /// The name the uploader's file had, for display only.
    pub file_name: String,
    /// Detected from the content, not taken from the upload.
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    #[sea_orm(unique)]
    pub storage_key: String,
    pub uploaded_by: i32,
    pub created_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
    /// The call's required document this file is.
    pub document_id: Option<i32>,
    /// The call's file question this file answers.
    pub question_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
