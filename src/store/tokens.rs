//! API tokens (stored as SHA-256 hashes; the token itself is shown once) and browser sessions.

use super::db::{Db, Optional as _, params};
use sha2::{Digest as _, Sha256};

use super::{StoreError, now_text, timestamp};

/// Hex SHA-256 of a secret that is stored only as a hash: API tokens, browser session ids,
/// OAuth `state` values.
pub fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A stored API token (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    /// Row id (what `admin token revoke` takes).
    pub id: i64,
    /// The person.
    pub user_id: i64,
    /// The person's e-mail.
    pub email: String,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last used (RFC 3339).
    pub last_used_at: Option<String>,
    /// Revoked (RFC 3339).
    pub revoked_at: Option<String>,
}

/// Stores a new token's hash; returns its id.
pub fn insert(conn: &Db<'_>, user_id: i64, token_hash: &str) -> Result<i64, StoreError> {
    conn.query_row(
        "INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES (?1, ?2, ?3) RETURNING id",
        params![user_id, token_hash, now_text()],
        |r| r.get(0),
    )
}

/// The person owning an unrevoked token, by hash; marks it used when its last use is more than
/// [`LAST_USED_PRECISION`] ago (every request checks a token: most need no write).
pub fn user_for(conn: &Db<'_>, token_hash: &str) -> Result<Option<i64>, StoreError> {
    let found = conn
        .query_row(
            "SELECT user_id, last_used_at FROM api_tokens WHERE token_hash = ?1 AND revoked_at IS NULL",
         params![token_hash], |r| {
            Ok((r.get::<i64>(0)?, r.get::<Option<String>>(1)?))
        })
        .optional()?;
    let Some((user, last_used)) = found else {
        return Ok(None);
    };
    let recent = timestamp(chrono::Utc::now() - LAST_USED_PRECISION);
    if last_used.is_none_or(|at| at < recent) {
        conn.execute(
            "UPDATE api_tokens SET last_used_at = ?2 WHERE token_hash = ?1",
            params![token_hash, now_text()],
        )?;
    }
    Ok(Some(user))
}

/// How stale a token's `last_used_at` may be.
pub const LAST_USED_PRECISION: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// Every token, or one person's.
pub fn list(conn: &Db<'_>, user_id: Option<i64>) -> Result<Vec<TokenRow>, StoreError> {
    let rows = conn.query_map("SELECT t.id, t.user_id, u.email, t.created_at, t.last_used_at, t.revoked_at FROM api_tokens t \
         JOIN users u ON u.id = t.user_id WHERE (t.user_id = ?1 OR ?1 IS NULL) ORDER BY t.id", params![user_id], |r| {
        Ok(TokenRow {
            id: r.get(0)?,
            user_id: r.get(1)?,
            email: r.get(2)?,
            created_at: r.get(3)?,
            last_used_at: r.get(4)?,
            revoked_at: r.get(5)?,
        })
    })?;
    Ok(rows)
}

/// Revokes a token; returns rows changed (0 when unknown or already revoked).
pub fn revoke(conn: &Db<'_>, id: i64) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, now_text()],
    )
}

/// A browser session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSessionRow {
    /// The person.
    pub user_id: i64,
    /// The session's CSRF token for forms.
    pub csrf_token: String,
    /// How it was signed in: `api_token` or `salesforce`.
    pub method: String,
    /// When the person last proved who they are in this session (sign-in or step-up).
    pub authenticated_at: Option<String>,
}

/// Stores a browser session.
pub fn insert_session(
    conn: &Db<'_>,
    id_hash: &str,
    user_id: i64,
    csrf_token: &str,
    expires_at: &str,
    method: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO web_sessions (id_hash, user_id, csrf_token, created_at, expires_at, method, authenticated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?4)",
        params![id_hash, user_id, csrf_token, now_text(), expires_at, method],
    )?;
    Ok(())
}

/// A live browser session by id hash.
pub fn session(conn: &Db<'_>, id_hash: &str) -> Result<Option<WebSessionRow>, StoreError> {
    conn
        .query_row(
            "SELECT user_id, csrf_token, method, authenticated_at FROM web_sessions WHERE id_hash = ?1 AND expires_at > ?2",
            params![id_hash, now_text()],
            |r| {
                Ok(WebSessionRow {
                    user_id: r.get(0)?,
                    csrf_token: r.get(1)?,
                    method: r.get(2)?,
                    authenticated_at: r.get(3)?,
                })
            },
        )
        .optional()
}

/// Records that the person behind a session just proved who they are (step-up).
pub fn reauthenticated(conn: &Db<'_>, id_hash: &str) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE web_sessions SET authenticated_at = ?2 WHERE id_hash = ?1",
        params![id_hash, now_text()],
    )
}

/// Ends a browser session.
pub fn delete_session(conn: &Db<'_>, id_hash: &str) -> Result<usize, StoreError> {
    conn.execute(
        "DELETE FROM web_sessions WHERE id_hash = ?1",
        params![id_hash],
    )
}

/// Ends all of a person's browser sessions.
pub fn delete_sessions_of_user(conn: &Db<'_>, user_id: i64) -> Result<usize, StoreError> {
    conn.execute(
        "DELETE FROM web_sessions WHERE user_id = ?1",
        params![user_id],
    )
}
