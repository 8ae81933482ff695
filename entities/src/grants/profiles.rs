//! Applicant profiles: a registered NGO (registration number, address, contact person) or an
//! informal youth group (at least three members aged 13–25 and a responsible adult contact).
//! A complete profile is needed before an application can be submitted.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

use crate::audit::{self, Entry};
use crate::domain::{Iban, OrgKind, email_field, required_text};
use crate::entity::{group_member, organisation};
use crate::error::{Error, FieldErrors, Result};
use crate::policy::Actor;

pub const MIN_GROUP_MEMBERS: usize = 3;
pub const MIN_AGE: i32 = 13;
pub const MAX_AGE: i32 = 25;

#[derive(Debug, Clone, Default)]
pub struct MemberForm {
    pub name: String,
    pub birth_date: String,
}

/// The profile form as typed.
#[derive(Debug, Clone, Default)]
pub struct ProfileForm {
    pub name: String,
    pub is_informal_group: bool,
    pub reg_no: String,
    pub address: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub iban: String,
    pub members: Vec<MemberForm>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileInput {
    pub name: String,
    pub is_informal_group: bool,
    pub reg_no: Option<String>,
    pub address: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    /// Optional until a grant is to be paid.
    pub iban: Option<Iban>,
    pub members: Vec<(String, NaiveDate)>,
}

/// Whole years from `born` to `on`.
pub fn age(born: NaiveDate, on: NaiveDate) -> i32 {
    let mut years = on.year() - born.year();
    if (on.month(), on.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    years
}

/// A Latvian registration number: 11 digits.
pub fn valid_reg_no(s: &str) -> bool {
    s.len() == 11 && s.chars().all(|c| c.is_ascii_digit())
}

fn phone(raw: &str, field: &str, required: bool, e: &mut FieldErrors) -> Option<String> {
    let s = raw.trim();
    if s.is_empty() {
        if required {
            e.add(field, "error-required");
        }
        return None;
    }
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let ok = (8..=15).contains(&digits)
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'));
    if !ok {
        e.add(field, "error-phone");
    }
    ok.then(|| s.to_owned())
}

impl ProfileForm {
    /// Parses the form, all problems at once; `today` decides the members' ages.
    pub fn parse(&self, today: NaiveDate) -> Result<ProfileInput> {
        let mut e = FieldErrors::new();
        let name = required_text(&self.name, 200, "name", &mut e);
        let contact_name = required_text(&self.contact_name, 200, "contact_name", &mut e);
        let contact_email = email_field(&self.contact_email, "contact_email", &mut e);
        let (reg_no, address, contact_phone, mut members) = if self.is_informal_group {
            let contact_phone = phone(&self.contact_phone, "contact_phone", true, &mut e);
            let mut members = Vec::new();
            for (i, m) in self.members.iter().enumerate() {
                if m.name.trim().is_empty() && m.birth_date.trim().is_empty() {
                    continue;
                }
                let name = required_text(&m.name, 200, &format!("member-{i}-name"), &mut e);
                match crate::time::parse_date(&m.birth_date) {
                    Some(born) if (MIN_AGE..=MAX_AGE).contains(&age(born, today)) => {
                        if let Some(name) = name {
                            members.push((name, born));
                        }
                    }
                    Some(_) => e.add(format!("member-{i}-birth_date"), "error-member-age"),
                    None => e.add(format!("member-{i}-birth_date"), "error-date"),
                }
            }
            if members.len() < MIN_GROUP_MEMBERS
                && !self
                    .members
                    .iter()
                    .enumerate()
                    .any(|(i, _)| e.get(&format!("member-{i}-birth_date")).is_some())
            {
                e.add("members", "error-group-members");
            }
            (None, None, contact_phone, members)
        } else {
            let reg_no = self.reg_no.trim().to_owned();
            if reg_no.is_empty() {
                e.add("reg_no", "error-required");
            } else if !valid_reg_no(&reg_no) {
                e.add("reg_no", "error-reg-no");
            }
            let address = required_text(&self.address, 300, "address", &mut e);
            let contact_phone = phone(&self.contact_phone, "contact_phone", false, &mut e);
            (Some(reg_no), address, contact_phone, Vec::new())
        };
        let iban = match self.iban.trim() {
            "" => None,
            raw => {
                let iban = Iban::parse(raw);
                if iban.is_none() {
                    e.add("iban", "error-iban");
                }
                iban
            }
        };
        e.into_result()?;
        members.truncate(50);
        match (name, contact_name, contact_email) {
            (Some(name), Some(contact_name), Some(contact_email)) => Ok(ProfileInput {
                name,
                is_informal_group: self.is_informal_group,
                reg_no,
                address,
                contact_name,
                contact_email: contact_email.into_inner(),
                contact_phone,
                iban,
                members,
            }),
            _ => Err(Error::Refused("error-required")),
        }
    }
}

pub async fn members(conn: &impl ConnectionTrait, org_id: i32) -> Result<Vec<group_member::Model>> {
    Ok(group_member::Entity::find()
        .filter(group_member::Column::OrgId.eq(org_id))
        .order_by_asc(group_member::Column::Id)
        .all(conn)
        .await?)
}

/// Saves the profile of an NGO the actor is a member of.
pub async fn save(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    org: organisation::Model,
    input: &ProfileInput,
    now: DateTime<Utc>,
) -> Result<organisation::Model> {
    if org.kind != OrgKind::Ngo || !actor.writes_for(org.id) {
        return Err(Error::NotFound);
    }
    let id = org.id;
    let mut active: organisation::ActiveModel = org.into();
    active.name = Set(input.name.clone());
    active.is_informal_group = Set(input.is_informal_group);
    active.reg_no = Set(input.reg_no.clone());
    active.address = Set(input.address.clone());
    active.contact_name = Set(Some(input.contact_name.clone()));
    active.contact_email = Set(Some(input.contact_email.clone()));
    active.contact_phone = Set(input.contact_phone.clone());
    active.iban = Set(input.iban.clone().map(Iban::into_inner));
    let org = active.update(conn).await?;
    group_member::Entity::delete_many()
        .filter(group_member::Column::OrgId.eq(id))
        .exec(conn)
        .await?;
    if !input.members.is_empty() {
        group_member::Entity::insert_many(input.members.iter().map(|(name, born)| group_member::ActiveModel {
            org_id: Set(id),
            name: Set(name.clone()),
            birth_date: Set(*born),
            ..Default::default()
        }))
        .exec(conn)
        .await?;
    }
    audit::record(
        conn,
        Entry::by(actor, Some(id), "profile_update", ("organisation", id.into())),
        now,
    )
    .await?;
    Ok(org)
}

/// Whether the applicant's profile has what an application needs.
pub async fn complete(conn: &impl ConnectionTrait, org: &organisation::Model) -> Result<bool> {
    let contact = org.contact_name.is_some() && org.contact_email.is_some();
    if org.is_informal_group {
        let n = group_member::Entity::find()
            .filter(group_member::Column::OrgId.eq(org.id))
            .count(conn)
            .await?;
        Ok(contact && org.contact_phone.is_some() && n >= MIN_GROUP_MEMBERS as u64)
    } else {
        Ok(contact && org.reg_no.as_deref().is_some_and(valid_reg_no) && org.address.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn ages_count_whole_years() {
        assert_eq!(age(date("2013-11-23"), date("2026-11-22")), 12);
        assert_eq!(age(date("2013-11-22"), date("2026-11-22")), 13);
        assert_eq!(age(date("2000-11-22"), date("2026-11-22")), 26);
    }

    #[test]
    fn an_informal_group_needs_three_members_of_age_and_a_contact() {
        let today = date("2026-11-22");
        let member = |name: &str, born: &str| MemberForm {
            name: name.into(),
            birth_date: born.into(),
        };
        let mut form = ProfileForm {
            name: "Jauniešu grupa „Pumpuri”".into(),
            is_informal_group: true,
            contact_name: "Ilze Liepa".into(),
            contact_email: "ilze@example.lv".into(),
            contact_phone: "+371 2000 0000".into(),
            members: vec![member("Anna", "2010-05-01"), member("Jānis", "2009-01-31")],
            ..Default::default()
        };
        let Err(Error::Invalid(e)) = form.parse(today) else {
            panic!("two members are too few")
        };
        assert_eq!(e.get("members"), Some("error-group-members"));
        form.members.push(member("Pēteris", "2015-01-01"));
        let Err(Error::Invalid(e)) = form.parse(today) else {
            panic!("an 11-year-old is too young")
        };
        assert_eq!(e.get("member-2-birth_date"), Some("error-member-age"));
        form.members[2].birth_date = "01.01.2012".into();
        let input = form.parse(today).map_err(|e| format!("{e:?}"));
        assert_eq!(input.map(|i| (i.members.len(), i.reg_no)), Ok((3, None)));
    }

    #[test]
    fn an_ngo_needs_a_registration_number_and_an_address() {
        let form = ProfileForm {
            name: "Biedrība".into(),
            reg_no: "4000812345".into(),
            contact_name: "A".into(),
            contact_email: "a@b.lv".into(),
            ..Default::default()
        };
        let Err(Error::Invalid(e)) = form.parse(date("2026-11-22")) else {
            panic!("refused")
        };
        assert_eq!(
            (e.get("reg_no"), e.get("address")),
            (Some("error-reg-no"), Some("error-required"))
        );
    }
}
