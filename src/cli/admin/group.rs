//! `admin group add|set|show|list|remove`: groups and their override apps.

use clap::{Args, Subcommand};

use super::{ACTOR, AppArgs, app_text, err, reconnect_note, show};
use crate::admin::{self, AppView, DEFAULT_PRIORITY, GroupView};
use crate::app::App;

/// `admin group` commands.
#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a group, optionally with its own OAuth app (the same flags as `admin org set`).
    Add(GroupAddArgs),
    /// Change a group's override app (the same flags as `admin org set`) or its priority.
    Set(GroupSetArgs),
    /// Make the override's staged consumer key and secret the main ones; the old ones stay as
    /// "previous" so that existing connections keep refreshing.
    PromoteStaged(NameArgs),
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
        GroupCommand::Add(args) => {
            let view = admin::group_add(app, ACTOR, &args.name, args.priority, &args.app.input()?)
                .map_err(err)?;
            show(
                args.app.json,
                &view,
                &format!("Created.\n{}", view_text(&view)),
            )
        }
        GroupCommand::Set(args) => {
            let saved = admin::group_set(app, ACTOR, &args.name, args.priority, &args.app.input()?)
                .map_err(err)?;
            let text = format!(
                "Saved.\n{}{}",
                view_text(&saved.item),
                reconnect_note(&saved.reconnect_required)
            );
            show(args.app.json, &saved, &text)
        }
        GroupCommand::PromoteStaged(args) => {
            let saved = admin::group_promote_staged(app, ACTOR, &args.name).map_err(err)?;
            let text = format!(
                "Promoted: new connections and every refresh use the new set.\n{}{}",
                view_text(&saved.item),
                reconnect_note(&saved.reconnect_required)
            );
            show(args.json, &saved, &text)
        }
        GroupCommand::Show(args) => {
            let view = admin::group_show(app, &args.name).map_err(err)?;
            show(args.json, &view, &view_text(&view))
        }
        GroupCommand::List { json } => list(app, *json),
        GroupCommand::Remove(args) => {
            let removed = admin::group_remove(app, ACTOR, &args.name).map_err(err)?;
            let text = format!(
                "Removed group '{}'.{}",
                removed.removed,
                reconnect_note(&removed.reconnect_required)
            );
            show(args.json, &removed, &text)
        }
    }
}

/// A group as text.
fn view_text(group: &GroupView) -> String {
    format!(
        "Group:     {}\nPriority:  {}\nMembers:   {}\n{}",
        group.name,
        group.priority,
        if group.members.is_empty() {
            "none".to_owned()
        } else {
            group.members.join(", ")
        },
        override_text(group.app.as_ref()),
    )
}

fn override_text(row: Option<&AppView>) -> String {
    match row {
        Some(r) => format!("Override app:\n{}", app_text(r)),
        None => "Override app: none (members use the org app, or another group's override)".into(),
    }
}

fn list(app: &App, json: bool) -> Result<(), String> {
    let rows = admin::group_list(app).map_err(err)?;
    let lines: Vec<_> = rows
        .iter()
        .map(|g| {
            let app_part = match &g.app {
                Some(a) if a.enabled => format!("override {} ({})", a.client_id, a.auth_base_url),
                Some(a) => format!("override {} (disabled)", a.client_id),
                None => "no override".to_owned(),
            };
            format!(
                "{}  priority {}  {} member(s)  {app_part}",
                g.name, g.priority, g.members
            )
        })
        .collect();
    let text = if lines.is_empty() {
        "No groups yet: create one with `salesforce-mcp admin group add NAME`.".to_owned()
    } else {
        lines.join("\n")
    };
    show(json, &rows, &text)
}
