//! `admin user add|show|list|remove`: people, their groups, the app that applies to them and
//! their connection.

use clap::{Args, Subcommand};
use serde_json::json;

use super::{audit, emit, group, read, reconcile, reconnect_note, write};
use crate::app::App;
use crate::connections::{app_label, effective_row};
use crate::store::apps::AppRow;
use crate::store::connections::ConnectionRow;
use crate::store::groups::GroupRow;
use crate::store::users::UserRow;
use crate::store::{self};

/// `admin user` commands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a person, or add an existing person to more groups (`--admin` makes them an admin).
    Add(UserAddArgs),
    /// Show a person: groups, admin, effective app (org or which group) and connection.
    Show(EmailArgs),
    /// List everyone with their groups and connection status.
    List {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Remove a person with their connection (revoked at Salesforce) and API tokens; with
    /// `--group`, only take them out of those groups.
    Remove(UserRemoveArgs),
}

/// `admin user add`.
#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// The person's e-mail address.
    pub email: String,
    /// A group to add the person to (repeatable; the group must exist).
    #[arg(long = "group", value_name = "NAME")]
    pub groups: Vec<String>,
    /// Make the person an admin.
    #[arg(long)]
    pub admin: bool,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// `admin user remove`.
#[derive(Debug, Args)]
pub struct UserRemoveArgs {
    /// The person's e-mail address.
    pub email: String,
    /// Only remove the person from this group (repeatable).
    #[arg(long = "group", value_name = "NAME")]
    pub groups: Vec<String>,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// An e-mail and the output format.
#[derive(Debug, Args)]
pub struct EmailArgs {
    /// The person's e-mail address.
    pub email: String,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// Runs an `admin user` command.
pub async fn run(app: &App, cmd: &UserCommand) -> Result<(), String> {
    match cmd {
        UserCommand::Add(args) => add(app, args),
        UserCommand::Show(args) => {
            let (value, text) = view(app, &find(app, &args.email)?)?;
            emit(args.json, &value, &text);
            Ok(())
        }
        UserCommand::List { json } => list(app, *json),
        UserCommand::Remove(args) if args.groups.is_empty() => remove(app, args).await,
        UserCommand::Remove(args) => leave_groups(app, args),
    }
}

fn parse_email(email: &str) -> Result<String, String> {
    let email = email.trim();
    let (local, domain) = email.split_once('@').unwrap_or_default();
    if local.is_empty() || domain.is_empty() || email.contains(char::is_whitespace) {
        return Err(format!(
            "'{email}' is not an e-mail address: give the person's e-mail, e.g. ada@example.com"
        ));
    }
    Ok(email.to_owned())
}

/// A person by e-mail, or an error that says how to add them.
pub(super) fn find(app: &App, email: &str) -> Result<UserRow, String> {
    let email = email.trim();
    read(app, |c| store::users::find_by_email(c, email))?.ok_or_else(|| {
        format!(
            "no person with e-mail '{email}': add them with `salesforce-mcp admin user add {email}`"
        )
    })
}

fn find_groups(app: &App, names: &[String]) -> Result<Vec<GroupRow>, String> {
    names.iter().map(|n| group::find(app, n)).collect()
}

fn add(app: &App, args: &UserAddArgs) -> Result<(), String> {
    let email = parse_email(&args.email)?;
    let groups = find_groups(app, &args.groups)?;
    let (user, moved) = write(app, |c| {
        let user = store::users::insert(c, &email, args.admin)?;
        if args.admin && !user.is_admin {
            store::users::set_admin(c, user.id, true)?;
        }
        for g in &groups {
            store::groups::add_member(c, g.id, user.id)?;
        }
        let names: Vec<_> = groups.iter().map(|g| &g.name).collect();
        let detail = json!({"email": user.email, "groups": names, "admin": args.admin});
        audit(c, "user.add", &user.email, &detail)?;
        Ok((user, reconcile(c)?))
    })?;
    saved(app, &user, &moved, args.json)
}

/// Prints a person after a change, with whose connections the change moved.
fn saved(app: &App, user: &UserRow, moved: &[String], json: bool) -> Result<(), String> {
    let (mut value, text) = view(app, user)?;
    value["reconnect_required"] = json!(moved);
    emit(
        json,
        &value,
        &format!("Saved.\n{text}{}", reconnect_note(moved)),
    );
    Ok(())
}

/// A person as JSON and as text.
fn view(app: &App, user: &UserRow) -> Result<(serde_json::Value, String), String> {
    let (groups, effective, connection) = read(app, |c| {
        Ok((
            store::groups::of_user(c, user.id)?,
            effective_row(c, user.id)?,
            store::connections::get(c, user.id)?,
        ))
    })?;
    let effective_json = effective.as_ref().map(|a| {
        json!({"app": app_label(a), "group": a.group_name, "client_id": a.client_id, "auth_base_url": a.auth_base_url})
    });
    let value = json!({
        "email": user.email,
        "admin": user.is_admin,
        "groups": groups.iter().map(|g| json!({"name": g.name, "priority": g.priority})).collect::<Vec<_>>(),
        "salesforce_enabled": effective.is_some(),
        "effective_app": effective_json,
        "connection": connection.as_ref().map(connection_json),
    });
    let group_text: Vec<_> = groups
        .iter()
        .map(|g| format!("{} (priority {})", g.name, g.priority))
        .collect();
    let app_text = effective_text(effective.as_ref());
    let text = format!(
        "Person:         {}\nAdmin:          {}\nGroups:         {}\nEffective app:  {app_text}\nConnection:     {}",
        user.email,
        if user.is_admin { "yes" } else { "no" },
        if group_text.is_empty() {
            "none".to_owned()
        } else {
            group_text.join(", ")
        },
        connection
            .as_ref()
            .map_or_else(|| "not connected".to_owned(), connection_text),
    );
    Ok((value, text))
}

fn effective_text(effective: Option<&AppRow>) -> String {
    match effective {
        Some(a) => format!(
            "{}, client id {}, {}",
            a.group_name
                .as_ref()
                .map_or_else(|| "org".to_owned(), |g| format!("group {g}")),
            a.client_id,
            a.auth_base_url
        ),
        None => "none: Salesforce is not enabled (configure `salesforce-mcp admin org set` or a group override)".to_owned(),
    }
}

fn connection_json(c: &ConnectionRow) -> serde_json::Value {
    json!({"status": c.status, "username": c.username, "org_id": c.org_id, "instance_url": c.instance_url,
           "app": c.app_label, "client_id": c.client_id, "last_error": c.last_error, "connected_at": c.connected_at})
}

fn connection_text(c: &ConnectionRow) -> String {
    let why = c
        .last_error
        .as_ref()
        .map(|e| format!(" ({e})"))
        .unwrap_or_default();
    format!(
        "{} as {} (org {}, {} app){why}",
        c.status, c.username, c.org_id, c.app_label
    )
}

fn list(app: &App, json: bool) -> Result<(), String> {
    let rows = read(app, |c| {
        let mut rows = Vec::new();
        for u in store::users::list(c)? {
            let groups = store::groups::of_user(c, u.id)?;
            let status = store::connections::get(c, u.id)?.map(|c| c.status);
            rows.push((u, groups, status));
        }
        Ok(rows)
    })?;
    let value: Vec<_> = rows
        .iter()
        .map(|(u, g, s)| {
            let names: Vec<_> = g.iter().map(|g| &g.name).collect();
            json!({"email": u.email, "admin": u.is_admin, "groups": names, "connection": s})
        })
        .collect();
    let lines: Vec<_> = rows
        .iter()
        .map(|(u, g, s)| {
            let names: Vec<_> = g.iter().map(|g| g.name.as_str()).collect();
            format!(
                "{}{}  groups: {}  connection: {}",
                u.email,
                if u.is_admin { " (admin)" } else { "" },
                if names.is_empty() {
                    "-".to_owned()
                } else {
                    names.join(", ")
                },
                s.as_deref().unwrap_or("not connected"),
            )
        })
        .collect();
    let text = if lines.is_empty() {
        "Nobody yet: add a person with `salesforce-mcp admin user add EMAIL`.".to_owned()
    } else {
        lines.join("\n")
    };
    emit(json, &json!(value), &text);
    Ok(())
}

async fn remove(app: &App, args: &UserRemoveArgs) -> Result<(), String> {
    let user = find(app, &args.email)?;
    // Revoke at Salesforce first: once the row is gone the grant could no longer be ended.
    let note = match app.connections.disconnect(user.id).await {
        Ok(Some(note)) if !note.is_empty() => Some(note),
        Ok(_) => None,
        Err(e) => Some(format!("the Salesforce grant could not be revoked ({e})")),
    };
    write(app, |c| {
        store::users::delete(c, user.id)?;
        audit(c, "user.remove", &user.email, &json!({"email": user.email}))
    })?;
    let text = format!(
        "Removed {} with their Salesforce connection and API tokens.{}",
        user.email,
        note.as_ref()
            .map(|n| format!(" Note: {n}"))
            .unwrap_or_default()
    );
    emit(
        args.json,
        &json!({"removed": user.email, "note": note}),
        &text,
    );
    Ok(())
}

fn leave_groups(app: &App, args: &UserRemoveArgs) -> Result<(), String> {
    let user = find(app, &args.email)?;
    let groups = find_groups(app, &args.groups)?;
    let moved = write(app, |c| {
        for g in &groups {
            store::groups::remove_member(c, g.id, user.id)?;
        }
        let names: Vec<_> = groups.iter().map(|g| &g.name).collect();
        audit(
            c,
            "user.leave_groups",
            &user.email,
            &json!({"email": user.email, "groups": names}),
        )?;
        reconcile(c)
    })?;
    saved(app, &user, &moved, args.json)
}
