//! Registration attempts, to bound how often one network may register and how often one
//! address may be sent a registration email (a confirmation link or "you already have an
//! account"): the registration form must not be a way to fill someone's mailbox.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(RegistrationAttempts::Table)
                .col(big_pk_auto(RegistrationAttempts::Id))
                .col(string_len(RegistrationAttempts::Email, 254))
                .col(string_len(RegistrationAttempts::Ip, 64))
                .col(boolean(RegistrationAttempts::Emailed))
                .col(timestamp_with_time_zone(RegistrationAttempts::At))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("ix_registration_attempts_email", RegistrationAttempts::Email),
            ("ix_registration_attempts_ip", RegistrationAttempts::Ip),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(RegistrationAttempts::Table)
                    .col(col)
                    .col(RegistrationAttempts::At)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RegistrationAttempts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum RegistrationAttempts {
    Table,
    Id,
    Email,
    Ip,
    Emailed,
    At,
}
