//! A school's money in a semester: the funding ceiling, and expenses requested, decided within
//! it (never dropped: beyond it they are recorded unpaid) and paid by the accountant.

use sea_orm::ActiveEnum;

use super::*;

/// A school's money for a semester.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Funding {
    pub ceiling: Eur,
    /// Approved or paid.
    pub committed: Eur,
    pub remaining: Eur,
    /// Recorded as unpaid for lack of funds.
    pub unpaid: Eur,
    /// Requested, waiting for the accountant's decision.
    pub requested: Eur,
    /// The compensations the approved plans plan (what the ceiling will be asked for).
    pub planned: Eur,
    pub outlook: rules::Outlook,
}

/// The ceiling (pupils with an approved plan × the cap), committed, remaining and unpaid.
pub async fn funding(conn: &impl ConnectionTrait, school_id: i32, semester_id: i32) -> Result<Funding> {
    let semester = semester::Entity::find_by_id(semester_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let approved_plans = Query::select()
        .column(plan_approval::Column::PlanId)
        .from(plan_approval::Entity)
        .cond_where(state_approved())
        .to_owned();
    let counted = Query::select()
        .column(plan::Column::Id)
        .from(plan::Entity)
        .and_where(plan::Column::SchoolId.eq(school_id))
        .and_where(plan::Column::SemesterId.eq(semester_id))
        .and_where(plan::Column::Id.in_subquery(approved_plans))
        .and_where(plan::Column::Status.ne(stored(PlanStatus::Inactive).0))
        .to_owned();
    let approved_pupils = plan::Entity::find()
        .filter(plan::Column::Id.in_subquery(counted.clone()))
        .count(conn)
        .await?;
    let planned: Option<i64> = plan_measure::Entity::find()
        .select_only()
        .column_as(crate::money::sum_cents(plan_measure::Column::PlannedCents), "planned")
        .filter(plan_measure::Column::PlanId.in_subquery(counted))
        .filter(plan_measure::Column::Kind.eq(MeasureKind::Compensation))
        .into_tuple::<Option<i64>>()
        .one(conn)
        .await?
        .flatten();
    let planned = Eur::from_cents(planned.unwrap_or(0));
    // The expenses of this school's plans in this semester.
    let plans_here = plans_of(school_id, semester_id);
    let ceiling = rules::ceiling(
        u32::try_from(approved_pupils).unwrap_or(u32::MAX),
        Eur::from_cents(semester.cap_cents),
    );
    // Every status's total in one statement.
    let totals: Vec<(ExpenseState, Option<i64>)> = expense::Entity::find()
        .select_only()
        .column(expense::Column::Status)
        .column_as(crate::money::sum_cents(expense::Column::AmountCents), "total")
        .filter(expense::Column::PlanId.in_subquery(plans_here))
        .group_by(expense::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    let sum = |statuses: &[ExpenseState]| {
        Eur::from_cents(
            totals
                .iter()
                .filter(|(status, _)| statuses.contains(status))
                .filter_map(|(_, total)| *total)
                .sum(),
        )
    };
    let committed = sum(&ExpenseState::COMMITTED);
    let unpaid = sum(&[ExpenseState::Unpaid]);
    let requested = sum(&[ExpenseState::Requested]);
    Ok(Funding {
        ceiling,
        committed,
        remaining: rules::remaining(ceiling, committed),
        unpaid,
        requested,
        planned,
        outlook: rules::outlook(ceiling, planned, committed),
    })
}

/// Records an expense of a compensation measure of a plan in progress, with its document, as
/// requested; the school's accountant or director decides it (`decide_expense`).
pub async fn record_expense(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    measure_id: i32,
    amount: Eur,
    spent_on: NaiveDate,
    document: Option<Document<'_>>,
    now: DateTime<Utc>,
) -> Result<expense::Model> {
    let (measure, found) = measure_being_carried_out(conn, actor, measure_id, MeasureKind::Compensation).await?;
    let mut e = FieldErrors::new();
    if amount.cents() <= 0 {
        e.add("amount", "error-amount-positive");
    }
    if spent_on > now.date_naive() {
        e.add("spent_on", "error-expense-date");
    }
    e.into_result()?;
    let status = ExpenseState::Requested;
    let expense = expense::ActiveModel {
        measure_id: Set(measure.id),
        plan_id: Set(found.plan.id),
        amount_cents: Set(amount.cents()),
        spent_on: Set(spent_on),
        document_key: Set(document.map(|d| d.stored.key.clone())),
        document_name: Set(document.map(|d| crate::attachments::display_name(d.file_name))),
        document_type: Set(document.map(|d| d.stored.doc_type.mime().to_owned())),
        document_size: Set(document.map(|d| i64::try_from(d.stored.size).unwrap_or(i64::MAX))),
        document_sha256: Set(document.map(|d| d.stored.sha256.clone())),
        archived_at: Set(None),
        status: Set(status),
        created_by: Set(actor.user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    record(
        conn,
        actor,
        found.plan.school_id,
        "expense_record",
        ("plan", found.plan.id),
        Some(format!("{} {}", amount.cents(), status.to_value())),
        now,
    )
    .await?;
    Ok(expense)
}

/// Decides a requested expense (the school's accountant or director): approved if it fits
/// what is left of the school's ceiling, else recorded as unpaid for lack of funds — never
/// dropped; with the school's id. Call it in a transaction, so that the check and the
/// decision are one.
pub async fn decide_expense(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    expense_id: i32,
    now: DateTime<Utc>,
) -> Result<(expense::Model, i32)> {
    // The first statement is a write on the expense's semester: inside the caller's transaction
    // it holds every other decision of the semester back until this one is made (SQLite's
    // writer lock, a row lock on PostgreSQL), so two expenses never both take the last euro.
    let plan_of_expense = Query::select()
        .column(expense::Column::PlanId)
        .from(expense::Entity)
        .and_where(expense::Column::Id.eq(expense_id))
        .to_owned();
    let semester_of_plan = Query::select()
        .column(plan::Column::SemesterId)
        .from(plan::Entity)
        .and_where(plan::Column::Id.in_subquery(plan_of_expense))
        .to_owned();
    semester::Entity::update_many()
        .col_expr(semester::Column::ClosedAt, Expr::col(semester::Column::ClosedAt))
        .filter(semester::Column::Id.in_subquery(semester_of_plan))
        .exec(conn)
        .await?;
    let (row, school_id) = accountants_expense(conn, actor, expense_id).await?;
    if row.status != ExpenseState::Requested {
        return Err(Error::Refused("expense-refused-decided"));
    }
    let semester_id = plan::Entity::find_by_id(row.plan_id)
        .select_only()
        .column(plan::Column::SemesterId)
        .into_tuple::<i32>()
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let money = funding(conn, school_id, semester_id).await?;
    let amount = Eur::from_cents(row.amount_cents);
    let status = if rules::fits(amount, money.ceiling, money.committed) {
        ExpenseState::Approved
    } else {
        ExpenseState::Unpaid
    };
    let mut active: expense::ActiveModel = row.into();
    active.status = Set(status);
    let row = active.update(conn).await?;
    record(
        conn,
        actor,
        school_id,
        "expense_decide",
        ("expense", row.id),
        Some(format!("{} {}", row.amount_cents, status.to_value())),
        now,
    )
    .await?;
    Ok((row, school_id))
}

/// The receipt or invoice of an expense, already streamed to the documents store.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    pub file_name: &'a str,
    pub stored: &'a crate::attachments::Stored,
}

/// An expense for its school's accountant or director, who decide and pay; `NotFound` for
/// anyone else (support staff who see the plan included).
async fn accountants_expense(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    expense_id: i32,
) -> Result<(expense::Model, i32)> {
    let (row, school_id) = school_expense(conn, actor, expense_id).await?;
    if actor.handles_money(school_id) {
        Ok((row, school_id))
    } else {
        Err(Error::NotFound)
    }
}

/// Marks an approved expense paid (the school's accountant or director); with the school's id.
pub async fn pay_expense(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    expense_id: i32,
    now: DateTime<Utc>,
) -> Result<(expense::Model, i32)> {
    let (row, school_id) = accountants_expense(conn, actor, expense_id).await?;
    if row.status != ExpenseState::Approved {
        return Err(Error::Refused("expense-refused-not-approved"));
    }
    let mut active: expense::ActiveModel = row.into();
    active.status = Set(ExpenseState::Paid);
    let row = active.update(conn).await?;
    record(
        conn,
        actor,
        school_id,
        "expense_pay",
        ("expense", row.id),
        Some(row.amount_cents.to_string()),
        now,
    )
    .await?;
    Ok((row, school_id))
}

/// An expense with its school, for the school's accountant or director, or for staff who may
/// see the plan; anyone else gets `NotFound`.
pub async fn school_expense(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    expense_id: i32,
) -> Result<(expense::Model, i32)> {
    let row = expense::Entity::find_by_id(expense_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    let school_id = plan::Entity::find_by_id(row.plan_id)
        .select_only()
        .column(plan::Column::SchoolId)
        .into_tuple::<i32>()
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    if actor.handles_money(school_id) {
        return Ok((row, school_id));
    }
    let found = find(conn, actor, row.plan_id).await?;
    if !found.staff {
        return Err(Error::NotFound);
    }
    Ok((row, school_id))
}

/// An expense whose document (the receipt) is about to be shown, as [`school_expense`] finds
/// it, with the audit record of the read.
pub async fn expense_document(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    expense_id: i32,
    now: DateTime<Utc>,
) -> Result<expense::Model> {
    let (row, school_id) = school_expense(conn, actor, expense_id).await?;
    record(
        conn,
        actor,
        school_id,
        "expense_document_view",
        ("expense", expense_id),
        None,
        now,
    )
    .await?;
    Ok(row)
}
