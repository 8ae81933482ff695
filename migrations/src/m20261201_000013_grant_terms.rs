//! The terms a call sets for the projects it funds, fixed when it is published: the period
//! projects run in, the advance, the reports and the days a funded applicant has to accept.
//! Calls made before have no project period (their projects keep to paper).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite alters a table one column at a time.
        let columns = [
            date_null(Calls::ProjectStartsOn),
            date_null(Calls::ProjectEndsOn),
            integer(Calls::AdvanceBp).default(8000).to_owned(),
            date_null(Calls::InterimReportOn),
            integer(Calls::FinalReportDays).default(30).to_owned(),
            integer(Calls::AcceptDays).default(14).to_owned(),
        ];
        for mut column in columns {
            m.alter_table(Table::alter().table(Calls::Table).add_column(&mut column).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Calls::ProjectStartsOn,
            Calls::ProjectEndsOn,
            Calls::AdvanceBp,
            Calls::InterimReportOn,
            Calls::FinalReportDays,
            Calls::AcceptDays,
        ] {
            m.alter_table(Table::alter().table(Calls::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Calls {
    Table,
    ProjectStartsOn,
    ProjectEndsOn,
    AdvanceBp,
    InterimReportOn,
    FinalReportDays,
    AcceptDays,
}
