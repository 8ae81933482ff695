use sea_orm::entity::prelude::*;

/// The end-of-semester evaluation of a measure (`measure_id`) or of the whole plan (with the pupil's outcome).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub plan_id: i32,
    pub measure_id: Option<i32>,
    pub text: String,
    pub result: String,
    pub outcome: Option<String>,
    pub evaluated_by: i32,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
