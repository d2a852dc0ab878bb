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
     a.auth_base_url, a.scopes, a.prompt, a.enabled FROM oauth_apps a LEFT JOIN groups g ON g.id = a.group_id";

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
