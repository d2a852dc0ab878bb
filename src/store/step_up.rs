//! Admin actions waiting for a step-up (the admin proving who they are again): bound to one
//! browser session, sealed, used once, and gone after their expiry.

use super::db::{Db, Optional as _, Row, params};

use super::{StoreError, now_text};

/// A pending action as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepUpRow {
    /// What the action is (for the page; the payload says the rest).
    pub kind: String,
    /// The action's input, sealed.
    pub payload_sealed: Vec<u8>,
}

/// Stores a pending action for a session (its id is stored as a hash).
pub fn insert(
    conn: &Db<'_>,
    id_hash: &str,
    session_hash: &str,
    kind: &str,
    payload_sealed: &[u8],
    expires_at: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO step_up_actions (id_hash, session_hash, kind, payload_sealed, created_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id_hash, session_hash, kind, payload_sealed, now_text(), expires_at],
    )?;
    Ok(())
}

/// A row of `kind, payload_sealed`.
fn step_up_from_row(r: &Row) -> Result<StepUpRow, StoreError> {
    Ok(StepUpRow {
        kind: r.get(0)?,
        payload_sealed: r.get(1)?,
    })
}

/// A session's live pending action, left in place (to show what waits).
pub fn get(
    conn: &Db<'_>,
    id_hash: &str,
    session_hash: &str,
) -> Result<Option<StepUpRow>, StoreError> {
    conn.query_row(
        "SELECT kind, payload_sealed FROM step_up_actions \
         WHERE id_hash = ?1 AND session_hash = ?2 AND expires_at > ?3",
        params![id_hash, session_hash, now_text()],
        step_up_from_row,
    )
    .optional()
}

/// Takes a session's live pending action: deleted as it is read, so it runs once.
pub fn take(
    conn: &Db<'_>,
    id_hash: &str,
    session_hash: &str,
) -> Result<Option<StepUpRow>, StoreError> {
    conn.query_row(
        "DELETE FROM step_up_actions WHERE id_hash = ?1 AND session_hash = ?2 AND expires_at > ?3 \
         RETURNING kind, payload_sealed",
        params![id_hash, session_hash, now_text()],
        step_up_from_row,
    )
    .optional()
}

/// Moves a person's pending actions from their old session to the new one (a new sign-in in the
/// same browser); returns how many moved.
pub fn rebind(
    conn: &Db<'_>,
    old_session_hash: &str,
    new_session_hash: &str,
    user_id: i64,
) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE step_up_actions SET session_hash = ?2 WHERE session_hash = ?1 \
         AND ?3 = (SELECT user_id FROM web_sessions WHERE id_hash = ?1)",
        params![old_session_hash, new_session_hash, user_id],
    )
}

/// Deletes expired pending actions.
pub fn prune(conn: &Db<'_>) -> Result<usize, StoreError> {
    conn.execute(
        "DELETE FROM step_up_actions WHERE expires_at <= ?1",
        params![now_text()],
    )
}
