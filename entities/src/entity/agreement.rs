use sea_orm::entity::prelude::*;

/// Where a grant agreement stands: drafted from the award when the grant is accepted, sent by
/// the coordinator, signed by the applicant (its signed copy uploaded), confirmed in force by
/// the coordinator; or cancelled, with a reason, before it is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum AgreementState {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "sent")]
    Sent,
    #[sea_orm(string_value = "signed")]
    Signed,
    #[sea_orm(string_value = "in_force")]
    InForce,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

/// A project's agreement. `parties` holds the parties' details as they were when it was sent
/// (JSON, `grants::agreements::Parties`); the signed copy is stored as uploaded.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agreements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub project_id: i32,
    pub status: AgreementState,
    /// The recipient's language, which the agreement is written in.
    pub lang: String,
    pub parties: Option<String>,
    pub signed_name: Option<String>,
    pub signed_type: Option<String>,
    pub signed_size: Option<i64>,
    pub signed_sha256: Option<String>,
    pub signed_key: Option<String>,
    pub cancel_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
