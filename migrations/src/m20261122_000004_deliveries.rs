//! Deliveries: one row per (event, recipient) that was sent, so a retried or duplicated job
//! never sends the same message twice; failures are recorded with their error.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::unique_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Deliveries::Table)
                .col(big_pk_auto(Deliveries::Id))
                .col(string_len(Deliveries::EventKey, 120))
                .col(string_len(Deliveries::Recipient, 254))
                .col(string_len(Deliveries::Status, 20))
                .col(integer(Deliveries::Attempts).default(0))
                .col(text_null(Deliveries::LastError))
                .col(timestamp_with_time_zone_null(Deliveries::SentAt))
                .col(timestamp_with_time_zone(Deliveries::UpdatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            Deliveries::Table,
            "uq_deliveries_event_recipient",
            &[Deliveries::EventKey, Deliveries::Recipient],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Deliveries::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Deliveries {
    Table,
    Id,
    EventKey,
    Recipient,
    Status,
    Attempts,
    LastError,
    SentAt,
    UpdatedAt,
}
