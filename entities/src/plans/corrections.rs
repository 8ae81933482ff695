//! Corrections of a plan while it can change (a draft, or under revision): a risk's
//! justification, a measure's plan and the risks it addresses, and removing either. Each is
//! audited against the plan (ids only). An approved plan changes only through revision.

use super::*;

/// What a measure plans, as corrected (its kind stays).
pub enum MeasureChange<'a> {
    /// Specialist type, minutes, the plan risks it addresses.
    Consultation(&'a str, i32, &'a [i32]),
    /// Category, amount, the plan risks it addresses.
    Compensation(&'a str, Eur, &'a [i32]),
    /// Minutes of preparing and supervising the plan.
    Supervision(i32),
}

async fn risk_of(conn: &impl ConnectionTrait, plan_id: i32, plan_risk_id: i32) -> Result<plan_risk::Model> {
    plan_risk::Entity::find_by_id(plan_risk_id)
        .filter(plan_risk::Column::PlanId.eq(plan_id))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)
}

async fn measure_of(conn: &impl ConnectionTrait, plan_id: i32, measure_id: i32) -> Result<plan_measure::Model> {
    plan_measure::Entity::find_by_id(measure_id)
        .filter(plan_measure::Column::PlanId.eq(plan_id))
        .one(conn)
        .await?
        .ok_or(Error::NotFound)
}

/// Changes the justification of one of the plan's risks.
pub async fn edit_risk(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    plan_id: i32,
    plan_risk_id: i32,
    justification: &str,
    now: DateTime<Utc>,
) -> Result<plan_risk::Model> {
    let found = editable(conn, actor, plan_id).await?;
    let risk = risk_of(conn, plan_id, plan_risk_id).await?;
    if justification.trim().is_empty() {
        return Err(FieldErrors::single("justification", "error-required"));
    }
    let mut active: plan_risk::ActiveModel = risk.into();
    active.justification = Set(justification.trim().to_owned());
    let risk = active.update(conn).await?;
    let details = Some(format!("risk {plan_risk_id}"));
    record(
        conn,
        actor,
        found.plan.school_id,
        "plan_risk_edit",
        ("plan", plan_id),
        details,
        now,
    )
    .await?;
    Ok(risk)
}

/// Removes one of the plan's risks, and it from the measures that address it too; refused
/// while a measure addresses this risk alone (change or remove that measure first).
pub async fn remove_risk(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    plan_id: i32,
    plan_risk_id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let found = editable(conn, actor, plan_id).await?;
    let risk = risk_of(conn, plan_id, plan_risk_id).await?;
    let links = measure_risk::Entity::find()
        .filter(
            measure_risk::Column::MeasureId.in_subquery(
                Query::select()
                    .column(plan_measure::Column::Id)
                    .from(plan_measure::Entity)
                    .and_where(plan_measure::Column::PlanId.eq(plan_id))
                    .to_owned(),
            ),
        )
        .all(conn)
        .await?;
    let alone = links
        .iter()
        .filter(|l| l.plan_risk_id == risk.id)
        .any(|l| links.iter().filter(|o| o.measure_id == l.measure_id).count() == 1);
    if alone {
        return Err(Error::Refused("plan-refused-risk-sole"));
    }
    measure_risk::Entity::delete_many()
        .filter(measure_risk::Column::PlanRiskId.eq(risk.id))
        .exec(conn)
        .await?;
    plan_risk::Entity::delete_by_id(risk.id).exec(conn).await?;
    let details = Some(format!("risk {plan_risk_id}"));
    record(
        conn,
        actor,
        found.plan.school_id,
        "plan_risk_remove",
        ("plan", plan_id),
        details,
        now,
    )
    .await
}

/// Changes what a measure plans (its kind stays) and, for a consultation or compensation, the
/// risks it addresses.
pub async fn edit_measure(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    plan_id: i32,
    measure_id: i32,
    change: MeasureChange<'_>,
    now: DateTime<Utc>,
) -> Result<plan_measure::Model> {
    let found = editable(conn, actor, plan_id).await?;
    let measure = measure_of(conn, plan_id, measure_id).await?;
    let mut e = FieldErrors::new();
    let (specialist, category, minutes, cents, risks) = match (&change, measure.kind) {
        (MeasureChange::Consultation(s, m, r), MeasureKind::Consultation) => {
            if !SPECIALISTS.contains(s) {
                e.add("specialist", "error-specialist");
            }
            if !(1..=60 * 200).contains(m) {
                e.add("hours", "error-minutes");
            }
            (Some((*s).to_owned()), None, Some(*m), None, Some(*r))
        }
        (MeasureChange::Compensation(c, amount, r), MeasureKind::Compensation) => {
            if !CATEGORIES.contains(c) {
                e.add("category", "error-category");
            }
            if amount.cents() <= 0 {
                e.add("planned", "error-amount-positive");
            }
            (None, Some((*c).to_owned()), None, Some(amount.cents()), Some(*r))
        }
        (MeasureChange::Supervision(m), MeasureKind::Supervision) => {
            if !(1..=60 * 200).contains(m) {
                e.add("hours", "error-minutes");
            }
            (None, None, Some(*m), None, None)
        }
        _ => return Err(Error::NotFound),
    };
    if let Some(risks) = risks {
        check_risks(conn, plan_id, risks, &mut e).await?;
    }
    e.into_result()?;
    let mut active: plan_measure::ActiveModel = measure.into();
    active.specialist = Set(specialist);
    active.category = Set(category);
    active.planned_minutes = Set(minutes);
    active.planned_cents = Set(cents);
    let measure = active.update(conn).await?;
    if let Some(risks) = risks {
        measure_risk::Entity::delete_many()
            .filter(measure_risk::Column::MeasureId.eq(measure.id))
            .exec(conn)
            .await?;
        link_risks(conn, &measure, risks).await?;
    }
    let details = Some(format!("measure {measure_id}"));
    record(
        conn,
        actor,
        found.plan.school_id,
        "plan_measure_edit",
        ("plan", plan_id),
        details,
        now,
    )
    .await?;
    Ok(measure)
}

/// Removes a measure with nothing recorded against it yet (no session, no expense).
pub async fn remove_measure(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    plan_id: i32,
    measure_id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let found = editable(conn, actor, plan_id).await?;
    let measure = measure_of(conn, plan_id, measure_id).await?;
    let sessions = consultation_session::Entity::find()
        .filter(consultation_session::Column::MeasureId.eq(measure.id))
        .count(conn)
        .await?;
    let expenses = expense::Entity::find()
        .filter(expense::Column::MeasureId.eq(measure.id))
        .count(conn)
        .await?;
    if sessions + expenses > 0 {
        return Err(Error::Refused("plan-refused-measure-used"));
    }
    measure_risk::Entity::delete_many()
        .filter(measure_risk::Column::MeasureId.eq(measure.id))
        .exec(conn)
        .await?;
    evaluation::Entity::delete_many()
        .filter(evaluation::Column::MeasureId.eq(measure.id))
        .exec(conn)
        .await?;
    plan_measure::Entity::delete_by_id(measure.id).exec(conn).await?;
    let details = Some(format!("measure {measure_id}"));
    record(
        conn,
        actor,
        found.plan.school_id,
        "plan_measure_remove",
        ("plan", plan_id),
        details,
        now,
    )
    .await
}
