//! A class list into a school's pupils: the table as a diary system exports it (columns found by
//! their headers, in Latvian or English), each row checked, matched against the school's pupils
//! and the rest of the file on name and date of birth, and - once confirmed - the new pupils
//! written together. The audit keeps how many, never who.

use std::collections::HashMap;

use super::*;

/// The most rows one file may have.
pub const MAX_ROWS: usize = 5000;

/// The headers each column is known by (compared lower-case, without diacritics, spaces
/// collapsed).
const FIRST: &[&str] = &["vards", "name", "first name", "given name", "firstname"];
const LAST: &[&str] = &["uzvards", "surname", "last name", "family name", "lastname"];
const FULL: &[&str] = &[
    "vards, uzvards",
    "vards uzvards",
    "skolens",
    "izglitojamais",
    "pupil",
    "student",
    "full name",
    "name and surname",
];
const CLASS: &[&str] = &[
    "klase",
    "kurss",
    "klase/kurss",
    "klase vai kurss",
    "class",
    "course",
    "class or course",
    "form",
    "grade",
];
const BIRTH: &[&str] = &[
    "dzimsanas datums",
    "dzimis",
    "date of birth",
    "birth date",
    "birthdate",
    "born",
    "dob",
];

/// Where each field is in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Columns {
    /// The first name and surname columns, or one column with both.
    name: (usize, Option<usize>),
    class: usize,
    birth: usize,
}

fn normalised(header: &str) -> String {
    crate::domain::ascii_fold(&header.trim().to_lowercase())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches(':')
        .to_owned()
}

/// The columns of `header`; the fields whose column is missing, as problems of the file.
fn columns(header: &[String]) -> Result<Columns> {
    let names: Vec<String> = header.iter().map(|h| normalised(h)).collect();
    let find = |known: &[&str]| names.iter().position(|n| known.contains(&n.as_str()));
    let name = match (find(FIRST), find(LAST), find(FULL)) {
        (Some(first), Some(last), _) => Some((first, Some(last))),
        (_, _, Some(full)) => Some((full, None)),
        _ => None,
    };
    match (name, find(CLASS), find(BIRTH)) {
        (Some(name), Some(class), Some(birth)) => Ok(Columns { name, class, birth }),
        (name, class, birth) => {
            let mut e = FieldErrors::one("file", "error-import-columns");
            for (found, message) in [
                (name.is_some(), "import-missing-name"),
                (class.is_some(), "import-missing-class"),
                (birth.is_some(), "import-missing-birth"),
            ] {
                if !found {
                    e.add(message, message);
                }
            }
            Err(Error::Invalid(e))
        }
    }
}

/// A date as class lists write it: 31.05.2010 (a two-digit year is not taken), 2010-05-31,
/// 31/05/2010.
pub fn list_date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim().trim_end_matches('.');
    ["%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y.%m.%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(raw, f).ok())
        .filter(|d| chrono::Datelike::year(d) >= 1900)
}

/// What becomes of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    /// A new pupil.
    New,
    /// Already a pupil of the school (that pupil's id): left as it is.
    Registered(i32),
    /// The same pupil as an earlier row of the file (its line).
    Repeated(usize),
    /// Something is wrong with it (messages of the catalogue): not imported.
    Wrong(Vec<&'static str>),
}

/// One row of the file as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// Its line in the file (the header is line 1).
    pub line: usize,
    pub name: String,
    pub class_name: String,
    /// As written in the file.
    pub birth: String,
    pub birth_date: Option<NaiveDate>,
    pub outcome: RowOutcome,
}

/// The rows of a class list, each with what would become of it.
#[derive(Debug, Clone, Default)]
pub struct ImportPreview {
    pub rows: Vec<ImportRow>,
}

impl ImportPreview {
    pub fn new_pupils(&self) -> impl Iterator<Item = &ImportRow> {
        self.rows.iter().filter(|r| r.outcome == RowOutcome::New)
    }
}

/// Checks a class list (`table`: the header row, then one row per pupil) for the school: reads
/// the school's pupils once to find those already registered. Writes only its audit record.
pub async fn preview_import(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    school_id: i32,
    table: &[Vec<String>],
    now: DateTime<Utc>,
) -> Result<ImportPreview> {
    if !actor.may_register_pupils(school_id) {
        return Err(Error::NotFound);
    }
    let Some((header, rows)) = table.split_first() else {
        return Err(FieldErrors::single("file", "error-import-empty"));
    };
    let cols = columns(header)?;
    let rows: Vec<(usize, &Vec<String>)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (i + 2, r))
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .collect();
    if rows.is_empty() {
        return Err(FieldErrors::single("file", "error-import-empty"));
    }
    if rows.len() > MAX_ROWS {
        return Err(FieldErrors::single("file", "error-import-too-many"));
    }
    let key = |name: &str, birth: NaiveDate| {
        (
            name.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" "),
            birth,
        )
    };
    let registered: HashMap<(String, NaiveDate), i32> = pupil::Entity::find()
        .select_only()
        .columns([pupil::Column::Id, pupil::Column::Name, pupil::Column::BirthDate])
        .filter(pupil::Column::SchoolId.eq(school_id))
        .into_tuple::<(i32, String, NaiveDate)>()
        .all(conn)
        .await?
        .into_iter()
        .map(|(id, name, birth)| (key(&name, birth), id))
        .collect();
    let mut seen: HashMap<(String, NaiveDate), usize> = HashMap::new();
    let today = now.date_naive();
    let out: Vec<ImportRow> = rows
        .into_iter()
        .map(|(line, r)| {
            let cell = |i: usize| r.get(i).map(|c| c.trim().to_owned()).unwrap_or_default();
            let name = match cols.name {
                (first, Some(last)) => format!("{} {}", cell(first), cell(last)).trim().to_owned(),
                (full, None) => cell(full),
            };
            let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
            let class_name = cell(cols.class);
            let birth = cell(cols.birth);
            let birth_date = list_date(&birth);
            let mut wrong = Vec::new();
            let missing_part =
                matches!(cols.name, (first, Some(last)) if cell(first).is_empty() || cell(last).is_empty());
            if name.is_empty() || missing_part {
                wrong.push("import-row-name");
            } else if name.chars().count() > 200 {
                wrong.push("import-row-name-long");
            }
            if class_name.is_empty() || class_name.chars().count() > 40 {
                wrong.push("import-row-class");
            }
            match birth_date {
                None => wrong.push("import-row-birth"),
                Some(d) if d >= today || !super::plausible_birth(&class_name, d, today) => {
                    wrong.push("import-row-birth-range");
                }
                Some(_) => {}
            }
            let outcome = match birth_date {
                _ if !wrong.is_empty() => RowOutcome::Wrong(wrong),
                Some(d) => {
                    let k = key(&name, d);
                    if let Some(id) = registered.get(&k) {
                        RowOutcome::Registered(*id)
                    } else if let Some(first) = seen.get(&k) {
                        RowOutcome::Repeated(*first)
                    } else {
                        seen.insert(k, line);
                        RowOutcome::New
                    }
                }
                None => RowOutcome::Wrong(vec!["import-row-birth"]),
            };
            ImportRow {
                line,
                name,
                class_name,
                birth,
                birth_date,
                outcome,
            }
        })
        .collect();
    // Which of the listed pupils are registered is read from the pupils' data.
    super::record(
        conn,
        actor,
        school_id,
        "pupil_import_preview",
        ("organisation", school_id),
        Some(format!("{} rows", out.len())),
        now,
    )
    .await?;
    Ok(ImportPreview { rows: out })
}

/// Imports the class list as previewed: its new pupils are written together (the caller's
/// transaction), support staff who could not otherwise see them are linked to them, and one
/// audit record says how many. The list is checked again, so a pupil registered meanwhile is
/// not written twice. Returns the preview it wrote.
pub async fn import_pupils(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    school_id: i32,
    table: &[Vec<String>],
    now: DateTime<Utc>,
) -> Result<ImportPreview> {
    let preview = preview_import(conn, actor, school_id, table, now).await?;
    let new: Vec<pupil::ActiveModel> = preview
        .new_pupils()
        .filter_map(|r| {
            Some(pupil::ActiveModel {
                school_id: Set(school_id),
                name: Set(r.name.clone()),
                class_name: Set(r.class_name.clone()),
                birth_date: Set(r.birth_date?),
                created_by: Set(actor.user.id),
                created_at: Set(now),
                ..Default::default()
            })
        })
        .collect();
    let count = new.len();
    if count == 0 {
        return Err(FieldErrors::single("file", "error-import-nothing-new"));
    }
    // Seven columns a row, well under either database's limit of bound values per statement.
    for chunk in new.chunks(500) {
        pupil::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    if actor.holds(Role::SupportStaff, school_id) && !actor.sees_all_pupils(school_id) {
        let ids: Vec<i32> = pupil::Entity::find()
            .select_only()
            .column(pupil::Column::Id)
            .filter(pupil::Column::SchoolId.eq(school_id))
            .filter(pupil::Column::CreatedBy.eq(actor.user.id))
            .filter(pupil::Column::CreatedAt.eq(now))
            .into_tuple()
            .all(conn)
            .await?;
        for chunk in ids.chunks(500) {
            pupil_staff::Entity::insert_many(chunk.iter().map(|id| pupil_staff::ActiveModel {
                pupil_id: Set(*id),
                user_id: Set(actor.user.id),
                ..Default::default()
            }))
            .exec_without_returning(conn)
            .await?;
        }
    }
    audit::record(
        conn,
        Entry::by(
            actor,
            Some(school_id),
            "pupil_import",
            ("organisation", school_id.into()),
        )
        .details(Some(format!("{count} pupils"))),
        now,
    )
    .await?;
    Ok(preview)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn columns_are_found_by_their_headers_in_either_language_and_missing_ones_are_named() {
        let lv = columns(&header(&["Nr.", "Vārds", "Uzvārds", "Klase", "Dzimšanas datums"])).expect("lv");
        assert_eq!(
            lv,
            Columns {
                name: (1, Some(2)),
                class: 3,
                birth: 4
            }
        );
        let en = columns(&header(&["Full name", "Date of birth", "Class or course"])).expect("en");
        assert_eq!(
            en,
            Columns {
                name: (0, None),
                class: 2,
                birth: 1
            }
        );
        let Err(Error::Invalid(e)) = columns(&header(&["Vārds", "Uzvārds", "Adrese"])) else {
            panic!("columns missing");
        };
        assert_eq!(e.get("file"), Some("error-import-columns"));
        assert!(e.get("import-missing-class").is_some() && e.get("import-missing-birth").is_some());
        assert!(e.get("import-missing-name").is_none());
    }

    #[test]
    fn class_list_dates_are_read_in_their_usual_forms() {
        let d = NaiveDate::from_ymd_opt(2011, 5, 31);
        for raw in ["31.05.2011", "31.05.2011.", "2011-05-31", "31/05/2011", " 31-05-2011 "] {
            assert_eq!(list_date(raw), d, "{raw}");
        }
        for raw in ["31.02.2011", "maijs", "", "31.05.11"] {
            assert_eq!(list_date(raw), None, "{raw}");
        }
    }
}
