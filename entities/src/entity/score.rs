use sea_orm::entity::prelude::*;

/// A mark on one criterion: points, or "not applicable" (kept apart from 0).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scores")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub scorecard_id: i32,
    pub criterion_id: i32,
    pub points: Option<i32>,
    pub not_applicable: bool,
    pub comment: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
