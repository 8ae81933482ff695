use sea_orm::entity::prelude::*;

/// A plan's stored status (with `approval_step`, the state of `plans::rules::PlanStatus`). A
/// value the database holds that is none of these is an error when read, never a default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum PlanState {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "in_approval")]
    InApproval,
    #[sea_orm(string_value = "approved")]
    Approved,
    #[sea_orm(string_value = "in_progress")]
    InProgress,
    #[sea_orm(string_value = "paused")]
    Paused,
    #[sea_orm(string_value = "under_revision")]
    UnderRevision,
    #[sea_orm(string_value = "inactive")]
    Inactive,
}

impl PlanState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InApproval => "in_approval",
            Self::Approved => "approved",
            Self::InProgress => "in_progress",
            Self::Paused => "paused",
            Self::UnderRevision => "under_revision",
            Self::Inactive => "inactive",
        }
    }
}

/// A pupil's support plan for one semester. `status` and `approval_step` are the state of `plans::rules`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plans")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub pupil_id: i32,
    pub semester_id: i32,
    pub school_id: i32,
    pub status: PlanState,
    pub approval_step: i16,
    pub consent_at: Option<DateTimeUtc>,
    pub consent_by: Option<String>,
    /// The consent's evidence (the signed application, scanned or e-signed), in the documents
    /// store under `consent_key` (server-made).
    pub consent_file_name: Option<String>,
    pub consent_content_type: Option<String>,
    pub consent_size: Option<i64>,
    pub consent_sha256: Option<String>,
    pub consent_key: Option<String>,
    /// The plan of an earlier semester this one was carried over from.
    pub carried_from_id: Option<i32>,
    pub status_reason: Option<String>,
    pub author_id: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::SchoolId",
        to = "super::organisation::Column::Id"
    )]
    School,
}

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::School.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
