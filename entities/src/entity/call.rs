use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The lifecycle of a call (DESIGN.md); the values are also the JSON API's status values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "open")]
    Open,
    /// Published, before its opening time. Never stored (a published call is `Open`): only
    /// what `calls::effective_status` tells people.
    #[sea_orm(string_value = "announced")]
    Announced,
    #[sea_orm(string_value = "closed")]
    Closed,
    #[sea_orm(string_value = "in_review")]
    InReview,
    #[sea_orm(string_value = "decided")]
    Decided,
    #[sea_orm(string_value = "results_published")]
    ResultsPublished,
    #[sea_orm(string_value = "archived")]
    Archived,
}

impl CallStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Open => "open",
            Self::Announced => "announced",
            Self::Closed => "closed",
            Self::InReview => "in_review",
            Self::Decided => "decided",
            Self::ResultsPublished => "results_published",
            Self::Archived => "archived",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calls")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub municipality_id: i32,
    pub title: String,
    pub description: String,
    pub aims: String,
    pub eligibility: String,
    pub ref_prefix: String,
    pub opens_at: DateTimeUtc,
    pub closes_at: DateTimeUtc,
    pub scoring_deadline: DateTimeUtc,
    pub budget_cents: i64,
    pub min_grant_cents: i64,
    pub max_grant_cents: i64,
    /// Required co-financing as a share of the project's total cost, in basis points.
    pub cofinancing_bp: i32,
    pub allow_informal_groups: bool,
    /// The period funded projects run in (none for calls made before projects were followed).
    pub project_starts_on: Option<Date>,
    pub project_ends_on: Option<Date>,
    /// The advance paid once an agreement is in force, in basis points of the grant.
    pub advance_bp: i32,
    /// When the interim report is due, if the call asks for one.
    pub interim_report_on: Option<Date>,
    /// Days after the project's end the final report is due.
    pub final_report_days: i32,
    /// Days a funded applicant (or a reserve moved up) has to accept the grant.
    pub accept_days: i32,
    pub status: CallStatus,
    /// The last reference number given out; submitting takes the next one.
    pub last_ref_seq: i32,
    /// One more at every change the call's ranking is worked out from (`decision::results_changed`).
    pub results_version: i64,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::MunicipalityId",
        to = "super::organisation::Column::Id"
    )]
    Municipality,
}

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Municipality.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
