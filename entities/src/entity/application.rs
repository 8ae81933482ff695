use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The lifecycle of an application (DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "submitted")]
    Submitted,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
    #[sea_orm(string_value = "ineligible")]
    Ineligible,
    #[sea_orm(string_value = "in_review")]
    InReview,
    #[sea_orm(string_value = "funded")]
    Funded,
    #[sea_orm(string_value = "reserve")]
    Reserve,
    #[sea_orm(string_value = "not_funded")]
    NotFunded,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 8] = [
        Self::Draft,
        Self::Submitted,
        Self::Withdrawn,
        Self::Ineligible,
        Self::InReview,
        Self::Funded,
        Self::Reserve,
        Self::NotFunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Withdrawn => "withdrawn",
            Self::Ineligible => "ineligible",
            Self::InReview => "in_review",
            Self::Funded => "funded",
            Self::Reserve => "reserve",
            Self::NotFunded => "not_funded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub call_id: i32,
    pub applicant_id: i32,
    pub status: ApplicationStatus,
    pub title: String,
    pub summary: String,
    pub target_group: String,
    pub activities: String,
    pub timeline: String,
    pub requested_cents: i64,
    pub cofinancing_cents: i64,
    pub ref_seq: Option<i32>,
    pub ref_no: Option<String>,
    pub submit_key: Option<String>,
    pub submitted_at: Option<DateTimeUtc>,
    pub submitted_by: Option<i32>,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Why the application was found ineligible; the applicant sees it.
    pub ineligible_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::call::Entity",
        from = "Column::CallId",
        to = "super::call::Column::Id"
    )]
    Call,
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::ApplicantId",
        to = "super::organisation::Column::Id"
    )]
    Applicant,
}

impl Related<super::call::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Call.def()
    }
}

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Applicant.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
