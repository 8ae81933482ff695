//! The second factor (TOTP) for everyone who can see pupil data: a user's secret and the last
//! time step used (a code is accepted once), and whether a session has passed the second step.
//! A director's grants to their school's staff: registering pupils, seeing every pupil.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        let columns = [
            (Users::Table.into_iden(), string_len_null(Users::TotpSecret, 64)),
            (Users::Table.into_iden(), big_integer_null(Users::TotpStep)),
            (
                Sessions::Table.into_iden(),
                timestamp_with_time_zone_null(Sessions::SecondFactorAt),
            ),
            (
                Memberships::Table.into_iden(),
                boolean(Memberships::MayRegisterPupils).default(false).to_owned(),
            ),
            (
                Memberships::Table.into_iden(),
                boolean(Memberships::SeesAllPupils).default(false).to_owned(),
            ),
        ];
        for (table, mut column) in columns {
            m.alter_table(Table::alter().table(table).add_column(&mut column).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            (Users::Table.into_iden(), Users::TotpSecret.into_iden()),
            (Users::Table.into_iden(), Users::TotpStep.into_iden()),
            (Sessions::Table.into_iden(), Sessions::SecondFactorAt.into_iden()),
            (
                Memberships::Table.into_iden(),
                Memberships::MayRegisterPupils.into_iden(),
            ),
            (Memberships::Table.into_iden(), Memberships::SeesAllPupils.into_iden()),
        ];
        for (table, column) in columns {
            m.alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    TotpSecret,
    TotpStep,
}

#[derive(DeriveIden, Clone, Copy)]
enum Sessions {
    Table,
    SecondFactorAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Memberships {
    Table,
    MayRegisterPupils,
    SeesAllPupils,
}
