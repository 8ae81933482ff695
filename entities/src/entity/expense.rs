use sea_orm::entity::prelude::*;

/// An expense's stored status: requested, then approved (or unpaid when it is beyond the
/// ceiling), then paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum ExpenseState {
    /// Waiting for the accountant's decision.
    #[sea_orm(string_value = "requested")]
    Requested,
    #[sea_orm(string_value = "approved")]
    Approved,
    #[sea_orm(string_value = "paid")]
    Paid,
    /// Beyond the school's ceiling for the semester.
    #[sea_orm(string_value = "unpaid_no_funds")]
    Unpaid,
}

impl ExpenseState {
    /// Money the school has committed: approved or paid.
    pub const COMMITTED: [Self; 2] = [Self::Approved, Self::Paid];
}

/// An expense of a compensation measure.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "expenses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub measure_id: i32,
    pub plan_id: i32,
    pub amount_cents: i64,
    pub spent_on: Date,
    /// The receipt or invoice, in the documents store under `document_key` (server-made).
    pub document_key: Option<String>,
    /// The uploader's file name, for display only.
    pub document_name: Option<String>,
    /// Detected from the content.
    pub document_type: Option<String>,
    pub document_size: Option<i64>,
    pub document_sha256: Option<String>,
    /// When the document was copied to the archive (the semester was closed).
    pub archived_at: Option<DateTimeUtc>,
    pub status: ExpenseState,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
