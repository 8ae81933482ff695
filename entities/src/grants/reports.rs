//! Reports of funded projects. When the agreement comes into force the project gets its
//! reports: an interim one if the call asks for it, and the final one, due by the call's dates.
//! The recipient writes each as a draft — what was done and when, the participants and of them
//! pupils at risk of leaving school (a count), publicity links — and its expenses, each against
//! an approved budget line with its receipt; then submits it. The coordinator accepts it or
//! returns it with remarks, which the recipient answers when submitting again.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::attachments::StoredFile;
use crate::entity::budget_line;
use crate::entity::project_event::ProjectStep;
use crate::entity::project_report::{self, ReportKind, ReportState};
use crate::entity::{report_document, report_expense};
use crate::error::{Error, FieldErrors, Result};
use crate::grants::agreements::{self, ProjectFile};
use crate::grants::calls::ProjectTerms;
use crate::money::Eur;
use crate::policy::Actor;

/// Opens the reports of a project whose agreement came into force at `now`.
pub(crate) async fn open_for(conn: &impl ConnectionTrait, file: &ProjectFile, now: DateTime<Utc>) -> Result<()> {
    let terms = ProjectTerms::of(&file.call);
    let today = crate::time::to_riga(now).date_naive();
    let final_on = terms
        .as_ref()
        .map(ProjectTerms::final_report_on)
        .unwrap_or_else(|| today + chrono::Days::new(u64::try_from(file.call.final_report_days).unwrap_or(0)));
    let mut due = vec![(ReportKind::Final, final_on)];
    if let Some(on) = terms.and_then(|t| t.interim_report_on) {
        due.insert(0, (ReportKind::Interim, on));
    }
    for (kind, due_on) in due {
        project_report::ActiveModel {
            project_id: Set(file.project.id),
            kind: Set(kind),
            status: Set(ReportState::Draft),
            due_on: Set(due_on),
            activities: Set(String::new()),
            started_on: Set(None),
            ended_on: Set(None),
            participants: Set(0),
            pupils_at_risk: Set(0),
            publicity: Set(String::new()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// A project's reports, the interim one first.
pub async fn of_project(conn: &impl ConnectionTrait, project_id: i32) -> Result<Vec<project_report::Model>> {
    Ok(project_report::Entity::find()
        .filter(project_report::Column::ProjectId.eq(project_id))
        .order_by_asc(project_report::Column::DueOn)
        .all(conn)
        .await?)
}

/// A report of a project the actor may read, with the project; `lock` holds the report's row
/// until the caller's transaction ends.
pub async fn find(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    project_id: i32,
    kind: ReportKind,
    lock: bool,
) -> Result<(ProjectFile, project_report::Model)> {
    let file = agreements::readable(conn, actor, project_id).await?;
    let mut query = project_report::Entity::find()
        .filter(project_report::Column::ProjectId.eq(project_id))
        .filter(project_report::Column::Kind.eq(kind));
    if lock {
        query = query.lock_exclusive();
    }
    let report = query.one(conn).await?.ok_or(Error::NotFound)?;
    Ok((file, report))
}

/// As `find`, for the recipient's changes: a draft or a returned report of its own project.
async fn editable(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    project_id: i32,
    kind: ReportKind,
) -> Result<(ProjectFile, project_report::Model)> {
    let (file, report) = find(conn, actor, project_id, kind, true).await?;
    if !file.applicant_side {
        return Err(Error::NotFound);
    }
    if !report.status.editable() {
        return Err(Error::Refused("error-report-not-editable"));
    }
    Ok((file, report))
}

/// The report's form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReportForm {
    pub activities: String,
    pub started_on: String,
    pub ended_on: String,
    pub participants: String,
    pub pupils_at_risk: String,
    pub publicity: String,
}

fn count(raw: &str, field: &str, errors: &mut FieldErrors) -> i32 {
    let raw = raw.trim();
    if raw.is_empty() {
        return 0;
    }
    match raw.parse::<i32>() {
        Ok(n) if (0..=100_000).contains(&n) => n,
        _ => {
            errors.add(field, "error-count");
            0
        }
    }
}

/// Saves the draft as typed; each wrong value is named and nothing is saved.
pub async fn save(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    project_id: i32,
    kind: ReportKind,
    form: &ReportForm,
    now: DateTime<Utc>,
) -> Result<project_report::Model> {
    let (_, report) = editable(conn, actor, project_id, kind).await?;
    let mut errors = FieldErrors::new();
    if form.activities.chars().count() > 10_000 {
        errors.add("activities", "error-too-long");
    }
    if form.publicity.chars().count() > 2_000 {
        errors.add("publicity", "error-too-long");
    }
    let started = crate::grants::calls::date(&form.started_on, "started_on", false, &mut errors);
    let ended = crate::grants::calls::date(&form.ended_on, "ended_on", false, &mut errors);
    if let (Some(s), Some(e)) = (started, ended)
        && e < s
    {
        errors.add("ended_on", "error-report-dates");
    }
    let participants = count(&form.participants, "participants", &mut errors);
    let pupils = count(&form.pupils_at_risk, "pupils_at_risk", &mut errors);
    if pupils > participants {
        errors.add("pupils_at_risk", "error-report-pupils");
    }
    errors.into_result()?;
    let mut active: project_report::ActiveModel = report.into();
    active.activities = Set(form.activities.trim().to_owned());
    active.started_on = Set(started);
    active.ended_on = Set(ended);
    active.participants = Set(participants);
    active.pupils_at_risk = Set(pupils);
    active.publicity = Set(form.publicity.trim().to_owned());
    active.updated_at = Set(now);
    Ok(active.update(conn).await?)
}

/// An expense as typed (its receipt comes as a file).
#[derive(Debug, Clone, Default)]
pub struct ExpenseForm {
    pub line: String,
    pub description: String,
    pub amount: String,
    pub paid_on: String,
}

/// An expense as checked.
#[derive(Debug, Clone)]
pub struct ExpenseInput {
    pub budget_line_id: i32,
    pub description: String,
    pub amount: Eur,
    pub paid_on: NaiveDate,
}

impl ExpenseForm {
    pub fn parse(&self) -> std::result::Result<ExpenseInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let line = self.line.trim().parse::<i32>().ok();
        if line.is_none() {
            errors.add("line", "error-required");
        }
        let description = self.description.trim().to_owned();
        if description.is_empty() {
            errors.add("description", "error-required");
        } else if description.chars().count() > 200 {
            errors.add("description", "error-too-long");
        }
        let amount = match Eur::parse(&self.amount) {
            Some(a) if a.cents() > 0 => Some(a),
            Some(_) => {
                errors.add("amount", "error-money-positive");
                None
            }
            None => {
                errors.add(
                    "amount",
                    if self.amount.trim().is_empty() {
                        "error-required"
                    } else {
                        "error-money"
                    },
                );
                None
            }
        };
        let paid_on = crate::grants::calls::date(&self.paid_on, "paid_on", true, &mut errors);
        match (line, amount, paid_on) {
            (Some(budget_line_id), Some(amount), Some(paid_on)) if errors.is_empty() => Ok(ExpenseInput {
                budget_line_id,
                description,
                amount,
                paid_on,
            }),
            _ => Err(errors),
        }
    }
}

/// Adds an expense with its receipt to the recipient's draft; the line must be one of the
/// application's approved budget lines.
pub async fn add_expense(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    project_id: i32,
    kind: ReportKind,
    input: &ExpenseInput,
    receipt: StoredFile,
    now: DateTime<Utc>,
) -> Result<report_expense::Model> {
    let (file, report) = editable(conn, actor, project_id, kind).await?;
    let line = budget_line::Entity::find_by_id(input.budget_line_id)
        .filter(budget_line::Column::ApplicationId.eq(file.app.id))
        .one(conn)
        .await?;
    if line.is_none() {
        return Err(FieldErrors::single("line", "error-required"));
    }
    Ok(report_expense::ActiveModel {
        report_id: Set(report.id),
        budget_line_id: Set(input.budget_line_id),
        description: Set(input.description.clone()),
        amount_cents: Set(input.amount.cents()),
        paid_on: Set(input.paid_on),
        receipt_name: Set(receipt.name),
        receipt_type: Set(receipt.content_type),
        receipt_size: Set(receipt.size),
        receipt_sha256: Set(receipt.sha256),
        receipt_key: Set(receipt.key),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// Removes an expense from the recipient's draft; returns its receipt's key, for the caller to
/// delete from the store after.
pub async fn remove_expense(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    project_id: i32,
    kind: ReportKind,
    expense_id: i32,
) -> Result<String> {
    let (_, report) = editable(conn, actor, project_id, kind).await?;
    let expense = expense_of(conn, report.id, expense_id).await?;
    report_expense::Entity::delete_by_id(expense.id).exec(conn).await?;
    Ok(expense.receipt_key)
}

/// An expense of a report, or `NotFound`.
pub async fn expense_of(conn: &impl ConnectionTrait, report_id: i32, expense_id: i32) -> Result<report_expense::Model> {
    report_expense::Entity::find_by_id(expense_id)
        .filter(report_expense::Column::ReportId.eq(report_id))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)
}

/// A report's expenses, in the order entered.
pub async fn expenses(conn: &impl ConnectionTrait, report_id: i32) -> Result<Vec<report_expense::Model>> {
    Ok(report_expense::Entity::find()
        .filter(report_expense::Column::ReportId.eq(report_id))
        .order_by_asc(report_expense::Column::Id)
        .all(conn)
        .await?)
}

/// Spending against each approved budget line, over all the project's reports.
#[derive(Debug, Clone)]
pub struct LineUse {
    pub line: budget_line::Model,
    pub approved: Eur,
    pub spent: Eur,
    /// Approved less spent (negative when overspent).
    pub variance: Eur,
}

/// The approved budget lines of the project's application with what its reports spent on each.
pub async fn line_use(conn: &impl ConnectionTrait, file: &ProjectFile) -> Result<Vec<LineUse>> {
    let lines = crate::grants::applications::lines(conn, file.app.id).await?;
    let reports: Vec<i32> = of_project(conn, file.project.id).await?.iter().map(|r| r.id).collect();
    let spent: Vec<(i32, Option<i64>)> = report_expense::Entity::find()
        .select_only()
        .column(report_expense::Column::BudgetLineId)
        .column_as(crate::money::sum_cents(report_expense::Column::AmountCents), "spent")
        .filter(report_expense::Column::ReportId.is_in(reports))
        .group_by(report_expense::Column::BudgetLineId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(lines
        .into_iter()
        .map(|line| {
            let approved = Eur::from_cents(line.unit_cents * i64::from(line.quantity));
            let used = spent
                .iter()
                .find(|(id, _)| *id == line.id)
                .and_then(|(_, s)| *s)
                .unwrap_or(0);
            LineUse {
                approved,
                spent: Eur::from_cents(used),
                variance: Eur::from_cents(approved.cents() - used),
                line,
            }
        })
        .collect())
}

/// The recipient submits its report. It must say what was done and when; the final report
/// carries its expenses; a returned report answers the remarks.
pub async fn submit(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    project_id: i32,
    kind: ReportKind,
    response: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let (file, report) = editable(conn, actor, project_id, kind).await?;
    let mut errors = FieldErrors::new();
    if report.activities.is_empty() {
        errors.add("activities", "error-report-incomplete");
    }
    if report.started_on.is_none() || report.ended_on.is_none() {
        errors.add("started_on", "error-report-incomplete");
    }
    if kind == ReportKind::Final && expenses(conn, report.id).await?.is_empty() {
        errors.add("expenses", "error-report-no-expenses");
    }
    let response = response.trim();
    if report.status == ReportState::Returned && response.is_empty() {
        errors.add("response", "error-required");
    }
    errors.into_result()?;
    let mut active: project_report::ActiveModel = report.clone().into();
    active.status = Set(ReportState::Submitted);
    active.submitted_at = Set(Some(now));
    if report.status == ReportState::Returned {
        active.response = Set(Some(response.to_owned()));
    }
    active.updated_at = Set(now);
    active.update(conn).await?;
    agreements::record(conn, actor, &file, ProjectStep::ReportSubmitted, None, now).await
}

/// The coordinator accepts a submitted report, or returns it with `remarks` (then required).
pub async fn decide(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    project_id: i32,
    kind: ReportKind,
    accept: bool,
    remarks: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let file = agreements::managed(conn, actor, project_id).await?;
    let (_, report) = find(conn, actor, project_id, kind, true).await?;
    if report.status != ReportState::Submitted {
        return Err(Error::Refused("error-report-not-submitted"));
    }
    let remarks = remarks.trim();
    if !accept && remarks.is_empty() {
        return Err(FieldErrors::single("remarks", "error-required"));
    }
    if remarks.chars().count() > 5_000 {
        return Err(FieldErrors::single("remarks", "error-too-long"));
    }
    let mut active: project_report::ActiveModel = report.into();
    active.status = Set(if accept {
        ReportState::Accepted
    } else {
        ReportState::Returned
    });
    if !accept {
        active.remarks = Set(Some(remarks.to_owned()));
    }
    active.decided_at = Set(Some(now));
    active.decided_by = Set(Some(actor.user.id));
    active.updated_at = Set(now);
    active.update(conn).await?;
    let (event, detail) = if accept {
        (ProjectStep::ReportAccepted, None)
    } else {
        (ProjectStep::ReportReturned, Some(remarks.to_owned()))
    };
    agreements::record(conn, actor, &file, event, detail, now).await
}

/// Adds a document (a photo, a participant list) to the recipient's draft.
pub async fn add_document(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    project_id: i32,
    kind: ReportKind,
    file: StoredFile,
    now: DateTime<Utc>,
) -> Result<report_document::Model> {
    let (_, report) = editable(conn, actor, project_id, kind).await?;
    Ok(report_document::ActiveModel {
        report_id: Set(report.id),
        name: Set(file.name),
        content_type: Set(file.content_type),
        size: Set(file.size),
        sha256: Set(file.sha256),
        storage_key: Set(file.key),
        uploaded_by: Set(actor.user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// Removes a document from the recipient's draft; returns its key, for the caller to delete
/// from the store after.
pub async fn remove_document(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    project_id: i32,
    kind: ReportKind,
    document_id: i32,
) -> Result<String> {
    let (_, report) = editable(conn, actor, project_id, kind).await?;
    let doc = document_of(conn, report.id, document_id).await?;
    report_document::Entity::delete_by_id(doc.id).exec(conn).await?;
    Ok(doc.storage_key)
}

/// A document of a report, or `NotFound`.
pub async fn document_of(conn: &impl ConnectionTrait, report_id: i32, id: i32) -> Result<report_document::Model> {
    report_document::Entity::find_by_id(id)
        .filter(report_document::Column::ReportId.eq(report_id))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)
}

/// The documents of reports, in upload order.
pub async fn documents(conn: &impl ConnectionTrait, report_ids: Vec<i32>) -> Result<Vec<report_document::Model>> {
    Ok(report_document::Entity::find()
        .filter(report_document::Column::ReportId.is_in(report_ids))
        .order_by_asc(report_document::Column::Id)
        .all(conn)
        .await?)
}
