//! Carrying out and evaluating plans: consultation sessions as they happen, and the end of the
//! semester — an evaluation per measure and per plan, and the pupil's outcome.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::{fk, index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ConsultationSessions::Table)
                .col(pk_auto(ConsultationSessions::Id))
                .col(integer(ConsultationSessions::MeasureId))
                .col(date(ConsultationSessions::HeldOn))
                .col(integer(ConsultationSessions::Minutes))
                .col(integer(ConsultationSessions::StaffId))
                .col(boolean(ConsultationSessions::Remote))
                .col(boolean(ConsultationSessions::PupilConfirmed))
                .col(timestamp_with_time_zone(ConsultationSessions::CreatedAt))
                .foreign_key(&mut fk(
                    ConsultationSessions::Table,
                    ConsultationSessions::MeasureId,
                    PlanMeasures::Table,
                    PlanMeasures::Id,
                ))
                .foreign_key(&mut fk(
                    ConsultationSessions::Table,
                    ConsultationSessions::StaffId,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            ConsultationSessions::Table,
            "ix_consultation_sessions_measure",
            &[ConsultationSessions::MeasureId],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Evaluations::Table)
                .col(pk_auto(Evaluations::Id))
                .col(integer(Evaluations::PlanId))
                .col(integer_null(Evaluations::MeasureId))
                .col(text(Evaluations::Text))
                .col(string_len(Evaluations::Result, 20))
                .col(string_len_null(Evaluations::Outcome, 20))
                .col(integer(Evaluations::EvaluatedBy))
                .col(timestamp_with_time_zone(Evaluations::At))
                .foreign_key(&mut fk(
                    Evaluations::Table,
                    Evaluations::PlanId,
                    Plans::Table,
                    Plans::Id,
                ))
                .foreign_key(&mut fk(
                    Evaluations::Table,
                    Evaluations::MeasureId,
                    PlanMeasures::Table,
                    PlanMeasures::Id,
                ))
                .foreign_key(&mut fk(
                    Evaluations::Table,
                    Evaluations::EvaluatedBy,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            Evaluations::Table,
            "uq_evaluations_plan_measure",
            &[Evaluations::PlanId, Evaluations::MeasureId],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Evaluations::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ConsultationSessions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Plans {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum PlanMeasures {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum ConsultationSessions {
    Table,
    Id,
    MeasureId,
    HeldOn,
    Minutes,
    StaffId,
    Remote,
    PupilConfirmed,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Evaluations {
    Table,
    Id,
    PlanId,
    MeasureId,
    Text,
    Result,
    Outcome,
    EvaluatedBy,
    At,
}
