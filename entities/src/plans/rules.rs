//! The rules of a pupil support plan as pure functions: its status machine with the approval
//! chain, and the school's funding ceiling. The database layer asks these before it writes, so
//! every refusal carries the reason (a catalogue message id) the person is shown.

use crate::money::Eur;

/// A plan's status, as PuMPuRS used them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanStatus {
    Draft,
    /// Waiting for the approval of `chain[step]`.
    InApproval {
        step: u8,
    },
    Approved,
    InProgress,
    Paused,
    /// Being changed after approval; needs approval again at every level.
    UnderRevision,
    /// Ended before it was carried out; only when no money was spent.
    Inactive,
}

/// Who approves, in order (stored with each decision).
pub use crate::entity::plan_approval::ApprovalLevel as Level;

/// The approval chain of a school: director → municipal coordinator → state reviewer; state
/// vocational schools have no municipality to ask.
pub fn chain(state_vocational: bool) -> &'static [Level] {
    if state_vocational {
        &[Level::School, Level::State]
    } else {
        &[Level::School, Level::Municipality, Level::State]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SendForApproval,
    Approve(Level),
    /// Sends the plan back to its author (with a comment).
    Return(Level),
    Start,
    Pause,
    Resume,
    Revise,
    Deactivate,
}

/// What the rules need to know besides the status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub state_vocational: bool,
    /// Written consent of a parent (or of the adult pupil) is recorded.
    pub consent: bool,
    /// Any expense of the plan was paid or approved for payment.
    pub money_spent: bool,
    /// The plan had been approved before (so a returned revision goes back to revision).
    pub approved_before: bool,
    /// A reason or comment was written (pausing, returning, deactivating need one).
    pub reason: bool,
}

/// The status after `action`, or the reason it is refused (a message id).
pub fn transition(from: PlanStatus, action: Action, facts: Facts) -> Result<PlanStatus, &'static str> {
    use PlanStatus as S;
    let chain = chain(facts.state_vocational);
    match (from, action) {
        (S::Draft | S::UnderRevision, Action::SendForApproval) => {
            if facts.consent {
                Ok(S::InApproval { step: 0 })
            } else {
                Err("plan-refused-consent")
            }
        }
        (S::InApproval { step }, Action::Approve(level) | Action::Return(level)) => {
            if chain.get(usize::from(step)) != Some(&level) {
                return Err("plan-refused-not-your-step");
            }
            match action {
                Action::Return(_) if !facts.reason => Err("plan-refused-comment-required"),
                Action::Return(_) if facts.approved_before => Ok(S::UnderRevision),
                Action::Return(_) => Ok(S::Draft),
                _ if usize::from(step) + 1 == chain.len() => Ok(S::Approved),
                _ => Ok(S::InApproval { step: step + 1 }),
            }
        }
        (S::Approved, Action::Start) => Ok(S::InProgress),
        (S::InProgress, Action::Pause) => {
            if facts.reason {
                Ok(S::Paused)
            } else {
                Err("plan-refused-reason-required")
            }
        }
        (S::Paused, Action::Resume) => Ok(S::InProgress),
        (S::Approved | S::InProgress | S::Paused, Action::Revise) => Ok(S::UnderRevision),
        (S::Inactive, _) => Err("plan-refused-inactive"),
        (_, Action::Deactivate) => {
            if facts.money_spent {
                Err("plan-refused-money-spent")
            } else if !facts.reason {
                Err("plan-refused-reason-required")
            } else {
                Ok(S::Inactive)
            }
        }
        _ => Err("plan-refused-transition"),
    }
}

/// A school's funding ceiling for a semester: pupils with an approved plan × the per-pupil cap.
pub fn ceiling(pupils_with_approved_plan: u32, cap: Eur) -> Eur {
    Eur::from_cents(cap.cents().saturating_mul(i64::from(pupils_with_approved_plan)))
}

/// How much of the ceiling is left after `committed` (approved or paid expenses).
pub fn remaining(ceiling: Eur, committed: Eur) -> Eur {
    Eur::from_cents((ceiling.cents() - committed.cents()).max(0))
}

/// Whether an expense of `amount` fits what is left: if not it is recorded as unpaid for lack
/// of funds (never dropped).
pub fn fits(amount: Eur, ceiling: Eur, committed: Eur) -> bool {
    amount.cents() <= remaining(ceiling, committed).cents()
}

/// How the ceiling stands against what approved plans plan to compensate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outlook {
    /// More than a tenth of the ceiling is not yet planned for (that much, spare).
    Enough(Eur),
    /// The plans take all but a tenth of the ceiling or less (this much is left).
    Tight(Eur),
    /// The plans plan more than the ceiling (by this much): some expenses will go unpaid.
    Short(Eur),
}

/// The outlook of a ceiling: `planned` compensations of approved plans, `committed` expenses
/// (money already decided counts even where plans planned less).
pub fn outlook(ceiling: Eur, planned: Eur, committed: Eur) -> Outlook {
    let expected = planned.cents().max(committed.cents());
    let left = ceiling.cents() - expected;
    if left < 0 {
        Outlook::Short(Eur::from_cents(-left))
    } else if expected > 0 && left.saturating_mul(10) <= ceiling.cents() {
        Outlook::Tight(Eur::from_cents(left))
    } else {
        Outlook::Enough(Eur::from_cents(left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outlook_warns_before_the_money_runs_out() {
        let e = Eur::from_cents;
        assert_eq!(outlook(e(100_000), e(50_000), e(10_000)), Outlook::Enough(e(50_000)));
        assert_eq!(
            outlook(e(100_000), e(90_000), e(0)),
            Outlook::Tight(e(10_000)),
            "a tenth left is tight"
        );
        assert_eq!(outlook(e(100_000), e(89_999), e(0)), Outlook::Enough(e(10_001)));
        assert_eq!(outlook(e(100_000), e(100_000), e(0)), Outlook::Tight(e(0)));
        assert_eq!(outlook(e(100_000), e(120_000), e(5_000)), Outlook::Short(e(20_000)));
        assert_eq!(
            outlook(e(100_000), e(10_000), e(95_000)),
            Outlook::Tight(e(5_000)),
            "what is spent counts"
        );
        assert_eq!(
            outlook(e(0), e(0), e(0)),
            Outlook::Enough(e(0)),
            "nothing approved, nothing planned: no warning"
        );
    }
    use Action as A;
    use PlanStatus as S;

    const ALL_STATUSES: [PlanStatus; 9] = [
        S::Draft,
        S::InApproval { step: 0 },
        S::InApproval { step: 1 },
        S::InApproval { step: 2 },
        S::Approved,
        S::InProgress,
        S::Paused,
        S::UnderRevision,
        S::Inactive,
    ];

    const ALL_ACTIONS: [Action; 12] = [
        A::SendForApproval,
        A::Approve(Level::School),
        A::Approve(Level::Municipality),
        A::Approve(Level::State),
        A::Return(Level::School),
        A::Return(Level::Municipality),
        A::Return(Level::State),
        A::Start,
        A::Pause,
        A::Resume,
        A::Revise,
        A::Deactivate,
    ];

    fn facts() -> Facts {
        Facts {
            state_vocational: false,
            consent: true,
            money_spent: false,
            approved_before: false,
            reason: true,
        }
    }

    /// Every allowed transition of a municipal school's plan, written out by hand; every other
    /// pair must be refused.
    fn allowed(from: PlanStatus, action: Action) -> Option<PlanStatus> {
        Some(match (from, action) {
            (S::Draft, A::SendForApproval) | (S::UnderRevision, A::SendForApproval) => S::InApproval { step: 0 },
            (S::InApproval { step: 0 }, A::Approve(Level::School)) => S::InApproval { step: 1 },
            (S::InApproval { step: 1 }, A::Approve(Level::Municipality)) => S::InApproval { step: 2 },
            (S::InApproval { step: 2 }, A::Approve(Level::State)) => S::Approved,
            (S::InApproval { step: 0 }, A::Return(Level::School))
            | (S::InApproval { step: 1 }, A::Return(Level::Municipality))
            | (S::InApproval { step: 2 }, A::Return(Level::State)) => S::Draft,
            (S::Approved, A::Start) => S::InProgress,
            (S::InProgress, A::Pause) => S::Paused,
            (S::Paused, A::Resume) => S::InProgress,
            (S::Approved | S::InProgress | S::Paused, A::Revise) => S::UnderRevision,
            (S::Inactive, _) => return None,
            (_, A::Deactivate) => S::Inactive,
            _ => return None,
        })
    }

    #[test]
    fn every_pair_of_status_and_action_is_allowed_or_refused_as_written() {
        for from in ALL_STATUSES {
            for action in ALL_ACTIONS {
                let got = transition(from, action, facts());
                match allowed(from, action) {
                    Some(to) => assert_eq!(got, Ok(to), "{from:?} + {action:?}"),
                    None => assert!(got.is_err(), "{from:?} + {action:?} gave {got:?}"),
                }
            }
        }
    }

    #[test]
    fn a_state_vocational_school_skips_the_municipality() {
        let f = Facts {
            state_vocational: true,
            ..facts()
        };
        let after_school = transition(S::InApproval { step: 0 }, A::Approve(Level::School), f);
        assert_eq!(after_school, Ok(S::InApproval { step: 1 }));
        assert_eq!(
            transition(S::InApproval { step: 1 }, A::Approve(Level::Municipality), f),
            Err("plan-refused-not-your-step")
        );
        assert_eq!(
            transition(S::InApproval { step: 1 }, A::Approve(Level::State), f),
            Ok(S::Approved)
        );
    }

    #[test]
    fn refusals_name_their_reason() {
        let no = |change: fn(&mut Facts)| {
            let mut f = facts();
            change(&mut f);
            f
        };
        assert_eq!(
            transition(S::Draft, A::SendForApproval, no(|f| f.consent = false)),
            Err("plan-refused-consent")
        );
        assert_eq!(
            transition(S::InProgress, A::Pause, no(|f| f.reason = false)),
            Err("plan-refused-reason-required")
        );
        assert_eq!(
            transition(S::InProgress, A::Deactivate, no(|f| f.money_spent = true)),
            Err("plan-refused-money-spent")
        );
        assert_eq!(
            transition(
                S::InApproval { step: 0 },
                A::Return(Level::School),
                no(|f| f.reason = false)
            ),
            Err("plan-refused-comment-required")
        );
        assert_eq!(
            transition(S::InApproval { step: 0 }, A::Approve(Level::State), facts()),
            Err("plan-refused-not-your-step")
        );
        assert_eq!(
            transition(S::Inactive, A::Resume, facts()),
            Err("plan-refused-inactive")
        );
        assert_eq!(transition(S::Draft, A::Start, facts()), Err("plan-refused-transition"));
    }

    #[test]
    fn a_returned_revision_goes_back_to_revision_and_needs_every_level_again() {
        let f = Facts {
            approved_before: true,
            ..facts()
        };
        assert_eq!(
            transition(S::InApproval { step: 1 }, A::Return(Level::Municipality), f),
            Ok(S::UnderRevision)
        );
        assert_eq!(
            transition(S::UnderRevision, A::SendForApproval, f),
            Ok(S::InApproval { step: 0 })
        );
    }

    #[test]
    fn the_ceiling_is_pupils_times_the_cap_and_what_goes_beyond_does_not_fit() {
        let cap = Eur::from_cents(50_000);
        let ceiling = ceiling(3, cap);
        assert_eq!(ceiling.cents(), 150_000);
        assert!(fits(Eur::from_cents(20_000), ceiling, Eur::from_cents(130_000)));
        assert!(!fits(Eur::from_cents(20_001), ceiling, Eur::from_cents(130_000)));
        assert_eq!(remaining(ceiling, Eur::from_cents(160_000)).cents(), 0);
    }
}
