//! A pupil moving to another school: asked by the director of the school the pupil leaves,
//! accepted (or declined) by the director of the school the pupil joins.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PupilTransfers::Table)
                .col(pk_auto(PupilTransfers::Id))
                .col(integer(PupilTransfers::PupilId))
                .col(integer(PupilTransfers::FromSchoolId))
                .col(integer(PupilTransfers::ToSchoolId))
                .col(integer(PupilTransfers::RequestedBy))
                .col(timestamp_with_time_zone(PupilTransfers::RequestedAt))
                .col(integer_null(PupilTransfers::DecidedBy))
                .col(timestamp_with_time_zone_null(PupilTransfers::DecidedAt))
                .col(boolean_null(PupilTransfers::Accepted))
                .foreign_key(&mut fk(
                    PupilTransfers::Table,
                    PupilTransfers::PupilId,
                    Pupils::Table,
                    Pupils::Id,
                ))
                .foreign_key(&mut fk(
                    PupilTransfers::Table,
                    PupilTransfers::ToSchoolId,
                    Organisations::Table,
                    Organisations::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_pupil_transfers_to")
                .table(PupilTransfers::Table)
                .col(PupilTransfers::ToSchoolId)
                .col(PupilTransfers::DecidedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_pupil_transfers_pupil")
                .table(PupilTransfers::Table)
                .col(PupilTransfers::PupilId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PupilTransfers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum PupilTransfers {
    Table,
    Id,
    PupilId,
    FromSchoolId,
    ToSchoolId,
    RequestedBy,
    RequestedAt,
    DecidedBy,
    DecidedAt,
    Accepted,
}

#[derive(DeriveIden, Clone, Copy)]
enum Pupils {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Organisations {
    Table,
    Id,
}
