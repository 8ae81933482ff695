//! The applicant's profile page, for the members of an NGO or informal youth group.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::Form as MultiForm;
use entities::domain::Iban;
use entities::entity::organisation;
use entities::grants::profiles::{self, MemberForm, ProfileForm};
use entities::{Error as DomainError, FieldErrors, policy};
use serde::Deserialize;
use templates::components::FormView;
use templates::pages::profile::{self as pages, ProfileView};

use crate::ctx::{Signed, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/orgs/{id}/profile", get(show).post(save))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ProfileData {
    name: String,
    is_informal_group: Option<String>,
    reg_no: String,
    address: String,
    contact_name: String,
    contact_email: String,
    contact_phone: String,
    iban: String,
    member_name: Vec<String>,
    member_birth_date: Vec<String>,
    action: String,
}

impl ProfileData {
    fn members(&self) -> Vec<(String, String)> {
        (0..self.member_name.len())
            .map(|i| {
                (
                    self.member_name[i].clone(),
                    self.member_birth_date.get(i).cloned().unwrap_or_default(),
                )
            })
            .collect()
    }

    fn set_members(&mut self, rows: Vec<(String, String)>) {
        self.member_name = rows.iter().map(|r| r.0.clone()).collect();
        self.member_birth_date = rows.into_iter().map(|r| r.1).collect();
    }

    fn from_org(org: &organisation::Model, members: Vec<(String, String)>) -> Self {
        let mut data = Self {
            name: org.name.clone(),
            is_informal_group: org.is_informal_group.then(|| "on".to_owned()),
            reg_no: org.reg_no.clone().unwrap_or_default(),
            address: org.address.clone().unwrap_or_default(),
            contact_name: org.contact_name.clone().unwrap_or_default(),
            contact_email: org.contact_email.clone().unwrap_or_default(),
            contact_phone: org.contact_phone.clone().unwrap_or_default(),
            iban: org.iban.as_deref().map(Iban::grouped).unwrap_or_default(),
            ..Default::default()
        };
        data.set_members(members);
        data
    }

    /// Adds or removes a member row when that button was pressed; `true` when it was.
    fn apply_row_action(&mut self) -> bool {
        let mut rows = self.members();
        if self.action == "add_member" {
            rows.push(Default::default());
        } else if let Some(i) = self
            .action
            .strip_prefix("remove_member-")
            .and_then(|i| i.parse::<usize>().ok())
        {
            if i < rows.len() {
                rows.remove(i);
            }
        } else {
            return false;
        }
        self.set_members(rows);
        true
    }

    fn to_form(&self) -> ProfileForm {
        ProfileForm {
            name: self.name.clone(),
            is_informal_group: self.is_informal_group.is_some(),
            reg_no: self.reg_no.clone(),
            address: self.address.clone(),
            contact_name: self.contact_name.clone(),
            contact_email: self.contact_email.clone(),
            contact_phone: self.contact_phone.clone(),
            iban: self.iban.clone(),
            members: self
                .members()
                .into_iter()
                .map(|(name, birth_date)| MemberForm { name, birth_date })
                .collect(),
        }
    }

    fn view(&self, org_id: i32, errors: FieldErrors, complete: bool) -> ProfileView {
        let form = FormView::with_typed(
            [
                ("name", self.name.as_str()),
                ("reg_no", self.reg_no.as_str()),
                ("address", self.address.as_str()),
                ("contact_name", self.contact_name.as_str()),
                ("contact_email", self.contact_email.as_str()),
                ("contact_phone", self.contact_phone.as_str()),
                ("iban", self.iban.as_str()),
            ],
            errors,
        )
        .with("is_informal_group", self.is_informal_group.clone().unwrap_or_default());
        let mut members = self.members();
        if members.is_empty() {
            members.push(Default::default());
        }
        ProfileView {
            org_id,
            form,
            members,
            complete,
        }
    }
}

/// The NGO whose profile the actor (a member of it) may edit, or `NotFound`.
async fn own_ngo(state: &AppState, signed: &Signed, id: i32) -> AppResult<organisation::Model> {
    let org = policy::visible_org(&state.db, &signed.actor, id).await?;
    if !signed.actor.writes_for(org.id) {
        return Err(AppError::NotFound);
    }
    Ok(org)
}

async fn show(State(state): State<AppState>, signed: Signed, Path(id): Path<i32>) -> AppResult<Response> {
    let org = own_ngo(&state, &signed, id).await?;
    let members = profiles::members(&state.db, id)
        .await?
        .into_iter()
        .map(|m| (m.name, m.birth_date.format("%Y-%m-%d").to_string()))
        .collect();
    let complete = profiles::complete(&state.db, &org).await?;
    let view = ProfileData::from_org(&org, members).view(id, FieldErrors::new(), complete);
    Ok(pages::edit(&signed.ctx.page(), &view).into_response())
}

async fn save(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i32>,
    MultiForm(mut data): MultiForm<ProfileData>,
) -> AppResult<Response> {
    let org = own_ngo(&state, &signed, id).await?;
    let complete = profiles::complete(&state.db, &org).await?;
    if data.apply_row_action() {
        return Ok(pages::edit(&signed.ctx.page(), &data.view(id, FieldErrors::new(), complete)).into_response());
    }
    let today = entities::time::to_riga(state.now()).date_naive();
    let input = match data.to_form().parse(today) {
        Ok(input) => input,
        Err(DomainError::Invalid(errors)) => {
            let page = pages::edit(&signed.ctx.page(), &data.view(id, errors, complete));
            return Ok(crate::ctx::unprocessable(page));
        }
        Err(e) => return Err(e.into()),
    };
    let txn = entities::db::write(&state.db).await?;
    profiles::save(&txn, &signed.actor, org, &input, state.now()).await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/orgs/{id}/profile"),
        "profile-saved",
    ))
}
