//! Nothing lost, nothing by accident. Registration attempts, to bound how often one network
//! may register and how often one address may be sent a registration email (the form must not
//! be a way to fill someone's mailbox). Kept forms: what someone typed into a form that arrived
//! after their session had ended, kept for them until they sign in again and save it. And a
//! time before which an outbox row's job must not run, so that work hit by an outage (a mail
//! server away, the document store down) is tried again later instead of given up.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::fk;

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
        m.alter_table(
            Table::alter()
                .table(Outbox::Table)
                .add_column(timestamp_with_time_zone_null(Outbox::RunAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(KeptForms::Table)
                .col(big_pk_auto(KeptForms::Id))
                .col(string_len_uniq(KeptForms::TokenHash, 64))
                .col(integer(KeptForms::UserId))
                .col(string_len(KeptForms::Path, 2000))
                .col(text(KeptForms::Body))
                .col(timestamp_with_time_zone(KeptForms::CreatedAt))
                .foreign_key(&mut fk(KeptForms::Table, KeptForms::UserId, Users::Table, Users::Id))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(KeptForms::Table).to_owned()).await?;
        m.alter_table(
            Table::alter()
                .table(Outbox::Table)
                .drop_column(Outbox::RunAt)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(RegistrationAttempts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Outbox {
    Table,
    RunAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum KeptForms {
    Table,
    Id,
    TokenHash,
    UserId,
    Path,
    Body,
    CreatedAt,
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
