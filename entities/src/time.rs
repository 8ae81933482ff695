//! Time: UTC instants in the database, Europe/Riga for people (DST-correct).

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::{Europe::Riga, Tz};

pub const ZONE: Tz = Riga;

/// The server's clock. The system clock in service; tests can hold it at an instant (to submit
/// exactly at a deadline, say) — the code that reads it is the same either way.
#[derive(Clone, Default)]
pub struct Clock(std::sync::Arc<std::sync::RwLock<Option<DateTime<Utc>>>>);

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        self.0.read().ok().and_then(|held| *held).unwrap_or_else(Utc::now)
    }

    /// Holds the clock at `at` (`None` lets it run again).
    pub fn hold(&self, at: Option<DateTime<Utc>>) {
        if let Ok(mut held) = self.0.write() {
            *held = at;
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

/// A date as a date field sends it (`2010-05-31`) or as people write it in Latvia
/// (`31.05.2010`); `None` for anything else.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d.%m.%Y"))
        .ok()
}

/// The instant in Riga time, for display.
pub fn to_riga(at: DateTime<Utc>) -> DateTime<Tz> {
    at.with_timezone(&ZONE)
}

/// A wall-clock time typed by a person in Riga. A time that does not exist (the spring-forward
/// gap) is refused; an ambiguous one (the autumn hour that happens twice) means the later
/// instant, so a deadline never ends earlier than the person could have meant.
pub fn from_riga(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match ZONE.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(_, later) => Some(later.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_as_a_field_sends_them_or_as_written_in_latvia() {
        let may = NaiveDate::from_ymd_opt(2010, 5, 31);
        assert_eq!(parse_date("2010-05-31"), may);
        assert_eq!(parse_date(" 31.05.2010 "), may);
        assert_eq!(parse_date("31.02.2010"), None);
        assert_eq!(parse_date("05/31/2010"), None);
    }

    fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|d| d.and_hms_opt(h, mi, 0))
            .unwrap_or_default()
    }

    #[test]
    fn summer_and_winter_offsets() {
        let winter = from_riga(local(2026, 1, 15, 12, 0)).map(|t| t.to_rfc3339());
        assert_eq!(winter.as_deref(), Some("2026-01-15T10:00:00+00:00"));
        let summer = from_riga(local(2026, 7, 15, 12, 0)).map(|t| t.to_rfc3339());
        assert_eq!(summer.as_deref(), Some("2026-07-15T09:00:00+00:00"));
    }

    #[test]
    fn spring_gap_is_refused_and_autumn_overlap_takes_the_later_instant() {
        // 2026-03-29 03:00 → 04:00 in Riga: 03:30 never happens.
        assert_eq!(from_riga(local(2026, 3, 29, 3, 30)), None);
        // 2026-10-25 04:00 EEST → 03:00 EET: 03:30 happens at 00:30 and at 01:30 UTC.
        let t = from_riga(local(2026, 10, 25, 3, 30)).map(|t| t.to_rfc3339());
        assert_eq!(t.as_deref(), Some("2026-10-25T01:30:00+00:00"));
    }
}
