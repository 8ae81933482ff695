//! People and organisations, sessions, invitations, one-time tokens, the audit log and the outbox.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Organisations::Table)
                .col(pk_auto(Organisations::Id))
                .col(string_len(Organisations::Kind, 20))
                .col(integer_null(Organisations::ParentId))
                .col(string_len(Organisations::Name, 200))
                .col(string_len_null(Organisations::RegNo, 40))
                .col(boolean(Organisations::IsVocational).default(false))
                .col(timestamp_with_time_zone(Organisations::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Organisations::Table, Organisations::ParentId)
                        .to(Organisations::Table, Organisations::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            Organisations::Table,
            "idx_organisations_parent",
            &[Organisations::ParentId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(pk_auto(Users::Id))
                .col(string_len_uniq(Users::Email, 254))
                .col(string_len(Users::Name, 200))
                .col(string_len(Users::PasswordHash, 200))
                .col(string_len(Users::Lang, 5).default("lv"))
                .col(timestamp_with_time_zone_null(Users::EmailConfirmedAt))
                .col(timestamp_with_time_zone_null(Users::DisabledAt))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Memberships::Table)
                .col(pk_auto(Memberships::Id))
                .col(integer(Memberships::UserId))
                .col(integer(Memberships::OrgId))
                .col(string_len(Memberships::Role, 20))
                .col(timestamp_with_time_zone(Memberships::CreatedAt))
                .foreign_key(&mut fk(
                    Memberships::Table,
                    Memberships::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .foreign_key(&mut fk(
                    Memberships::Table,
                    Memberships::OrgId,
                    Organisations::Table,
                    Organisations::Id,
                ))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            Memberships::Table,
            "uq_memberships_user_org_role",
            &[Memberships::UserId, Memberships::OrgId, Memberships::Role],
        )
        .await?;
        index(m, Memberships::Table, "idx_memberships_org", &[Memberships::OrgId]).await?;

        m.create_table(
            Table::create()
                .table(Invitations::Table)
                .col(pk_auto(Invitations::Id))
                .col(string_len(Invitations::Email, 254))
                .col(string_len(Invitations::Name, 200))
                .col(integer(Invitations::OrgId))
                .col(string_len(Invitations::Role, 20))
                .col(string_len(Invitations::Nonce, 64))
                .col(integer(Invitations::InvitedBy))
                .col(timestamp_with_time_zone(Invitations::ExpiresAt))
                .col(timestamp_with_time_zone_null(Invitations::AcceptedAt))
                .col(timestamp_with_time_zone(Invitations::CreatedAt))
                .foreign_key(&mut fk(
                    Invitations::Table,
                    Invitations::OrgId,
                    Organisations::Table,
                    Organisations::Id,
                ))
                .foreign_key(&mut fk(
                    Invitations::Table,
                    Invitations::InvitedBy,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(m, Invitations::Table, "idx_invitations_org", &[Invitations::OrgId]).await?;

        m.create_table(
            Table::create()
                .table(UserTokens::Table)
                .col(pk_auto(UserTokens::Id))
                .col(integer(UserTokens::UserId))
                .col(string_len(UserTokens::Purpose, 20))
                .col(string_len(UserTokens::Nonce, 64))
                .col(timestamp_with_time_zone(UserTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(UserTokens::UsedAt))
                .col(timestamp_with_time_zone(UserTokens::CreatedAt))
                .foreign_key(&mut fk(UserTokens::Table, UserTokens::UserId, Users::Table, Users::Id))
                .to_owned(),
        )
        .await?;
        index(m, UserTokens::Table, "idx_user_tokens_user", &[UserTokens::UserId]).await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(string_len(Sessions::Id, 64).primary_key())
                .col(integer(Sessions::UserId))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .foreign_key(&mut fk(Sessions::Table, Sessions::UserId, Users::Table, Users::Id))
                .to_owned(),
        )
        .await?;
        index(m, Sessions::Table, "idx_sessions_user", &[Sessions::UserId]).await?;

        m.create_table(
            Table::create()
                .table(LoginFailures::Table)
                .col(big_pk_auto(LoginFailures::Id))
                .col(string_len(LoginFailures::Email, 254))
                .col(string_len(LoginFailures::Ip, 64))
                .col(timestamp_with_time_zone(LoginFailures::At))
                .to_owned(),
        )
        .await?;
        index(
            m,
            LoginFailures::Table,
            "idx_login_failures_email",
            &[LoginFailures::Email, LoginFailures::At],
        )
        .await?;
        index(
            m,
            LoginFailures::Table,
            "idx_login_failures_ip",
            &[LoginFailures::Ip, LoginFailures::At],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(big_pk_auto(AuditLog::Id))
                .col(timestamp_with_time_zone(AuditLog::At))
                .col(integer_null(AuditLog::ActorUserId))
                .col(integer_null(AuditLog::OrgId))
                .col(string_len(AuditLog::Action, 60))
                .col(string_len(AuditLog::ObjectType, 40))
                .col(big_integer_null(AuditLog::ObjectId))
                .col(text_null(AuditLog::Details))
                .col(string_len_null(AuditLog::Ip, 64))
                .to_owned(),
        )
        .await?;
        index(
            m,
            AuditLog::Table,
            "idx_audit_object",
            &[AuditLog::ObjectType, AuditLog::ObjectId],
        )
        .await?;
        index(m, AuditLog::Table, "idx_audit_actor", &[AuditLog::ActorUserId]).await?;
        append_only(m, "audit_log").await?;

        m.create_table(
            Table::create()
                .table(Outbox::Table)
                .col(big_pk_auto(Outbox::Id))
                .col(string_len(Outbox::Kind, 40))
                .col(text(Outbox::Payload))
                .col(timestamp_with_time_zone(Outbox::CreatedAt))
                .col(timestamp_with_time_zone_null(Outbox::RelayedAt))
                .to_owned(),
        )
        .await?;
        index(m, Outbox::Table, "idx_outbox_pending", &[Outbox::RelayedAt, Outbox::Id]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Outbox::Table.into_iden(),
            AuditLog::Table.into_iden(),
            LoginFailures::Table.into_iden(),
            Sessions::Table.into_iden(),
            UserTokens::Table.into_iden(),
            Invitations::Table.into_iden(),
            Memberships::Table.into_iden(),
            Users::Table.into_iden(),
            Organisations::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

pub(crate) fn fk<T: IntoIden + Clone, C: IntoIden, U: IntoIden, D: IntoIden>(
    table: T,
    col: C,
    ref_table: U,
    ref_col: D,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(ref_table, ref_col)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

pub(crate) async fn index<T: IntoIden + Clone + 'static, C: IntoIden + Clone + 'static>(
    m: &SchemaManager<'_>,
    table: T,
    name: &str,
    cols: &[C],
) -> Result<(), DbErr> {
    let mut stmt = Index::create().name(name).table(table).to_owned();
    for col in cols {
        stmt.col(col.clone());
    }
    m.create_index(stmt).await
}

pub(crate) async fn unique_index<T: IntoIden + Clone + 'static, C: IntoIden + Clone + 'static>(
    m: &SchemaManager<'_>,
    table: T,
    name: &str,
    cols: &[C],
) -> Result<(), DbErr> {
    let mut stmt = Index::create().name(name).table(table).unique().to_owned();
    for col in cols {
        stmt.col(col.clone());
    }
    m.create_index(stmt).await
}

/// Refuses UPDATE and DELETE on a table, in the database itself, on both backends.
pub(crate) async fn append_only(m: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    let conn = m.get_connection();
    match m.get_database_backend() {
        DbBackend::Postgres => {
            conn.execute_unprepared(&format!(
                "CREATE OR REPLACE FUNCTION pumpurs_append_only() RETURNS trigger AS $$ \
                 BEGIN RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql; \
                 CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION pumpurs_append_only();"
            ))
            .await?;
        }
        _ => {
            for op in ["UPDATE", "DELETE"] {
                conn.execute_unprepared(&format!(
                    "CREATE TRIGGER {table}_no_{op} BEFORE {op} ON {table} \
                     BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
                ))
                .await?;
            }
        }
    }
    Ok(())
}

#[derive(DeriveIden, Clone, Copy)]
enum Organisations {
    Table,
    Id,
    Kind,
    ParentId,
    Name,
    RegNo,
    IsVocational,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    Lang,
    EmailConfirmedAt,
    DisabledAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Memberships {
    Table,
    Id,
    UserId,
    OrgId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Invitations {
    Table,
    Id,
    Email,
    Name,
    OrgId,
    Role,
    Nonce,
    InvitedBy,
    ExpiresAt,
    AcceptedAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum UserTokens {
    Table,
    Id,
    UserId,
    Purpose,
    Nonce,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Sessions {
    Table,
    Id,
    UserId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum LoginFailures {
    Table,
    Id,
    Email,
    Ip,
    At,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorUserId,
    OrgId,
    Action,
    ObjectType,
    ObjectId,
    Details,
    Ip,
}

#[derive(DeriveIden, Clone, Copy)]
enum Outbox {
    Table,
    Id,
    Kind,
    Payload,
    CreatedAt,
    RelayedAt,
}
