//! Pending authorizations: the `state` (stored as a hash), its person, app and PKCE verifier.

use super::db::{Db, Optional as _, params};

use super::{StoreError, now_text};

/// A pending authorization.
#[derive(Clone)]
pub struct StateRow {
    /// The person who started it.
    pub user_id: i64,
    /// The app it was started with.
    pub app_id: i64,
    /// That app's client id at the time.
    pub client_id: String,
    /// The exact redirect URI sent.
    pub redirect_uri: String,
    /// Sealed PKCE verifier.
    pub verifier_sealed: Vec<u8>,
    /// Expiry (RFC 3339).
    pub expires_at: String,
    /// What it is for: [`PURPOSE_CONNECT`] or [`PURPOSE_TEST`].
    pub purpose: String,
}

/// A person connecting Salesforce (the connection is kept).
pub const PURPOSE_CONNECT: &str = "connect";
/// An admin testing an app (nothing is kept, the tokens are revoked).
pub const PURPOSE_TEST: &str = "test";

/// Stores a new pending authorization.
pub fn insert(conn: &Db<'_>, state_hash: &str, row: &StateRow) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO oauth_states (state_hash, user_id, app_id, client_id, redirect_uri, verifier_sealed, created_at, expires_at, purpose) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![state_hash, row.user_id, row.app_id, row.client_id, row.redirect_uri, row.verifier_sealed, now_text(), row.expires_at, row.purpose],
    )?;
    Ok(())
}

/// Takes (reads and deletes) a pending authorization: a state can be used once only.
pub fn take(conn: &mut Db<'_>, state_hash: &str) -> Result<Option<StateRow>, StoreError> {
    let tx = conn.transaction()?;
    let row = tx
        .query_row(
            "SELECT user_id, app_id, client_id, redirect_uri, verifier_sealed, expires_at, purpose FROM oauth_states WHERE state_hash = ?1",
            params![state_hash],
            |r| {
                Ok(StateRow {
                    user_id: r.get(0)?,
                    app_id: r.get(1)?,
                    client_id: r.get(2)?,
                    redirect_uri: r.get(3)?,
                    verifier_sealed: r.get(4)?,
                    expires_at: r.get(5)?,
                    purpose: r.get(6)?,
                })
            },
        )
        .optional()?;
    tx.execute(
        "DELETE FROM oauth_states WHERE state_hash = ?1",
        params![state_hash],
    )?;
    tx.commit()?;
    Ok(row)
}

/// Deletes expired pending authorizations.
pub fn delete_expired(conn: &Db<'_>) -> Result<usize, StoreError> {
    conn.execute(
        "DELETE FROM oauth_states WHERE expires_at < ?1",
        params![now_text()],
    )
}

/// The person who started a pending, unexpired authorization and what it is for (without
/// using it up).
pub fn owner(conn: &Db<'_>, state_hash: &str) -> Result<Option<(i64, String)>, StoreError> {
    conn.query_row(
        "SELECT user_id, purpose FROM oauth_states WHERE state_hash = ?1 AND expires_at >= ?2",
        params![state_hash, now_text()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}
