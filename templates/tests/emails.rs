//! Every email the portal sends, in Latvian and English, as a snapshot of its subject, text
//! and HTML: a change of wording or markup is a diff to review (`cargo insta review`, or
//! `INSTA_UPDATE=always cargo test -p templates --test emails` and read the diff).
//! One case per email event, and per outcome or reminder kind where an event has several.

use entities::domain::Lang;
use templates::email::{EmailView, render};

const LINK: &str = "https://pumpurs.example.lv/path/abc123";

/// The cases, with `role` (written by the sender in the message's language) in the invitation.
fn cases(role: &str) -> Vec<(&'static str, EmailView<'_>)> {
    let result = |outcome, amount| EmailView::CallResult {
        name: "Rihards Jansons",
        reference: "OGR-2026-1-007",
        title: "Jauniešu teātra darbnīcas",
        call: "Jauniešu iniciatīvas 2026",
        outcome,
        amount,
        deadline: if amount.is_empty() { "" } else { "15.03.2027 17:00" },
        link: LINK,
    };
    let given_up = |body, moved_up| EmailView::GrantGivenUp {
        name: "Dace Ozola",
        body,
        reference: "OGR-2026-1-007",
        applicant: "Biedrība „Saule”",
        call: "Jauniešu iniciatīvas 2026",
        moved_up,
        link: LINK,
    };
    let reminder = |body, count| EmailView::Reminder {
        name: "Dace Ozola",
        body,
        call: "Jauniešu iniciatīvas 2026",
        deadline: "15.12.2026 17:00",
        count,
        link: LINK,
    };
    let plan = |body, date| EmailView::PlanReminder {
        name: "Inese Zariņa",
        body,
        school: "Ogres 1. vidusskola",
        date,
        link: LINK,
    };
    let step = |step, detail| EmailView::ProjectStep {
        name: "Marta Kalniņa",
        step,
        reference: "OGR-2026-1-011",
        title: "Skolas podkāsts",
        applicant: "Biedrība „Saule”",
        detail,
        link: LINK,
    };
    vec![
        ("agreement_sent", step("agreement_sent", "")),
        ("agreement_signed", step("agreement_signed", "ligums-parakstits.edoc")),
        ("agreement_in_force", step("agreement_in_force", "")),
        ("payment_recorded", step("payment_recorded", "960.00 EUR, MU-2026/118")),
        ("report_submitted", step("report_submitted", "")),
        ("report_returned", step("report_returned", "Trūkst otrā čeka.")),
        ("report_accepted", step("report_accepted", "")),
        ("report_due_14d", step("report_due_14d", "15.03.2027")),
        ("report_due_3d", step("report_due_3d", "15.03.2027")),
        ("report_overdue", step("report_overdue", "15.03.2027")),
        ("refund_demanded", step("refund_demanded", "710.00 EUR, 15.04.2027")),
        ("refund_returned", step("refund_returned", "BANK-77")),
        ("project_closed", step("project_closed", "")),
        (
            "agreement_cancelled",
            step("agreement_cancelled", "Projekts dublējas ar citu finansētu projektu."),
        ),
        (
            "grant_offered",
            EmailView::GrantOffered {
                name: "Marta Kalniņa",
                reference: "OGR-2026-1-011",
                title: "Skolas podkāsts",
                call: "Jauniešu iniciatīvas 2026",
                amount: "1 200,00 €",
                deadline: "15.03.2027 17:00",
                link: LINK,
            },
        ),
        ("grant_declined", given_up("email-declined-body", "OGR-2026-1-011")),
        ("grant_lapsed_none_moved_up", given_up("email-lapsed-body", "")),
        (
            "confirm_email",
            EmailView::Confirm {
                name: "Elīna Ozoliņa",
                org: "Biedrība „Ogres jauniešu teātris”",
                link: LINK,
            },
        ),
        (
            "account_exists",
            EmailView::AccountExists {
                name: "Elīna Ozoliņa",
                login_link: LINK,
                reset_link: LINK,
            },
        ),
        (
            "reset_password",
            EmailView::Reset {
                name: "Elīna Ozoliņa",
                link: LINK,
            },
        ),
        (
            "invitation",
            EmailView::Invitation {
                name: "Laura Vītola",
                inviter: "Inese Zariņa",
                org: "Ogres 1. vidusskola",
                role,
                until: "08.12.2026 10:00",
                link: LINK,
            },
        ),
        (
            "application_receipt",
            EmailView::Receipt {
                name: "Rihards Jansons",
                reference: "OGR-2026-1-007",
                title: "Jauniešu teātra darbnīcas",
                call: "Jauniešu iniciatīvas 2026",
                at: "01.12.2026 09:15:42",
                link: LINK,
                document: "https://pumpurs.example.lv/applications/7/document",
            },
        ),
        (
            "clarification",
            EmailView::Clarification {
                name: "Rihards Jansons",
                reference: "OGR-2026-1-007",
                question: "Lūdzu, precizējiet telpu nomas izmaksas.",
                until: "05.12.2026 17:00",
                link: LINK,
            },
        ),
        ("call_result_funded", result("email-result-funded", "1 250,00 €")),
        ("call_result_reserve", result("email-result-reserve", "")),
        ("call_result_ineligible", result("email-result-ineligible", "")),
        ("call_result_not_funded", result("email-result-not-funded", "")),
        (
            "call_closed",
            EmailView::CallClosed {
                name: "Dace Ozola",
                call: "Jauniešu iniciatīvas 2026",
                at: "15.12.2026 17:00",
                count: "12",
                link: LINK,
            },
        ),
        ("reminder_coordinator", reminder("email-reminder-coordinator", "12")),
        ("reminder_draft", reminder("email-reminder-draft", "0")),
        ("reminder_scoring", reminder("email-reminder-scoring", "4")),
        ("plan_waiting", plan("email-plan-waiting", "27.11.2026")),
        ("plan_evaluation", plan("email-plan-evaluation", "31.12.2026")),
        ("test", EmailView::Test),
    ]
}

#[test]
fn every_email_in_both_languages() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for (lang, code) in [(Lang::Lv, "lv"), (Lang::En, "en")] {
            let role = templates::t(lang, "role-support_staff");
            for (name, view) in cases(&role) {
                let m = render(lang, &view);
                assert!(
                    !m.subject.is_empty() && !m.text.is_empty() && !m.html.is_empty(),
                    "{name} {code}"
                );
                let shown = format!(
                    "subject: {}\n\n--- text ---\n{}\n\n--- html ---\n{}\n",
                    m.subject, m.text, m.html
                );
                insta::assert_snapshot!(format!("{name}.{code}"), shown);
            }
        }
    });
}
