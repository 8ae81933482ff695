//! A school's funding in a semester: the expenses and their decisions and payments, their
//! documents, and the indirect hours of the school's staff.

use super::*;

async fn funding_page(
    state: &AppState,
    signed: &Signed,
    id: i32,
    asked: Option<i32>,
    form: FormView,
) -> AppResult<maud::Markup> {
    let actor = &signed.actor;
    if !actor.works_at(id) {
        return Err(AppError::NotFound);
    }
    let org = school(state, id).await?;
    let all = queries::semesters(&state.db).await?;
    let semester = chosen(&all, asked);
    let (money, expenses, hours) = match semester {
        Some(s) => {
            let expenses = if actor.handles_money(id) {
                Some(queries::school_expenses(&state.db, actor, id, s.id).await?)
            } else {
                None
            };
            (
                Some(plans::funding(&state.db, id, s.id).await?),
                expenses,
                queries::indirect_hours(&state.db, id, s.id).await?,
            )
        }
        None => (None, None, Vec::new()),
    };
    Ok(pages::funding(
        &signed.ctx.page(),
        &FundingView {
            school_id: id,
            school_name: org.name,
            semesters: semester_options(signed.ctx.lang, &all),
            semester,
            funding: money,
            expenses: expenses.as_deref(),
            can_pay: actor.handles_money(id),
            hours: &hours,
            can_record_hours: actor.holds(Role::Director, id),
            form,
        },
    ))
}

pub(super) async fn funding(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Query(q): Query<SchoolQuery>,
) -> AppResult<maud::Markup> {
    funding_page(&state, &signed, id, q.semester, FormView::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct HoursForm {
    semester_id: i32,
    staff_role: String,
    minutes: String,
}

pub(super) async fn indirect_hours(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<HoursForm>,
) -> AppResult<Response> {
    let to = format!("/schools/{id}/funding?semester={}", f.semester_id);
    let change = async |txn: &sea_orm::DatabaseTransaction| {
        let minutes = whole_minutes("minutes", &f.minutes)?;
        let row = (f.staff_role.as_str(), minutes);
        plans::record_indirect_hours(txn, &signed.actor, id, f.semester_id, row, state.now()).await
    };
    let again = async |errors| {
        let typed = [("staff_role", f.staff_role.as_str()), ("minutes", f.minutes.as_str())];
        let form = FormView::with_typed(typed, errors);
        Ok(unprocessable(
            funding_page(&state, &signed, id, Some(f.semester_id), form).await?,
        ))
    };
    write_or_show_again(&state, &to, "indirect-recorded", change, again).await
}

pub(super) async fn decide(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let txn = entities::db::write(&state.db).await?;
    let (decided, school_id) = plans::decide_expense(&txn, &signed.actor, id, state.now()).await?;
    txn.commit().await?;
    let flash = if decided.status == ExpenseState::Approved {
        "expense-approved"
    } else {
        "expense-unpaid"
    };
    Ok(redirect_with_flash(
        &state,
        &format!("/schools/{school_id}/funding"),
        flash,
    ))
}

pub(super) async fn pay(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let txn = entities::db::write(&state.db).await?;
    let (_, school_id) = plans::pay_expense(&txn, &signed.actor, id, state.now()).await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/schools/{school_id}/funding"),
        "expense-paid",
    ))
}

pub(super) async fn document(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    let row = plans::expense_document(&state.db, &signed.actor, id, state.now()).await?;
    let (Some(key), Some(name), Some(kind), Some(size)) = (
        row.document_key,
        row.document_name,
        row.document_type,
        row.document_size,
    ) else {
        return Err(AppError::NotFound);
    };
    crate::documents::serve_stored(&state, &key, &name, &kind, size).await
}
