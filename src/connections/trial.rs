//! Test connection (admin console, DESIGN "Admin console"): the real OAuth code + PKCE flow
//! through one app (the org app or a group override, enabled or not) for the signed-in admin.
//! The result says who signed in, what Salesforce granted and what the user can reach; nothing is
//! stored and the tokens are revoked at once.

use reqwest::header::LOCATION;
use serde::Serialize;

use super::{ConnectionError, Connections};
use crate::oauth::{self, OAuthError, explain_callback_error};
use crate::salesforce::client::{Api, Session};
use crate::salesforce::limits::ApiUsage;
use crate::store;
use crate::store::oauth_states::PURPOSE_TEST;

/// What a test connection found. Never holds a token.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TestReport {
    /// The group whose override app was tested; `None` for the organization's app.
    pub group: Option<String>,
    /// The app's consumer key (not secret).
    pub client_id: String,
    /// The Salesforce username that signed in.
    pub username: String,
    /// Their display name.
    pub display_name: Option<String>,
    /// The org id.
    pub org_id: String,
    /// The instance the org lives on.
    pub instance_url: String,
    /// The scopes Salesforce granted.
    pub scopes: String,
    /// Whether a refresh token came back (needed to stay connected: `refresh_token` scope and
    /// the app's refresh token policy).
    pub refresh_token_issued: bool,
    /// API usage from `Sforce-Limit-Info`, when Salesforce sent it.
    pub api_usage: Option<ApiUsage>,
    /// How many objects the user can query.
    pub queryable_objects: usize,
    /// Whether the tokens were revoked; the problem when they could not be.
    pub revoked: Result<(), String>,
}

impl Connections {
    /// Starts a test of the app `app_id` for `user_id`: stores a single-use test state and
    /// checks the authorize request with Salesforce before the browser goes there (an unknown
    /// consumer key or an unregistered callback URL makes Salesforce show its own error page, from
    /// which the admin would never come back). Returns the authorize URL.
    pub async fn begin_test(
        &self,
        user_id: i64,
        app_id: i64,
        redirect_uri: &str,
    ) -> Result<String, ConnectionError> {
        let row = self
            .store
            .call(move |c| store::apps::by_id(c, app_id))
            .await?
            .ok_or(ConnectionError::AppChangedDuringConnect)?;
        let effective = self.unseal_app(row)?;
        let url = self
            .begin_authorization(user_id, &effective, redirect_uri, PURPOSE_TEST)
            .await?;
        self.preflight(&url, redirect_uri).await?;
        Ok(url)
    }

    /// Asks Salesforce's authorize endpoint (without cookies, without following redirects)
    /// whether it accepts the request: a redirect to its login page (or back to us with a code)
    /// means yes; an error page or a redirect back with `error=` means no, explained with the fix.
    async fn preflight(&self, url: &str, redirect_uri: &str) -> Result<(), ConnectionError> {
        let response = self
            .http
            .0
            .get(url)
            .send()
            .await
            .map_err(|e| OAuthError::Transport(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_redirection() {
            // Back to our callback already: with a code (approved at once) or with `error=`.
            let back = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .filter(|l| l.starts_with(redirect_uri))
                .and_then(|l| url::Url::parse(l).ok());
            let param = |name: &str| {
                back.as_ref().and_then(|l| {
                    l.query_pairs()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.into_owned())
                })
            };
            return match param("error") {
                Some(error) => Err(ConnectionError::Refused(explain_callback_error(
                    &error,
                    &param("error_description").unwrap_or_default(),
                ))),
                None => Ok(()),
            };
        }
        if status.is_success() {
            // A login form served directly.
            return Ok(());
        }
        let body = response.text().await.unwrap_or_default();
        let error = error_in_page(&body).unwrap_or_else(|| format!("http_{}", status.as_u16()));
        Err(ConnectionError::Refused(explain_callback_error(&error, "")))
    }

    /// Finishes a test from the callback's `state` and `code`: identity, granted scopes, a refresh
    /// token or not, API usage and queryable objects (one Describe Global call), then revokes the
    /// tokens. Stores nothing but the audit entry the caller writes.
    pub async fn complete_test(
        &self,
        api: &Api,
        state: &str,
        code: &str,
    ) -> Result<TestReport, ConnectionError> {
        let (_pending, effective, tokens) = self.exchange(state, code, PURPOSE_TEST).await?;
        let outcome = self.inspect(api, &effective, &tokens).await;
        // Revoke whatever happened above: a refresh token ends its access tokens too.
        let token = tokens
            .refresh_token
            .as_ref()
            .unwrap_or(&tokens.access_token);
        let revoked = oauth::revoke(&self.http, &effective.app.auth_base, token)
            .await
            .map_err(|e| e.to_string());
        let (who, scopes, api_usage, queryable_objects) = outcome?;
        Ok(TestReport {
            group: effective.row.group_name.clone(),
            client_id: effective.row.client_id.clone(),
            username: who.identity.username,
            display_name: who.identity.display_name,
            org_id: who.identity.organization_id,
            instance_url: who.instance_url,
            scopes,
            refresh_token_issued: tokens.refresh_token.is_some(),
            api_usage,
            queryable_objects,
            revoked,
        })
    }

    /// Ends a test that Salesforce refused (`error=` on the callback): its state is used up.
    pub async fn abandon_test(&self, state: &str) -> Result<(), ConnectionError> {
        let hash = store::tokens::hash(state);
        self.store
            .call(move |c| store::oauth_states::take(c, &hash))
            .await?;
        Ok(())
    }

    async fn inspect(
        &self,
        api: &Api,
        effective: &super::EffectiveApp,
        tokens: &oauth::TokenSet,
    ) -> Result<(super::Identified, String, Option<ApiUsage>, usize), ConnectionError> {
        let who = self.identify(effective, tokens).await?;
        let session = Session {
            instance_url: who.instance_url.clone(),
            access_token: tokens.access_token.clone(),
        };
        let global = api.describe_global(&session).await.map_err(|e| {
            ConnectionError::Refused(format!(
                "the test signed in, but reading the objects failed: {e}"
            ))
        })?;
        let queryable = global
            .body
            .as_ref()
            .and_then(|b| b["sobjects"].as_array())
            .map_or(0, |objects| {
                objects.iter().filter(|o| o["queryable"] == true).count()
            });
        let scopes = tokens
            .scopes
            .clone()
            .unwrap_or_else(|| effective.app.scopes.clone());
        Ok((who, scopes, global.usage, queryable))
    }
}

/// The `error=` code on Salesforce's OAuth error page (`<p>error=invalid_client_id</p>`).
fn error_in_page(body: &str) -> Option<String> {
    let start = body.find("error=")? + "error=".len();
    let code: String = body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!code.is_empty()).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_code_is_read_from_salesforces_error_page() {
        let page = "<h1>OAuth Error</h1><p>error=invalid_client_id</p><p>error_description=client identifier invalid</p>";
        assert_eq!(error_in_page(page).as_deref(), Some("invalid_client_id"));
        assert_eq!(error_in_page("<p>nothing here</p>"), None);
    }
}
