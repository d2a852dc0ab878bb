//! API tokens for MCP over HTTP. A token is returned once, when created; only its SHA-256 hash
//! is stored.

use serde::Serialize;
use serde_json::json;

use super::{AdminError, audit, read, users, write};
use crate::app::App;
use crate::store;

/// Every API token starts with this, so that a leaked one is easy to recognise.
pub const TOKEN_PREFIX: &str = "smcp_";

/// A new token: shown to the admin once.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedToken {
    /// The token's id.
    pub id: i64,
    /// The token itself (never stored, never shown again).
    pub token: String,
    /// The person's e-mail.
    pub user: String,
}

/// A token as listed (never the token itself).
#[derive(Debug, Clone, Serialize)]
pub struct TokenView {
    /// The token's id.
    pub id: i64,
    /// The person's e-mail.
    pub user: String,
    /// When it was created.
    pub created_at: String,
    /// When it was last used.
    pub last_used_at: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<String>,
}

/// A revoked token.
#[derive(Debug, Clone, Serialize)]
pub struct RevokedToken {
    /// The token's id.
    pub revoked: i64,
    /// The person's e-mail.
    pub user: String,
}

/// A new API token: the prefix and 32 random bytes, URL-safe base64.
pub fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", crate::secrets::random_secret())
}

/// Creates an API token for a person (audited `token.create`).
pub fn token_create(app: &App, actor: &str, email: &str) -> Result<CreatedToken, AdminError> {
    let person = users::find(app, email)?;
    let token = new_token();
    let hash = store::tokens::hash(&token);
    let id = write(app, |c| {
        let id = store::tokens::insert(c, person.id, &hash)?;
        audit(
            c,
            actor,
            "token.create",
            &person.email,
            &json!({"id": id, "user": person.email}),
        )?;
        Ok(id)
    })?;
    Ok(CreatedToken {
        id,
        token,
        user: person.email,
    })
}

/// Tokens, all or one person's.
pub fn token_list(app: &App, email: Option<&str>) -> Result<Vec<TokenView>, AdminError> {
    let user_id = match email {
        Some(e) => Some(users::find(app, e)?.id),
        None => None,
    };
    let rows = read(app, |c| store::tokens::list(c, user_id))?;
    Ok(rows
        .into_iter()
        .map(|t| TokenView {
            id: t.id,
            user: t.email,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        })
        .collect())
}

/// Revokes a token and ends its person's web sign-ins (audited `token.revoke`).
pub fn token_revoke(app: &App, actor: &str, id: i64) -> Result<RevokedToken, AdminError> {
    let row = read(app, |c| store::tokens::list(c, None))?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| {
            AdminError::NotFound(format!(
                "no API token with id {id}: see `salesforce-mcp admin token list`"
            ))
        })?;
    if let Some(at) = &row.revoked_at {
        return Err(AdminError::Conflict(format!(
            "API token {id} was already revoked at {at}"
        )));
    }
    write(app, |c| {
        store::tokens::revoke(c, id)?;
        // A browser session signed in with this token must not outlive it: sign the person out.
        store::tokens::delete_sessions_of_user(c, row.user_id)?;
        audit(
            c,
            actor,
            "token.revoke",
            &row.email,
            &json!({"id": id, "user": row.email}),
        )
    })?;
    Ok(RevokedToken {
        revoked: id,
        user: row.email,
    })
}
