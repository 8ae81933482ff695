//! How values read on a page or in an email, written once: times in Riga, dates, time left,
//! shares, and the label of every stored state. Handlers and the worker build their view models
//! with these, so a page and the email about the same thing say it the same way.

use chrono::{DateTime, NaiveDate, Utc};
use entities::entity::application::ApplicationStatus;
use entities::entity::call::CallStatus;
use entities::entity::plan::PlanState;
use entities::money::Eur;
use entities::sea_orm::ActiveEnum;
use entities::time::to_riga;

use crate::{Lang, t, tf};

/// The one date format: `05.12.2026`.
const DATE: &str = "%d.%m.%Y";

/// A date as people read it: `05.12.2026`.
pub fn date(d: NaiveDate) -> String {
    d.format(DATE).to_string()
}

/// An instant in Riga as people read it: `05.12.2026 17:00`.
pub fn riga(at: DateTime<Utc>) -> String {
    to_riga(at).format(&format!("{DATE} %H:%M")).to_string()
}

/// The day of an instant in Riga: `05.12.2026`.
pub fn riga_day(at: DateTime<Utc>) -> String {
    to_riga(at).format(DATE).to_string()
}

/// An instant in Riga to the second, for receipts: `05.12.2026 17:00:04`.
pub fn riga_seconds(at: DateTime<Utc>) -> String {
    to_riga(at).format(&format!("{DATE} %H:%M:%S")).to_string()
}

/// An instant in Riga as a `datetime-local` input holds it.
pub fn riga_input(at: DateTime<Utc>) -> String {
    to_riga(at).format("%Y-%m-%dT%H:%M").to_string()
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

/// A share in basis points as people write it: `10 %`, `12.5 %`.
pub fn percent(bp: i32) -> String {
    format!("{} %", hundredths(bp.into()))
}

/// A number kept in hundredths as the language writes it, without trailing zeros: `150` →
/// `1,5` (lv) / `1.5` (en).
pub fn hundredths_in(lang: Lang, v: i64) -> String {
    let s = hundredths(v);
    if lang == Lang::Lv { s.replace('.', ",") } else { s }
}

/// An amount as a form shows it back to be edited: `1500,50` (lv) / `1500.50` (en), no
/// thousands separator, no currency sign (the form's parser takes either separator).
pub fn amount_input(lang: Lang, cents: i64) -> String {
    let s = Eur::from_cents(cents).to_plain();
    if lang == Lang::Lv { s.replace('.', ",") } else { s }
}

/// A whole number as the language writes it, thousands apart: `12 500` (lv, a no-break space) /
/// `12,500` (en).
pub fn count(lang: Lang, n: impl std::fmt::Display) -> String {
    let sep = if lang == Lang::Lv { '\u{a0}' } else { ',' };
    entities::money::grouped(&n.to_string(), sep)
}

/// A score as the language writes it, to two decimals: `12,50` (lv) / `12.50` (en).
pub fn decimal(lang: Lang, d: rust_decimal::Decimal) -> String {
    let s = d.round_dp(2).to_string();
    let s = match s.split_once('.') {
        Some((whole, frac)) => format!("{whole}.{frac:0<2}"),
        None => format!("{s}.00"),
    };
    if lang == Lang::Lv { s.replace('.', ",") } else { s }
}

/// A number kept in hundredths, without trailing zeros: `1250` → `12.5`.
pub fn hundredths(v: i64) -> String {
    let s = Eur::from_cents(v).to_plain();
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The label of a stored state: the catalogue's `{prefix}{stored value}` (the prefix ends in `-`).
pub fn label<E: ActiveEnum<Value = String>>(lang: Lang, prefix: &str, value: E) -> String {
    t(lang, &format!("{prefix}{}", value.to_value()))
}

pub fn call_status(lang: Lang, status: CallStatus) -> String {
    label(lang, "call-status-", status)
}

pub fn application_status(lang: Lang, status: ApplicationStatus) -> String {
    label(lang, "application-status-", status)
}

/// A plan's status; a plan in approval says at which step it waits.
pub fn plan_status(lang: Lang, status: PlanState, step: i16) -> String {
    if status == PlanState::InApproval {
        t(lang, &format!("plan-status-in_approval-{step}"))
    } else {
        label(lang, "plan-status-", status)
    }
}

#[cfg(test)]
mod number_tests {
    use super::*;

    #[test]
    fn figures_take_the_decimal_comma_in_latvian() {
        assert_eq!(hundredths_in(Lang::Lv, 150), "1,5");
        assert_eq!(hundredths_in(Lang::En, 150), "1.5");
        assert_eq!(hundredths_in(Lang::Lv, 200), "2");
        let d = rust_decimal::Decimal::new(1875, 2);
        assert_eq!(decimal(Lang::Lv, d), "18,75");
        assert_eq!(decimal(Lang::En, rust_decimal::Decimal::new(185, 1)), "18.50");
        assert_eq!(decimal(Lang::Lv, rust_decimal::Decimal::from(7)), "7,00");
        assert_eq!(amount_input(Lang::Lv, 150_050), "1500,50");
        assert_eq!(amount_input(Lang::En, 150_050), "1500.50");
        assert_eq!(
            entities::money::Eur::parse(&amount_input(Lang::Lv, 150_050)).map(|e| e.cents()),
            Some(150_050),
            "read back as written"
        );
    }

    #[test]
    fn whole_numbers_keep_thousands_apart() {
        assert_eq!(count(Lang::Lv, 999), "999");
        assert_eq!(count(Lang::Lv, 12_500), "12\u{a0}500");
        assert_eq!(count(Lang::En, 1_234_567), "1,234,567");
        assert_eq!(count(Lang::En, -4_000), "-4,000");
    }
}
