//! A call's results version: every change that moves its ranking (a scorecard, a reduced
//! amount, an application submitted, withdrawn or found ineligible, the criteria, the panel and
//! its declarations, the decision) adds one, so a ranking worked out once serves until the next
//! change. And a member's declarations and scorecards by member, for the member's counts.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::unique_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Calls::Table)
                .add_column(big_integer(Calls::ResultsVersion).default(0))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            Scorecards::Table,
            "uq_scorecards_user_app",
            &[Scorecards::UserId, Scorecards::ApplicationId],
        )
        .await?;
        unique_index(
            m,
            Declarations::Table,
            "uq_declarations_user_app",
            &[Declarations::UserId, Declarations::ApplicationId],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, name) in [
            (Scorecards::Table.into_iden(), "uq_scorecards_user_app"),
            (Declarations::Table.into_iden(), "uq_declarations_user_app"),
        ] {
            m.drop_index(Index::drop().name(name).table(table).to_owned()).await?;
        }
        m.alter_table(
            Table::alter()
                .table(Calls::Table)
                .drop_column(Calls::ResultsVersion)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Calls {
    Table,
    ResultsVersion,
}

#[derive(DeriveIden, Clone, Copy)]
enum Scorecards {
    Table,
    UserId,
    ApplicationId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Declarations {
    Table,
    UserId,
    ApplicationId,
}
