//! Refreshing a person's access token after Salesforce rejected it: single-flight within the
//! process (a lock per person) and across processes (a claim in the database), with a rotated
//! refresh token saved before the new access token is used. The grant goes through the app's
//! main credential set, and once more through the previous set (kept after a promotion of
//! staged credentials) when Salesforce refuses the main one. `invalid_grant` marks the
//! connection `needs_reconnect`, and such a connection is not refreshed again.

use std::time::{Duration, Instant};

use secrecy::SecretString;

use super::{ConnectionError, Connections, EffectiveApp, LiveSession, connection_key, status};
use crate::oauth::{self, OAuthApp, OAuthError};
use crate::salesforce::client::Session;
use crate::store::connections::ConnectionRow;
use crate::store::{self, now_text, timestamp};

/// How long a claim holds off other processes (longer than one token request can take).
const CLAIM_FOR: Duration = Duration::from_secs(45);
/// How often a waiting process looks for the tokens another one is fetching.
const POLL_EVERY: Duration = Duration::from_millis(100);

impl Connections {
    /// Refreshes the access token after Salesforce rejected the one read at `stale_generation`.
    /// Concurrent callers, in this process or another, wait and then reuse the new token.
    pub async fn refresh(
        &self,
        user_id: i64,
        stale_generation: i64,
    ) -> Result<LiveSession, ConnectionError> {
        let lock = self.lock_for(user_id);
        let _guard = lock.lock().await;
        let give_up = Instant::now() + CLAIM_FOR + Duration::from_secs(5);
        loop {
            let row = self
                .get(user_id)
                .await?
                .ok_or(ConnectionError::NotConnected)?;
            if row.status != status::ACTIVE {
                let why = row
                    .last_error
                    .unwrap_or_else(|| "the connection is not active".into());
                return Err(ConnectionError::NeedsReconnect(why));
            }
            if row.token_generation != stale_generation {
                return self.live(&row);
            }
            if self.claim(user_id, stale_generation).await? {
                return self.refresh_claimed(row).await;
            }
            if Instant::now() > give_up {
                return Err(OAuthError::Transport(
                    "another process has been refreshing this connection for too long; try again"
                        .into(),
                )
                .into());
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    /// The usable session a stored connection gives.
    pub(super) fn live(&self, row: &ConnectionRow) -> Result<LiveSession, ConnectionError> {
        Ok(LiveSession {
            session: self.session_of(row)?,
            generation: row.token_generation,
            key: connection_key(row),
        })
    }

    async fn claim(&self, user_id: i64, generation: i64) -> Result<bool, ConnectionError> {
        let until = timestamp(
            chrono::Utc::now() + chrono::Duration::from_std(CLAIM_FOR).unwrap_or_default(),
        );
        let won = self
            .store
            .call(move |c| {
                store::connections::claim_refresh(c, user_id, generation, &until, &now_text())
            })
            .await?;
        Ok(won == 1)
    }

    /// Sends the refresh grant (this process holds the claim) and saves the outcome.
    async fn refresh_claimed(&self, row: ConnectionRow) -> Result<LiveSession, ConnectionError> {
        let user_id = row.user_id;
        let outcome = self.send_refresh(&row).await;
        if outcome.is_err() {
            self.store
                .call(move |c| store::connections::release_refresh(c, user_id))
                .await?;
        }
        outcome
    }

    async fn send_refresh(&self, row: &ConnectionRow) -> Result<LiveSession, ConnectionError> {
        let user_id = row.user_id;
        let Some(sealed_refresh) = row.refresh_token_sealed.as_deref() else {
            let reason = "the session expired and no refresh token was granted; reconnect Salesforce to enable offline refresh";
            self.mark_needs_reconnect(user_id, reason).await?;
            return Err(ConnectionError::NeedsReconnect(reason.into()));
        };
        let refresh_token = self.sealer.open(sealed_refresh)?;
        let app_id = row.app_id.ok_or(ConnectionError::AppChangedDuringConnect)?;
        let app_row = self
            .store
            .call(move |c| store::apps::by_id(c, app_id))
            .await?;
        let effective =
            self.unseal_app(app_row.ok_or(ConnectionError::AppChangedDuringConnect)?)?;
        let (outcome, used) = self
            .refresh_through(row, &effective, &refresh_token)
            .await?;
        match outcome {
            Ok(tokens) => self.save_refreshed(row, &used, tokens).await,
            Err(OAuthError::ReconnectRequired { description }) => {
                let reason =
                    format!("Salesforce no longer accepts the refresh token ({description})");
                self.mark_needs_reconnect(user_id, &reason).await?;
                Err(ConnectionError::NeedsReconnect(reason))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Sends the refresh grant through the app's main credential set; retries once through the
    /// previous set (kept after a promotion) when Salesforce refuses the main set as a client
    /// (`invalid_client`), or refuses the grant of a connection made under the previous set.
    /// Returns the outcome and the client id that gave it.
    async fn refresh_through(
        &self,
        row: &ConnectionRow,
        effective: &EffectiveApp,
        refresh_token: &SecretString,
    ) -> Result<(Result<oauth::TokenSet, OAuthError>, String), ConnectionError> {
        let main = oauth::refresh(&self.http, &effective.app, refresh_token).await;
        let on_previous = effective.row.previous.as_ref().is_some_and(|p| {
            p.client_id == row.client_id && p.client_id != effective.app.client_id
        });
        let retry = match &main {
            Err(OAuthError::InvalidClient { .. }) => true,
            Err(OAuthError::ReconnectRequired { .. }) => on_previous,
            _ => false,
        };
        let previous = if retry {
            self.previous_app(effective)?
        } else {
            None
        };
        let Some(previous) = previous else {
            return Ok((main, effective.app.client_id.clone()));
        };
        match oauth::refresh(&self.http, &previous, refresh_token).await {
            // Both sets refused as clients: the main set is what the admin must fix.
            Err(OAuthError::InvalidClient { .. }) => Ok((main, effective.app.client_id.clone())),
            outcome => Ok((outcome, previous.client_id)),
        }
    }

    /// The app's previous credential set, with the main set's login host and scopes.
    fn previous_app(&self, effective: &EffectiveApp) -> Result<Option<OAuthApp>, ConnectionError> {
        let Some(previous) = &effective.row.previous else {
            return Ok(None);
        };
        let client_secret = match &previous.client_secret_sealed {
            Some(sealed) => Some(self.sealer.open(sealed)?),
            None => None,
        };
        Ok(Some(OAuthApp {
            client_id: previous.client_id.clone(),
            client_secret,
            ..effective.app.clone()
        }))
    }

    /// Saves rotated tokens (and the client id that refreshed them) before anyone uses the new
    /// access token.
    async fn save_refreshed(
        &self,
        row: &ConnectionRow,
        client_id: &str,
        tokens: oauth::TokenSet,
    ) -> Result<LiveSession, ConnectionError> {
        let client_id = client_id.to_owned();
        let access = self.sealer.seal_secret(&tokens.access_token);
        let refresh = tokens
            .refresh_token
            .as_ref()
            .map(|t| self.sealer.seal_secret(t));
        let (user_id, generation) = (row.user_id, row.token_generation);
        let changed = self
            .store
            .call(move |c| {
                store::connections::update_tokens(
                    c,
                    user_id,
                    generation,
                    &client_id,
                    &access,
                    refresh.as_deref(),
                )
            })
            .await?;
        if changed == 0 {
            // The connection was replaced meanwhile (a reconnect); use what is stored now.
            return self.session(user_id).await;
        }
        Ok(LiveSession {
            session: Session {
                instance_url: self.stored_instance(row)?,
                access_token: tokens.access_token,
            },
            generation: generation + 1,
            key: connection_key(row),
        })
    }
}
