//! The applicant's profile: a registered NGO, or an informal youth group with its members.

use maud::{Markup, html};

use crate::components::{FormView, Input, checkbox, csrf, error_summary, field};
use crate::{PageCtx, layout, t};

pub struct ProfileView {
    pub org_id: i32,
    pub form: FormView,
    /// (name, birth date) rows as typed.
    pub members: Vec<(String, String)>,
    pub complete: bool,
}

pub fn edit(ctx: &PageCtx, v: &ProfileView) -> Markup {
    let l = ctx.lang;
    let f = &v.form;
    let optional = Input {
        required: false,
        ..Input::TEXT
    };
    let action = format!("/orgs/{}/profile", v.org_id);
    layout(
        ctx,
        &t(l, "profile-title"),
        html! {
            @if !v.complete { p.flash { (t(l, "profile-incomplete")) } }
            (error_summary(l, f))
            form method="post" action=(action) novalidate {
                (csrf(ctx))
                (field(l, f, "name", "field-org-title", Input::TEXT))
                (checkbox(l, f, "is_informal_group", "profile-is-informal-group"))
                fieldset {
                    legend { (t(l, "profile-ngo")) }
                    (field(l, f, "reg_no", "field-reg-no", Input { hint: Some("profile-reg-no-hint"), ..optional }))
                    (field(l, f, "address", "profile-address", Input { autocomplete: "street-address", ..optional }))
                }
                fieldset {
                    legend { (t(l, "profile-contact")) }
                    p.hint { (t(l, "profile-contact-hint")) }
                    (field(l, f, "contact_name", "field-name", Input { autocomplete: "name", ..Input::TEXT }))
                    (field(l, f, "contact_email", "field-email", Input { kind: "email", autocomplete: "email", ..Input::TEXT }))
                    (field(l, f, "contact_phone", "profile-phone", Input { kind: "tel", autocomplete: "tel", ..optional }))
                }
                fieldset {
                    legend { (t(l, "profile-bank")) }
                    (field(l, f, "iban", "profile-iban", Input { hint: Some("profile-iban-hint"), ..optional }))
                }
                fieldset {
                    legend { (t(l, "profile-members")) }
                    p.hint { (t(l, "profile-members-hint")) }
                    @if let Some(m) = f.errors.get("members") { p.error id="members" { (t(l, m)) } }
                    @for (i, (name, born)) in v.members.iter().enumerate() {
                        div.criterion {
                            @for (key, label, value, kind) in [("name", "field-name", name, "text"), ("birth_date", "profile-birth-date", born, "date")] {
                                @let id = format!("member-{i}-{key}");
                                div.field.has-error[f.errors.get(&id).is_some()] {
                                    label for=(id) { (t(l, label)) " " (i + 1) }
                                    @if let Some(m) = f.errors.get(&id) { p.error id={ (id) "-error" } { (t(l, m)) } }
                                    input id=(id) name={ "member_" (key) } type=(kind) value=(value);
                                }
                            }
                            button.secondary type="submit" name="action" value={ "remove_member-" (i) } { (t(l, "row-remove")) }
                        }
                    }
                    button.secondary type="submit" name="action" value="add_member" { (t(l, "profile-add-member")) }
                }
                p { button type="submit" name="action" value="save" { (t(l, "profile-save")) } }
            }
        },
    )
}
