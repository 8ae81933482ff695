//! A school's pupils and the staff who work with them: registering, the director's grants to
//! staff, assigning support staff to a pupil.

use super::*;

/// Registers a pupil of `school_id` (its director only), with minimal data.
pub async fn register_pupil(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    school_id: i32,
    (name, class_name, birth_date): (&str, &str, NaiveDate),
    now: DateTime<Utc>,
) -> Result<pupil::Model> {
    if !actor.may_register_pupils(school_id) {
        return Err(Error::NotFound);
    }
    let mut e = FieldErrors::new();
    if name.trim().is_empty() || name.chars().count() > 200 {
        e.add("name", "error-required");
    }
    if class_name.trim().is_empty() || class_name.chars().count() > 40 {
        e.add("class_name", "error-required");
    }
    if birth_date >= now.date_naive() {
        e.add("birth_date", "error-birth-date");
    }
    e.into_result()?;
    let pupil = pupil::ActiveModel {
        school_id: Set(school_id),
        name: Set(name.trim().to_owned()),
        class_name: Set(class_name.trim().to_owned()),
        birth_date: Set(birth_date),
        created_by: Set(actor.user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    // Support staff who register a pupil they could not otherwise see write their plan.
    if actor.holds(Role::SupportStaff, school_id) && !actor.sees_all_pupils(school_id) {
        link_staff(conn, pupil.id, actor.user.id).await?;
    }
    record(conn, actor, school_id, "pupil_register", ("pupil", pupil.id), None, now).await?;
    Ok(pupil)
}

async fn link_staff(conn: &impl ConnectionTrait, pupil_id: i32, user_id: i32) -> Result<()> {
    pupil_staff::Entity::insert(pupil_staff::ActiveModel {
        pupil_id: Set(pupil_id),
        user_id: Set(user_id),
        ..Default::default()
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::columns([pupil_staff::Column::PupilId, pupil_staff::Column::UserId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// What the director allows a member of the school's staff (membership `membership_id`):
/// registering pupils, and (support staff) seeing every pupil of the school.
pub async fn set_staff_grants(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    school_id: i32,
    membership_id: i32,
    (may_register, sees_all): (bool, bool),
    now: DateTime<Utc>,
) -> Result<()> {
    if !actor.holds(Role::Director, school_id) {
        return Err(Error::NotFound);
    }
    let m = membership::Entity::find_by_id(membership_id)
        .filter(crate::policy::granted_staff(school_id).memberships())
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let sees_all = sees_all && m.role == Role::SupportStaff;
    let mut active: membership::ActiveModel = m.into();
    active.may_register_pupils = Set(may_register);
    active.sees_all_pupils = Set(sees_all);
    let m = active.update(conn).await?;
    audit::record(
        conn,
        Entry::by(actor, Some(school_id), "staff_grants", ("membership", m.id.into()))
            .details(Some(format!("register {may_register}, all pupils {sees_all}"))),
        now,
    )
    .await
}

/// Assigns a member of the school's support staff to a pupil (the director does).
pub async fn assign(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    pupil_id: i32,
    staff: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    let pupil = pupil::Entity::find_by_id(pupil_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if !actor.holds(Role::Director, pupil.school_id) {
        return Err(Error::NotFound);
    }
    if !staff.holds(Role::SupportStaff, pupil.school_id) {
        return Err(Error::Refused("plan-refused-not-school-staff"));
    }
    link_staff(conn, pupil.id, staff.user.id).await?;
    let details = format!("user {}", staff.user.id);
    record(
        conn,
        actor,
        pupil.school_id,
        "pupil_assign",
        ("pupil", pupil.id),
        Some(details),
        now,
    )
    .await
}

pub(crate) async fn is_assigned(conn: &impl ConnectionTrait, actor: &Actor, pupil_id: i32) -> Result<bool> {
    Ok(pupil_staff::Entity::find()
        .filter(pupil_staff::Column::PupilId.eq(pupil_id))
        .filter(pupil_staff::Column::UserId.eq(actor.user.id))
        .count(conn)
        .await?
        > 0)
}
