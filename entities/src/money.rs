//! Money: `Eur` over `rust_decimal::Decimal`, always two decimal places, stored as integer cents
//! (`i64`) so that sums in SQL are exact on SQLite and PostgreSQL alike. There is deliberately no
//! conversion from or to floating point.

use rust_decimal::Decimal;
use std::fmt;

use crate::domain::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Eur(Decimal);

/// `CAST(SUM(col) AS BIGINT)`: PostgreSQL sums `bigint` into `numeric`, SQLite into an integer;
/// the cast gives both the same exact integer type.
pub fn sum_cents<C: sea_orm::sea_query::IntoColumnRef>(col: C) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Alias, Expr, Func};
    Func::cast_as(Func::sum(Expr::col(col)), Alias::new("BIGINT")).into()
}

/// The largest amount the portal accepts: a billion euro (well inside `i64` cents).
const MAX_CENTS: i64 = 100_000_000_000;

impl Eur {
    pub const ZERO: Eur = Eur(Decimal::ZERO);

    pub fn from_cents(cents: i64) -> Self {
        Self(Decimal::new(cents, 2))
    }

    /// Whole cents; amounts are kept at two decimal places so this is exact.
    pub fn cents(self) -> i64 {
        let scaled = self.0 * Decimal::ONE_HUNDRED;
        i64::try_from(scaled.trunc()).unwrap_or(i64::MAX)
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }

    /// Parses what a person types: `1500`, `1500.5`, `1 500,50`, `1500,50 €`. At most two decimal
    /// places, not negative, at most a billion.
    pub fn parse(raw: &str) -> Option<Self> {
        let cents = parse_hundredths(raw.trim().trim_end_matches('€').trim_start_matches('€'))?;
        (cents <= MAX_CENTS).then(|| Self::from_cents(cents))
    }
}

/// Parses a non-negative number with at most two decimal places (`12`, `12,5`, `1 500.25`)
/// into hundredths: money into cents, a percentage into basis points, a weight into ×100.
pub fn parse_hundredths(raw: &str) -> Option<i64> {
    let cleaned: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if cleaned.is_empty()
        || cleaned.starts_with('.')
        || cleaned.ends_with('.')
        || !cleaned.chars().all(|c| c.is_ascii_digit() || c == '.')
        || cleaned.matches('.').count() > 1
    {
        return None;
    }
    if cleaned.len() > 20 {
        return None;
    }
    let d: Decimal = cleaned.parse().ok()?;
    if d.scale() > 2 || d.is_sign_negative() {
        return None;
    }
    i64::try_from((d * Decimal::ONE_HUNDRED).trunc()).ok()
}

impl Eur {
    /// The machine form used in the JSON API and exports: `1500.00`.
    pub fn to_plain(self) -> String {
        let mut d = self.0;
        d.rescale(2);
        d.to_string()
    }

    /// The form a person reads: `1 500,50 €` in Latvian, `€1,500.50` in English.
    pub fn display(self, lang: Lang) -> String {
        let plain = self.to_plain();
        let (int, frac) = plain.split_once('.').unwrap_or((&plain, "00"));
        let (sep, dec) = match lang {
            Lang::Lv => ('\u{a0}', ','),
            Lang::En => (',', '.'),
        };
        let grouped = grouped(int, sep);
        match lang {
            Lang::Lv => format!("{grouped}{dec}{frac}\u{a0}€"),
            Lang::En => format!("€{grouped}{dec}{frac}"),
        }
    }
}

/// Whole-number `digits` (an optional leading `-`) in groups of three joined by `sep`:
/// `1234567` → `1 234 567`.
pub fn grouped(digits: &str, sep: char) -> String {
    let (sign, int) = digits.strip_prefix('-').map_or(("", digits), |rest| ("-", rest));
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Eur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_plain())
    }
}

impl std::iter::Sum for Eur {
    fn sum<I: Iterator<Item = Eur>>(iter: I) -> Eur {
        Eur(iter.map(|e| e.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_what_people_type() {
        let cents = |s: &str| Eur::parse(s).map(Eur::cents);
        assert_eq!(cents("1500"), Some(150_000));
        assert_eq!(cents("1 500,50"), Some(150_050));
        assert_eq!(cents("1500.5 €"), Some(150_050));
        assert_eq!(cents("0,01"), Some(1));
        for bad in [
            "",
            "-5",
            "1,2,3",
            "1.234",
            "abc",
            "1e5",
            ",5",
            "5.",
            "NaN",
            "1000000001",
        ] {
            assert_eq!(Eur::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn displays() {
        let e = Eur::from_cents(123_456_789);
        assert_eq!(e.display(Lang::Lv), "1\u{a0}234\u{a0}567,89\u{a0}€");
        assert_eq!(e.display(Lang::En), "€1,234,567.89");
        assert_eq!(Eur::from_cents(5).to_plain(), "0.05");
    }

    proptest! {
        #[test]
        fn cents_round_trip(c in 0i64..=MAX_CENTS) {
            let e = Eur::from_cents(c);
            prop_assert_eq!(e.cents(), c);
            prop_assert_eq!(Eur::parse(&e.to_plain()), Some(e));
            prop_assert_eq!(Eur::parse(&e.display(Lang::Lv)), Some(e));
            prop_assert_eq!(Eur::parse(&e.display(Lang::En).replace(',', "")), Some(e));
        }

        #[test]
        fn sums_are_exact(cs in proptest::collection::vec(0i64..100_000_000, 0..200)) {
            let total: Eur = cs.iter().map(|c| Eur::from_cents(*c)).sum();
            prop_assert_eq!(total.cents(), cs.iter().sum::<i64>());
        }
    }
}
