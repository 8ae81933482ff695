//! Demo data: a believable municipality with a user for every role (`pumpurs demo`), and the
//! first administrator of a fresh installation (`pumpurs create-admin`).

use anyhow::{Context as _, bail};
use chrono::Utc;
use entities::accounts::{add_membership, create_confirmed_user};
use entities::domain::{Email, Lang, OrgKind, Role};
use entities::entity::user;
use entities::orgs;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

use crate::config::Config;

/// The password of every demo account (listed in the README).
pub const DEMO_PASSWORD: &str = "Pumpurs-demo-2026";

/// (email, name, role, organisation key) of the demo accounts.
pub const DEMO_USERS: &[(&str, &str, Role, &str)] = &[
    ("admin@demo.pumpurs.lv", "Ilze Bērziņa", Role::Admin, "agency"),
    (
        "vertetajs@demo.pumpurs.lv",
        "Māris Kalniņš",
        Role::StateReviewer,
        "agency",
    ),
    ("koordinators@demo.pumpurs.lv", "Dace Ozola", Role::Coordinator, "ogre"),
    (
        "koordinators.valmiera@demo.pumpurs.lv",
        "Andris Liepiņš",
        Role::Coordinator,
        "valmiera",
    ),
    ("komisija@demo.pumpurs.lv", "Edgars Krūmiņš", Role::PanelMember, "ogre"),
    ("direktore@demo.pumpurs.lv", "Inese Zariņa", Role::Director, "ogre1"),
    ("psihologe@demo.pumpurs.lv", "Laura Vītola", Role::SupportStaff, "ogre1"),
    ("gramatvede@demo.pumpurs.lv", "Guna Siliņa", Role::Accountant, "ogre1"),
    (
        "direktors.tehnikums@demo.pumpurs.lv",
        "Jānis Pētersons",
        Role::Director,
        "technical",
    ),
    ("biedriba@demo.pumpurs.lv", "Rihards Jansons", Role::NgoMember, "ngo"),
];

/// Loads the demo once; a second run says so and changes nothing.
pub async fn load(cfg: &Config, db: &DatabaseConnection) -> anyhow::Result<()> {
    if cfg.is_production() {
        bail!("the demo data is refused when PUMPURS_ENV=production");
    }
    let first = DEMO_USERS[0].0;
    if user::Entity::find()
        .filter(user::Column::Email.eq(first))
        .one(db)
        .await?
        .is_some()
    {
        println!("The demo data is already loaded.");
        return Ok(());
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    let agency = match orgs::state_agency(&txn).await? {
        Some(a) => a,
        None => {
            orgs::insert(
                &txn,
                OrgKind::StateAgency,
                None,
                "Valsts izglītības attīstības aģentūra",
                Some("90001800413".into()),
                false,
                now,
            )
            .await?
        }
    };
    let ogre = orgs::insert(
        &txn,
        OrgKind::Municipality,
        Some(agency.id),
        "Ogres novada pašvaldība",
        Some("90000024332".into()),
        false,
        now,
    )
    .await?;
    let valmiera = orgs::insert(
        &txn,
        OrgKind::Municipality,
        Some(agency.id),
        "Valmieras novada pašvaldība",
        Some("90000043403".into()),
        false,
        now,
    )
    .await?;
    let ogre1 = orgs::insert(
        &txn,
        OrgKind::School,
        Some(ogre.id),
        "Ogres 1. vidusskola",
        None,
        false,
        now,
    )
    .await?;
    orgs::insert(
        &txn,
        OrgKind::School,
        Some(ogre.id),
        "Ogres sākumskola",
        None,
        false,
        now,
    )
    .await?;
    orgs::insert(
        &txn,
        OrgKind::School,
        Some(valmiera.id),
        "Valmieras Pārgaujas ģimnāzija",
        None,
        false,
        now,
    )
    .await?;
    let technical = orgs::insert(
        &txn,
        OrgKind::School,
        Some(agency.id),
        "Ogres tehnikums",
        None,
        true,
        now,
    )
    .await?;
    let ngo = orgs::insert(
        &txn,
        OrgKind::Ngo,
        None,
        "Biedrība „Jauniešu iniciatīvu centrs Ogre”",
        Some("40008123456".into()),
        false,
        now,
    )
    .await?;
    for (email, name, role, key) in DEMO_USERS {
        let org = match *key {
            "agency" => &agency,
            "ogre" => &ogre,
            "valmiera" => &valmiera,
            "ogre1" => &ogre1,
            "technical" => &technical,
            _ => &ngo,
        };
        let u = create_confirmed_user(&txn, email, name, DEMO_PASSWORD, Lang::Lv, now).await?;
        add_membership(&txn, u.id, org.id, *role, now).await?;
    }
    txn.commit().await?;
    println!("Demo data loaded. Every demo account's password is {DEMO_PASSWORD}:");
    for (email, name, role, _) in DEMO_USERS {
        println!("  {email:<40} {name:<18} {}", role.as_str());
    }
    Ok(())
}

/// Creates the state agency (if missing) and an administrator with `password`.
pub async fn create_admin(db: &DatabaseConnection, email: &str, name: &str, password: &str) -> anyhow::Result<()> {
    let email = Email::parse(email).context("--email is not a valid address")?;
    let now = Utc::now();
    let txn = db.begin().await?;
    let agency = match orgs::state_agency(&txn).await? {
        Some(a) => a,
        None => {
            orgs::insert(
                &txn,
                OrgKind::StateAgency,
                None,
                "Valsts izglītības attīstības aģentūra",
                None,
                false,
                now,
            )
            .await?
        }
    };
    let u = create_confirmed_user(&txn, email.as_str(), name, password, Lang::Lv, now)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot create the administrator: {e} (is the address taken, or the password under 10 characters?)"
            )
        })?;
    add_membership(&txn, u.id, agency.id, Role::Admin, now).await?;
    txn.commit().await?;
    println!("Administrator {} created at {}.", email.as_str(), agency.name);
    Ok(())
}
