use sea_orm::entity::prelude::*;

/// A step in a funded project's life, in the order taken; a step that tells someone names its
/// email (`EmailEvent::ProjectStep`) by this row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
pub enum ProjectStep {
    #[sea_orm(string_value = "agreement_sent")]
    AgreementSent,
    #[sea_orm(string_value = "agreement_signed")]
    AgreementSigned,
    #[sea_orm(string_value = "agreement_in_force")]
    AgreementInForce,
    #[sea_orm(string_value = "agreement_cancelled")]
    AgreementCancelled,
    #[sea_orm(string_value = "payment_recorded")]
    PaymentRecorded,
    #[sea_orm(string_value = "report_submitted")]
    ReportSubmitted,
    #[sea_orm(string_value = "report_accepted")]
    ReportAccepted,
    #[sea_orm(string_value = "report_returned")]
    ReportReturned,
    #[sea_orm(string_value = "refund_demanded")]
    RefundDemanded,
    #[sea_orm(string_value = "refund_returned")]
    RefundReturned,
    #[sea_orm(string_value = "project_closed")]
    ProjectClosed,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub project_id: i32,
    pub kind: ProjectStep,
    /// What the step carries: a reason, a file name.
    pub detail: Option<String>,
    pub user_id: Option<i32>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
