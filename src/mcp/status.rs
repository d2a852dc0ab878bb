//! `connection_status`: who is connected, with which app, and what to do when not.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::connections::{ConnectionError, status};
use crate::reads::{ReadError, Reads};

/// `connection_status` takes no arguments.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusArgs {}

/// `connection_status` result.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct ConnectionStatus {
    /// Whether a usable connection exists.
    pub connected: bool,
    /// `active`, `needs_reconnect`, `revoked` or `not_connected`.
    pub status: String,
    /// Salesforce username.
    pub username: Option<String>,
    /// Salesforce org id.
    pub org_id: Option<String>,
    /// Where API calls go.
    pub instance_url: Option<String>,
    /// Login host used.
    pub auth_base_url: Option<String>,
    /// OAuth app used: `org` or the group name.
    pub app: Option<String>,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Whether a refresh token allows working after the session expires.
    pub offline_refresh: bool,
    /// Last API usage reported by Salesforce: `{"used", "limit"}`.
    pub api_usage: Option<serde_json::Value>,
    /// What to do, when action is needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

/// Builds the status of a person's connection.
pub async fn connection_status(
    reads: &Reads,
    user_id: i64,
    connect_hint: &str,
) -> Result<ConnectionStatus, ReadError> {
    let connections = reads.connections();
    let app = match connections.effective_app(user_id).await {
        Ok(app) => Some(app),
        Err(ConnectionError::NotEnabled) => None,
        Err(e) => return Err(e.into()),
    };
    // Reading the session also marks the connection when the person's app changed.
    let session_problem = connections.session(user_id).await.err();
    let Some(row) = connections.get(user_id).await? else {
        let next_step = match app {
            Some(_) => connect_hint.to_owned(),
            None => ConnectionError::NotEnabled.to_string(),
        };
        return Ok(ConnectionStatus {
            status: "not_connected".into(),
            next_step: Some(next_step),
            app: app.map(|a| a.label),
            ..Default::default()
        });
    };
    let offline_refresh = row.refresh_token_sealed.is_some();
    let active = row.status == status::ACTIVE && session_problem.is_none();
    let next_step = if !active {
        let why = row
            .last_error
            .clone()
            .or_else(|| session_problem.map(|e| e.to_string()))
            .unwrap_or_default();
        Some(format!("{why} {connect_hint}").trim().to_owned())
    } else if !offline_refresh {
        Some(format!(
            "Reconnect Salesforce to enable offline refresh (no refresh token was granted: add the refresh_token and offline_access scopes). {connect_hint}"
        ))
    } else {
        None
    };
    Ok(ConnectionStatus {
        connected: active,
        status: row.status.clone(),
        username: Some(row.username),
        org_id: Some(row.org_id),
        instance_url: Some(row.instance_url),
        auth_base_url: Some(row.auth_base_url),
        app: Some(row.app_label),
        scopes: row.scopes.split_whitespace().map(str::to_owned).collect(),
        offline_refresh,
        api_usage: row.api_usage.and_then(|u| serde_json::from_str(&u).ok()),
        next_step,
    })
}
