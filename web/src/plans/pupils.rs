//! A school's pupils: the list, registering a pupil, the director's grants to staff, a
//! pupil's page, assigning support staff and starting a plan.

use super::*;

async fn pupils_page(
    state: &AppState,
    signed: &Signed,
    id: i32,
    (q, list): (&SchoolQuery, &ListQuery),
    form: FormView,
) -> AppResult<maud::Markup> {
    let actor = &signed.actor;
    let org = school(state, id).await?;
    let all = queries::semesters(&state.db).await?;
    let semester = chosen(&all, q.semester);
    let window = list.window();
    let filter = PlanFilter::parse(&q.plan);
    let semester_id = semester.map(|s| s.id);
    let (rows, total) = queries::pupils(&state.db, actor, org.id, semester_id, filter, &window, state.now()).await?;
    let lang = signed.ctx.lang;
    let keep = vec![
        ("semester", semester_id.map(|s| s.to_string()).unwrap_or_default()),
        ("plan", filter.as_str().to_owned()),
    ];
    let sorts = [("class", "list-sort-class"), ("name", "list-sort-name")];
    let list = lists::view(lang, format!("/schools/{id}/pupils"), keep, &window, &sorts, total);
    let director = actor.holds(Role::Director, org.id);
    let staff = if director {
        Some(queries::school_staff(&state.db, org.id).await?)
    } else {
        None
    };
    let incoming = plans::incoming_transfers(&state.db, actor, org.id, state.now()).await?;
    Ok(pages::pupils(
        &signed.ctx.page(),
        &PupilsView {
            school_id: org.id,
            school_name: org.name,
            semesters: semester_options(signed.ctx.lang, &all),
            semester,
            rows: &rows,
            list,
            plan_filter: filter.as_str(),
            can_register: actor.may_register_pupils(id),
            can_start: semester.is_some_and(|s| s.closed_at.is_none()),
            form,
            staff: staff.as_deref(),
            incoming: &incoming,
            can_promote: director,
        },
    ))
}

pub(super) async fn pupils(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Query(q): Query<SchoolQuery>,
    Query(list): Query<ListQuery>,
) -> AppResult<maud::Markup> {
    pupils_page(&state, &signed, id, (&q, &list), FormView::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PupilForm {
    name: String,
    class_name: String,
    birth_date: String,
}

impl PupilForm {
    /// The form shown again as typed, with `errors`.
    fn typed(&self, errors: FieldErrors) -> FormView {
        FormView::with_typed(
            [
                ("name", self.name.as_str()),
                ("class_name", self.class_name.as_str()),
                ("birth_date", self.birth_date.as_str()),
            ],
            errors,
        )
    }
}

pub(super) async fn register(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<PupilForm>,
) -> AppResult<Response> {
    let form = |errors| f.typed(errors);
    let Some(birth_date) = date_field(&f.birth_date) else {
        let errors = refused(FieldErrors::single("birth_date", "error-date"))?;
        let page = pupils_page(
            &state,
            &signed,
            id,
            (&SchoolQuery::default(), &ListQuery::default()),
            form(errors),
        )
        .await?;
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
            let page = pupils_page(
                &state,
                &signed,
                id,
                (&SchoolQuery::default(), &ListQuery::default()),
                form(refused(e)?),
            )
            .await?;
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
    let actor = &signed.actor;
    let page = queries::pupil(&state.db, actor, id, state.now()).await?;
    let open: Vec<semester::Model> = queries::semesters(&state.db)
        .await?
        .into_iter()
        .filter(|s| s.closed_at.is_none() && !page.plans.iter().any(|(_, taken)| taken.id == s.id))
        .collect();
    let school_id = page.pupil.school_id;
    let pending = plans::pending_transfer(&state.db, id).await?;
    let pending_to = match &pending {
        Some(t) => Some(entities::orgs::name_of(&state.db, t.to_school_id).await?),
        None => None,
    };
    let transfer_to = if actor.holds(Role::Director, school_id) && pending.is_none() {
        entities::orgs::schools(&state.db)
            .await?
            .into_iter()
            .filter(|o| o.id != school_id)
            .map(|o| (o.id.to_string(), o.name))
            .collect()
    } else {
        Vec::new()
    };
    let actions = pages::PupilActions {
        can_correct: actor.may_register_pupils(school_id),
        transfer_to,
        pending_to,
    };
    Ok(pages::pupil(
        &signed.ctx.page(),
        &page,
        &semester_options(signed.ctx.lang, &open),
        &actions,
        form,
    ))
}

/// Where a pupil's form sent by GET (a reload after it was refused) leads: the pupil's page.
pub(super) async fn back_to_pupil(Path(id): Path<i32>) -> Redirect {
    Redirect::to(&format!("/pupils/{id}"))
}

/// The pupil's page again with what was typed and what is wrong with it (422).
async fn pupil_again(state: &AppState, signed: &Signed, id: i32, form: FormView) -> AppResult<Response> {
    Ok(unprocessable(pupil_page(state, signed, id, &form).await?))
}

pub(super) async fn correct(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<PupilForm>,
) -> AppResult<Response> {
    let typed = |errors| f.typed(errors);
    let Some(birth_date) = date_field(&f.birth_date) else {
        return pupil_again(&state, &signed, id, typed(FieldErrors::one("birth_date", "error-date"))).await;
    };
    let txn = entities::db::write(&state.db).await?;
    match plans::correct_pupil(
        &txn,
        &signed.actor,
        id,
        (&f.name, &f.class_name, birth_date),
        state.now(),
    )
    .await
    {
        Ok(_) => {
            txn.commit().await?;
            Ok(redirect_with_flash(&state, &format!("/pupils/{id}"), "pupil-corrected"))
        }
        Err(e) => {
            drop(txn);
            pupil_again(&state, &signed, id, typed(refused(e)?)).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct TransferForm {
    to_school: String,
}

pub(super) async fn transfer(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<TransferForm>,
) -> AppResult<Response> {
    let to = f.to_school.trim().parse().unwrap_or(0);
    let txn = entities::db::write(&state.db).await?;
    match plans::request_transfer(&txn, &signed.actor, id, to, state.now()).await {
        Ok(_) => {
            txn.commit().await?;
            Ok(redirect_with_flash(&state, &format!("/pupils/{id}"), "transfer-asked"))
        }
        Err(e) => {
            drop(txn);
            let form = FormView::with_typed([("to_school", f.to_school.as_str())], refused(e)?);
            pupil_again(&state, &signed, id, form).await
        }
    }
}

/// The receiving director's answer to a transfer: back to the school's pupils.
async fn decide_transfer(state: &AppState, signed: &Signed, id: i32, accept: bool) -> AppResult<Response> {
    let txn = entities::db::write(&state.db).await?;
    let t = plans::decide_transfer(&txn, &signed.actor, id, accept, state.now()).await?;
    txn.commit().await?;
    let flash = if accept {
        "transfer-accepted"
    } else {
        "transfer-declined"
    };
    Ok(redirect_with_flash(
        state,
        &format!("/schools/{}/pupils", t.to_school_id),
        flash,
    ))
}

pub(super) async fn accept_transfer(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    decide_transfer(&state, &signed, id, true).await
}

pub(super) async fn decline_transfer(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    decide_transfer(&state, &signed, id, false).await
}

async fn promote_page(state: &AppState, signed: &Signed, id: i32, form: FormView) -> AppResult<Response> {
    let rows = plans::promotion(&state.db, &signed.actor, id).await?;
    let org = school(state, id).await?;
    let failed = !form.errors.is_empty();
    let page = pages::promotion(&signed.ctx.page(), id, &org.name, &rows, &form);
    Ok(if failed {
        unprocessable(page)
    } else {
        axum::response::IntoResponse::into_response(page)
    })
}

pub(super) async fn promotion(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    promote_page(&state, &signed, id, FormView::new()).await
}

pub(super) async fn promote(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(confirm): Form<ConfirmForm>,
) -> AppResult<Response> {
    if confirm.required().is_err() {
        return promote_page(
            &state,
            &signed,
            id,
            FormView::with_typed([], FieldErrors::one("confirm", "error-confirm")),
        )
        .await;
    }
    let txn = entities::db::write(&state.db).await?;
    match plans::promote(&txn, &signed.actor, id, state.now()).await {
        Ok(_) => {
            txn.commit().await?;
            Ok(redirect_with_flash(
                &state,
                &format!("/schools/{id}/pupils"),
                "promote-done",
            ))
        }
        Err(e) => {
            drop(txn);
            promote_page(&state, &signed, id, FormView::with_typed([], refused(e)?)).await
        }
    }
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
