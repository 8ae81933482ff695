//! The organisation list (admin) and one organisation's page: details, institutions under it,
//! users, pending invitations and the invitation form.

use maud::{Markup, html};

use crate::components::{FormView, Input, csrf, error_summary, field, pager, select};
use crate::{NavLink, PageCtx, layout, t, tf};

/// The scope of the rename form, whose field shares its name with the invitation form's.
pub const RENAME: &str = "org";

pub struct OrgRowView {
    pub name: String,
    pub href: String,
    pub kind: String,
    pub parent: Option<String>,
}

pub struct OrgListView {
    pub rows: Vec<OrgRowView>,
    pub page: u64,
    pub total: u64,
    pub page_size: u64,
    /// The kind filter in force (`municipality`, `school`, `ngo`) or empty for all.
    pub filter: String,
    /// (id, name) of every municipality, for the new-school form.
    pub municipalities: Vec<(String, String)>,
    pub form: FormView,
}

pub fn list(ctx: &PageCtx, view: &OrgListView) -> Markup {
    let l = ctx.lang;
    let filters = [
        ("", "orgs-filter-all"),
        ("municipality", "kind-municipality"),
        ("school", "kind-school"),
        ("ngo", "kind-ngo"),
    ];
    let kinds = vec![
        ("municipality".to_owned(), t(l, "orgs-new-municipality")),
        ("school".to_owned(), t(l, "orgs-new-school")),
        ("vocational_school".to_owned(), t(l, "orgs-new-vocational")),
    ];
    let filter = view.filter.clone();
    layout(
        ctx,
        &t(l, "orgs-title"),
        html! {
            nav.filters aria-label=(t(l, "orgs-filter")) {
                (t(l, "orgs-filter")) ": "
                @for (value, label) in filters {
                    @if view.filter == value {
                        strong aria-current="true" { (t(l, label)) } " "
                    } @else {
                        a href={ "/admin/orgs?kind=" (value) } { (t(l, label)) } " "
                    }
                }
            }
            @if view.rows.is_empty() {
                p.empty { (t(l, "orgs-empty")) }
            } @else {
                table {
                    thead { tr { th { (t(l, "orgs-col-name")) } th { (t(l, "orgs-col-kind")) } th { (t(l, "orgs-col-parent")) } } }
                    tbody {
                        @for row in &view.rows {
                            tr {
                                td { a href=(row.href) { (row.name) } }
                                td { (row.kind) }
                                td { (row.parent.as_deref().unwrap_or("—")) }
                            }
                        }
                    }
                }
            }
            (pager(l, view.page, view.total, view.page_size, |p| format!("/admin/orgs?kind={filter}&page={p}")))
            section {
                h2 { (t(l, "orgs-create")) }
                (error_summary(l, &view.form))
                form method="post" action="/admin/orgs" novalidate {
                    (csrf(ctx))
                    (select(l, &view.form, "kind", "field-kind", &kinds))
                    (field(l, &view.form, "name", "field-org-title", Input::TEXT))
                    (field(l, &view.form, "reg_no", "field-reg-no", Input { required: false, ..Input::TEXT }))
                    (select(l, &view.form, "parent_id", "field-parent", &view.municipalities))
                    button type="submit" { (t(l, "orgs-create")) }
                }
            }
        },
    )
}

pub struct MemberView {
    pub name: String,
    pub email: String,
    pub role: String,
}

pub struct InvitationRowView {
    pub name: String,
    pub email: String,
    pub role: String,
    pub expires: String,
}

pub struct OrgPageView {
    pub id: i32,
    pub name: String,
    pub kind: String,
    pub reg_no: Option<String>,
    pub parent: Option<String>,
    pub can_rename: bool,
    pub rename_form: FormView,
    pub children: Vec<NavLink>,
    pub members: Vec<MemberView>,
    pub invitations: Vec<InvitationRowView>,
    /// (role value, translated label) the viewer may invite to.
    pub invitable: Vec<(String, String)>,
    pub invite_form: FormView,
    /// The applicant-profile page, for the NGO's own members.
    pub profile_href: Option<String>,
}

pub fn page(ctx: &PageCtx, view: &OrgPageView) -> Markup {
    let l = ctx.lang;
    layout(
        ctx,
        &view.name,
        html! {
            @if let Some(href) = &view.profile_href {
                p { a.button href=(href) { (t(l, "profile-title")) } }
            }
            section {
                h2 { (t(l, "org-details")) }
                dl {
                    dt { (t(l, "field-kind")) } dd { (view.kind) }
                    @if let Some(reg_no) = &view.reg_no { dt { (t(l, "field-reg-no")) } dd { (reg_no) } }
                    @if let Some(parent) = &view.parent { dt { (t(l, "orgs-col-parent")) } dd { (parent) } }
                }
                @if view.can_rename {
                    (error_summary(l, &view.rename_form))
                    form method="post" action={ "/orgs/" (view.id) } novalidate {
                        (csrf(ctx))
                        (field(l, &view.rename_form.scoped(RENAME), "name", "field-org-title", Input::TEXT))
                        button type="submit" { (t(l, "org-rename")) }
                    }
                }
            }
            @if !view.children.is_empty() {
                section {
                    h2 { (t(l, "org-children")) }
                    ul { @for child in &view.children { li { a href=(child.href) { (child.label) } } } }
                }
            }
            section {
                h2 { (t(l, "org-members")) }
                @if view.members.is_empty() {
                    p.empty { (t(l, "org-members-empty")) }
                } @else {
                    table {
                        thead { tr { th { (t(l, "field-name")) } th { (t(l, "field-email")) } th { (t(l, "field-role")) } } }
                        tbody { @for m in &view.members { tr { td { (m.name) } td { (m.email) } td { (m.role) } } } }
                    }
                }
            }
            section {
                h2 { (t(l, "org-invitations")) }
                @if view.invitations.is_empty() {
                    p.empty { (t(l, "org-invitations-empty")) }
                } @else {
                    ul {
                        @for i in &view.invitations {
                            li { (i.name) " <" (i.email) "> — " (i.role) ", " (tf(l, "org-invitation-expires", &[("date", &i.expires)])) }
                        }
                    }
                }
            }
            @if !view.invitable.is_empty() {
                section {
                    h2 { (t(l, "invite-form-title")) }
                    p { (t(l, "invite-form-lead")) }
                    (error_summary(l, &view.invite_form))
                    form method="post" action={ "/orgs/" (view.id) "/invitations" } novalidate {
                        (csrf(ctx))
                        (field(l, &view.invite_form, "name", "field-name", Input::TEXT))
                        (field(l, &view.invite_form, "email", "field-email", Input { kind: "email", ..Input::TEXT }))
                        (select(l, &view.invite_form, "role", "field-role", &view.invitable))
                        button type="submit" { (t(l, "invite-submit")) }
                    }
                }
            }
        },
    )
}
