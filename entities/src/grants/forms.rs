//! A call's own form, shaped by its regulation: the questions it asks, the documents an
//! application must carry and its budget categories with their caps. The coordinator builds it
//! while the call is a draft; publishing freezes it. Answers are checked here, as typed (a draft
//! is saved only when every answer parses) and before submitting (what is required is there,
//! the caps are kept).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

use crate::attachments::DocType;
use crate::audit::{self, Entry};
use crate::entity::call::{self, CallStatus};
use crate::entity::call_question::QuestionKind;
use crate::entity::{application_answer, attachment, budget_line, call_category, call_document, call_question};
use crate::error::{Error, FieldErrors, Result};
use crate::grants::applications::BUDGET_CATEGORIES;
use crate::grants::calls;
use crate::money::Eur;
use crate::policy::Actor;

/// The kinds of file a required document may be, as the coordinator picks them.
pub const TYPE_GROUPS: [&str; 4] = ["pdf", "office", "image", "edoc"];

/// The file types of a group (`TYPE_GROUPS`).
pub fn group_types(group: &str) -> &'static [DocType] {
    match group {
        "pdf" => &[DocType::Pdf],
        "office" => &[DocType::Docx, DocType::Xlsx, DocType::Odt, DocType::Ods],
        "image" => &[DocType::Png, DocType::Jpeg],
        "edoc" => &[DocType::Asice],
        _ => &[],
    }
}

/// The file types a required document may be.
pub fn allowed_types(doc: &call_document::Model) -> Vec<DocType> {
    doc.types
        .split(',')
        .flat_map(|g| group_types(g.trim()).iter().copied())
        .collect()
}

/// Longest answers and texts.
const SHORT_TEXT: usize = 300;
const LONG_TEXT_DEFAULT: i32 = 5_000;
const LONG_TEXT_MAX: i32 = 20_000;
const LABEL: usize = 300;
const HELP: usize = 1_000;

/// A call's form: everything its applications are asked beyond the fixed fields.
#[derive(Debug, Clone, Default)]
pub struct CallForm {
    pub questions: Vec<call_question::Model>,
    pub documents: Vec<call_document::Model>,
    pub categories: Vec<call_category::Model>,
}

impl CallForm {
    /// The values a budget line's category may take: the call's own, or the six fixed ones.
    pub fn category_keys(&self) -> Vec<String> {
        if self.categories.is_empty() {
            BUDGET_CATEGORIES.iter().map(|c| (*c).to_owned()).collect()
        } else {
            self.categories.iter().map(call_category::Model::key).collect()
        }
    }

    /// The call's own name of a category key, if it is one of the call's.
    pub fn category_name(&self, key: &str) -> Option<&str> {
        self.categories.iter().find(|c| c.key() == key).map(|c| c.name.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.questions.is_empty() && self.documents.is_empty() && self.categories.is_empty()
    }
}

/// The form of a call, in three statements.
pub async fn of_call(conn: &impl ConnectionTrait, call_id: i32) -> Result<CallForm> {
    Ok(CallForm {
        questions: call_question::Entity::find()
            .filter(call_question::Column::CallId.eq(call_id))
            .order_by_asc(call_question::Column::Position)
            .order_by_asc(call_question::Column::Id)
            .all(conn)
            .await?,
        documents: call_document::Entity::find()
            .filter(call_document::Column::CallId.eq(call_id))
            .order_by_asc(call_document::Column::Position)
            .order_by_asc(call_document::Column::Id)
            .all(conn)
            .await?,
        categories: call_category::Entity::find()
            .filter(call_category::Column::CallId.eq(call_id))
            .order_by_asc(call_category::Column::Position)
            .order_by_asc(call_category::Column::Id)
            .all(conn)
            .await?,
    })
}

/// A draft call the actor manages, or why its form cannot change.
async fn draft_call(conn: &impl ConnectionTrait, actor: &Actor, call_id: i32) -> Result<call::Model> {
    let c = calls::managed(conn, actor, call_id).await?;
    if c.status != CallStatus::Draft {
        return Err(Error::Refused("error-call-frozen"));
    }
    Ok(c)
}

async fn audit_call(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    c: &call::Model,
    action: &'static str,
    details: String,
    now: DateTime<Utc>,
) -> Result<()> {
    audit::record(
        conn,
        Entry::by(actor, Some(c.municipality_id), action, ("call", c.id.into())).details(Some(details)),
        now,
    )
    .await
}

fn bounded(raw: &str, max: usize, field: &str, required: bool, e: &mut FieldErrors) -> String {
    let s = raw.trim();
    if required && s.is_empty() {
        e.add(field, "error-required");
    }
    if s.chars().count() > max {
        e.add(field, "error-too-long");
    }
    s.to_owned()
}

/// A question as the coordinator typed it.
#[derive(Debug, Clone, Default)]
pub struct QuestionInput {
    pub kind: String,
    pub label: String,
    pub help: String,
    pub required: bool,
    pub max_len: String,
    pub choices: String,
}

/// Adds a question at the end of a draft call's form.
pub async fn add_question(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    call_id: i32,
    input: &QuestionInput,
    now: DateTime<Utc>,
) -> Result<call_question::Model> {
    let c = draft_call(conn, actor, call_id).await?;
    let mut e = FieldErrors::new();
    let kind = QuestionKind::parse(&input.kind);
    if kind.is_none() {
        e.add("kind", "error-choose");
    }
    let label = bounded(&input.label, LABEL, "label", true, &mut e);
    let help = bounded(&input.help, HELP, "help", false, &mut e);
    let max_len = match (kind, input.max_len.trim()) {
        (Some(QuestionKind::LongText), "") => Some(LONG_TEXT_DEFAULT),
        (Some(QuestionKind::LongText), raw) => match raw.parse::<i32>() {
            Ok(n) if (1..=LONG_TEXT_MAX).contains(&n) => Some(n),
            _ => {
                e.add("max_len", "error-question-max-len");
                None
            }
        },
        _ => None,
    };
    let choices: Vec<String> = input
        .choices
        .lines()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    if kind == Some(QuestionKind::Choice) {
        let distinct: std::collections::HashSet<&String> = choices.iter().collect();
        if choices.len() < 2 || distinct.len() != choices.len() {
            e.add("choices", "error-question-choices");
        } else if choices.iter().any(|c| c.chars().count() > 200) {
            e.add("choices", "error-too-long");
        }
    }
    e.into_result()?;
    let Some(kind) = kind else {
        return Err(FieldErrors::single("kind", "error-choose"));
    };
    let position = call_question::Entity::find()
        .filter(call_question::Column::CallId.eq(c.id))
        .count(conn)
        .await?;
    let q = call_question::ActiveModel {
        call_id: Set(c.id),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        kind: Set(kind),
        label: Set(label),
        help: Set(help),
        required: Set(input.required),
        max_len: Set(max_len),
        choices: Set(if kind == QuestionKind::Choice {
            choices.join("\n")
        } else {
            String::new()
        }),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    audit_call(conn, actor, &c, "call_question_add", format!("question={}", q.id), now).await?;
    Ok(q)
}

/// A required document as the coordinator typed it.
#[derive(Debug, Clone, Default)]
pub struct DocumentInput {
    pub title: String,
    pub types: Vec<String>,
}

/// Adds a required document to a draft call.
pub async fn add_document(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    call_id: i32,
    input: &DocumentInput,
    now: DateTime<Utc>,
) -> Result<call_document::Model> {
    let c = draft_call(conn, actor, call_id).await?;
    let mut e = FieldErrors::new();
    let title = bounded(&input.title, LABEL, "doc_title", true, &mut e);
    let types: Vec<&str> = TYPE_GROUPS
        .into_iter()
        .filter(|g| input.types.iter().any(|t| t == g))
        .collect();
    if types.is_empty() || input.types.iter().any(|t| !TYPE_GROUPS.contains(&t.as_str())) {
        e.add("doc_types", "error-document-types");
    }
    e.into_result()?;
    let position = call_document::Entity::find()
        .filter(call_document::Column::CallId.eq(c.id))
        .count(conn)
        .await?;
    let d = call_document::ActiveModel {
        call_id: Set(c.id),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        title: Set(title),
        types: Set(types.join(",")),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    audit_call(conn, actor, &c, "call_document_add", format!("document={}", d.id), now).await?;
    Ok(d)
}

/// A budget category as the coordinator typed it: a cap as a percentage of the budget's total,
/// or as an amount, or none.
#[derive(Debug, Clone, Default)]
pub struct CategoryInput {
    pub name: String,
    /// `""`, `share` or `amount`.
    pub cap: String,
    pub cap_value: String,
}

/// Adds a budget category to a draft call.
pub async fn add_category(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    call_id: i32,
    input: &CategoryInput,
    now: DateTime<Utc>,
) -> Result<call_category::Model> {
    let c = draft_call(conn, actor, call_id).await?;
    let mut e = FieldErrors::new();
    let name = bounded(&input.name, 200, "cat_name", true, &mut e);
    let (cap_bp, cap_cents) = match input.cap.as_str() {
        "" => (None, None),
        "share" => match crate::money::parse_hundredths(&input.cap_value).and_then(|bp| i32::try_from(bp).ok()) {
            Some(bp) if bp > 0 && bp < 10_000 => (Some(bp), None),
            _ => {
                e.add("cap_value", "error-category-share");
                (None, None)
            }
        },
        "amount" => match Eur::parse(&input.cap_value) {
            Some(a) if a.cents() > 0 => (None, Some(a.cents())),
            _ => {
                e.add("cap_value", "error-money");
                (None, None)
            }
        },
        _ => {
            e.add("cap", "error-choose");
            (None, None)
        }
    };
    e.into_result()?;
    let existing = call_category::Entity::find()
        .filter(call_category::Column::CallId.eq(c.id))
        .all(conn)
        .await?;
    if existing.iter().any(|k| k.name.eq_ignore_ascii_case(&name)) {
        return Err(FieldErrors::single("cat_name", "error-category-exists"));
    }
    let k = call_category::ActiveModel {
        call_id: Set(c.id),
        position: Set(i32::try_from(existing.len()).unwrap_or(i32::MAX)),
        name: Set(name),
        cap_bp: Set(cap_bp),
        cap_cents: Set(cap_cents),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    audit_call(conn, actor, &c, "call_category_add", format!("category={}", k.id), now).await?;
    Ok(k)
}

/// What part of a call's form an edit is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Question,
    Document,
    Category,
}

impl Part {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "question" => Some(Self::Question),
            "document" => Some(Self::Document),
            "category" => Some(Self::Category),
            _ => None,
        }
    }
}

/// Removes a question, required document or category from a draft call.
pub async fn remove(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    call_id: i32,
    part: Part,
    id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let c = draft_call(conn, actor, call_id).await?;
    let removed = match part {
        Part::Question => {
            call_question::Entity::delete_many()
                .filter(call_question::Column::Id.eq(id))
                .filter(call_question::Column::CallId.eq(c.id))
                .exec(conn)
                .await?
        }
        Part::Document => {
            call_document::Entity::delete_many()
                .filter(call_document::Column::Id.eq(id))
                .filter(call_document::Column::CallId.eq(c.id))
                .exec(conn)
                .await?
        }
        Part::Category => {
            call_category::Entity::delete_many()
                .filter(call_category::Column::Id.eq(id))
                .filter(call_category::Column::CallId.eq(c.id))
                .exec(conn)
                .await?
        }
    };
    if removed.rows_affected == 0 {
        return Err(Error::NotFound);
    }
    audit_call(conn, actor, &c, "call_form_remove", format!("{part:?}={id}"), now).await
}

/// Moves a question one place up (`up`) or down among a draft call's questions.
pub async fn move_question(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    call_id: i32,
    id: i32,
    up: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let c = draft_call(conn, actor, call_id).await?;
    let mut questions = of_call(conn, c.id).await?.questions;
    let at = questions.iter().position(|q| q.id == id).ok_or(Error::NotFound)?;
    let to = if up {
        at.checked_sub(1)
    } else {
        Some(at + 1).filter(|&i| i < questions.len())
    };
    let Some(to) = to else {
        return Ok(());
    };
    questions.swap(at, to);
    for (i, q) in questions.into_iter().enumerate() {
        let position = i32::try_from(i).unwrap_or(i32::MAX);
        if q.position != position {
            let mut active: call_question::ActiveModel = q.into();
            active.position = Set(position);
            active.update(conn).await?;
        }
    }
    audit_call(conn, actor, &c, "call_question_move", format!("question={id}"), now).await
}

/// Copies a call's form into another (a copied call).
pub async fn copy_into(conn: &impl ConnectionTrait, from: i32, to: i32) -> Result<()> {
    let form = of_call(conn, from).await?;
    if !form.questions.is_empty() {
        call_question::Entity::insert_many(form.questions.into_iter().map(|q| call_question::ActiveModel {
            call_id: Set(to),
            position: Set(q.position),
            kind: Set(q.kind),
            label: Set(q.label),
            help: Set(q.help),
            required: Set(q.required),
            max_len: Set(q.max_len),
            choices: Set(q.choices),
            ..Default::default()
        }))
        .exec(conn)
        .await?;
    }
    if !form.documents.is_empty() {
        call_document::Entity::insert_many(form.documents.into_iter().map(|d| call_document::ActiveModel {
            call_id: Set(to),
            position: Set(d.position),
            title: Set(d.title),
            types: Set(d.types),
            ..Default::default()
        }))
        .exec(conn)
        .await?;
    }
    if !form.categories.is_empty() {
        call_category::Entity::insert_many(form.categories.into_iter().map(|k| call_category::ActiveModel {
            call_id: Set(to),
            position: Set(k.position),
            name: Set(k.name),
            cap_bp: Set(k.cap_bp),
            cap_cents: Set(k.cap_cents),
            ..Default::default()
        }))
        .exec(conn)
        .await?;
    }
    Ok(())
}

/// An application's answers, by question.
pub async fn answers(conn: &impl ConnectionTrait, application_id: i32) -> Result<HashMap<i32, String>> {
    Ok(application_answer::Entity::find()
        .filter(application_answer::Column::ApplicationId.eq(application_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.question_id, a.value))
        .collect())
}

/// The answers of many applications (an export), by application and question, in one statement.
pub async fn answers_of(conn: &impl ConnectionTrait, application_ids: Vec<i32>) -> Result<HashMap<(i32, i32), String>> {
    Ok(application_answer::Entity::find()
        .filter(application_answer::Column::ApplicationId.is_in(application_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| ((a.application_id, a.question_id), a.value))
        .collect())
}

/// The names of the files given as answers to file questions, by application and question,
/// in one statement.
pub async fn files_of(
    conn: &impl ConnectionTrait,
    application_ids: Vec<i32>,
) -> Result<HashMap<(i32, i32), Vec<String>>> {
    let mut out: HashMap<(i32, i32), Vec<String>> = HashMap::new();
    for a in attachment::Entity::find()
        .filter(attachment::Column::ApplicationId.is_in(application_ids))
        .filter(attachment::Column::QuestionId.is_not_null())
        .order_by_asc(attachment::Column::Id)
        .all(conn)
        .await?
    {
        if let Some(q) = a.question_id {
            out.entry((a.application_id, q)).or_default().push(a.file_name);
        }
    }
    Ok(out)
}

/// The answers as typed (`q-{id}` → value), parsed and normalised for storing; problems are
/// named by their field. Empty answers are not stored; file questions are answered by uploads.
pub fn parse_answers(
    questions: &[call_question::Model],
    typed: &HashMap<String, String>,
) -> (Vec<(i32, String)>, FieldErrors) {
    let mut e = FieldErrors::new();
    let mut out = Vec::new();
    for q in questions.iter().filter(|q| q.kind != QuestionKind::File) {
        let field = q.field();
        let raw = typed.get(&field).map_or("", |s| s.trim());
        if raw.is_empty() {
            continue;
        }
        let value = match q.kind {
            QuestionKind::ShortText => (raw.chars().count() <= SHORT_TEXT)
                .then(|| raw.to_owned())
                .ok_or("error-too-long"),
            QuestionKind::LongText => {
                let max = usize::try_from(q.max_len.unwrap_or(LONG_TEXT_DEFAULT)).unwrap_or(0);
                (raw.chars().count() <= max)
                    .then(|| raw.to_owned())
                    .ok_or("error-answer-too-long")
            }
            QuestionKind::Number => raw
                .replace([' ', '\u{a0}'], "")
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=1_000_000_000).contains(n))
                .map(|n| n.to_string())
                .ok_or("error-whole-number"),
            QuestionKind::Amount => Eur::parse(raw).map(Eur::to_plain).ok_or("error-money"),
            QuestionKind::Date => crate::time::parse_date(raw)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .ok_or("error-date"),
            QuestionKind::Choice => q
                .options()
                .into_iter()
                .find(|o| *o == raw)
                .map(str::to_owned)
                .ok_or("error-choose"),
            QuestionKind::YesNo => ["yes", "no"]
                .into_iter()
                .find(|o| *o == raw)
                .map(str::to_owned)
                .ok_or("error-choose"),
            QuestionKind::File => continue,
        };
        match value {
            Ok(v) => out.push((q.id, v)),
            Err(message) => e.add(field, message),
        }
    }
    (out, e)
}

/// Stores an application's answers (replaced as a whole; file questions keep their uploads).
pub async fn save_answers(conn: &impl ConnectionTrait, application_id: i32, answers: &[(i32, String)]) -> Result<()> {
    application_answer::Entity::delete_many()
        .filter(application_answer::Column::ApplicationId.eq(application_id))
        .exec(conn)
        .await?;
    if !answers.is_empty() {
        application_answer::Entity::insert_many(answers.iter().map(|(q, v)| application_answer::ActiveModel {
            application_id: Set(application_id),
            question_id: Set(*q),
            value: Set(v.clone()),
            ..Default::default()
        }))
        .exec(conn)
        .await?;
    }
    Ok(())
}

/// What the call's form still needs before an application may be submitted: every required
/// question answered, every required document attached, budget lines in the call's categories
/// and within their caps.
pub fn submission_problems(
    form: &CallForm,
    answers: &HashMap<i32, String>,
    docs: &[attachment::Model],
    lines: &[budget_line::Model],
) -> FieldErrors {
    let mut e = FieldErrors::new();
    for q in form.questions.iter().filter(|q| q.required) {
        let answered = match q.kind {
            QuestionKind::File => docs.iter().any(|d| d.question_id == Some(q.id)),
            _ => answers.get(&q.id).is_some_and(|v| !v.trim().is_empty()),
        };
        if !answered {
            e.add(q.field(), "error-required");
        }
    }
    for d in &form.documents {
        if !docs.iter().any(|a| a.document_id == Some(d.id)) {
            e.add(d.field(), "error-document-missing");
        }
    }
    let keys = form.category_keys();
    if lines.iter().any(|l| !keys.contains(&l.category)) {
        e.add("lines", "error-category-unknown");
    }
    let total: i128 = lines
        .iter()
        .map(|l| i128::from(l.unit_cents) * i128::from(l.quantity))
        .sum();
    for k in &form.categories {
        let key = k.key();
        let sum: i128 = lines
            .iter()
            .filter(|l| l.category == key)
            .map(|l| i128::from(l.unit_cents) * i128::from(l.quantity))
            .sum();
        let over_share = k.cap_bp.is_some_and(|bp| sum * 10_000 > i128::from(bp) * total);
        let over_amount = k.cap_cents.is_some_and(|cap| sum > i128::from(cap));
        if over_share || over_amount {
            e.add(format!("cap-{}", k.id), "error-category-cap");
        }
    }
    e
}

/// Where an uploaded file goes: a required document, a file question, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Other,
    Document(i32),
    Question(i32),
}

impl Slot {
    /// From the name of the form's file field (`file`, `doc-{id}`, `q-{id}`).
    pub fn from_field(name: &str) -> Option<Self> {
        if name == "file" {
            return Some(Self::Other);
        }
        if let Some(id) = name.strip_prefix("doc-") {
            return id.parse().ok().map(Self::Document);
        }
        name.strip_prefix("q-")
            .and_then(|id| id.parse().ok())
            .map(Self::Question)
    }

    /// The form field problems with this upload are shown at.
    pub fn field(self) -> String {
        match self {
            Self::Other => "file".to_owned(),
            Self::Document(id) => format!("doc-{id}"),
            Self::Question(id) => format!("q-{id}"),
        }
    }

    /// Whether a file of `doc_type` may fill this slot of `form`: `NotFound` for a slot of
    /// another call, a message when the type is not one the document allows.
    pub fn check(self, form: &CallForm, doc_type: DocType) -> Result<()> {
        match self {
            Self::Other => Ok(()),
            Self::Document(id) => {
                let doc = form.documents.iter().find(|d| d.id == id).ok_or(Error::NotFound)?;
                if allowed_types(doc).contains(&doc_type) {
                    Ok(())
                } else {
                    Err(FieldErrors::single(self.field(), "error-document-type"))
                }
            }
            Self::Question(id) => {
                form.questions
                    .iter()
                    .find(|q| q.id == id && q.kind == QuestionKind::File)
                    .ok_or(Error::NotFound)?;
                Ok(())
            }
        }
    }

    pub fn document_id(self) -> Option<i32> {
        match self {
            Self::Document(id) => Some(id),
            _ => None,
        }
    }

    pub fn question_id(self) -> Option<i32> {
        match self {
            Self::Question(id) => Some(id),
            _ => None,
        }
    }
}
