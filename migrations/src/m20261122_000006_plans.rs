//! Pupil support plans: semesters with their per-pupil cap and risk catalogue version, the
//! versioned risk catalogue, pupils (minimal data) and the staff assigned to them, plans with
//! their risks, measures, approval steps and expenses. Money in integer cents.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::{fk, index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(RiskCatalogues::Table)
                .col(pk_auto(RiskCatalogues::Id))
                .col(integer_uniq(RiskCatalogues::Version))
                .col(timestamp_with_time_zone(RiskCatalogues::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RiskGroups::Table)
                .col(pk_auto(RiskGroups::Id))
                .col(integer(RiskGroups::CatalogueId))
                .col(string_len(RiskGroups::Code, 40))
                .col(string_len(RiskGroups::NameLv, 200))
                .col(string_len(RiskGroups::NameEn, 200))
                .col(integer(RiskGroups::Position))
                .foreign_key(&mut fk(
                    RiskGroups::Table,
                    RiskGroups::CatalogueId,
                    RiskCatalogues::Table,
                    RiskCatalogues::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Risks::Table)
                .col(pk_auto(Risks::Id))
                .col(integer(Risks::GroupId))
                .col(string_len(Risks::Code, 40))
                .col(string_len(Risks::NameLv, 300))
                .col(string_len(Risks::NameEn, 300))
                .col(integer(Risks::Position))
                .foreign_key(&mut fk(Risks::Table, Risks::GroupId, RiskGroups::Table, RiskGroups::Id))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Semesters::Table)
                .col(pk_auto(Semesters::Id))
                .col(integer(Semesters::SchoolYear))
                .col(small_integer(Semesters::Half))
                .col(date(Semesters::StartsOn))
                .col(date(Semesters::EndsOn))
                .col(big_integer(Semesters::CapCents))
                .col(integer(Semesters::CatalogueId))
                .col(timestamp_with_time_zone_null(Semesters::ClosedAt))
                .col(timestamp_with_time_zone(Semesters::CreatedAt))
                .foreign_key(&mut fk(
                    Semesters::Table,
                    Semesters::CatalogueId,
                    RiskCatalogues::Table,
                    RiskCatalogues::Id,
                ))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            Semesters::Table,
            "uq_semesters_year_half",
            &[Semesters::SchoolYear, Semesters::Half],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Pupils::Table)
                .col(pk_auto(Pupils::Id))
                .col(integer(Pupils::SchoolId))
                .col(string_len(Pupils::Name, 200))
                .col(string_len(Pupils::ClassName, 40))
                .col(date(Pupils::BirthDate))
                .col(integer(Pupils::CreatedBy))
                .col(timestamp_with_time_zone(Pupils::CreatedAt))
                .foreign_key(&mut fk(
                    Pupils::Table,
                    Pupils::SchoolId,
                    Organisations::Table,
                    Organisations::Id,
                ))
                .foreign_key(&mut fk(Pupils::Table, Pupils::CreatedBy, Users::Table, Users::Id))
                .to_owned(),
        )
        .await?;
        index(m, Pupils::Table, "ix_pupils_school", &[Pupils::SchoolId]).await?;
        m.create_table(
            Table::create()
                .table(PupilStaff::Table)
                .col(pk_auto(PupilStaff::Id))
                .col(integer(PupilStaff::PupilId))
                .col(integer(PupilStaff::UserId))
                .foreign_key(&mut fk(
                    PupilStaff::Table,
                    PupilStaff::PupilId,
                    Pupils::Table,
                    Pupils::Id,
                ))
                .foreign_key(&mut fk(PupilStaff::Table, PupilStaff::UserId, Users::Table, Users::Id))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            PupilStaff::Table,
            "uq_pupil_staff",
            &[PupilStaff::PupilId, PupilStaff::UserId],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Plans::Table)
                .col(pk_auto(Plans::Id))
                .col(integer(Plans::PupilId))
                .col(integer(Plans::SemesterId))
                .col(integer(Plans::SchoolId))
                .col(string_len(Plans::Status, 20))
                .col(small_integer(Plans::ApprovalStep))
                .col(timestamp_with_time_zone_null(Plans::ConsentAt))
                .col(string_len_null(Plans::ConsentBy, 200))
                .col(text_null(Plans::StatusReason))
                .col(integer(Plans::AuthorId))
                .col(timestamp_with_time_zone(Plans::CreatedAt))
                .col(timestamp_with_time_zone(Plans::UpdatedAt))
                .foreign_key(&mut fk(Plans::Table, Plans::PupilId, Pupils::Table, Pupils::Id))
                .foreign_key(&mut fk(
                    Plans::Table,
                    Plans::SemesterId,
                    Semesters::Table,
                    Semesters::Id,
                ))
                .foreign_key(&mut fk(
                    Plans::Table,
                    Plans::SchoolId,
                    Organisations::Table,
                    Organisations::Id,
                ))
                .foreign_key(&mut fk(Plans::Table, Plans::AuthorId, Users::Table, Users::Id))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            Plans::Table,
            "uq_plans_pupil_semester",
            &[Plans::PupilId, Plans::SemesterId],
        )
        .await?;
        index(
            m,
            Plans::Table,
            "ix_plans_school_semester",
            &[Plans::SchoolId, Plans::SemesterId],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PlanRisks::Table)
                .col(pk_auto(PlanRisks::Id))
                .col(integer(PlanRisks::PlanId))
                .col(integer(PlanRisks::RiskId))
                .col(text(PlanRisks::Justification))
                .foreign_key(&mut fk(PlanRisks::Table, PlanRisks::PlanId, Plans::Table, Plans::Id))
                .foreign_key(&mut fk(PlanRisks::Table, PlanRisks::RiskId, Risks::Table, Risks::Id))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            PlanRisks::Table,
            "uq_plan_risks",
            &[PlanRisks::PlanId, PlanRisks::RiskId],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PlanMeasures::Table)
                .col(pk_auto(PlanMeasures::Id))
                .col(integer(PlanMeasures::PlanId))
                .col(string_len(PlanMeasures::Kind, 20))
                .col(string_len_null(PlanMeasures::Specialist, 40))
                .col(string_len_null(PlanMeasures::Category, 40))
                .col(integer_null(PlanMeasures::PlannedMinutes))
                .col(big_integer_null(PlanMeasures::PlannedCents))
                .col(text_null(PlanMeasures::Note))
                .foreign_key(&mut fk(
                    PlanMeasures::Table,
                    PlanMeasures::PlanId,
                    Plans::Table,
                    Plans::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(m, PlanMeasures::Table, "ix_plan_measures_plan", &[PlanMeasures::PlanId]).await?;
        m.create_table(
            Table::create()
                .table(MeasureRisks::Table)
                .col(pk_auto(MeasureRisks::Id))
                .col(integer(MeasureRisks::MeasureId))
                .col(integer(MeasureRisks::PlanRiskId))
                .foreign_key(&mut fk(
                    MeasureRisks::Table,
                    MeasureRisks::MeasureId,
                    PlanMeasures::Table,
                    PlanMeasures::Id,
                ))
                .foreign_key(&mut fk(
                    MeasureRisks::Table,
                    MeasureRisks::PlanRiskId,
                    PlanRisks::Table,
                    PlanRisks::Id,
                ))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            MeasureRisks::Table,
            "uq_measure_risks",
            &[MeasureRisks::MeasureId, MeasureRisks::PlanRiskId],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PlanApprovals::Table)
                .col(pk_auto(PlanApprovals::Id))
                .col(integer(PlanApprovals::PlanId))
                .col(string_len(PlanApprovals::Level, 20))
                .col(string_len(PlanApprovals::Decision, 20))
                .col(text_null(PlanApprovals::Comment))
                .col(integer(PlanApprovals::UserId))
                .col(timestamp_with_time_zone(PlanApprovals::At))
                .foreign_key(&mut fk(
                    PlanApprovals::Table,
                    PlanApprovals::PlanId,
                    Plans::Table,
                    Plans::Id,
                ))
                .foreign_key(&mut fk(
                    PlanApprovals::Table,
                    PlanApprovals::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            PlanApprovals::Table,
            "ix_plan_approvals_plan",
            &[PlanApprovals::PlanId],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Expenses::Table)
                .col(pk_auto(Expenses::Id))
                .col(integer(Expenses::MeasureId))
                .col(integer(Expenses::PlanId))
                .col(big_integer(Expenses::AmountCents))
                .col(date(Expenses::SpentOn))
                .col(string_len_null(Expenses::DocumentKey, 300))
                .col(string_len_null(Expenses::DocumentName, 200))
                .col(string_len_null(Expenses::DocumentType, 100))
                .col(big_integer_null(Expenses::DocumentSize))
                .col(string_len_null(Expenses::DocumentSha256, 64))
                .col(timestamp_with_time_zone_null(Expenses::ArchivedAt))
                .col(string_len(Expenses::Status, 20))
                .col(integer(Expenses::CreatedBy))
                .col(timestamp_with_time_zone(Expenses::CreatedAt))
                .foreign_key(&mut fk(
                    Expenses::Table,
                    Expenses::MeasureId,
                    PlanMeasures::Table,
                    PlanMeasures::Id,
                ))
                .foreign_key(&mut fk(Expenses::Table, Expenses::PlanId, Plans::Table, Plans::Id))
                .foreign_key(&mut fk(Expenses::Table, Expenses::CreatedBy, Users::Table, Users::Id))
                .to_owned(),
        )
        .await?;
        index(m, Expenses::Table, "ix_expenses_plan", &[Expenses::PlanId]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Expenses::Table.into_iden(),
            PlanApprovals::Table.into_iden(),
            MeasureRisks::Table.into_iden(),
            PlanMeasures::Table.into_iden(),
            PlanRisks::Table.into_iden(),
            Plans::Table.into_iden(),
            PupilStaff::Table.into_iden(),
            Pupils::Table.into_iden(),
            Semesters::Table.into_iden(),
            Risks::Table.into_iden(),
            RiskGroups::Table.into_iden(),
            RiskCatalogues::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
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
enum RiskCatalogues {
    Table,
    Id,
    Version,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RiskGroups {
    Table,
    Id,
    CatalogueId,
    Code,
    NameLv,
    NameEn,
    Position,
}

#[derive(DeriveIden, Clone, Copy)]
enum Risks {
    Table,
    Id,
    GroupId,
    Code,
    NameLv,
    NameEn,
    Position,
}

#[derive(DeriveIden, Clone, Copy)]
enum Semesters {
    Table,
    Id,
    SchoolYear,
    Half,
    StartsOn,
    EndsOn,
    CapCents,
    CatalogueId,
    ClosedAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Pupils {
    Table,
    Id,
    SchoolId,
    Name,
    ClassName,
    BirthDate,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PupilStaff {
    Table,
    Id,
    PupilId,
    UserId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Plans {
    Table,
    Id,
    PupilId,
    SemesterId,
    SchoolId,
    Status,
    ApprovalStep,
    ConsentAt,
    ConsentBy,
    StatusReason,
    AuthorId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PlanRisks {
    Table,
    Id,
    PlanId,
    RiskId,
    Justification,
}

#[derive(DeriveIden, Clone, Copy)]
enum PlanMeasures {
    Table,
    Id,
    PlanId,
    Kind,
    Specialist,
    Category,
    PlannedMinutes,
    PlannedCents,
    Note,
}

#[derive(DeriveIden, Clone, Copy)]
enum MeasureRisks {
    Table,
    Id,
    MeasureId,
    PlanRiskId,
}

#[derive(DeriveIden, Clone, Copy)]
enum PlanApprovals {
    Table,
    Id,
    PlanId,
    Level,
    Decision,
    Comment,
    UserId,
    At,
}

#[derive(DeriveIden, Clone, Copy)]
enum Expenses {
    Table,
    Id,
    MeasureId,
    PlanId,
    AmountCents,
    SpentOn,
    DocumentKey,
    DocumentName,
    DocumentType,
    DocumentSize,
    DocumentSha256,
    ArchivedAt,
    Status,
    CreatedBy,
    CreatedAt,
}
