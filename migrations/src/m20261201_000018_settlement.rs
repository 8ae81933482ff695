//! Settling a funded project: a refund demanded when less was spent than paid (amount, due
//! date; then returned, with its date and payment order), and the project's closing (when, by
//! whom, and when its documents were archived).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ProjectRefunds::Table)
                .col(pk_auto(ProjectRefunds::Id))
                .col(integer_uniq(ProjectRefunds::ProjectId))
                .col(big_integer(ProjectRefunds::AmountCents))
                .col(date(ProjectRefunds::DueOn))
                .col(integer(ProjectRefunds::DemandedBy))
                .col(timestamp_with_time_zone(ProjectRefunds::DemandedAt))
                .col(date_null(ProjectRefunds::ReturnedOn))
                .col(string_len_null(ProjectRefunds::Reference, 100))
                .col(integer_null(ProjectRefunds::RecordedBy))
                .foreign_key(&mut fk(
                    ProjectRefunds::Table,
                    ProjectRefunds::ProjectId,
                    Projects::Table,
                    Projects::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Projects::Table)
                .add_column(timestamp_with_time_zone_null(Projects::ClosedAt))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Projects::Table)
                .add_column(integer_null(Projects::ClosedBy))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Projects::Table)
                .add_column(timestamp_with_time_zone_null(Projects::ArchivedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [Projects::ArchivedAt, Projects::ClosedBy, Projects::ClosedAt] {
            m.alter_table(Table::alter().table(Projects::Table).drop_column(col).to_owned())
                .await?;
        }
        m.drop_table(Table::drop().table(ProjectRefunds::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum ProjectRefunds {
    Table,
    Id,
    ProjectId,
    AmountCents,
    DueOn,
    DemandedBy,
    DemandedAt,
    ReturnedOn,
    Reference,
    RecordedBy,
}

#[derive(DeriveIden, Clone, Copy)]
enum Projects {
    Table,
    Id,
    ClosedAt,
    ClosedBy,
    ArchivedAt,
}
