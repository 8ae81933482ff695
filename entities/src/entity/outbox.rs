use sea_orm::entity::prelude::*;

/// Background work caused by a write, inserted in the same transaction; the worker relays it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    /// JSON carrying ids only, never message bodies.
    pub payload: String,
    pub created_at: DateTimeUtc,
    pub relayed_at: Option<DateTimeUtc>,
    /// Not before: the job of a row written to try failed work again later.
    pub run_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
