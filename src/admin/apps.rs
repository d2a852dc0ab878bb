//! The organization's OAuth app, and the fields every app (org or group override) shares.

use secrecy::SecretString;
use serde::Serialize;
use serde_json::json;

use super::{AdminError, Saved, audit, read, reconcile, write};
use crate::app::App;
use crate::oauth::urls::AuthBaseUrl;
use crate::store;
use crate::store::apps::{AppFields, AppRow};

/// Default scopes.
pub const DEFAULT_SCOPES: &str = "api refresh_token offline_access";
/// Default login host.
pub const DEFAULT_AUTH_BASE: &str = "https://login.salesforce.com";

/// What to do with an app's consumer secret.
#[derive(Debug, Default)]
pub enum SecretChange {
    /// Keep the stored one (or none for a new app).
    #[default]
    Keep,
    /// Store this one (sealed).
    Set(SecretString),
    /// PKCE-only public client: remove any stored secret.
    Remove,
}

/// Fields of an OAuth app to change; `None` keeps the current value (or the default for a new
/// app).
#[derive(Debug, Default)]
pub struct AppInput {
    /// Consumer key of the Salesforce External Client App.
    pub client_id: Option<String>,
    /// The consumer secret.
    pub client_secret: SecretChange,
    /// Login host.
    pub auth_base_url: Option<String>,
    /// Space-separated OAuth scopes.
    pub scopes: Option<String>,
    /// Authorize prompt: login, consent or select_account (empty to clear).
    pub prompt: Option<String>,
    /// Enable (`true`) or disable (`false`) the app.
    pub enabled: Option<bool>,
}

impl AppInput {
    /// Whether any field is given.
    pub fn changes_app(&self) -> bool {
        self.client_id.is_some()
            || !matches!(self.client_secret, SecretChange::Keep)
            || self.auth_base_url.is_some()
            || self.scopes.is_some()
            || self.prompt.is_some()
            || self.enabled.is_some()
    }
}

/// An app as shown (the secret only as `set` or `none`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppView {
    /// Always true (an unconfigured org app is `{"configured": false}`).
    pub configured: bool,
    /// The group, for an override.
    pub group: Option<String>,
    /// The group's priority, for an override.
    pub priority: Option<i64>,
    /// Consumer key.
    pub client_id: String,
    /// `set` or `none`.
    pub client_secret: &'static str,
    /// Login host.
    pub auth_base_url: String,
    /// Space-separated scopes.
    pub scopes: String,
    /// Authorize prompt.
    pub prompt: Option<String>,
    /// Whether the app may be used.
    pub enabled: bool,
}

impl AppView {
    /// Whether a consumer secret is stored.
    pub fn has_secret(&self) -> bool {
        self.client_secret == "set"
    }
}

impl From<&AppRow> for AppView {
    fn from(r: &AppRow) -> Self {
        Self {
            configured: true,
            group: r.group_name.clone(),
            priority: r.group_priority,
            client_id: r.client_id.clone(),
            client_secret: if r.client_secret_sealed.is_some() {
                "set"
            } else {
                "none"
            },
            auth_base_url: r.auth_base_url.clone(),
            scopes: r.scopes.clone(),
            prompt: r.prompt.clone(),
            enabled: r.enabled,
        }
    }
}

/// An app's audit detail: what changed, never the secret (only whether one is set).
pub(super) fn app_audit(row: &AppRow) -> serde_json::Value {
    json!({"client_id": row.client_id, "auth_base_url": row.auth_base_url, "scopes": row.scopes,
           "prompt": row.prompt, "enabled": row.enabled, "has_secret": row.client_secret_sealed.is_some()})
}

/// Applies the input over the current app (or defaults for a new one), validating everything.
pub(super) fn merge(
    app: &App,
    current: Option<&AppRow>,
    input: &AppInput,
) -> Result<AppFields, AdminError> {
    let invalid = |m: &str| AdminError::Invalid(m.to_owned());
    let client_id = match (&input.client_id, current) {
        (Some(id), _) if !id.trim().is_empty() && !id.trim().contains(char::is_whitespace) => {
            id.trim().to_owned()
        }
        (Some(_), _) => {
            return Err(invalid(
                "--client-id must be the app's consumer key (no spaces)",
            ));
        }
        (None, Some(c)) => c.client_id.clone(),
        (None, None) => {
            return Err(invalid(
                "--client-id is required the first time (the consumer key of your Salesforce External Client App)",
            ));
        }
    };
    let base_text = input
        .auth_base_url
        .clone()
        .or(current.map(|c| c.auth_base_url.clone()))
        .unwrap_or_else(|| DEFAULT_AUTH_BASE.to_owned());
    let auth_base = AuthBaseUrl::parse(&base_text, app.settings.allow_insecure_loopback)
        .map_err(|e| AdminError::Invalid(e.to_string()))?;
    let client_secret_sealed = match &input.client_secret {
        SecretChange::Set(secret) => Some(app.sealer.seal_secret(secret)),
        SecretChange::Remove => None,
        SecretChange::Keep => current.and_then(|c| c.client_secret_sealed.clone()),
    };
    let scopes = input
        .scopes
        .clone()
        .or(current.map(|c| c.scopes.clone()))
        .unwrap_or_else(|| DEFAULT_SCOPES.to_owned());
    let scopes = scopes.split_whitespace().collect::<Vec<_>>().join(" ");
    if scopes.is_empty() {
        return Err(invalid(
            "--scopes must not be empty (the default is \"api refresh_token offline_access\")",
        ));
    }
    let prompt = match &input.prompt {
        Some(p) if p.trim().is_empty() => None,
        Some(p) => {
            for part in p.split_whitespace() {
                if !["login", "consent", "select_account"].contains(&part) {
                    return Err(AdminError::Invalid(format!(
                        "--prompt '{p}' is not valid: use login, consent or select_account"
                    )));
                }
            }
            Some(p.trim().to_owned())
        }
        None => current.and_then(|c| c.prompt.clone()),
    };
    let enabled = input
        .enabled
        .unwrap_or_else(|| current.is_none_or(|c| c.enabled));
    Ok(AppFields {
        client_id,
        client_secret_sealed,
        auth_base_url: auth_base.as_str().to_owned(),
        scopes,
        prompt,
        enabled,
    })
}

/// The organization's app, or `None` when it is not configured.
pub fn org_show(app: &App) -> Result<Option<AppView>, AdminError> {
    Ok(read(app, store::apps::org_app)?.as_ref().map(AppView::from))
}

/// Creates or changes the organization's app (audited `org_app.set`).
pub fn org_set(app: &App, actor: &str, input: &AppInput) -> Result<Saved<AppView>, AdminError> {
    let current = read(app, store::apps::org_app)?;
    let fields = merge(app, current.as_ref(), input)?;
    let (row, moved) = write(app, |c| {
        let row = store::apps::upsert(c, None, &fields)?;
        audit(c, actor, "org_app.set", "org", &app_audit(&row))?;
        Ok((row, reconcile(c, actor)?))
    })?;
    Ok(Saved {
        item: AppView::from(&row),
        reconnect_required: moved,
    })
}
