use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registration_attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The address registered (lower case).
    pub email: String,
    pub ip: String,
    /// Whether an email went to the address for this attempt.
    pub emailed: bool,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
