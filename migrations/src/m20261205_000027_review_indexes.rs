//! Indexes for the review pages at the scale of a real call: a member's declarations and
//! scorecards by member and application (one each, so unique), for the member's counts and
//! page; a call's applications in the order of their references, for pages of 50 that stop at
//! the 50th instead of sorting the call.

use sea_orm_migration::prelude::*;

use crate::m20261122_000001_foundation::{index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
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
        .await?;
        index(
            m,
            Applications::Table,
            "idx_applications_call_ref",
            &[Applications::CallId, Applications::RefSeq, Applications::Id],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, name) in [
            (Scorecards::Table.into_iden(), "uq_scorecards_user_app"),
            (Declarations::Table.into_iden(), "uq_declarations_user_app"),
            (Applications::Table.into_iden(), "idx_applications_call_ref"),
        ] {
            m.drop_index(Index::drop().name(name).table(table).to_owned()).await?;
        }
        Ok(())
    }
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

#[derive(DeriveIden, Clone, Copy)]
enum Applications {
    Table,
    CallId,
    RefSeq,
    Id,
}
