//! Codes and tokens: a code per allowed sign-in (single use; a second use revokes the grant), an
//! access + refresh pair per exchange, refresh rotation with reuse detection (a replaced token
//! works once more within 30 s, for a retry after a lost response), revocation, and the check of
//! an access token on `/mcp`.

use std::collections::HashMap;

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::{
    ACCESS_TTL, AuthServer, CODE_TTL, Client, OAuthFailure, REFRESH_GRACE, REFRESH_IDLE,
    REFRESH_MAX, SCOPE, server_error,
};
use crate::connections::status;
use crate::secrets::random_secret;
use crate::store::oauth_grants::{self as grants, CodeRow};
use crate::store::{self, Store, StoreError, now_text, timestamp};

/// Prefix of the access tokens this server issues.
pub const ACCESS_PREFIX: &str = "smcpa_";
const REFRESH_PREFIX: &str = "smcpr_";

fn at(after: std::time::Duration) -> String {
    timestamp(chrono::Utc::now() + chrono::Duration::from_std(after).unwrap_or_default())
}

fn invalid_grant(description: &str) -> OAuthFailure {
    OAuthFailure::bad("invalid_grant", description)
}

/// What an access token on `/mcp` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessCheck {
    /// Valid: the person and the grant.
    Valid {
        /// The person.
        user_id: i64,
        /// The grant.
        grant_id: i64,
    },
    /// Valid, but the person's Salesforce connection must be made again: sign in again.
    NeedsSignIn,
    /// Unknown, expired, revoked, or for another resource.
    Invalid,
}

/// A fresh access + refresh pair stored for `grant_id` (inside the caller's transaction).
fn issue_pair(c: &crate::store::Db<'_>, grant_id: i64) -> Result<Value, StoreError> {
    let access = format!("{ACCESS_PREFIX}{}", random_secret());
    let refresh = format!("{REFRESH_PREFIX}{}", random_secret());
    let refresh_hash = store::tokens::hash(&refresh);
    grants::insert_refresh(c, &refresh_hash, grant_id, &at(REFRESH_IDLE))?;
    grants::insert_access(
        c,
        &store::tokens::hash(&access),
        grant_id,
        &refresh_hash,
        &at(ACCESS_TTL),
    )?;
    grants::touch_grant(c, grant_id)?;
    Ok(json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": ACCESS_TTL.as_secs(),
        "refresh_token": refresh,
        "scope": SCOPE,
    }))
}

/// Whether a PKCE verifier matches an S256 challenge.
fn pkce_ok(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    well_formed && crate::secrets::same_secret(&computed, challenge)
}

impl AuthServer {
    /// After the person allowed `client`: remembers the consent, creates the grant and returns a
    /// code for `redirect_uri` (single use, 60 s).
    pub async fn allow(
        &self,
        user_id: i64,
        client: &Client,
        redirect_uri: &str,
        code_challenge: &str,
    ) -> Result<String, StoreError> {
        let code = random_secret();
        let code_hash = store::tokens::hash(&code);
        let (client_id, metadata_hash) = (client.id.clone(), client.metadata_hash.clone());
        let (redirect_uri, challenge) = (redirect_uri.to_owned(), code_challenge.to_owned());
        let resource = self.resource().to_owned();
        self.store
            .call(move |c| {
                let tx = c.transaction()?;
                grants::put_consent(
                    &tx,
                    user_id,
                    &client_id,
                    &redirect_uri,
                    SCOPE,
                    &metadata_hash,
                )?;
                // One grant per (person, client, redirect URI): signing the same app in again
                // adds tokens to it, so revoking the app at /connect ends all of them.
                let live = grants::live_grant_for(&tx, user_id, &client_id, &redirect_uri)?;
                let grant_id = match live {
                    Some(id) => id,
                    None => grants::insert_grant(
                        &tx,
                        user_id,
                        &client_id,
                        &redirect_uri,
                        SCOPE,
                        &resource,
                        &at(REFRESH_MAX),
                    )?,
                };
                grants::insert_code(
                    &tx,
                    &code_hash,
                    &CodeRow {
                        grant_id,
                        client_id: client_id.clone(),
                        redirect_uri,
                        code_challenge: challenge,
                        expires_at: at(CODE_TTL),
                        used_at: None,
                    },
                )?;
                let detail = json!({"grant_id": grant_id, "client_id": client_id});
                store::audit::append(
                    &tx,
                    &format!("user:{user_id}"),
                    "oauth.consent_granted",
                    Some(&client_id),
                    Some(&detail.to_string()),
                )?;
                tx.commit()?;
                Ok(())
            })
            .await?;
        Ok(code)
    }

    /// Whether the person already allowed this client for this redirect URI (same metadata).
    pub async fn consented(
        &self,
        user_id: i64,
        client: &Client,
        redirect_uri: &str,
    ) -> Result<bool, StoreError> {
        let (id, hash, uri) = (
            client.id.clone(),
            client.metadata_hash.clone(),
            redirect_uri.to_owned(),
        );
        self.store
            .call(move |c| grants::has_consent(c, user_id, &id, &uri, &hash))
            .await
    }

    /// `POST /token`: `form` is the body, `basic` the client credentials of a Basic header.
    pub async fn token(
        &self,
        form: &HashMap<String, String>,
        basic: Option<(String, String)>,
    ) -> Result<Value, OAuthFailure> {
        let client = self.authenticate_client(form, basic).await?;
        if let Some(resource) = form.get("resource")
            && !self.is_our_resource(resource)
        {
            return Err(OAuthFailure::bad(
                "invalid_target",
                format!("this server issues tokens only for {}", self.resource()),
            ));
        }
        match form.get("grant_type").map(String::as_str) {
            Some("authorization_code") => self.exchange_code(&client, form).await,
            Some("refresh_token") => self.refresh(&client, form).await,
            Some(_) => Err(OAuthFailure::bad(
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            )),
            None => Err(OAuthFailure::bad(
                "invalid_request",
                "grant_type is required",
            )),
        }
    }

    /// The client of a token or revoke request, authenticated by its registered method.
    async fn authenticate_client(
        &self,
        form: &HashMap<String, String>,
        basic: Option<(String, String)>,
    ) -> Result<Client, OAuthFailure> {
        let (id, secret) = match basic {
            Some((id, secret)) => (id, Some(secret)),
            None => (
                form.get("client_id").cloned().unwrap_or_default(),
                form.get("client_secret").cloned(),
            ),
        };
        let unauthorized = |d: &str| OAuthFailure {
            status: 401,
            error: "invalid_client",
            description: d.to_owned(),
        };
        if id.is_empty() {
            return Err(unauthorized("client_id is required"));
        }
        let client = self.client(&id).await.map_err(|e| unauthorized(&e))?;
        match (&client.secret_hash, secret) {
            (None, _) => Ok(client),
            (Some(hash), Some(secret))
                if crate::secrets::same_secret(&store::tokens::hash(&secret), hash) =>
            {
                Ok(client)
            }
            (Some(_), _) => Err(unauthorized("the client secret is missing or wrong")),
        }
    }

    async fn exchange_code(
        &self,
        client: &Client,
        form: &HashMap<String, String>,
    ) -> Result<Value, OAuthFailure> {
        let field = |k: &str| form.get(k).cloned().unwrap_or_default();
        let (code, verifier, redirect_uri) =
            (field("code"), field("code_verifier"), field("redirect_uri"));
        let client_id = client.id.clone();
        let hash = store::tokens::hash(&code);
        self.store
            .call(move |c| {
                let tx = c.transaction()?;
                let Some(row) = grants::use_code(&tx, &hash)? else {
                    return Ok(Err(invalid_grant(
                        "the authorization code is unknown or expired",
                    )));
                };
                if row.used_at.is_some() {
                    // A replayed code: whoever holds it is not to be trusted with the grant.
                    grants::revoke_grant(&tx, row.grant_id, "code_replay")?;
                    store::audit::append(
                        &tx,
                        "system",
                        "oauth.code_replay",
                        Some(&row.client_id),
                        Some(&json!({"grant_id": row.grant_id}).to_string()),
                    )?;
                    tx.commit()?;
                    return Ok(Err(invalid_grant(
                        "the authorization code was already used; its grant is revoked",
                    )));
                }
                let failure = if row.expires_at < now_text() {
                    Some("the authorization code expired; sign in again")
                } else if row.client_id != client_id {
                    Some("the authorization code was issued to another client")
                } else if row.redirect_uri != redirect_uri {
                    Some("redirect_uri differs from the one of the authorization request")
                } else if !pkce_ok(&verifier, &row.code_challenge) {
                    Some("code_verifier does not match the code_challenge (PKCE S256)")
                } else {
                    None
                };
                if let Some(failure) = failure {
                    tx.commit()?;
                    return Ok(Err(invalid_grant(failure)));
                }
                let pair = issue_pair(&tx, row.grant_id)?;
                store::oauth_clients::touch(&tx, &client_id)?;
                let detail = json!({"grant_id": row.grant_id}).to_string();
                store::audit::append(
                    &tx,
                    "system",
                    "oauth.token_issued",
                    Some(&client_id),
                    Some(&detail),
                )?;
                tx.commit()?;
                Ok(Ok(pair))
            })
            .await
            .map_err(server_error)?
    }

    async fn refresh(
        &self,
        client: &Client,
        form: &HashMap<String, String>,
    ) -> Result<Value, OAuthFailure> {
        let token = form.get("refresh_token").cloned().unwrap_or_default();
        let hash = store::tokens::hash(&token);
        let client_id = client.id.clone();
        self.store
            .call(move |c| {
                let tx = c.transaction()?;
                let Some(row) = grants::refresh(&tx, &hash)? else {
                    return Ok(Err(invalid_grant("the refresh token is unknown, expired or revoked; sign in again")));
                };
                let grant = grants::grant(&tx, row.grant_id)?;
                let Some(grant) = grant.filter(|g| g.revoked_at.is_none() && g.client_id == client_id) else {
                    return Ok(Err(invalid_grant("the refresh token is revoked or belongs to another client; sign in again")));
                };
                let now = now_text();
                if grant.expires_at < now || row.idle_until < now {
                    return Ok(Err(invalid_grant("the refresh token expired; sign in again")));
                }
                let connected = store::connections::get(&tx, grant.user_id)?.is_some_and(|c| c.status == status::ACTIVE);
                if !connected {
                    return Ok(Err(invalid_grant("your Salesforce connection must be renewed: sign in again")));
                }
                if let Some(replaced_at) = &row.replaced_at {
                    let grace = timestamp(chrono::Utc::now() - chrono::Duration::from_std(REFRESH_GRACE).unwrap_or_default());
                    if *replaced_at < grace {
                        grants::revoke_grant(&tx, grant.id, "refresh_reuse")?;
                        store::audit::append(&tx, "system", "oauth.refresh_reuse", Some(&grant.client_id), Some(&json!({"grant_id": grant.id}).to_string()))?;
                        tx.commit()?;
                        return Ok(Err(invalid_grant("the refresh token was already used; the grant is revoked, sign in again")));
                    }
                    // A retry after a lost response: the pair issued in between stops working.
                    if let Some(successor) = &row.replaced_by {
                        grants::delete_refresh(&tx, successor)?;
                    }
                }
                let pair = issue_pair(&tx, grant.id)?;
                let new_hash = store::tokens::hash(pair["refresh_token"].as_str().unwrap_or_default());
                grants::replace_refresh(&tx, &hash, &new_hash)?;
                tx.commit()?;
                Ok(Ok(pair))
            })
            .await
            .map_err(server_error)?
    }

    /// `POST /revoke` (RFC 7009): a refresh token revokes its grant, an access token itself.
    /// Unknown tokens are fine.
    pub async fn revoke(
        &self,
        form: &HashMap<String, String>,
        basic: Option<(String, String)>,
    ) -> Result<(), OAuthFailure> {
        let client = self.authenticate_client(form, basic).await?;
        let hash = store::tokens::hash(form.get("token").map_or("", String::as_str));
        self.store
            .call(move |c| {
                let tx = c.transaction()?;
                if let Some(row) = grants::refresh(&tx, &hash)?
                    && grants::grant(&tx, row.grant_id)?.is_some_and(|g| g.client_id == client.id)
                {
                    grants::revoke_grant(&tx, row.grant_id, "revoked_by_client")?;
                    store::audit::append(
                        &tx,
                        "system",
                        "oauth.grant_revoked",
                        Some(&client.id),
                        Some(&json!({"grant_id": row.grant_id}).to_string()),
                    )?;
                } else {
                    grants::delete_access(&tx, &hash, &client.id)?;
                }
                tx.commit()?;
                Ok(())
            })
            .await
            .map_err(server_error)
    }

    /// Checks an access token sent to `/mcp`.
    pub async fn check_access(&self, token: &str) -> Result<AccessCheck, StoreError> {
        let hash = store::tokens::hash(token);
        let resource = self.resource().to_owned();
        self.store
            .call(move |c| {
                let Some((grant_id, user_id, granted_for)) = grants::access(c, &hash)? else {
                    return Ok(AccessCheck::Invalid);
                };
                if granted_for != resource {
                    return Ok(AccessCheck::Invalid);
                }
                let connected = store::connections::get(c, user_id)?
                    .is_some_and(|c| c.status == status::ACTIVE);
                Ok(if connected {
                    AccessCheck::Valid { user_id, grant_id }
                } else {
                    AccessCheck::NeedsSignIn
                })
            })
            .await
    }
}

/// Revokes a grant (a person at `/connect`, or an admin); returns whether it was live.
pub async fn revoke_grant(
    store: &Store,
    id: i64,
    user_id: Option<i64>,
    actor: &str,
) -> Result<bool, StoreError> {
    let actor = actor.to_owned();
    store
        .call(move |c| {
            let tx = c.transaction()?;
            let Some(grant) =
                grants::grant(&tx, id)?.filter(|g| user_id.is_none_or(|u| u == g.user_id))
            else {
                return Ok(false);
            };
            let revoked = grants::revoke_grant(&tx, id, "revoked")? == 1;
            if revoked {
                store::audit::append(
                    &tx,
                    &actor,
                    "oauth.grant_revoked",
                    Some(&grant.client_id),
                    Some(&json!({"grant_id": id, "user": grant.email}).to_string()),
                )?;
            }
            tx.commit()?;
            Ok(revoked)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_needs_the_verifier_of_the_challenge() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_ok(verifier, challenge));
        assert!(!pkce_ok(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx",
            challenge
        ));
        assert!(!pkce_ok("short", challenge));
    }
}
