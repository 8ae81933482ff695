use sea_orm::entity::prelude::*;

/// An expense of a compensation measure: `approved`, `paid`, or `unpaid_no_funds` when it is beyond the ceiling.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "expenses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub measure_id: i32,
    pub plan_id: i32,
    pub amount_cents: i64,
    pub spent_on: Date,
    pub document: Option<String>,
    pub status: String,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
