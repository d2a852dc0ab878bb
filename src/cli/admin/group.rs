//! `admin group add|set|show|list|remove`: groups and their override apps.

use clap::{Args, Subcommand};
use serde_json::json;

use super::{
    AppArgs, app_audit, app_json, app_text, audit, emit, merge, read, reconcile, reconnect_note,
    write,
};
use crate::app::App;
use crate::store::apps::{AppFields, AppRow};
use crate::store::groups::GroupRow;
use crate::store::{self};

/// The priority of a group created without `--priority`.
pub const DEFAULT_PRIORITY: i64 = 100;

/// `admin group` commands.
#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a group, optionally with its own OAuth app (the same flags as `admin org set`).
    Add(GroupAddArgs),
    /// Change a group's override app (the same flags as `admin org set`) or its priority.
    Set(GroupSetArgs),
    /// Show a group: priority, override app (never its secret) and members.
    Show(NameArgs),
    /// List the groups in the order their overrides apply (lowest priority first).
    List {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Delete a group and its override app; its members fall back to their next app.
    Remove(NameArgs),
}

/// `admin group add`.
#[derive(Debug, Args)]
pub struct GroupAddArgs {
    /// The group's name (letters, digits, `-`, `_`, `.`).
    pub name: String,
    /// Lower wins when a person's groups have several enabled overrides (ties: group name).
    #[arg(long, default_value_t = DEFAULT_PRIORITY, allow_negative_numbers = true)]
    pub priority: i64,
    /// The group's override app (optional).
    #[command(flatten)]
    pub app: AppArgs,
}

/// `admin group set`.
#[derive(Debug, Args)]
pub struct GroupSetArgs {
    /// The group's name.
    pub name: String,
    /// New priority (lower wins; ties: group name).
    #[arg(long, allow_negative_numbers = true)]
    pub priority: Option<i64>,
    /// Override app fields to change.
    #[command(flatten)]
    pub app: AppArgs,
}

/// A group name and the output format.
#[derive(Debug, Args)]
pub struct NameArgs {
    /// The group's name.
    pub name: String,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// Runs an `admin group` command.
pub fn run(app: &App, cmd: &GroupCommand) -> Result<(), String> {
    match cmd {
        GroupCommand::Add(args) => add(app, args),
        GroupCommand::Set(args) => set(app, args),
        GroupCommand::Show(args) => {
            let (value, text) = view(app, &args.name)?;
            emit(args.json, &value, &text);
            Ok(())
        }
        GroupCommand::List { json } => list(app, *json),
        GroupCommand::Remove(args) => remove(app, args),
    }
}

/// Checks a new group's name.
fn parse_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    let allowed = |ch: char| ch.is_ascii_alphanumeric() || "-_.".contains(ch);
    if name.is_empty() || name.len() > 64 || !name.chars().all(allowed) {
        return Err(format!(
            "'{name}' is not a valid group name: use 1 to 64 letters, digits, '-', '_' or '.'"
        ));
    }
    if name.eq_ignore_ascii_case("org") {
        return Err("'org' names the organization's app; choose another group name".into());
    }
    Ok(name.to_owned())
}

/// A group by name, or an error that says how to create it.
pub(super) fn find(app: &App, name: &str) -> Result<GroupRow, String> {
    let name = name.trim();
    read(app, |c| store::groups::find_by_name(c, name))?.ok_or_else(|| {
        format!("no group named '{name}': create it with `salesforce-mcp admin group add {name}`")
    })
}

fn add(app: &App, args: &GroupAddArgs) -> Result<(), String> {
    let name = parse_name(&args.name)?;
    let fields = if args.app.changes_app() {
        Some(merge(app, None, &args.app)?)
    } else {
        None
    };
    let created = write(app, |c| {
        let Some(id) = store::groups::insert(c, &name, args.priority)? else {
            return Ok(false);
        };
        let override_app = match &fields {
            Some(f) => Some(app_audit(&store::apps::upsert(c, Some(id), f)?)),
            None => None,
        };
        let detail = json!({"name": name, "priority": args.priority, "override": override_app});
        audit(c, "group.add", &name, &detail)?;
        Ok(true)
    })?;
    if !created {
        return Err(format!(
            "a group named '{name}' already exists; change it with `salesforce-mcp admin group set {name} ...`"
        ));
    }
    let (value, text) = view(app, &name)?;
    emit(args.app.json, &value, &format!("Created.\n{text}"));
    Ok(())
}

fn set(app: &App, args: &GroupSetArgs) -> Result<(), String> {
    let group = find(app, &args.name)?;
    if args.priority.is_none() && !args.app.changes_app() {
        return Err(
            "nothing to change: give --priority N or app flags such as --client-id, --enable or --disable (see `salesforce-mcp admin group set --help`)"
            .into());
    }
    let fields: Option<AppFields> = if args.app.changes_app() {
        let current = read(app, |c| store::apps::group_app(c, group.id))?;
        Some(merge(app, current.as_ref(), &args.app)?)
    } else {
        None
    };
    let moved = write(app, |c| {
        if let Some(p) = args.priority {
            store::groups::set_priority(c, group.id, p)?;
        }
        let override_app = match &fields {
            Some(f) => Some(app_audit(&store::apps::upsert(c, Some(group.id), f)?)),
            None => None,
        };
        let detail =
            json!({"name": group.name, "priority": args.priority, "override": override_app});
        audit(c, "group.set", &group.name, &detail)?;
        reconcile(c)
    })?;
    let (mut value, text) = view(app, &group.name)?;
    value["reconnect_required"] = json!(moved);
    emit(
        args.app.json,
        &value,
        &format!("Saved.\n{text}{}", reconnect_note(&moved)),
    );
    Ok(())
}

/// A group as JSON and as text.
fn view(app: &App, name: &str) -> Result<(serde_json::Value, String), String> {
    let group = find(app, name)?;
    let (override_app, members) = read(app, |c| {
        Ok((
            store::apps::group_app(c, group.id)?,
            store::groups::member_emails(c, group.id)?,
        ))
    })?;
    let value = json!({
        "name": group.name,
        "priority": group.priority,
        "app": override_app.as_ref().map(app_json),
        "members": members,
    });
    let text = format!(
        "Group:     {}\nPriority:  {}\nMembers:   {}\n{}",
        group.name,
        group.priority,
        if members.is_empty() {
            "none".to_owned()
        } else {
            members.join(", ")
        },
        override_text(override_app.as_ref()),
    );
    Ok((value, text))
}

fn override_text(row: Option<&AppRow>) -> String {
    match row {
        Some(r) => format!("Override app:\n{}", app_text(r)),
        None => "Override app: none (members use the org app, or another group's override)".into(),
    }
}

fn list(app: &App, json: bool) -> Result<(), String> {
    let rows = read(app, |c| {
        let mut rows = Vec::new();
        for g in store::groups::list(c)? {
            let app_row = store::apps::group_app(c, g.id)?;
            let members = store::groups::member_emails(c, g.id)?.len();
            rows.push((g, app_row, members));
        }
        Ok(rows)
    })?;
    let value: Vec<_> = rows
        .iter()
        .map(|(g, a, n)| {
            json!({"name": g.name, "priority": g.priority, "members": n,
                   "app": a.as_ref().map(|a| json!({"client_id": a.client_id, "auth_base_url": a.auth_base_url, "enabled": a.enabled}))})
        })
        .collect();
    let lines: Vec<_> = rows
        .iter()
        .map(|(g, a, n)| {
            let app_part = match a {
                Some(a) if a.enabled => format!("override {} ({})", a.client_id, a.auth_base_url),
                Some(a) => format!("override {} (disabled)", a.client_id),
                None => "no override".to_owned(),
            };
            format!(
                "{}  priority {}  {n} member(s)  {app_part}",
                g.name, g.priority
            )
        })
        .collect();
    let text = if lines.is_empty() {
        "No groups yet: create one with `salesforce-mcp admin group add NAME`.".to_owned()
    } else {
        lines.join("\n")
    };
    emit(json, &json!(value), &text);
    Ok(())
}

fn remove(app: &App, args: &NameArgs) -> Result<(), String> {
    let group = find(app, &args.name)?;
    let moved = write(app, |c| {
        let members = store::groups::member_emails(c, group.id)?;
        store::groups::delete(c, group.id)?;
        audit(
            c,
            "group.remove",
            &group.name,
            &json!({"name": group.name, "members": members}),
        )?;
        reconcile(c)
    })?;
    emit(
        args.json,
        &json!({"removed": group.name, "reconnect_required": moved}),
        &format!("Removed group '{}'.{}", group.name, reconnect_note(&moved)),
    );
    Ok(())
}
