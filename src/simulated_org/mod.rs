//! An in-process Salesforce org (OAuth + REST subset + sample data) for the demo and the tests.
//!
//! One axum server on 127.0.0.1 is both the login host and the instance (`instance_url` is its
//! base URL). It follows `shared/reference/salesforce-api.md`, and has switches for tests:
//! expire sessions, revoke refresh tokens, inject failures, add latency, change batch size and
//! rotation, and a request log. The same switches are served under `/_sim/` for tests that run
//! the org in another process.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub mod data;

mod analytics;
mod composite;
mod control;
mod files;
mod identity;
mod listviews;
mod log;
mod oauth;
mod pager;
mod records;
mod rest;
mod server;
mod state;
mod token;
mod tokens;

#[cfg(test)]
mod tests_composite;
#[cfg(test)]
mod tests_keys;
#[cfg(test)]
mod tests_oauth;
#[cfg(test)]
mod tests_rest;

use state::Shared;

/// The consumer key the simulated org's app has unless configured otherwise.
pub const DEFAULT_CLIENT_ID: &str =
    "3MVG9SimulatedOrgDemoConsumerKeyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvWxYz.sim";

/// How the simulated org's connected app and query engine behave.
#[derive(Debug, Clone)]
pub struct SimOrgConfig {
    /// The app's consumer key.
    pub client_id: String,
    /// The consumer secret; `None` for a public (PKCE-only) client.
    pub client_secret: Option<String>,
    /// A second consumer key and secret of the same app, as External Client Apps allow during a
    /// rotation: either key authorizes, and a refresh token issued under one refreshes under the
    /// other.
    pub second_key: Option<SimConsumerKey>,
    /// Require an S256 `code_challenge` at authorize.
    pub require_pkce: bool,
    /// Issue a new refresh token on every refresh and retire the old one.
    pub rotate_refresh_tokens: bool,
    /// Largest query batch (may be below Salesforce's minimum of 200, for tests).
    pub batch_size: usize,
    /// Registered callback URLs; `None` accepts any `http://localhost:N` or
    /// `http://127.0.0.1:N` URL whose path is `/api/integrations/callback/salesforce`.
    pub redirect_uris: Option<Vec<String>>,
}

impl Default for SimOrgConfig {
    fn default() -> Self {
        Self {
            client_id: DEFAULT_CLIENT_ID.to_string(),
            client_secret: None,
            second_key: None,
            require_pkce: true,
            rotate_refresh_tokens: false,
            batch_size: 2000,
            redirect_uris: None,
        }
    }
}

/// A consumer key and its secret (`None`: a public, PKCE-only client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConsumerKey {
    /// The consumer key.
    pub client_id: String,
    /// The consumer secret.
    pub client_secret: Option<String>,
    /// The key belongs to another app of the org (as when moving from a Connected App to an
    /// External Client App): its tokens and the first key's do not refresh under each other.
    pub separate_app: bool,
}

impl SimOrgConfig {
    /// The secret the app expects with `client_id` (`Some(None)`: no secret), or `None` when the
    /// key is not one of the app's.
    pub(crate) fn secret_of(&self, client_id: &str) -> Option<Option<&str>> {
        if client_id == self.client_id {
            return Some(self.client_secret.as_deref());
        }
        self.second_key
            .as_ref()
            .filter(|k| k.client_id == client_id)
            .map(|k| k.client_secret.as_deref())
    }

    /// Whether a refresh token issued under key `issued` refreshes under key `presented`: the
    /// same key, or both keys of one app.
    pub(crate) fn refreshes_under(&self, issued: &str, presented: &str) -> bool {
        let shared = self.second_key.as_ref().is_some_and(|k| !k.separate_app);
        issued == presented
            || (shared && self.secret_of(issued).is_some() && self.secret_of(presented).is_some())
    }
}

/// A user of the simulated org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimUser {
    /// Salesforce username (what `login_hint` names).
    pub username: String,
    /// 18-character user id (`005…`).
    pub user_id: String,
    /// Full name.
    pub display_name: String,
    /// Email address.
    pub email: String,
}

/// One request the org answered (control endpoints excluded). Holds no credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedRequest {
    /// HTTP method.
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Query string with credential parameters removed (none for the token endpoint).
    pub query: Option<String>,
    /// Response status.
    pub status: u16,
    /// `grant_type` of a token-endpoint request.
    pub grant_type: Option<String>,
    /// JSON body of a data-API write.
    pub body: Option<serde_json::Value>,
}

/// A cheap, clonable handle on a running org's switches and log.
#[derive(Clone)]
pub struct SimOrgHandle {
    shared: Arc<Shared>,
}

/// A running simulated org. Stops when dropped or on [`SimulatedOrg::shutdown`]; its switches
/// are reachable directly (through `Deref`) or via a clonable [`SimulatedOrg::handle`].
pub struct SimulatedOrg {
    handle: SimOrgHandle,
    stop: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl SimulatedOrg {
    /// Start on `127.0.0.1` with a free port.
    pub async fn start(config: SimOrgConfig) -> std::io::Result<SimulatedOrg> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Start on the given address.
    pub async fn start_on(addr: SocketAddr, config: SimOrgConfig) -> std::io::Result<SimulatedOrg> {
        let bound = server::bind(addr, config).await?;
        let handle = SimOrgHandle {
            shared: bound.shared.clone(),
        };
        let stop = CancellationToken::new();
        let task = server::spawn(bound, stop.clone());
        Ok(SimulatedOrg {
            handle,
            stop,
            task: Some(task),
        })
    }

    /// A clonable handle on the switches and the log.
    pub fn handle(&self) -> SimOrgHandle {
        self.handle.clone()
    }

    /// Stop serving and wait (up to five seconds) for open connections to finish.
    pub async fn shutdown(mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

impl Drop for SimulatedOrg {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl std::ops::Deref for SimulatedOrg {
    type Target = SimOrgHandle;

    fn deref(&self) -> &SimOrgHandle {
        &self.handle
    }
}

impl SimOrgHandle {
    /// `http://127.0.0.1:PORT`, no trailing slash: the login host and the instance URL.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The org's 18-character organization id.
    pub fn org_id(&self) -> String {
        self.shared.org_id.clone()
    }

    /// Requests answered so far, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.inner().log.clone()
    }

    /// Empty the request log.
    pub fn clear_requests(&self) {
        self.shared.inner().log.clear();
    }

    /// Every access token issued so far now gets 401 `INVALID_SESSION_ID`.
    pub fn expire_access_tokens(&self) {
        self.shared.inner().tokens.expire_access();
    }

    /// Every refresh token issued so far now gets `invalid_grant`.
    pub fn revoke_refresh_tokens(&self) {
        self.shared.inner().tokens.revoke_all_refresh();
    }

    /// The next `count` data-API calls answer `status` (503, 500, 403 …) with a Salesforce body.
    pub fn fail_next(&self, count: u32, status: u16) {
        self.shared.inner().fail_next = (count, status);
    }

    /// Delay every non-control request by `latency`.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.inner().latency = latency;
    }

    /// Give the app a second consumer key and secret (`None`: remove it), as an admin does in
    /// Salesforce before rotating.
    pub fn set_second_key(&self, key: Option<SimConsumerKey>) {
        self.shared.inner().config.second_key = key;
    }

    /// Turn refresh-token rotation on or off.
    pub fn set_rotation(&self, on: bool) {
        self.shared.inner().config.rotate_refresh_tokens = on;
    }

    /// Set the largest query batch.
    pub fn set_batch_size(&self, n: usize) {
        self.shared.inner().config.batch_size = n.max(1);
    }

    /// Replace the registered callback URLs (`None`: any loopback callback URL).
    pub fn set_redirect_uris(&self, uris: Option<Vec<String>>) {
        self.shared.inner().config.redirect_uris = uris;
    }

    /// The next authorization is refused with `access_denied`.
    pub fn deny_next_authorization(&self) {
        self.shared.inner().deny_next = true;
    }

    /// Require (or stop requiring) a PKCE challenge at authorize.
    pub fn set_require_pkce(&self, on: bool) {
        self.shared.inner().config.require_pkce = on;
    }

    /// The org's users; the first is the one approved when `login_hint` names nobody.
    pub fn users(&self) -> Vec<SimUser> {
        self.shared.users.clone()
    }
}
