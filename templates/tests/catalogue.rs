//! Every message id the code names exists in the catalogue (both languages have the same ids:
//! see the unit test in `i18n`), so no page shows a raw id.

use std::collections::BTreeSet;
use std::path::Path;

/// Prefixes of message ids; any string literal in the sources that looks like `prefix-words`
/// with one of these prefixes is taken for a message id.
const PREFIXES: &[&str] = &[
    "app",
    "call",
    "calls",
    "confirm",
    "criterion",
    "dash",
    "email",
    "error",
    "field",
    "flash",
    "footer",
    "forgot",
    "hint",
    "home",
    "invite",
    "kind",
    "landing",
    "lang",
    "login",
    "mail",
    "manage",
    "nav",
    "org",
    "orgs",
    "pager",
    "password",
    "register",
    "reset",
    "role",
    "row",
    "skip",
    "time",
    "application",
    "applications",
    "budget",
    "attachment",
    "attachments",
    "profile",
    "plan",
    "pupil",
    "pupils",
    "staff",
    "queue",
    "funding",
    "expense",
    "expenses",
    "indirect",
    "semester",
    "semesters",
    "catalogue",
    "session",
    "evaluation",
    "totp",
    "specialist",
    "category",
    "result",
    "outcome",
    "level",
    "decision",
    "filter",
    "stats",
    "token",
    "tokens",
];

fn literals(dir: &Path, out: &mut BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            literals(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for (i, part) in text.split('"').enumerate() {
                let is_id = i % 2 == 1
                    && part.contains('-')
                    && !part.ends_with('-')
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
                    && PREFIXES.contains(&part.split('-').next().unwrap_or(""));
                if is_id {
                    out.insert(part.to_owned());
                }
            }
        }
    }
}

#[test]
fn every_message_id_in_the_code_is_in_the_catalogue() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut used = BTreeSet::new();
    for krate in ["entities", "templates", "web", "worker"] {
        literals(&root.join(krate).join("src"), &mut used);
    }
    let catalogue = std::fs::read_to_string(root.join("templates/locales/lv.ftl")).unwrap_or_default();
    let known: BTreeSet<&str> = catalogue
        .lines()
        .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim()))
        .collect();
    let missing: Vec<&String> = used.iter().filter(|id| !known.contains(id.as_str())).collect();
    assert!(
        missing.is_empty(),
        "message ids missing from the catalogue: {missing:?}"
    );
    assert!(used.len() > 100, "the scan found only {} ids", used.len());
}

/// Every value of every stored state has its label (`view::label` builds the id at run time).
#[test]
fn every_stored_state_has_a_label() {
    use entities::entity::{application, award, call, expense, plan, plan_approval, project};
    use entities::sea_orm::{ActiveEnum, Iterable};
    fn ids<E: ActiveEnum<Value = String> + Iterable>(prefix: &str) -> Vec<String> {
        E::iter().map(|v| format!("{prefix}{}", v.to_value())).collect()
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalogue = std::fs::read_to_string(root.join("locales/lv.ftl")).unwrap_or_default();
    let known: BTreeSet<&str> = catalogue
        .lines()
        .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim()))
        .collect();
    let mut wanted = ids::<call::CallStatus>("call-status-");
    wanted.extend(ids::<application::ApplicationStatus>("application-status-"));
    wanted.extend(ids::<award::AwardOutcome>("application-status-"));
    wanted.extend(ids::<expense::ExpenseState>("expense-status-"));
    wanted.extend(ids::<plan_approval::ApprovalLevel>("level-"));
    wanted.extend(ids::<plan_approval::Decision>("decision-"));
    wanted.extend(ids::<project::ProjectState>("project-status-"));
    wanted.extend(ids::<project::ProjectState>("answer-"));
    // A plan in approval is labelled by its step (`view::plan_status`).
    wanted.extend(
        ids::<plan::PlanState>("plan-status-")
            .into_iter()
            .filter(|id| id != "plan-status-in_approval"),
    );
    wanted.extend((0..3).map(|step| format!("plan-status-in_approval-{step}")));
    let missing: Vec<&String> = wanted.iter().filter(|id| !known.contains(id.as_str())).collect();
    assert!(missing.is_empty(), "labels missing from the catalogue: {missing:?}");
    assert!(wanted.len() > 25, "{wanted:?}");
}
