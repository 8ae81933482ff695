//! The consent's evidence: the parent's (or adult pupil's) signed application, as a scan or an
//! e-signature container, kept with the plan. Without it a plan is not sent for approval.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite adds one column per ALTER TABLE.
        for column in [
            string_len_null(Plans::ConsentFileName, 200),
            string_len_null(Plans::ConsentContentType, 100),
            big_integer_null(Plans::ConsentSize),
            string_len_null(Plans::ConsentSha256, 64),
            string_len_null(Plans::ConsentKey, 200),
        ] {
            let mut column = column;
            m.alter_table(Table::alter().table(Plans::Table).add_column(&mut column).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Plans::ConsentFileName,
            Plans::ConsentContentType,
            Plans::ConsentSize,
            Plans::ConsentSha256,
            Plans::ConsentKey,
        ] {
            m.alter_table(Table::alter().table(Plans::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Plans {
    Table,
    ConsentFileName,
    ConsentContentType,
    ConsentSize,
    ConsentSha256,
    ConsentKey,
}
