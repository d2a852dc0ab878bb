//! A person's Salesforce connection (one per person). Tokens stay sealed here.

use super::db::{Db, Optional as _, Row, params};

use super::{StoreError, now_text};

/// A stored connection.
#[derive(Clone)]
pub struct ConnectionRow {
    /// The person.
    pub user_id: i64,
    /// The OAuth app used, if it still exists.
    pub app_id: Option<i64>,
    /// `org` or the group name of the app used.
    pub app_label: String,
    /// The app's client id at connection time.
    pub client_id: String,
    /// Login host used.
    pub auth_base_url: String,
    /// Where API calls go.
    pub instance_url: String,
    /// The identity URL (`id` of the token response).
    pub identity_url: String,
    /// Salesforce user id.
    pub sf_user_id: String,
    /// Salesforce org id.
    pub org_id: String,
    /// Salesforce username.
    pub username: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Sealed access token.
    pub access_token_sealed: Vec<u8>,
    /// Sealed refresh token, when offline access was granted.
    pub refresh_token_sealed: Option<Vec<u8>>,
    /// Granted scopes.
    pub scopes: String,
    /// `active`, `needs_reconnect` or `revoked`.
    pub status: String,
    /// The last error, for the person to read.
    pub last_error: Option<String>,
    /// Last `Sforce-Limit-Info` value seen (JSON).
    pub api_usage: Option<String>,
    /// Bumped every time the tokens change (for conditional token updates).
    pub token_generation: i64,
    /// When the person connected.
    pub connected_at: String,
}

impl std::fmt::Debug for ConnectionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionRow")
            .field("user_id", &self.user_id)
            .field("username", &self.username)
            .field("instance_url", &self.instance_url)
            .field("status", &self.status)
            .field("token_generation", &self.token_generation)
            .finish_non_exhaustive()
    }
}

const SELECT: &str = "SELECT user_id, app_id, app_label, client_id, auth_base_url, instance_url, identity_url, \
     sf_user_id, org_id, username, display_name, access_token_sealed, refresh_token_sealed, scopes, status, \
     last_error, api_usage, token_generation, connected_at FROM connections";

fn from_row(r: &Row) -> Result<ConnectionRow, StoreError> {
    Ok(ConnectionRow {
        user_id: r.get(0)?,
        app_id: r.get(1)?,
        app_label: r.get(2)?,
        client_id: r.get(3)?,
        auth_base_url: r.get(4)?,
        instance_url: r.get(5)?,
        identity_url: r.get(6)?,
        sf_user_id: r.get(7)?,
        org_id: r.get(8)?,
        username: r.get(9)?,
        display_name: r.get(10)?,
        access_token_sealed: r.get(11)?,
        refresh_token_sealed: r.get(12)?,
        scopes: r.get(13)?,
        status: r.get(14)?,
        last_error: r.get(15)?,
        api_usage: r.get(16)?,
        token_generation: r.get(17)?,
        connected_at: r.get(18)?,
    })
}

/// A person's connection.
pub fn get(conn: &Db<'_>, user_id: i64) -> Result<Option<ConnectionRow>, StoreError> {
    conn.query_row(
        &format!("{SELECT} WHERE user_id = ?1"),
        params![user_id],
        from_row,
    )
    .optional()
}

/// Every connection (admin views).
pub fn list(conn: &Db<'_>) -> Result<Vec<ConnectionRow>, StoreError> {
    let rows = conn.query_map(&format!("{SELECT} ORDER BY user_id"), params![], from_row)?;
    Ok(rows)
}

/// Stores a fresh connection, replacing any earlier one.
pub fn replace(conn: &Db<'_>, c: &ConnectionRow) -> Result<(), StoreError> {
    let now = now_text();
    conn.execute(
        "INSERT INTO connections (user_id, app_id, app_label, client_id, auth_base_url, instance_url, \
         identity_url, sf_user_id, org_id, username, display_name, access_token_sealed, refresh_token_sealed, scopes, \
         status, last_error, api_usage, token_generation, connected_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, NULL, NULL, 0, ?16, ?16) \
         ON CONFLICT (user_id) DO UPDATE SET app_id = excluded.app_id, app_label = excluded.app_label, \
         client_id = excluded.client_id, auth_base_url = excluded.auth_base_url, instance_url = excluded.instance_url, \
         identity_url = excluded.identity_url, sf_user_id = excluded.sf_user_id, org_id = excluded.org_id, \
         username = excluded.username, display_name = excluded.display_name, \
         access_token_sealed = excluded.access_token_sealed, refresh_token_sealed = excluded.refresh_token_sealed, \
         scopes = excluded.scopes, status = excluded.status, last_error = NULL, api_usage = NULL, \
         token_generation = connections.token_generation + 1, refresh_claimed_until = NULL, \
         connected_at = excluded.connected_at, updated_at = excluded.updated_at",
        params![
            c.user_id, c.app_id, c.app_label, c.client_id, c.auth_base_url, c.instance_url, c.identity_url,
            c.sf_user_id, c.org_id, c.username, c.display_name, c.access_token_sealed, c.refresh_token_sealed,
            c.scopes, c.status, now
        ],
    )?;
    Ok(())
}

/// Saves refreshed tokens, and the client id that refreshed them, if nobody else changed them
/// since `generation` was read. A `None` refresh token keeps the stored one. Returns the number
/// of rows changed (0 or 1).
pub fn update_tokens(
    conn: &Db<'_>,
    user_id: i64,
    generation: i64,
    client_id: &str,
    access_sealed: &[u8],
    refresh_sealed: Option<&[u8]>,
) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE connections SET access_token_sealed = ?4, \
         refresh_token_sealed = COALESCE(?5, refresh_token_sealed), token_generation = token_generation + 1, \
         client_id = ?3, status = 'active', last_error = NULL, refresh_claimed_until = NULL, updated_at = ?6 \
         WHERE user_id = ?1 AND token_generation = ?2",
        params![user_id, generation, client_id, access_sealed, refresh_sealed, now_text()],
    )
}

/// Sets the status and the error the person should read.
pub fn set_status(
    conn: &Db<'_>,
    user_id: i64,
    status: &str,
    last_error: Option<&str>,
) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE connections SET status = ?2, last_error = ?3, updated_at = ?4 WHERE user_id = ?1",
        params![user_id, status, last_error, now_text()],
    )
}

/// Records the last API usage seen.
pub fn set_api_usage(conn: &Db<'_>, user_id: i64, usage_json: &str) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE connections SET api_usage = ?2 WHERE user_id = ?1",
        params![user_id, usage_json],
    )
}

/// Deletes a person's connection.
pub fn delete(conn: &Db<'_>, user_id: i64) -> Result<usize, StoreError> {
    conn.execute(
        "DELETE FROM connections WHERE user_id = ?1",
        params![user_id],
    )
}

/// Claims the refresh of the tokens at `generation` until `until`, unless another process holds
/// an unexpired claim. Returns the number of rows changed (1: claimed).
pub fn claim_refresh(
    conn: &Db<'_>,
    user_id: i64,
    generation: i64,
    until: &str,
    now: &str,
) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE connections SET refresh_claimed_until = ?3 WHERE user_id = ?1 AND token_generation = ?2 \
         AND (refresh_claimed_until IS NULL OR refresh_claimed_until < ?4)",
        params![user_id, generation, until, now],
    )
}

/// Gives up a refresh claim (the refresh failed).
pub fn release_refresh(conn: &Db<'_>, user_id: i64) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE connections SET refresh_claimed_until = NULL WHERE user_id = ?1",
        params![user_id],
    )
}
