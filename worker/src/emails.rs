//! Turns an email event into a message: loads the rows it names, builds links, renders.

use entities::accounts::{CONFIRM_EMAIL, INVITATION, RESET_PASSWORD};
use entities::domain::Role;
use entities::entity::{
    application, award, call, clarification, declaration, invitation, membership, organisation, panel_member, reminder,
    scorecard, user, user_token,
};
use entities::money::Eur;
use entities::outbox::EmailEvent;
use entities::{time, tokens};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use templates::email::{EmailView, render};
use templates::t;

use crate::mailer::Outgoing;
use crate::{WorkerConfig, WorkerError};

async fn token_and_user(
    db: &DatabaseConnection,
    token_id: i32,
) -> Result<Option<(user_token::Model, user::Model)>, WorkerError> {
    let Some(token) = user_token::Entity::find_by_id(token_id).one(db).await? else {
        return Ok(None);
    };
    let user = user::Entity::find_by_id(token.user_id).one(db).await?;
    Ok(user.map(|u| (token, u)))
}

/// An application with its call and the member who submitted it (or, for a draft, wrote it).
async fn with_submitter(
    db: &DatabaseConnection,
    application_id: i32,
) -> Result<Option<(application::Model, call::Model, user::Model)>, WorkerError> {
    let Some((app, Some(call))) = application::Entity::find_by_id(application_id)
        .find_also_related(call::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let user = user::Entity::find_by_id(app.submitted_by.unwrap_or(app.created_by))
        .one(db)
        .await?;
    Ok(user.map(|u| (app, call, u)))
}

/// The messages for `event` (one per recipient); none when the rows it names no longer exist.
pub(crate) async fn compose(
    db: &DatabaseConnection,
    cfg: &WorkerConfig,
    event: &EmailEvent,
) -> Result<Vec<Outgoing>, WorkerError> {
    let base = &cfg.public_url;
    let key = &cfg.secret_key;
    let out = match event {
        EmailEvent::ConfirmEmail { token_id } => {
            let Some((token, user)) = token_and_user(db, *token_id).await? else {
                return Ok(Vec::new());
            };
            let org = membership::Entity::find()
                .filter(membership::Column::UserId.eq(user.id))
                .filter(membership::Column::Role.eq(Role::NgoMember))
                .find_also_related(organisation::Entity)
                .one(db)
                .await?
                .and_then(|(_, o)| o)
                .map(|o| o.name)
                .unwrap_or_default();
            let link = format!(
                "{base}/confirm/{}",
                tokens::link_token(key, CONFIRM_EMAIL, token.id, &token.nonce)
            );
            Outgoing {
                rendered: render(
                    user.lang(),
                    &EmailView::Confirm {
                        name: &user.name,
                        org: &org,
                        link: &link,
                    },
                ),
                to: user.email,
            }
        }
        EmailEvent::AccountExists { user_id } => {
            let Some(user) = user::Entity::find_by_id(*user_id).one(db).await? else {
                return Ok(Vec::new());
            };
            let (login_link, reset_link) = (format!("{base}/login"), format!("{base}/password/forgot"));
            let view = EmailView::AccountExists {
                name: &user.name,
                login_link: &login_link,
                reset_link: &reset_link,
            };
            Outgoing {
                rendered: render(user.lang(), &view),
                to: user.email,
            }
        }
        EmailEvent::ResetPassword { token_id } => {
            let Some((token, user)) = token_and_user(db, *token_id).await? else {
                return Ok(Vec::new());
            };
            let link = format!(
                "{base}/password/reset/{}",
                tokens::link_token(key, RESET_PASSWORD, token.id, &token.nonce)
            );
            Outgoing {
                rendered: render(
                    user.lang(),
                    &EmailView::Reset {
                        name: &user.name,
                        link: &link,
                    },
                ),
                to: user.email,
            }
        }
        EmailEvent::Invitation { invitation_id } => {
            let found = invitation::Entity::find_by_id(*invitation_id)
                .find_also_related(organisation::Entity)
                .one(db)
                .await?;
            let Some((inv, Some(org))) = found else {
                return Ok(Vec::new());
            };
            let inviter = user::Entity::find_by_id(inv.invited_by).one(db).await?;
            // The invitee has no language of their own yet: write in the inviter's.
            let lang = inviter.as_ref().map(|u| u.lang()).unwrap_or_default();
            let inviter = inviter.map(|u| u.name).unwrap_or_default();
            let link = format!(
                "{base}/invitations/{}",
                tokens::link_token(key, INVITATION, inv.id, &inv.nonce)
            );
            let until = time::to_riga(inv.expires_at).format("%d.%m.%Y %H:%M").to_string();
            let role = t(lang, &format!("role-{}", inv.role.as_str()));
            let view = EmailView::Invitation {
                name: &inv.name,
                inviter: &inviter,
                org: &org.name,
                role: &role,
                until: &until,
                link: &link,
            };
            Outgoing {
                rendered: render(lang, &view),
                to: inv.email,
            }
        }
        EmailEvent::CallClosed { call_id } => {
            let Some(c) = call::Entity::find_by_id(*call_id).one(db).await? else {
                return Ok(Vec::new());
            };
            let count = entities::applications::count_submitted(db, &[c.id])
                .await?
                .get(&c.id)
                .copied()
                .unwrap_or(0)
                .to_string();
            let coordinator_ids: Vec<i32> = membership::Entity::find()
                .filter(membership::Column::OrgId.eq(c.municipality_id))
                .filter(membership::Column::Role.eq(Role::Coordinator))
                .all(db)
                .await?
                .into_iter()
                .map(|m| m.user_id)
                .collect();
            let at = time::to_riga(c.closes_at).format("%d.%m.%Y %H:%M").to_string();
            let link = format!("{base}/manage/calls/{}/applications", c.id);
            let users = user::Entity::find()
                .filter(user::Column::Id.is_in(coordinator_ids))
                .all(db)
                .await?;
            return Ok(users
                .into_iter()
                .map(|u| {
                    let view = EmailView::CallClosed {
                        name: &u.name,
                        call: &c.title,
                        at: &at,
                        count: &count,
                        link: &link,
                    };
                    Outgoing {
                        rendered: render(u.lang(), &view),
                        to: u.email.clone(),
                    }
                })
                .collect());
        }
        EmailEvent::Reminder { reminder_id } => return reminder(db, cfg, *reminder_id).await,
        EmailEvent::ApplicationReceipt { application_id } => {
            let Some((app, call, user)) = with_submitter(db, *application_id).await? else {
                return Ok(Vec::new());
            };
            let at = app
                .submitted_at
                .map(|t| time::to_riga(t).format("%d.%m.%Y %H:%M:%S").to_string())
                .unwrap_or_default();
            let link = format!("{base}/applications/{}", app.id);
            let reference = app.ref_no.clone().unwrap_or_default();
            let view = EmailView::Receipt {
                name: &user.name,
                reference: &reference,
                title: &app.title,
                call: &call.title,
                at: &at,
                link: &link,
            };
            Outgoing {
                rendered: render(user.lang(), &view),
                to: user.email,
            }
        }
        EmailEvent::Clarification { clarification_id } => {
            let Some(q) = clarification::Entity::find_by_id(*clarification_id).one(db).await? else {
                return Ok(Vec::new());
            };
            let Some((app, _, user)) = with_submitter(db, q.application_id).await? else {
                return Ok(Vec::new());
            };
            let until = time::to_riga(q.deadline).format("%d.%m.%Y %H:%M").to_string();
            let link = format!("{base}/applications/{}", app.id);
            let reference = app.ref_no.clone().unwrap_or_default();
            let view = EmailView::Clarification {
                name: &user.name,
                reference: &reference,
                question: &q.question,
                until: &until,
                link: &link,
            };
            Outgoing {
                rendered: render(user.lang(), &view),
                to: user.email,
            }
        }
        EmailEvent::CallResult { application_id } => {
            let Some((app, call, user)) = with_submitter(db, *application_id).await? else {
                return Ok(Vec::new());
            };
            let award = award::Entity::find()
                .filter(award::Column::ApplicationId.eq(app.id))
                .one(db)
                .await?;
            let lang = user.lang();
            let (outcome, amount) = match award.as_ref().map(|a| a.outcome.as_str()) {
                Some("funded") => (
                    "email-result-funded",
                    award
                        .as_ref()
                        .map(|a| Eur::from_cents(a.amount_cents).display(lang))
                        .unwrap_or_default(),
                ),
                Some("reserve") => ("email-result-reserve", String::new()),
                _ if app.status == entities::entity::application::ApplicationStatus::Ineligible => {
                    ("email-result-ineligible", String::new())
                }
                _ => ("email-result-not-funded", String::new()),
            };
            let link = format!("{base}/calls/{}/results", call.id);
            let reference = app.ref_no.clone().unwrap_or_default();
            let view = EmailView::CallResult {
                name: &user.name,
                reference: &reference,
                title: &app.title,
                call: &call.title,
                outcome,
                amount: &amount,
                link: &link,
            };
            Outgoing {
                rendered: render(lang, &view),
                to: user.email,
            }
        }
    };
    Ok(vec![out])
}

/// The messages of one reminder: to whom depends on its kind.
async fn reminder(db: &DatabaseConnection, cfg: &WorkerConfig, reminder_id: i32) -> Result<Vec<Outgoing>, WorkerError> {
    use entities::entity::application::ApplicationStatus;
    use entities::reminders::{CALL_CLOSES_7D, CALL_CLOSES_24H, SCORING_DUE};
    let Some(r) = reminder::Entity::find_by_id(reminder_id).one(db).await? else {
        return Ok(Vec::new());
    };
    if r.kind.starts_with(entities::reminders::PLAN_WAITING) || r.kind == entities::reminders::EVALUATION_DUE {
        return plan_reminder(db, cfg, &r).await;
    }
    let Some(c) = call::Entity::find_by_id(r.object_id).one(db).await? else {
        return Ok(Vec::new());
    };
    let base = &cfg.public_url;
    let apps = application::Entity::find()
        .filter(application::Column::CallId.eq(c.id))
        .all(db)
        .await?;
    // (user id, message id, count, link)
    let mut targets: Vec<(i32, &'static str, usize, String)> = Vec::new();
    match r.kind.as_str() {
        CALL_CLOSES_7D | CALL_CLOSES_24H => {
            let submitted = apps.iter().filter(|a| a.status != ApplicationStatus::Draft).count();
            for m in membership::Entity::find()
                .filter(membership::Column::OrgId.eq(c.municipality_id))
                .filter(membership::Column::Role.eq(Role::Coordinator))
                .all(db)
                .await?
            {
                targets.push((
                    m.user_id,
                    "email-reminder-coordinator",
                    submitted,
                    format!("{base}/manage/calls/{}", c.id),
                ));
            }
            let drafting: Vec<i32> = apps
                .iter()
                .filter(|a| a.status == ApplicationStatus::Draft)
                .map(|a| a.applicant_id)
                .collect();
            for m in membership::Entity::find()
                .filter(membership::Column::OrgId.is_in(drafting))
                .filter(membership::Column::Role.eq(Role::NgoMember))
                .all(db)
                .await?
            {
                targets.push((m.user_id, "email-reminder-draft", 0, format!("{base}/applications")));
            }
        }
        SCORING_DUE => {
            let scored: Vec<i32> = apps
                .iter()
                .filter(|a| matches!(a.status, ApplicationStatus::Submitted | ApplicationStatus::InReview))
                .map(|a| a.id)
                .collect();
            let cards = scorecard::Entity::find()
                .filter(scorecard::Column::ApplicationId.is_in(scored.clone()))
                .filter(scorecard::Column::SubmittedAt.is_not_null())
                .all(db)
                .await?;
            let recusals = declaration::Entity::find()
                .filter(declaration::Column::ApplicationId.is_in(scored.clone()))
                .filter(declaration::Column::Conflict.eq(true))
                .all(db)
                .await?;
            for seat in panel_member::Entity::find()
                .filter(panel_member::Column::CallId.eq(c.id))
                .all(db)
                .await?
            {
                let done = cards.iter().filter(|k| k.user_id == seat.user_id).count()
                    + recusals.iter().filter(|d| d.user_id == seat.user_id).count();
                let open = scored.len().saturating_sub(done);
                if open > 0 {
                    targets.push((
                        seat.user_id,
                        "email-reminder-scoring",
                        open,
                        format!("{base}/panel/calls/{}", c.id),
                    ));
                }
            }
        }
        _ => return Ok(Vec::new()),
    }
    let deadline_at = if r.kind == SCORING_DUE {
        c.scoring_deadline
    } else {
        c.closes_at
    };
    let deadline = time::to_riga(deadline_at).format("%d.%m.%Y %H:%M").to_string();
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(targets.iter().map(|t| t.0).collect::<Vec<_>>()))
        .all(db)
        .await?;
    let mut out = Vec::new();
    for (user_id, body, count, link) in targets {
        let Some(u) = users.iter().find(|u| u.id == user_id) else {
            continue;
        };
        if out.iter().any(|o: &Outgoing| o.to == u.email) {
            continue;
        }
        let count = count.to_string();
        let view = EmailView::Reminder {
            name: &u.name,
            body,
            call: &c.title,
            deadline: &deadline,
            count: &count,
            link: &link,
        };
        out.push(Outgoing {
            rendered: render(u.lang(), &view),
            to: u.email.clone(),
        });
    }
    Ok(out)
}

/// A reminder about a plan: to the approvers of the step it waits at, or to its author and
/// assigned staff when its evaluation is due. Nothing if the plan has moved on meanwhile.
async fn plan_reminder(
    db: &DatabaseConnection,
    cfg: &WorkerConfig,
    r: &reminder::Model,
) -> Result<Vec<Outgoing>, WorkerError> {
    use entities::entity::{evaluation, organisation, plan, pupil_staff, semester};
    use entities::plan_rules::{Level, chain};
    let Some(p) = plan::Entity::find_by_id(r.object_id).one(db).await? else {
        return Ok(Vec::new());
    };
    let Some(school) = organisation::Entity::find_by_id(p.school_id).one(db).await? else {
        return Ok(Vec::new());
    };
    let (body, date, recipients): (&str, String, Vec<i32>) = if r.kind == entities::reminders::EVALUATION_DUE {
        let evaluated = evaluation::Entity::find()
            .filter(evaluation::Column::PlanId.eq(p.id))
            .filter(evaluation::Column::MeasureId.is_null())
            .one(db)
            .await?
            .is_some();
        let Some(sem) = semester::Entity::find_by_id(p.semester_id).one(db).await? else {
            return Ok(Vec::new());
        };
        if evaluated || !matches!(p.status.as_str(), "in_progress" | "paused") {
            return Ok(Vec::new());
        }
        let mut staff: Vec<i32> = pupil_staff::Entity::find()
            .filter(pupil_staff::Column::PupilId.eq(p.pupil_id))
            .all(db)
            .await?
            .into_iter()
            .map(|s| s.user_id)
            .collect();
        staff.push(p.author_id);
        (
            "email-plan-evaluation",
            sem.ends_on.format("%d.%m.%Y").to_string(),
            staff,
        )
    } else {
        let step = r.kind.trim_start_matches(entities::reminders::PLAN_WAITING);
        if p.status != "in_approval" || step != p.approval_step.to_string() {
            return Ok(Vec::new());
        }
        let level = chain(school.is_vocational)
            .get(usize::try_from(p.approval_step).unwrap_or(usize::MAX))
            .copied();
        let approvers = match level {
            Some(Level::School) => membership::Entity::find()
                .filter(membership::Column::OrgId.eq(school.id))
                .filter(membership::Column::Role.eq(Role::Director)),
            Some(Level::Municipality) => membership::Entity::find()
                .filter(membership::Column::OrgId.eq(school.parent_id.unwrap_or_default()))
                .filter(membership::Column::Role.eq(Role::Coordinator)),
            Some(Level::State) => membership::Entity::find().filter(membership::Column::Role.eq(Role::StateReviewer)),
            None => return Ok(Vec::new()),
        };
        let users = approvers.all(db).await?.into_iter().map(|m| m.user_id).collect();
        let since = time::to_riga(p.updated_at).format("%d.%m.%Y").to_string();
        ("email-plan-waiting", since, users)
    };
    let link = format!("{}/", cfg.public_url);
    let mut out: Vec<Outgoing> = Vec::new();
    for u in user::Entity::find()
        .filter(user::Column::Id.is_in(recipients))
        .filter(user::Column::DisabledAt.is_null())
        .all(db)
        .await?
    {
        let view = EmailView::PlanReminder {
            name: &u.name,
            body,
            school: &school.name,
            date: &date,
            link: &link,
        };
        out.push(Outgoing {
            rendered: render(u.lang(), &view),
            to: u.email.clone(),
        });
    }
    Ok(out)
}
