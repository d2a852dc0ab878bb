//! OAuth apps: the organization's default (no group) and group overrides, and groups themselves.

use super::db::{Db, Optional as _, Row, params};

use super::{StoreError, now_text};

/// A stored OAuth app (the secret stays sealed).
#[derive(Clone, PartialEq, Eq)]
pub struct AppRow {
    /// Row id.
    pub id: i64,
    /// The group it overrides for, or `None` for the organization's default.
    pub group_id: Option<i64>,
    /// The group's name, when it is an override.
    pub group_name: Option<String>,
    /// The group's priority (lower wins), when it is an override.
    pub group_priority: Option<i64>,
    /// Consumer key.
    pub client_id: String,
    /// Sealed consumer secret, if any.
    pub client_secret_sealed: Option<Vec<u8>>,
    /// Login host, e.g. `https://login.salesforce.com`.
    pub auth_base_url: String,
    /// Space-separated scopes.
    pub scopes: String,
    /// `prompt` parameter, if any.
    pub prompt: Option<String>,
    /// Whether the app may be used.
    pub enabled: bool,
    /// The staged set (consumer key and sealed secret), waiting to be promoted.
    pub staged: Option<CredentialSet>,
    /// The set that was main before the last promotion, kept until removed.
    pub previous: Option<CredentialSet>,
}

/// A consumer key and its sealed secret (`None`: a PKCE-only public client).
#[derive(Clone, PartialEq, Eq)]
pub struct CredentialSet {
    /// Consumer key.
    pub client_id: String,
    /// Sealed consumer secret, if any.
    pub client_secret_sealed: Option<Vec<u8>>,
}

impl std::fmt::Debug for CredentialSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialSet")
            .field("client_id", &self.client_id)
            .field("has_secret", &self.client_secret_sealed.is_some())
            .finish()
    }
}

impl std::fmt::Debug for AppRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppRow")
            .field("id", &self.id)
            .field("group", &self.group_name)
            .field("client_id", &self.client_id)
            .field("has_secret", &self.client_secret_sealed.is_some())
            .field("auth_base_url", &self.auth_base_url)
            .field("enabled", &self.enabled)
            .field("staged", &self.staged)
            .field("previous", &self.previous)
            .finish_non_exhaustive()
    }
}

/// The fields an admin sets on an app.
#[derive(Clone)]
pub struct AppFields {
    /// Consumer key.
    pub client_id: String,
    /// Sealed consumer secret, if any.
    pub client_secret_sealed: Option<Vec<u8>>,
    /// Login host.
    pub auth_base_url: String,
    /// Space-separated scopes.
    pub scopes: String,
    /// `prompt` parameter.
    pub prompt: Option<String>,
    /// Whether the app may be used.
    pub enabled: bool,
}

const SELECT_APP: &str = "SELECT a.id, a.group_id, g.name, g.priority, a.client_id, a.client_secret_sealed, \
     a.auth_base_url, a.scopes, a.prompt, a.enabled, a.staged_client_id, a.staged_client_secret_sealed, \
     a.previous_client_id, a.previous_client_secret_sealed FROM oauth_apps a LEFT JOIN groups g ON g.id = a.group_id";

/// The credential set in two columns (a key and its sealed secret), if the key is set.
fn credential_set(row: &Row, key: usize) -> Result<Option<CredentialSet>, StoreError> {
    let client_id: Option<String> = row.get(key)?;
    Ok(match client_id {
        Some(client_id) => Some(CredentialSet {
            client_id,
            client_secret_sealed: row.get(key + 1)?,
        }),
        None => None,
    })
}

fn app_from_row(row: &Row) -> Result<AppRow, StoreError> {
    Ok(AppRow {
        id: row.get(0)?,
        group_id: row.get(1)?,
        group_name: row.get(2)?,
        group_priority: row.get(3)?,
        client_id: row.get(4)?,
        client_secret_sealed: row.get(5)?,
        auth_base_url: row.get(6)?,
        scopes: row.get(7)?,
        prompt: row.get(8)?,
        enabled: row.get(9)?,
        staged: credential_set(row, 10)?,
        previous: credential_set(row, 12)?,
    })
}

/// The organization's default app.
pub fn org_app(conn: &Db<'_>) -> Result<Option<AppRow>, StoreError> {
    conn.query_row(
        &format!("{SELECT_APP} WHERE a.group_id IS NULL"),
        params![],
        app_from_row,
    )
    .optional()
}

/// An app by id.
pub fn by_id(conn: &Db<'_>, id: i64) -> Result<Option<AppRow>, StoreError> {
    conn.query_row(
        &format!("{SELECT_APP} WHERE a.id = ?1"),
        params![id],
        app_from_row,
    )
    .optional()
}

/// A group's override app.
pub fn group_app(conn: &Db<'_>, group_id: i64) -> Result<Option<AppRow>, StoreError> {
    conn.query_row(
        &format!("{SELECT_APP} WHERE a.group_id = ?1"),
        params![group_id],
        app_from_row,
    )
    .optional()
}

/// Whether any group override app is enabled (then the app of an unknown person is not known).
pub fn any_enabled_override(conn: &Db<'_>) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM oauth_apps WHERE group_id IS NOT NULL AND enabled = TRUE LIMIT 1",
            params![],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The enabled override that applies to a person: lowest group priority, ties by group name.
pub fn effective_override(conn: &Db<'_>, user_id: i64) -> Result<Option<AppRow>, StoreError> {
    let sql = format!(
        "{SELECT_APP} JOIN group_members m ON m.group_id = a.group_id \
         WHERE m.user_id = ?1 AND a.enabled = TRUE ORDER BY g.priority, g.name LIMIT 1"
    );
    conn.query_row(&sql, params![user_id], app_from_row)
        .optional()
}

/// Creates or replaces the app of `group_id` (`None`: the organization's default).
pub fn upsert(conn: &Db<'_>, group_id: Option<i64>, app: &AppFields) -> Result<AppRow, StoreError> {
    let existing = match group_id {
        None => org_app(conn)?,
        Some(g) => group_app(conn, g)?,
    };
    let id = match existing {
        Some(row) => {
            conn.execute(
                "UPDATE oauth_apps SET client_id = ?2, client_secret_sealed = ?3, auth_base_url = ?4, \
                 scopes = ?5, prompt = ?6, enabled = ?7, updated_at = ?8 WHERE id = ?1",
                params![row.id, app.client_id, app.client_secret_sealed, app.auth_base_url, app.scopes, app.prompt, app.enabled, now_text()],
            )?;
            row.id
        }
        None => {
            conn.query_row(
                "INSERT INTO oauth_apps (group_id, client_id, client_secret_sealed, auth_base_url, scopes, prompt, enabled, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
                params![group_id, app.client_id, app.client_secret_sealed, app.auth_base_url, app.scopes, app.prompt, app.enabled, now_text()],
                |r| r.get(0),
            )?
        }
    };
    by_id(conn, id)?.ok_or(StoreError::NoRow)
}

/// Stores (or replaces) the staged set of an app; returns rows changed.
pub fn set_staged(conn: &Db<'_>, id: i64, staged: &CredentialSet) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE oauth_apps SET staged_client_id = ?2, staged_client_secret_sealed = ?3, updated_at = ?4 \
         WHERE id = ?1",
        params![id, staged.client_id, staged.client_secret_sealed, now_text()],
    )
}

/// Removes the staged set of an app; returns rows changed (0 when none was staged).
pub fn clear_staged(conn: &Db<'_>, id: i64) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE oauth_apps SET staged_client_id = NULL, staged_client_secret_sealed = NULL, updated_at = ?2 \
         WHERE id = ?1 AND staged_client_id IS NOT NULL",
        params![id, now_text()],
    )
}

/// Makes the staged set the main one and the old main set the previous one, in one statement
/// (the right-hand sides read the row as it was); returns rows changed (0 when nothing is staged).
pub fn promote_staged(conn: &Db<'_>, id: i64) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE oauth_apps SET previous_client_id = client_id, previous_client_secret_sealed = client_secret_sealed, \
         client_id = staged_client_id, client_secret_sealed = staged_client_secret_sealed, \
         staged_client_id = NULL, staged_client_secret_sealed = NULL, updated_at = ?2 \
         WHERE id = ?1 AND staged_client_id IS NOT NULL",
        params![id, now_text()],
    )
}

/// Removes the previous set of an app; returns rows changed (0 when there was none).
pub fn clear_previous(conn: &Db<'_>, id: i64) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE oauth_apps SET previous_client_id = NULL, previous_client_secret_sealed = NULL, updated_at = ?2 \
         WHERE id = ?1 AND previous_client_id IS NOT NULL",
        params![id, now_text()],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn fields(client_id: &str, secret: &[u8]) -> AppFields {
        AppFields {
            client_id: client_id.into(),
            client_secret_sealed: Some(secret.to_vec()),
            auth_base_url: "https://login.salesforce.com".into(),
            scopes: "api".into(),
            prompt: None,
            enabled: true,
        }
    }

    fn set(client_id: &str, secret: Option<&[u8]>) -> CredentialSet {
        CredentialSet {
            client_id: client_id.into(),
            client_secret_sealed: secret.map(<[u8]>::to_vec),
        }
    }

    #[test]
    fn promoting_makes_the_staged_set_main_and_keeps_the_old_one_as_previous() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        store
            .call_sync(|c| {
                let id = upsert(c, None, &fields("old", b"s1"))?.id;
                assert_eq!(promote_staged(c, id)?, 0, "nothing staged");
                assert_eq!(set_staged(c, id, &set("new", Some(b"s2")))?, 1);
                let row = by_id(c, id)?.unwrap();
                assert_eq!(row.staged, Some(set("new", Some(b"s2"))));
                assert_eq!((row.client_id.as_str(), row.previous), ("old", None));
                assert_eq!(promote_staged(c, id)?, 1);
                let row = by_id(c, id)?.unwrap();
                assert_eq!(row.client_id, "new");
                assert_eq!(row.client_secret_sealed.as_deref(), Some(&b"s2"[..]));
                assert_eq!(row.staged, None);
                assert_eq!(row.previous, Some(set("old", Some(b"s1"))));
                // Saving the main fields again leaves the previous set alone.
                upsert(c, None, &fields("new", b"s2"))?;
                assert!(by_id(c, id)?.unwrap().previous.is_some());
                assert_eq!(clear_previous(c, id)?, 1);
                assert_eq!(clear_previous(c, id)?, 0);
                set_staged(c, id, &set("next", None))?;
                assert_eq!(clear_staged(c, id)?, 1);
                let row = by_id(c, id)?.unwrap();
                assert_eq!((row.staged, row.previous), (None, None));
                Ok(())
            })
            .unwrap();
    }
}
