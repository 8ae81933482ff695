//! Settling a funded project once its final report is accepted. What the reports spent (at
//! most the grant) is what the project is owed: less what was paid, that is the final payment;
//! when less was spent than paid, the coordinator demands the difference back by a date, and
//! records it when it comes back (until then it is overdue past its date). With nothing left
//! to pay or return the coordinator closes the project, and its documents are archived.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entity::project;
use crate::entity::project_event::ProjectStep;
use crate::entity::project_refund;
use crate::entity::project_report::{self, ReportKind, ReportState};
use crate::entity::report_expense;
use crate::error::{Error, FieldErrors, Result};
use crate::grants::agreements::{self, ProjectFile};
use crate::money::Eur;
use crate::outbox;
use crate::policy::{Actor, grant_payers};

/// Where a project's money stands at the end.
#[derive(Debug, Clone)]
pub struct Settlement {
    /// The final report is accepted: the project can be settled.
    pub final_accepted: bool,
    /// What the reports spent, at most the grant.
    pub eligible: Eur,
    pub paid: Eur,
    /// The final payment still to make.
    pub to_pay: Eur,
    /// What the recipient is to return.
    pub to_refund: Eur,
    pub refund: Option<project_refund::Model>,
    pub refund_overdue: bool,
    /// Nothing is left to pay or return.
    pub closable: bool,
    pub closed_at: Option<DateTime<Utc>>,
}

/// The settlement of a project the caller may read.
pub async fn of(conn: &impl ConnectionTrait, file: &ProjectFile, now: DateTime<Utc>) -> Result<Settlement> {
    let reports = crate::grants::reports::of_project(conn, file.project.id).await?;
    let final_accepted = reports
        .iter()
        .any(|r| r.kind == ReportKind::Final && r.status == ReportState::Accepted);
    let spent: i64 = report_expense::Entity::find()
        .filter(report_expense::Column::ReportId.is_in(reports.iter().map(|r| r.id)))
        .all(conn)
        .await?
        .iter()
        .map(|e| e.amount_cents)
        .sum();
    let eligible = spent.min(file.project.granted_cents);
    let paid: i64 = crate::grants::payments::of_project(conn, file.project.id)
        .await?
        .iter()
        .map(|p| p.amount_cents)
        .sum();
    let refund = project_refund::Entity::find()
        .filter(project_refund::Column::ProjectId.eq(file.project.id))
        .one(conn)
        .await?;
    let today = crate::time::to_riga(now).date_naive();
    let returned = refund.as_ref().is_some_and(|r| r.returned_on.is_some());
    let to_refund = if returned { 0 } else { (paid - eligible).max(0) };
    let to_pay = (eligible - paid).max(0);
    Ok(Settlement {
        final_accepted,
        eligible: Eur::from_cents(eligible),
        paid: Eur::from_cents(paid),
        to_pay: Eur::from_cents(if final_accepted { to_pay } else { 0 }),
        to_refund: Eur::from_cents(if final_accepted { to_refund } else { 0 }),
        refund_overdue: refund
            .as_ref()
            .is_some_and(|r| r.returned_on.is_none() && r.due_on < today),
        refund,
        closable: final_accepted && to_pay == 0 && to_refund == 0 && file.project.closed_at.is_none(),
        closed_at: file.project.closed_at,
    })
}

/// The final payment may not exceed what is still owed once the final report is accepted.
pub(crate) async fn final_payment_room(
    conn: &impl ConnectionTrait,
    file: &ProjectFile,
    now: DateTime<Utc>,
) -> Result<Option<Eur>> {
    let s = of(conn, file, now).await?;
    Ok(s.final_accepted.then_some(s.to_pay))
}

/// The coordinator asks the recipient to return what it did not spend, by `due_on`.
pub async fn demand_refund(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    project_id: i32,
    due_on: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let file = payer(conn, actor, project_id).await?;
    let mut errors = FieldErrors::new();
    let due = crate::grants::calls::date(due_on, "due_on", true, &mut errors);
    let today = crate::time::to_riga(now).date_naive();
    if due.is_some_and(|d| d <= today) {
        errors.add("due_on", "error-refund-due-past");
    }
    errors.into_result()?;
    let s = of(conn, &file, now).await?;
    if s.refund.is_some() || s.to_refund.cents() == 0 {
        return Err(Error::Refused("error-refund-none"));
    }
    let due = due.unwrap_or(today);
    project_refund::ActiveModel {
        project_id: Set(project_id),
        amount_cents: Set(s.to_refund.cents()),
        due_on: Set(due),
        demanded_by: Set(actor.user.id),
        demanded_at: Set(now),
        returned_on: Set(None),
        reference: Set(None),
        recorded_by: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let detail = format!("{} EUR, {}", s.to_refund.to_plain(), due.format("%d.%m.%Y"));
    agreements::record(conn, actor, &file, ProjectStep::RefundDemanded, Some(detail), now).await
}

/// The coordinator records that the demanded refund came back.
pub async fn refund_returned(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    project_id: i32,
    returned_on: &str,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let file = payer(conn, actor, project_id).await?;
    let mut errors = FieldErrors::new();
    let on = crate::grants::calls::date(returned_on, "returned_on", true, &mut errors);
    if on.is_some_and(|d| d > crate::time::to_riga(now).date_naive()) {
        errors.add("returned_on", "error-payment-future");
    }
    let reference = reference.trim();
    if reference.is_empty() {
        errors.add("refund_reference", "error-required");
    } else if reference.chars().count() > 100 {
        errors.add("refund_reference", "error-too-long");
    }
    errors.into_result()?;
    let refund = project_refund::Entity::find()
        .filter(project_refund::Column::ProjectId.eq(project_id))
        .filter(project_refund::Column::ReturnedOn.is_null())
        .one(conn)
        .await?
        .ok_or(Error::Refused("error-refund-none"))?;
    let mut active: project_refund::ActiveModel = refund.into();
    active.returned_on = Set(on);
    active.reference = Set(Some(reference.to_owned()));
    active.recorded_by = Set(Some(actor.user.id));
    active.update(conn).await?;
    agreements::record(
        conn,
        actor,
        &file,
        ProjectStep::RefundReturned,
        Some(reference.to_owned()),
        now,
    )
    .await
}

/// The coordinator closes a settled project; its documents are then archived.
pub async fn close(conn: &impl ConnectionTrait, actor: &Actor, project_id: i32, now: DateTime<Utc>) -> Result<()> {
    let file = payer(conn, actor, project_id).await?;
    if !of(conn, &file, now).await?.closable {
        return Err(Error::Refused("error-project-not-closable"));
    }
    let mut active: project::ActiveModel = file.project.clone().into();
    active.closed_at = Set(Some(now));
    active.closed_by = Set(Some(actor.user.id));
    active.update(conn).await?;
    outbox::enqueue_for_project(conn, project_id, now).await?;
    agreements::record(conn, actor, &file, ProjectStep::ProjectClosed, None, now).await
}

/// The project for whoever pays its municipality's grants, its row held until the caller's
/// transaction ends.
pub(crate) async fn payer(conn: &impl ConnectionTrait, actor: &Actor, project_id: i32) -> Result<ProjectFile> {
    let file = agreements::find(conn, actor, project_id, true).await?;
    if !grant_payers(file.call.municipality_id).includes(actor) {
        return Err(Error::NotFound);
    }
    Ok(file)
}

/// What the archive of a closed project holds: the signed agreement, the receipts and the
/// reports' documents, with the reports' content for its manifest.
pub struct ProjectArchive {
    pub project: project::Model,
    pub reference: String,
    pub agreement: Option<crate::entity::agreement::Model>,
    pub reports: Vec<project_report::Model>,
    pub receipts: Vec<report_expense::Model>,
    pub documents: Vec<crate::entity::report_document::Model>,
}

/// The documents of a closed project; `None` for one not closed (or no project).
pub async fn archive_of(conn: &impl ConnectionTrait, project_id: i32) -> Result<Option<ProjectArchive>> {
    let Some(project) = project::Entity::find_by_id(project_id).one(conn).await? else {
        return Ok(None);
    };
    if project.closed_at.is_none() {
        return Ok(None);
    }
    let reference = crate::entity::application::Entity::find_by_id(project.application_id)
        .one(conn)
        .await?
        .and_then(|a| a.ref_no)
        .unwrap_or_default();
    let agreement = crate::entity::agreement::Entity::find()
        .filter(crate::entity::agreement::Column::ProjectId.eq(project.id))
        .one(conn)
        .await?;
    let reports = crate::grants::reports::of_project(conn, project.id).await?;
    let receipts = report_expense::Entity::find()
        .filter(report_expense::Column::ReportId.is_in(reports.iter().map(|r| r.id)))
        .all(conn)
        .await?;
    let documents = crate::grants::reports::documents(conn, reports.iter().map(|r| r.id).collect()).await?;
    Ok(Some(ProjectArchive {
        project,
        reference,
        agreement,
        reports,
        receipts,
        documents,
    }))
}

/// Marks a closed project's documents archived.
pub async fn archived(conn: &impl ConnectionTrait, project: project::Model, now: DateTime<Utc>) -> Result<()> {
    let mut active: project::ActiveModel = project.into();
    active.archived_at = Set(Some(now));
    active.update(conn).await?;
    Ok(())
}

/// A project as the coordinator's list shows it.
#[derive(Debug, Clone)]
pub struct ProjectRow {
    pub project: project::Model,
    pub reference: String,
    pub title: String,
    pub applicant: String,
    pub agreement: Option<crate::entity::agreement::AgreementState>,
    pub paid: Eur,
    pub outstanding: Eur,
    /// The next report still to be submitted, and its date.
    pub next_due: Option<(ReportKind, chrono::NaiveDate)>,
    /// A report past its date, or a refund past its date.
    pub overdue: bool,
}

/// The accepted grants of the calls the actor manages: overdue ones first, then by the next
/// date due; `page` (from 0) of `PAGE` rows, and how many there are. Six statements.
pub async fn managed_projects(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    page: u64,
    now: DateTime<Utc>,
) -> Result<(Vec<ProjectRow>, u64)> {
    use crate::entity::project::ProjectState;
    use crate::entity::{agreement, application, call, organisation, project_payment};
    let municipalities = overseen_municipalities(actor);
    let calls: Vec<i32> = call::Entity::find()
        .filter(call::Column::MunicipalityId.is_in(municipalities))
        .all(conn)
        .await?
        .iter()
        .map(|c| c.id)
        .collect();
    let projects = project::Entity::find()
        .filter(project::Column::CallId.is_in(calls))
        .filter(project::Column::Status.eq(ProjectState::Accepted))
        .all(conn)
        .await?;
    let ids: Vec<i32> = projects.iter().map(|p| p.id).collect();
    let apps = application::Entity::find()
        .filter(application::Column::Id.is_in(projects.iter().map(|p| p.application_id)))
        .find_also_related(organisation::Entity)
        .all(conn)
        .await?;
    let agreements = agreement::Entity::find()
        .filter(agreement::Column::ProjectId.is_in(ids.clone()))
        .all(conn)
        .await?;
    let payments = project_payment::Entity::find()
        .filter(project_payment::Column::ProjectId.is_in(ids.clone()))
        .all(conn)
        .await?;
    let reports = project_report::Entity::find()
        .filter(project_report::Column::ProjectId.is_in(ids.clone()))
        .filter(project_report::Column::Status.is_in([ReportState::Draft, ReportState::Returned]))
        .all(conn)
        .await?;
    let refunds = project_refund::Entity::find()
        .filter(project_refund::Column::ProjectId.is_in(ids))
        .filter(project_refund::Column::ReturnedOn.is_null())
        .all(conn)
        .await?;
    let today = crate::time::to_riga(now).date_naive();
    let mut rows: Vec<ProjectRow> = projects
        .into_iter()
        .map(|p| {
            let (app, org) = apps
                .iter()
                .find(|(a, _)| a.id == p.application_id)
                .map(|(a, o)| (Some(a), o.as_ref()))
                .unwrap_or((None, None));
            let paid: i64 = payments
                .iter()
                .filter(|x| x.project_id == p.id)
                .map(|x| x.amount_cents)
                .sum();
            let next_due = reports
                .iter()
                .filter(|r| r.project_id == p.id)
                .map(|r| (r.kind, r.due_on))
                .min_by_key(|(_, d)| *d);
            let refund_late = refunds.iter().any(|r| r.project_id == p.id && r.due_on < today);
            ProjectRow {
                reference: app.and_then(|a| a.ref_no.clone()).unwrap_or_default(),
                title: app.map(|a| a.title.clone()).unwrap_or_default(),
                applicant: org.map(|o| o.name.clone()).unwrap_or_default(),
                agreement: agreements.iter().find(|a| a.project_id == p.id).map(|a| a.status),
                paid: Eur::from_cents(paid),
                // A closed project is settled: nothing is outstanding, whatever it spent.
                outstanding: Eur::from_cents(if p.closed_at.is_some() {
                    0
                } else {
                    p.granted_cents - paid
                }),
                overdue: p.closed_at.is_none() && (refund_late || next_due.is_some_and(|(_, d)| d < today)),
                next_due: if p.closed_at.is_none() { next_due } else { None },
                project: p,
            }
        })
        .collect();
    // Overdue first, then those under way by their next date, then the closed and cancelled.
    let inactive = |r: &ProjectRow| {
        r.project.closed_at.is_some() || r.agreement == Some(crate::entity::agreement::AgreementState::Cancelled)
    };
    rows.sort_by_key(|r| {
        let next = r.next_due.map_or(chrono::NaiveDate::MAX, |(_, d)| d);
        (!r.overdue, inactive(r), next, r.project.id)
    });
    let total = rows.len() as u64;
    let start = usize::try_from(page.saturating_mul(PAGE)).unwrap_or(usize::MAX);
    Ok((rows.into_iter().skip(start).take(PAGE as usize).collect(), total))
}

/// The municipalities whose funded projects the actor oversees: those whose calls it manages
/// or whose grants it pays.
pub fn overseen_municipalities(actor: &Actor) -> Vec<i32> {
    let mut ids: Vec<i32> = actor
        .grants
        .iter()
        .map(|g| g.org.id)
        .filter(|id| crate::policy::call_managers(*id).includes(actor) || grant_payers(*id).includes(actor))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Rows a page of the project list holds.
pub const PAGE: u64 = 50;

/// How each accepted grant of a published call stands, for the public results: a message id
/// (`project-public-…`) by application reference.
pub async fn public_states(
    conn: &impl ConnectionTrait,
    call_id: i32,
) -> Result<std::collections::HashMap<String, &'static str>> {
    use crate::entity::project::ProjectState;
    use crate::entity::{agreement, application};
    let projects = project::Entity::find()
        .filter(project::Column::CallId.eq(call_id))
        .filter(project::Column::Status.eq(ProjectState::Accepted))
        .all(conn)
        .await?;
    let agreements = agreements::of_projects(conn, projects.iter().map(|p| p.id).collect()).await?;
    let refs: std::collections::HashMap<i32, String> = application::Entity::find()
        .filter(application::Column::Id.is_in(projects.iter().map(|p| p.application_id)))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|a| Some((a.id, a.ref_no?)))
        .collect();
    Ok(projects
        .iter()
        .filter_map(|p| {
            let state = match (p.closed_at, agreements.get(&p.id).map(|a| a.status)) {
                (Some(_), _) => "project-public-closed",
                (None, Some(agreement::AgreementState::InForce)) => "project-public-running",
                (None, Some(agreement::AgreementState::Cancelled)) => "project-public-cancelled",
                _ => "project-public-agreement",
            };
            Some((refs.get(&p.application_id)?.clone(), state))
        })
        .collect())
}
