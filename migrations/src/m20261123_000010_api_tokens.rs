//! Bearer tokens for the statistics API (`/api/v1/stats`): issued by an administrator to the
//! state agency or a municipality; only their SHA-256 is stored.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_foundation::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ApiTokens::Table)
                .col(pk_auto(ApiTokens::Id))
                .col(string_len(ApiTokens::Name, 100))
                .col(integer(ApiTokens::OrgId))
                .col(string_len_uniq(ApiTokens::TokenHash, 64))
                .col(integer(ApiTokens::CreatedBy))
                .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                .col(timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
                .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                .foreign_key(&mut fk(
                    ApiTokens::Table,
                    ApiTokens::OrgId,
                    Organisations::Table,
                    Organisations::Id,
                ))
                .foreign_key(&mut fk(ApiTokens::Table, ApiTokens::CreatedBy, Users::Table, Users::Id))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ApiTokens::Table).to_owned()).await
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
enum ApiTokens {
    Table,
    Id,
    Name,
    OrgId,
    TokenHash,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}
