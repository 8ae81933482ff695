use sea_orm::entity::prelude::*;

/// A pupil's support plan for one semester. `status` and `approval_step` are the state of `plan_rules`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plans")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub pupil_id: i32,
    pub semester_id: i32,
    pub school_id: i32,
    pub status: String,
    pub approval_step: i16,
    pub consent_at: Option<DateTimeUtc>,
    pub consent_by: Option<String>,
    pub status_reason: Option<String>,
    pub author_id: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
