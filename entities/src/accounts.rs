//! Accounts: NGO self-registration with email confirmation, invitations for staff, login with
//! throttling, password reset and change. Every function here writes inside the caller's
//! transaction; emails go to the outbox in that same transaction.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};

use crate::audit::{self, Entry};
use crate::domain::{Email, Lang, NewPassword, OrgKind, Role, email_field, required_text};
use crate::entity::{invitation, login_failure, membership, organisation, registration_attempt, user, user_token};
use crate::error::{Error, FieldErrors, Result};
use crate::outbox::{self, EmailEvent};
use crate::policy::Actor;
use crate::{orgs, password, sessions, tokens};

pub const CONFIRM_EMAIL: &str = "confirm_email";
pub const RESET_PASSWORD: &str = "reset_password";
pub const INVITATION: &str = "invitation";

const CONFIRM_TTL_HOURS: i64 = 48;
const RESET_TTL_MINUTES: i64 = 60;
const INVITATION_TTL_DAYS: i64 = 14;

/// Failed logins allowed per account from one address, and per address, within
/// `THROTTLE_WINDOW_MINUTES`. Failures from one place never lock the account's owner out
/// elsewhere.
pub const MAX_FAILURES_PER_ACCOUNT: u64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: u64 = 30;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;

/// A parsed NGO self-registration form.
pub struct Registration {
    pub org_name: String,
    pub reg_no: Option<String>,
    pub person_name: String,
    pub email: Email,
    pub password: NewPassword,
    pub lang: Lang,
}

impl Registration {
    pub fn parse(
        org_name: &str,
        reg_no: &str,
        person_name: &str,
        email: &str,
        password: &str,
        password_confirm: &str,
        lang: Lang,
    ) -> Result<Self> {
        let mut errors = FieldErrors::new();
        let org_name = required_text(org_name, 200, "org_name", &mut errors);
        let reg_no = reg_no.trim();
        let well_formed = reg_no.len() == 11 && reg_no.chars().all(|c| c.is_ascii_digit());
        if !reg_no.is_empty() && !well_formed {
            errors.add("reg_no", "error-reg-no");
        }
        let person_name = required_text(person_name, 200, "name", &mut errors);
        let email = email_field(email, "email", &mut errors);
        let password = NewPassword::parse(password, password_confirm, "password", &mut errors);
        errors.into_result()?;
        match (org_name, person_name, email, password) {
            (Some(org_name), Some(person_name), Some(email), Some(password)) => Ok(Self {
                org_name,
                reg_no: (!reg_no.is_empty()).then(|| reg_no.to_owned()),
                person_name,
                email,
                password,
                lang,
            }),
            _ => Err(Error::Refused("error-required")),
        }
    }
}

async fn find_user(conn: &impl ConnectionTrait, email: &Email) -> Result<Option<user::Model>> {
    user_by_email(conn, email.as_str()).await
}

/// The user with this (normalised) address.
pub async fn user_by_email(conn: &impl ConnectionTrait, email: &str) -> Result<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(conn)
        .await?)
}

async fn insert_user(
    conn: &impl ConnectionTrait,
    email: &Email,
    name: &str,
    password: &NewPassword,
    lang: Lang,
    confirmed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<user::Model> {
    let hash = password::hash(password.expose()).await?;
    user::ActiveModel {
        email: Set(email.as_str().to_owned()),
        name: Set(name.to_owned()),
        password_hash: Set(hash),
        lang: Set(lang.code().to_owned()),
        email_confirmed_at: Set(confirmed_at),
        disabled_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map_err(|e| crate::error::unique_to_field(e, "email", "error-email-taken"))
}

/// A user by id.
pub async fn user_by_id(conn: &impl ConnectionTrait, id: i32) -> Result<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id).one(conn).await?)
}

/// The names of the users with the given ids (one statement).
pub async fn names(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
) -> Result<std::collections::HashMap<i32, String>> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.into_iter().collect::<std::collections::BTreeSet<_>>()))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

pub async fn add_membership(
    conn: &impl ConnectionTrait,
    user_id: i32,
    org_id: i32,
    role: Role,
    now: DateTime<Utc>,
) -> Result<()> {
    let exists = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::OrgId.eq(org_id))
        .filter(membership::Column::Role.eq(role))
        .count(conn)
        .await?
        > 0;
    if !exists {
        membership::ActiveModel {
            user_id: Set(user_id),
            org_id: Set(org_id),
            role: Set(role),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

async fn new_token(
    conn: &impl ConnectionTrait,
    user_id: i32,
    purpose: &str,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<user_token::Model> {
    Ok(user_token::ActiveModel {
        user_id: Set(user_id),
        purpose: Set(purpose.to_owned()),
        nonce: Set(tokens::random_hex()),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// Registrations one network address may make within `REGISTRATION_WINDOW_HOURS`.
pub const MAX_REGISTRATIONS_PER_ADDRESS: u64 = 10;
/// Registration emails one mailbox may be sent within `REGISTRATION_WINDOW_HOURS`.
pub const MAX_REGISTRATION_EMAILS_PER_MAILBOX: u64 = 3;
pub const REGISTRATION_WINDOW_HOURS: i64 = 24;

/// Registers an NGO and its first member, and queues the confirmation email. When the address
/// already has an account nothing is created and its owner is told instead, so the page a
/// stranger sees does not reveal whether an account exists.
///
/// Bounded so that the form cannot fill a mailbox: a network address that registered
/// `MAX_REGISTRATIONS_PER_ADDRESS` times in the window is refused (it is told so); a mailbox
/// that was sent `MAX_REGISTRATION_EMAILS_PER_MAILBOX` registration emails gets no more in the
/// window, while the page says what it always says.
pub async fn register_ngo(conn: &impl ConnectionTrait, reg: Registration, ip: &str, now: DateTime<Utc>) -> Result<()> {
    let since = now - Duration::hours(REGISTRATION_WINDOW_HOURS);
    let attempts = |col: registration_attempt::Column, value: String| {
        registration_attempt::Entity::find()
            .filter(col.eq(value))
            .filter(registration_attempt::Column::At.gt(since))
    };
    if attempts(registration_attempt::Column::Ip, ip.to_owned())
        .count(conn)
        .await?
        >= MAX_REGISTRATIONS_PER_ADDRESS
    {
        return Err(Error::Refused("error-register-throttled"));
    }
    let mailed = attempts(registration_attempt::Column::Email, reg.email.as_str().to_owned())
        .filter(registration_attempt::Column::Emailed.eq(true))
        .count(conn)
        .await?;
    let may_email = mailed < MAX_REGISTRATION_EMAILS_PER_MAILBOX;
    registration_attempt::ActiveModel {
        email: Set(reg.email.as_str().to_owned()),
        ip: Set(ip.chars().take(64).collect()),
        emailed: Set(may_email),
        at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    if let Some(existing) = find_user(conn, &reg.email).await? {
        // The password is hashed all the same, so that this answer takes as long as a new
        // account's and its time does not tell that the address has an account.
        password::hash(reg.password.expose()).await?;
        if may_email {
            outbox::enqueue_email(conn, &EmailEvent::AccountExists { user_id: existing.id }, now).await?;
        }
        return Ok(());
    }
    let user = insert_user(conn, &reg.email, &reg.person_name, &reg.password, reg.lang, None, now).await?;
    let org = orgs::insert(conn, OrgKind::Ngo, None, &reg.org_name, reg.reg_no, false, now).await?;
    add_membership(conn, user.id, org.id, Role::NgoMember, now).await?;
    let token = new_token(conn, user.id, CONFIRM_EMAIL, Duration::hours(CONFIRM_TTL_HOURS), now).await?;
    outbox::enqueue_email(conn, &EmailEvent::ConfirmEmail { token_id: token.id }, now).await?;
    audit::record(
        conn,
        Entry {
            actor_user_id: Some(user.id),
            org_id: Some(org.id),
            action: "register",
            object_type: "organisation",
            object_id: Some(org.id.into()),
            ..Default::default()
        },
        now,
    )
    .await
}

/// Finds the unused, unexpired token row a link points at.
async fn redeem_token(
    conn: &impl ConnectionTrait,
    key: &tokens::SecretKey,
    purpose: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<user_token::Model> {
    let id = tokens::link_id(token).ok_or(Error::Refused("error-link-invalid"))?;
    let row = user_token::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(Error::Refused("error-link-invalid"))?;
    if row.purpose != purpose || !tokens::verify_link(key, purpose, row.id, &row.nonce, token) {
        return Err(Error::Refused("error-link-invalid"));
    }
    if row.used_at.is_some() || row.expires_at <= now {
        return Err(Error::Refused("error-link-expired"));
    }
    Ok(row)
}

async fn mark_used(conn: &impl ConnectionTrait, row: user_token::Model, now: DateTime<Utc>) -> Result<()> {
    let mut active: user_token::ActiveModel = row.into();
    active.used_at = Set(Some(now));
    active.update(conn).await?;
    Ok(())
}

/// Confirms the address of a self-registered account from its emailed link.
/// Checks that a confirmation link is usable before showing its page (whose button confirms:
/// a mail scanner that fetches the link confirms nothing).
pub async fn check_confirm_link(
    conn: &impl ConnectionTrait,
    key: &tokens::SecretKey,
    token: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    redeem_token(conn, key, CONFIRM_EMAIL, token, now).await.map(|_| ())
}

pub async fn confirm_email(
    conn: &impl ConnectionTrait,
    key: &tokens::SecretKey,
    token: &str,
    now: DateTime<Utc>,
) -> Result<user::Model> {
    let row = redeem_token(conn, key, CONFIRM_EMAIL, token, now).await?;
    let user = user::Entity::find_by_id(row.user_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    mark_used(conn, row, now).await?;
    let mut active: user::ActiveModel = user.into();
    active.email_confirmed_at = Set(Some(now));
    Ok(active.update(conn).await?)
}

/// The result of a login attempt. `Invalid` is the same whether or not the account exists.
#[derive(Debug)]
pub enum Login {
    Ok(Box<user::Model>),
    Invalid,
    Throttled,
    Unconfirmed,
}

/// Recent failures from `ip`: for the account `email_key`, or for any.
pub(crate) async fn recent_failures(
    conn: &impl ConnectionTrait,
    email_key: Option<&str>,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    let mut find = login_failure::Entity::find().filter(login_failure::Column::Ip.eq(ip));
    if let Some(email) = email_key {
        find = find.filter(login_failure::Column::Email.eq(email));
    }
    Ok(find
        .filter(login_failure::Column::At.gt(now - Duration::minutes(THROTTLE_WINDOW_MINUTES)))
        .count(conn)
        .await?)
}

/// Checks an email and password. Throttled per account from an address and per address; when no account
/// exists the password is still verified against `decoy_hash`, so both answers take as long.
pub async fn authenticate(
    conn: &impl ConnectionTrait,
    email: &str,
    password: &str,
    ip: &str,
    decoy_hash: &str,
    now: DateTime<Utc>,
) -> Result<Login> {
    let email_key = email.trim().to_lowercase();
    if recent_failures(conn, Some(&email_key), ip, now).await? >= MAX_FAILURES_PER_ACCOUNT
        || recent_failures(conn, None, ip, now).await? >= MAX_FAILURES_PER_ADDRESS
    {
        return Ok(Login::Throttled);
    }
    let user = match Email::parse(&email_key) {
        Some(e) => find_user(conn, &e).await?,
        None => None,
    };
    let matches = match &user {
        Some(u) => password::verify(password, &u.password_hash).await,
        None => {
            password::verify(password, decoy_hash).await;
            false
        }
    };
    match user {
        Some(u) if matches && u.disabled_at.is_none() => {
            if u.email_confirmed_at.is_none() {
                Ok(Login::Unconfirmed)
            } else {
                Ok(Login::Ok(Box::new(u)))
            }
        }
        _ => {
            record_failure(conn, &email_key, ip, now).await?;
            Ok(Login::Invalid)
        }
    }
}

/// A failed attempt for an account (a wrong password or second-factor code) from `ip`.
pub(crate) async fn record_failure(
    conn: &impl ConnectionTrait,
    email_key: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    login_failure::ActiveModel {
        email: Set(email_key.chars().take(254).collect()),
        ip: Set(ip.to_owned()),
        at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Queues a reset link when an active account has this address; does nothing otherwise (the
/// page says the same either way).
pub async fn request_password_reset(conn: &impl ConnectionTrait, email: &str, now: DateTime<Utc>) -> Result<()> {
    let Some(email) = Email::parse(email) else {
        return Ok(());
    };
    let Some(user) = find_user(conn, &email).await? else {
        return Ok(());
    };
    if user.disabled_at.is_some() {
        return Ok(());
    }
    let token = new_token(conn, user.id, RESET_PASSWORD, Duration::minutes(RESET_TTL_MINUTES), now).await?;
    outbox::enqueue_email(conn, &EmailEvent::ResetPassword { token_id: token.id }, now).await?;
    Ok(())
}

/// Checks that a reset link is usable before showing its form.
pub async fn check_reset_link(
    conn: &impl ConnectionTrait,
    key: &tokens::SecretKey,
    token: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    redeem_token(conn, key, RESET_PASSWORD, token, now).await.map(|_| ())
}

/// Sets a new password from a reset link. The link proves control of the mailbox, so the
/// address counts as confirmed; every session of the account ends.
pub async fn reset_password(
    conn: &impl ConnectionTrait,
    key: &tokens::SecretKey,
    token: &str,
    new_password: &NewPassword,
    now: DateTime<Utc>,
) -> Result<user::Model> {
    let row = redeem_token(conn, key, RESET_PASSWORD, token, now).await?;
    let user = user::Entity::find_by_id(row.user_id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound)?;
    mark_used(conn, row, now).await?;
    sessions::delete_for_user(conn, user.id, None).await?;
    let confirmed = user.email_confirmed_at.unwrap_or(now);
    let mut active: user::ActiveModel = user.into();
    active.password_hash = Set(password::hash(new_password.expose()).await?);
    active.email_confirmed_at = Set(Some(confirmed));
    let user = active.update(conn).await?;
    audit::record(
        conn,
        Entry {
            actor_user_id: Some(user.id),
            action: "password_reset",
            object_type: "user",
            object_id: Some(user.id.into()),
            ..Default::default()
        },
        now,
    )
    .await?;
    Ok(user)
}

/// Changes the password of a logged-in user who knows the current one; other sessions end.
pub async fn change_password(
    conn: &impl ConnectionTrait,
    user: &user::Model,
    current: &str,
    new_password: &NewPassword,
    keep_session: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    if !password::verify(current, &user.password_hash).await {
        return Err(FieldErrors::single("current_password", "error-current-password"));
    }
    let mut active: user::ActiveModel = user.clone().into();
    active.password_hash = Set(password::hash(new_password.expose()).await?);
    active.update(conn).await?;
    sessions::delete_for_user(conn, user.id, Some(keep_session)).await?;
    audit::record(
        conn,
        Entry {
            actor_user_id: Some(user.id),
            action: "password_change",
            object_type: "user",
            object_id: Some(user.id.into()),
            ..Default::default()
        },
        now,
    )
    .await
}

pub async fn set_lang(conn: &impl ConnectionTrait, user: &user::Model, lang: Lang) -> Result<()> {
    let mut active: user::ActiveModel = user.clone().into();
    active.lang = Set(lang.code().to_owned());
    active.update(conn).await?;
    Ok(())
}

/// A parsed invitation form.
pub struct NewInvitation {
    pub email: Email,
    pub name: String,
    pub role: Role,
}

impl NewInvitation {
    pub fn parse(email: &str, name: &str, role: &str) -> Result<Self> {
        let mut errors = FieldErrors::new();
        let email = email_field(email, "email", &mut errors);
        let name = required_text(name, 200, "name", &mut errors);
        let role = Role::parse(role);
        if role.is_none() {
            errors.add("role", "error-choose");
        }
        errors.into_result()?;
        match (email, name, role) {
            (Some(email), Some(name), Some(role)) => Ok(Self { email, name, role }),
            _ => Err(Error::Refused("error-required")),
        }
    }
}

/// Invites someone to a role at `org`, if the actor may (see `policy::Actor::invitable_roles`).
pub async fn invite(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    org: &organisation::Model,
    new: NewInvitation,
    now: DateTime<Utc>,
) -> Result<invitation::Model> {
    if !actor.can_invite(org, new.role) {
        return Err(FieldErrors::single("role", "error-choose"));
    }
    let inv = invitation::ActiveModel {
        email: Set(new.email.into_inner()),
        name: Set(new.name),
        org_id: Set(org.id),
        role: Set(new.role),
        nonce: Set(tokens::random_hex()),
        invited_by: Set(actor.user.id),
        expires_at: Set(now + Duration::days(INVITATION_TTL_DAYS)),
        accepted_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    outbox::enqueue_email(conn, &EmailEvent::Invitation { invitation_id: inv.id }, now).await?;
    audit::record(
        conn,
        Entry::by(actor, Some(org.id), "invite", ("invitation", inv.id.into()))
            .details(Some(new.role.as_str().to_owned())),
        now,
    )
    .await?;
    Ok(inv)
}

/// An open invitation a link points at, with its organisation and whether its address already
/// has an account.
pub struct OpenInvitation {
    pub invitation: invitation::Model,
    pub org: organisation::Model,
    pub existing_user: Option<user::Model>,
}

pub async fn open_invitation(
    conn: &impl ConnectionTrait,
    key: &tokens::SecretKey,
    token: &str,
    now: DateTime<Utc>,
) -> Result<OpenInvitation> {
    let id = tokens::link_id(token).ok_or(Error::Refused("error-link-invalid"))?;
    let (inv, org) = invitation::Entity::find_by_id(id)
        .find_also_related(organisation::Entity)
        .one(conn)
        .await?
        .ok_or(Error::Refused("error-link-invalid"))?;
    let org = org.ok_or(Error::NotFound)?;
    if !tokens::verify_link(key, INVITATION, inv.id, &inv.nonce, token) {
        return Err(Error::Refused("error-link-invalid"));
    }
    if inv.accepted_at.is_some() || inv.expires_at <= now {
        return Err(Error::Refused("error-link-expired"));
    }
    let existing_user = match Email::parse(&inv.email) {
        Some(e) => find_user(conn, &e).await?,
        None => None,
    };
    Ok(OpenInvitation {
        invitation: inv,
        org,
        existing_user,
    })
}

/// How the invitee proves who they are when accepting.
pub enum Acceptance<'a> {
    /// A new account with this password (the link proves the address).
    NewAccount {
        name: &'a str,
        password: &'a NewPassword,
        lang: Lang,
    },
    /// The invitee is logged in as the invited address.
    LoggedIn(&'a user::Model),
}

pub async fn accept_invitation(
    conn: &impl ConnectionTrait,
    open: OpenInvitation,
    how: Acceptance<'_>,
    now: DateTime<Utc>,
) -> Result<user::Model> {
    let inv = open.invitation;
    let user = match (how, open.existing_user) {
        (Acceptance::LoggedIn(u), Some(existing)) if u.id == existing.id => existing,
        (Acceptance::LoggedIn(_), _) => return Err(Error::Refused("error-invitation-other-account")),
        (Acceptance::NewAccount { .. }, Some(_)) => return Err(Error::Refused("error-invitation-log-in")),
        (Acceptance::NewAccount { name, password, lang }, None) => {
            let mut errors = FieldErrors::new();
            let name = required_text(name, 200, "name", &mut errors);
            errors.into_result()?;
            let email = Email::parse(&inv.email).ok_or(Error::Refused("error-link-invalid"))?;
            insert_user(conn, &email, &name.unwrap_or_default(), password, lang, Some(now), now).await?
        }
    };
    add_membership(conn, user.id, inv.org_id, inv.role, now).await?;
    let id = inv.id;
    let mut active: invitation::ActiveModel = inv.into();
    active.accepted_at = Set(Some(now));
    active.update(conn).await?;
    audit::record(
        conn,
        Entry {
            actor_user_id: Some(user.id),
            org_id: Some(open.org.id),
            action: "accept_invitation",
            object_type: "invitation",
            object_id: Some(id.into()),
            ..Default::default()
        },
        now,
    )
    .await?;
    Ok(user)
}

/// Creates a user with a membership directly (start-up bootstrap and demo data only).
pub async fn create_confirmed_user(
    conn: &impl ConnectionTrait,
    email: &str,
    name: &str,
    password: &str,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<user::Model> {
    let email = Email::parse(email).ok_or(FieldErrors::single("email", "error-email"))?;
    let mut errors = FieldErrors::new();
    let password = NewPassword::parse(password, password, "password", &mut errors);
    errors.into_result()?;
    let password = password.ok_or(Error::Refused("error-password-short"))?;
    insert_user(conn, &email, name, &password, lang, Some(now), now).await
}
