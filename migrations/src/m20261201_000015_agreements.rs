//! The agreement of an accepted grant — draft, sent, signed (the applicant's signed copy, a PDF or
//! an e-signature container, stored as is), in force, or cancelled with a reason — and each
//! project's history: one row per step, which also names the email the step sends.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Agreements::Table)
                .col(pk_auto(Agreements::Id))
                .col(integer_uniq(Agreements::ProjectId))
                .col(string_len(Agreements::Status, 20))
                .col(string_len(Agreements::Lang, 2))
                .col(text_null(Agreements::Parties))
                .col(string_len_null(Agreements::SignedName, 200))
                .col(string_len_null(Agreements::SignedType, 100))
                .col(big_integer_null(Agreements::SignedSize))
                .col(string_len_null(Agreements::SignedSha256, 64))
                .col(string_len_null(Agreements::SignedKey, 200))
                .col(text_null(Agreements::CancelReason))
                .col(timestamp_with_time_zone(Agreements::CreatedAt))
                .col(timestamp_with_time_zone(Agreements::UpdatedAt))
                .foreign_key(&mut fk(
                    Agreements::Table,
                    Agreements::ProjectId,
                    Projects::Table,
                    Projects::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ProjectEvents::Table)
                .col(pk_auto(ProjectEvents::Id))
                .col(integer(ProjectEvents::ProjectId))
                .col(string_len(ProjectEvents::Kind, 40))
                .col(text_null(ProjectEvents::Detail))
                .col(integer_null(ProjectEvents::UserId))
                .col(timestamp_with_time_zone(ProjectEvents::At))
                .foreign_key(&mut fk(
                    ProjectEvents::Table,
                    ProjectEvents::ProjectId,
                    Projects::Table,
                    Projects::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_project_events_project")
                .table(ProjectEvents::Table)
                .col(ProjectEvents::ProjectId)
                .col(ProjectEvents::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ProjectEvents::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Agreements::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Agreements {
    Table,
    Id,
    ProjectId,
    Status,
    Lang,
    Parties,
    SignedName,
    SignedType,
    SignedSize,
    SignedSha256,
    SignedKey,
    CancelReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ProjectEvents {
    Table,
    Id,
    ProjectId,
    Kind,
    Detail,
    UserId,
    At,
}

#[derive(DeriveIden, Clone, Copy)]
enum Projects {
    Table,
    Id,
}
