//! `admin oauth clients add|list|block|unblock` and `admin oauth grants list|revoke`: the MCP
//! clients that sign in through this server, and which of them act as whom.

use clap::Subcommand;

use super::{ACTOR, err, show};
use crate::admin;
use crate::app::App;

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
            let added = admin::client_add(app, ACTOR, name, redirect_uris).map_err(err)?;
            let text = format!("Registered {name}: client_id {}", added.client_id);
            show(*json, &added, &text)
        }
        OAuthCommand::Clients(ClientsCommand::List { json }) => list_clients(app, *json),
        OAuthCommand::Clients(ClientsCommand::Block { client_id }) => {
            admin::client_set_blocked(app, ACTOR, client_id, true).map_err(err)?;
            say!("Blocked {client_id}.");
            Ok(())
        }
        OAuthCommand::Clients(ClientsCommand::Unblock { client_id }) => {
            admin::client_set_blocked(app, ACTOR, client_id, false).map_err(err)?;
            say!("Unblocked {client_id}.");
            Ok(())
        }
        OAuthCommand::Grants(GrantsCommand::List { user, json }) => {
            list_grants(app, user.as_deref(), *json)
        }
        OAuthCommand::Grants(GrantsCommand::Revoke { id }) => {
            admin::grant_revoke(app, ACTOR, *id).await.map_err(err)?;
            say!("Revoked grant {id}: its client must sign in again.");
            Ok(())
        }
    }
}

fn list_clients(app: &App, json: bool) -> Result<(), String> {
    let rows = admin::clients_list(app).map_err(err)?;
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
    show(json, &rows, &text)
}

fn list_grants(app: &App, email: Option<&str>, json: bool) -> Result<(), String> {
    let rows = admin::grants_list(app, email).map_err(err)?;
    let lines: Vec<_> = rows
        .iter()
        .map(|g| {
            format!(
                "{}  {}  {}  created {}  {}",
                g.id,
                g.user,
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
    show(json, &rows, &text)
}
