//! "Sign in with Salesforce": the Salesforce step of a sign-in (which app, the authorize URL, the
//! code exchange), who the Salesforce user is among the people here, and storing the connection
//! exactly as `connect` does.

use secrecy::{ExposeSecret as _, SecretString};

use super::{Connections, EffectiveApp, Identified, app_label, effective_row};
use crate::connections::ConnectionError;
use crate::oauth::{self, urls::AuthBaseUrl};
use crate::store::connections::ConnectionRow;
use crate::store::{self};

/// The Salesforce step of a sign-in, started: where to send the browser, and what to keep.
#[derive(Debug)]
pub struct UpstreamStart {
    /// The Salesforce authorize URL.
    pub url: String,
    /// Hash of its `state`.
    pub state_hash: String,
    /// The sealed PKCE verifier.
    pub verifier_sealed: Vec<u8>,
    /// The app used.
    pub app_id: i64,
}

/// A Salesforce sign-in that came back: the app, the tokens and who they belong to.
#[derive(Debug)]
pub struct SalesforceSignIn {
    /// The app used.
    pub effective: EffectiveApp,
    /// Salesforce's tokens.
    pub tokens: oauth::TokenSet,
    /// Who they belong to.
    pub who: Identified,
}

impl Connections {
    /// The app a sign-in starts with: the person's effective app when they are known; for an
    /// unknown person the org app, or `None` when an enabled group override exists (then ask for
    /// their e-mail first).
    pub async fn app_for_sign_in(
        &self,
        user_id: Option<i64>,
    ) -> Result<Option<EffectiveApp>, ConnectionError> {
        if let Some(user_id) = user_id {
            return self.effective_app(user_id).await.map(Some);
        }
        let (org, overrides) = self
            .store
            .call(|c| {
                Ok((
                    store::apps::org_app(c)?,
                    store::apps::any_enabled_override(c)?,
                ))
            })
            .await?;
        if overrides {
            return Ok(None);
        }
        match org.filter(|a| a.enabled) {
            Some(row) => self.unseal_app(row).map(Some),
            None => Err(ConnectionError::NotEnabled),
        }
    }

    /// The effective app of the person with this e-mail; for an unknown e-mail the org app.
    pub async fn app_for_email(&self, email: &str) -> Result<EffectiveApp, ConnectionError> {
        let email = email.trim().to_owned();
        let row = self
            .store
            .call(move |c| match store::users::find_by_email(c, &email)? {
                Some(u) => effective_row(c, u.id),
                None => Ok(store::apps::org_app(c)?.filter(|a| a.enabled)),
            })
            .await?;
        self.unseal_app(row.ok_or(ConnectionError::NotEnabled)?)
    }

    /// Starts the Salesforce step with `app`: a new state and PKCE verifier.
    pub fn start_upstream(
        &self,
        app: &EffectiveApp,
        redirect_uri: &str,
        login_hint: Option<&str>,
    ) -> Result<UpstreamStart, ConnectionError> {
        let start = oauth::start_authorization(&app.app, redirect_uri)?;
        let mut url = start.url;
        if let (Some(hint), Ok(mut parsed)) = (login_hint, url::Url::parse(&url)) {
            parsed.query_pairs_mut().append_pair("login_hint", hint);
            url = parsed.to_string();
        }
        Ok(UpstreamStart {
            url,
            state_hash: store::tokens::hash(start.state.expose_secret()),
            verifier_sealed: self.sealer.seal_secret(&start.verifier),
            app_id: app.row.id,
        })
    }

    /// Exchanges Salesforce's code (app `app_id`, the sealed verifier) and reads who signed in.
    pub async fn finish_upstream(
        &self,
        app_id: i64,
        redirect_uri: &str,
        code: &str,
        verifier_sealed: &[u8],
    ) -> Result<SalesforceSignIn, ConnectionError> {
        let row = self
            .store
            .call(move |c| store::apps::by_id(c, app_id))
            .await?;
        let effective = self.unseal_app(row.ok_or(ConnectionError::AppChangedDuringConnect)?)?;
        if !effective.row.enabled {
            return Err(ConnectionError::AppChangedDuringConnect);
        }
        let verifier = self.sealer.open(verifier_sealed)?;
        let tokens =
            oauth::exchange_code(&self.http, &effective.app, redirect_uri, code, &verifier).await?;
        let who = self.identify(&effective, &tokens).await?;
        Ok(SalesforceSignIn {
            effective,
            tokens,
            who,
        })
    }

    /// The person a Salesforce user is: the one bound to that identity by an earlier connection,
    /// else the person whose e-mail is the user's verified e-mail, when the app is known to serve
    /// that org (someone connected to it through the app). Nobody is created.
    pub async fn person_for(
        &self,
        signed: &SalesforceSignIn,
    ) -> Result<Option<i64>, ConnectionError> {
        let who = signed.who.identity.clone();
        let app_id = signed.effective.row.id;
        Ok(self
            .store
            .call(move |c| {
                if let Some(user_id) =
                    store::oauth_clients::person_of(c, &who.organization_id, &who.user_id)?
                {
                    return Ok(Some(user_id));
                }
                let (Some(email), Some(true)) = (who.email.as_deref(), who.email_verified) else {
                    return Ok(None);
                };
                if !store::oauth_clients::app_serves_org(c, app_id, &who.organization_id)? {
                    return Ok(None);
                }
                Ok(store::users::find_by_email(c, email)?.map(|u| u.id))
            })
            .await?)
    }

    /// Stores the connection of a sign-in for `user_id`, exactly as `connect` does.
    pub async fn store_sign_in(
        &self,
        user_id: i64,
        signed: SalesforceSignIn,
    ) -> Result<ConnectionRow, ConnectionError> {
        let SalesforceSignIn {
            effective,
            tokens,
            who,
        } = signed;
        let row = self.connection_row(user_id, &effective, tokens, who);
        self.save_connection(row.clone(), "connection.sign_in")
            .await?;
        Ok(row)
    }

    /// Saves a new connection (replacing the person's previous one), binds its Salesforce
    /// identity to the person, audits it, and revokes the refresh token it supersedes at
    /// Salesforce (each sign-in is a new approval there, and Salesforce keeps only a few).
    pub(crate) async fn save_connection(
        &self,
        row: ConnectionRow,
        action: &'static str,
    ) -> Result<(), ConnectionError> {
        let user_id = row.user_id;
        let previous = self
            .store
            .call(move |c| {
                let previous = store::connections::get(c, row.user_id)?;
                store::connections::replace(c, &row)?;
                store::oauth_clients::bind(
                    c,
                    &row.org_id,
                    &row.sf_user_id,
                    row.user_id,
                    &row.username,
                    "connection",
                )?;
                let detail = serde_json::json!({"username": row.username, "org_id": row.org_id, "app": row.app_label});
                store::audit::append(c, &format!("user:{}", row.user_id), action, Some(&row.username), Some(&detail.to_string()))?;
                Ok(previous)
            })
            .await?;
        if let Some(old) = previous {
            self.revoke_superseded(&old).await;
        }
        tracing::debug!(user_id, "connection saved");
        Ok(())
    }

    /// Revokes an old connection's refresh token at Salesforce; a failure is only logged.
    async fn revoke_superseded(&self, old: &ConnectionRow) {
        let Some(sealed) = old.refresh_token_sealed.as_deref() else {
            return;
        };
        let Ok(token): Result<SecretString, _> = self.sealer.open(sealed) else {
            return;
        };
        let Ok(base) =
            AuthBaseUrl::parse(&old.auth_base_url, self.settings.allow_insecure_loopback)
        else {
            return;
        };
        if let Err(e) = oauth::revoke(&self.http, &base, &token).await {
            tracing::warn!(error = %e, "could not revoke the superseded Salesforce refresh token");
        }
    }

    /// The label of an app (`org` or its group), for pages.
    pub fn label_of(app: &EffectiveApp) -> String {
        app_label(&app.row)
    }
}
