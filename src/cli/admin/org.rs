//! `admin org show|set`: the organization's default OAuth app.

use clap::Subcommand;
use serde_json::json;

use super::{ACTOR, AppArgs, app_text, emit, err, reconnect_note, show};
use crate::admin;
use crate::app::App;

/// `admin org` commands.
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Show the organization's app (the secret is never shown).
    Show {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Create or change the organization's app.
    Set(AppArgs),
    /// Make the staged consumer key and secret the main ones; the old ones stay as "previous"
    /// so that existing connections keep refreshing.
    PromoteStaged {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

/// Runs an `admin org` command.
pub fn run(app: &App, cmd: &OrgCommand) -> Result<(), String> {
    match cmd {
        OrgCommand::Show { json } => match admin::org_show(app).map_err(err)? {
            Some(view) => show(*json, &view, &app_text(&view)),
            None => {
                emit(
                    *json,
                    &json!({"configured": false}),
                    "The organization's Salesforce app is not configured: run `salesforce-mcp admin org set --client-id ID --auth-base-url URL`.",
                );
                Ok(())
            }
        },
        OrgCommand::Set(args) => {
            let saved = admin::org_set(app, ACTOR, &args.input()?).map_err(err)?;
            let text = format!(
                "Saved.\n{}{}",
                app_text(&saved.item),
                reconnect_note(&saved.reconnect_required)
            );
            show(args.json, &saved, &text)
        }
        OrgCommand::PromoteStaged { json } => {
            let saved = admin::org_promote_staged(app, ACTOR).map_err(err)?;
            let text = format!(
                "Promoted: new connections and every refresh use the new set.\n{}{}",
                app_text(&saved.item),
                reconnect_note(&saved.reconnect_required)
            );
            show(*json, &saved, &text)
        }
    }
}
