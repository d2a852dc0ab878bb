//! The audit log: who did what, when. Never secret values.

use rusqlite::{Connection, params};

use super::{StoreError, now_text};

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// When (RFC 3339).
    pub at: String,
    /// Who (an e-mail, `cli`, or `system`).
    pub actor: String,
    /// What, e.g. `org_app.set`, `connection.connect`.
    pub action: String,
    /// What it was done to.
    pub subject: Option<String>,
    /// Details (JSON, no secrets).
    pub detail: Option<String>,
}

/// Appends an entry.
pub fn append(
    conn: &Connection,
    actor: &str,
    action: &str,
    subject: Option<&str>,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![now_text(), actor, action, subject, detail],
    )?;
    Ok(())
}

/// The latest entries, newest first.
pub fn recent(conn: &Connection, limit: u32) -> Result<Vec<AuditRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT at, actor, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt
        .query_map([limit], |r| {
            Ok(AuditRow {
                at: r.get(0)?,
                actor: r.get(1)?,
                action: r.get(2)?,
                subject: r.get(3)?,
                detail: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
