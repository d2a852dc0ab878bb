//! `admin token create|list|revoke`: API tokens for MCP over HTTP. A token is shown once, when
//! created; only its SHA-256 hash is stored.

use clap::Subcommand;
use serde_json::json;

use super::{audit, emit, read, user, write};
use crate::app::App;
use crate::store::tokens::TokenRow;
use crate::store::{self};

/// Every API token starts with this, so that a leaked one is easy to recognise.
pub const TOKEN_PREFIX: &str = "smcp_";

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
        TokenCommand::Create { email, json } => create(app, email, *json),
        TokenCommand::List { user, json } => list(app, user.as_deref(), *json),
        TokenCommand::Revoke { id, json } => revoke(app, *id, *json),
    }
}

/// A new API token: the prefix and 32 random bytes, URL-safe base64.
pub fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", crate::secrets::random_secret())
}

fn create(app: &App, email: &str, json: bool) -> Result<(), String> {
    let person = user::find(app, email)?;
    let token = new_token();
    let hash = store::tokens::hash(&token);
    let id = write(app, |c| {
        let id = store::tokens::insert(c, person.id, &hash)?;
        audit(
            c,
            "token.create",
            &person.email,
            &json!({"id": id, "user": person.email}),
        )?;
        Ok(id)
    })?;
    emit(
        json,
        &json!({"id": id, "token": token, "user": person.email}),
        &token,
    );
    if !json {
        eprintln!(
            "API token {id} for {}: give it to them now, it is not shown again (revoke with `salesforce-mcp admin token revoke {id}`).",
            person.email
        );
    }
    Ok(())
}

fn token_json(t: &TokenRow) -> serde_json::Value {
    json!({"id": t.id, "user": t.email, "created_at": t.created_at, "last_used_at": t.last_used_at, "revoked_at": t.revoked_at})
}

fn list(app: &App, email: Option<&str>, json: bool) -> Result<(), String> {
    let user_id = match email {
        Some(e) => Some(user::find(app, e)?.id),
        None => None,
    };
    let rows = read(app, |c| store::tokens::list(c, user_id))?;
    let lines: Vec<_> = rows
        .iter()
        .map(|t| {
            format!(
                "{}  {}  created {}  last used {}  {}",
                t.id,
                t.email,
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
    let value: Vec<_> = rows.iter().map(token_json).collect();
    emit(json, &json!(value), &text);
    Ok(())
}

fn revoke(app: &App, id: i64, json: bool) -> Result<(), String> {
    let row = read(app, |c| store::tokens::list(c, None))?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| {
            format!("no API token with id {id}: see `salesforce-mcp admin token list`")
        })?;
    if let Some(at) = &row.revoked_at {
        return Err(format!("API token {id} was already revoked at {at}"));
    }
    write(app, |c| {
        store::tokens::revoke(c, id)?;
        // A browser session signed in with this token must not outlive it: sign the person out.
        store::tokens::delete_sessions_of_user(c, row.user_id)?;
        audit(
            c,
            "token.revoke",
            &row.email,
            &json!({"id": id, "user": row.email}),
        )
    })?;
    emit(
        json,
        &json!({"revoked": id, "user": row.email}),
        &format!(
            "Revoked API token {id} of {}; their web sign-ins were ended.",
            row.email
        ),
    );
    Ok(())
}
