use sea_orm::entity::prelude::*;

/// A level of the approval chain (`plans::rules::Level`), the one a decision was made at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum ApprovalLevel {
    /// The school's director.
    #[sea_orm(string_value = "school")]
    School,
    /// The municipality's coordinator.
    #[sea_orm(string_value = "municipality")]
    Municipality,
    /// The state agency's reviewer.
    #[sea_orm(string_value = "state")]
    State,
}

/// A step's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum Decision {
    #[sea_orm(string_value = "approved")]
    Approved,
    /// Sent back to the authors with a reason.
    #[sea_orm(string_value = "returned")]
    Returned,
}

/// One step of the approval chain: who, when, the decision and the comment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_approvals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub plan_id: i32,
    pub level: ApprovalLevel,
    pub decision: Decision,
    pub comment: Option<String>,
    pub user_id: i32,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
