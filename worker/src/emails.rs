//! Turns an email event into its messages: the model says what the event tells and to whom
//! (`entities::notices`); here are the links and the rendering.

use entities::accounts::{CONFIRM_EMAIL, INVITATION, RESET_PASSWORD};
use entities::entity::application::ApplicationStatus;
use entities::entity::award::AwardOutcome;
use entities::entity::project::ProjectState;
use entities::entity::user;
use entities::money::Eur;
use entities::notices::{CallReminderTo, Notice};
use entities::outbox::EmailEvent;
use entities::tokens;
use sea_orm::{ActiveEnum, DatabaseConnection};
use templates::email::{EmailView, render};
use templates::t;

use crate::mailer::Outgoing;
use crate::{WorkerConfig, WorkerError};

fn to(user: &user::Model, view: &EmailView<'_>) -> Outgoing {
    Outgoing {
        rendered: render(user.lang(), view),
        to: user.email.clone(),
    }
}

/// The messages for `event` (one per recipient); none when it tells no one now.
pub(crate) async fn compose(
    db: &DatabaseConnection,
    cfg: &WorkerConfig,
    event: &EmailEvent,
) -> Result<Vec<Outgoing>, WorkerError> {
    let Some(notice) = entities::notices::notice(db, event).await? else {
        return Ok(Vec::new());
    };
    let base = &cfg.public_url;
    let key = &cfg.secret_key;
    let out = match notice {
        Notice::Confirm { user, token, org } => {
            let link = format!(
                "{base}/confirm/{}",
                tokens::link_token(key, CONFIRM_EMAIL, token.id, &token.nonce)
            );
            to(
                &user,
                &EmailView::Confirm {
                    name: &user.name,
                    org: &org,
                    link: &link,
                },
            )
        }
        Notice::AccountExists { user } => {
            let (login_link, reset_link) = (format!("{base}/login"), format!("{base}/password/forgot"));
            let view = EmailView::AccountExists {
                name: &user.name,
                login_link: &login_link,
                reset_link: &reset_link,
            };
            to(&user, &view)
        }
        Notice::Reset { user, token } => {
            let link = format!(
                "{base}/password/reset/{}",
                tokens::link_token(key, RESET_PASSWORD, token.id, &token.nonce)
            );
            to(
                &user,
                &EmailView::Reset {
                    name: &user.name,
                    link: &link,
                },
            )
        }
        Notice::Invitation {
            invitation: inv,
            org,
            inviter,
        } => {
            // The invitee has no language of their own yet: write in the inviter's.
            let lang = inviter.as_ref().map(|u| u.lang()).unwrap_or_default();
            let inviter = inviter.map(|u| u.name).unwrap_or_default();
            let link = format!(
                "{base}/invitations/{}",
                tokens::link_token(key, INVITATION, inv.id, &inv.nonce)
            );
            let until = templates::view::riga(inv.expires_at);
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
        Notice::CallClosed {
            call: c,
            submitted,
            coordinators,
        } => {
            let count = submitted.to_string();
            let at = templates::view::riga(c.closes_at);
            let link = format!("{base}/manage/calls/{}/applications", c.id);
            return Ok(coordinators
                .iter()
                .map(|u| {
                    let view = EmailView::CallClosed {
                        name: &u.name,
                        call: &c.title,
                        at: &at,
                        count: &count,
                        link: &link,
                    };
                    to(u, &view)
                })
                .collect());
        }
        Notice::Receipt { app, call, user } => {
            let at = app.submitted_at.map(templates::view::riga_seconds).unwrap_or_default();
            let link = format!("{base}/applications/{}", app.id);
            let document = format!("{link}/document");
            let reference = app.ref_no.clone().unwrap_or_default();
            let view = EmailView::Receipt {
                name: &user.name,
                reference: &reference,
                title: &app.title,
                call: &call.title,
                at: &at,
                link: &link,
                document: &document,
            };
            to(&user, &view)
        }
        Notice::Clarification { question, app, user } => {
            let until = templates::view::riga(question.deadline);
            let link = format!("{base}/applications/{}", app.id);
            let reference = app.ref_no.clone().unwrap_or_default();
            let view = EmailView::Clarification {
                name: &user.name,
                reference: &reference,
                question: &question.question,
                until: &until,
                link: &link,
            };
            to(&user, &view)
        }
        Notice::Result {
            app,
            call,
            award,
            project,
            user,
        } => {
            let lang = user.lang();
            let (outcome, amount) = match award.as_ref().map(|a| a.outcome) {
                Some(AwardOutcome::Funded) => (
                    "email-result-funded",
                    award
                        .as_ref()
                        .map(|a| Eur::from_cents(a.amount_cents).display(lang))
                        .unwrap_or_default(),
                ),
                Some(AwardOutcome::Reserve) => ("email-result-reserve", String::new()),
                _ if app.status == ApplicationStatus::Ineligible => ("email-result-ineligible", String::new()),
                _ => ("email-result-not-funded", String::new()),
            };
            // A funded applicant accepts on its application's page, by the offer's day.
            let (deadline, link) = match &project {
                Some(p) if outcome == "email-result-funded" => (
                    templates::view::riga(p.answer_by),
                    format!("{base}/applications/{}", app.id),
                ),
                _ => (String::new(), format!("{base}/calls/{}/results", call.id)),
            };
            let reference = app.ref_no.clone().unwrap_or_default();
            let view = EmailView::CallResult {
                name: &user.name,
                reference: &reference,
                title: &app.title,
                call: &call.title,
                outcome,
                amount: &amount,
                deadline: &deadline,
                link: &link,
            };
            to(&user, &view)
        }
        Notice::GrantOffered {
            project,
            app,
            call,
            to: users,
        } => {
            let link = format!("{base}/applications/{}", app.id);
            let reference = app.ref_no.clone().unwrap_or_default();
            let deadline = templates::view::riga(project.answer_by);
            return Ok(users
                .iter()
                .map(|u| {
                    let amount = Eur::from_cents(project.granted_cents).display(u.lang());
                    let view = EmailView::GrantOffered {
                        name: &u.name,
                        reference: &reference,
                        title: &app.title,
                        call: &call.title,
                        amount: &amount,
                        deadline: &deadline,
                        link: &link,
                    };
                    to(u, &view)
                })
                .collect());
        }
        Notice::GrantGivenUp {
            project,
            app,
            applicant,
            call,
            moved_up,
            coordinators,
        } => {
            let body = if project.status == ProjectState::Lapsed {
                "email-lapsed-body"
            } else {
                "email-declined-body"
            };
            let link = format!("{base}/manage/calls/{}/results", call.id);
            let reference = app.ref_no.clone().unwrap_or_default();
            let moved_up = moved_up.join(", ");
            return Ok(coordinators
                .iter()
                .map(|u| {
                    let view = EmailView::GrantGivenUp {
                        name: &u.name,
                        body,
                        reference: &reference,
                        applicant: &applicant,
                        call: &call.title,
                        moved_up: &moved_up,
                        link: &link,
                    };
                    to(u, &view)
                })
                .collect());
        }
        Notice::ProjectStep {
            event,
            project,
            app,
            applicant,
            to: users,
        } => {
            let step = event.kind.to_value();
            let link = format!("{base}/projects/{}", project.id);
            let reference = app.ref_no.clone().unwrap_or_default();
            let detail = event.detail.clone().unwrap_or_default();
            return Ok(users
                .iter()
                .map(|u| {
                    let view = EmailView::ProjectStep {
                        name: &u.name,
                        step: &step,
                        reference: &reference,
                        title: &app.title,
                        applicant: &applicant,
                        detail: &detail,
                        link: &link,
                    };
                    to(u, &view)
                })
                .collect());
        }
        Notice::ReportReminder {
            kind,
            report,
            project,
            app,
            applicant,
            to: users,
        } => {
            let link = format!("{base}/projects/{}", project.id);
            let reference = app.ref_no.clone().unwrap_or_default();
            let due = templates::view::date(report.due_on);
            return Ok(users
                .iter()
                .map(|u| {
                    let view = EmailView::ProjectStep {
                        name: &u.name,
                        step: &kind,
                        reference: &reference,
                        title: &app.title,
                        applicant: &applicant,
                        detail: &due,
                        link: &link,
                    };
                    to(u, &view)
                })
                .collect());
        }
        Notice::CallReminder {
            call: c,
            scoring,
            to: users,
        } => {
            let deadline = templates::view::riga(if scoring { c.scoring_deadline } else { c.closes_at });
            return Ok(users
                .iter()
                .map(|(u, why)| {
                    let (body, count, link) = match why {
                        CallReminderTo::Coordinator { submitted } => (
                            "email-reminder-coordinator",
                            *submitted,
                            format!("{base}/manage/calls/{}", c.id),
                        ),
                        CallReminderTo::Drafter => ("email-reminder-draft", 0, format!("{base}/applications")),
                        CallReminderTo::Panel { open } => {
                            ("email-reminder-scoring", *open, format!("{base}/panel/calls/{}", c.id))
                        }
                    };
                    let count = count.to_string();
                    let view = EmailView::Reminder {
                        name: &u.name,
                        body,
                        call: &c.title,
                        deadline: &deadline,
                        count: &count,
                        link: &link,
                    };
                    to(u, &view)
                })
                .collect());
        }
        Notice::PlanReminder {
            school,
            evaluation_due,
            date,
            to: users,
        } => {
            let body = if evaluation_due {
                "email-plan-evaluation"
            } else {
                "email-plan-waiting"
            };
            let date = date.format("%d.%m.%Y").to_string();
            let link = format!("{base}/");
            return Ok(users
                .iter()
                .map(|u| {
                    let view = EmailView::PlanReminder {
                        name: &u.name,
                        body,
                        school: &school.name,
                        date: &date,
                        link: &link,
                    };
                    to(u, &view)
                })
                .collect());
        }
    };
    Ok(vec![out])
}
