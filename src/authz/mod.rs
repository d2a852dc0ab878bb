//! salesforce-mcp as an OAuth 2.1 authorization server for MCP clients. Clients register
//! dynamically (RFC 7591), publish a Client ID Metadata Document, or are registered by an admin;
//! a person signs in with Salesforce and allows the client; the client gets our own random
//! tokens (never Salesforce's), stored only as hashes. The HTTP side lives in `http::authz`.

pub mod cimd;
mod clients;
pub mod redirect;
pub mod tokens;

use std::sync::Arc;
use std::time::Duration;

use crate::config::Settings;
use crate::store::Store;

pub use clients::{Client, add_static};
pub use tokens::{AccessCheck, revoke_grant};

/// The one scope: use salesforce-mcp's tools as the person.
pub const SCOPE: &str = "salesforce";
/// How long an access token lives.
pub const ACCESS_TTL: Duration = Duration::from_secs(3600);
/// How long an unused refresh token lives.
pub const REFRESH_IDLE: Duration = Duration::from_secs(30 * 24 * 3600);
/// How long a grant may be refreshed at all.
pub const REFRESH_MAX: Duration = Duration::from_secs(90 * 24 * 3600);
/// How long an authorization code lives.
pub const CODE_TTL: Duration = Duration::from_secs(60);
/// How long a replaced refresh token still works (a retry after a lost response).
pub const REFRESH_GRACE: Duration = Duration::from_secs(30);

/// An OAuth error for a client: HTTP status, RFC 6749 / 7591 error code and a description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {description}")]
pub struct OAuthFailure {
    /// HTTP status.
    pub status: u16,
    /// The error code (`invalid_grant`, `invalid_redirect_uri`, ...).
    pub error: &'static str,
    /// What is wrong, for the client's developer.
    pub description: String,
}

impl OAuthFailure {
    /// A 400 with `error`.
    pub fn bad(error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status: 400,
            error,
            description: description.into(),
        }
    }

    /// The JSON body.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({"error": self.error, "error_description": self.description})
    }
}

fn server_error(e: impl std::fmt::Display) -> OAuthFailure {
    tracing::error!(error = %e, "authorization server storage failed");
    OAuthFailure {
        status: 500,
        error: "server_error",
        description: "the server could not complete the request; try again".into(),
    }
}

/// The authorization server of one public URL.
#[derive(Debug, Clone)]
pub struct AuthServer {
    store: Store,
    issuer: Arc<str>,
    resource: Arc<str>,
    cimd: cimd::Fetcher,
}

impl AuthServer {
    /// The server whose issuer is `public_url` (no trailing slash) and whose one resource is
    /// `<public_url>/mcp`.
    pub fn new(store: Store, settings: &Settings, public_url: &str) -> Result<Self, String> {
        Ok(Self {
            store,
            issuer: public_url.into(),
            resource: format!("{public_url}/mcp").into(),
            cimd: cimd::Fetcher::new(settings.allow_insecure_loopback)?,
        })
    }

    /// The issuer (the public URL exactly).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The protected resource (`<public-url>/mcp`).
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// Whether a `resource` parameter names our resource (a trailing slash is tolerated).
    pub fn is_our_resource(&self, resource: &str) -> bool {
        resource.trim_end_matches('/') == &*self.resource
    }
}

/// The scope granted for a requested one: unknown values are dropped (and `offline_access`
/// ignored), so an empty or absent scope is the default scope.
pub fn granted_scope(_requested: Option<&str>) -> &'static str {
    SCOPE
}
