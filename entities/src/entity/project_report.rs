use sea_orm::entity::prelude::*;

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum ReportKind {
    #[sea_orm(string_value = "interim")]
    Interim,
    #[sea_orm(string_value = "final")]
    Final,
}

/// Where a report stands: written as a draft, submitted, then accepted or returned with
/// remarks (and, answered, submitted again).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum ReportState {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "submitted")]
    Submitted,
    #[sea_orm(string_value = "accepted")]
    Accepted,
    #[sea_orm(string_value = "returned")]
    Returned,
}

impl ReportState {
    /// Whether the recipient may still change the report.
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub project_id: i32,
    pub kind: ReportKind,
    pub status: ReportState,
    pub due_on: Date,
    /// What was done.
    pub activities: String,
    pub started_on: Option<Date>,
    pub ended_on: Option<Date>,
    pub participants: i32,
    /// Of the participants, pupils at risk of leaving school (a count, never names).
    pub pupils_at_risk: i32,
    /// Links to the project's publicity, one a line.
    pub publicity: String,
    /// The coordinator's remarks when returned.
    pub remarks: Option<String>,
    /// The recipient's answer to the remarks.
    pub response: Option<String>,
    pub submitted_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
