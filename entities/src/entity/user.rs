use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub lang: String,
    pub email_confirmed_at: Option<DateTimeUtc>,
    pub disabled_at: Option<DateTimeUtc>,
    /// The TOTP secret (base32) once the second factor is set up.
    pub totp_secret: Option<String>,
    /// The last TOTP time step accepted: a code is good once.
    pub totp_step: Option<i64>,
    pub created_at: DateTimeUtc,
}

/// Written by hand so that a user never prints their password hash into a log.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User").field("id", &self.id).finish_non_exhaustive()
    }
}

impl Model {
    pub fn lang(&self) -> crate::domain::Lang {
        crate::domain::Lang::parse(&self.lang).unwrap_or_default()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
