//! People: their groups, admin flag, the app that applies to them and their connection.

use serde::Serialize;
use serde_json::json;

use super::{AdminError, Saved, audit, groups, read, reconcile, write};
use crate::app::App;
use crate::connections::{app_label, effective_row};
use crate::store;
use crate::store::groups::GroupRow;
use crate::store::users::UserRow;

/// A person as shown.
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    /// E-mail.
    pub email: String,
    /// Whether the person is an admin.
    pub admin: bool,
    /// Their groups.
    pub groups: Vec<GroupRef>,
    /// Whether an enabled app applies to them.
    pub salesforce_enabled: bool,
    /// The app that applies to them.
    pub effective_app: Option<EffectiveApp>,
    /// Their Salesforce connection.
    pub connection: Option<ConnectionView>,
}

/// A group a person is in.
#[derive(Debug, Clone, Serialize)]
pub struct GroupRef {
    /// The group's name.
    pub name: String,
    /// Lower wins.
    pub priority: i64,
}

/// The app that applies to a person.
#[derive(Debug, Clone, Serialize)]
pub struct EffectiveApp {
    /// `org` or the group's name.
    pub app: String,
    /// The group, for an override.
    pub group: Option<String>,
    /// Consumer key.
    pub client_id: String,
    /// Login host.
    pub auth_base_url: String,
}

/// A person's connection (never its tokens).
#[derive(Debug, Clone, Serialize)]
pub struct ConnectionView {
    /// `active`, `needs_reconnect` or `revoked`.
    pub status: String,
    /// Salesforce username.
    pub username: String,
    /// Salesforce org id.
    pub org_id: String,
    /// Where API calls go.
    pub instance_url: String,
    /// `org` or the group name of the app used.
    pub app: String,
    /// The app's client id at connection time.
    pub client_id: String,
    /// The last error, for the person to read.
    pub last_error: Option<String>,
    /// When the person connected.
    pub connected_at: String,
}

/// A person in the list.
#[derive(Debug, Clone, Serialize)]
pub struct UserSummary {
    /// E-mail.
    pub email: String,
    /// Whether the person is an admin.
    pub admin: bool,
    /// Their groups' names.
    pub groups: Vec<String>,
    /// Their connection's status, if connected.
    pub connection: Option<String>,
}

/// A removed person.
#[derive(Debug, Clone, Serialize)]
pub struct UserRemoved {
    /// E-mail.
    pub removed: String,
    /// What went wrong revoking the Salesforce grant, if anything.
    pub note: Option<String>,
}

/// A disconnected person.
#[derive(Debug, Clone, Serialize)]
pub struct Disconnected {
    /// E-mail.
    pub disconnected: String,
    /// Whether there was a connection.
    pub was_connected: bool,
    /// What went wrong revoking the Salesforce grant, if anything.
    pub note: Option<String>,
}

fn parse_email(email: &str) -> Result<String, AdminError> {
    let email = email.trim();
    let (local, domain) = email.split_once('@').unwrap_or_default();
    if local.is_empty() || domain.is_empty() || email.contains(char::is_whitespace) {
        return Err(AdminError::Invalid(format!(
            "'{email}' is not an e-mail address: give the person's e-mail, e.g. ada@example.com"
        )));
    }
    Ok(email.to_owned())
}

/// A person by e-mail, or an error that says how to add them.
pub(super) fn find(app: &App, email: &str) -> Result<UserRow, AdminError> {
    let email = email.trim();
    read(app, |c| store::users::find_by_email(c, email))?.ok_or_else(|| {
        AdminError::NotFound(format!(
            "no person with e-mail '{email}': add them with `salesforce-mcp admin user add {email}`"
        ))
    })
}

fn find_groups(app: &App, names: &[String]) -> Result<Vec<GroupRow>, AdminError> {
    names.iter().map(|n| groups::find(app, n)).collect()
}

/// Adds a person, or adds an existing person to more groups; `admin` makes them an admin
/// (audited `user.add`).
pub fn user_add(
    app: &App,
    actor: &str,
    email: &str,
    group_names: &[String],
    admin: bool,
) -> Result<Saved<UserView>, AdminError> {
    let email = parse_email(email)?;
    let groups = find_groups(app, group_names)?;
    let (user, moved) = write(app, |c| {
        let user = store::users::insert(c, &email, admin)?;
        if admin && !user.is_admin {
            store::users::set_admin(c, user.id, true)?;
        }
        for g in &groups {
            store::groups::add_member(c, g.id, user.id)?;
        }
        let names: Vec<_> = groups.iter().map(|g| &g.name).collect();
        let detail = json!({"email": user.email, "groups": names, "admin": admin});
        audit(c, actor, "user.add", &user.email, &detail)?;
        Ok((user, reconcile(c, actor)?))
    })?;
    Ok(Saved {
        item: view(app, &user)?,
        reconnect_required: moved,
    })
}

/// Turns a person's admin flag on or off (audited `user.set_admin`).
pub fn user_set_admin(
    app: &App,
    actor: &str,
    email: &str,
    admin: bool,
) -> Result<UserView, AdminError> {
    let user = find(app, email)?;
    write(app, |c| {
        store::users::set_admin(c, user.id, admin)?;
        audit(
            c,
            actor,
            "user.set_admin",
            &user.email,
            &json!({"email": user.email, "admin": admin}),
        )
    })?;
    let user = find(app, &user.email)?;
    view(app, &user)
}

/// Takes a person out of groups (audited `user.leave_groups`).
pub fn user_leave_groups(
    app: &App,
    actor: &str,
    email: &str,
    group_names: &[String],
) -> Result<Saved<UserView>, AdminError> {
    let user = find(app, email)?;
    let groups = find_groups(app, group_names)?;
    let moved = write(app, |c| {
        for g in &groups {
            store::groups::remove_member(c, g.id, user.id)?;
        }
        let names: Vec<_> = groups.iter().map(|g| &g.name).collect();
        audit(
            c,
            actor,
            "user.leave_groups",
            &user.email,
            &json!({"email": user.email, "groups": names}),
        )?;
        reconcile(c, actor)
    })?;
    Ok(Saved {
        item: view(app, &user)?,
        reconnect_required: moved,
    })
}

/// A person: groups, admin, effective app (org or which group) and connection.
pub fn user_show(app: &App, email: &str) -> Result<UserView, AdminError> {
    view(app, &find(app, email)?)
}

fn view(app: &App, user: &UserRow) -> Result<UserView, AdminError> {
    let (groups, effective, connection) = read(app, |c| {
        Ok((
            store::groups::of_user(c, user.id)?,
            effective_row(c, user.id)?,
            store::connections::get(c, user.id)?,
        ))
    })?;
    Ok(UserView {
        email: user.email.clone(),
        admin: user.is_admin,
        groups: groups
            .into_iter()
            .map(|g| GroupRef {
                name: g.name,
                priority: g.priority,
            })
            .collect(),
        salesforce_enabled: effective.is_some(),
        effective_app: effective.as_ref().map(|a| EffectiveApp {
            app: app_label(a),
            group: a.group_name.clone(),
            client_id: a.client_id.clone(),
            auth_base_url: a.auth_base_url.clone(),
        }),
        connection: connection.map(|c| ConnectionView {
            status: c.status,
            username: c.username,
            org_id: c.org_id,
            instance_url: c.instance_url,
            app: c.app_label,
            client_id: c.client_id,
            last_error: c.last_error,
            connected_at: c.connected_at,
        }),
    })
}

/// Everyone with their groups and connection status.
pub fn user_list(app: &App) -> Result<Vec<UserSummary>, AdminError> {
    read(app, |c| {
        let mut rows = Vec::new();
        for u in store::users::list(c)? {
            let groups = store::groups::of_user(c, u.id)?;
            let status = store::connections::get(c, u.id)?.map(|c| c.status);
            rows.push(UserSummary {
                email: u.email,
                admin: u.is_admin,
                groups: groups.into_iter().map(|g| g.name).collect(),
                connection: status,
            });
        }
        Ok(rows)
    })
}

/// Revokes a person's Salesforce grant; the error, if any, as a note.
async fn revoke_connection(app: &App, user_id: i64) -> (bool, Option<String>) {
    match app.connections.disconnect(user_id).await {
        Ok(Some(note)) if !note.is_empty() => (true, Some(note)),
        Ok(Some(_)) => (true, None),
        Ok(None) => (false, None),
        Err(e) => (
            true,
            Some(format!("the Salesforce grant could not be revoked ({e})")),
        ),
    }
}

/// Removes a person with their connection (revoked at Salesforce first) and API tokens
/// (audited `user.remove`).
pub async fn user_remove(app: &App, actor: &str, email: &str) -> Result<UserRemoved, AdminError> {
    let user = find(app, email)?;
    // Revoke at Salesforce first: once the row is gone the grant could no longer be ended.
    let (_, note) = revoke_connection(app, user.id).await;
    write(app, |c| {
        store::users::delete(c, user.id)?;
        audit(
            c,
            actor,
            "user.remove",
            &user.email,
            &json!({"email": user.email}),
        )
    })?;
    Ok(UserRemoved {
        removed: user.email,
        note,
    })
}

/// Disconnects a person from Salesforce (revoked there, deleted here); they can connect again
/// (audited `user.disconnect`).
pub async fn user_disconnect(
    app: &App,
    actor: &str,
    email: &str,
) -> Result<Disconnected, AdminError> {
    let user = find(app, email)?;
    let (was_connected, note) = revoke_connection(app, user.id).await;
    write(app, |c| {
        audit(
            c,
            actor,
            "user.disconnect",
            &user.email,
            &json!({"email": user.email, "was_connected": was_connected}),
        )
    })?;
    Ok(Disconnected {
        disconnected: user.email,
        was_connected,
        note,
    })
}
