//! Keeping connections in step with admin changes: which app applies to a person, as stored, and
//! marking every active connection whose person's app moved.

use crate::store::Db;

use super::status;
use crate::store::apps::AppRow;
use crate::store::connections::ConnectionRow;
use crate::store::{self, StoreError};

/// The stored app that applies to a person: the enabled override of their group with the lowest
/// priority (ties: group name), else the enabled org app, else `None` (Salesforce is not enabled).
pub fn effective_row(conn: &Db<'_>, user_id: i64) -> Result<Option<AppRow>, StoreError> {
    if let Some(o) = store::apps::effective_override(conn, user_id)? {
        return Ok(Some(o));
    }
    Ok(store::apps::org_app(conn)?.filter(|a| a.enabled))
}

/// `org`, or the group name of an override.
pub fn app_label(row: &AppRow) -> String {
    row.group_name.clone().unwrap_or_else(|| "org".to_owned())
}

/// Why a connection no longer fits the person's effective app, or `None` when it still does
/// (same app, and the client id it was made or last refreshed with is the app's main or
/// previous one: a promotion of staged credentials moves nobody).
pub fn app_change_reason(effective: Option<&AppRow>, row: &ConnectionRow) -> Option<String> {
    let known_key = |e: &AppRow| {
        e.client_id == row.client_id
            || e.previous
                .as_ref()
                .is_some_and(|p| p.client_id == row.client_id)
    };
    match effective {
        Some(e) if Some(e.id) == row.app_id && known_key(e) => None,
        Some(e) => Some(format!(
            "your Salesforce app changed (now: {} app, client id {})",
            app_label(e),
            e.client_id
        )),
        None => Some(
            "Salesforce is not enabled for you any more (the app you connected with was disabled or removed); ask an admin to enable one, then connect again"
                .to_owned(),
        ),
    }
}

/// A connection that [`reconcile_all`] marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked {
    /// The person.
    pub user_id: i64,
    /// What the person reads.
    pub reason: String,
}

/// Marks `needs_reconnect` every active connection whose person's effective app is no longer the
/// one it was made with, and audits each. Call it inside the same store call (ideally the same
/// transaction) as the admin change that may have moved people's apps.
pub fn reconcile_all(conn: &Db<'_>, actor: &str) -> Result<Vec<Marked>, StoreError> {
    let mut marked = Vec::new();
    for row in store::connections::list(conn)? {
        if row.status != status::ACTIVE {
            continue;
        }
        let effective = effective_row(conn, row.user_id)?;
        let Some(reason) = app_change_reason(effective.as_ref(), &row) else {
            continue;
        };
        store::connections::set_status(conn, row.user_id, status::NEEDS_RECONNECT, Some(&reason))?;
        let detail = serde_json::json!({"username": row.username, "reason": reason});
        store::audit::append(
            conn,
            actor,
            "connection.needs_reconnect",
            Some(&format!("user:{}", row.user_id)),
            Some(&detail.to_string()),
        )?;
        marked.push(Marked {
            user_id: row.user_id,
            reason,
        });
    }
    Ok(marked)
}
