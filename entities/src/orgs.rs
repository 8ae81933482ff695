//! Organisations: the tree state agency → municipality → school, NGOs beside it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::domain::{OrgKind, Role, required_text};
use crate::entity::{invitation, membership, organisation, user};
use crate::error::{Error, FieldErrors, Result};
use crate::policy::Actor;

/// What an admin types to create a municipality or a school.
#[derive(Debug, Clone)]
pub struct NewOrg {
    pub kind: OrgKind,
    pub parent_id: i32,
    pub name: String,
    pub reg_no: Option<String>,
    pub is_vocational: bool,
}

impl NewOrg {
    /// Parses the admin form. `kind` is `municipality`, `school` or `vocational_school`.
    pub fn parse(kind: &str, parent_id: Option<i32>, name: &str, reg_no: &str) -> Result<Self> {
        let mut errors = FieldErrors::new();
        let kind = match kind {
            "municipality" => Some((OrgKind::Municipality, false)),
            "school" => Some((OrgKind::School, false)),
            "vocational_school" => Some((OrgKind::School, true)),
            _ => {
                errors.add("kind", "error-choose");
                None
            }
        };
        let name = required_text(name, 200, "name", &mut errors);
        let reg_no = reg_no.trim();
        if reg_no.chars().count() > 40 {
            errors.add("reg_no", "error-too-long");
        }
        if matches!(kind, Some((OrgKind::School, false))) && parent_id.is_none() {
            errors.add("parent_id", "error-choose");
        }
        errors.into_result()?;
        let (Some((kind, is_vocational)), Some(name)) = (kind, name) else {
            return Err(Error::Refused("error-choose"));
        };
        Ok(Self {
            kind,
            parent_id: parent_id.unwrap_or_default(),
            name,
            reg_no: (!reg_no.is_empty()).then(|| reg_no.to_owned()),
            is_vocational,
        })
    }
}

/// An organisation, or `NotFound`.
pub async fn get(conn: &impl ConnectionTrait, id: i32) -> Result<organisation::Model> {
    organisation::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)
}

/// An organisation's name ("" for an id that names none).
pub async fn name_of(conn: &impl ConnectionTrait, id: i32) -> Result<String> {
    Ok(organisation::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(|o| o.name)
        .unwrap_or_default())
}

/// Every school, by name (where a pupil may move to).
pub async fn schools(conn: &impl ConnectionTrait) -> Result<Vec<organisation::Model>> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Kind.eq(OrgKind::School))
        .order_by_asc(organisation::Column::Name)
        .all(conn)
        .await?)
}

pub async fn state_agency(conn: &impl ConnectionTrait) -> Result<Option<organisation::Model>> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Kind.eq(OrgKind::StateAgency))
        .order_by_asc(organisation::Column::Id)
        .one(conn)
        .await?)
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    kind: OrgKind,
    parent_id: Option<i32>,
    name: &str,
    reg_no: Option<String>,
    is_vocational: bool,
    now: DateTime<Utc>,
) -> Result<organisation::Model> {
    Ok(organisation::ActiveModel {
        kind: Set(kind),
        parent_id: Set(parent_id),
        name: Set(name.to_owned()),
        reg_no: Set(reg_no),
        is_vocational: Set(is_vocational),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// Creates a municipality or school. Municipalities and state vocational schools hang under the
/// state agency; other schools under the municipality chosen.
pub async fn create(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    new: NewOrg,
    now: DateTime<Utc>,
) -> Result<organisation::Model> {
    if !actor.can_manage_orgs() {
        return Err(Error::NotFound);
    }
    let agency = state_agency(conn)
        .await?
        .ok_or(Error::Refused("error-no-state-agency"))?;
    let parent_id = if new.kind == OrgKind::Municipality || new.is_vocational {
        agency.id
    } else {
        let parent = organisation::Entity::find_by_id(new.parent_id).one(conn).await?;
        match parent {
            Some(p) if p.kind == OrgKind::Municipality => p.id,
            _ => return Err(FieldErrors::single("parent_id", "error-choose")),
        }
    };
    insert(
        conn,
        new.kind,
        Some(parent_id),
        &new.name,
        new.reg_no,
        new.is_vocational,
        now,
    )
    .await
}

pub async fn rename(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    org: organisation::Model,
    name: &str,
) -> Result<organisation::Model> {
    if !actor.can_manage_orgs() {
        return Err(Error::NotFound);
    }
    let mut errors = FieldErrors::new();
    let name = required_text(name, 200, "name", &mut errors);
    errors.into_result()?;
    let mut active: organisation::ActiveModel = org.into();
    active.name = Set(name.unwrap_or_default());
    Ok(active.update(conn).await?)
}

/// A row of an organisation list, with its parent's name.
#[derive(Debug, Clone)]
pub struct OrgRow {
    pub org: organisation::Model,
    pub parent: Option<organisation::Model>,
}

/// The organisations' list pages like every long list.
pub use crate::listing::PAGE_SIZE;

/// The organisations the actor may see, optionally of one kind, a page at a time (three
/// queries: count, page, parents).
pub async fn list_visible(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    kind: Option<OrgKind>,
    page: u64,
) -> Result<(Vec<OrgRow>, u64)> {
    let mut q = organisation::Entity::find().filter(actor.org_scope());
    if let Some(kind) = kind {
        q = q.filter(organisation::Column::Kind.eq(kind));
    }
    let total = q.clone().count(conn).await?;
    let orgs = q
        .order_by_asc(organisation::Column::Kind)
        .order_by_asc(organisation::Column::Name)
        .order_by_asc(organisation::Column::Id)
        .offset(page.saturating_sub(1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(conn)
        .await?;
    let parent_ids: Vec<i32> = orgs.iter().filter_map(|o| o.parent_id).collect();
    let parents = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(parent_ids))
        .all(conn)
        .await?;
    let rows = orgs
        .into_iter()
        .map(|org| {
            let parent = parents.iter().find(|p| Some(p.id) == org.parent_id).cloned();
            OrgRow { org, parent }
        })
        .collect();
    Ok((rows, total))
}

/// Every municipality, for the admin's "new school" form.
pub async fn municipalities(conn: &impl ConnectionTrait) -> Result<Vec<organisation::Model>> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Kind.eq(OrgKind::Municipality))
        .order_by_asc(organisation::Column::Name)
        .all(conn)
        .await?)
}

pub async fn children(conn: &impl ConnectionTrait, id: i32) -> Result<Vec<organisation::Model>> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::ParentId.eq(id))
        .order_by_asc(organisation::Column::Name)
        .all(conn)
        .await?)
}

/// A member of an organisation: the user and their role there.
#[derive(Debug, Clone)]
pub struct Member {
    pub role: Role,
    pub name: String,
    pub email: String,
}

pub async fn members(conn: &impl ConnectionTrait, org_id: i32) -> Result<Vec<Member>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::OrgId.eq(org_id))
        .find_also_related(user::Entity)
        .order_by_asc(membership::Column::Role)
        .order_by_asc(membership::Column::Id)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, u)| {
            u.map(|u| Member {
                role: m.role,
                name: u.name,
                email: u.email,
            })
        })
        .collect())
}

/// Invitations to `org` not yet accepted and not expired.
pub async fn open_invitations(
    conn: &impl ConnectionTrait,
    org_id: i32,
    now: DateTime<Utc>,
) -> Result<Vec<invitation::Model>> {
    Ok(invitation::Entity::find()
        .filter(invitation::Column::OrgId.eq(org_id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(now))
        .order_by_desc(invitation::Column::Id)
        .all(conn)
        .await?)
}

/// How many organisations of each kind exist (for the admin's home page).
pub async fn count_by_kind(conn: &impl ConnectionTrait, kind: OrgKind) -> Result<u64> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Kind.eq(kind))
        .count(conn)
        .await?)
}
