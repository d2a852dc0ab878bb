//! `admin oauth clients add|list|block|unblock` and `admin oauth grants list|revoke`: the MCP
//! clients that sign in through this server, and which of them act as whom.

use clap::Subcommand;
use serde_json::json;

use super::{ACTOR, audit, emit, read, user, write};
use crate::app::App;
use crate::store;

/// `admin oauth` commands.
#[derive(Debug, Subcommand)]
pub enum OAuthCommand {
    /// MCP clients: registered dynamically, by metadata document, or by an admin.
    #[command(subcommand)]
    Clients(ClientsCommand),
    /// Grants: which client acts as which person.
    #[command(subcommand)]
    Grants(GrantsCommand),
}

/// `admin oauth clients` commands.
#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// Register a client for an MCP client that cannot register itself; prints its client_id.
    Add {
        /// The name people see on the consent page.
        name: String,
        /// A redirect URI (https, or http to a loopback host); repeat for several.
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// List clients.
    List {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Block a client: it cannot sign in, and its tokens stop working.
    Block {
        /// The client_id.
        client_id: String,
    },
    /// Unblock a client.
    Unblock {
        /// The client_id.
        client_id: String,
    },
}

/// `admin oauth grants` commands.
#[derive(Debug, Subcommand)]
pub enum GrantsCommand {
    /// List grants (newest first).
    List {
        /// Only this person's grants.
        #[arg(long, value_name = "EMAIL")]
        user: Option<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a grant by id: its client must sign in again.
    Revoke {
        /// The grant's id (see `admin oauth grants list`).
        id: i64,
    },
}

/// Runs an `admin oauth` command.
pub async fn run(app: &App, cmd: &OAuthCommand) -> Result<(), String> {
    match cmd {
        OAuthCommand::Clients(ClientsCommand::Add {
            name,
            redirect_uris,
            json,
        }) => {
            let id = crate::authz::add_static(&app.store, name, redirect_uris, ACTOR)?;
            emit(
                *json,
                &json!({"client_id": id, "client_name": name, "redirect_uris": redirect_uris}),
                &format!("Registered {name}: client_id {id}"),
            );
            Ok(())
        }
        OAuthCommand::Clients(ClientsCommand::List { json }) => list_clients(app, *json),
        OAuthCommand::Clients(ClientsCommand::Block { client_id }) => block(app, client_id, true),
        OAuthCommand::Clients(ClientsCommand::Unblock { client_id }) => {
            block(app, client_id, false)
        }
        OAuthCommand::Grants(GrantsCommand::List { user, json }) => {
            list_grants(app, user.as_deref(), *json)
        }
        OAuthCommand::Grants(GrantsCommand::Revoke { id }) => {
            let revoked = crate::authz::revoke_grant(&app.store, *id, None, ACTOR)
                .await
                .map_err(|e| e.to_string())?;
            if !revoked {
                return Err(format!(
                    "no live grant with id {id}: see `salesforce-mcp admin oauth grants list`"
                ));
            }
            say!("Revoked grant {id}: its client must sign in again.");
            Ok(())
        }
    }
}

fn list_clients(app: &App, json: bool) -> Result<(), String> {
    let rows = read(app, store::oauth_clients::list)?;
    let value: Vec<_> = rows
        .iter()
        .map(|c| {
            json!({"client_id": c.client_id, "kind": c.kind, "client_name": c.client_name,
                "redirect_uris": serde_json::from_str::<serde_json::Value>(&c.redirect_uris).unwrap_or_default(),
                "blocked": c.blocked, "created_at": c.created_at, "last_used_at": c.last_used_at})
        })
        .collect();
    let lines: Vec<_> = rows
        .iter()
        .map(|c| {
            format!(
                "{}  {}  {}{}",
                c.client_id,
                c.kind,
                crate::shown::quoted(c.client_name.as_deref().unwrap_or("")),
                if c.blocked { "  BLOCKED" } else { "" }
            )
        })
        .collect();
    let text = if lines.is_empty() {
        "No MCP clients have registered yet.".to_owned()
    } else {
        lines.join("\n")
    };
    emit(json, &json!(value), &text);
    Ok(())
}

fn block(app: &App, client_id: &str, blocked: bool) -> Result<(), String> {
    let id = client_id.to_owned();
    let changed = write(app, |c| {
        let n = store::oauth_clients::set_blocked(c, &id, blocked)?;
        if n == 1 {
            let action = if blocked {
                "oauth.client_blocked"
            } else {
                "oauth.client_unblocked"
            };
            audit(c, action, &id, &json!({"client_id": id}))?;
        }
        Ok(n)
    })?;
    if changed == 0 {
        return Err(format!(
            "no client with client_id {client_id}: see `salesforce-mcp admin oauth clients list`"
        ));
    }
    say!(
        "{} {client_id}.",
        if blocked { "Blocked" } else { "Unblocked" }
    );
    Ok(())
}

fn list_grants(app: &App, email: Option<&str>, json: bool) -> Result<(), String> {
    let user_id = match email {
        Some(e) => Some(user::find(app, e)?.id),
        None => None,
    };
    let rows = read(app, |c| store::oauth_grants::grants(c, user_id))?;
    let value: Vec<_> = rows
        .iter()
        .map(|g| {
            json!({"id": g.id, "user": g.email, "client_id": g.client_id, "client_name": g.client_name,
                "redirect_uri": g.redirect_uri, "created_at": g.created_at, "last_used_at": g.last_used_at,
                "revoked_at": g.revoked_at})
        })
        .collect();
    let lines: Vec<_> = rows
        .iter()
        .map(|g| {
            format!(
                "{}  {}  {}  created {}  {}",
                g.id,
                g.email,
                crate::shown::quoted(g.client_name.as_deref().unwrap_or(&g.client_id)),
                g.created_at,
                g.revoked_at
                    .as_ref()
                    .map_or_else(|| "active".to_owned(), |r| format!("revoked {r}"))
            )
        })
        .collect();
    let text = if lines.is_empty() {
        "No grants: no MCP client has signed in yet.".to_owned()
    } else {
        lines.join("\n")
    };
    emit(json, &json!(value), &text);
    Ok(())
}
