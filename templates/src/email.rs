//! Email bodies: a subject, a plain-text part and an HTML part, in the recipient's language.

use maud::html;

use crate::{Lang, t, tf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What a message says; links are absolute URLs made by the sender.
pub enum EmailView<'a> {
    Confirm {
        name: &'a str,
        org: &'a str,
        link: &'a str,
    },
    AccountExists {
        name: &'a str,
        login_link: &'a str,
        reset_link: &'a str,
    },
    Reset {
        name: &'a str,
        link: &'a str,
    },
    Invitation {
        name: &'a str,
        inviter: &'a str,
        org: &'a str,
        role: &'a str,
        until: &'a str,
        link: &'a str,
    },
    Receipt {
        name: &'a str,
        reference: &'a str,
        title: &'a str,
        call: &'a str,
        at: &'a str,
        link: &'a str,
        /// The application as a document (to print or save as PDF).
        document: &'a str,
    },
    Clarification {
        name: &'a str,
        reference: &'a str,
        question: &'a str,
        until: &'a str,
        link: &'a str,
    },
    /// `outcome` is an i18n message id (`email-result-funded`, …); `amount` is shown when funded.
    /// `deadline`: by when a funded applicant accepts its grant (empty for other outcomes).
    CallResult {
        name: &'a str,
        reference: &'a str,
        title: &'a str,
        call: &'a str,
        outcome: &'a str,
        amount: &'a str,
        deadline: &'a str,
        link: &'a str,
    },
    /// A grant offered to an applicant moved up from the reserve.
    GrantOffered {
        name: &'a str,
        reference: &'a str,
        title: &'a str,
        call: &'a str,
        amount: &'a str,
        deadline: &'a str,
        link: &'a str,
    },
    /// To a coordinator: a grant declined or lapsed (`body` says which), and who moved up
    /// (`moved_up`: references, empty when no one could).
    GrantGivenUp {
        name: &'a str,
        body: &'a str,
        reference: &'a str,
        applicant: &'a str,
        call: &'a str,
        moved_up: &'a str,
        link: &'a str,
    },
    /// A step of a funded project (`step`: the stored step, `agreement_sent`, …; its subject and body are the
    /// messages `email-{step}-subject` and `email-{step}-body`); `detail` is a reason or a file.
    ProjectStep {
        name: &'a str,
        step: &'a str,
        reference: &'a str,
        title: &'a str,
        applicant: &'a str,
        detail: &'a str,
        link: &'a str,
    },
    CallClosed {
        name: &'a str,
        call: &'a str,
        at: &'a str,
        count: &'a str,
        link: &'a str,
    },
    /// A reminder: `body` is an i18n message id taking `call`, `deadline` and `count`.
    Reminder {
        name: &'a str,
        body: &'a str,
        call: &'a str,
        deadline: &'a str,
        count: &'a str,
        link: &'a str,
    },
    /// A reminder about a pupil's support plan: `body` takes `school` and `date`. The pupil is
    /// not named in email.
    PlanReminder {
        name: &'a str,
        body: &'a str,
        school: &'a str,
        date: &'a str,
        link: &'a str,
    },
    Test,
}

/// One paragraph of a message, or a link on its own line.
enum Part {
    Text(String),
    Link(String),
}

pub fn render(lang: Lang, view: &EmailView<'_>) -> Rendered {
    let greeting = |name: &str| Part::Text(tf(lang, "email-greeting", &[("name", name)]));
    let (subject, parts) = match view {
        EmailView::Confirm { name, org, link } => (
            t(lang, "email-confirm-subject"),
            vec![
                greeting(name),
                Part::Text(tf(lang, "email-confirm-body", &[("org", org)])),
                Part::Link((*link).to_owned()),
                Part::Text(t(lang, "email-confirm-ignore")),
            ],
        ),
        EmailView::AccountExists {
            name,
            login_link,
            reset_link,
        } => (
            t(lang, "email-exists-subject"),
            vec![
                greeting(name),
                Part::Text(t(lang, "email-exists-body")),
                Part::Link((*login_link).to_owned()),
                Part::Link((*reset_link).to_owned()),
            ],
        ),
        EmailView::Reset { name, link } => (
            t(lang, "email-reset-subject"),
            vec![
                greeting(name),
                Part::Text(t(lang, "email-reset-body")),
                Part::Link((*link).to_owned()),
                Part::Text(t(lang, "email-reset-ignore")),
            ],
        ),
        EmailView::Invitation {
            name,
            inviter,
            org,
            role,
            until,
            link,
        } => (
            tf(lang, "email-invite-subject", &[("org", org)]),
            vec![
                greeting(name),
                Part::Text(tf(
                    lang,
                    "email-invite-body",
                    &[("inviter", inviter), ("org", org), ("role", role), ("date", until)],
                )),
                Part::Link((*link).to_owned()),
            ],
        ),
        EmailView::Receipt {
            name,
            reference,
            title,
            call,
            at,
            link,
            document,
        } => (
            tf(lang, "email-receipt-subject", &[("reference", reference)]),
            vec![
                greeting(name),
                Part::Text(tf(
                    lang,
                    "email-receipt-body",
                    &[("reference", reference), ("title", title), ("call", call), ("at", at)],
                )),
                Part::Text(t(lang, "email-receipt-next")),
                Part::Link((*link).to_owned()),
                Part::Text(t(lang, "email-receipt-document")),
                Part::Link((*document).to_owned()),
            ],
        ),
        EmailView::Clarification {
            name,
            reference,
            question,
            until,
            link,
        } => (
            tf(lang, "email-clarification-subject", &[("reference", reference)]),
            vec![
                greeting(name),
                Part::Text(tf(
                    lang,
                    "email-clarification-body",
                    &[("reference", reference), ("until", until)],
                )),
                Part::Text((*question).to_owned()),
                Part::Link((*link).to_owned()),
            ],
        ),
        EmailView::CallResult {
            name,
            reference,
            title,
            call,
            outcome,
            amount,
            deadline,
            link,
        } => (
            tf(lang, "email-result-subject", &[("call", call)]),
            vec![
                greeting(name),
                Part::Text(tf(
                    lang,
                    outcome,
                    &[
                        ("reference", reference),
                        ("title", title),
                        ("amount", amount),
                        ("deadline", deadline),
                    ],
                )),
                Part::Link((*link).to_owned()),
            ],
        ),
        EmailView::GrantOffered {
            name,
            reference,
            title,
            call,
            amount,
            deadline,
            link,
        } => (
            tf(lang, "email-offer-subject", &[("reference", reference)]),
            vec![
                greeting(name),
                Part::Text(tf(
                    lang,
                    "email-offer-body",
                    &[
                        ("reference", reference),
                        ("title", title),
                        ("call", call),
                        ("amount", amount),
                        ("deadline", deadline),
                    ],
                )),
                Part::Link((*link).to_owned()),
            ],
        ),
        EmailView::GrantGivenUp {
            name,
            body,
            reference,
            applicant,
            call,
            moved_up,
            link,
        } => (
            tf(lang, "email-given-up-subject", &[("reference", reference)]),
            vec![
                greeting(name),
                Part::Text(tf(
                    lang,
                    body,
                    &[("reference", reference), ("applicant", applicant), ("call", call)],
                )),
                Part::Text(if moved_up.is_empty() {
                    t(lang, "email-moved-up-none")
                } else {
                    tf(lang, "email-moved-up", &[("moved", moved_up)])
                }),
                Part::Link((*link).to_owned()),
            ],
        ),
        EmailView::CallClosed {
            name,
            call,
            at,
            count,
            link,
        } => (
            tf(lang, "email-closed-subject", &[("call", call)]),
            vec![
                greeting(name),
                Part::Text(tf(
                    lang,
                    "email-closed-body",
                    &[("call", call), ("at", at), ("count", count)],
                )),
                Part::Link((*link).to_owned()),
            ],
        ),
        EmailView::PlanReminder {
            name,
            body,
            school,
            date,
            link,
        } => (
            tf(lang, "email-plan-reminder-subject", &[("school", school)]),
            vec![
                greeting(name),
                Part::Text(tf(lang, body, &[("school", school), ("date", date)])),
                Part::Link((*link).to_owned()),
            ],
        ),
        EmailView::Reminder {
            name,
            body,
            call,
            deadline,
            count,
            link,
        } => (
            tf(
                lang,
                "email-reminder-subject",
                &[("call", call), ("deadline", deadline)],
            ),
            vec![
                greeting(name),
                Part::Text(tf(
                    lang,
                    body,
                    &[("call", call), ("deadline", deadline), ("count", count)],
                )),
                Part::Link((*link).to_owned()),
            ],
        ),
        EmailView::ProjectStep {
            name,
            step,
            reference,
            title,
            applicant,
            detail,
            link,
        } => {
            let args = [
                ("reference", *reference),
                ("title", *title),
                ("applicant", *applicant),
                ("detail", *detail),
            ];
            (
                tf(lang, &format!("email-{step}-subject"), &args),
                vec![
                    greeting(name),
                    Part::Text(tf(lang, &format!("email-{step}-body"), &args)),
                    Part::Link((*link).to_owned()),
                ],
            )
        }
        EmailView::Test => (
            t(lang, "email-test-subject"),
            vec![Part::Text(t(lang, "email-test-body"))],
        ),
    };
    let signature = t(lang, "email-signature");
    let text = parts
        .iter()
        .map(|p| match p {
            Part::Text(s) | Part::Link(s) => s.as_str(),
        })
        .chain(std::iter::once(format!("-- \n{signature}").as_str()))
        .collect::<Vec<_>>()
        .join("\n\n");
    let html = html! {
        (maud::DOCTYPE)
        html lang=(lang.code()) {
            head { meta charset="utf-8"; title { (subject) } }
            body {
                @for part in &parts {
                    @match part {
                        Part::Text(s) => p { (s) },
                        Part::Link(url) => p { a href=(url) { (url) } },
                    }
                }
                p { "— " (signature) }
            }
        }
    }
    .into_string();
    Rendered {
        subject,
        text: text + "\n",
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitation_in_both_languages() {
        let view = EmailView::Invitation {
            name: "Anna",
            inviter: "Jānis",
            org: "Ogres novads",
            role: "koordinators",
            until: "06.12.2026",
            link: "https://pumpurs.example/invitations/1.ab",
        };
        let lv = render(Lang::Lv, &view);
        assert_eq!(lv.subject, "Uzaicinājums pievienoties „Ogres novads” portālā Pumpurs");
        assert!(lv.text.starts_with("Labdien, Anna!\n\nJānis jūs aicina"));
        assert!(lv.text.contains("\n\nhttps://pumpurs.example/invitations/1.ab\n\n"));
        assert!(
            lv.html
                .contains(r#"<a href="https://pumpurs.example/invitations/1.ab">"#)
        );
        let en = render(Lang::En, &view);
        assert!(en.subject.starts_with("Invitation to join"));
    }
}
