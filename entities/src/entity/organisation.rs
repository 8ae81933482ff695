use sea_orm::entity::prelude::*;

use crate::domain::OrgKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub kind: OrgKind,
    pub parent_id: Option<i32>,
    pub name: String,
    pub reg_no: Option<String>,
    pub is_vocational: bool,
    pub created_at: DateTimeUtc,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    /// The bank account a grant is paid to (an `Iban`, stored without spaces).
    pub iban: Option<String>,
    /// An informal youth group (with a responsible adult) rather than a registered NGO.
    pub is_informal_group: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "Entity", from = "Column::ParentId", to = "Column::Id")]
    Parent,
}

impl ActiveModelBehavior for ActiveModel {}
