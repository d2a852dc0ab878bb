//! The authorization server's state: sign-ins in progress, remembered consents, grants, and the
//! codes and tokens issued under them (hashes only).

use super::db::{Db, Optional as _, Row, params};

use super::{StoreError, now_text};

/// A sign-in in progress.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthRequestRow {
    /// Hash of the request id (the id is in the page's URL or form).
    pub id_hash: String,
    /// `mcp` (an MCP client's /authorize) or `web` (Sign in with Salesforce on /login).
    pub kind: String,
    /// Hash of the browser-binding cookie.
    pub browser_hash: String,
    /// CSRF token of the request's forms.
    pub csrf: String,
    /// The MCP client (`mcp` only).
    pub client_id: Option<String>,
    /// Its redirect URI, exactly as sent.
    pub redirect_uri: Option<String>,
    /// The client's `state`, returned unchanged.
    pub client_state: Option<String>,
    /// The client's S256 code challenge.
    pub code_challenge: Option<String>,
    /// Scope requested.
    pub scope: String,
    /// Where a `web` sign-in goes afterwards.
    pub next_path: Option<String>,
    /// E-mail typed or known before Salesforce (a hint only).
    pub login_hint: Option<String>,
    /// The Salesforce app of the upstream step.
    pub app_id: Option<i64>,
    /// Hash of the upstream `state`.
    pub upstream_state_hash: Option<String>,
    /// Sealed upstream PKCE verifier.
    pub upstream_verifier_sealed: Option<Vec<u8>>,
    /// The person, once Salesforce said who they are.
    pub user_id: Option<i64>,
    /// `email`, `upstream` or `consent`.
    pub stage: String,
    /// Whether the upstream step was already redone with another app.
    pub retried: bool,
    /// Expiry (RFC 3339).
    pub expires_at: String,
}

const REQUEST_COLUMNS: &str = "id_hash, kind, browser_hash, csrf, client_id, redirect_uri, client_state, code_challenge, scope, next_path, login_hint, app_id, upstream_state_hash, upstream_verifier_sealed, user_id, stage, retried, expires_at";

fn request_from(r: &Row) -> Result<AuthRequestRow, StoreError> {
    Ok(AuthRequestRow {
        id_hash: r.get(0)?,
        kind: r.get(1)?,
        browser_hash: r.get(2)?,
        csrf: r.get(3)?,
        client_id: r.get(4)?,
        redirect_uri: r.get(5)?,
        client_state: r.get(6)?,
        code_challenge: r.get(7)?,
        scope: r.get(8)?,
        next_path: r.get(9)?,
        login_hint: r.get(10)?,
        app_id: r.get(11)?,
        upstream_state_hash: r.get(12)?,
        upstream_verifier_sealed: r.get(13)?,
        user_id: r.get(14)?,
        stage: r.get(15)?,
        retried: r.get(16)?,
        expires_at: r.get(17)?,
    })
}

/// Stores a sign-in in progress.
pub fn insert_request(conn: &Db<'_>, r: &AuthRequestRow) -> Result<(), StoreError> {
    conn.execute(
        &format!("INSERT INTO oauth_auth_requests ({REQUEST_COLUMNS}, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"),
        params![r.id_hash, r.kind, r.browser_hash, r.csrf, r.client_id, r.redirect_uri, r.client_state, r.code_challenge, r.scope, r.next_path, r.login_hint, r.app_id, r.upstream_state_hash, r.upstream_verifier_sealed, r.user_id, r.stage, r.retried, r.expires_at, now_text()],
    )?;
    Ok(())
}

/// A live sign-in by its id hash.
pub fn request(conn: &Db<'_>, id_hash: &str) -> Result<Option<AuthRequestRow>, StoreError> {
    conn
        .query_row(
            &format!("SELECT {REQUEST_COLUMNS} FROM oauth_auth_requests WHERE id_hash = ?1 AND expires_at > ?2"),
            params![id_hash, now_text()],
            request_from,
        )
        .optional()
}

/// A live sign-in waiting for Salesforce, by the hash of the upstream `state`.
pub fn request_by_upstream(
    conn: &Db<'_>,
    state_hash: &str,
) -> Result<Option<AuthRequestRow>, StoreError> {
    conn
        .query_row(
            &format!("SELECT {REQUEST_COLUMNS} FROM oauth_auth_requests WHERE upstream_state_hash = ?1 AND stage = 'upstream' AND expires_at > ?2"),
            params![state_hash, now_text()],
            request_from,
        )
        .optional()
}

/// A sign-in's Salesforce step.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// The app.
    pub app_id: i64,
    /// Hash of the upstream `state`.
    pub state_hash: String,
    /// Sealed PKCE verifier.
    pub verifier_sealed: Vec<u8>,
    /// The e-mail or username hinted to Salesforce.
    pub login_hint: Option<String>,
    /// Whether this is the second time (with the person's own app).
    pub retried: bool,
}

/// Moves a sign-in to the upstream step (conditional on its stage); returns the rows changed.
pub fn set_upstream(
    conn: &Db<'_>,
    id_hash: &str,
    from_stage: &str,
    u: &Upstream,
) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE oauth_auth_requests SET stage = 'upstream', app_id = ?3, upstream_state_hash = ?4, upstream_verifier_sealed = ?5, \
         login_hint = coalesce(?6, login_hint), retried = ?7 WHERE id_hash = ?1 AND stage = ?2",
        params![id_hash, from_stage, u.app_id, u.state_hash, u.verifier_sealed, u.login_hint, u.retried],
    )
}

/// Moves a sign-in from the upstream step to consent for `user_id`, under a new id (single use
/// of the upstream state); returns the rows changed.
pub fn set_consent_stage(
    conn: &Db<'_>,
    id_hash: &str,
    new_id_hash: &str,
    user_id: i64,
) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE oauth_auth_requests SET stage = 'consent', id_hash = ?2, user_id = ?3, upstream_state_hash = NULL, upstream_verifier_sealed = NULL \
         WHERE id_hash = ?1 AND stage = 'upstream'",
        params![id_hash, new_id_hash, user_id],
    )
}

/// Ends a sign-in (taken once); returns the rows deleted.
pub fn delete_request(conn: &Db<'_>, id_hash: &str) -> Result<usize, StoreError> {
    conn.execute(
        "DELETE FROM oauth_auth_requests WHERE id_hash = ?1",
        params![id_hash],
    )
}

/// Whether a remembered consent covers (person, client, redirect URI) for this metadata.
pub fn has_consent(
    conn: &Db<'_>,
    user_id: i64,
    client_id: &str,
    redirect_uri: &str,
    metadata_hash: &str,
) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM oauth_consents WHERE user_id = ?1 AND client_id = ?2 AND redirect_uri = ?3 AND metadata_hash = ?4",
            params![user_id, client_id, redirect_uri, metadata_hash],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Remembers a consent.
pub fn put_consent(
    conn: &Db<'_>,
    user_id: i64,
    client_id: &str,
    redirect_uri: &str,
    scope: &str,
    metadata_hash: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO oauth_consents (user_id, client_id, redirect_uri, scope, metadata_hash, granted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
         ON CONFLICT(user_id, client_id, redirect_uri) DO UPDATE SET scope = excluded.scope, metadata_hash = excluded.metadata_hash, granted_at = excluded.granted_at",
        params![user_id, client_id, redirect_uri, scope, metadata_hash, now_text()],
    )?;
    Ok(())
}

/// A grant: one client acting as one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRow {
    /// Row id.
    pub id: i64,
    /// The person.
    pub user_id: i64,
    /// The person's e-mail.
    pub email: String,
    /// The client.
    pub client_id: String,
    /// The client's name, as registered.
    pub client_name: Option<String>,
    /// The redirect URI the grant was made for.
    pub redirect_uri: String,
    /// Scope.
    pub scope: String,
    /// Created (RFC 3339).
    pub created_at: String,
    /// End of the refresh lifetime (RFC 3339).
    pub expires_at: String,
    /// Last used (RFC 3339).
    pub last_used_at: Option<String>,
    /// Revoked (RFC 3339).
    pub revoked_at: Option<String>,
}

const GRANT_SELECT: &str = "SELECT g.id, g.user_id, u.email, g.client_id, c.client_name, g.redirect_uri, g.scope, g.created_at, g.expires_at, g.last_used_at, g.revoked_at \
     FROM oauth_grants g JOIN users u ON u.id = g.user_id JOIN oauth_clients c ON c.client_id = g.client_id";

fn grant_from(r: &Row) -> Result<GrantRow, StoreError> {
    Ok(GrantRow {
        id: r.get(0)?,
        user_id: r.get(1)?,
        email: r.get(2)?,
        client_id: r.get(3)?,
        client_name: r.get(4)?,
        redirect_uri: r.get(5)?,
        scope: r.get(6)?,
        created_at: r.get(7)?,
        expires_at: r.get(8)?,
        last_used_at: r.get(9)?,
        revoked_at: r.get(10)?,
    })
}

/// Creates a grant; returns its id.
pub fn insert_grant(
    conn: &Db<'_>,
    user_id: i64,
    client_id: &str,
    redirect_uri: &str,
    scope: &str,
    resource: &str,
    expires_at: &str,
) -> Result<i64, StoreError> {
    conn.query_row(
        "INSERT INTO oauth_grants (user_id, client_id, redirect_uri, scope, resource, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        params![user_id, client_id, redirect_uri, scope, resource, now_text(), expires_at],
        |r| r.get(0),
    )
}

/// The live, unexpired grant of (person, client, redirect URI), if any.
pub fn live_grant_for(
    conn: &Db<'_>,
    user_id: i64,
    client_id: &str,
    redirect_uri: &str,
) -> Result<Option<i64>, StoreError> {
    conn.query_row(
        "SELECT id FROM oauth_grants WHERE user_id = ?1 AND client_id = ?2 AND redirect_uri = ?3 \
             AND revoked_at IS NULL AND expires_at > ?4 ORDER BY id DESC LIMIT 1",
        params![user_id, client_id, redirect_uri, now_text()],
        |r| r.get(0),
    )
    .optional()
}

/// A grant by id.
pub fn grant(conn: &Db<'_>, id: i64) -> Result<Option<GrantRow>, StoreError> {
    conn.query_row(
        &format!("{GRANT_SELECT} WHERE g.id = ?1"),
        params![id],
        grant_from,
    )
    .optional()
}

/// Grants, newest first: one person's, or everyone's.
pub fn grants(conn: &Db<'_>, user_id: Option<i64>) -> Result<Vec<GrantRow>, StoreError> {
    let rows = conn.query_map(&format!(
        "{GRANT_SELECT} WHERE (g.user_id = ?1 OR ?1 IS NULL) ORDER BY g.created_at DESC, g.id DESC"
    ), params![user_id], grant_from)?;
    Ok(rows)
}

/// Revokes a live grant and deletes its tokens; returns the grants revoked (0 or 1).
pub fn revoke_grant(conn: &Db<'_>, id: i64, reason: &str) -> Result<usize, StoreError> {
    conn.execute(
        "DELETE FROM oauth_access_tokens WHERE grant_id = ?1",
        params![id],
    )?;
    conn.execute(
        "DELETE FROM oauth_refresh_tokens WHERE grant_id = ?1",
        params![id],
    )?;
    conn.execute(
        "UPDATE oauth_grants SET revoked_at = ?2, revoke_reason = ?3 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, now_text(), reason],
    )
}

/// The ids of a person's live grants.
pub fn live_grant_ids(conn: &Db<'_>, user_id: i64) -> Result<Vec<i64>, StoreError> {
    let rows = conn.query_map(
        "SELECT id FROM oauth_grants WHERE user_id = ?1 AND revoked_at IS NULL",
        params![user_id],
        |r| r.get(0),
    )?;
    Ok(rows)
}

/// Notes that a grant was used.
pub fn touch_grant(conn: &Db<'_>, id: i64) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE oauth_grants SET last_used_at = ?2 WHERE id = ?1",
        params![id, now_text()],
    )
}

/// An authorization code as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRow {
    /// The grant it opens.
    pub grant_id: i64,
    /// The client it was issued to.
    pub client_id: String,
    /// The redirect URI of the authorization request.
    pub redirect_uri: String,
    /// The S256 challenge.
    pub code_challenge: String,
    /// Expiry (RFC 3339).
    pub expires_at: String,
    /// When it was used, if it was.
    pub used_at: Option<String>,
}

/// Stores a code.
pub fn insert_code(conn: &Db<'_>, code_hash: &str, c: &CodeRow) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO oauth_codes (code_hash, grant_id, client_id, redirect_uri, code_challenge, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![code_hash, c.grant_id, c.client_id, c.redirect_uri, c.code_challenge, c.expires_at],
    )?;
    Ok(())
}

/// Marks a code used and returns it as it was before (so a second use is seen as such).
pub fn use_code(conn: &Db<'_>, code_hash: &str) -> Result<Option<CodeRow>, StoreError> {
    let row = conn
        .query_row(
            "SELECT grant_id, client_id, redirect_uri, code_challenge, expires_at, used_at FROM oauth_codes WHERE code_hash = ?1",
            params![code_hash],
            |r| {
                Ok(CodeRow {
                    grant_id: r.get(0)?,
                    client_id: r.get(1)?,
                    redirect_uri: r.get(2)?,
                    code_challenge: r.get(3)?,
                    expires_at: r.get(4)?,
                    used_at: r.get(5)?,
                })
            },
        )
        .optional()?;
    conn.execute(
        "UPDATE oauth_codes SET used_at = ?2 WHERE code_hash = ?1 AND used_at IS NULL",
        params![code_hash, now_text()],
    )?;
    Ok(row)
}

/// A refresh token as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRow {
    /// The grant.
    pub grant_id: i64,
    /// Idle expiry (RFC 3339).
    pub idle_until: String,
    /// When it was replaced by a rotation.
    pub replaced_at: Option<String>,
    /// The hash of the token that replaced it.
    pub replaced_by: Option<String>,
}

/// Stores a refresh token.
pub fn insert_refresh(
    conn: &Db<'_>,
    token_hash: &str,
    grant_id: i64,
    idle_until: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO oauth_refresh_tokens (token_hash, grant_id, issued_at, idle_until) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, grant_id, now_text(), idle_until],
    )?;
    Ok(())
}

/// A refresh token by hash.
pub fn refresh(conn: &Db<'_>, token_hash: &str) -> Result<Option<RefreshRow>, StoreError> {
    conn
        .query_row(
            "SELECT grant_id, idle_until, replaced_at, replaced_by FROM oauth_refresh_tokens WHERE token_hash = ?1",
            params![token_hash],
            |r| {
                Ok(RefreshRow {
                    grant_id: r.get(0)?,
                    idle_until: r.get(1)?,
                    replaced_at: r.get(2)?,
                    replaced_by: r.get(3)?,
                })
            },
        )
        .optional()
}

/// Marks a refresh token replaced by `by` (or points an already replaced one at a new
/// successor); returns the rows changed.
pub fn replace_refresh(conn: &Db<'_>, token_hash: &str, by: &str) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE oauth_refresh_tokens SET replaced_at = coalesce(replaced_at, ?3), replaced_by = ?2 WHERE token_hash = ?1",
        params![token_hash, by, now_text()],
    )
}

/// Deletes a refresh token and the access tokens issued with it.
pub fn delete_refresh(conn: &Db<'_>, token_hash: &str) -> Result<usize, StoreError> {
    conn.execute(
        "DELETE FROM oauth_access_tokens WHERE refresh_hash = ?1",
        params![token_hash],
    )?;
    conn.execute(
        "DELETE FROM oauth_refresh_tokens WHERE token_hash = ?1",
        params![token_hash],
    )
}

/// Stores an access token (issued together with the refresh token `refresh_hash`).
pub fn insert_access(
    conn: &Db<'_>,
    token_hash: &str,
    grant_id: i64,
    refresh_hash: &str,
    expires_at: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO oauth_access_tokens (token_hash, grant_id, refresh_hash, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, grant_id, refresh_hash, expires_at],
    )?;
    Ok(())
}

/// A live access token's (grant id, person, resource), by hash: unexpired, its grant not revoked
/// and its client not blocked.
pub fn access(conn: &Db<'_>, token_hash: &str) -> Result<Option<(i64, i64, String)>, StoreError> {
    conn
        .query_row(
            "SELECT g.id, g.user_id, g.resource FROM oauth_access_tokens t JOIN oauth_grants g ON g.id = t.grant_id \
             JOIN oauth_clients c ON c.client_id = g.client_id \
             WHERE t.token_hash = ?1 AND t.expires_at > ?2 AND g.revoked_at IS NULL AND c.blocked = FALSE",
            params![token_hash, now_text()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
}

/// Deletes an access token issued to `client_id` (a client revokes only its own tokens);
/// returns the rows deleted.
pub fn delete_access(
    conn: &Db<'_>,
    token_hash: &str,
    client_id: &str,
) -> Result<usize, StoreError> {
    conn.execute(
        "DELETE FROM oauth_access_tokens WHERE token_hash = ?1 \
         AND grant_id IN (SELECT id FROM oauth_grants WHERE client_id = ?2)",
        params![token_hash, client_id],
    )
}

/// Deletes expired sign-ins, codes and access tokens, and refresh tokens past their idle time.
pub fn prune(conn: &Db<'_>) -> Result<usize, StoreError> {
    let now = now_text();
    let mut n = conn.execute(
        "DELETE FROM oauth_auth_requests WHERE expires_at < ?1",
        params![&now],
    )?;
    n += conn.execute(
        "DELETE FROM oauth_codes WHERE expires_at < ?1",
        params![&now],
    )?;
    n += conn.execute(
        "DELETE FROM oauth_access_tokens WHERE expires_at < ?1",
        params![&now],
    )?;
    n += conn.execute(
        "DELETE FROM oauth_refresh_tokens WHERE idle_until < ?1",
        params![&now],
    )?;
    Ok(n)
}
