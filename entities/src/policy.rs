//! The one authorisation module. Every permission is a function of the actor's memberships and
//! the organisation tree — never of a flag on the user. Handlers call a policy function for each
//! resource; lists are filtered in SQL by the same scope (`org_scope`), not after loading.

use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::domain::{OrgKind, Role};
use crate::entity::{membership, organisation, user};
use crate::error::{Error, Result};

/// One membership of the actor, with its organisation.
#[derive(Debug, Clone)]
pub struct Grant {
    pub membership_id: i32,
    pub role: Role,
    pub org: organisation::Model,
    /// School staff allowed by the director to register pupils.
    pub may_register_pupils: bool,
    /// Support staff allowed by the director to see every pupil of the school.
    pub sees_all_pupils: bool,
}

/// The person making a request, with every membership they hold.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: user::Model,
    pub grants: Vec<Grant>,
}

impl Actor {
    /// Loads the memberships of `user` with their organisations in one query.
    pub async fn load(conn: &impl ConnectionTrait, user: user::Model) -> Result<Self> {
        let rows = membership::Entity::find()
            .filter(membership::Column::UserId.eq(user.id))
            .find_also_related(organisation::Entity)
            .order_by_asc(membership::Column::Role)
            .order_by_asc(membership::Column::Id)
            .all(conn)
            .await?;
        let mut grants: Vec<Grant> = rows
            .into_iter()
            .filter_map(|(m, org)| {
                Some(Grant {
                    membership_id: m.id,
                    role: m.role,
                    org: org?,
                    may_register_pupils: m.may_register_pupils,
                    sees_all_pupils: m.sees_all_pupils,
                })
            })
            .collect();
        grants.sort_by_key(|g| (g.role, g.membership_id));
        Ok(Self { user, grants })
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    pub fn holds(&self, role: Role, org_id: i32) -> bool {
        self.grants.iter().any(|g| g.role == role && g.org.id == org_id)
    }

    pub fn is_admin(&self) -> bool {
        self.has_role(Role::Admin)
    }

    /// Whether a session of this person must pass the second factor: they hold a role that
    /// can see pupil data.
    pub fn needs_second_factor(&self) -> bool {
        self.grants.iter().any(|g| g.role.sees_pupil_data())
    }

    fn grant(&self, role: Role, org_id: i32) -> Option<&Grant> {
        self.grants.iter().find(|g| g.role == role && g.org.id == org_id)
    }

    fn org_ids_with(&self, roles: &[Role]) -> Vec<i32> {
        self.grants
            .iter()
            .filter(|g| roles.contains(&g.role))
            .map(|g| g.org.id)
            .collect()
    }

    /// The organisations whose pages (details, members, invitations) the actor may see, as an SQL
    /// condition on `organisations`: an admin sees every organisation; a coordinator their
    /// municipality and its schools; school staff and NGO members their own organisation; a
    /// state reviewer the state agency. Panel members see no organisation page.
    pub fn org_scope(&self) -> Condition {
        if self.is_admin() {
            return Condition::all();
        }
        let municipalities = self.org_ids_with(&[Role::Coordinator]);
        let own = self.org_ids_with(&[
            Role::StateReviewer,
            Role::Director,
            Role::SupportStaff,
            Role::Accountant,
            Role::NgoMember,
        ]);
        Condition::any()
            .add(organisation::Column::Id.is_in(municipalities.clone()))
            .add(organisation::Column::ParentId.is_in(municipalities))
            .add(organisation::Column::Id.is_in(own))
    }

    /// Renaming an organisation and creating municipalities and schools is the admin's job.
    pub fn can_manage_orgs(&self) -> bool {
        self.is_admin()
    }

    /// The roles the actor may invite people to at `org`: admin → admins and state reviewers at
    /// the agency, coordinators at a municipality, directors at a school; coordinator → panel
    /// members and accountants (who pay its grants) of their municipality; director → school staff; NGO member → fellow members.
    pub fn invitable_roles(&self, org: &organisation::Model) -> Vec<Role> {
        let mut roles = Vec::new();
        if self.is_admin() {
            match org.kind {
                OrgKind::StateAgency => roles.extend([Role::Admin, Role::StateReviewer]),
                OrgKind::Municipality => roles.push(Role::Coordinator),
                OrgKind::School => roles.push(Role::Director),
                OrgKind::Ngo => {}
            }
        }
        if org.kind == OrgKind::Municipality && self.holds(Role::Coordinator, org.id) {
            roles.extend([Role::PanelMember, Role::Accountant]);
        }
        if org.kind == OrgKind::School && self.holds(Role::Director, org.id) {
            roles.extend([Role::Director, Role::SupportStaff, Role::Accountant]);
        }
        if org.kind == OrgKind::Ngo && self.holds(Role::NgoMember, org.id) {
            roles.push(Role::NgoMember);
        }
        roles.sort();
        roles.dedup();
        roles
    }

    pub fn can_invite(&self, org: &organisation::Model, role: Role) -> bool {
        self.invitable_roles(org).contains(&role)
    }
}

/// Loads an organisation the actor may see, or `NotFound` — a page of someone else's
/// organisation does not exist for the actor.
pub async fn visible_org(conn: &impl ConnectionTrait, actor: &Actor, id: i32) -> Result<organisation::Model> {
    organisation::Entity::find_by_id(id)
        .filter(actor.org_scope())
        .one(conn)
        .await?
        .ok_or(Error::NotFound)
}

/// A "who": the holders of one of `roles` in one organisation, or in any (`org_id: None`).
/// Each question of who may or must act is answered once, below, as one of these; it answers
/// for a person in Rust (`includes`) and for lists as an SQL condition on memberships
/// (`memberships`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holders {
    pub roles: &'static [Role],
    pub org_id: Option<i32>,
}

impl Holders {
    /// Whether the actor is one of them.
    pub fn includes(&self, actor: &Actor) -> bool {
        actor
            .grants
            .iter()
            .any(|g| self.roles.contains(&g.role) && self.org_id.is_none_or(|id| id == g.org.id))
    }

    /// Their memberships, as a condition on `memberships`.
    pub fn memberships(&self) -> Condition {
        let mut c = Condition::all().add(membership::Column::Role.is_in(self.roles.iter().copied()));
        if let Some(id) = self.org_id {
            c = c.add(membership::Column::OrgId.eq(id));
        }
        c
    }
}

/// Who works at a school: its director, support staff and accountants.
pub fn school_staff(school_id: i32) -> Holders {
    Holders {
        roles: &[Role::Director, Role::SupportStaff, Role::Accountant],
        org_id: Some(school_id),
    }
}

/// Staff a director grants more to (registering pupils; support staff also seeing every pupil):
/// the school's support staff and accountants.
pub fn granted_staff(school_id: i32) -> Holders {
    Holders {
        roles: &[Role::SupportStaff, Role::Accountant],
        org_id: Some(school_id),
    }
}

/// The roles that write an applicant's applications and keep its profile.
const APPLICANT_WRITERS: &[Role] = &[Role::NgoMember];

/// Who writes an applicant's (an NGO's or informal group's) applications, keeps its profile and
/// hears of its deadlines: its members.
pub fn applicant_writers(applicant_id: i32) -> Holders {
    Holders {
        roles: APPLICANT_WRITERS,
        org_id: Some(applicant_id),
    }
}

/// The writers of any of `applicants`, as a condition on `memberships` (for a list of them).
pub fn applicant_writers_among(applicants: Vec<i32>) -> Condition {
    Condition::all()
        .add(membership::Column::Role.is_in(APPLICANT_WRITERS.iter().copied()))
        .add(membership::Column::OrgId.is_in(applicants))
}

/// Who a coordinator may name to a call's panel: the panel members of its municipality.
pub fn panel_candidates(municipality_id: i32) -> Holders {
    Holders {
        roles: &[Role::PanelMember],
        org_id: Some(municipality_id),
    }
}

/// Who handles a school's money (pays compensations, sees its expenses): its director and
/// accountants.
pub fn money_handlers(school_id: i32) -> Holders {
    Holders {
        roles: &[Role::Director, Role::Accountant],
        org_id: Some(school_id),
    }
}

/// Who runs a municipality's calls, sees their applications and panel data, and hears of them
/// (closings, reminders): its coordinators.
pub fn call_managers(municipality_id: i32) -> Holders {
    Holders {
        roles: &[Role::Coordinator],
        org_id: Some(municipality_id),
    }
}

/// Who pays a municipality's grants and records the payments: its coordinators and its
/// accountants.
pub fn grant_payers(municipality_id: i32) -> Holders {
    Holders {
        roles: &[Role::Coordinator, Role::Accountant],
        org_id: Some(municipality_id),
    }
}

/// Who approves a school's plans at `level`: its director, the coordinator of its
/// municipality, or any state reviewer; `None` when the level is not in the school's chain.
pub fn level_approvers(school: &organisation::Model, level: crate::plans::rules::Level) -> Option<Holders> {
    use crate::plans::rules::{Level, chain};
    if !chain(school.is_vocational).contains(&level) {
        return None;
    }
    Some(match level {
        Level::School => Holders {
            roles: &[Role::Director],
            org_id: Some(school.id),
        },
        Level::Municipality => Holders {
            roles: &[Role::Coordinator],
            org_id: Some(school.parent_id?),
        },
        Level::State => Holders {
            roles: &[Role::StateReviewer],
            org_id: None,
        },
    })
}

/// Who approves a school's plan waiting at `step` of its chain.
pub fn plan_approvers(school: &organisation::Model, step: u8) -> Option<Holders> {
    let level = *crate::plans::rules::chain(school.is_vocational).get(usize::from(step))?;
    level_approvers(school, level)
}

impl Actor {
    /// The applicants the actor writes applications for.
    pub fn applicants(&self) -> impl Iterator<Item = &organisation::Model> {
        self.grants
            .iter()
            .filter(|g| APPLICANT_WRITERS.contains(&g.role))
            .map(|g| &g.org)
    }

    /// Whether the actor writes `applicant_id`'s applications.
    pub fn writes_for(&self, applicant_id: i32) -> bool {
        applicant_writers(applicant_id).includes(self)
    }

    /// The approval level the actor holds for a school's plans (the first of its chain).
    pub fn plan_level(&self, school: &organisation::Model) -> Option<crate::plans::rules::Level> {
        crate::plans::rules::chain(school.is_vocational)
            .iter()
            .copied()
            .find(|level| level_approvers(school, *level).is_some_and(|who| who.includes(self)))
    }

    /// The schools whose plans the actor approves at `level`, as a condition on
    /// `organisations` (the same rule as `level_approvers`, for lists); `None` for none.
    pub fn approves_at(&self, level: crate::plans::rules::Level) -> Option<Condition> {
        use crate::plans::rules::Level;
        let orgs = |role| self.org_ids_with(&[role]);
        let c = match level {
            Level::School => organisation::Column::Id.is_in(orgs(Role::Director)),
            Level::Municipality => organisation::Column::ParentId.is_in(orgs(Role::Coordinator)),
            Level::State if self.has_role(Role::StateReviewer) => return Some(Condition::all()),
            Level::State => return None,
        };
        Some(Condition::all().add(c))
    }

    /// Whether the actor handles the school's money (`money_handlers`).
    pub fn handles_money(&self, school_id: i32) -> bool {
        money_handlers(school_id).includes(self)
    }

    /// Whether the actor works at the school (`school_staff`).
    pub fn works_at(&self, school_id: i32) -> bool {
        school_staff(school_id).includes(self)
    }

    /// Whether the actor may see a pupil of `school` (and their plans, within the approval
    /// chain's reach): the school's director; its support staff for pupils assigned to them, or
    /// every pupil when the director allows it. Nobody else sees pupils as such — not even an
    /// administrator.
    pub fn can_see_pupil(&self, school_id: i32, assigned: bool) -> bool {
        self.holds(Role::Director, school_id)
            || self
                .grant(Role::SupportStaff, school_id)
                .is_some_and(|g| assigned || g.sees_all_pupils)
    }

    /// Whether the actor sees every pupil of the school (not only those assigned to them).
    pub fn sees_all_pupils(&self, school_id: i32) -> bool {
        self.can_see_pupil(school_id, false)
    }

    /// Registering pupils: the director, and school staff the director allows.
    pub fn may_register_pupils(&self, school_id: i32) -> bool {
        self.holds(Role::Director, school_id)
            || [Role::SupportStaff, Role::Accountant]
                .into_iter()
                .any(|role| self.grant(role, school_id).is_some_and(|g| g.may_register_pupils))
    }

    /// Whether the actor may see a plan: as one who may see its pupil, or as an approver whose
    /// step the plan has reached (a municipality or state reviewer sees only what the chain
    /// brings to them).
    pub fn can_see_plan(
        &self,
        school: &organisation::Model,
        assigned: bool,
        status: crate::plans::rules::PlanStatus,
        approved_before: bool,
    ) -> bool {
        use crate::plans::rules::{PlanStatus, chain};
        if self.can_see_pupil(school.id, assigned) {
            return true;
        }
        let Some(level) = self.plan_level(school) else {
            return false;
        };
        let Some(index) = chain(school.is_vocational).iter().position(|l| *l == level) else {
            return false;
        };
        match status {
            PlanStatus::InApproval { step } => usize::from(step) >= index,
            PlanStatus::Approved | PlanStatus::InProgress | PlanStatus::Paused => true,
            PlanStatus::UnderRevision => approved_before,
            PlanStatus::Draft | PlanStatus::Inactive => false,
        }
    }
}

impl Actor {
    /// Whether the actor may see the statistics of `scope`, and if so whether from inside the
    /// pupils' school (`Some(true)`: its staff see its small groups too) or from outside
    /// (`Some(false)`: the municipality's coordinator, the state reviewer, the administrator).
    pub fn stats_view(&self, scope: crate::stats::Scope, school: Option<&organisation::Model>) -> Option<bool> {
        use crate::stats::Scope;
        let state = self.is_admin() || self.has_role(Role::StateReviewer);
        match scope {
            Scope::State => state.then_some(false),
            Scope::Municipality(id) => (state || self.holds(Role::Coordinator, id)).then_some(false),
            Scope::School(id) => {
                let staff = [Role::Director, Role::SupportStaff, Role::Accountant]
                    .into_iter()
                    .any(|r| self.holds(r, id));
                if staff {
                    return Some(true);
                }
                let coordinator = school
                    .filter(|s| s.id == id)
                    .and_then(|s| s.parent_id)
                    .is_some_and(|m| self.holds(Role::Coordinator, m));
                (state || coordinator).then_some(false)
            }
        }
    }
}

/// What a tool with an API token issued to `client` (the state agency or a municipality) may
/// see of the statistics: the agency every scope, a municipality itself and its schools;
/// always from outside (`Some(false)`: small groups withheld).
pub fn client_stats_view(
    client: &organisation::Model,
    scope: crate::stats::Scope,
    school: Option<&organisation::Model>,
) -> Option<bool> {
    use crate::stats::Scope;
    let sees = match (client.kind, scope) {
        (OrgKind::StateAgency, _) => true,
        (OrgKind::Municipality, Scope::Municipality(id)) => id == client.id,
        (OrgKind::Municipality, Scope::School(id)) => {
            school.is_some_and(|s| s.id == id && s.parent_id == Some(client.id))
        }
        _ => false,
    };
    sees.then_some(false)
}
