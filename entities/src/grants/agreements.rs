//! The agreement of an accepted grant. Drafted from the award when the applicant accepts (in
//! the accepting member's language); the coordinator sends it, which fixes the parties' details
//! as they then are (the recipient's bank account is required); the applicant uploads its signed
//! copy (a PDF, or an e-signature container stored as is), again if need be until the
//! coordinator confirms it — then it is in force. Before that the coordinator may cancel it,
//! with a reason. Each step is a project event and tells the other side by email.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use crate::attachments::StoredFile;
use crate::audit::{self, Entry};
use crate::domain::Lang;
use crate::entity::agreement::{self, AgreementState};
use crate::entity::project::{self, ProjectState};
use crate::entity::project_event::{self, ProjectStep};
use crate::entity::{application, call, organisation};
use crate::error::{Error, FieldErrors, Result};
use crate::grants::calls::ProjectTerms;
use crate::money::Eur;
use crate::outbox::{self, EmailEvent};
use crate::policy::{Actor, call_managers, grant_payers};

/// A party of the agreement as named in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    pub reg_no: Option<String>,
    pub address: Option<String>,
    pub contact: Option<String>,
    pub iban: Option<String>,
}

impl Party {
    fn of(org: &organisation::Model) -> Self {
        Self {
            name: org.name.clone(),
            reg_no: org.reg_no.clone(),
            address: org.address.clone(),
            contact: org.contact_name.clone(),
            iban: org.iban.clone(),
        }
    }
}

/// The grantor (the call's municipality) and the recipient (the applicant).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parties {
    pub grantor: Party,
    pub recipient: Party,
}

/// A project with what its pages show: its application, call and agreement, and whether the
/// reader is the applicant (else one of the call's coordinators).
#[derive(Debug, Clone)]
pub struct ProjectFile {
    pub project: project::Model,
    pub app: application::Model,
    pub call: call::Model,
    pub agreement: agreement::Model,
    pub applicant_side: bool,
}

/// Everything the agreement says, worked out from the award and the call's terms.
#[derive(Debug, Clone)]
pub struct AgreementText {
    /// The agreement's number: the application's reference.
    pub number: String,
    pub lang: Lang,
    pub parties: Parties,
    pub project_title: String,
    pub call_title: String,
    pub granted: Eur,
    pub advance: Eur,
    /// The rest, paid after the final report is accepted.
    pub rest: Eur,
    pub advance_bp: i32,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub interim_report_on: Option<NaiveDate>,
    pub final_report_on: Option<NaiveDate>,
    /// The date it was drafted (and, once sent, the date it was sent).
    pub dated: DateTime<Utc>,
    pub status: AgreementState,
}

/// The advance of `granted` at `advance_bp` basis points, in whole cents (rounded down).
pub fn advance_of(granted: Eur, advance_bp: i32) -> Eur {
    Eur::from_cents(granted.cents() * i64::from(advance_bp.clamp(0, 10_000)) / 10_000)
}

/// Drafts the agreement of a project just accepted, in `lang`.
pub(crate) async fn draft(
    conn: &impl ConnectionTrait,
    project: &project::Model,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<agreement::Model> {
    Ok(agreement::ActiveModel {
        project_id: Set(project.id),
        status: Set(AgreementState::Draft),
        lang: Set(lang.code().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// A project the actor may see: the applicant's members see their own, the coordinators and
/// accountants of the call's municipality every project of its calls; anyone else gets
/// `NotFound`. Only accepted
/// grants have a project file.
pub async fn readable(conn: &impl ConnectionTrait, actor: &Actor, project_id: i32) -> Result<ProjectFile> {
    find(conn, actor, project_id, false).await
}

/// As `readable`; with `lock`, the agreement's row is held (PostgreSQL) until the caller's
/// transaction ends, so two clicks of one step are taken one after the other.
pub(crate) async fn find(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    project_id: i32,
    lock: bool,
) -> Result<ProjectFile> {
    let project = project::Entity::find_by_id(project_id)
        .filter(project::Column::Status.eq(ProjectState::Accepted))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let call = call::Entity::find_by_id(project.call_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let applicant_side = actor.writes_for(project.applicant_id);
    let municipality = call.municipality_id;
    if !applicant_side && !call_managers(municipality).includes(actor) && !grant_payers(municipality).includes(actor) {
        return Err(Error::NotFound);
    }
    let app = application::Entity::find_by_id(project.application_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let mut query = agreement::Entity::find().filter(agreement::Column::ProjectId.eq(project.id));
    if lock {
        query = query.lock_exclusive();
    }
    let agreement = query.one(conn).await?.ok_or(Error::NotFound)?;
    Ok(ProjectFile {
        project,
        app,
        call,
        agreement,
        applicant_side,
    })
}

/// As `readable`, for the coordinators' steps: anyone else gets `NotFound`.
pub(crate) async fn managed(conn: &impl ConnectionTrait, actor: &Actor, project_id: i32) -> Result<ProjectFile> {
    let file = find(conn, actor, project_id, true).await?;
    if !call_managers(file.call.municipality_id).includes(actor) {
        return Err(Error::NotFound);
    }
    Ok(file)
}

/// As `readable`, for the applicant's steps: a coordinator gets `NotFound`.
async fn own(conn: &impl ConnectionTrait, actor: &Actor, project_id: i32) -> Result<ProjectFile> {
    let file = find(conn, actor, project_id, true).await?;
    if !file.applicant_side {
        return Err(Error::NotFound);
    }
    Ok(file)
}

/// The parties as the agreement names them: as sent, or (a draft) as they are now.
async fn parties(conn: &impl ConnectionTrait, file: &ProjectFile) -> Result<Parties> {
    if let Some(sent) = &file.agreement.parties {
        return Ok(serde_json::from_str(sent)?);
    }
    let orgs = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in([file.call.municipality_id, file.project.applicant_id]))
        .all(conn)
        .await?;
    let party = |id: i32| orgs.iter().find(|o| o.id == id).map(Party::of).unwrap_or_default();
    Ok(Parties {
        grantor: party(file.call.municipality_id),
        recipient: party(file.project.applicant_id),
    })
}

/// What the agreement says.
pub async fn text(conn: &impl ConnectionTrait, file: &ProjectFile) -> Result<AgreementText> {
    let terms = ProjectTerms::of(&file.call);
    let granted = Eur::from_cents(file.project.granted_cents);
    let advance = advance_of(granted, file.call.advance_bp);
    let sent_at = project_event::Entity::find()
        .filter(project_event::Column::ProjectId.eq(file.project.id))
        .filter(project_event::Column::Kind.eq(ProjectStep::AgreementSent))
        .order_by_desc(project_event::Column::Id)
        .one(conn)
        .await?
        .map(|e| e.at);
    Ok(AgreementText {
        number: file.app.ref_no.clone().unwrap_or_default(),
        lang: Lang::parse(&file.agreement.lang).unwrap_or_default(),
        parties: parties(conn, file).await?,
        project_title: file.app.title.clone(),
        call_title: file.call.title.clone(),
        granted,
        advance,
        rest: Eur::from_cents(granted.cents() - advance.cents()),
        advance_bp: file.call.advance_bp,
        starts_on: terms.as_ref().map(|t| t.starts_on),
        ends_on: terms.as_ref().map(|t| t.ends_on),
        interim_report_on: terms.as_ref().and_then(|t| t.interim_report_on),
        final_report_on: terms.as_ref().map(ProjectTerms::final_report_on),
        dated: sent_at.unwrap_or(file.agreement.created_at),
        status: file.agreement.status,
    })
}

/// The project's history, oldest first.
pub async fn history(conn: &impl ConnectionTrait, project_id: i32) -> Result<Vec<project_event::Model>> {
    Ok(project_event::Entity::find()
        .filter(project_event::Column::ProjectId.eq(project_id))
        .order_by_asc(project_event::Column::Id)
        .all(conn)
        .await?)
}

/// Records a step of the project, queues the email it sends and audits it.
pub(crate) async fn record(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    file: &ProjectFile,
    step: ProjectStep,
    detail: Option<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    let event = project_event::ActiveModel {
        project_id: Set(file.project.id),
        kind: Set(step),
        detail: Set(detail),
        user_id: Set(Some(actor.user.id)),
        at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    outbox::enqueue_email(conn, &EmailEvent::ProjectStep { event_id: event.id }, now).await?;
    audit::record(
        conn,
        Entry::by(
            actor,
            Some(file.project.applicant_id),
            step.audit_action(),
            ("project", file.project.id.into()),
        ),
        now,
    )
    .await
}

impl ProjectStep {
    fn audit_action(self) -> &'static str {
        match self {
            Self::AgreementSent => "agreement_send",
            Self::AgreementSigned => "agreement_sign",
            Self::AgreementInForce => "agreement_confirm",
            Self::AgreementCancelled => "agreement_cancel",
            Self::PaymentRecorded => "payment_record",
            Self::ReportSubmitted => "report_submit",
            Self::ReportAccepted => "report_accept",
            Self::ReportReturned => "report_return",
            Self::RefundDemanded => "refund_demand",
            Self::RefundReturned => "refund_returned",
            Self::ProjectClosed => "project_close",
        }
    }

    /// Whether the step is told to the call's coordinators (else to the applicant's members).
    pub fn tells_coordinators(self) -> bool {
        matches!(self, Self::AgreementSigned | Self::ReportSubmitted)
    }
}

async fn set_status(
    conn: &impl ConnectionTrait,
    found: &agreement::Model,
    change: impl FnOnce(&mut agreement::ActiveModel),
    now: DateTime<Utc>,
) -> Result<agreement::Model> {
    let mut active: agreement::ActiveModel = found.clone().into();
    change(&mut active);
    active.updated_at = Set(now);
    Ok(active.update(conn).await?)
}

/// The coordinator sends the draft to the applicant; the parties' details are fixed as they
/// are now. Refused while the recipient has no bank account on its profile.
pub async fn send(conn: &impl ConnectionTrait, actor: &Actor, project_id: i32, now: DateTime<Utc>) -> Result<()> {
    let file = managed(conn, actor, project_id).await?;
    if file.agreement.status != AgreementState::Draft {
        return Err(Error::Refused("error-agreement-not-draft"));
    }
    let parties = parties(conn, &file).await?;
    if parties.recipient.iban.is_none() {
        return Err(Error::Refused("error-agreement-no-iban"));
    }
    let json = serde_json::to_string(&parties)?;
    set_status(
        conn,
        &file.agreement,
        |a| {
            a.status = Set(AgreementState::Sent);
            a.parties = Set(Some(json));
        },
        now,
    )
    .await?;
    record(conn, actor, &file, ProjectStep::AgreementSent, None, now).await
}

/// The applicant's signed copy of a sent agreement (again, to replace it, until it is
/// confirmed). Returns the key of a copy it replaced, for the caller to delete from the store.
pub async fn signed(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    project_id: i32,
    copy: StoredFile,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    let file = own(conn, actor, project_id).await?;
    if !matches!(file.agreement.status, AgreementState::Sent | AgreementState::Signed) {
        return Err(Error::Refused("error-agreement-not-sent"));
    }
    let replaced = file.agreement.signed_key.clone();
    let name = copy.name.clone();
    set_status(
        conn,
        &file.agreement,
        |a| {
            a.status = Set(AgreementState::Signed);
            a.signed_name = Set(Some(copy.name));
            a.signed_type = Set(Some(copy.content_type));
            a.signed_size = Set(Some(copy.size));
            a.signed_sha256 = Set(Some(copy.sha256));
            a.signed_key = Set(Some(copy.key));
        },
        now,
    )
    .await?;
    record(conn, actor, &file, ProjectStep::AgreementSigned, Some(name), now).await?;
    Ok(replaced)
}

/// The coordinator confirms the signed copy: the agreement is in force, and the project's
/// reports are opened.
pub async fn confirm(conn: &impl ConnectionTrait, actor: &Actor, project_id: i32, now: DateTime<Utc>) -> Result<()> {
    let file = managed(conn, actor, project_id).await?;
    if file.agreement.status != AgreementState::Signed {
        return Err(Error::Refused("error-agreement-not-signed"));
    }
    set_status(conn, &file.agreement, |a| a.status = Set(AgreementState::InForce), now).await?;
    crate::grants::reports::open_for(conn, &file, now).await?;
    record(conn, actor, &file, ProjectStep::AgreementInForce, None, now).await
}

/// The coordinator cancels an agreement not yet in force, giving the reason.
pub async fn cancel(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    project_id: i32,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let file = managed(conn, actor, project_id).await?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(FieldErrors::single("reason", "error-required"));
    }
    if reason.chars().count() > 2000 {
        return Err(FieldErrors::single("reason", "error-too-long"));
    }
    if matches!(
        file.agreement.status,
        AgreementState::InForce | AgreementState::Cancelled
    ) {
        return Err(Error::Refused("error-agreement-not-cancellable"));
    }
    set_status(
        conn,
        &file.agreement,
        |a| {
            a.status = Set(AgreementState::Cancelled);
            a.cancel_reason = Set(Some(reason.to_owned()));
        },
        now,
    )
    .await?;
    record(
        conn,
        actor,
        &file,
        ProjectStep::AgreementCancelled,
        Some(reason.to_owned()),
        now,
    )
    .await
}

/// The agreements of a call's projects, by project.
pub async fn of_projects(
    conn: &impl ConnectionTrait,
    project_ids: Vec<i32>,
) -> Result<std::collections::HashMap<i32, agreement::Model>> {
    Ok(agreement::Entity::find()
        .filter(agreement::Column::ProjectId.is_in(project_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.project_id, a))
        .collect())
}
