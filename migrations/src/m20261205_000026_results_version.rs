//! A call's results version: every change that moves its ranking (a scorecard, a reduced
//! amount, an application submitted, withdrawn or found ineligible, the criteria, the decision)
//! adds one, so a ranking worked out once serves until the next change.

use sea_orm_migration::{prelude::*, schema::*};

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
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
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
