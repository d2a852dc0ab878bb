//! Query cursors: rows fetched from Salesforce but not yet handed out, plus where to go next.

use super::db::{Db, Optional as _, params};

use super::{StoreError, now_text};

/// A stored query cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct CursorRow {
    /// Opaque id handed to the client.
    pub id: String,
    /// The person it belongs to.
    pub user_id: i64,
    /// The query.
    pub soql: String,
    /// JSON array of rows not yet returned.
    pub buffered_rows: String,
    /// Salesforce's `nextRecordsUrl`, when more batches remain.
    pub next_records_url: Option<String>,
    /// Salesforce's `totalSize`.
    pub total_size: i64,
    /// Rows returned so far.
    pub returned: i64,
    /// Expiry (RFC 3339).
    pub expires_at: String,
}

/// Stores a cursor.
pub fn insert(conn: &Db<'_>, c: &CursorRow) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO query_cursors (id, user_id, soql, buffered_rows, next_records_url, total_size, returned, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![c.id, c.user_id, c.soql, c.buffered_rows, c.next_records_url, c.total_size, c.returned, c.expires_at],
    )?;
    Ok(())
}

/// Takes (reads and deletes) a person's live cursor, so two calls cannot both continue from it.
/// With `soql`, only a cursor of exactly that query is taken: a call with another query leaves
/// the cursor usable.
pub fn take(
    conn: &Db<'_>,
    id: &str,
    user_id: i64,
    soql: Option<&str>,
) -> Result<Option<CursorRow>, StoreError> {
    conn
        .query_row(
            "DELETE FROM query_cursors WHERE id = ?1 AND user_id = ?2 AND expires_at > ?3 \
             AND (soql = ?4 OR ?4 IS NULL) \
             RETURNING id, user_id, soql, buffered_rows, next_records_url, total_size, returned, expires_at",
            params![id, user_id, now_text(), soql],
            |r| {
                Ok(CursorRow {
                    id: r.get(0)?,
                    user_id: r.get(1)?,
                    soql: r.get(2)?,
                    buffered_rows: r.get(3)?,
                    next_records_url: r.get(4)?,
                    total_size: r.get(5)?,
                    returned: r.get(6)?,
                    expires_at: r.get(7)?,
                })
            },
        )
        .optional()
}

/// Whether a person has a live cursor with this id.
pub fn exists(conn: &Db<'_>, id: &str, user_id: i64) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM query_cursors WHERE id = ?1 AND user_id = ?2 AND expires_at > ?3",
            params![id, user_id, now_text()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Deletes expired cursors.
pub fn delete_expired(conn: &Db<'_>) -> Result<usize, StoreError> {
    conn.execute(
        "DELETE FROM query_cursors WHERE expires_at < ?1",
        params![now_text()],
    )
}
