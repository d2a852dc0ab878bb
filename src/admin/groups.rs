//! Groups and their override apps.

use serde::Serialize;
use serde_json::json;

use super::apps::{AppInput, AppView, app_audit, merge};
use super::credentials::{self, CredentialChanges};
use super::{AdminError, Saved, audit, read, reconcile, write};
use crate::app::App;
use crate::store;
use crate::store::apps::AppFields;
use crate::store::groups::GroupRow;

/// The priority of a group created without one.
pub const DEFAULT_PRIORITY: i64 = 100;

/// A group as shown: priority, override app (never its secret) and members.
#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    /// The group's name.
    pub name: String,
    /// Lower wins.
    pub priority: i64,
    /// The override app, if any.
    pub app: Option<AppView>,
    /// Members' e-mails.
    pub members: Vec<String>,
}

/// A group in the list.
#[derive(Debug, Clone, Serialize)]
pub struct GroupSummary {
    /// The group's name.
    pub name: String,
    /// Lower wins.
    pub priority: i64,
    /// How many members.
    pub members: usize,
    /// The override app, if any.
    pub app: Option<GroupApp>,
}

/// An override app in the group list.
#[derive(Debug, Clone, Serialize)]
pub struct GroupApp {
    /// Consumer key.
    pub client_id: String,
    /// Login host.
    pub auth_base_url: String,
    /// Whether the app may be used.
    pub enabled: bool,
}

/// A removed group.
#[derive(Debug, Clone, Serialize)]
pub struct GroupRemoved {
    /// The group's name.
    pub removed: String,
    /// E-mails of the people who must connect again.
    pub reconnect_required: Vec<String>,
}

/// Checks a new group's name.
fn parse_name(name: &str) -> Result<String, AdminError> {
    let name = name.trim();
    let allowed = |ch: char| ch.is_ascii_alphanumeric() || "-_.".contains(ch);
    if name.is_empty() || name.len() > 64 || !name.chars().all(allowed) {
        return Err(AdminError::Invalid(format!(
            "'{name}' is not a valid group name: use 1 to 64 letters, digits, '-', '_' or '.'"
        )));
    }
    if name.eq_ignore_ascii_case("org") {
        return Err(AdminError::Invalid(
            "'org' names the organization's app; choose another group name".into(),
        ));
    }
    Ok(name.to_owned())
}

/// A group by name, or an error that says how to create it.
pub(super) fn find(app: &App, name: &str) -> Result<GroupRow, AdminError> {
    let name = name.trim();
    read(app, |c| store::groups::find_by_name(c, name))?.ok_or_else(|| {
        AdminError::NotFound(format!(
            "no group named '{name}': create it with `salesforce-mcp admin group add {name}`"
        ))
    })
}

/// Creates a group, with its override app when `input` gives app fields (audited `group.add`).
pub fn group_add(
    app: &App,
    actor: &str,
    name: &str,
    priority: i64,
    input: &AppInput,
) -> Result<GroupView, AdminError> {
    let name = parse_name(name)?;
    let fields = if input.changes_app() {
        Some((
            merge(app, None, input)?,
            credentials::changes(app, None, input)?,
        ))
    } else {
        None
    };
    let created = write(app, |c| {
        let Some(id) = store::groups::insert(c, &name, priority)? else {
            return Ok(false);
        };
        let override_app = match &fields {
            Some((f, changes)) => Some(app_audit(&credentials::save_app(c, Some(id), f, changes)?)),
            None => None,
        };
        let detail = json!({"name": name, "priority": priority, "override": override_app});
        audit(c, actor, "group.add", &name, &detail)?;
        Ok(true)
    })?;
    if !created {
        return Err(AdminError::Conflict(format!(
            "a group named '{name}' already exists; change it with `salesforce-mcp admin group set {name} ...`"
        )));
    }
    group_show(app, &name)
}

/// Changes a group's priority and/or override app (audited `group.set`).
pub fn group_set(
    app: &App,
    actor: &str,
    name: &str,
    priority: Option<i64>,
    input: &AppInput,
) -> Result<Saved<GroupView>, AdminError> {
    let group = find(app, name)?;
    if priority.is_none() && !input.changes_app() {
        return Err(AdminError::Invalid(
            "nothing to change: give --priority N or app flags such as --client-id, --enable or --disable (see `salesforce-mcp admin group set --help`)"
            .into()));
    }
    let fields: Option<(AppFields, CredentialChanges)> = if input.changes_app() {
        let current = read(app, |c| store::apps::group_app(c, group.id))?;
        Some((
            merge(app, current.as_ref(), input)?,
            credentials::changes(app, current.as_ref(), input)?,
        ))
    } else {
        None
    };
    let moved = write(app, |c| {
        if let Some(p) = priority {
            store::groups::set_priority(c, group.id, p)?;
        }
        let override_app = match &fields {
            Some((f, changes)) => Some(app_audit(&credentials::save_app(
                c,
                Some(group.id),
                f,
                changes,
            )?)),
            None => None,
        };
        let detail = json!({"name": group.name, "priority": priority, "override": override_app});
        audit(c, actor, "group.set", &group.name, &detail)?;
        reconcile(c, actor)
    })?;
    Ok(Saved {
        item: group_show(app, &group.name)?,
        reconnect_required: moved,
    })
}

/// Makes a group override's staged set the main one; the old main set becomes the previous one
/// (audited `group.promote_staged`). Connections made under it keep refreshing.
pub fn group_promote_staged(
    app: &App,
    actor: &str,
    name: &str,
) -> Result<Saved<GroupView>, AdminError> {
    let group = find(app, name)?;
    let current = read(app, |c| store::apps::group_app(c, group.id))?.ok_or_else(|| {
        AdminError::NotFound(format!(
            "group '{0}' has no override app: give it one with `salesforce-mcp admin group set {0} --client-id ID`",
            group.name
        ))
    })?;
    let (_, moved) = credentials::promote(
        app,
        actor,
        &current,
        ("group.promote_staged", &group.name),
        &format!("salesforce-mcp admin group set {}", group.name),
    )?;
    Ok(Saved {
        item: group_show(app, &group.name)?,
        reconnect_required: moved,
    })
}

/// A group with its override app and members.
pub fn group_show(app: &App, name: &str) -> Result<GroupView, AdminError> {
    let group = find(app, name)?;
    let (override_app, members) = read(app, |c| {
        Ok((
            store::apps::group_app(c, group.id)?,
            store::groups::member_emails(c, group.id)?,
        ))
    })?;
    Ok(GroupView {
        name: group.name,
        priority: group.priority,
        app: override_app.as_ref().map(AppView::from),
        members,
    })
}

/// Every group with its override app and members, in the order the overrides apply (lowest
/// priority first).
pub fn group_views(app: &App) -> Result<Vec<GroupView>, AdminError> {
    read(app, |c| {
        let mut rows = Vec::new();
        for g in store::groups::list(c)? {
            let override_app = store::apps::group_app(c, g.id)?;
            rows.push(GroupView {
                members: store::groups::member_emails(c, g.id)?,
                app: override_app.as_ref().map(AppView::from),
                name: g.name,
                priority: g.priority,
            });
        }
        Ok(rows)
    })
}

/// The groups in the order their overrides apply (lowest priority first).
pub fn group_list(app: &App) -> Result<Vec<GroupSummary>, AdminError> {
    Ok(group_views(app)?
        .into_iter()
        .map(|g| GroupSummary {
            members: g.members.len(),
            app: g.app.map(|a| GroupApp {
                client_id: a.client_id,
                auth_base_url: a.auth_base_url,
                enabled: a.enabled,
            }),
            name: g.name,
            priority: g.priority,
        })
        .collect())
}

/// Deletes a group and its override app; its members fall back to their next app (audited
/// `group.remove`).
pub fn group_remove(app: &App, actor: &str, name: &str) -> Result<GroupRemoved, AdminError> {
    let group = find(app, name)?;
    let moved = write(app, |c| {
        let members = store::groups::member_emails(c, group.id)?;
        store::groups::delete(c, group.id)?;
        audit(
            c,
            actor,
            "group.remove",
            &group.name,
            &json!({"name": group.name, "members": members}),
        )?;
        reconcile(c, actor)
    })?;
    Ok(GroupRemoved {
        removed: group.name,
        reconnect_required: moved,
    })
}
