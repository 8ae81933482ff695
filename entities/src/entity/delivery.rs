use sea_orm::entity::prelude::*;

/// Where a delivery stands (see `Model`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum DeliveryState {
    /// A run holds the claim and is sending.
    #[sea_orm(string_value = "sending")]
    Sending,
    /// A claim whose owner has not been heard of for a lease: taken over after one more.
    #[sea_orm(string_value = "suspect")]
    Suspect,
    #[sea_orm(string_value = "sent")]
    Sent,
    /// The last attempt failed; tried again while attempts are left.
    #[sea_orm(string_value = "failed")]
    Failed,
}

/// One message to one recipient for one event: `sent`, or `failed` with the last error; while
/// a run sends it, `sending` with that run's token in `claimed_by` (renewed as it sends), or
/// `suspect` once the claim was found unrenewed (the worker's `deliveries`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub event_key: String,
    pub recipient: String,
    pub status: DeliveryState,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    pub claimed_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
