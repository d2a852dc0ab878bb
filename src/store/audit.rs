//! The audit log: who did what, when. Never secret values.

use super::db::{Db, params};

use super::{StoreError, now_text};

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// The entry's id (entries are numbered in the order they were written).
    pub id: i64,
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
    conn: &Db<'_>,
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

/// Which audit entries to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Entries by or about this person (also their changes in the admin console): (their id,
    /// their e-mail).
    pub person: Option<(i64, String)>,
    /// Actions equal to this, or starting with it and a dot (`oauth` matches `oauth.grant_revoked`).
    pub action: Option<String>,
    /// Entries at or after this time (RFC 3339, or a date `YYYY-MM-DD`).
    pub since: Option<String>,
    /// Only entries older than the one with this id (the next page).
    pub before: Option<i64>,
    /// At most this many, newest first.
    pub limit: u32,
}

/// The latest entries, newest first.
pub fn recent(conn: &Db<'_>, limit: u32) -> Result<Vec<AuditRow>, StoreError> {
    search(
        conn,
        &AuditFilter {
            limit,
            ..AuditFilter::default()
        },
    )
}

/// The entries a filter selects, newest first.
pub fn search(conn: &Db<'_>, f: &AuditFilter) -> Result<Vec<AuditRow>, StoreError> {
    // A person acts as `user:<id>`, as their e-mail, or as `admin:<email>` in the console.
    let (actor, email, console) = match &f.person {
        Some((id, email)) => (
            Some(format!("user:{id}")),
            Some(email.clone()),
            Some(format!("admin:{email}")),
        ),
        None => (None, None, None),
    };
    let action_prefix = f.action.as_ref().map(|a| format!("{a}.%"));
    let rows = conn.query_map("SELECT id, at, actor, action, subject, detail FROM audit_log \
         WHERE (actor = ?1 OR ?1 IS NULL OR actor = ?2 COLLATE NOCASE OR subject = ?2 COLLATE NOCASE \
                OR subject = ?1 OR actor = ?8 COLLATE NOCASE) \
         AND (action = ?3 OR ?3 IS NULL OR action LIKE ?4) \
         AND (at >= ?5 OR ?5 IS NULL) \
         AND (id < ?7 OR ?7 IS NULL) \
         ORDER BY id DESC LIMIT ?6",
        params![actor, email, f.action, action_prefix, f.since, f.limit, f.before, console],
        |r| {
            Ok(AuditRow {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                subject: r.get(4)?,
                detail: r.get(5)?,
            })
        },
    )?;
    Ok(rows)
}
