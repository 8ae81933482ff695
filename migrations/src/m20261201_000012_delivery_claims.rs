//! Who holds a delivery's claim: a token of the run sending the message, which it renews while
//! it sends. Another run takes a claim over only when it has not been renewed for long, so a
//! slow send (a mail server that keeps the message at its door) is never sent a second time.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Deliveries::Table)
                .add_column(string_len_null(Deliveries::ClaimedBy, 32))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Deliveries::Table)
                .drop_column(Deliveries::ClaimedBy)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Deliveries {
    Table,
    ClaimedBy,
}
