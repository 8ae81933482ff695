//! Calls for youth-initiative projects and the applications to them: applicant profiles,
//! budget lines and attached documents. Money is integer cents, shares are basis points.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::{fk, index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            string_len_null(Organisations::Address, 300),
            string_len_null(Organisations::ContactName, 200),
            string_len_null(Organisations::ContactEmail, 254),
            string_len_null(Organisations::ContactPhone, 40),
            boolean(Organisations::IsInformalGroup).default(false).to_owned(),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table(Organisations::Table)
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(GroupMembers::Table)
                .col(pk_auto(GroupMembers::Id))
                .col(integer(GroupMembers::OrgId))
                .col(string_len(GroupMembers::Name, 200))
                .col(date(GroupMembers::BirthDate))
                .foreign_key(&mut fk(
                    GroupMembers::Table,
                    GroupMembers::OrgId,
                    Organisations::Table,
                    Organisations::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(m, GroupMembers::Table, "idx_group_members_org", &[GroupMembers::OrgId]).await?;

        m.create_table(
            Table::create()
                .table(Calls::Table)
                .col(pk_auto(Calls::Id))
                .col(integer(Calls::MunicipalityId))
                .col(string_len(Calls::Title, 200))
                .col(text(Calls::Description))
                .col(text(Calls::Aims))
                .col(text(Calls::Eligibility))
                .col(string_len(Calls::RefPrefix, 8))
                .col(timestamp_with_time_zone(Calls::OpensAt))
                .col(timestamp_with_time_zone(Calls::ClosesAt))
                .col(timestamp_with_time_zone(Calls::ScoringDeadline))
                .col(big_integer(Calls::BudgetCents))
                .col(big_integer(Calls::MinGrantCents))
                .col(big_integer(Calls::MaxGrantCents))
                .col(integer(Calls::CofinancingBp))
                .col(boolean(Calls::AllowInformalGroups).default(false))
                .col(string_len(Calls::Status, 20))
                .col(integer(Calls::LastRefSeq).default(0))
                .col(integer(Calls::CreatedBy))
                .col(timestamp_with_time_zone(Calls::CreatedAt))
                .col(timestamp_with_time_zone_null(Calls::PublishedAt))
                .foreign_key(&mut fk(
                    Calls::Table,
                    Calls::MunicipalityId,
                    Organisations::Table,
                    Organisations::Id,
                ))
                .foreign_key(&mut fk(Calls::Table, Calls::CreatedBy, Users::Table, Users::Id))
                .to_owned(),
        )
        .await?;
        index(m, Calls::Table, "idx_calls_municipality", &[Calls::MunicipalityId]).await?;
        index(
            m,
            Calls::Table,
            "idx_calls_status_closes",
            &[Calls::Status, Calls::ClosesAt],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CallRequirements::Table)
                .col(pk_auto(CallRequirements::Id))
                .col(integer(CallRequirements::CallId))
                .col(integer(CallRequirements::Position))
                .col(string_len(CallRequirements::Text, 500))
                .foreign_key(&mut fk(
                    CallRequirements::Table,
                    CallRequirements::CallId,
                    Calls::Table,
                    Calls::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            CallRequirements::Table,
            "idx_call_requirements_call",
            &[CallRequirements::CallId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CallCriteria::Table)
                .col(pk_auto(CallCriteria::Id))
                .col(integer(CallCriteria::CallId))
                .col(integer(CallCriteria::Position))
                .col(string_len(CallCriteria::Name, 200))
                .col(text(CallCriteria::Description))
                .col(integer(CallCriteria::MaxPoints))
                .col(integer(CallCriteria::WeightX100))
                .col(integer_null(CallCriteria::MinPoints))
                .foreign_key(&mut fk(
                    CallCriteria::Table,
                    CallCriteria::CallId,
                    Calls::Table,
                    Calls::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            CallCriteria::Table,
            "idx_call_criteria_call",
            &[CallCriteria::CallId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Applications::Table)
                .col(pk_auto(Applications::Id))
                .col(integer(Applications::CallId))
                .col(integer(Applications::ApplicantId))
                .col(string_len(Applications::Status, 20))
                .col(string_len(Applications::Title, 200))
                .col(text(Applications::Summary))
                .col(text(Applications::TargetGroup))
                .col(text(Applications::Activities))
                .col(text(Applications::Timeline))
                .col(big_integer(Applications::RequestedCents))
                .col(big_integer(Applications::CofinancingCents))
                .col(integer_null(Applications::RefSeq))
                .col(string_len_null(Applications::RefNo, 40))
                .col(string_len_null(Applications::SubmitKey, 64))
                .col(timestamp_with_time_zone_null(Applications::SubmittedAt))
                .col(integer_null(Applications::SubmittedBy))
                .col(timestamp_with_time_zone_null(Applications::WithdrawnAt))
                .col(integer(Applications::CreatedBy))
                .col(timestamp_with_time_zone(Applications::CreatedAt))
                .col(timestamp_with_time_zone(Applications::UpdatedAt))
                .foreign_key(&mut fk(
                    Applications::Table,
                    Applications::CallId,
                    Calls::Table,
                    Calls::Id,
                ))
                .foreign_key(&mut fk(
                    Applications::Table,
                    Applications::ApplicantId,
                    Organisations::Table,
                    Organisations::Id,
                ))
                .foreign_key(&mut fk(
                    Applications::Table,
                    Applications::CreatedBy,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            Applications::Table,
            "idx_applications_call_status",
            &[Applications::CallId, Applications::Status],
        )
        .await?;
        index(
            m,
            Applications::Table,
            "idx_applications_applicant",
            &[Applications::ApplicantId],
        )
        .await?;
        // Reference numbers are unique per call; NULLs (drafts) do not collide on either backend.
        unique_index(
            m,
            Applications::Table,
            "uq_applications_call_ref_seq",
            &[Applications::CallId, Applications::RefSeq],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(BudgetLines::Table)
                .col(pk_auto(BudgetLines::Id))
                .col(integer(BudgetLines::ApplicationId))
                .col(integer(BudgetLines::Position))
                .col(string_len(BudgetLines::Category, 20))
                .col(string_len(BudgetLines::Description, 300))
                .col(integer(BudgetLines::Quantity))
                .col(big_integer(BudgetLines::UnitCents))
                .foreign_key(&mut fk(
                    BudgetLines::Table,
                    BudgetLines::ApplicationId,
                    Applications::Table,
                    Applications::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            BudgetLines::Table,
            "idx_budget_lines_application",
            &[BudgetLines::ApplicationId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Attachments::Table)
                .col(pk_auto(Attachments::Id))
                .col(integer(Attachments::ApplicationId))
                .col(string_len(Attachments::FileName, 255))
                .col(string_len(Attachments::ContentType, 100))
                .col(big_integer(Attachments::SizeBytes))
                .col(string_len(Attachments::Sha256, 64))
                .col(string_len_uniq(Attachments::StorageKey, 200))
                .col(integer(Attachments::UploadedBy))
                .col(timestamp_with_time_zone(Attachments::CreatedAt))
                .col(timestamp_with_time_zone_null(Attachments::ArchivedAt))
                .foreign_key(&mut fk(
                    Attachments::Table,
                    Attachments::ApplicationId,
                    Applications::Table,
                    Applications::Id,
                ))
                .foreign_key(&mut fk(
                    Attachments::Table,
                    Attachments::UploadedBy,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            Attachments::Table,
            "idx_attachments_application",
            &[Attachments::ApplicationId],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Attachments::Table.into_iden(),
            BudgetLines::Table.into_iden(),
            Applications::Table.into_iden(),
            CallCriteria::Table.into_iden(),
            CallRequirements::Table.into_iden(),
            Calls::Table.into_iden(),
            GroupMembers::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        for col in [
            Organisations::Address,
            Organisations::ContactName,
            Organisations::ContactEmail,
            Organisations::ContactPhone,
            Organisations::IsInformalGroup,
        ] {
            m.alter_table(Table::alter().table(Organisations::Table).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Organisations {
    Table,
    Id,
    Address,
    ContactName,
    ContactEmail,
    ContactPhone,
    IsInformalGroup,
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum GroupMembers {
    Table,
    Id,
    OrgId,
    Name,
    BirthDate,
}

#[derive(DeriveIden, Clone, Copy)]
enum Calls {
    Table,
    Id,
    MunicipalityId,
    Title,
    Description,
    Aims,
    Eligibility,
    RefPrefix,
    OpensAt,
    ClosesAt,
    ScoringDeadline,
    BudgetCents,
    MinGrantCents,
    MaxGrantCents,
    CofinancingBp,
    AllowInformalGroups,
    Status,
    LastRefSeq,
    CreatedBy,
    CreatedAt,
    PublishedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CallRequirements {
    Table,
    Id,
    CallId,
    Position,
    Text,
}

#[derive(DeriveIden, Clone, Copy)]
enum CallCriteria {
    Table,
    Id,
    CallId,
    Position,
    Name,
    Description,
    MaxPoints,
    WeightX100,
    MinPoints,
}

#[derive(DeriveIden, Clone, Copy)]
enum Applications {
    Table,
    Id,
    CallId,
    ApplicantId,
    Status,
    Title,
    Summary,
    TargetGroup,
    Activities,
    Timeline,
    RequestedCents,
    CofinancingCents,
    RefSeq,
    RefNo,
    SubmitKey,
    SubmittedAt,
    SubmittedBy,
    WithdrawnAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BudgetLines {
    Table,
    Id,
    ApplicationId,
    Position,
    Category,
    Description,
    Quantity,
    UnitCents,
}

#[derive(DeriveIden, Clone, Copy)]
enum Attachments {
    Table,
    Id,
    ApplicationId,
    FileName,
    ContentType,
    SizeBytes,
    Sha256,
    StorageKey,
    UploadedBy,
    CreatedAt,
    ArchivedAt,
}
