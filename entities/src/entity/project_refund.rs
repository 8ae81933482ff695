use sea_orm::entity::prelude::*;

/// The money a recipient is asked to return (less was spent than paid), and when it came back.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_refunds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub project_id: i32,
    pub amount_cents: i64,
    pub due_on: Date,
    pub demanded_by: i32,
    pub demanded_at: DateTimeUtc,
    pub returned_on: Option<Date>,
    /// The payment order it came back with.
    pub reference: Option<String>,
    pub recorded_by: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
