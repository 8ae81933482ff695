use sea_orm::entity::prelude::*;

/// What a payment to a project is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum PaymentKind {
    /// The advance, due once the agreement is in force.
    #[sea_orm(string_value = "advance")]
    Advance,
    /// The rest, after the final report.
    #[sea_orm(string_value = "final")]
    Final,
}

/// A transfer the municipality made to a project's recipient.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_payments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub project_id: i32,
    pub kind: PaymentKind,
    pub amount_cents: i64,
    pub paid_on: Date,
    /// The payment order's number, as the accounting system knows it.
    pub reference: String,
    pub recorded_by: i32,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
