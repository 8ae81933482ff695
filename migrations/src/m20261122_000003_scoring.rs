//! Panels, compliance checks and clarifications, declarations of conflicts of interest,
//! scorecards and scores, and the decision with its awards.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::{fk, index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut reason = text_null(Applications::IneligibleReason);
        m.alter_table(
            Table::alter()
                .table(Applications::Table)
                .add_column(&mut reason)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PanelMembers::Table)
                .col(pk_auto(PanelMembers::Id))
                .col(integer(PanelMembers::CallId))
                .col(integer(PanelMembers::UserId))
                .col(boolean(PanelMembers::IsChair).default(false))
                .col(timestamp_with_time_zone(PanelMembers::CreatedAt))
                .foreign_key(&mut fk(
                    PanelMembers::Table,
                    PanelMembers::CallId,
                    Calls::Table,
                    Calls::Id,
                ))
                .foreign_key(&mut fk(
                    PanelMembers::Table,
                    PanelMembers::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            PanelMembers::Table,
            "uq_panel_members_call_user",
            &[PanelMembers::CallId, PanelMembers::UserId],
        )
        .await?;
        index(
            m,
            PanelMembers::Table,
            "idx_panel_members_user",
            &[PanelMembers::UserId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ComplianceChecks::Table)
                .col(pk_auto(ComplianceChecks::Id))
                .col(integer(ComplianceChecks::ApplicationId))
                .col(integer(ComplianceChecks::RequirementId))
                .col(boolean(ComplianceChecks::Met))
                .col(text(ComplianceChecks::Comment))
                .col(integer(ComplianceChecks::CheckedBy))
                .col(timestamp_with_time_zone(ComplianceChecks::CheckedAt))
                .foreign_key(&mut fk(
                    ComplianceChecks::Table,
                    ComplianceChecks::ApplicationId,
                    Applications::Table,
                    Applications::Id,
                ))
                .foreign_key(&mut fk(
                    ComplianceChecks::Table,
                    ComplianceChecks::RequirementId,
                    CallRequirements::Table,
                    CallRequirements::Id,
                ))
                .foreign_key(&mut fk(
                    ComplianceChecks::Table,
                    ComplianceChecks::CheckedBy,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            ComplianceChecks::Table,
            "uq_compliance_app_req",
            &[ComplianceChecks::ApplicationId, ComplianceChecks::RequirementId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Clarifications::Table)
                .col(pk_auto(Clarifications::Id))
                .col(integer(Clarifications::ApplicationId))
                .col(text(Clarifications::Question))
                .col(timestamp_with_time_zone(Clarifications::Deadline))
                .col(text_null(Clarifications::Answer))
                .col(integer_null(Clarifications::AnsweredBy))
                .col(timestamp_with_time_zone_null(Clarifications::AnsweredAt))
                .col(integer(Clarifications::AskedBy))
                .col(timestamp_with_time_zone(Clarifications::CreatedAt))
                .foreign_key(&mut fk(
                    Clarifications::Table,
                    Clarifications::ApplicationId,
                    Applications::Table,
                    Applications::Id,
                ))
                .foreign_key(&mut fk(
                    Clarifications::Table,
                    Clarifications::AskedBy,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            Clarifications::Table,
            "idx_clarifications_application",
            &[Clarifications::ApplicationId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Declarations::Table)
                .col(pk_auto(Declarations::Id))
                .col(integer(Declarations::ApplicationId))
                .col(integer(Declarations::UserId))
                .col(boolean(Declarations::Conflict))
                .col(text(Declarations::Note))
                .col(timestamp_with_time_zone(Declarations::DeclaredAt))
                .foreign_key(&mut fk(
                    Declarations::Table,
                    Declarations::ApplicationId,
                    Applications::Table,
                    Applications::Id,
                ))
                .foreign_key(&mut fk(
                    Declarations::Table,
                    Declarations::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            Declarations::Table,
            "uq_declarations_app_user",
            &[Declarations::ApplicationId, Declarations::UserId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Scorecards::Table)
                .col(pk_auto(Scorecards::Id))
                .col(integer(Scorecards::ApplicationId))
                .col(integer(Scorecards::UserId))
                .col(timestamp_with_time_zone_null(Scorecards::SubmittedAt))
                .col(timestamp_with_time_zone(Scorecards::UpdatedAt))
                .foreign_key(&mut fk(
                    Scorecards::Table,
                    Scorecards::ApplicationId,
                    Applications::Table,
                    Applications::Id,
                ))
                .foreign_key(&mut fk(Scorecards::Table, Scorecards::UserId, Users::Table, Users::Id))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            Scorecards::Table,
            "uq_scorecards_app_user",
            &[Scorecards::ApplicationId, Scorecards::UserId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Scores::Table)
                .col(pk_auto(Scores::Id))
                .col(integer(Scores::ScorecardId))
                .col(integer(Scores::CriterionId))
                .col(integer_null(Scores::Points))
                .col(boolean(Scores::NotApplicable).default(false))
                .col(text(Scores::Comment))
                .foreign_key(&mut fk(
                    Scores::Table,
                    Scores::ScorecardId,
                    Scorecards::Table,
                    Scorecards::Id,
                ))
                .foreign_key(&mut fk(
                    Scores::Table,
                    Scores::CriterionId,
                    CallCriteria::Table,
                    CallCriteria::Id,
                ))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            Scores::Table,
            "uq_scores_card_criterion",
            &[Scores::ScorecardId, Scores::CriterionId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Awards::Table)
                .col(pk_auto(Awards::Id))
                .col(integer(Awards::CallId))
                .col(integer(Awards::ApplicationId))
                .col(integer(Awards::Rank))
                .col(string_len(Awards::Outcome, 20))
                .col(big_integer(Awards::AmountCents))
                .col(integer_null(Awards::ReservePosition))
                .foreign_key(&mut fk(Awards::Table, Awards::CallId, Calls::Table, Calls::Id))
                .foreign_key(&mut fk(
                    Awards::Table,
                    Awards::ApplicationId,
                    Applications::Table,
                    Applications::Id,
                ))
                .to_owned(),
        )
        .await?;
        unique_index(m, Awards::Table, "uq_awards_application", &[Awards::ApplicationId]).await?;
        index(m, Awards::Table, "idx_awards_call", &[Awards::CallId]).await?;

        m.create_table(
            Table::create()
                .table(ReducedAmounts::Table)
                .col(pk_auto(ReducedAmounts::Id))
                .col(integer(ReducedAmounts::ApplicationId))
                .col(big_integer(ReducedAmounts::AmountCents))
                .col(integer(ReducedAmounts::SetBy))
                .col(timestamp_with_time_zone(ReducedAmounts::SetAt))
                .foreign_key(&mut fk(
                    ReducedAmounts::Table,
                    ReducedAmounts::ApplicationId,
                    Applications::Table,
                    Applications::Id,
                ))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            ReducedAmounts::Table,
            "uq_reduced_amounts_application",
            &[ReducedAmounts::ApplicationId],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ReducedAmounts::Table.into_iden(),
            Awards::Table.into_iden(),
            Scores::Table.into_iden(),
            Scorecards::Table.into_iden(),
            Declarations::Table.into_iden(),
            Clarifications::Table.into_iden(),
            ComplianceChecks::Table.into_iden(),
            PanelMembers::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        m.alter_table(
            Table::alter()
                .table(Applications::Table)
                .drop_column(Applications::IneligibleReason)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Calls {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum CallRequirements {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum CallCriteria {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Applications {
    Table,
    Id,
    IneligibleReason,
}

#[derive(DeriveIden, Clone, Copy)]
enum PanelMembers {
    Table,
    Id,
    CallId,
    UserId,
    IsChair,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ComplianceChecks {
    Table,
    Id,
    ApplicationId,
    RequirementId,
    Met,
    Comment,
    CheckedBy,
    CheckedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Clarifications {
    Table,
    Id,
    ApplicationId,
    Question,
    Deadline,
    Answer,
    AnsweredBy,
    AnsweredAt,
    AskedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Declarations {
    Table,
    Id,
    ApplicationId,
    UserId,
    Conflict,
    Note,
    DeclaredAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Scorecards {
    Table,
    Id,
    ApplicationId,
    UserId,
    SubmittedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Scores {
    Table,
    Id,
    ScorecardId,
    CriterionId,
    Points,
    NotApplicable,
    Comment,
}

#[derive(DeriveIden, Clone, Copy)]
enum Awards {
    Table,
    Id,
    CallId,
    ApplicationId,
    Rank,
    Outcome,
    AmountCents,
    ReservePosition,
}

#[derive(DeriveIden, Clone, Copy)]
enum ReducedAmounts {
    Table,
    Id,
    ApplicationId,
    AmountCents,
    SetBy,
    SetAt,
}
