use sea_orm::entity::prelude::*;

/// A measure: a consultation (specialist, planned minutes), a compensation (category, planned cents) or the supervision cost line.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_measures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub plan_id: i32,
    pub kind: String,
    pub specialist: Option<String>,
    pub category: Option<String>,
    pub planned_minutes: Option<i32>,
    pub planned_cents: Option<i64>,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
