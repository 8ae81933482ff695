//! Demo data: a believable municipality with a user for every role (`pumpurs demo`), and the
//! first administrator of a fresh installation (`pumpurs create-admin`).

use anyhow::{Context as _, bail};
use chrono::Utc;
use entities::accounts::{self, add_membership, create_confirmed_user};
use entities::domain::{Email, Lang, OrgKind, Role};
use entities::entity::{organisation, pupil};
use entities::grants::profiles::{self, ProfileInput};
use entities::orgs;
use entities::policy::Actor;
use sea_orm::DatabaseConnection;

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
    ("komisija2@demo.pumpurs.lv", "Laila Ābele", Role::PanelMember, "ogre"),
    ("direktore@demo.pumpurs.lv", "Inese Zariņa", Role::Director, "ogre1"),
    ("psihologe@demo.pumpurs.lv", "Laura Vītola", Role::SupportStaff, "ogre1"),
    ("gramatvede@demo.pumpurs.lv", "Guna Siliņa", Role::Accountant, "ogre1"),
    (
        "direktors.tehnikums@demo.pumpurs.lv",
        "Jānis Pētersons",
        Role::Director,
        "technical",
    ),
    (
        "direktore.valmiera@demo.pumpurs.lv",
        "Sandra Kļaviņa",
        Role::Director,
        "valmiera1",
    ),
    ("biedriba@demo.pumpurs.lv", "Rihards Jansons", Role::NgoMember, "ngo"),
    ("teatris@demo.pumpurs.lv", "Elīna Ozoliņa", Role::NgoMember, "theatre"),
    ("zala@demo.pumpurs.lv", "Kārlis Bērziņš", Role::NgoMember, "green"),
    ("koderi@demo.pumpurs.lv", "Marta Kalniņa", Role::NgoMember, "group"),
];

/// Loads the demo once; a second run says so and changes nothing.
pub async fn load(cfg: &Config, db: &DatabaseConnection) -> anyhow::Result<()> {
    if cfg.is_production() {
        bail!("the demo data is refused when PUMPURS_ENV=production");
    }
    let first = DEMO_USERS[0].0;
    if accounts::user_by_email(db, first).await?.is_some() {
        say(cfg, "The demo data is already loaded.");
        return Ok(());
    }
    let now = Utc::now();
    let txn = entities::db::write(db).await?;
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
    let valmiera1 = orgs::insert(
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
    let ngo = demo_ngo(&txn, "Biedrība „Jauniešu iniciatīvu centrs Ogre”", now).await?;
    let theatre = demo_ngo(&txn, "Biedrība „Ogres jauniešu teātris”", now).await?;
    let green = demo_ngo(&txn, "Biedrība „Zaļā Ogre”", now).await?;
    let group = demo_ngo(&txn, "Jauniešu grupa „Koderi”", now).await?;
    let mut ngo_members = std::collections::HashMap::new();
    for (email, name, role, key) in DEMO_USERS {
        let org = match *key {
            "agency" => &agency,
            "ogre" => &ogre,
            "valmiera" => &valmiera,
            "ogre1" => &ogre1,
            "valmiera1" => &valmiera1,
            "technical" => &technical,
            "theatre" => &theatre,
            "green" => &green,
            "group" => &group,
            _ => &ngo,
        };
        let u = create_confirmed_user(&txn, email, name, DEMO_PASSWORD, Lang::Lv, now).await?;
        add_membership(&txn, u.id, org.id, *role, now).await?;
        if *role == Role::NgoMember {
            ngo_members.entry(org.id).or_insert(u);
        }
    }
    let born = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).context("birth date");
    let profiles = [
        (
            ngo,
            ngo_profile("40008123456", "Brīvības iela 12, Ogre", "Rihards Jansons"),
        ),
        (
            theatre,
            ngo_profile("40008234567", "Skolas iela 3, Ogre", "Elīna Ozoliņa"),
        ),
        (
            green,
            ngo_profile("40008345678", "Mednieku iela 7, Ogre", "Kārlis Bērziņš"),
        ),
        (
            group,
            ProfileInput {
                is_informal_group: true,
                reg_no: None,
                address: None,
                contact_name: "Marta Kalniņa".to_owned(),
                contact_email: "koderi@demo.pumpurs.lv".to_owned(),
                contact_phone: Some("+371 2111 1111".to_owned()),
                members: vec![
                    ("Emīls".to_owned(), born(2010, 4, 2)?),
                    ("Laura".to_owned(), born(2009, 9, 15)?),
                    ("Toms".to_owned(), born(2011, 1, 20)?),
                ],
                ..ngo_profile("", "", "")
            },
        ),
    ];
    for (org, mut profile) in profiles {
        let member = ngo_members.get(&org.id).cloned().context("an NGO's demo member")?;
        let member = Actor::load(&txn, member).await?;
        profile.name.clone_from(&org.name);
        profiles::save(&txn, &member, org, &profile, now).await?;
    }
    txn.commit().await?;
    for stage in [Stage::Completed, Stage::Published, Stage::InReview, Stage::Open] {
        load_call(cfg, db, ogre.id, stage, now).await?;
    }
    load_plans(cfg, db, now).await?;
    say(
        cfg,
        &format!("Demo data loaded. Every demo account's password is {DEMO_PASSWORD}:"),
    );
    for (email, name, role, _) in DEMO_USERS {
        say(cfg, &format!("  {email:<40} {name:<18} {}", role.as_str()));
    }
    Ok(())
}

/// Creates the state agency (if missing) and an administrator with `password`.
pub async fn create_admin(db: &DatabaseConnection, email: &str, name: &str, password: &str) -> anyhow::Result<()> {
    let email = Email::parse(email).context("--email is not a valid address")?;
    let now = Utc::now();
    let txn = entities::db::write(db).await?;
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

async fn demo_ngo(
    conn: &impl sea_orm::ConnectionTrait,
    name: &str,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<organisation::Model> {
    Ok(orgs::insert(conn, OrgKind::Ngo, None, name, None, false, now).await?)
}

/// A registered NGO's profile (its name is set from the organisation's).
fn ngo_profile(reg_no: &str, address: &str, contact: &str) -> ProfileInput {
    ProfileInput {
        name: String::new(),
        is_informal_group: false,
        reg_no: Some(reg_no.to_owned()),
        address: Some(address.to_owned()),
        contact_name: contact.to_owned(),
        contact_email: "info@demo.pumpurs.lv".to_owned(),
        contact_phone: Some("+371 2000 0000".to_owned()),
        iban: entities::domain::Iban::parse("LV80 BANK 0000 4351 9500 1"),
        members: Vec::new(),
    }
}

/// A one-page PDF whose text is `line` (small, but a real document that opens in a reader).
pub fn demo_pdf(line: &str) -> Vec<u8> {
    // The built-in Helvetica has no Latvian letters: write them without their marks.
    let text: String = entities::domain::ascii_fold(line)
        .chars()
        .map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { ' ' })
        .filter(|c| !matches!(c, '(' | ')' | '\\'))
        .collect();
    let stream = format!("BT /F1 14 Tf 60 780 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{body}\nendobj\n", i + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for offset in offsets {
        pdf.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.into_bytes()
}

async fn actor_of(db: &DatabaseConnection, email: &str) -> anyhow::Result<entities::policy::Actor> {
    let user = accounts::user_by_email(db, email).await?.context("demo user")?;
    Ok(entities::policy::Actor::load(db, user).await?)
}

/// An open call of the municipality with applications in several states and real documents.
/// The stage a demo call is left in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Open,
    InReview,
    Published,
    /// Last year's call: its projects carried out, reported on and settled.
    Completed,
}

/// A call of the municipality left at `stage`, with applications in several states and real
/// documents. Earlier stages are played out with the times they would have happened at.
async fn load_call(
    cfg: &Config,
    db: &DatabaseConnection,
    municipality: i32,
    stage: Stage,
    real_now: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    let days = chrono::Duration::days;
    let (title, prefix, opens_at) = match stage {
        Stage::Open => ("Jauniešu iniciatīvu projektu konkurss 2027", "OGR", real_now - days(7)),
        Stage::InReview => ("Jauniešu iniciatīvas 2026 (rudens kārta)", "OGRR", real_now - days(40)),
        Stage::Published => (
            "Jauniešu iniciatīvas 2026 (pavasara kārta)",
            "OGRP",
            real_now - days(150),
        ),
        Stage::Completed => ("Jauniešu iniciatīvas 2025", "OGR25", real_now - days(480)),
    };
    let closes_at = if stage == Stage::Open {
        real_now + days(21)
    } else {
        opens_at + days(30)
    };
    let scoring_deadline = closes_at + days(21);
    // Applications are written while the call is open; scoring happens after it closes.
    let now = opens_at + days(1);
    let scored_at = closes_at + days(2);
    use entities::grants::applications::{self, DraftForm, LineForm};
    use entities::grants::calls::{CallInput, CriterionInput, ProjectTerms};
    use entities::money::Eur;
    let coordinator = actor_of(db, "koordinators@demo.pumpurs.lv").await?;
    let criterion = |name: &str, max, weight, min| CriterionInput {
        name: name.to_owned(),
        description: String::new(),
        max_points: max,
        weight_x100: weight,
        min_points: min,
    };
    let input = CallInput {
        title: title.into(),
        description: "Ogres novada pašvaldība aicina jauniešu organizācijas un neformālas jauniešu grupas iesniegt projektus, kas stiprina skolēnu motivāciju mācīties un palikt skolā.".into(),
        aims: "Mazināt priekšlaicīgu mācību pārtraukšanu; iesaistīt riska grupas skolēnus ārpusstundu aktivitātēs.".into(),
        eligibility: "Biedrības, kas strādā ar jauniešiem Ogres novadā, un neformālas jauniešu grupas ar pilngadīgu atbildīgo personu.".into(),
        ref_prefix: prefix.into(),
        opens_at,
        closes_at,
        scoring_deadline,
        budget: Eur::from_cents(1_500_000),
        min_grant: Eur::from_cents(50_000),
        max_grant: Eur::from_cents(300_000),
        cofinancing_bp: 1000,
        allow_informal_groups: true,
        requirements: vec![
            "Pieteikums iesniegts termiņā".into(),
            "Budžets atbilst nolikuma prasībām".into(),
            "Pievienots projekta darba plāns".into(),
        ],
        criteria: vec![
            criterion("Atbilstība konkursa mērķiem", 10, 200, Some(5)),
            criterion("Mērķa grupas iesaiste", 10, 150, None),
            criterion("Budžeta pamatotība", 5, 100, None),
        ],
        terms: {
            let starts_on = entities::time::to_riga(scoring_deadline + days(14)).date_naive();
            let ends_on = starts_on + chrono::Days::new(150);
            ProjectTerms {
                starts_on,
                ends_on,
                advance_bp: 8000,
                interim_report_on: Some(starts_on + chrono::Days::new(75)),
                final_report_days: 30,
                accept_days: 14,
            }
        },
    };
    let call = entities::grants::calls::create(db, &coordinator, municipality, &input, opens_at - days(3)).await?;
    let call = entities::grants::calls::publish(db, &coordinator, call, opens_at - days(2)).await?;
    let store = entities::storage::build(&cfg.documents)?;
    let limits = entities::attachments::Limits {
        max_file: cfg.max_file_bytes,
        max_application: cfg.max_application_bytes,
    };
    let line = |category: &str, description: &str, quantity: &str, unit: &str| LineForm {
        category: category.into(),
        description: description.into(),
        quantity: quantity.into(),
        unit_cost: unit.into(),
    };
    let projects = [
        (
            "biedriba@demo.pumpurs.lv",
            "Podkāstu darbnīca „Skolas balss”",
            "1500",
            vec![
                line("equipment", "Mikrofoni un austiņas", "5", "120"),
                line("staff", "Darbnīcu vadītājs", "30", "30"),
            ],
            true,
        ),
        (
            "teatris@demo.pumpurs.lv",
            "Forumteātris par mācīšanās grūtībām",
            "2400",
            vec![
                line("staff", "Režisors", "1", "1200"),
                line("materials", "Kostīmi un rekvizīti", "1", "700"),
                line("travel", "Izrādes citās skolās", "5", "100"),
            ],
            true,
        ),
        (
            "zala@demo.pumpurs.lv",
            "Skolas dārzs kā mācību klase",
            "900",
            vec![
                line("materials", "Stādi un augsne", "1", "500"),
                line("equipment", "Darbarīki", "8", "50"),
            ],
            true,
        ),
        (
            "koderi@demo.pumpurs.lv",
            "Programmēšanas pulciņš 7.–9. klasēm",
            "1200",
            vec![
                line("equipment", "Mikrokontrolieru komplekti", "10", "80"),
                line("staff", "Mentors", "20", "20"),
            ],
            false,
        ),
        ("teatris@demo.pumpurs.lv", "Vasaras teātra nometne", "", vec![], false),
    ];
    for (i, (email, title, requested, lines, submit)) in projects.into_iter().enumerate() {
        let member = actor_of(db, email).await?;
        let Some(applicant) = member.grants.first().map(|g| g.org.clone()) else {
            continue;
        };
        let draft = applications::start(db, &member, &call, &applicant, now).await?;
        let cofinancing = requested
            .parse::<i64>()
            .map(|r| (r / 8).to_string())
            .unwrap_or_default();
        let form = DraftForm {
            title: title.into(),
            summary: format!("{title}: projekts skolēniem, kuriem draud mācību pārtraukšana."),
            target_group: "5.–9. klašu skolēni Ogres novada skolās".into(),
            activities: "Iepazīšanās tikšanās, regulāras nodarbības, noslēguma pasākums ar vecākiem.".into(),
            timeline: "2027. gada februāris – maijs".into(),
            requested: requested.into(),
            cofinancing,
            lines,
            ..Default::default()
        };
        let (parsed, _) = form.parse(&Default::default());
        let draft = applications::save_draft(db, draft, &parsed, now).await?;
        if !requested.is_empty() {
            let bytes = demo_pdf(&format!("{title} - darba plans un budzets"));
            let body = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(bytes))]);
            let stored = entities::attachments::store_upload(
                store.clone(),
                &format!("applications/{}", draft.id),
                "darba-plans.pdf",
                body,
                limits,
                0,
            )
            .await?;
            entities::attachments::record(db, &draft, "darba-plāns.pdf", &stored, member.user.id, now).await?;
        }
        if submit {
            let txn = entities::db::write(db).await?;
            applications::submit(&txn, &member, draft.id, &format!("{:064x}", i + 1), now).await?;
            txn.commit().await?;
        }
    }
    if stage == Stage::Open {
        return Ok(());
    }
    // The panel: the chair scores everything; the second member has finished only where the
    // call is decided, so the review stage shows who has not finished.
    let chair = actor_of(db, "komisija@demo.pumpurs.lv").await?;
    let second = actor_of(db, "komisija2@demo.pumpurs.lv").await?;
    entities::grants::panel::set_panel(
        db,
        &coordinator,
        &call,
        &[chair.user.id, second.user.id],
        Some(chair.user.id),
        scored_at,
    )
    .await?;
    let criteria = entities::grants::calls::criteria(db, call.id).await?;
    let submitted = entities::grants::applications::of_call(db, call.id, None).await?.0;
    for (i, row) in submitted.iter().enumerate() {
        for (m, member) in [&chair, &second].into_iter().enumerate() {
            let finished = m == 0 || matches!(stage, Stage::Published | Stage::Completed);
            if !finished && i > 0 {
                continue;
            }
            entities::grants::panel::declare(db, member, row.app.id, false, "", scored_at).await?;
            let marks: Vec<entities::grants::panel::MarkForm> = criteria
                .iter()
                .map(|c| entities::grants::panel::MarkForm {
                    criterion_id: c.id,
                    points: (c.max_points - i32::try_from(i + m).unwrap_or(0)).max(0).to_string(),
                    not_applicable: false,
                    comment: String::new(),
                })
                .collect();
            entities::grants::panel::save_card(db, member, row.app.id, &marks, finished, scored_at).await?;
        }
    }
    if matches!(stage, Stage::Published | Stage::Completed) {
        let call = entities::grants::decision::lock(db, &coordinator, call, scored_at + days(1)).await?;
        let call = entities::grants::decision::publish(db, &coordinator, call, scored_at + days(2)).await?;
        // The funded applicants accept their grants the day after.
        let mut writers = Vec::new();
        for email in ["biedriba", "teatris", "zala", "koderi"] {
            writers.push(actor_of(db, &format!("{email}@demo.pumpurs.lv")).await?);
        }
        let funded = Some(entities::entity::application::ApplicationStatus::Funded);
        let mut accepted = Vec::new();
        for row in entities::grants::applications::of_call(db, call.id, funded).await?.0 {
            if let Some(writer) = writers.iter().find(|w| w.writes_for(row.app.applicant_id)) {
                let project = entities::grants::projects::accept(db, writer, row.app.id, scored_at + days(3)).await?;
                accepted.push((project, writer));
            }
        }
        if stage == Stage::Completed {
            demo_completed(
                db,
                &store,
                limits,
                &coordinator,
                &accepted,
                (&call, scored_at + days(4)),
            )
            .await?;
        } else {
            demo_agreements(db, &store, limits, &coordinator, &accepted, scored_at + days(4)).await?;
        }
    }
    Ok(())
}

/// Last year's projects: agreements in force, advances paid, final reports with their
/// receipts. The first spent less than its advance, returned the rest and is closed; the next
/// spent all, got its final payment and is closed; the last's report was returned with remarks.
async fn demo_completed(
    db: &DatabaseConnection,
    store: &std::sync::Arc<dyn object_store::ObjectStore>,
    limits: entities::attachments::Limits,
    coordinator: &entities::policy::Actor,
    accepted: &[(entities::entity::project::Model, &entities::policy::Actor)],
    (call, at): (&entities::entity::call::Model, chrono::DateTime<Utc>),
) -> anyhow::Result<()> {
    use entities::entity::project_payment::PaymentKind;
    use entities::entity::project_report::ReportKind;
    use entities::grants::{agreements, payments, reports, settlement};
    let day = |n: i64| at + chrono::Duration::days(n);
    let date = |t: chrono::DateTime<Utc>| entities::time::to_riga(t).date_naive();
    let stored = async |folder: String, name: &str| -> anyhow::Result<entities::attachments::Stored> {
        let body = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(demo_pdf(name)))]);
        Ok(entities::attachments::store_upload(store.clone(), &folder, "demo.pdf", body, limits, 0).await?)
    };
    for (i, (project, writer)) in accepted.iter().enumerate() {
        agreements::send(db, coordinator, project.id, at).await?;
        let copy = entities::attachments::StoredFile::of(
            "līgums.pdf",
            stored(format!("projects/{}/agreement", project.id), "Ligums").await?,
        );
        agreements::signed(db, writer, project.id, copy, day(1)).await?;
        agreements::confirm(db, coordinator, project.id, day(2)).await?;
        let granted = entities::money::Eur::from_cents(project.granted_cents);
        let advance = agreements::advance_of(granted, call.advance_bp);
        let pay = |kind, amount, on: chrono::DateTime<Utc>, reference: &str| payments::PaymentInput {
            kind,
            amount,
            paid_on: date(on),
            reference: reference.into(),
        };
        payments::record(
            db,
            coordinator,
            project.id,
            &pay(PaymentKind::Advance, advance, day(4), "MU-2025/41"),
            day(4),
        )
        .await?;
        let starts = call.project_starts_on.unwrap_or_default();
        for kind in [ReportKind::Interim, ReportKind::Final] {
            let form = reports::ReportForm {
                activities: "Nodarbības notika katru nedēļu; noslēgumā pasākums vecākiem un skolotājiem.".into(),
                started_on: starts.to_string(),
                ended_on: call.project_ends_on.unwrap_or(starts).to_string(),
                participants: "22".into(),
                pupils_at_risk: "8".into(),
                publicity: "https://www.ogre.lv/jauniesi".into(),
            };
            reports::save(db, writer, project.id, kind, &form, day(150)).await?;
        }
        reports::submit(db, writer, project.id, ReportKind::Interim, "", day(80)).await?;
        reports::decide(db, coordinator, project.id, ReportKind::Interim, true, "", day(82)).await?;
        // Spent: the first 70 % of its advance, the others all of the grant.
        let spent = if i == 0 {
            entities::money::Eur::from_cents(advance.cents() * 7 / 10)
        } else {
            granted
        };
        let line = entities::grants::applications::lines(db, project.application_id).await?;
        let Some(line) = line.first() else { continue };
        let receipt = entities::attachments::StoredFile::of(
            "čeks.pdf",
            stored(format!("projects/{}/reports", project.id), "Ceks").await?,
        );
        let expense = reports::ExpenseInput {
            budget_line_id: line.id,
            description: "Nodarbību izdevumi".into(),
            amount: spent,
            paid_on: starts + chrono::Days::new(30),
        };
        reports::add_expense(db, writer, project.id, ReportKind::Final, &expense, receipt, day(170)).await?;
        reports::submit(db, writer, project.id, ReportKind::Final, "", day(175)).await?;
        if i == 2 {
            let remarks = "Lūdzam pievienot parakstīto dalībnieku sarakstu.";
            reports::decide(db, coordinator, project.id, ReportKind::Final, false, remarks, day(180)).await?;
            continue;
        }
        reports::decide(db, coordinator, project.id, ReportKind::Final, true, "", day(180)).await?;
        if i == 0 {
            let due = date(day(211)).to_string();
            settlement::demand_refund(db, coordinator, project.id, &due, day(181)).await?;
            settlement::refund_returned(
                db,
                coordinator,
                project.id,
                &date(day(200)).to_string(),
                "BANKA-2025/77",
                day(200),
            )
            .await?;
        } else {
            let rest = entities::money::Eur::from_cents(granted.cents() - advance.cents());
            payments::record(
                db,
                coordinator,
                project.id,
                &pay(PaymentKind::Final, rest, day(185), "MU-2025/96"),
                day(185),
            )
            .await?;
        }
        settlement::close(db, coordinator, project.id, day(205)).await?;
    }
    Ok(())
}

/// The demo's agreements at each stage: the first in force with its advance paid and its
/// interim report submitted, the next signed and waiting for
/// the coordinator, the next sent for signing; the rest drafts.
async fn demo_agreements(
    db: &DatabaseConnection,
    store: &std::sync::Arc<dyn object_store::ObjectStore>,
    limits: entities::attachments::Limits,
    coordinator: &entities::policy::Actor,
    accepted: &[(entities::entity::project::Model, &entities::policy::Actor)],
    at: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    use entities::grants::agreements;
    for (i, (project, writer)) in accepted.iter().enumerate().take(3) {
        agreements::send(db, coordinator, project.id, at).await?;
        if i == 2 {
            continue;
        }
        let bytes = demo_pdf("Ligums - parakstits");
        let body = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(bytes))]);
        let folder = format!("projects/{}/agreement", project.id);
        let stored =
            entities::attachments::store_upload(store.clone(), &folder, "ligums-parakstits.pdf", body, limits, 0)
                .await?;
        let copy = entities::attachments::StoredFile::of("līgums-parakstīts.pdf", stored);
        agreements::signed(db, writer, project.id, copy, at + chrono::Duration::days(2)).await?;
        if i == 0 {
            let confirmed = at + chrono::Duration::days(3);
            agreements::confirm(db, coordinator, project.id, confirmed).await?;
            let granted = entities::money::Eur::from_cents(project.granted_cents);
            let call = entities::grants::calls::get(db, project.call_id).await?;
            let advance = entities::grants::payments::PaymentInput {
                kind: entities::entity::project_payment::PaymentKind::Advance,
                amount: agreements::advance_of(granted, call.advance_bp),
                paid_on: entities::time::to_riga(confirmed).date_naive() + chrono::Days::new(2),
                reference: "MU-2026/118".into(),
            };
            entities::grants::payments::record(
                db,
                coordinator,
                project.id,
                &advance,
                confirmed + chrono::Duration::days(2),
            )
            .await?;
            // The interim report, submitted and waiting for the coordinator.
            let starts = call.project_starts_on.unwrap_or_default();
            let report = entities::grants::reports::ReportForm {
                activities: "Notikušas sešas podkāstu darbnīcas; ierakstītas trīs epizodes.".into(),
                started_on: starts.to_string(),
                ended_on: (starts + chrono::Days::new(60)).to_string(),
                participants: "18".into(),
                pupils_at_risk: "6".into(),
                publicity: "https://www.ogre.lv/jauniesi/podkasts".into(),
            };
            let kind = entities::entity::project_report::ReportKind::Interim;
            let written = confirmed + chrono::Duration::days(40);
            entities::grants::reports::save(db, writer, project.id, kind, &report, written).await?;
            entities::grants::reports::submit(db, writer, project.id, kind, "", written).await?;
        }
    }
    Ok(())
}

/// What a demo plan is left at.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PlanStage {
    Draft,
    /// Sent, and approved at this many steps.
    Waiting(u8),
    Approved,
    InProgress,
    Paused,
    UnderRevision,
    Inactive,
    /// Carried out and evaluated (the semester that is over).
    Evaluated,
}

/// The people of one school's plans: its director, the author, and the approvers after the
/// director (the municipality's coordinator unless the school is a state vocational one, and
/// the state reviewer).
struct SchoolPeople {
    school_id: i32,
    director: entities::policy::Actor,
    author: entities::policy::Actor,
    approvers: Vec<entities::policy::Actor>,
}

/// Two semesters of support plans: the spring one evaluated and closed (its documents go to the
/// archive), the autumn one with plans in every status, in three schools.
async fn load_plans(cfg: &Config, db: &DatabaseConnection, now: chrono::DateTime<Utc>) -> anyhow::Result<()> {
    use entities::money::Eur;
    use entities::plans;
    let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).context("date");
    let spring = plans::create_semester(
        db,
        2025,
        2,
        (date(2026, 1, 5)?, date(2026, 5, 29)?),
        Eur::from_cents(50_000),
        now,
    )
    .await?;
    let autumn = plans::create_semester(
        db,
        2026,
        1,
        (date(2026, 9, 1)?, date(2026, 12, 31)?),
        Eur::from_cents(50_000),
        now,
    )
    .await?;
    let coordinator = actor_of(db, "koordinators@demo.pumpurs.lv").await?;
    let valmiera_coordinator = actor_of(db, "koordinators.valmiera@demo.pumpurs.lv").await?;
    let reviewer = actor_of(db, "vertetajs@demo.pumpurs.lv").await?;
    let ogre1 = actor_of(db, "direktore@demo.pumpurs.lv").await?;
    let ogre1 = SchoolPeople {
        school_id: ogre1.grants[0].org.id,
        author: actor_of(db, "psihologe@demo.pumpurs.lv").await?,
        director: ogre1,
        approvers: vec![coordinator.clone(), reviewer.clone()],
    };
    let technical = actor_of(db, "direktors.tehnikums@demo.pumpurs.lv").await?;
    let technical = SchoolPeople {
        school_id: technical.grants[0].org.id,
        author: technical.clone(),
        director: technical,
        approvers: vec![reviewer.clone()],
    };
    let valmiera = actor_of(db, "direktore.valmiera@demo.pumpurs.lv").await?;
    let valmiera = SchoolPeople {
        school_id: valmiera.grants[0].org.id,
        author: valmiera.clone(),
        director: valmiera,
        approvers: vec![valmiera_coordinator, reviewer],
    };
    let store = entities::storage::build(&cfg.documents)?;
    let spring_pupils = [
        ("Roberts Liepa", "8.a", (2012, 2, 14)),
        ("Annija Kalēja", "9.b", (2011, 6, 3)),
        ("Dāvis Rozītis", "7.c", (2013, 10, 21)),
    ];
    let mut loader = PlanLoader {
        db,
        store,
        known: std::collections::HashMap::new(),
    };
    for pupil in spring_pupils {
        demo_plan(&mut loader, &ogre1, &spring, pupil, PlanStage::Evaluated, now).await?;
    }
    let autumn_plans = [
        (&ogre1, ("Markuss Strautiņš", "6.a", (2014, 4, 9)), PlanStage::Draft),
        (&ogre1, ("Elza Ozola", "8.b", (2012, 8, 30)), PlanStage::Waiting(0)),
        (&ogre1, ("Tomass Vilks", "9.a", (2011, 1, 17)), PlanStage::Waiting(1)),
        (&ogre1, ("Paula Siliņa", "10.a", (2010, 5, 12)), PlanStage::Waiting(2)),
        (&ogre1, ("Kristers Egle", "7.b", (2013, 3, 2)), PlanStage::Approved),
        (&ogre1, ("Roberts Liepa", "9.a", (2012, 2, 14)), PlanStage::InProgress),
        (&ogre1, ("Annija Kalēja", "10.b", (2011, 6, 3)), PlanStage::Paused),
        (
            &ogre1,
            ("Sofija Bērza", "11.a", (2009, 11, 25)),
            PlanStage::UnderRevision,
        ),
        (&ogre1, ("Gustavs Krasts", "5.a", (2015, 7, 7)), PlanStage::Inactive),
        (
            &technical,
            ("Artūrs Lācis", "2. kurss", (2008, 9, 19)),
            PlanStage::Waiting(1),
        ),
        (
            &technical,
            ("Līga Purviņa", "1. kurss", (2009, 12, 1)),
            PlanStage::InProgress,
        ),
        (&valmiera, ("Emīls Grants", "8.c", (2012, 4, 27)), PlanStage::Waiting(1)),
        (&valmiera, ("Ieva Rudzīte", "9.c", (2011, 2, 8)), PlanStage::InProgress),
    ];
    for (people, pupil, stage) in autumn_plans {
        demo_plan(&mut loader, people, &autumn, pupil, stage, now).await?;
    }
    let admin = actor_of(db, "admin@demo.pumpurs.lv").await?;
    plans::close_semester(db, &admin, spring.id, now).await?;
    Ok(())
}

/// One pupil's plan in `semester`, played out to `stage`: two risks, a consultation and a
/// compensation against them, consent, the approval chain, sessions and an expense with its
/// receipt, evaluations.
/// What the plans of the demo are written with: a pupil of the spring semester keeps their
/// record in the autumn (`known`, by school and name).
struct PlanLoader<'a> {
    db: &'a DatabaseConnection,
    store: std::sync::Arc<dyn object_store::ObjectStore>,
    known: std::collections::HashMap<(i32, String), pupil::Model>,
}

/// A one-page demo PDF titled `title`, stored in `folder`.
async fn store_demo_pdf(
    store: &std::sync::Arc<dyn object_store::ObjectStore>,
    folder: &str,
    title: &str,
) -> anyhow::Result<entities::attachments::Stored> {
    let body = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(demo_pdf(title)))]);
    let limits = entities::attachments::Limits {
        max_file: 1 << 20,
        max_application: 1 << 20,
    };
    Ok(entities::attachments::store_upload(store.clone(), folder, "demo.pdf", body, limits, 0).await?)
}

async fn demo_plan(
    loader: &mut PlanLoader<'_>,
    people: &SchoolPeople,
    semester: &entities::entity::semester::Model,
    (name, class_name, (y, m, d)): (&str, &str, (i32, u32, u32)),
    stage: PlanStage,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    let (db, store, known) = (loader.db, &loader.store, &mut loader.known);
    use entities::money::Eur;
    use entities::plans::{self, Request};
    let birth = chrono::NaiveDate::from_ymd_opt(y, m, d).context("birth date")?;
    let (director, author) = (&people.director, &people.author);
    let pupil = match known.get(&(people.school_id, name.to_owned())) {
        Some(p) => p.clone(),
        None => {
            // Registered as of the demo's autumn semester, whose classes the birth dates fit.
            let registered = now.min(
                chrono::NaiveDate::from_ymd_opt(2026, 9, 1)
                    .and_then(|d| d.and_hms_opt(8, 0, 0))
                    .context("date")?
                    .and_utc(),
            );
            let p =
                plans::register_pupil(db, director, people.school_id, (name, class_name, birth), registered).await?;
            if author.user.id != director.user.id {
                plans::assign(db, director, p.id, author, now).await?;
            }
            known.insert((people.school_id, name.to_owned()), p.clone());
            p
        }
    };
    let plan = plans::start_plan(db, author, pupil.id, semester.id, now).await?;
    let catalogue = entities::plans::queries::catalogue(db, semester.catalogue_id).await?;
    let risk = |code: &str| {
        catalogue
            .iter()
            .flat_map(|(_, risks)| risks)
            .find(|r| r.code == code)
            .map(|r| r.id)
            .context("demo risk")
    };
    let absences = plans::add_risk(
        db,
        author,
        plan.id,
        risk("absences")?,
        "Vairāk nekā 20 neattaisnotu stundu mēnesī.",
    )
    .await?;
    let travel = plans::add_risk(
        db,
        author,
        plan.id,
        risk("travel_costs")?,
        "Ceļš līdz skolai 25 km, ģimenei nav auto.",
    )
    .await?;
    let talks = plans::add_consultation(db, author, plan.id, "psychologist", 8 * 60, &[absences.id]).await?;
    let tickets = plans::add_compensation(
        db,
        author,
        plan.id,
        "public_transport",
        Eur::from_cents(18_000),
        &[travel.id],
    )
    .await?;
    plans::add_supervision(db, author, plan.id, 3 * 60).await?;
    if stage == PlanStage::Draft {
        return Ok(());
    }
    let signed = store_demo_pdf(store, &format!("consents/{}", plan.id), "Iesniegums un piekrišana").await?;
    let evidence = entities::attachments::StoredFile::of("iesniegums-parakstits.pdf", signed);
    plans::record_consent(
        db,
        author,
        plan.id,
        "Vecāks (rakstiska piekrišana skolā)",
        evidence,
        now,
    )
    .await?;
    plans::act(db, author, plan.id, Request::SendForApproval, None, now).await?;
    let steps = match stage {
        PlanStage::Waiting(step) => usize::from(step),
        _ => 1 + people.approvers.len(),
    };
    for approver in std::iter::once(director).chain(&people.approvers).take(steps) {
        plans::act(db, approver, plan.id, Request::Approve, None, now).await?;
    }
    let reason = |r: &'static str| Some(r);
    match stage {
        PlanStage::Draft | PlanStage::Waiting(_) | PlanStage::Approved => return Ok(()),
        PlanStage::Inactive => {
            plans::act(
                db,
                author,
                plan.id,
                Request::Deactivate,
                reason("Skolēns pārgāja uz citu skolu."),
                now,
            )
            .await?;
            return Ok(());
        }
        _ => {}
    }
    plans::act(db, author, plan.id, Request::Start, None, now).await?;
    for (day, minutes) in [(10, 45), (24, 40)] {
        let session = plans::Session {
            held_on: semester.starts_on + chrono::Duration::days(day),
            minutes,
            remote: day > 20,
            pupil_confirmed: true,
        };
        plans::log_session(db, author, talks.id, session, now).await?;
    }
    let title = format!("Biletes {}", semester.starts_on.format("%m.%Y"));
    let stored = store_demo_pdf(store, &format!("expenses/{}", tickets.id), &title).await?;
    let receipt = plans::Document {
        file_name: "biļetes.pdf",
        stored: &stored,
    };
    let spent_on = semester.starts_on + chrono::Duration::days(30);
    let requested = plans::record_expense(
        db,
        author,
        tickets.id,
        Eur::from_cents(4_250),
        spent_on,
        Some(receipt),
        now,
    )
    .await?;
    plans::decide_expense(db, director, requested.id, now).await?;
    match stage {
        PlanStage::Paused => {
            plans::act(
                db,
                author,
                plan.id,
                Request::Pause,
                reason("Skolēns ilgstoši slimo."),
                now,
            )
            .await?;
        }
        PlanStage::UnderRevision => {
            plans::act(db, author, plan.id, Request::Revise, None, now).await?;
        }
        PlanStage::Evaluated => {
            let text = ("Kavējumu skaits samazinājies uz pusi.", "reduced", None);
            plans::evaluate(db, author, plan.id, Some(talks.id), text, now).await?;
            let text = (
                "Plāns izpildīts; skolēns turpina mācības.",
                "reduced",
                Some("continues"),
            );
            plans::evaluate(db, author, plan.id, None, text, now).await?;
        }
        _ => {}
    }
    Ok(())
}

/// A line for the operator: on standard output, or a log line when the logs are JSON.
fn say(cfg: &Config, line: &str) {
    if cfg.log_json {
        tracing::info!("{}", line.trim());
    } else {
        println!("{line}");
    }
}
