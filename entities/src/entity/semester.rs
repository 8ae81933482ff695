use sea_orm::entity::prelude::*;

/// A school year half (`school_year` is the year it starts), with the per-pupil cap.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "semesters")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub school_year: i32,
    pub half: i16,
    pub starts_on: Date,
    pub ends_on: Date,
    pub cap_cents: i64,
    pub catalogue_id: i32,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
