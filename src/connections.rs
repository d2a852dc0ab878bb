//! Which OAuth app applies to a person (org default or group override), connecting, and the
//! person's live connection: tokens unsealed per call, single-flight refresh, reconnect marking.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use secrecy::SecretString;

use crate::config::Settings;
use crate::oauth::urls::{AuthBaseUrl, InstanceUrl, check_identity_url};
use crate::oauth::{self, OAuthApp, OAuthError, OAuthHttp};
use crate::salesforce::client::Session;
use crate::secrets::Sealer;
use crate::store::apps::AppRow;
use crate::store::connections::ConnectionRow;
use crate::store::oauth_states::{PURPOSE_CONNECT, PURPOSE_TEST, StateRow};
use crate::store::{self, Store, StoreError};

mod errors;
mod reconcile;
mod refresh;
mod sign_in;
mod trial;
pub use errors::ConnectionError;
pub use reconcile::{Marked, app_change_reason, app_label, effective_row, reconcile_all};
pub use trial::TestReport;

/// Connection statuses.
pub mod status {
    /// Working.
    pub const ACTIVE: &str = "active";
    /// The person must connect again.
    pub const NEEDS_RECONNECT: &str = "needs_reconnect";
    /// Disconnected by the person or revoked.
    pub const REVOKED: &str = "revoked";
}

/// The app that applies to a person, unsealed.
#[derive(Debug, Clone)]
pub struct EffectiveApp {
    /// The stored app.
    pub row: AppRow,
    /// `org`, or the group name.
    pub label: String,
    /// Ready for OAuth.
    pub app: OAuthApp,
}

/// Who a token response belongs to, checked.
#[derive(Debug, Clone)]
pub struct Identified {
    /// The validated instance URL.
    pub instance_url: String,
    /// The validated identity URL.
    pub identity_url: String,
    /// The Salesforce user.
    pub identity: oauth::Identity,
}

/// A person's usable session plus the token generation it was read at.
#[derive(Debug, Clone)]
pub struct LiveSession {
    /// Instance URL and access token.
    pub session: Session,
    /// Token generation read (for single-flight refresh).
    pub generation: i64,
    /// Identifies the connection (person, Salesforce user, instance) for caches.
    pub key: String,
}

/// Connection services shared by every command and tool.
#[derive(Debug, Clone)]
pub struct Connections {
    store: Store,
    sealer: Sealer,
    http: OAuthHttp,
    settings: Arc<Settings>,
    refresh_locks: Arc<Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>>,
}

fn connection_key(row: &ConnectionRow) -> String {
    format!("{}:{}:{}", row.user_id, row.sf_user_id, row.instance_url)
}

impl Connections {
    /// Builds the service.
    pub fn new(store: Store, sealer: Sealer, http: OAuthHttp, settings: Arc<Settings>) -> Self {
        Self {
            store,
            sealer,
            http,
            settings,
            refresh_locks: Arc::default(),
        }
    }

    fn unseal_app(&self, row: AppRow) -> Result<EffectiveApp, ConnectionError> {
        let secret = match &row.client_secret_sealed {
            Some(sealed) => Some(self.sealer.open(sealed)?),
            None => None,
        };
        let auth_base =
            AuthBaseUrl::parse(&row.auth_base_url, self.settings.allow_insecure_loopback)
                .map_err(|e| ConnectionError::AppMisconfigured(e.to_string()))?;
        let label = app_label(&row);
        let app = OAuthApp {
            client_id: row.client_id.clone(),
            client_secret: secret,
            auth_base,
            scopes: row.scopes.clone(),
            prompt: row.prompt.clone(),
        };
        Ok(EffectiveApp { row, label, app })
    }

    /// The enabled group override with the lowest priority, else the enabled org app.
    pub async fn effective_app(&self, user_id: i64) -> Result<EffectiveApp, ConnectionError> {
        let row = self.store.call(move |c| effective_row(c, user_id)).await?;
        self.unseal_app(row.ok_or(ConnectionError::NotEnabled)?)
    }

    /// Starts connecting: stores a single-use state bound to the person and app; returns the authorize URL.
    pub async fn begin(&self, user_id: i64, redirect_uri: &str) -> Result<String, ConnectionError> {
        let effective = self.effective_app(user_id).await?;
        self.begin_authorization(user_id, &effective, redirect_uri, PURPOSE_CONNECT)
            .await
    }

    /// Stores a single-use state for `purpose` bound to the person and the app; returns the
    /// authorize URL.
    async fn begin_authorization(
        &self,
        user_id: i64,
        effective: &EffectiveApp,
        redirect_uri: &str,
        purpose: &str,
    ) -> Result<String, ConnectionError> {
        let start = oauth::start_authorization(&effective.app, redirect_uri)?;
        let expires = chrono::Utc::now() + chrono::Duration::minutes(10);
        let row = StateRow {
            user_id,
            app_id: effective.row.id,
            client_id: effective.row.client_id.clone(),
            redirect_uri: redirect_uri.to_owned(),
            verifier_sealed: self.sealer.seal_secret(&start.verifier),
            expires_at: store::timestamp(expires),
            purpose: purpose.to_owned(),
        };
        let hash = store::tokens::hash(secrecy::ExposeSecret::expose_secret(&start.state));
        self.store
            .call(move |c| {
                store::oauth_states::delete_expired(c)?;
                store::oauth_states::insert(c, &hash, &row)
            })
            .await?;
        Ok(start.url)
    }

    /// Finishes connecting from the callback's `state` and `code`; returns the new connection.
    pub async fn complete(
        &self,
        state: &str,
        code: &str,
    ) -> Result<ConnectionRow, ConnectionError> {
        let (pending, effective, tokens) = self.exchange(state, code, PURPOSE_CONNECT).await?;
        let row = self
            .connection_from_tokens(pending.user_id, &effective, tokens)
            .await?;
        self.save_connection(row.clone(), "connection.connect")
            .await?;
        Ok(row)
    }

    /// Takes the pending authorization `state` (which must be for `purpose`, unexpired, and its
    /// app unchanged) and exchanges the code through its app.
    async fn exchange(
        &self,
        state: &str,
        code: &str,
        purpose: &'static str,
    ) -> Result<(StateRow, EffectiveApp, oauth::TokenSet), ConnectionError> {
        let hash = store::tokens::hash(state);
        let pending = self
            .store
            .call(move |c| store::oauth_states::take(c, &hash))
            .await?
            .filter(|p| p.purpose == purpose)
            .ok_or(ConnectionError::UnknownState)?;
        if pending.expires_at < store::now_text() {
            return Err(ConnectionError::UnknownState);
        }
        let app_id = pending.app_id;
        let row = self
            .store
            .call(move |c| store::apps::by_id(c, app_id))
            .await?;
        let effective = self.unseal_app(row.ok_or(ConnectionError::AppChangedDuringConnect)?)?;
        // A test may try an app before it is enabled; a connection needs it enabled.
        let usable = effective.row.enabled || purpose == PURPOSE_TEST;
        if !usable || effective.row.client_id != pending.client_id {
            return Err(ConnectionError::AppChangedDuringConnect);
        }
        let verifier = self.sealer.open(&pending.verifier_sealed)?;
        let tokens = oauth::exchange_code(
            &self.http,
            &effective.app,
            &pending.redirect_uri,
            code,
            &verifier,
        )
        .await?;
        Ok((pending, effective, tokens))
    }

    async fn connection_from_tokens(
        &self,
        user_id: i64,
        effective: &EffectiveApp,
        tokens: oauth::TokenSet,
    ) -> Result<ConnectionRow, ConnectionError> {
        let who = self.identify(effective, &tokens).await?;
        Ok(self.connection_row(user_id, effective, tokens, who))
    }

    /// Who the tokens belong to: the instance URL and identity URL validated, the identity read.
    pub(crate) async fn identify(
        &self,
        effective: &EffectiveApp,
        tokens: &oauth::TokenSet,
    ) -> Result<Identified, ConnectionError> {
        let loopback = self.settings.allow_insecure_loopback;
        let instance = tokens.instance_url.as_deref().ok_or_else(|| {
            OAuthError::BadResponse("no instance_url in the token response".into())
        })?;
        let instance = InstanceUrl::parse(instance, loopback)
            .map_err(|e| ConnectionError::UnsafeInstance(e.to_string()))?;
        // `id` is optional in some token responses; the login host's userinfo endpoint says the same.
        let id_url = match tokens.identity_url.as_deref() {
            Some(id) => check_identity_url(id, loopback)
                .map_err(|e| ConnectionError::UnsafeInstance(e.to_string()))?,
            None => url::Url::parse(&effective.app.auth_base.userinfo_url())
                .map_err(|e| OAuthError::BadResponse(e.to_string()))?,
        };
        let identity = oauth::identity(&self.http, &id_url, &tokens.access_token).await?;
        Ok(Identified {
            instance_url: instance.as_str().to_owned(),
            identity_url: id_url.to_string(),
            identity,
        })
    }

    /// The connection row for `user_id` from tokens and who they belong to.
    pub(crate) fn connection_row(
        &self,
        user_id: i64,
        effective: &EffectiveApp,
        tokens: oauth::TokenSet,
        who: Identified,
    ) -> ConnectionRow {
        let Identified {
            instance_url,
            identity_url,
            identity: who,
        } = who;
        ConnectionRow {
            user_id,
            app_id: Some(effective.row.id),
            app_label: effective.label.clone(),
            client_id: effective.row.client_id.clone(),
            auth_base_url: effective.app.auth_base.as_str().to_owned(),
            instance_url,
            identity_url,
            sf_user_id: who.user_id,
            org_id: who.organization_id,
            username: who.username,
            display_name: who.display_name,
            access_token_sealed: self.sealer.seal_secret(&tokens.access_token),
            refresh_token_sealed: tokens
                .refresh_token
                .as_ref()
                .map(|t| self.sealer.seal_secret(t)),
            scopes: tokens
                .scopes
                .unwrap_or_else(|| effective.app.scopes.clone()),
            status: status::ACTIVE.to_owned(),
            last_error: None,
            api_usage: None,
            token_generation: 0,
            connected_at: store::now_text(),
        }
    }

    /// The person's stored connection, if any.
    pub async fn get(&self, user_id: i64) -> Result<Option<ConnectionRow>, ConnectionError> {
        Ok(self
            .store
            .call(move |c| store::connections::get(c, user_id))
            .await?)
    }

    /// The person's usable session. Marks the connection for reconnect when their app changed.
    pub async fn session(&self, user_id: i64) -> Result<LiveSession, ConnectionError> {
        let (row, effective) = self
            .store
            .call(move |c| {
                Ok((
                    store::connections::get(c, user_id)?,
                    effective_row(c, user_id)?,
                ))
            })
            .await?;
        let Some(row) = row else {
            // Say what is really missing: an app to connect with, or the connection itself.
            return Err(match effective {
                None => ConnectionError::NotEnabled,
                Some(_) => ConnectionError::NotConnected,
            });
        };
        if row.status != status::ACTIVE {
            return Err(ConnectionError::NeedsReconnect(
                row.last_error
                    .unwrap_or_else(|| "the connection is not active".into()),
            ));
        }
        self.check_app_unchanged(&row, effective.as_ref()).await?;
        self.live(&row)
    }

    pub(crate) fn session_of(&self, row: &ConnectionRow) -> Result<Session, ConnectionError> {
        Ok(Session {
            instance_url: self.stored_instance(row)?,
            access_token: self.sealer.open(&row.access_token_sealed)?,
        })
    }

    /// The stored instance URL, validated again under the settings in force now: a connection
    /// saved with the test-only loopback switch never sends a token over plain http without it.
    pub(crate) fn stored_instance(&self, row: &ConnectionRow) -> Result<String, ConnectionError> {
        InstanceUrl::parse(&row.instance_url, self.settings.allow_insecure_loopback)
            .map(|url| url.as_str().to_owned())
            .map_err(|e| {
                ConnectionError::NeedsReconnect(format!(
                    "the stored Salesforce instance URL is no longer allowed ({e})"
                ))
            })
    }

    /// Marks an active connection `needs_reconnect` when the person's effective app is no
    /// longer the one used.
    async fn check_app_unchanged(
        &self,
        row: &ConnectionRow,
        effective: Option<&AppRow>,
    ) -> Result<(), ConnectionError> {
        let Some(effective) = effective else {
            return Err(ConnectionError::NotEnabled);
        };
        let Some(reason) = app_change_reason(Some(effective), row) else {
            return Ok(());
        };
        let (user_id, text) = (row.user_id, reason.clone());
        self.store
            .call(move |c| {
                store::connections::set_status(c, user_id, status::NEEDS_RECONNECT, Some(&text))
            })
            .await?;
        Err(ConnectionError::NeedsReconnect(reason))
    }

    pub(crate) fn lock_for(&self, user_id: i64) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.refresh_locks.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(locks.entry(user_id).or_default())
    }

    pub(crate) async fn mark_needs_reconnect(
        &self,
        user_id: i64,
        reason: &str,
    ) -> Result<(), ConnectionError> {
        let reason = reason.to_owned();
        self.store
            .call(move |c| {
                store::connections::set_status(c, user_id, status::NEEDS_RECONNECT, Some(&reason))?;
                store::audit::append(
                    c,
                    "system",
                    "connection.needs_reconnect",
                    Some(&format!("user:{user_id}")),
                    Some(&reason),
                )
            })
            .await?;
        Ok(())
    }

    /// Revokes the refresh token (or access token) at Salesforce and deletes the connection.
    /// Returns false when there was no connection. A failed revoke is reported but the local
    /// connection is deleted anyway.
    pub async fn disconnect(&self, user_id: i64) -> Result<Option<String>, ConnectionError> {
        let Some(row) = self.get(user_id).await? else {
            return Ok(None);
        };
        let sealed = row
            .refresh_token_sealed
            .as_deref()
            .unwrap_or(&row.access_token_sealed);
        let token: SecretString = self.sealer.open(sealed)?;
        let revoke_note = match AuthBaseUrl::parse(
            &row.auth_base_url,
            self.settings.allow_insecure_loopback,
        ) {
            Ok(base) => match oauth::revoke(&self.http, &base, &token).await {
                Ok(()) => None,
                Err(e) => Some(format!(
                    "Salesforce did not confirm the revocation ({e}); the local connection was removed anyway"
                )),
            },
            Err(e) => Some(e.to_string()),
        };
        let username = row.username.clone();
        self.store
            .call(move |c| {
                store::connections::delete(c, user_id)?;
                // The MCP clients that signed in as the person end with the connection.
                for grant in store::oauth_grants::live_grant_ids(c, user_id)? {
                    store::oauth_grants::revoke_grant(c, grant, "disconnected")?;
                }
                store::audit::append(
                    c,
                    &format!("user:{user_id}"),
                    "connection.disconnect",
                    Some(&username),
                    None,
                )
            })
            .await?;
        Ok(Some(revoke_note.unwrap_or_default()))
    }

    /// Records the API usage last reported by Salesforce.
    pub async fn record_usage(&self, user_id: i64, usage_json: String) -> Result<(), StoreError> {
        self.store
            .call(move |c| store::connections::set_api_usage(c, user_id, &usage_json).map(|_| ()))
            .await
    }
}
