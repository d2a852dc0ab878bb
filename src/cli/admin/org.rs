//! `admin org show|set`: the organization's default OAuth app.

use clap::Subcommand;
use serde_json::json;

use super::{
    AppArgs, app_audit, app_json, app_text, audit, emit, merge, read, reconcile, reconnect_note,
    write,
};
use crate::app::App;
use crate::store;

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
}

/// Runs an `admin org` command.
pub fn run(app: &App, cmd: &OrgCommand) -> Result<(), String> {
    match cmd {
        OrgCommand::Show { json } => show(app, *json),
        OrgCommand::Set(args) => set(app, args),
    }
}

fn show(app: &App, json: bool) -> Result<(), String> {
    match read(app, store::apps::org_app)? {
        Some(r) => emit(json, &app_json(&r), &app_text(&r)),
        None => emit(
            json,
            &json!({"configured": false}),
            "The organization's Salesforce app is not configured: run `salesforce-mcp admin org set --client-id ID --auth-base-url URL`.",
        ),
    }
    Ok(())
}

fn set(app: &App, args: &AppArgs) -> Result<(), String> {
    let current = read(app, store::apps::org_app)?;
    let fields = merge(app, current.as_ref(), args)?;
    let (row, moved) = write(app, |c| {
        let row = store::apps::upsert(c, None, &fields)?;
        audit(c, "org_app.set", "org", &app_audit(&row))?;
        Ok((row, reconcile(c)?))
    })?;
    let mut value = app_json(&row);
    value["reconnect_required"] = json!(moved);
    emit(
        args.json,
        &value,
        &format!("Saved.\n{}{}", app_text(&row), reconnect_note(&moved)),
    );
    Ok(())
}
