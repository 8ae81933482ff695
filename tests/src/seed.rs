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
    let ngo = ngo(db, "Biedrība Jaunie").await;
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

/// An NGO with a complete profile (registration number, address, contact person).
pub async fn ngo(db: &DatabaseConnection, name: &str) -> organisation::Model {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let org = orgs::insert(
        db,
        OrgKind::Ngo,
        None,
        name,
        Some("40008123456".into()),
        false,
        Utc::now(),
    )
    .await
    .expect("ngo");
    let mut active: organisation::ActiveModel = org.into();
    active.address = Set(Some("Brīvības iela 1, Ogre".into()));
    active.contact_name = Set(Some("Ilze Liepa".into()));
    active.contact_email = Set(Some("ilze@example.lv".into()));
    active.update(db).await.expect("profile")
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

/// The actor (user with memberships) for `user`.
pub async fn actor(db: &DatabaseConnection, user: &user::Model) -> entities::policy::Actor {
    entities::policy::Actor::load(db, user.clone()).await.expect("actor")
}

/// A consent's evidence as the model records it (a signed scan's record; no stored bytes are
/// needed by the model's rules).
pub fn evidence() -> entities::attachments::StoredFile {
    entities::attachments::StoredFile {
        name: "iesniegums.pdf".to_owned(),
        content_type: "application/pdf".to_owned(),
        size: 1024,
        sha256: "0".repeat(64),
        key: format!("consents/test/{}", entities::tokens::random_hex()),
    }
}

/// The actor of the user with this email.
pub async fn actor_of(db: &DatabaseConnection, email: &str) -> entities::policy::Actor {
    let user = entities::accounts::user_by_email(db, email)
        .await
        .expect("read")
        .expect("a user with this email");
    actor(db, &user).await
}

/// A valid call form: opens now - 1 day, closes at `closes_at`, budget 10 000 €, grants
/// 500–3 000 €, co-financing 10 %, two criteria.
pub fn call_form(closes_at: chrono::DateTime<Utc>) -> entities::grants::calls::CallForm {
    use entities::grants::calls::{CallForm, CriterionForm};
    let riga = |t: chrono::DateTime<Utc>| entities::time::to_riga(t).format("%Y-%m-%dT%H:%M:%S").to_string();
    let date = |t: chrono::DateTime<Utc>| entities::time::to_riga(t).format("%Y-%m-%d").to_string();
    CallForm {
        title: "Jauniešu iniciatīvas 2026".into(),
        description: "Projekti skolēnu motivācijai.".into(),
        aims: "Mazināt mācību pārtraukšanu.".into(),
        eligibility: "Jauniešu biedrības.".into(),
        ref_prefix: "REZ".into(),
        opens_at: riga(Utc::now() - chrono::Duration::days(1)),
        closes_at: riga(closes_at),
        scoring_deadline: riga(closes_at + chrono::Duration::days(14)),
        budget: "10000".into(),
        min_grant: "500".into(),
        max_grant: "3000".into(),
        cofinancing_percent: "10".into(),
        allow_informal_groups: false,
        requirements: vec!["Budžets atbilst nolikumam".into()],
        criteria: vec![
            CriterionForm {
                name: "Atbilstība".into(),
                description: String::new(),
                max_points: "10".into(),
                weight: "2".into(),
                min_points: "4".into(),
            },
            CriterionForm {
                name: "Ietekme".into(),
                description: String::new(),
                max_points: "5".into(),
                weight: "1".into(),
                min_points: String::new(),
            },
        ],
        project_starts_on: date(closes_at + chrono::Duration::days(30)),
        project_ends_on: date(closes_at + chrono::Duration::days(180)),
        advance_percent: "80".into(),
        interim_report_on: String::new(),
        final_report_days: "30".into(),
        accept_days: "14".into(),
    }
}

/// A published call of `municipality`, closing at `closes_at` (seconds precision).
pub async fn open_call(
    db: &DatabaseConnection,
    coordinator: &entities::policy::Actor,
    municipality: i32,
    closes_at: chrono::DateTime<Utc>,
) -> entities::entity::call::Model {
    let now = Utc::now();
    let input = call_form(closes_at).parse().expect("valid call form");
    let call = entities::grants::calls::create(db, coordinator, municipality, &input, now)
        .await
        .expect("create call");
    entities::grants::calls::publish(db, coordinator, call, now)
        .await
        .expect("publish call")
}

/// A complete draft: 1 200 € requested in two lines, 200 € co-financing.
pub async fn draft(
    db: &DatabaseConnection,
    member: &entities::policy::Actor,
    call: &entities::entity::call::Model,
    ngo: &organisation::Model,
) -> entities::entity::application::Model {
    use entities::grants::applications::{self, DraftForm, LineForm};
    let app = applications::start(db, member, call, ngo, Utc::now())
        .await
        .expect("start draft");
    let form = DraftForm {
        title: "Skolas podkāsts".into(),
        summary: "Skolēni veido podkāstu.".into(),
        target_group: "7.–9. klašu skolēni".into(),
        activities: "Darbnīcas un ieraksti.".into(),
        timeline: "2027. gada februāris–maijs".into(),
        requested: "1200".into(),
        cofinancing: "200".into(),
        lines: vec![
            LineForm {
                category: "equipment".into(),
                description: "Mikrofoni".into(),
                quantity: "4".into(),
                unit_cost: "150".into(),
            },
            LineForm {
                category: "services".into(),
                description: "Montāža".into(),
                quantity: "1".into(),
                unit_cost: "600".into(),
            },
        ],
        ..Default::default()
    };
    let (input, problems) = form.parse(&Default::default());
    assert!(problems.is_empty(), "{problems:?}");
    applications::save_draft(db, app, &input, Utc::now())
        .await
        .expect("save draft")
}

/// `n` submitted applications of `ngo` to `call`, inserted in one statement (for size tests).
pub async fn bulk_submitted(
    db: &DatabaseConnection,
    call: &entities::entity::call::Model,
    ngo: &organisation::Model,
    created_by: i32,
    first_seq: i32,
    n: i32,
) {
    use entities::entity::application::{self, ApplicationStatus};
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let now = Utc::now();
    application::Entity::insert_many((first_seq..first_seq + n).map(|seq| application::ActiveModel {
        call_id: Set(call.id),
        applicant_id: Set(ngo.id),
        status: Set(ApplicationStatus::Submitted),
        title: Set(format!("Projekts {seq}")),
        summary: Set("Apraksts".into()),
        target_group: Set("Skolēni".into()),
        activities: Set("Darbnīcas".into()),
        timeline: Set("Pavasaris".into()),
        requested_cents: Set(100_000),
        cofinancing_cents: Set(20_000),
        ref_seq: Set(Some(seq)),
        ref_no: Set(Some(format!("REZ-2026-{seq:03}"))),
        submit_key: Set(None),
        submitted_at: Set(Some(now)),
        submitted_by: Set(Some(created_by)),
        withdrawn_at: Set(None),
        created_by: Set(created_by),
        created_at: Set(now),
        updated_at: Set(now),
        ineligible_reason: Set(None),
        ..Default::default()
    }))
    .exec(db)
    .await
    .expect("bulk applications");
}

/// The first risk of the seeded catalogue with `code` (`absences`, `low_results`, …).
pub async fn risk(db: &DatabaseConnection, code: &str) -> entities::entity::risk::Model {
    use entities::entity::risk;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    risk::Entity::find()
        .filter(risk::Column::Code.eq(code))
        .order_by_asc(risk::Column::Id)
        .one(db)
        .await
        .expect("risk query")
        .expect("the seeded catalogue has it")
}

/// A call of `municipality` published now and closing at `form`'s deadline (made with
/// `call_form`, changed by the caller), with `n` applications of `applicant` written and
/// submitted by `member`: the call and the applications' ids, in order.
pub async fn call_with_submitted(
    db: &DatabaseConnection,
    coordinator: &entities::policy::Actor,
    municipality: i32,
    form: &entities::grants::calls::CallForm,
    (member, applicant): (&entities::policy::Actor, &organisation::Model),
    n: usize,
) -> (entities::entity::call::Model, Vec<i32>) {
    let input = form.parse().expect("form");
    let call = entities::grants::calls::create(db, coordinator, municipality, &input, Utc::now())
        .await
        .expect("call");
    let call = entities::grants::calls::publish(db, coordinator, call, Utc::now())
        .await
        .expect("publish");
    let mut ids = Vec::new();
    for i in 0..n {
        let draft = draft(db, member, &call, applicant).await;
        let txn = entities::db::write(db).await.expect("begin");
        entities::grants::applications::submit(&txn, member, draft.id, &format!("{:064x}", i + 1), Utc::now())
            .await
            .expect("submit");
        txn.commit().await.expect("commit");
        ids.push(draft.id);
    }
    (call, ids)
}

/// A closed call of `n` submitted applications (by the world's NGO) whose panel of `members`
/// has declared no conflict on each and submitted every scorecard, built in bulk statements;
/// the application's clock is held after the call's deadline.
pub struct ScoredCall {
    pub world: World,
    pub coordinator: entities::policy::Actor,
    pub members: Vec<user::Model>,
    pub call: entities::entity::call::Model,
    pub applications: Vec<entities::grants::applications::Row>,
    pub scorecards: usize,
    pub scores: usize,
}

pub async fn scored_call(app: &crate::TestApp, n: i32, members: usize) -> ScoredCall {
    use entities::entity::{declaration, score, scorecard};
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let db = &app.db;
    let w = world(db).await;
    let coordinator_user = self::user(db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await;
    let coordinator = actor(db, &coordinator_user).await;
    let ngo_user = self::user(db, "ngo@example.lv", Role::NgoMember, w.ngo.id).await;
    let mut panel = Vec::new();
    for i in 0..members {
        panel.push(self::user(db, &format!("m{i}@example.lv"), Role::PanelMember, w.muni_a.id).await);
    }
    let closes = Utc::now() + chrono::Duration::minutes(1);
    let call = open_call(db, &coordinator, w.muni_a.id, closes).await;
    for first in (1..=n).step_by(500) {
        bulk_submitted(db, &call, &w.ngo, ngo_user.id, first, 500.min(n - first + 1)).await;
    }
    let ids: Vec<i32> = panel.iter().map(|m| m.id).collect();
    entities::grants::panel::set_panel(db, &coordinator, &call, &ids, ids.first().copied(), Utc::now())
        .await
        .expect("panel");
    app.clock.hold(Some(closes + chrono::Duration::minutes(1)));
    let applications = entities::grants::applications::of_call(db, call.id, None)
        .await
        .expect("applications")
        .0;
    let criteria = entities::grants::calls::criteria(db, call.id).await.expect("criteria");
    let now = Utc::now();
    let mut declarations = Vec::new();
    let mut cards = Vec::new();
    for m in &panel {
        for a in &applications {
            declarations.push(declaration::ActiveModel {
                application_id: Set(a.app.id),
                user_id: Set(m.id),
                conflict: Set(false),
                note: Set(String::new()),
                declared_at: Set(now),
                ..Default::default()
            });
            cards.push(scorecard::ActiveModel {
                application_id: Set(a.app.id),
                user_id: Set(m.id),
                submitted_at: Set(Some(now)),
                updated_at: Set(now),
                ..Default::default()
            });
        }
    }
    for part in declarations.chunks(2000) {
        declaration::Entity::insert_many(part.to_vec())
            .exec_without_returning(db)
            .await
            .expect("declarations");
    }
    for part in cards.chunks(2000) {
        scorecard::Entity::insert_many(part.to_vec())
            .exec_without_returning(db)
            .await
            .expect("scorecards");
    }
    let card_ids: Vec<i32> = scorecard::Entity::find()
        .all(db)
        .await
        .expect("cards")
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut scores = Vec::new();
    for (i, card) in card_ids.iter().enumerate() {
        for (k, c) in criteria.iter().enumerate() {
            scores.push(score::ActiveModel {
                scorecard_id: Set(*card),
                criterion_id: Set(c.id),
                points: Set(Some(i32::try_from((i + k) % 5).unwrap_or(0) + 1)),
                not_applicable: Set(false),
                comment: Set(String::new()),
                ..Default::default()
            });
        }
    }
    for part in scores.chunks(2000) {
        score::Entity::insert_many(part.to_vec())
            .exec_without_returning(db)
            .await
            .expect("scores");
    }
    ScoredCall {
        world: w,
        coordinator,
        members: panel,
        call,
        applications,
        scorecards: card_ids.len(),
        scores: scores.len(),
    }
}
