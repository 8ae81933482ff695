//! Hours of staff involved indirectly in the plans (a director's, a class teacher's, an
//! accountant's time), recorded per school and semester.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(IndirectHours::Table)
                .col(pk_auto(IndirectHours::Id))
                .col(integer(IndirectHours::SchoolId))
                .col(integer(IndirectHours::SemesterId))
                .col(string_len(IndirectHours::StaffRole, 40))
                .col(integer(IndirectHours::Minutes))
                .col(integer(IndirectHours::RecordedBy))
                .col(timestamp_with_time_zone(IndirectHours::CreatedAt))
                .foreign_key(&mut fk(
                    IndirectHours::Table,
                    IndirectHours::SchoolId,
                    Organisations::Table,
                    Organisations::Id,
                ))
                .foreign_key(&mut fk(
                    IndirectHours::Table,
                    IndirectHours::SemesterId,
                    Semesters::Table,
                    Semesters::Id,
                ))
                .foreign_key(&mut fk(
                    IndirectHours::Table,
                    IndirectHours::RecordedBy,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            IndirectHours::Table,
            "ix_indirect_hours_school_semester",
            &[IndirectHours::SchoolId, IndirectHours::SemesterId],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(IndirectHours::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Semesters {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum IndirectHours {
    Table,
    Id,
    SchoolId,
    SemesterId,
    StaffRole,
    Minutes,
    RecordedBy,
    CreatedAt,
}
