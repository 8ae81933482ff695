//! Aggregating scorecards into results, and ranking. Pure functions over plain data: the pages
//! and exports call them with what the database holds, and property tests pin their rules.
//!
//! Rules (also written on the results page):
//! - A member's weighted total is Σ points × weight over the criteria they scored. A criterion
//!   marked "not applicable" is left out and the total is scaled up by
//!   Σ(max × weight over all criteria) / Σ(max × weight over the scored ones), so "not
//!   applicable" neither helps nor hurts — it is not 0.
//! - An application's score is the mean of its members' weighted totals; the median and the
//!   spread (highest − lowest) are shown beside it.
//! - It fails a criterion with minimum points when the members' mean points for that criterion
//!   are below the minimum; a failing application is ranked after every passing one.
//! - Ties are broken by the higher median, then the lower amount requested, then the earlier
//!   reference number.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use rust_decimal::Decimal;

/// A criterion as scoring needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub criterion_id: i32,
    pub max_points: i32,
    pub weight_x100: i32,
    pub min_points: Option<i32>,
}

/// One member's mark on one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Points(i32),
    NotApplicable,
}

/// A submitted scorecard: the member and a mark per criterion id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub member_id: i32,
    pub marks: BTreeMap<i32, Mark>,
}

fn weight(rule: &Rule) -> Decimal {
    Decimal::new(rule.weight_x100.into(), 2)
}

/// The weighted total of one card (see the module's rules); `None` when every mark is "not
/// applicable" or missing.
pub fn weighted_total(rules: &[Rule], card: &Card) -> Option<Decimal> {
    let full: Decimal = rules.iter().map(|r| Decimal::from(r.max_points) * weight(r)).sum();
    let mut scored_max = Decimal::ZERO;
    let mut points = Decimal::ZERO;
    for rule in rules {
        if let Some(Mark::Points(p)) = card.marks.get(&rule.criterion_id) {
            scored_max += Decimal::from(rule.max_points) * weight(rule);
            points += Decimal::from(*p) * weight(rule);
        }
    }
    if scored_max.is_zero() {
        return None;
    }
    Some(points * full / scored_max)
}

/// The result of one application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Result {
    pub cards: usize,
    pub mean: Option<Decimal>,
    pub median: Option<Decimal>,
    pub spread: Option<Decimal>,
    /// Criteria whose minimum the members' mean points did not reach.
    pub failed: Vec<i32>,
}

impl Result {
    pub fn passes(&self) -> bool {
        self.mean.is_some() && self.failed.is_empty()
    }
}

fn median(sorted: &[Decimal]) -> Option<Decimal> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / Decimal::TWO),
    }
}

/// Aggregates the submitted cards of one application.
pub fn aggregate(rules: &[Rule], cards: &[Card]) -> Result {
    let mut totals: Vec<Decimal> = cards.iter().filter_map(|c| weighted_total(rules, c)).collect();
    totals.sort();
    let mean = (!totals.is_empty()).then(|| totals.iter().copied().sum::<Decimal>() / Decimal::from(totals.len()));
    let spread = match (totals.first(), totals.last()) {
        (Some(lo), Some(hi)) => Some(*hi - *lo),
        _ => None,
    };
    let failed = rules
        .iter()
        .filter_map(|rule| {
            let min = rule.min_points?;
            let points: Vec<i32> = cards
                .iter()
                .filter_map(|c| match c.marks.get(&rule.criterion_id) {
                    Some(Mark::Points(p)) => Some(*p),
                    _ => None,
                })
                .collect();
            if points.is_empty() {
                return None;
            }
            let mean = Decimal::from(points.iter().map(|p| i64::from(*p)).sum::<i64>()) / Decimal::from(points.len());
            (mean < Decimal::from(min)).then_some(rule.criterion_id)
        })
        .collect();
    Result {
        cards: totals.len(),
        mean,
        median: median(&totals),
        spread,
        failed,
    }
}

/// What ranking needs of an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub application_id: i32,
    pub ref_seq: i32,
    pub requested_cents: i64,
    pub result: Result,
}

/// The order of the ranking: passing before failing, then higher mean, higher median, lower
/// amount requested, earlier reference number. Total, so the ranking is deterministic.
pub fn rank_order(a: &Entry, b: &Entry) -> Ordering {
    b.result
        .passes()
        .cmp(&a.result.passes())
        .then_with(|| b.result.mean.cmp(&a.result.mean))
        .then_with(|| b.result.median.cmp(&a.result.median))
        .then_with(|| a.requested_cents.cmp(&b.requested_cents))
        .then_with(|| a.ref_seq.cmp(&b.ref_seq))
        .then_with(|| a.application_id.cmp(&b.application_id))
}

pub fn rank(mut entries: Vec<Entry>) -> Vec<Entry> {
    entries.sort_by(rank_order);
    entries
}

/// Each member's mean deviation from the panel: over the applications they scored, their
/// weighted total minus the application's mean. Positive is more lenient than the panel.
pub fn calibration(rules: &[Rule], per_application: &[Vec<Card>]) -> BTreeMap<i32, (usize, Decimal)> {
    let mut sums: BTreeMap<i32, (usize, Decimal)> = BTreeMap::new();
    for cards in per_application {
        let Some(mean) = aggregate(rules, cards).mean else {
            continue;
        };
        for card in cards {
            if let Some(total) = weighted_total(rules, card) {
                let entry = sums.entry(card.member_id).or_insert((0, Decimal::ZERO));
                entry.0 += 1;
                entry.1 += total - mean;
            }
        }
    }
    sums.into_iter()
        .map(|(member, (n, sum))| (member, (n, sum / Decimal::from(n))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rules() -> Vec<Rule> {
        vec![
            Rule {
                criterion_id: 1,
                max_points: 10,
                weight_x100: 200,
                min_points: Some(4),
            },
            Rule {
                criterion_id: 2,
                max_points: 5,
                weight_x100: 100,
                min_points: None,
            },
        ]
    }

    fn card(member: i32, marks: &[(i32, Mark)]) -> Card {
        Card {
            member_id: member,
            marks: marks.iter().copied().collect(),
        }
    }

    #[test]
    fn not_applicable_is_not_zero() {
        let r = rules();
        let full = card(1, &[(1, Mark::Points(8)), (2, Mark::Points(5))]);
        assert_eq!(weighted_total(&r, &full), Some(Decimal::from(21)));
        let na = card(2, &[(1, Mark::Points(8)), (2, Mark::NotApplicable)]);
        let zero = card(3, &[(1, Mark::Points(8)), (2, Mark::Points(0))]);
        // 16 of 20 scored, scaled to the full 25: 20; a zero would give 16.
        assert_eq!(weighted_total(&r, &na), Some(Decimal::from(20)));
        assert_eq!(weighted_total(&r, &zero), Some(Decimal::from(16)));
        assert_eq!(
            weighted_total(&r, &card(4, &[(1, Mark::NotApplicable), (2, Mark::NotApplicable)])),
            None
        );
    }

    #[test]
    fn mean_median_spread_and_minimum_failures() {
        let r = rules();
        let cards = [
            card(1, &[(1, Mark::Points(3)), (2, Mark::Points(5))]),
            card(2, &[(1, Mark::Points(4)), (2, Mark::Points(4))]),
            card(3, &[(1, Mark::Points(4)), (2, Mark::Points(1))]),
        ];
        let res = aggregate(&r, &cards);
        // totals 11, 12, 9 → mean 32/3, median 11, spread 3; criterion 1 mean 11/3 < 4 fails.
        assert_eq!(res.mean, Some(Decimal::from(32) / Decimal::from(3)));
        assert_eq!(
            (res.median, res.spread),
            (Some(Decimal::from(11)), Some(Decimal::from(3)))
        );
        assert_eq!(res.failed, vec![1]);
        assert!(!res.passes());
    }

    #[test]
    fn ties_break_by_median_then_amount_then_reference() {
        let result = |mean: i64, median: i64| Result {
            cards: 2,
            mean: Some(Decimal::from(mean)),
            median: Some(Decimal::from(median)),
            spread: Some(Decimal::ZERO),
            failed: vec![],
        };
        let e = |id, seq, requested, r| Entry {
            application_id: id,
            ref_seq: seq,
            requested_cents: requested,
            result: r,
        };
        let ranked = rank(vec![
            e(1, 1, 500, result(10, 9)),
            e(2, 2, 400, result(10, 10)),
            e(3, 3, 300, result(10, 9)),
            e(4, 4, 300, result(10, 9)),
            e(
                5,
                5,
                100,
                Result {
                    failed: vec![1],
                    ..result(20, 20)
                },
            ),
        ]);
        let order: Vec<i32> = ranked.iter().map(|e| e.application_id).collect();
        assert_eq!(order, vec![2, 3, 4, 1, 5]);
    }

    fn arb_cards(rules: Vec<Rule>) -> impl Strategy<Value = Vec<Card>> {
        let marks = rules
            .iter()
            .map(|r| prop_oneof![4 => (0..=r.max_points).prop_map(Mark::Points), 1 => Just(Mark::NotApplicable)])
            .collect::<Vec<_>>();
        proptest::collection::vec(marks, 0..7).prop_map(move |cards| {
            cards
                .into_iter()
                .enumerate()
                .map(|(i, ms)| Card {
                    member_id: i as i32 + 1,
                    marks: rules.iter().map(|r| r.criterion_id).zip(ms).collect(),
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn results_stay_within_bounds_and_ignore_card_order(cards in arb_cards(rules())) {
            let r = rules();
            let res = aggregate(&r, &cards);
            let full = Decimal::from(25);
            if let (Some(mean), Some(median), Some(spread)) = (res.mean, res.median, res.spread) {
                prop_assert!(mean >= Decimal::ZERO && mean <= full);
                prop_assert!(median >= Decimal::ZERO && median <= full);
                prop_assert!(spread >= Decimal::ZERO && spread <= full);
            }
            let mut reversed = cards.clone();
            reversed.reverse();
            prop_assert_eq!(aggregate(&r, &reversed), res);
        }

        #[test]
        fn ranking_is_deterministic_whatever_the_input_order(
            raw in proptest::collection::vec((0i64..5, 0i64..5, 1i64..4, any::<bool>()), 0..30),
            seed in any::<u64>(),
        ) {
            let entries: Vec<Entry> = raw.iter().enumerate().map(|(i, (mean, median, req, fail))| Entry {
                application_id: i as i32,
                ref_seq: i as i32 + 1,
                requested_cents: req * 100,
                result: Result { cards: 1, mean: Some(Decimal::from(*mean)), median: Some(Decimal::from(*median)), spread: None, failed: if *fail { vec![1] } else { vec![] } },
            }).collect();
            let mut shuffled = entries.clone();
            let len = shuffled.len();
            if len > 1 {
                for i in 0..len {
                    let j = ((seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64)) % len as u64) as usize;
                    shuffled.swap(i, j);
                }
            }
            let a = rank(entries);
            let b = rank(shuffled);
            prop_assert_eq!(&a, &b);
            // Every passing entry comes before every failing one.
            let first_fail = a.iter().position(|e| !e.result.passes()).unwrap_or(a.len());
            prop_assert!(a[first_fail..].iter().all(|e| !e.result.passes()));
        }
    }
}
