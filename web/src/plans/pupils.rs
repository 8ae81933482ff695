//! A school's pupils: the list, registering a pupil, the director's grants to staff, a
//! pupil's page, assigning support staff and starting a plan.

use super::*;

async fn pupils_page(
    state: &AppState,
    signed: &Signed,
    id: i32,
    q: &ListQuery,
    form: FormView,
) -> AppResult<maud::Markup> {
    let actor = &signed.actor;
    let org = school(state, id).await?;
    let all = queries::semesters(&state.db).await?;
    let semester = chosen(&all, q.semester);
    let page = q.page.unwrap_or(1).max(1);
    let (rows, total) = queries::pupils(&state.db, actor, org.id, semester.map(|s| s.id), page, state.now()).await?;
    let staff = if actor.holds(Role::Director, org.id) {
        Some(queries::school_staff(&state.db, org.id).await?)
    } else {
        None
    };
    Ok(pages::pupils(
        &signed.ctx.page(),
        &PupilsView {
            school_id: org.id,
            school_name: org.name,
            semesters: semester_options(signed.ctx.lang, &all),
            semester,
            rows: &rows,
            page,
            total,
            can_register: actor.may_register_pupils(id),
            can_start: semester.is_some_and(|s| s.closed_at.is_none()),
            form,
            staff: staff.as_deref(),
        },
    ))
}

pub(super) async fn pupils(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Query(q): Query<ListQuery>,
) -> AppResult<maud::Markup> {
    pupils_page(&state, &signed, id, &q, FormView::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PupilForm {
    name: String,
    class_name: String,
    birth_date: String,
}

pub(super) async fn register(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<PupilForm>,
) -> AppResult<Response> {
    let form = |errors| {
        FormView::with_typed(
            [
                ("name", f.name.as_str()),
                ("class_name", f.class_name.as_str()),
                ("birth_date", f.birth_date.as_str()),
            ],
            errors,
        )
    };
    let Some(birth_date) = date_field(&f.birth_date) else {
        let errors = refused(FieldErrors::single("birth_date", "error-date"))?;
        let page = pupils_page(&state, &signed, id, &ListQuery::default(), form(errors)).await?;
        return Ok(unprocessable(page));
    };
    let txn = entities::db::write(&state.db).await?;
    match plans::register_pupil(
        &txn,
        &signed.actor,
        id,
        (&f.name, &f.class_name, birth_date),
        state.now(),
    )
    .await
    {
        Ok(pupil) => {
            txn.commit().await?;
            Ok(redirect_with_flash(
                &state,
                &format!("/pupils/{}", pupil.id),
                "pupil-registered",
            ))
        }
        Err(e) => {
            drop(txn);
            let page = pupils_page(&state, &signed, id, &ListQuery::default(), form(refused(e)?)).await?;
            Ok(unprocessable(page))
        }
    }
}

pub(super) async fn staff_grants(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, membership)): Path<(i32, i32)>,
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let on = |name: String| f.get(&name).is_some_and(|v| v == "on");
    let grants = (on(format!("register-{membership}")), on(format!("all-{membership}")));
    let txn = entities::db::write(&state.db).await?;
    plans::set_staff_grants(&txn, &signed.actor, id, membership, grants, state.now()).await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/schools/{id}/pupils"),
        "staff-grants-saved",
    ))
}

async fn pupil_page(state: &AppState, signed: &Signed, id: i32, form: &FormView) -> AppResult<maud::Markup> {
    let page = queries::pupil(&state.db, &signed.actor, id, state.now()).await?;
    let open: Vec<semester::Model> = queries::semesters(&state.db)
        .await?
        .into_iter()
        .filter(|s| s.closed_at.is_none() && !page.plans.iter().any(|(_, taken)| taken.id == s.id))
        .collect();
    Ok(pages::pupil(
        &signed.ctx.page(),
        &page,
        &semester_options(signed.ctx.lang, &open),
        form,
    ))
}

pub(super) async fn pupil(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
) -> AppResult<maud::Markup> {
    pupil_page(&state, &signed, id, &FormView::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AssignForm {
    user_id: i32,
}

pub(super) async fn assign(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<AssignForm>,
) -> AppResult<Response> {
    let staff = entities::accounts::user_by_id(&state.db, f.user_id)
        .await?
        .ok_or(AppError::BadRequest("plan-refused-not-school-staff"))?;
    let staff = Actor::load(&state.db, staff).await?;
    let txn = entities::db::write(&state.db).await?;
    plans::assign(&txn, &signed.actor, id, &staff, state.now()).await?;
    txn.commit().await?;
    Ok(redirect_with_flash(&state, &format!("/pupils/{id}"), "pupil-assigned"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct StartForm {
    semester_id: i32,
}

pub(super) async fn start(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<StartForm>,
) -> AppResult<Response> {
    let txn = entities::db::write(&state.db).await?;
    match plans::start_plan(&txn, &signed.actor, id, f.semester_id, state.now()).await {
        Ok(plan) => {
            txn.commit().await?;
            Ok(redirect_with_flash(
                &state,
                &format!("/plans/{}", plan.id),
                "plan-started",
            ))
        }
        Err(e) => {
            drop(txn);
            let form = FormView::with_typed([], refused(e)?);
            Ok(unprocessable(pupil_page(&state, &signed, id, &form).await?))
        }
    }
}
