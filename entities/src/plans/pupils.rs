//! A school's pupils and the staff who work with them: registering and correcting them, moving
//! a school's pupils up a class at the school year's change, a pupil's move to another school,
//! the director's grants to staff, assigning support staff to a pupil.

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
    check_pupil((name, class_name, birth_date), now)?;
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

/// A pupil's data as the forms take it: a name and a class (or course), a date of birth in the past.
fn check_pupil((name, class_name, birth_date): (&str, &str, NaiveDate), now: DateTime<Utc>) -> Result<()> {
    let mut e = FieldErrors::new();
    if name.trim().is_empty() || name.chars().count() > 200 {
        e.add("name", "error-required");
    }
    if class_name.trim().is_empty() || class_name.chars().count() > 40 {
        e.add("class_name", "error-required");
    }
    if birth_date >= now.date_naive() {
        e.add("birth_date", "error-birth-date");
    } else if !plausible_birth(class_name, birth_date, now.date_naive()) {
        e.add("birth_date", "error-birth-date-implausible");
    }
    e.into_result()
}

/// Whether `birth` (in the past) fits a pupil of `class_name` on `today`: in grades 5 to 12,
/// aged from the grade + 4 to the grade + 9 years (a 9th-grader is 13 to 18); in a vocational
/// course 1 to 4 ("2. kurss"), 14 to 30; in a class named otherwise, 9 to 30.
pub fn plausible_birth(class_name: &str, birth: NaiveDate, today: NaiveDate) -> bool {
    let Some(age) = today.years_since(birth) else {
        return false;
    };
    let lower = class_name.to_lowercase();
    let course = lower.contains("kurs") || lower.contains("course");
    let (youngest, oldest) = match (class_number(class_name), course) {
        (Some(1..=4), true) => (14, 30),
        (Some(grade @ 5..=12), false) => (grade + 4, grade + 9),
        _ => (9, 30),
    };
    (youngest..=oldest).contains(&age)
}

/// A pupil of a school whose pupils the actor may register (and so correct).
async fn correctable(conn: &impl ConnectionTrait, actor: &Actor, pupil_id: i32) -> Result<pupil::Model> {
    pupil::Entity::find_by_id(pupil_id)
        .one(conn)
        .await?
        .filter(|p| actor.may_register_pupils(p.school_id))
        .ok_or(Error::NotFound)
}

/// Corrects a pupil's name, class or date of birth: whoever may register the school's pupils.
/// The audit names the fields changed, never their values.
pub async fn correct_pupil(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    pupil_id: i32,
    (name, class_name, birth_date): (&str, &str, NaiveDate),
    now: DateTime<Utc>,
) -> Result<pupil::Model> {
    let found = correctable(conn, actor, pupil_id).await?;
    check_pupil((name, class_name, birth_date), now)?;
    let (name, class_name) = (name.trim(), class_name.trim());
    let changed: Vec<&str> = [
        (found.name != name, "name"),
        (found.class_name != class_name, "class"),
        (found.birth_date != birth_date, "birth date"),
    ]
    .into_iter()
    .filter_map(|(changed, field)| changed.then_some(field))
    .collect();
    if changed.is_empty() {
        return Ok(found);
    }
    let school_id = found.school_id;
    let mut active: pupil::ActiveModel = found.into();
    active.name = Set(name.to_owned());
    active.class_name = Set(class_name.to_owned());
    active.birth_date = Set(birth_date);
    let pupil = active.update(conn).await?;
    let details = Some(format!("changed: {}", changed.join(", ")));
    record(
        conn,
        actor,
        school_id,
        "pupil_correct",
        ("pupil", pupil.id),
        details,
        now,
    )
    .await?;
    Ok(pupil)
}

/// The class a pupil moves up to at the school year's change: the leading number one higher
/// ("5.a" → "6.a", "1. kurss" → "2. kurss"); none for the last class (12) or a class without a
/// leading number.
pub fn next_class(class_name: &str) -> Option<String> {
    let n = class_number(class_name)?;
    let trimmed = class_name.trim_start();
    let rest = trimmed.trim_start_matches(|c: char| c.is_ascii_digit());
    (n < 12).then(|| format!("{}{rest}", n + 1))
}

/// The number a class name starts with ("5.a" → 5).
fn class_number(class_name: &str) -> Option<u32> {
    let digits: String = class_name
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The school's pupils by class with the class each moves up to (none: stays): what
/// [`promote`] would do. The director only.
pub async fn promotion(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    school_id: i32,
) -> Result<Vec<(String, Option<String>, u64)>> {
    if !actor.holds(Role::Director, school_id) {
        return Err(Error::NotFound);
    }
    let classes: Vec<(String, i64)> = pupil::Entity::find()
        .select_only()
        .column(pupil::Column::ClassName)
        .column_as(pupil::Column::Id.count(), "n")
        .filter(pupil::Column::SchoolId.eq(school_id))
        .group_by(pupil::Column::ClassName)
        .into_tuple()
        .all(conn)
        .await?;
    let mut rows: Vec<(String, Option<String>, u64)> = classes
        .into_iter()
        .map(|(class, n)| {
            let next = next_class(&class);
            (class, next, u64::try_from(n).unwrap_or(0))
        })
        .collect();
    rows.sort_by_key(|(class, _, _)| {
        (
            class_number(class).unwrap_or(u32::MAX),
            crate::domain::ascii_fold(class),
        )
    });
    Ok(rows)
}

/// How long after one promotion the next is refused (a second click, not a second year).
const PROMOTION_GAP_DAYS: i64 = 200;

/// Moves every pupil of the school up a class (the director, once a school year): one statement
/// per class, the highest first so that no pupil moves twice; one audit record. Returns how many
/// pupils moved.
pub async fn promote(conn: &impl ConnectionTrait, actor: &Actor, school_id: i32, now: DateTime<Utc>) -> Result<u64> {
    let rows = promotion(conn, actor, school_id).await?;
    let recent = crate::entity::audit_log::Entity::find()
        .filter(crate::entity::audit_log::Column::Action.eq("pupil_promote"))
        .filter(crate::entity::audit_log::Column::OrgId.eq(school_id))
        .filter(crate::entity::audit_log::Column::At.gt(now - chrono::Duration::days(PROMOTION_GAP_DAYS)))
        .count(conn)
        .await?;
    if recent > 0 {
        return Err(Error::Refused("error-promoted-already"));
    }
    let mut moves: Vec<(u32, String, String)> = rows
        .into_iter()
        .filter_map(|(class, next, _)| Some((class_number(&class)?, class, next?)))
        .collect();
    moves.sort_by_key(|(n, _, _)| std::cmp::Reverse(*n));
    let mut moved = 0;
    for (_, class, next) in moves {
        moved += pupil::Entity::update_many()
            .col_expr(pupil::Column::ClassName, Expr::value(next))
            .filter(pupil::Column::SchoolId.eq(school_id))
            .filter(pupil::Column::ClassName.eq(class))
            .exec(conn)
            .await?
            .rows_affected;
    }
    record(
        conn,
        actor,
        school_id,
        "pupil_promote",
        ("organisation", school_id),
        Some(format!("{moved} pupils")),
        now,
    )
    .await?;
    Ok(moved)
}

/// The transfer of `pupil_id` waiting for the receiving school, if any.
pub async fn pending_transfer(conn: &impl ConnectionTrait, pupil_id: i32) -> Result<Option<pupil_transfer::Model>> {
    Ok(pupil_transfer::Entity::find()
        .filter(pupil_transfer::Column::PupilId.eq(pupil_id))
        .filter(pupil_transfer::Column::DecidedAt.is_null())
        .one(conn)
        .await?)
}

/// The director asks another school to take a pupil over; nothing moves until that school's
/// director accepts.
pub async fn request_transfer(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    pupil_id: i32,
    to_school_id: i32,
    now: DateTime<Utc>,
) -> Result<pupil_transfer::Model> {
    let found = pupil::Entity::find_by_id(pupil_id)
        .one(conn)
        .await?
        .filter(|p| actor.holds(Role::Director, p.school_id))
        .ok_or(Error::NotFound)?;
    let to = organisation::Entity::find_by_id(to_school_id)
        .filter(organisation::Column::Kind.eq(crate::domain::OrgKind::School))
        .one(conn)
        .await?
        .filter(|o| o.id != found.school_id);
    let Some(to) = to else {
        return Err(FieldErrors::single("to_school", "error-transfer-school"));
    };
    if pending_transfer(conn, found.id).await?.is_some() {
        return Err(Error::Refused("error-transfer-pending"));
    }
    let transfer = pupil_transfer::ActiveModel {
        pupil_id: Set(found.id),
        from_school_id: Set(found.school_id),
        to_school_id: Set(to.id),
        requested_by: Set(actor.user.id),
        requested_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let details = Some(format!("to school {}", to.id));
    record(
        conn,
        actor,
        found.school_id,
        "pupil_transfer_ask",
        ("pupil", found.id),
        details,
        now,
    )
    .await?;
    Ok(transfer)
}

/// Transfers waiting for the school's director: each with its pupil and the school it comes from
/// (the read audited).
pub async fn incoming_transfers(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    school_id: i32,
    now: DateTime<Utc>,
) -> Result<Vec<(pupil_transfer::Model, pupil::Model, String)>> {
    if !actor.holds(Role::Director, school_id) {
        return Ok(Vec::new());
    }
    let transfers = pupil_transfer::Entity::find()
        .filter(pupil_transfer::Column::ToSchoolId.eq(school_id))
        .filter(pupil_transfer::Column::DecidedAt.is_null())
        .order_by_asc(pupil_transfer::Column::RequestedAt)
        .all(conn)
        .await?;
    if transfers.is_empty() {
        return Ok(Vec::new());
    }
    let pupils = pupil::Entity::find()
        .filter(pupil::Column::Id.is_in(transfers.iter().map(|t| t.pupil_id)))
        .all(conn)
        .await?;
    let schools = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(transfers.iter().map(|t| t.from_school_id)))
        .all(conn)
        .await?;
    record(
        conn,
        actor,
        school_id,
        "transfers_view",
        ("organisation", school_id),
        Some(format!("{} pupils", pupils.len())),
        now,
    )
    .await?;
    Ok(transfers
        .into_iter()
        .filter_map(|t| {
            let p = pupils.iter().find(|p| p.id == t.pupil_id)?.clone();
            let from = schools.iter().find(|s| s.id == t.from_school_id)?.name.clone();
            Some((t, p, from))
        })
        .collect())
}

/// The receiving director accepts (the pupil becomes the school's; earlier plans stay with the
/// school that wrote them) or declines a transfer. Audited at both schools.
pub async fn decide_transfer(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    transfer_id: i32,
    accept: bool,
    now: DateTime<Utc>,
) -> Result<pupil_transfer::Model> {
    let t = pupil_transfer::Entity::find_by_id(transfer_id)
        .one(conn)
        .await?
        .filter(|t| actor.holds(Role::Director, t.to_school_id))
        .ok_or(Error::NotFound)?;
    if t.decided_at.is_some() {
        return Err(Error::Refused("error-transfer-decided"));
    }
    let (from, to, pupil_id) = (t.from_school_id, t.to_school_id, t.pupil_id);
    let mut active: pupil_transfer::ActiveModel = t.into();
    active.decided_by = Set(Some(actor.user.id));
    active.decided_at = Set(Some(now));
    active.accepted = Set(Some(accept));
    let t = active.update(conn).await?;
    if accept {
        pupil::Entity::update_many()
            .col_expr(pupil::Column::SchoolId, Expr::value(to))
            .filter(pupil::Column::Id.eq(pupil_id))
            .filter(pupil::Column::SchoolId.eq(from))
            .exec(conn)
            .await?;
    }
    let action = if accept {
        "pupil_transfer_accept"
    } else {
        "pupil_transfer_decline"
    };
    for school in [from, to] {
        let details = Some(format!("from school {from} to school {to}"));
        record(conn, actor, school, action, ("pupil", pupil_id), details, now).await?;
    }
    Ok(t)
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

#[cfg(test)]
mod tests {
    use super::{next_class, plausible_birth};
    use chrono::NaiveDate;

    #[test]
    fn a_birth_date_must_fit_the_pupils_class_or_course() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).expect("date");
        let born = |y| NaiveDate::from_ymd_opt(y, 3, 1).expect("date");
        for (class, year) in [
            ("9.a", 2011),
            ("9.a", 2013),
            ("9.a", 2008),
            ("5.b", 2015),
            ("12.c", 2008),
            ("2. kurss", 2008),
            ("1. kurss", 1998),
            ("PII", 2012),
        ] {
            assert!(plausible_birth(class, born(year), today), "{class} {year}");
        }
        for (class, year) in [
            ("9.a", 2020),
            ("9.a", 2007),
            ("9.a", 2014),
            ("5.b", 2019),
            ("2. kurss", 2015),
            ("1. kurss", 1990),
            ("PII", 1980),
            ("7.c", 2027),
        ] {
            assert!(!plausible_birth(class, born(year), today), "{class} {year}");
        }
    }

    #[test]
    fn a_class_moves_up_by_its_leading_number_and_the_last_class_stays() {
        for (now, next) in [
            ("5.a", Some("6.a")),
            ("1. kurss", Some("2. kurss")),
            ("9B", Some("10B")),
            ("11.c", Some("12.c")),
        ] {
            assert_eq!(next_class(now).as_deref(), next, "{now}");
        }
        for last in ["12.a", "PII", "", "3. grupa (13)"] {
            let expected = (last == "3. grupa (13)").then(|| "4. grupa (13)".to_owned());
            assert_eq!(next_class(last), expected, "{last}");
        }
    }
}
