//! The administrator's semesters and risk catalogue.

use super::*;

fn admin(signed: &Signed) -> AppResult<()> {
    if signed.actor.is_admin() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

async fn semesters_page(state: &AppState, signed: &Signed, form: &FormView) -> AppResult<maud::Markup> {
    admin(signed)?;
    let rows = queries::semesters(&state.db).await?;
    Ok(pages::semesters(&signed.ctx.page(), &rows, form))
}

pub(super) async fn semesters(State(state): State<AppState>, signed: Signed) -> AppResult<maud::Markup> {
    semesters_page(&state, &signed, &FormView::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SemesterForm {
    school_year: String,
    half: String,
    starts_on: String,
    ends_on: String,
    cap: String,
}

pub(super) async fn create_semester(
    State(state): State<AppState>,
    signed: Signed,
    Form(f): Form<SemesterForm>,
) -> AppResult<Response> {
    admin(&signed)?;
    let year = f
        .school_year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    let (starts, ends, cap) = (date_field(&f.starts_on), date_field(&f.ends_on), Eur::parse(&f.cap));
    let result = match (year, starts, ends, cap) {
        (Some(year), Some(starts), Some(ends), Some(cap)) => {
            let half = f.half.trim().parse().unwrap_or(0);
            let txn = entities::db::write(&state.db).await?;
            let made = plans::create_semester(&txn, year, half, (starts, ends), cap, state.now()).await;
            if let Ok(s) = &made {
                entities::audit::record(
                    &txn,
                    entities::audit::Entry::by(&signed.actor, None, "semester_create", ("semester", s.id.into())),
                    state.now(),
                )
                .await?;
                txn.commit().await?;
            }
            made.map(|_| ())
        }
        _ => {
            let mut e = FieldErrors::new();
            for (name, missing, message) in [
                ("school_year", year.is_none(), "error-semester-year"),
                ("starts_on", starts.is_none(), "error-date"),
                ("ends_on", ends.is_none(), "error-date"),
                ("cap", cap.is_none(), "error-money"),
            ] {
                if missing {
                    e.add(name, message);
                }
            }
            Err(DomainError::Invalid(e))
        }
    };
    match result {
        Ok(()) => Ok(redirect_with_flash(&state, "/admin/semesters", "semester-created")),
        Err(e) => {
            let form = FormView::with_typed(
                [
                    ("school_year", f.school_year.as_str()),
                    ("half", f.half.as_str()),
                    ("starts_on", f.starts_on.as_str()),
                    ("ends_on", f.ends_on.as_str()),
                    ("cap", f.cap.as_str()),
                ],
                refused(e)?,
            );
            Ok(unprocessable(semesters_page(&state, &signed, &form).await?))
        }
    }
}

pub(super) async fn close_semester(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    Form(f): Form<ConfirmForm>,
) -> AppResult<Response> {
    admin(&signed)?;
    f.required()?;
    let txn = entities::db::write(&state.db).await?;
    plans::close_semester(&txn, &signed.actor, id, state.now()).await?;
    txn.commit().await?;
    Ok(redirect_with_flash(&state, "/admin/semesters", "semester-closed-flash"))
}

async fn catalogue_page(state: &AppState, signed: &Signed, form: &FormView) -> AppResult<maud::Markup> {
    admin(signed)?;
    let newest = plans::newest_catalogue(&state.db, state.now()).await?;
    let versions = queries::catalogues(&state.db).await?;
    let groups = queries::catalogue(&state.db, newest.id).await?;
    Ok(pages::catalogue(&signed.ctx.page(), &versions, &groups, form))
}

pub(super) async fn catalogue(State(state): State<AppState>, signed: Signed) -> AppResult<maud::Markup> {
    catalogue_page(&state, &signed, &FormView::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CatalogueForm {
    group: String,
    code: String,
    name_lv: String,
    name_en: String,
}

pub(super) async fn add_to_catalogue(
    State(state): State<AppState>,
    signed: Signed,
    Form(f): Form<CatalogueForm>,
) -> AppResult<Response> {
    admin(&signed)?;
    let code = f.code.trim().to_ascii_lowercase();
    let txn = entities::db::write(&state.db).await?;
    let result = if code.is_empty()
        || !code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        Err(FieldErrors::single("code", "error-risk-code"))
    } else {
        let addition = [(f.group.as_str(), code.as_str(), f.name_lv.as_str(), f.name_en.as_str())];
        plans::new_catalogue_version(&txn, &signed.actor, &addition, state.now()).await
    };
    match result {
        Ok(_) => {
            txn.commit().await?;
            Ok(redirect_with_flash(&state, "/admin/catalogue", "catalogue-added"))
        }
        Err(e) => {
            drop(txn);
            let form = FormView::with_typed(
                [
                    ("group", f.group.as_str()),
                    ("code", f.code.as_str()),
                    ("name_lv", f.name_lv.as_str()),
                    ("name_en", f.name_en.as_str()),
                ],
                refused(e)?,
            );
            Ok(unprocessable(catalogue_page(&state, &signed, &form).await?))
        }
    }
}
