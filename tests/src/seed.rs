//! Data for tests, written through the model's own functions.

use chrono::Utc;
use entities::accounts::{add_membership, create_confirmed_user};
use entities::domain::{Lang, OrgKind, Role};
use entities::entity::{organisation, user};
use entities::orgs;
use sea_orm::DatabaseConnection;

pub const PASSWORD: &str = "Correct-horse-2026";

/// Two municipalities with a school each, a state vocational school and an NGO.
pub struct World {
    pub agency: organisation::Model,
    pub muni_a: organisation::Model,
    pub muni_b: organisation::Model,
    pub school_a: organisation::Model,
    pub school_b: organisation::Model,
    pub vocational: organisation::Model,
    pub ngo: organisation::Model,
}

pub async fn world(db: &DatabaseConnection) -> World {
    let now = Utc::now();
    let org = |kind, parent: Option<i32>, name: &'static str, voc| async move {
        orgs::insert(db, kind, parent, name, None, voc, now)
            .await
            .expect("organisation")
    };
    let agency = org(OrgKind::StateAgency, None, "Valsts aģentūra", false).await;
    let muni_a = org(OrgKind::Municipality, Some(agency.id), "Ogres novads", false).await;
    let muni_b = org(OrgKind::Municipality, Some(agency.id), "Cēsu novads", false).await;
    let school_a = org(OrgKind::School, Some(muni_a.id), "Ogres 1. vidusskola", false).await;
    let school_b = org(OrgKind::School, Some(muni_b.id), "Cēsu pamatskola", false).await;
    let vocational = org(OrgKind::School, Some(agency.id), "Rīgas tehnikums", true).await;
    let ngo = org(OrgKind::Ngo, None, "Biedrība Jaunie", false).await;
    World {
        agency,
        muni_a,
        muni_b,
        school_a,
        school_b,
        vocational,
        ngo,
    }
}

/// A confirmed user with one role, password `PASSWORD`.
pub async fn user(db: &DatabaseConnection, email: &str, role: Role, org_id: i32) -> user::Model {
    let now = Utc::now();
    let u = create_confirmed_user(db, email, &format!("User {email}"), PASSWORD, Lang::Lv, now)
        .await
        .expect("user");
    add_membership(db, u.id, org_id, role, now).await.expect("membership");
    u
}
