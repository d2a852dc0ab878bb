//! The MCP clients that sign in through this server, and their grants (which client acts as
//! whom).

use serde::Serialize;
use serde_json::json;

use super::{AdminError, audit, read, users, write};
use crate::app::App;
use crate::store;

/// A client registered by an admin.
#[derive(Debug, Clone, Serialize)]
pub struct AddedClient {
    /// Its client_id.
    pub client_id: String,
    /// The name people see on the consent page.
    pub client_name: String,
    /// Its redirect URIs.
    pub redirect_uris: Vec<String>,
}

/// A client as listed.
#[derive(Debug, Clone, Serialize)]
pub struct ClientView {
    /// Its client_id.
    pub client_id: String,
    /// How it registered.
    pub kind: String,
    /// Its name, as it gave it.
    pub client_name: Option<String>,
    /// Its redirect URIs (JSON array).
    pub redirect_uris: serde_json::Value,
    /// Whether it is blocked.
    pub blocked: bool,
    /// When it registered.
    pub created_at: String,
    /// When it was last used.
    pub last_used_at: Option<String>,
}

/// A grant as listed.
#[derive(Debug, Clone, Serialize)]
pub struct GrantView {
    /// The grant's id.
    pub id: i64,
    /// The person's e-mail.
    pub user: String,
    /// The client's client_id.
    pub client_id: String,
    /// The client's name.
    pub client_name: Option<String>,
    /// The redirect URI it signed in with.
    pub redirect_uri: String,
    /// When it was granted.
    pub created_at: String,
    /// When it was last used.
    pub last_used_at: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<String>,
}

/// Registers a client for an MCP client that cannot register itself.
pub fn client_add(
    app: &App,
    actor: &str,
    name: &str,
    redirect_uris: &[String],
) -> Result<AddedClient, AdminError> {
    let client_id = crate::authz::add_static(&app.store, name, redirect_uris, actor)
        .map_err(AdminError::Invalid)?;
    Ok(AddedClient {
        client_id,
        client_name: name.to_owned(),
        redirect_uris: redirect_uris.to_vec(),
    })
}

/// The registered clients.
pub fn clients_list(app: &App) -> Result<Vec<ClientView>, AdminError> {
    let rows = read(app, store::oauth_clients::list)?;
    Ok(rows
        .into_iter()
        .map(|c| ClientView {
            redirect_uris: serde_json::from_str(&c.redirect_uris).unwrap_or_default(),
            client_id: c.client_id,
            kind: c.kind,
            client_name: c.client_name,
            blocked: c.blocked,
            created_at: c.created_at,
            last_used_at: c.last_used_at,
        })
        .collect())
}

/// Blocks (it cannot sign in, its tokens stop working) or unblocks a client (audited
/// `oauth.client_blocked` / `oauth.client_unblocked`).
pub fn client_set_blocked(
    app: &App,
    actor: &str,
    client_id: &str,
    blocked: bool,
) -> Result<(), AdminError> {
    let changed = write(app, |c| {
        let n = store::oauth_clients::set_blocked(c, client_id, blocked)?;
        if n == 1 {
            let action = if blocked {
                "oauth.client_blocked"
            } else {
                "oauth.client_unblocked"
            };
            audit(
                c,
                actor,
                action,
                client_id,
                &json!({"client_id": client_id}),
            )?;
        }
        Ok(n)
    })?;
    if changed == 0 {
        return Err(AdminError::NotFound(format!(
            "no client with client_id {client_id}: see `salesforce-mcp admin oauth clients list`"
        )));
    }
    Ok(())
}

/// Grants, all or one person's (newest first).
pub fn grants_list(app: &App, email: Option<&str>) -> Result<Vec<GrantView>, AdminError> {
    let user_id = match email {
        Some(e) => Some(users::find(app, e)?.id),
        None => None,
    };
    let rows = read(app, |c| store::oauth_grants::grants(c, user_id))?;
    Ok(rows
        .into_iter()
        .map(|g| GrantView {
            id: g.id,
            user: g.email,
            client_id: g.client_id,
            client_name: g.client_name,
            redirect_uri: g.redirect_uri,
            created_at: g.created_at,
            last_used_at: g.last_used_at,
            revoked_at: g.revoked_at,
        })
        .collect())
}

/// Revokes a grant: its client must sign in again.
pub async fn grant_revoke(app: &App, actor: &str, id: i64) -> Result<(), AdminError> {
    if crate::authz::revoke_grant(&app.store, id, None, actor).await? {
        Ok(())
    } else {
        Err(AdminError::NotFound(format!(
            "no live grant with id {id}: see `salesforce-mcp admin oauth grants list`"
        )))
    }
}
