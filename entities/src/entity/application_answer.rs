use sea_orm::entity::prelude::*;

/// An application's answer to one of its call's questions, as stored (normalised: a whole
/// number, an amount in plain euros, an ISO date, `yes`/`no`, a choice's text).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application_answers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub application_id: i32,
    pub question_id: i32,
    pub value: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
