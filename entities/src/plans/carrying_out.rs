//! A plan being carried out: consultation sessions as they happened and the end-of-semester
//! evaluation.

use super::*;

/// One consultation as it happened.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    pub held_on: NaiveDate,
    pub minutes: i32,
    pub remote: bool,
    pub pupil_confirmed: bool,
}

/// Logs a consultation session of a plan being carried out, by the actor as the staff member.
pub async fn log_session(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    measure_id: i32,
    session: Session,
    now: DateTime<Utc>,
) -> Result<consultation_session::Model> {
    let (measure, found) = match measure_being_carried_out(conn, actor, measure_id, MeasureKind::Consultation).await {
        Err(Error::Refused("plan-refused-not-consultation")) => {
            measure_being_carried_out(conn, actor, measure_id, MeasureKind::Supervision).await?
        }
        other => other?,
    };
    let semester = semester::Entity::find_by_id(found.plan.semester_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let mut e = FieldErrors::new();
    if !(1..=600).contains(&session.minutes) {
        e.add("minutes", "error-minutes");
    }
    if session.held_on < semester.starts_on || session.held_on > semester.ends_on || session.held_on > now.date_naive()
    {
        e.add("held_on", "error-session-date");
    }
    e.into_result()?;
    let logged = consultation_session::ActiveModel {
        measure_id: Set(measure.id),
        held_on: Set(session.held_on),
        minutes: Set(session.minutes),
        staff_id: Set(actor.user.id),
        remote: Set(session.remote),
        pupil_confirmed: Set(session.pupil_confirmed),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    record(
        conn,
        actor,
        found.plan.school_id,
        "session_log",
        ("plan", found.plan.id),
        None,
        now,
    )
    .await?;
    Ok(logged)
}

/// Risk after the semester, as the evaluation judges it.
pub const RESULTS: [&str; 3] = ["reduced", "unchanged", "increased"];
/// The pupil's outcome at the end of the semester.
pub const OUTCOMES: [&str; 4] = ["continues", "completed", "transferred", "left_school"];

/// The end-of-semester evaluation of one measure (`measure_id`) or of the whole plan (`None`,
/// with the pupil's outcome). Written again, it replaces the earlier one.
pub async fn evaluate(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    plan_id: i32,
    measure_id: Option<i32>,
    (text, result, outcome): (&str, &str, Option<&str>),
    now: DateTime<Utc>,
) -> Result<evaluation::Model> {
    let found = find(conn, actor, plan_id).await?;
    if !found.staff {
        return Err(Error::NotFound);
    }
    if !matches!(status(&found.plan), PlanStatus::InProgress | PlanStatus::Paused) {
        return Err(Error::Refused("plan-refused-not-in-progress"));
    }
    if let Some(id) = measure_id {
        plan_measure::Entity::find_by_id(id)
            .filter(plan_measure::Column::PlanId.eq(plan_id))
            .one(conn)
            .await?
            .ok_or(Error::NotFound)?;
    }
    let mut e = FieldErrors::new();
    if text.trim().is_empty() {
        e.add("text", "error-required");
    }
    if !RESULTS.contains(&result) {
        e.add("result", "error-evaluation-result");
    }
    match (measure_id, outcome) {
        (None, Some(o)) if OUTCOMES.contains(&o) => {}
        (None, _) => e.add("outcome", "error-outcome"),
        (Some(_), None) => {}
        (Some(_), Some(_)) => e.add("outcome", "error-outcome-plan-only"),
    }
    e.into_result()?;
    evaluation::Entity::delete_many()
        .filter(evaluation::Column::PlanId.eq(plan_id))
        .filter(match measure_id {
            Some(id) => evaluation::Column::MeasureId.eq(id),
            None => evaluation::Column::MeasureId.is_null(),
        })
        .exec(conn)
        .await?;
    let written = evaluation::ActiveModel {
        plan_id: Set(plan_id),
        measure_id: Set(measure_id),
        text: Set(text.trim().to_owned()),
        result: Set(result.to_owned()),
        outcome: Set(outcome.map(str::to_owned)),
        evaluated_by: Set(actor.user.id),
        at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    record(
        conn,
        actor,
        found.plan.school_id,
        "plan_evaluate",
        ("plan", plan_id),
        None,
        now,
    )
    .await?;
    Ok(written)
}

/// A measure of `kind` of a plan being carried out, for its school staff.
pub(super) async fn measure_being_carried_out(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    measure_id: i32,
    kind: MeasureKind,
) -> Result<(plan_measure::Model, Found)> {
    let measure = plan_measure::Entity::find_by_id(measure_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let found = find(conn, actor, measure.plan_id).await?;
    if !found.staff {
        return Err(Error::NotFound);
    }
    if status(&found.plan) != PlanStatus::InProgress {
        return Err(Error::Refused("plan-refused-not-in-progress"));
    }
    if measure.kind != kind {
        return Err(Error::Refused(if kind != MeasureKind::Compensation {
            "plan-refused-not-consultation"
        } else {
            "plan-refused-not-compensation"
        }));
    }
    Ok((measure, found))
}
