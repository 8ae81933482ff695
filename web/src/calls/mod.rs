//! Calls: the coordinator's management pages (`manage`) and the public pages (`public`), with
//! the view models both build from a call.

mod manage;
mod public;

use axum::Router;
use chrono::{DateTime, Utc};
use entities::entity::call::{self, CallStatus};
use entities::entity::{call_criterion, call_requirement};
use entities::money::Eur;
use entities::{calls, time};
use templates::pages::calls::{CallDetail, CallRow};
use templates::{Lang, t, tf};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().merge(manage::router()).merge(public::router())
}

/// A time in Riga as people read it: `05.12.2026 17:00`.
pub fn riga(at: DateTime<Utc>) -> String {
    time::to_riga(at).format("%d.%m.%Y %H:%M").to_string()
}

/// A time in Riga as a `datetime-local` input holds it.
pub fn riga_input(at: DateTime<Utc>) -> String {
    time::to_riga(at).format("%Y-%m-%dT%H:%M").to_string()
}

/// "2 d 5 h" (or "5 h 10 min") until `until`; empty when it has passed.
pub fn time_left(lang: Lang, until: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let left = until - now;
    if left <= chrono::Duration::zero() {
        return String::new();
    }
    let (days, hours, minutes) = (left.num_days(), left.num_hours() % 24, left.num_minutes() % 60);
    let (d, h, m) = (days.to_string(), hours.to_string(), minutes.to_string());
    if days > 0 {
        tf(lang, "time-left-days", &[("days", &d), ("hours", &h)])
    } else {
        tf(lang, "time-left-hours", &[("hours", &h), ("minutes", &m)])
    }
}

pub fn status_label(lang: Lang, status: CallStatus) -> String {
    t(lang, &format!("call-status-{}", status.as_str()))
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
        status: status_label(lang, calls::effective_status(c, now)),
        opens: riga(c.opens_at),
        closes: riga(c.closes_at),
        time_left: time_left(lang, c.closes_at, now),
        applications,
    }
}

/// A share in basis points as people write it: `10 %`, `12.5 %`.
pub fn percent(bp: i32) -> String {
    format!("{} %", hundredths(bp.into()))
}

fn hundredths(v: i64) -> String {
    let s = Eur::from_cents(v).to_plain();
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
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
        status: status_label(lang, calls::effective_status(c, now)),
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
        requirements: requirements.iter().map(|r| r.text.clone()).collect(),
        criteria: criteria
            .iter()
            .map(|k| {
                let min = k.min_points.map(|m| m.to_string()).unwrap_or_else(|| "—".to_owned());
                (
                    k.name.clone(),
                    k.description.clone(),
                    k.max_points.to_string(),
                    hundredths(k.weight_x100.into()),
                    min,
                )
            })
            .collect(),
    }
}
