//! Payments of funded projects. Once the agreement is in force the advance is due; whoever pays
//! the municipality's grants (`policy::grant_payers`) records each transfer — its kind, date,
//! amount and payment order — and never more than granted in all. The recipient sees the
//! schedule; the municipality gets the register of its payments for its accounting system.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::agreement::AgreementState;
use crate::entity::project_event::{self, ProjectStep};
use crate::entity::project_payment::{self, PaymentKind};
use crate::entity::{application, call, project};
use crate::error::{Error, FieldErrors, Result};
use crate::grants::agreements::{self, Parties};
use crate::money::Eur;
use crate::policy::{Actor, grant_payers};

/// The payment form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PaymentForm {
    pub kind: String,
    pub amount: String,
    pub paid_on: String,
    pub reference: String,
}

/// A payment as checked.
#[derive(Debug, Clone)]
pub struct PaymentInput {
    pub kind: PaymentKind,
    pub amount: Eur,
    pub paid_on: NaiveDate,
    pub reference: String,
}

impl PaymentForm {
    /// Checks each field; a payment is dated today (in Riga) or earlier.
    pub fn parse(&self, today: NaiveDate) -> std::result::Result<PaymentInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = match self.kind.as_str() {
            "advance" => Some(PaymentKind::Advance),
            "final" => Some(PaymentKind::Final),
            _ => {
                errors.add("kind", "error-required");
                None
            }
        };
        let amount = match Eur::parse(&self.amount) {
            Some(a) if a.cents() > 0 => Some(a),
            Some(_) => {
                errors.add("amount", "error-money-positive");
                None
            }
            None if self.amount.trim().is_empty() => {
                errors.add("amount", "error-required");
                None
            }
            None => {
                errors.add("amount", "error-money");
                None
            }
        };
        let paid_on = crate::grants::calls::date(&self.paid_on, "paid_on", true, &mut errors);
        if paid_on.is_some_and(|d| d > today) {
            errors.add("paid_on", "error-payment-future");
        }
        let reference = self.reference.trim().to_owned();
        if reference.is_empty() {
            errors.add("reference", "error-required");
        } else if reference.chars().count() > 100 {
            errors.add("reference", "error-too-long");
        }
        match (kind, amount, paid_on) {
            (Some(kind), Some(amount), Some(paid_on)) if errors.is_empty() => Ok(PaymentInput {
                kind,
                amount,
                paid_on,
                reference,
            }),
            _ => Err(errors),
        }
    }
}

/// A project's payments, oldest first.
pub async fn of_project(conn: &impl ConnectionTrait, project_id: i32) -> Result<Vec<project_payment::Model>> {
    Ok(project_payment::Entity::find()
        .filter(project_payment::Column::ProjectId.eq(project_id))
        .order_by_asc(project_payment::Column::PaidOn)
        .order_by_asc(project_payment::Column::Id)
        .all(conn)
        .await?)
}

/// What is to be paid and what was.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub granted: Eur,
    pub advance: Eur,
    /// Since when the advance is due (the agreement came into force); `None` before.
    pub advance_due: Option<DateTime<Utc>>,
    /// The rest, after the final report.
    pub rest: Eur,
    pub paid: Eur,
    pub outstanding: Eur,
    pub payments: Vec<project_payment::Model>,
}

/// The payment schedule of a project the caller may read (`agreements::readable`).
pub async fn schedule(conn: &impl ConnectionTrait, file: &agreements::ProjectFile) -> Result<Schedule> {
    let payments = of_project(conn, file.project.id).await?;
    let granted = Eur::from_cents(file.project.granted_cents);
    let advance = agreements::advance_of(granted, file.call.advance_bp);
    let in_force = project_event::Entity::find()
        .filter(project_event::Column::ProjectId.eq(file.project.id))
        .filter(project_event::Column::Kind.eq(ProjectStep::AgreementInForce))
        .one(conn)
        .await?
        .map(|e| e.at);
    let paid: i64 = payments.iter().map(|p| p.amount_cents).sum();
    Ok(Schedule {
        granted,
        advance,
        advance_due: in_force,
        rest: Eur::from_cents(granted.cents() - advance.cents()),
        paid: Eur::from_cents(paid),
        outstanding: Eur::from_cents(granted.cents() - paid),
        payments,
    })
}

/// Records a payment to a project whose agreement is in force; all its payments together stay
/// within the grant.
pub async fn record(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    project_id: i32,
    input: &PaymentInput,
    now: DateTime<Utc>,
) -> Result<project_payment::Model> {
    let file = crate::grants::settlement::payer(conn, actor, project_id).await?;
    if file.agreement.status != AgreementState::InForce {
        return Err(Error::Refused("error-payment-not-in-force"));
    }
    if file.project.closed_at.is_some() {
        return Err(Error::Refused("error-project-closed"));
    }
    let paid: i64 = of_project(conn, project_id).await?.iter().map(|p| p.amount_cents).sum();
    if paid + input.amount.cents() > file.project.granted_cents {
        return Err(FieldErrors::single("amount", "error-payment-over-granted"));
    }
    // Once the final report is accepted, the final payment is what the reports spent less what
    // was paid.
    if input.kind == PaymentKind::Final
        && let Some(room) = crate::grants::settlement::final_payment_room(conn, &file, now).await?
        && input.amount.cents() > room.cents()
    {
        return Err(FieldErrors::single("amount", "error-payment-over-eligible"));
    }
    let payment = project_payment::ActiveModel {
        project_id: Set(project_id),
        kind: Set(input.kind),
        amount_cents: Set(input.amount.cents()),
        paid_on: Set(input.paid_on),
        reference: Set(input.reference.clone()),
        recorded_by: Set(actor.user.id),
        recorded_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let detail = format!("{} EUR, {}", input.amount.to_plain(), input.reference);
    agreements::record(conn, actor, &file, ProjectStep::PaymentRecorded, Some(detail), now).await?;
    Ok(payment)
}

/// One line of a municipality's payments register.
#[derive(Debug, Clone)]
pub struct RegisterRow {
    pub payment: project_payment::Model,
    pub reference: String,
    pub call: String,
    pub parties: Parties,
}

/// Every payment to the projects of `municipality_id`'s calls, by date, for whoever pays its
/// grants; anyone else gets `NotFound`.
pub async fn register(conn: &impl ConnectionTrait, actor: &Actor, municipality_id: i32) -> Result<Vec<RegisterRow>> {
    if !grant_payers(municipality_id).includes(actor) {
        return Err(Error::NotFound);
    }
    let calls: Vec<call::Model> = call::Entity::find()
        .filter(call::Column::MunicipalityId.eq(municipality_id))
        .all(conn)
        .await?;
    let projects: Vec<project::Model> = project::Entity::find()
        .filter(project::Column::CallId.is_in(calls.iter().map(|c| c.id)))
        .all(conn)
        .await?;
    let ids: Vec<i32> = projects.iter().map(|p| p.id).collect();
    let payments = project_payment::Entity::find()
        .filter(project_payment::Column::ProjectId.is_in(ids.clone()))
        .order_by_asc(project_payment::Column::PaidOn)
        .order_by_asc(project_payment::Column::Id)
        .all(conn)
        .await?;
    let agreements = agreements::of_projects(conn, ids).await?;
    let apps = application::Entity::find()
        .filter(application::Column::Id.is_in(projects.iter().map(|p| p.application_id)))
        .all(conn)
        .await?;
    Ok(payments
        .into_iter()
        .filter_map(|payment| {
            let project = projects.iter().find(|p| p.id == payment.project_id)?;
            let app = apps.iter().find(|a| a.id == project.application_id)?;
            let call = calls.iter().find(|c| c.id == project.call_id)?;
            let parties = agreements
                .get(&project.id)
                .and_then(|a| a.parties.as_deref())
                .and_then(|p| serde_json::from_str(p).ok())
                .unwrap_or_default();
            Some(RegisterRow {
                reference: app.ref_no.clone().unwrap_or_default(),
                call: call.title.clone(),
                parties,
                payment,
            })
        })
        .collect())
}
