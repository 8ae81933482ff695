//! Allocation: walk the ranking, fund each passing application at its requested amount (or the
//! reduced amount the coordinator set) while it fits in what remains of the budget, skip one
//! that does not fit and go on; the skipped ones form the reserve list in rank order.
//!
//! When a funded applicant withdraws after the decision, the reserve moves up (`move_up`):
//! everyone funded stays funded with the same amount, and the freed money goes down the reserve
//! list in rank order. Running the walk again instead would be wrong: the freed money could fund
//! a larger reserve ranked above a smaller funded one, which would then no longer fit.

/// An application in rank order, as allocation sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub application_id: i32,
    pub requested_cents: i64,
    /// A lower amount the coordinator decided to grant instead.
    pub reduced_cents: Option<i64>,
    /// Eligible, scored, and above every criterion's minimum.
    pub passes: bool,
    pub withdrawn: bool,
}

impl Candidate {
    /// What funding it would take: the reduced amount when one is set (never more than asked).
    pub fn amount(&self) -> i64 {
        self.reduced_cents
            .map_or(self.requested_cents, |r| r.clamp(0, self.requested_cents))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Funded {
        cents: i64,
    },
    /// Passing but did not fit; `position` counts from 1 in rank order.
    Reserve {
        position: u32,
    },
    NotFunded,
    Withdrawn,
}

/// The walk. `ranked` must be in rank order; the result is in the same order.
pub fn allocate(budget_cents: i64, ranked: &[Candidate]) -> Vec<(i32, Outcome)> {
    let mut remaining = budget_cents.max(0);
    let mut reserve = 0;
    ranked
        .iter()
        .map(|c| {
            let outcome = if c.withdrawn {
                Outcome::Withdrawn
            } else if !c.passes || c.amount() <= 0 {
                Outcome::NotFunded
            } else if c.amount() <= remaining {
                remaining -= c.amount();
                Outcome::Funded { cents: c.amount() }
            } else {
                reserve += 1;
                Outcome::Reserve { position: reserve }
            };
            (c.application_id, outcome)
        })
        .collect()
}

/// After a decision: `ranked` (same order as `decided`) now marks who withdrew. Withdrawn ones
/// leave, everyone else funded keeps their amount, and the reserve is walked in rank order with
/// what remains of the budget; the reserves left are numbered again from 1.
pub fn move_up(budget_cents: i64, ranked: &[Candidate], decided: &[(i32, Outcome)]) -> Vec<(i32, Outcome)> {
    let mut out: Vec<(i32, Outcome)> = ranked
        .iter()
        .zip(decided)
        .map(|(c, (id, o))| (*id, if c.withdrawn { Outcome::Withdrawn } else { *o }))
        .collect();
    let mut remaining = budget_cents.max(0) - funded_total(&out);
    let mut position = 0;
    for ((_, outcome), c) in out.iter_mut().zip(ranked) {
        if let Outcome::Reserve { .. } = outcome {
            if c.amount() <= remaining {
                remaining -= c.amount();
                *outcome = Outcome::Funded { cents: c.amount() };
            } else {
                position += 1;
                *outcome = Outcome::Reserve { position };
            }
        }
    }
    out
}

pub fn funded_total(outcomes: &[(i32, Outcome)]) -> i64 {
    outcomes
        .iter()
        .map(|(_, o)| match o {
            Outcome::Funded { cents } => *cents,
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(id: i32, requested: i64) -> Candidate {
        Candidate {
            application_id: id,
            requested_cents: requested,
            reduced_cents: None,
            passes: true,
            withdrawn: false,
        }
    }

    #[test]
    fn skips_what_does_not_fit_and_goes_on() {
        let ranked = [
            c(1, 600),
            c(2, 500),
            c(3, 300),
            Candidate {
                passes: false,
                ..c(4, 10)
            },
            c(5, 200),
        ];
        let out = allocate(1000, &ranked);
        assert_eq!(
            out,
            vec![
                (1, Outcome::Funded { cents: 600 }),
                (2, Outcome::Reserve { position: 1 }),
                (3, Outcome::Funded { cents: 300 }),
                (4, Outcome::NotFunded),
                (5, Outcome::Reserve { position: 2 }),
            ]
        );
        // A reduced amount lets the second one in.
        let reduced = [
            c(1, 600),
            Candidate {
                reduced_cents: Some(400),
                ..c(2, 500)
            },
            c(3, 300),
        ];
        assert_eq!(allocate(1000, &reduced)[1], (2, Outcome::Funded { cents: 400 }));
        // The first withdraws after the decision: the reserve moves up.
        let decided = allocate(1000, &ranked);
        let mut now = ranked;
        now[0].withdrawn = true;
        let out = move_up(1000, &now, &decided);
        assert_eq!(out[0], (1, Outcome::Withdrawn));
        assert_eq!(out[1], (2, Outcome::Funded { cents: 500 }));
        assert_eq!(out[2], (3, Outcome::Funded { cents: 300 }));
        assert_eq!(out[4], (5, Outcome::Funded { cents: 200 }));
    }

    #[test]
    fn a_withdrawal_never_unfunds_anyone_where_a_new_walk_would() {
        // 500 funded, 600 skipped, 300 and 200 funded. If the first withdraws, a new walk would
        // fund the 600 and then have no room for the 200; moving up keeps the 200 funded.
        let ranked = [c(1, 500), c(2, 600), c(3, 300), c(4, 200)];
        let decided = allocate(1000, &ranked);
        assert_eq!(decided[3], (4, Outcome::Funded { cents: 200 }));
        let mut now = ranked;
        now[0].withdrawn = true;
        assert_eq!(
            allocate(1000, &now)[3],
            (4, Outcome::Reserve { position: 1 }),
            "why a new walk is wrong"
        );
        let moved = move_up(1000, &now, &decided);
        assert_eq!(moved[3], (4, Outcome::Funded { cents: 200 }));
        assert_eq!(
            moved[1],
            (2, Outcome::Reserve { position: 1 }),
            "500 freed is not enough for 600"
        );
    }

    fn arb_candidates() -> impl Strategy<Value = Vec<Candidate>> {
        proptest::collection::vec(
            (
                1i64..50_000,
                proptest::option::of(1i64..50_000),
                prop::bool::weighted(0.85),
            ),
            0..25,
        )
        .prop_map(|raw| {
            raw.into_iter()
                .enumerate()
                .map(|(i, (requested, reduced, passes))| Candidate {
                    application_id: i as i32,
                    requested_cents: requested,
                    reduced_cents: reduced.filter(|_| i % 3 == 0),
                    passes,
                    withdrawn: false,
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn never_over_budget_never_over_the_request_and_deterministic(budget in 0i64..200_000, ranked in arb_candidates()) {
            let out = allocate(budget, &ranked);
            prop_assert!(funded_total(&out) <= budget);
            for ((_, o), cand) in out.iter().zip(&ranked) {
                if let Outcome::Funded { cents } = o {
                    prop_assert!(*cents > 0 && *cents <= cand.requested_cents);
                }
            }
            prop_assert_eq!(allocate(budget, &ranked), out.clone());
            // Every reserve was skipped only because it did not fit at its turn.
            let mut remaining = budget;
            for ((_, o), cand) in out.iter().zip(&ranked) {
                match o {
                    Outcome::Funded { cents } => remaining -= cents,
                    Outcome::Reserve { .. } => prop_assert!(cand.amount() > remaining),
                    _ => {}
                }
            }
            let positions: Vec<u32> = out.iter().filter_map(|(_, o)| match o { Outcome::Reserve { position } => Some(*position), _ => None }).collect();
            prop_assert_eq!(positions.clone(), (1..=positions.len() as u32).collect::<Vec<_>>());
        }

        #[test]
        fn a_withdrawal_moves_the_reserve_up_and_nobody_down(budget in 0i64..200_000, ranked in arb_candidates(), pick in any::<prop::sample::Index>()) {
            let before = allocate(budget, &ranked);
            let funded: Vec<usize> = before.iter().enumerate().filter(|(_, (_, o))| matches!(o, Outcome::Funded { .. })).map(|(i, _)| i).collect();
            prop_assume!(!funded.is_empty());
            let gone = funded[pick.index(funded.len())];
            let mut after_input = ranked.clone();
            after_input[gone].withdrawn = true;
            let after = move_up(budget, &after_input, &before);
            for (i, ((_, b), (_, a))) in before.iter().zip(&after).enumerate() {
                if i == gone {
                    prop_assert_eq!(*a, Outcome::Withdrawn);
                } else if let Outcome::Funded { cents } = b {
                    prop_assert_eq!(*a, Outcome::Funded { cents: *cents });
                }
            }
            prop_assert!(funded_total(&after) <= budget);
            // The first reserve that now fits is funded.
            let freed = budget - funded_total(&after);
            for ((_, a), cand) in after.iter().zip(&after_input) {
                if let Outcome::Reserve { .. } = a {
                    prop_assert!(cand.amount() > freed);
                }
            }
        }
    }
}
