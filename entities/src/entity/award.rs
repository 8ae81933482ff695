use sea_orm::entity::prelude::*;

/// The decided outcome of one application: funded (amount), reserve (position) or not funded.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "awards")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub call_id: i32,
    pub application_id: i32,
    pub rank: i32,
    pub outcome: String,
    pub amount_cents: i64,
    pub reserve_position: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
