//! Funded projects: one row per funded application once the results are out (or once a reserve
//! is moved up), carrying the granted amount and the applicant's answer — accepted, declined, or
//! lapsed when the call's days to accept ran out. And the bank account (IBAN) an applicant's
//! grant is paid to, on its profile.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Projects::Table)
                .col(pk_auto(Projects::Id))
                .col(integer(Projects::CallId))
                .col(integer_uniq(Projects::ApplicationId))
                .col(integer(Projects::ApplicantId))
                .col(big_integer(Projects::GrantedCents))
                .col(string_len(Projects::Status, 20))
                .col(timestamp_with_time_zone(Projects::AnswerBy))
                .col(timestamp_with_time_zone_null(Projects::AnsweredAt))
                .col(integer_null(Projects::AnsweredBy))
                .col(timestamp_with_time_zone(Projects::CreatedAt))
                .foreign_key(&mut fk(Projects::Table, Projects::CallId, Calls::Table, Calls::Id))
                .foreign_key(&mut fk(
                    Projects::Table,
                    Projects::ApplicationId,
                    Applications::Table,
                    Applications::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_projects_status_answer_by")
                .table(Projects::Table)
                .col(Projects::Status)
                .col(Projects::AnswerBy)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Organisations::Table)
                .add_column(string_len_null(Organisations::Iban, 34))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Organisations::Table)
                .drop_column(Organisations::Iban)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(Projects::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Projects {
    Table,
    Id,
    CallId,
    ApplicationId,
    ApplicantId,
    GrantedCents,
    Status,
    AnswerBy,
    AnsweredAt,
    AnsweredBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Calls {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Applications {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Organisations {
    Table,
    Iban,
}
