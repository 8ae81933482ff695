//! Documents of a project report that are not receipts: photos, signed participant lists,
//! publicity material, stored as uploaded.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ReportDocuments::Table)
                .col(pk_auto(ReportDocuments::Id))
                .col(integer(ReportDocuments::ReportId))
                .col(string_len(ReportDocuments::Name, 200))
                .col(string_len(ReportDocuments::ContentType, 100))
                .col(big_integer(ReportDocuments::Size))
                .col(string_len(ReportDocuments::Sha256, 64))
                .col(string_len(ReportDocuments::StorageKey, 200))
                .col(integer(ReportDocuments::UploadedBy))
                .col(timestamp_with_time_zone(ReportDocuments::CreatedAt))
                .foreign_key(&mut fk(
                    ReportDocuments::Table,
                    ReportDocuments::ReportId,
                    ProjectReports::Table,
                    ProjectReports::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_report_documents_report")
                .table(ReportDocuments::Table)
                .col(ReportDocuments::ReportId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ReportDocuments::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum ReportDocuments {
    Table,
    Id,
    ReportId,
    Name,
    ContentType,
    Size,
    Sha256,
    StorageKey,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ProjectReports {
    Table,
    Id,
}
