use sea_orm::entity::prelude::*;

/// A document every application to a call must carry ("CV of the project leader"), with the
/// kinds of file it may be (`attachments::TypeGroup` keys, comma-separated).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "call_documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub call_id: i32,
    pub position: i32,
    pub title: String,
    pub types: String,
}

impl Model {
    /// The form field (and error) name of its upload.
    pub fn field(&self) -> String {
        format!("doc-{}", self.id)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
