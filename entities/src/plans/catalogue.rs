//! The risk catalogue: its first version and the administrator's new versions. A semester
//! uses the newest version when it is made; earlier semesters keep theirs.

use super::*;

/// The first catalogue: the four groups of risks PuMPuRS used, and risks within them.
/// (code, Latvian name, English name)
type Entry3<'a> = (&'a str, &'a str, &'a str);

/// Groups: (code, Latvian, English, risks).
const CATALOGUE: &[(&str, &str, &str, &[Entry3<'static>])] = &[
    (
        "learning",
        "Mācības un skola",
        "Learning and school",
        &[
            ("low_results", "Zemi mācību sasniegumi", "Low achievement"),
            ("absences", "Neattaisnoti kavējumi", "Unexcused absences"),
            ("learning_difficulties", "Mācīšanās grūtības", "Learning difficulties"),
            ("low_motivation", "Zema mācību motivācija", "Low motivation to learn"),
            (
                "school_conflicts",
                "Konflikti ar vienaudžiem vai skolotājiem",
                "Conflicts with peers or teachers",
            ),
        ],
    ),
    (
        "family",
        "Ģimene un sociālā vide",
        "Family and social environment",
        &[
            ("family_crisis", "Krīze ģimenē", "A crisis in the family"),
            ("parents_abroad", "Vecāki strādā ārzemēs", "Parents working abroad"),
            (
                "little_support",
                "Maz atbalsta mācībām mājās",
                "Little support for learning at home",
            ),
            (
                "risky_environment",
                "Riskanta sociālā vide",
                "A risky social environment",
            ),
        ],
    ),
    (
        "economic",
        "Ekonomiskie",
        "Economic",
        &[
            ("low_income", "Trūcīga vai maznodrošināta ģimene", "A low-income family"),
            (
                "travel_costs",
                "Lieli ceļa izdevumi līdz skolai",
                "High costs of getting to school",
            ),
            (
                "must_work",
                "Jāstrādā, lai nopelnītu iztiku",
                "Has to work for a living",
            ),
        ],
    ),
    (
        "individual",
        "Individuālie: veselība, psihoemocionālie, uzvedība",
        "Individual: health, psycho-emotional, behaviour",
        &[
            ("health", "Veselības problēmas", "Health problems"),
            (
                "emotional",
                "Psihoemocionālas grūtības",
                "Psycho-emotional difficulties",
            ),
            ("behaviour", "Uzvedības problēmas", "Behaviour problems"),
            ("addiction", "Atkarību riski", "Risk of addiction"),
        ],
    ),
];

/// The newest catalogue version; the first (the groups and risks above) is made if there is none.
pub async fn newest_catalogue(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<risk_catalogue::Model> {
    if let Some(newest) = risk_catalogue::Entity::find()
        .order_by_desc(risk_catalogue::Column::Version)
        .one(conn)
        .await?
    {
        return Ok(newest);
    }
    let groups: Vec<(Entry3, Vec<Entry3>)> = CATALOGUE
        .iter()
        .map(|(code, lv, en, risks)| ((*code, *lv, *en), risks.to_vec()))
        .collect();
    write_catalogue(conn, 1, &groups, now).await
}

/// Writes catalogue `version`: its groups in order, each with its risks in order.
async fn write_catalogue(
    conn: &impl ConnectionTrait,
    version: i32,
    groups: &[(Entry3<'_>, Vec<Entry3<'_>>)],
    now: DateTime<Utc>,
) -> Result<risk_catalogue::Model> {
    let catalogue = risk_catalogue::ActiveModel {
        version: Set(version),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    for (g, ((code, lv, en), risks)) in groups.iter().enumerate() {
        let group = risk_group::ActiveModel {
            catalogue_id: Set(catalogue.id),
            code: Set(code.trim().to_owned()),
            name_lv: Set(lv.trim().to_owned()),
            name_en: Set(en.trim().to_owned()),
            position: Set(i32::try_from(g).unwrap_or_default()),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        if risks.is_empty() {
            continue;
        }
        risk::Entity::insert_many(risks.iter().enumerate().map(|(i, (code, lv, en))| risk::ActiveModel {
            group_id: Set(group.id),
            code: Set(code.trim().to_owned()),
            name_lv: Set(lv.trim().to_owned()),
            name_en: Set(en.trim().to_owned()),
            position: Set(i32::try_from(i).unwrap_or_default()),
            ..Default::default()
        }))
        .exec(conn)
        .await?;
    }
    Ok(catalogue)
}

/// A new catalogue version (an administrator's): the newest version's groups and risks, plus
/// `additions` as (group code, risk code, Latvian name, English name). Semesters made from now
/// on use it; earlier semesters and their plans keep the version they had.
pub async fn new_catalogue_version(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    additions: &[(&str, &str, &str, &str)],
    now: DateTime<Utc>,
) -> Result<risk_catalogue::Model> {
    if !actor.is_admin() {
        return Err(Error::NotFound);
    }
    let newest = newest_catalogue(conn, now).await?;
    let groups = risk_group::Entity::find()
        .filter(risk_group::Column::CatalogueId.eq(newest.id))
        .order_by_asc(risk_group::Column::Position)
        .all(conn)
        .await?;
    let mut e = FieldErrors::new();
    for (group, code, lv, en) in additions {
        if !groups.iter().any(|g| g.code == *group) {
            e.add("group", "error-risk-group");
        }
        if code.trim().is_empty() || lv.trim().is_empty() || en.trim().is_empty() {
            e.add("risk", "error-required");
        }
    }
    e.into_result()?;
    let risks = risk::Entity::find()
        .filter(risk::Column::GroupId.is_in(groups.iter().map(|g| g.id)))
        .order_by_asc(risk::Column::Position)
        .all(conn)
        .await?;
    // The newest version's groups and risks, each group followed by what is added to it.
    let copied: Vec<(Entry3, Vec<Entry3>)> = groups
        .iter()
        .map(|g| {
            let kept = risks
                .iter()
                .filter(|r| r.group_id == g.id)
                .map(|r| (r.code.as_str(), r.name_lv.as_str(), r.name_en.as_str()));
            let added = additions.iter().filter(|a| a.0 == g.code).map(|a| (a.1, a.2, a.3));
            (
                (g.code.as_str(), g.name_lv.as_str(), g.name_en.as_str()),
                kept.chain(added).collect(),
            )
        })
        .collect();
    let version = write_catalogue(conn, newest.version + 1, &copied, now).await?;
    audit::record(
        conn,
        Entry::by(
            actor,
            None,
            "risk_catalogue_version",
            ("risk_catalogue", version.id.into()),
        ),
        now,
    )
    .await?;
    Ok(version)
}
