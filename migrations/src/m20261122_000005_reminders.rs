//! Reminders: one row per (kind, object), so a reminder is queued once however often the
//! schedule fires.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::unique_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Reminders::Table)
                .col(pk_auto(Reminders::Id))
                .col(string_len(Reminders::Kind, 40))
                .col(integer(Reminders::ObjectId))
                .col(timestamp_with_time_zone(Reminders::CreatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            Reminders::Table,
            "uq_reminders_kind_object",
            &[Reminders::Kind, Reminders::ObjectId],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Reminders::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Reminders {
    Table,
    Id,
    Kind,
    ObjectId,
    CreatedAt,
}
