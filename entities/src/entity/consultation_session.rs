use sea_orm::entity::prelude::*;

/// A consultation as it happened: when, how long, who, in person or remote, confirmed by the pupil.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultation_sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub measure_id: i32,
    pub held_on: Date,
    pub minutes: i32,
    pub staff_id: i32,
    pub remote: bool,
    pub pupil_confirmed: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
