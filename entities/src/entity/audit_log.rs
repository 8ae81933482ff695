use sea_orm::entity::prelude::*;

/// One line of the append-only audit log (the database refuses UPDATE and DELETE on it).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub actor_user_id: Option<i32>,
    pub org_id: Option<i32>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<i64>,
    pub details: Option<String>,
    pub ip: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
