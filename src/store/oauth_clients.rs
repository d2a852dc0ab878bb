//! MCP clients of the authorization server (dynamic, admin-registered, metadata documents), the
//! metadata documents last fetched, and which Salesforce identity is which person.

use super::db::{Db, Optional as _, Row, params};

use super::{StoreError, now_text};

/// A registered MCP client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRow {
    /// `client_id` (for a metadata document: its URL).
    pub client_id: String,
    /// `dcr`, `static` or `cimd`.
    pub kind: String,
    /// The name the client gave (not verified for `dcr`).
    pub client_name: Option<String>,
    /// JSON array of redirect URIs, as registered.
    pub redirect_uris: String,
    /// `none`, `client_secret_post` or `client_secret_basic`.
    pub auth_method: String,
    /// Hash of the client secret, for confidential clients.
    pub secret_hash: Option<String>,
    /// Hash of the metadata consent was given for.
    pub metadata_hash: String,
    /// Blocked by an admin.
    pub blocked: bool,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last used (RFC 3339).
    pub last_used_at: Option<String>,
}

const CLIENT_COLUMNS: &str = "client_id, kind, client_name, redirect_uris, auth_method, secret_hash, metadata_hash, blocked, created_at, last_used_at";

fn client_from(r: &Row) -> Result<ClientRow, StoreError> {
    Ok(ClientRow {
        client_id: r.get(0)?,
        kind: r.get(1)?,
        client_name: r.get(2)?,
        redirect_uris: r.get(3)?,
        auth_method: r.get(4)?,
        secret_hash: r.get(5)?,
        metadata_hash: r.get(6)?,
        blocked: r.get(7)?,
        created_at: r.get(8)?,
        last_used_at: r.get(9)?,
    })
}

/// Stores a client, or refreshes the metadata of one with the same id (a refetched document).
/// The blocked flag and creation time of an existing client are kept.
pub fn upsert(conn: &Db<'_>, c: &ClientRow) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO oauth_clients (client_id, kind, client_name, redirect_uris, auth_method, secret_hash, metadata_hash, blocked, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
         ON CONFLICT(client_id) DO UPDATE SET client_name = excluded.client_name, redirect_uris = excluded.redirect_uris, \
         auth_method = excluded.auth_method, metadata_hash = excluded.metadata_hash",
        params![c.client_id, c.kind, c.client_name, c.redirect_uris, c.auth_method, c.secret_hash, c.metadata_hash, c.blocked, c.created_at],
    )?;
    Ok(())
}

/// A client by id.
pub fn get(conn: &Db<'_>, client_id: &str) -> Result<Option<ClientRow>, StoreError> {
    conn.query_row(
        &format!("SELECT {CLIENT_COLUMNS} FROM oauth_clients WHERE client_id = ?1"),
        params![client_id],
        client_from,
    )
    .optional()
}

/// Every client, newest first.
pub fn list(conn: &Db<'_>) -> Result<Vec<ClientRow>, StoreError> {
    let rows = conn.query_map(
        &format!("SELECT {CLIENT_COLUMNS} FROM oauth_clients ORDER BY created_at DESC, client_id"),
        params![],
        client_from,
    )?;
    Ok(rows)
}

/// Blocks or unblocks a client; returns the rows changed.
pub fn set_blocked(conn: &Db<'_>, client_id: &str, blocked: bool) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE oauth_clients SET blocked = ?2 WHERE client_id = ?1",
        params![client_id, blocked],
    )
}

/// Notes that a client was used.
pub fn touch(conn: &Db<'_>, client_id: &str) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE oauth_clients SET last_used_at = ?2 WHERE client_id = ?1",
        params![client_id, now_text()],
    )
}

/// A stored metadata document: (document, fresh until).
pub fn cimd_get(conn: &Db<'_>, url: &str) -> Result<Option<(String, String)>, StoreError> {
    conn.query_row(
        "SELECT document, fresh_until FROM cimd_documents WHERE url = ?1",
        params![url],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// Keeps a good metadata document until `fresh_until`.
pub fn cimd_put(
    conn: &Db<'_>,
    url: &str,
    document: &str,
    fresh_until: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO cimd_documents (url, document, fetched_at, fresh_until) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT(url) DO UPDATE SET document = excluded.document, fetched_at = excluded.fetched_at, fresh_until = excluded.fresh_until",
        params![url, document, now_text(), fresh_until],
    )?;
    Ok(())
}

/// The person a Salesforce identity (org id, user id) is bound to.
pub fn person_of(conn: &Db<'_>, org_id: &str, sf_user_id: &str) -> Result<Option<i64>, StoreError> {
    conn.query_row(
        "SELECT user_id FROM person_identities WHERE org_id = ?1 AND sf_user_id = ?2",
        params![org_id, sf_user_id],
        |r| r.get(0),
    )
    .optional()
}

/// Binds a Salesforce identity to a person (`how`: how they proved it, e.g. `connection`). The
/// latest person to connect as that Salesforce user holds it: connecting needs signing in to
/// Salesforce as that user, which is the proof.
pub fn bind(
    conn: &Db<'_>,
    org_id: &str,
    sf_user_id: &str,
    user_id: i64,
    username: &str,
    how: &str,
) -> Result<usize, StoreError> {
    conn.execute(
        "INSERT INTO person_identities (org_id, sf_user_id, user_id, username, bound_at, bound_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(org_id, sf_user_id) DO UPDATE SET user_id = excluded.user_id, \
         username = excluded.username, bound_at = excluded.bound_at, bound_by = excluded.bound_by",
        params![org_id, sf_user_id, user_id, username, now_text(), how],
    )
}

/// Whether any person has connected to `org_id` through the app `app_id` (the app is known to
/// serve that org, so a verified e-mail there may identify a person).
pub fn app_serves_org(conn: &Db<'_>, app_id: i64, org_id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM connections WHERE app_id = ?1 AND org_id = ?2 LIMIT 1",
            params![app_id, org_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}
