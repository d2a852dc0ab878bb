//! `admin token create|list|revoke`: API tokens for MCP over HTTP. A token is shown once, when
//! created; only its SHA-256 hash is stored.

use clap::Subcommand;

use super::{ACTOR, err, show};
use crate::admin;
use crate::app::App;

/// `admin token` commands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a person; it is printed once and never shown again.
    Create {
        /// The person's e-mail address.
        email: String,
        /// Machine-readable output: `{"id": .., "token": "..", "user": ".."}`.
        #[arg(long)]
        json: bool,
    },
    /// List tokens: id, person, created, last used, revoked (never the tokens themselves).
    List {
        /// Only this person's tokens.
        #[arg(long, value_name = "EMAIL")]
        user: Option<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by id (see `admin token list`).
    Revoke {
        /// The token's id.
        id: i64,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

/// Runs an `admin token` command.
pub fn run(app: &App, cmd: &TokenCommand) -> Result<(), String> {
    match cmd {
        TokenCommand::Create { email, json } => {
            let created = admin::token_create(app, ACTOR, email).map_err(err)?;
            show(*json, &created, &created.token)?;
            if !json {
                eprintln!(
                    "API token {} for {}: give it to them now, it is not shown again (revoke with `salesforce-mcp admin token revoke {}`).",
                    created.id, created.user, created.id
                );
            }
            Ok(())
        }
        TokenCommand::List { user, json } => list(app, user.as_deref(), *json),
        TokenCommand::Revoke { id, json } => {
            let revoked = admin::token_revoke(app, ACTOR, *id).map_err(err)?;
            let text = format!(
                "Revoked API token {id} of {}; their web sign-ins were ended.",
                revoked.user
            );
            show(*json, &revoked, &text)
        }
    }
}

fn list(app: &App, email: Option<&str>, json: bool) -> Result<(), String> {
    let rows = admin::token_list(app, email).map_err(err)?;
    let lines: Vec<_> = rows
        .iter()
        .map(|t| {
            format!(
                "{}  {}  created {}  last used {}  {}",
                t.id,
                t.user,
                t.created_at,
                t.last_used_at.as_deref().unwrap_or("never"),
                t.revoked_at
                    .as_ref()
                    .map_or_else(|| "active".to_owned(), |r| format!("revoked {r}")),
            )
        })
        .collect();
    let text = if lines.is_empty() {
        "No API tokens: create one with `salesforce-mcp admin token create EMAIL`.".to_owned()
    } else {
        lines.join("\n")
    };
    show(json, &rows, &text)
}
