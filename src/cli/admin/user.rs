//! `admin user add|show|list|remove`: people, their groups, the app that applies to them and
//! their connection.

use clap::{Args, Subcommand};

use super::{ACTOR, err, reconnect_note, show};
use crate::admin::{self, ConnectionView, EffectiveApp, Saved, UserView};
use crate::app::App;

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
    /// Turn a person's admin flag on or off.
    Set(UserSetArgs),
    /// Disconnect a person from Salesforce (revoked there); they can connect again.
    Disconnect(EmailArgs),
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

/// Whether a switch is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    /// On.
    On,
    /// Off.
    Off,
}

/// `admin user set`.
#[derive(Debug, Args)]
pub struct UserSetArgs {
    /// The person's e-mail address.
    pub email: String,
    /// Make the person an admin (`on`) or not (`off`).
    #[arg(long, value_enum)]
    pub admin: OnOff,
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
        UserCommand::Add(args) => {
            let saved =
                admin::user_add(app, ACTOR, &args.email, &args.groups, args.admin).map_err(err)?;
            saved_out(&saved, args.json)
        }
        UserCommand::Show(args) => {
            let view = admin::user_show(app, &args.email).map_err(err)?;
            show(args.json, &view, &view_text(&view))
        }
        UserCommand::List { json } => list(app, *json),
        UserCommand::Set(args) => {
            let view = admin::user_set_admin(app, ACTOR, &args.email, args.admin == OnOff::On)
                .map_err(err)?;
            show(args.json, &view, &format!("Saved.\n{}", view_text(&view)))
        }
        UserCommand::Disconnect(args) => {
            let done = admin::user_disconnect(app, ACTOR, &args.email)
                .await
                .map_err(err)?;
            let text = if done.was_connected {
                format!(
                    "Disconnected {} from Salesforce; they can connect again.{}",
                    done.disconnected,
                    done.note
                        .as_ref()
                        .map(|n| format!(" Note: {n}"))
                        .unwrap_or_default()
                )
            } else {
                format!("{} was not connected to Salesforce.", done.disconnected)
            };
            show(args.json, &done, &text)
        }
        UserCommand::Remove(args) if args.groups.is_empty() => {
            let removed = admin::user_remove(app, ACTOR, &args.email)
                .await
                .map_err(err)?;
            let text = format!(
                "Removed {} with their Salesforce connection and API tokens.{}",
                removed.removed,
                removed
                    .note
                    .as_ref()
                    .map(|n| format!(" Note: {n}"))
                    .unwrap_or_default()
            );
            show(args.json, &removed, &text)
        }
        UserCommand::Remove(args) => {
            let saved =
                admin::user_leave_groups(app, ACTOR, &args.email, &args.groups).map_err(err)?;
            saved_out(&saved, args.json)
        }
    }
}

/// Prints a person after a change, with whose connections the change moved.
fn saved_out(saved: &Saved<UserView>, json: bool) -> Result<(), String> {
    let text = format!(
        "Saved.\n{}{}",
        view_text(&saved.item),
        reconnect_note(&saved.reconnect_required)
    );
    show(json, saved, &text)
}

/// A person as text.
fn view_text(user: &UserView) -> String {
    let group_text: Vec<_> = user
        .groups
        .iter()
        .map(|g| format!("{} (priority {})", g.name, g.priority))
        .collect();
    let app_text = effective_text(user.effective_app.as_ref());
    format!(
        "Person:         {}\nAdmin:          {}\nGroups:         {}\nEffective app:  {app_text}\nConnection:     {}",
        user.email,
        if user.admin { "yes" } else { "no" },
        if group_text.is_empty() {
            "none".to_owned()
        } else {
            group_text.join(", ")
        },
        user.connection
            .as_ref()
            .map_or_else(|| "not connected".to_owned(), connection_text),
    )
}

fn effective_text(effective: Option<&EffectiveApp>) -> String {
    match effective {
        Some(a) => format!(
            "{}, client id {}, {}",
            a.group
                .as_ref()
                .map_or_else(|| "org".to_owned(), |g| format!("group {g}")),
            a.client_id,
            a.auth_base_url
        ),
        None => "none: Salesforce is not enabled (configure `salesforce-mcp admin org set` or a group override)".to_owned(),
    }
}

fn connection_text(c: &ConnectionView) -> String {
    let why = c
        .last_error
        .as_ref()
        .map(|e| format!(" ({e})"))
        .unwrap_or_default();
    format!(
        "{} as {} (org {}, {} app, client id {}){why}",
        c.status, c.username, c.org_id, c.app, c.client_id
    )
}

fn list(app: &App, json: bool) -> Result<(), String> {
    let rows = admin::user_list(app).map_err(err)?;
    let lines: Vec<_> = rows
        .iter()
        .map(|u| {
            format!(
                "{}{}  groups: {}  connection: {}",
                u.email,
                if u.admin { " (admin)" } else { "" },
                if u.groups.is_empty() {
                    "-".to_owned()
                } else {
                    u.groups.join(", ")
                },
                u.connection.as_deref().unwrap_or("not connected"),
            )
        })
        .collect();
    let text = if lines.is_empty() {
        "Nobody yet: add a person with `salesforce-mcp admin user add EMAIL`.".to_owned()
    } else {
        lines.join("\n")
    };
    show(json, &rows, &text)
}
