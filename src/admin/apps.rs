//! The organization's OAuth app, and the fields every app (org or group override) shares.

use secrecy::SecretString;
use serde::Serialize;
use serde_json::json;

use super::credentials::{self, StagedChange};
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
    /// The staged credential set (promoted later with `promote-staged`).
    pub staged: StagedChange,
    /// Remove the previous credential set: connections still on it must reconnect.
    pub remove_previous: bool,
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
            || !matches!(self.staged, StagedChange::Keep)
            || self.remove_previous
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
    /// The staged consumer key, waiting for `promote-staged`.
    pub staged_client_id: Option<String>,
    /// `set` or `none`: the staged consumer secret.
    pub staged_client_secret: &'static str,
    /// The consumer key that was main before the last promotion (connections made under it
    /// keep refreshing until it is removed).
    pub previous_client_id: Option<String>,
    /// `set` or `none`: the previous consumer secret.
    pub previous_client_secret: &'static str,
}

/// `set` when a sealed secret is stored, else `none`.
fn set_or_none(sealed: Option<&Vec<u8>>) -> &'static str {
    if sealed.is_some() { "set" } else { "none" }
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
            client_secret: set_or_none(r.client_secret_sealed.as_ref()),
            auth_base_url: r.auth_base_url.clone(),
            scopes: r.scopes.clone(),
            prompt: r.prompt.clone(),
            enabled: r.enabled,
            staged_client_id: r.staged.as_ref().map(|s| s.client_id.clone()),
            staged_client_secret: set_or_none(
                r.staged
                    .as_ref()
                    .and_then(|s| s.client_secret_sealed.as_ref()),
            ),
            previous_client_id: r.previous.as_ref().map(|s| s.client_id.clone()),
            previous_client_secret: set_or_none(
                r.previous
                    .as_ref()
                    .and_then(|s| s.client_secret_sealed.as_ref()),
            ),
        }
    }
}

/// An app's audit detail: what changed, never a secret (only whether one is set).
pub(super) fn app_audit(row: &AppRow) -> serde_json::Value {
    let set = |s: &Option<store::apps::CredentialSet>| {
        s.as_ref().map(
            |s| json!({"client_id": s.client_id, "has_secret": s.client_secret_sealed.is_some()}),
        )
    };
    json!({"client_id": row.client_id, "auth_base_url": row.auth_base_url, "scopes": row.scopes,
           "prompt": row.prompt, "enabled": row.enabled, "has_secret": row.client_secret_sealed.is_some(),
           "staged": set(&row.staged), "previous": set(&row.previous)})
}

/// A consumer key as given for `flag`: trimmed, not empty, no spaces.
pub(super) fn parse_client_id(text: &str, flag: &str) -> Result<String, AdminError> {
    let id = text.trim();
    if id.is_empty() || id.contains(char::is_whitespace) {
        return Err(AdminError::Invalid(format!(
            "{flag} must be the app's consumer key (no spaces)"
        )));
    }
    Ok(id.to_owned())
}

/// Applies the input over the current app (or defaults for a new one), validating everything.
pub(super) fn merge(
    app: &App,
    current: Option<&AppRow>,
    input: &AppInput,
) -> Result<AppFields, AdminError> {
    let invalid = |m: &str| AdminError::Invalid(m.to_owned());
    let client_id = match (&input.client_id, current) {
        (Some(id), _) => parse_client_id(id, "--client-id")?,
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
    let changes = credentials::changes(app, current.as_ref(), input)?;
    let (row, moved) = write(app, |c| {
        let row = credentials::save_app(c, None, &fields, &changes)?;
        audit(c, actor, "org_app.set", "org", &app_audit(&row))?;
        Ok((row, reconcile(c, actor)?))
    })?;
    Ok(Saved {
        item: AppView::from(&row),
        reconnect_required: moved,
    })
}

/// Makes the organization's staged set the main one; the old main set becomes the previous one
/// (audited `org_app.promote_staged`). Connections made under it keep refreshing.
pub fn org_promote_staged(app: &App, actor: &str) -> Result<Saved<AppView>, AdminError> {
    let current = read(app, store::apps::org_app)?.ok_or_else(|| {
        AdminError::NotFound(
            "the organization's Salesforce app is not configured: run `salesforce-mcp admin org set --client-id ID --auth-base-url URL` first".into(),
        )
    })?;
    let (row, moved) = credentials::promote(
        app,
        actor,
        &current,
        ("org_app.promote_staged", "org"),
        "salesforce-mcp admin org set",
    )?;
    Ok(Saved {
        item: AppView::from(&row),
        reconnect_required: moved,
    })
}
