//! Calls: the coordinator's management pages (`manage`) and the public pages (`public`), with
//! the view models both build from a call.

mod files;
mod manage;
mod public;

use axum::Router;
use chrono::{DateTime, Utc};
use entities::entity::call;
use entities::entity::{call_criterion, call_requirement};
use entities::grants::calls;
use entities::listing::Window;
use entities::money::Eur;
use templates::components::ListView;
use templates::pages::calls::{CallDetail, CallRow, TermsView};
use templates::view::{call_status, date, percent, riga, time_left};
use templates::{Lang, tf};

use crate::state::AppState;

pub fn router(max_upload: usize) -> Router<AppState> {
    Router::new()
        .merge(manage::router())
        .merge(public::router())
        .merge(files::router(max_upload))
}

pub fn row(
    lang: Lang,
    c: &call::Model,
    municipality: &str,
    href: String,
    now: DateTime<Utc>,
    applications: Option<u64>,
) -> CallRow {
    CallRow {
        href,
        title: c.title.clone(),
        municipality: municipality.to_owned(),
        budget: Eur::from_cents(c.budget_cents).display(lang),
        status: call_status(lang, calls::effective_status(c, now)),
        opens: riga(c.opens_at),
        closes: riga(c.closes_at),
        time_left: time_left(lang, c.closes_at, now),
        applications,
    }
}

/// How a list of calls shows its page, search and sort; `default` is the list's own order.
pub fn list_view(lang: Lang, path: String, window: &Window, default: &str, total: u64) -> ListView {
    let mut sorts = vec![
        ("deadline", "list-sort-deadline"),
        ("-deadline", "list-sort-deadline-desc"),
        ("title", "list-sort-title"),
        ("municipality", "list-sort-municipality"),
        ("-newest", "list-sort-newest"),
    ];
    // The list's own order first: it is the one shown when none is asked for.
    if let Some(at) = sorts.iter().position(|(key, _)| *key == default) {
        let own = sorts.remove(at);
        sorts.insert(0, own);
    }
    crate::lists::view(lang, path, Vec::new(), window, &sorts, total)
}

pub fn detail(
    lang: Lang,
    c: &call::Model,
    municipality: &str,
    requirements: &[call_requirement::Model],
    criteria: &[call_criterion::Model],
    now: DateTime<Utc>,
) -> CallDetail {
    let eur = |cents| Eur::from_cents(cents).display(lang);
    CallDetail {
        title: c.title.clone(),
        municipality: municipality.to_owned(),
        status: call_status(lang, calls::effective_status(c, now)),
        description: c.description.clone(),
        aims: c.aims.clone(),
        eligibility: c.eligibility.clone(),
        opens: riga(c.opens_at),
        closes: riga(c.closes_at),
        time_left: time_left(lang, c.closes_at, now),
        scoring_deadline: riga(c.scoring_deadline),
        budget: eur(c.budget_cents),
        grants: format!("{} – {}", eur(c.min_grant_cents), eur(c.max_grant_cents)),
        cofinancing: percent(c.cofinancing_bp),
        informal_groups: c.allow_informal_groups,
        terms: calls::ProjectTerms::of(c).map(|terms| terms_view(lang, &terms)),
        requirements: requirements.iter().map(|r| r.text.clone()).collect(),
        criteria: criteria
            .iter()
            .map(|k| {
                let min = k.min_points.map(|m| m.to_string()).unwrap_or_else(|| "—".to_owned());
                (
                    k.name.clone(),
                    k.description.clone(),
                    k.max_points.to_string(),
                    templates::view::hundredths_in(lang, k.weight_x100.into()),
                    min,
                )
            })
            .collect(),
    }
}

fn terms_view(lang: Lang, terms: &calls::ProjectTerms) -> TermsView {
    TermsView {
        period: format!("{} – {}", date(terms.starts_on), date(terms.ends_on)),
        advance: percent(terms.advance_bp),
        interim_report: terms.interim_report_on.map(date).unwrap_or_default(),
        final_report: tf(
            lang,
            "call-final-report-due",
            &[
                ("date", &date(terms.final_report_on())),
                ("days", &terms.final_report_days.to_string()),
            ],
        ),
        accept_days: tf(
            lang,
            "call-accept-days-value",
            &[("days", &terms.accept_days.to_string())],
        ),
    }
}
