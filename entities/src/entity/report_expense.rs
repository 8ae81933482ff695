use sea_orm::entity::prelude::*;

/// An expense of a report, against one of the application's approved budget lines, with its
/// receipt as uploaded.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_expenses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub report_id: i32,
    pub budget_line_id: i32,
    pub description: String,
    pub amount_cents: i64,
    pub paid_on: Date,
    pub receipt_name: String,
    pub receipt_type: String,
    pub receipt_size: i64,
    pub receipt_sha256: String,
    pub receipt_key: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
