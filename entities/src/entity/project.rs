use sea_orm::entity::prelude::*;

/// Where a funded project stands. (The agreement, payments, reports and closing come later.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum ProjectState {
    /// The grant is offered; the applicant has until `answer_by` to accept.
    #[sea_orm(string_value = "offered")]
    Offered,
    #[sea_orm(string_value = "accepted")]
    Accepted,
    #[sea_orm(string_value = "declined")]
    Declined,
    /// Not answered within the call's days to accept.
    #[sea_orm(string_value = "lapsed")]
    Lapsed,
}

/// A funded application's project: the granted amount (reduced or not) and the applicant's
/// answer to the offer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub call_id: i32,
    pub application_id: i32,
    pub applicant_id: i32,
    pub granted_cents: i64,
    pub status: ProjectState,
    pub answer_by: DateTimeUtc,
    pub answered_at: Option<DateTimeUtc>,
    pub answered_by: Option<i32>,
    pub created_at: DateTimeUtc,
    /// Settled and closed by the coordinator; its documents archived at `archived_at`.
    pub closed_at: Option<DateTimeUtc>,
    pub closed_by: Option<i32>,
    pub archived_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
