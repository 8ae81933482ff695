use sea_orm::entity::prelude::*;

/// The work an outbox row asks for; its payload carries the ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
pub enum OutboxKind {
    /// An `outbox::EmailEvent` as JSON.
    #[sea_orm(string_value = "send_email")]
    SendEmail,
    /// Copy a decided call's documents to the archive store; payload `{"call_id": N}`.
    #[sea_orm(string_value = "archive_call")]
    ArchiveCall,
    /// Copy a closed semester's expense documents to the archive store; payload `{"semester_id": N}`.
    #[sea_orm(string_value = "archive_semester")]
    ArchiveSemester,
    /// Copy a closed project's documents to the archive store; payload `{"project_id": N}`.
    #[sea_orm(string_value = "archive_project")]
    ArchiveProject,
    /// Schedule the closing of an open call at its deadline (written at publishing and at every
    /// extension); payload `{"call_id": N}`.
    #[sea_orm(string_value = "schedule_close")]
    ScheduleClose,
}

/// Background work caused by a write, inserted in the same transaction; the worker relays it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: OutboxKind,
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
