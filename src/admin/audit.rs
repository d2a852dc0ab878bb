//! The audit log, newest first, filtered by person, action and date. Entries never hold a
//! secret.

use serde::Serialize;
use serde_json::json;

use super::{AdminError, read, users};
use crate::app::App;
use crate::store::audit::{AuditFilter, search};

/// Which entries to return.
#[derive(Debug, Clone)]
pub struct AuditQuery {
    /// Only entries by or about this person (e-mail).
    pub user: Option<String>,
    /// Only this action, or a family of them (`oauth` matches `oauth.grant_revoked`).
    pub action: Option<String>,
    /// Only entries on or after this date (`2026-12-01`) or time (RFC 3339).
    pub since: Option<String>,
    /// Only entries older than the entry with this id (the next page).
    pub before: Option<i64>,
    /// At most this many entries (1 to 10000).
    pub limit: u32,
}

/// An audit entry.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    /// The entry's id (pass it as `before` for the entries older than this one).
    pub id: i64,
    /// When.
    pub at: String,
    /// Who: `cli`, `admin:<email>`, `user:<id>`, ...
    pub actor: String,
    /// What.
    pub action: String,
    /// About what or whom.
    pub subject: Option<String>,
    /// Details (JSON when stored as JSON).
    pub detail: Option<serde_json::Value>,
    /// The details as stored.
    #[serde(skip)]
    pub detail_text: Option<String>,
}

/// Checks `since`: a date or an RFC 3339 time, as stored times compare.
fn since(text: &str) -> Result<String, AdminError> {
    let text = text.trim();
    if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() {
        return Ok(format!("{text}T00:00:00.000Z"));
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| crate::store::timestamp(t.with_timezone(&chrono::Utc)))
        .map_err(|_| {
            AdminError::Invalid(format!(
                "--since '{text}' is not a date: use 2026-12-01 or 2026-12-01T09:30:00Z"
            ))
        })
}

/// The audit log, newest first.
pub fn audit_search(app: &App, query: &AuditQuery) -> Result<Vec<AuditEntry>, AdminError> {
    if !(1..=10_000).contains(&query.limit) {
        return Err(AdminError::Invalid(format!(
            "--limit {} is outside 1 to 10000",
            query.limit
        )));
    }
    let person = match &query.user {
        Some(email) => {
            let u = users::find(app, email)?;
            Some((u.id, u.email))
        }
        None => None,
    };
    let filter = AuditFilter {
        person,
        action: query.action.clone(),
        since: query.since.as_deref().map(since).transpose()?,
        before: query.before,
        limit: query.limit,
    };
    let rows = read(app, |c| search(c, &filter))?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            detail: r
                .detail
                .as_deref()
                .map(|d| serde_json::from_str(d).unwrap_or_else(|_| json!(d))),
            detail_text: r.detail,
            id: r.id,
            at: r.at,
            actor: r.actor,
            action: r.action,
            subject: r.subject,
        })
        .collect())
}
