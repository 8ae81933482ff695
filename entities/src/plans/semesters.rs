//! Semesters: made on the newest catalogue with a per-pupil cap, closed by an administrator
//! (their documents go to the archive), and the indirect hours of a school's staff in one.

use super::*;

/// A semester on the newest catalogue version, with its per-pupil cap.
pub async fn create_semester(
    conn: &impl ConnectionTrait,
    school_year: i32,
    half: i16,
    dates: (NaiveDate, NaiveDate),
    cap: Eur,
    now: DateTime<Utc>,
) -> Result<semester::Model> {
    let mut e = FieldErrors::new();
    if !(1..=2).contains(&half) {
        e.add("half", "error-semester-half");
    }
    if dates.1 <= dates.0 {
        e.add("ends_on", "error-semester-dates");
    }
    if cap.cents() <= 0 {
        e.add("cap", "error-semester-cap");
    }
    e.into_result()?;
    let catalogue_id = newest_catalogue(conn, now).await?.id;
    Ok(semester::ActiveModel {
        school_year: Set(school_year),
        half: Set(half),
        starts_on: Set(dates.0),
        ends_on: Set(dates.1),
        cap_cents: Set(cap.cents()),
        catalogue_id: Set(catalogue_id),
        closed_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// Closes a semester (an administrator): no new plans or expenses, and its documents are
/// queued for the archive.
pub async fn close_semester(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    semester_id: i32,
    now: DateTime<Utc>,
) -> Result<semester::Model> {
    if !actor.is_admin() {
        return Err(Error::NotFound);
    }
    let found = semester::Entity::find_by_id(semester_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if found.closed_at.is_some() {
        return Err(Error::Refused("semester-refused-closed"));
    }
    let mut active: semester::ActiveModel = found.into();
    active.closed_at = Set(Some(now));
    let closed = active.update(conn).await?;
    crate::outbox::enqueue_for_semester(conn, closed.id, now).await?;
    audit::record(
        conn,
        Entry::by(actor, None, "semester_close", ("semester", closed.id.into())),
        now,
    )
    .await?;
    Ok(closed)
}

/// Roles of staff involved indirectly.
pub const INDIRECT_ROLES: [&str; 4] = ["director", "class_teacher", "accountant", "other"];

/// Records minutes of indirectly involved staff for a school and semester (its director).
pub async fn record_indirect_hours(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    school_id: i32,
    semester_id: i32,
    (staff_role, minutes): (&str, i32),
    now: DateTime<Utc>,
) -> Result<indirect_hours::Model> {
    if !actor.holds(Role::Director, school_id) {
        return Err(Error::NotFound);
    }
    let semester = semester::Entity::find_by_id(semester_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let mut e = FieldErrors::new();
    if !INDIRECT_ROLES.contains(&staff_role) {
        e.add("staff_role", "error-staff-role");
    }
    if !(1..=60 * 1000).contains(&minutes) {
        e.add("minutes", "error-minutes");
    }
    e.into_result()?;
    let row = indirect_hours::ActiveModel {
        school_id: Set(school_id),
        semester_id: Set(semester.id),
        staff_role: Set(staff_role.to_owned()),
        minutes: Set(minutes),
        recorded_by: Set(actor.user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    record(
        conn,
        actor,
        school_id,
        "indirect_hours",
        ("semester", semester.id),
        Some(format!("{staff_role} {minutes}")),
        now,
    )
    .await?;
    Ok(row)
}
