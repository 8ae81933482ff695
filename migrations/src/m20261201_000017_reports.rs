//! Reports of funded projects: the interim (when the call asks for one) and the final report,
//! each with its content, the participants reached, and its expenses against the approved
//! budget lines, each expense with its receipt as uploaded.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ProjectReports::Table)
                .col(pk_auto(ProjectReports::Id))
                .col(integer(ProjectReports::ProjectId))
                .col(string_len(ProjectReports::Kind, 20))
                .col(string_len(ProjectReports::Status, 20))
                .col(date(ProjectReports::DueOn))
                .col(text(ProjectReports::Activities))
                .col(date_null(ProjectReports::StartedOn))
                .col(date_null(ProjectReports::EndedOn))
                .col(integer(ProjectReports::Participants))
                .col(integer(ProjectReports::PupilsAtRisk))
                .col(text(ProjectReports::Publicity))
                .col(text_null(ProjectReports::Remarks))
                .col(text_null(ProjectReports::Response))
                .col(timestamp_with_time_zone_null(ProjectReports::SubmittedAt))
                .col(timestamp_with_time_zone_null(ProjectReports::DecidedAt))
                .col(integer_null(ProjectReports::DecidedBy))
                .col(timestamp_with_time_zone(ProjectReports::CreatedAt))
                .col(timestamp_with_time_zone(ProjectReports::UpdatedAt))
                .foreign_key(&mut fk(
                    ProjectReports::Table,
                    ProjectReports::ProjectId,
                    Projects::Table,
                    Projects::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_project_reports_kind")
                .table(ProjectReports::Table)
                .col(ProjectReports::ProjectId)
                .col(ProjectReports::Kind)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ReportExpenses::Table)
                .col(pk_auto(ReportExpenses::Id))
                .col(integer(ReportExpenses::ReportId))
                .col(integer(ReportExpenses::BudgetLineId))
                .col(string_len(ReportExpenses::Description, 200))
                .col(big_integer(ReportExpenses::AmountCents))
                .col(date(ReportExpenses::PaidOn))
                .col(string_len(ReportExpenses::ReceiptName, 200))
                .col(string_len(ReportExpenses::ReceiptType, 100))
                .col(big_integer(ReportExpenses::ReceiptSize))
                .col(string_len(ReportExpenses::ReceiptSha256, 64))
                .col(string_len(ReportExpenses::ReceiptKey, 200))
                .col(timestamp_with_time_zone(ReportExpenses::CreatedAt))
                .foreign_key(&mut fk(
                    ReportExpenses::Table,
                    ReportExpenses::ReportId,
                    ProjectReports::Table,
                    ProjectReports::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_report_expenses_report")
                .table(ReportExpenses::Table)
                .col(ReportExpenses::ReportId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ReportExpenses::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(ProjectReports::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum ProjectReports {
    Table,
    Id,
    ProjectId,
    Kind,
    Status,
    DueOn,
    Activities,
    StartedOn,
    EndedOn,
    Participants,
    PupilsAtRisk,
    Publicity,
    Remarks,
    Response,
    SubmittedAt,
    DecidedAt,
    DecidedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ReportExpenses {
    Table,
    Id,
    ReportId,
    BudgetLineId,
    Description,
    AmountCents,
    PaidOn,
    ReceiptName,
    ReceiptType,
    ReceiptSize,
    ReceiptSha256,
    ReceiptKey,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Projects {
    Table,
    Id,
}
