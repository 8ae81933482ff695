use sea_orm::entity::prelude::*;

/// A budget category of a call, optionally capped: at a share of the budget's total (basis
/// points) or at an amount.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "call_categories")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub call_id: i32,
    pub position: i32,
    pub name: String,
    pub cap_bp: Option<i32>,
    pub cap_cents: Option<i64>,
}

impl Model {
    /// The value a budget line of this category stores.
    pub fn key(&self) -> String {
        format!("cat-{}", self.id)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
