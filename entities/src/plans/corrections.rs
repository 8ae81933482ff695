//! Carrying a plan into another semester, and corrections of a plan while it can change (a draft, or under revision): a risk's
//! justification, a measure's plan and the risks it addresses, and removing either. Each is
//! audited against the plan (ids only). An approved plan changes only through revision.

use std::collections::HashMap;

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

/// Carries a plan into another (open) semester as a new draft: its risks (matched by code in
/// that semester's catalogue; a risk the catalogue no longer has is left out) and its measures
/// with the risks they address; a fresh consent and approval are needed. The earlier plan and
/// its history stay as they are. Returns the new plan and how many risks were left out.
pub async fn carry_over(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    plan_id: i32,
    semester_id: i32,
    now: DateTime<Utc>,
) -> Result<(plan::Model, usize)> {
    let found = find(conn, actor, plan_id).await?;
    if !found.staff {
        return Err(Error::NotFound);
    }
    let pupil = pupil::Entity::find_by_id(found.plan.pupil_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if pupil.school_id != found.plan.school_id {
        return Err(Error::Refused("plan-refused-pupil-moved"));
    }
    if semester_id == found.plan.semester_id {
        return Err(FieldErrors::single("semester_id", "error-plan-exists"));
    }
    let new = start_plan(conn, actor, pupil.id, semester_id, now).await?;
    let mut active: plan::ActiveModel = new.into();
    active.carried_from_id = Set(Some(found.plan.id));
    let new = active.update(conn).await?;

    // The risks, by code, into the new semester's catalogue.
    let risks = plan_risk::Entity::find()
        .filter(plan_risk::Column::PlanId.eq(found.plan.id))
        .order_by_asc(plan_risk::Column::Id)
        .all(conn)
        .await?;
    let old_codes: HashMap<i32, String> = risk::Entity::find()
        .filter(risk::Column::Id.is_in(risks.iter().map(|r| r.risk_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.id, r.code))
        .collect();
    let semester = semester::Entity::find_by_id(semester_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let new_ids: HashMap<String, i32> = risk::Entity::find()
        .filter(
            risk::Column::GroupId.in_subquery(
                Query::select()
                    .column(risk_group::Column::Id)
                    .from(risk_group::Entity)
                    .and_where(risk_group::Column::CatalogueId.eq(semester.catalogue_id))
                    .to_owned(),
            ),
        )
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.code, r.id))
        .collect();
    let mut mapped: HashMap<i32, i32> = HashMap::new();
    let mut left_out = 0;
    for r in &risks {
        let Some(risk_id) = old_codes.get(&r.risk_id).and_then(|code| new_ids.get(code)) else {
            left_out += 1;
            continue;
        };
        let copy = plan_risk::ActiveModel {
            plan_id: Set(new.id),
            risk_id: Set(*risk_id),
            justification: Set(r.justification.clone()),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        mapped.insert(r.id, copy.id);
    }

    // The measures, with the risks they address that came along.
    let measures = plan_measure::Entity::find()
        .filter(plan_measure::Column::PlanId.eq(found.plan.id))
        .order_by_asc(plan_measure::Column::Id)
        .all(conn)
        .await?;
    let links = measure_risk::Entity::find()
        .filter(measure_risk::Column::MeasureId.is_in(measures.iter().map(|m| m.id)))
        .all(conn)
        .await?;
    for m in measures {
        let addressed: Vec<i32> = links
            .iter()
            .filter(|l| l.measure_id == m.id)
            .filter_map(|l| mapped.get(&l.plan_risk_id).copied())
            .collect();
        if m.kind != MeasureKind::Supervision && addressed.is_empty() {
            continue;
        }
        let copy = plan_measure::ActiveModel {
            plan_id: Set(new.id),
            kind: Set(m.kind),
            specialist: Set(m.specialist),
            category: Set(m.category),
            planned_minutes: Set(m.planned_minutes),
            planned_cents: Set(m.planned_cents),
            note: Set(m.note),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        if !addressed.is_empty() {
            link_risks(conn, &copy, &addressed).await?;
        }
    }
    let details = Some(format!("from plan {}", found.plan.id));
    record(conn, actor, new.school_id, "plan_carry", ("plan", new.id), details, now).await?;
    Ok((new, left_out))
}
