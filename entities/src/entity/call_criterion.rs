use sea_orm::entity::prelude::*;

/// A scoring criterion of a call.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "call_criteria")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub call_id: i32,
    pub position: i32,
    pub name: String,
    pub description: String,
    pub max_points: i32,
    /// The weight × 100 (a weight of 1.5 is 150).
    pub weight_x100: i32,
    /// Below this many points the application fails the criterion.
    pub min_points: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
