use sea_orm::entity::prelude::*;

/// The stored kind of an outcome (`allocation::Outcome` with its amount or position).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum AwardOutcome {
    #[sea_orm(string_value = "funded")]
    Funded,
    #[sea_orm(string_value = "reserve")]
    Reserve,
    #[sea_orm(string_value = "not_funded")]
    NotFunded,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

/// The decided outcome of one application: funded (amount), reserve (position) or not funded.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "awards")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub call_id: i32,
    pub application_id: i32,
    pub rank: i32,
    pub outcome: AwardOutcome,
    pub amount_cents: i64,
    pub reserve_position: Option<i32>,
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
        belongs_to = "super::application::Entity",
        from = "Column::ApplicationId",
        to = "super::application::Column::Id"
    )]
    Application,
}

impl Related<super::call::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Call.def()
    }
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
