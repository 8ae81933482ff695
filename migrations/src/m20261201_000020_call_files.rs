//! A call's own files: its regulation and annexes (application form, budget template,
//! participant-list template), stored as uploaded and offered on the public call page.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CallFiles::Table)
                .col(pk_auto(CallFiles::Id))
                .col(integer(CallFiles::CallId))
                .col(string_len(CallFiles::Title, 200))
                .col(string_len(CallFiles::Name, 200))
                .col(string_len(CallFiles::ContentType, 100))
                .col(big_integer(CallFiles::Size))
                .col(string_len(CallFiles::Sha256, 64))
                .col(string_len(CallFiles::StorageKey, 200))
                .col(integer(CallFiles::UploadedBy))
                .col(timestamp_with_time_zone(CallFiles::CreatedAt))
                .foreign_key(&mut fk(CallFiles::Table, CallFiles::CallId, Calls::Table, Calls::Id))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_call_files_call")
                .table(CallFiles::Table)
                .col(CallFiles::CallId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CallFiles::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum CallFiles {
    Table,
    Id,
    CallId,
    Title,
    Name,
    ContentType,
    Size,
    Sha256,
    StorageKey,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Calls {
    Table,
    Id,
}
