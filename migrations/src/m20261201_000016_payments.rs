//! Payments of a funded project: each transfer the municipality made (the advance, the final
//! payment), with its date, amount and the payment order's reference.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ProjectPayments::Table)
                .col(pk_auto(ProjectPayments::Id))
                .col(integer(ProjectPayments::ProjectId))
                .col(string_len(ProjectPayments::Kind, 20))
                .col(big_integer(ProjectPayments::AmountCents))
                .col(date(ProjectPayments::PaidOn))
                .col(string_len(ProjectPayments::Reference, 100))
                .col(integer(ProjectPayments::RecordedBy))
                .col(timestamp_with_time_zone(ProjectPayments::RecordedAt))
                .foreign_key(&mut fk(
                    ProjectPayments::Table,
                    ProjectPayments::ProjectId,
                    Projects::Table,
                    Projects::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_project_payments_project")
                .table(ProjectPayments::Table)
                .col(ProjectPayments::ProjectId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ProjectPayments::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum ProjectPayments {
    Table,
    Id,
    ProjectId,
    Kind,
    AmountCents,
    PaidOn,
    Reference,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Projects {
    Table,
    Id,
}
