use sea_orm::entity::prelude::*;

/// What a measure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum MeasureKind {
    /// A specialist's consultations, in planned minutes.
    #[sea_orm(string_value = "consultation")]
    Consultation,
    /// Compensation of costs, in planned cents.
    #[sea_orm(string_value = "compensation")]
    Compensation,
    /// The support person's supervision hours.
    #[sea_orm(string_value = "supervision")]
    Supervision,
}

/// A measure: a consultation (specialist, planned minutes), a compensation (category, planned cents) or the supervision cost line.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_measures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub plan_id: i32,
    pub kind: MeasureKind,
    pub specialist: Option<String>,
    pub category: Option<String>,
    pub planned_minutes: Option<i32>,
    pub planned_cents: Option<i64>,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
