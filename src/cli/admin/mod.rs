//! `salesforce-mcp admin ...`: the organization's OAuth app, groups and their override apps,
//! people, and API tokens. Secrets come only through stdin and are never printed back; every
//! change goes to the audit log (actor `cli`), and every change that can move a person's
//! effective app marks the affected connections `needs_reconnect` in the same transaction.

mod audit;
mod group;
mod oauth;
mod org;
mod token;
mod user;

use std::io::Read as _;
use std::process::ExitCode;

use crate::store::Db;
use clap::{Args, Subcommand};
use secrecy::SecretString;
use serde_json::json;

use crate::app::App;
use crate::connections::Marked;
use crate::oauth::urls::AuthBaseUrl;
use crate::store::apps::{AppFields, AppRow};
use crate::store::{self, StoreError};
pub(crate) use token::new_token;

pub use group::GroupCommand;
pub use oauth::OAuthCommand;
pub use org::OrgCommand;
pub use token::TokenCommand;
pub use user::UserCommand;

/// Default scopes.
pub const DEFAULT_SCOPES: &str = "api refresh_token offline_access";
const DEFAULT_AUTH_BASE: &str = "https://login.salesforce.com";
/// The actor recorded in the audit log for command-line changes.
const ACTOR: &str = "cli";

/// Admin commands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// The organization's Salesforce OAuth app.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Groups and their override apps.
    #[command(subcommand)]
    Group(GroupCommand),
    /// People: groups, admin flag, effective app and connection.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens for MCP over HTTP (shown once, stored hashed).
    #[command(subcommand)]
    Token(TokenCommand),
    /// MCP clients that sign in with OAuth, and their grants.
    #[command(subcommand)]
    Oauth(OAuthCommand),
    /// The audit log, newest first.
    Audit(audit::AuditArgs),
}

/// Runs an admin command.
pub async fn run(app: &App, cmd: &AdminCommand) -> Result<ExitCode, String> {
    match cmd {
        AdminCommand::Org(c) => org::run(app, c),
        AdminCommand::Group(c) => group::run(app, c),
        AdminCommand::User(c) => user::run(app, c).await,
        AdminCommand::Token(c) => token::run(app, c),
        AdminCommand::Oauth(c) => oauth::run(app, c).await,
        AdminCommand::Audit(a) => audit::run(app, a),
    }
    .map(|()| ExitCode::SUCCESS)
}

/// Runs reads against the database.
fn read<R: Send>(
    app: &App,
    f: impl FnOnce(&Db<'_>) -> Result<R, StoreError> + Send,
) -> Result<R, String> {
    app.store.call_sync(|c| f(c)).map_err(|e| e.to_string())
}

/// Runs a change in one transaction: the change, its audit entry and its reconciliation
/// commit together or not at all.
fn write<R: Send>(
    app: &App,
    f: impl FnOnce(&Db<'_>) -> Result<R, StoreError> + Send,
) -> Result<R, String> {
    app.store
        .call_sync(|c| {
            let tx = c.transaction()?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .map_err(|e| e.to_string())
}

/// Appends an audit entry for a command-line change (`detail` must hold no secret).
fn audit(
    c: &Db<'_>,
    action: &str,
    subject: &str,
    detail: &serde_json::Value,
) -> Result<(), StoreError> {
    store::audit::append(c, ACTOR, action, Some(subject), Some(&detail.to_string()))
}

/// Marks the connections whose person's effective app moved; returns their e-mails.
fn reconcile(c: &Db<'_>) -> Result<Vec<String>, StoreError> {
    let marked = crate::connections::reconcile_all(c, ACTOR)?;
    let mut emails = Vec::with_capacity(marked.len());
    for Marked { user_id, .. } in marked {
        if let Some(u) = store::users::find_by_id(c, user_id)? {
            emails.push(u.email);
        }
    }
    Ok(emails)
}

/// Text telling the admin who must reconnect (empty when nobody).
fn reconnect_note(emails: &[String]) -> String {
    if emails.is_empty() {
        String::new()
    } else {
        format!(
            "\nTheir Salesforce app changed, so these people must connect again: {}",
            emails.join(", ")
        )
    }
}

/// An app's audit detail: what changed, never the secret (only whether one is set).
fn app_audit(row: &AppRow) -> serde_json::Value {
    json!({"client_id": row.client_id, "auth_base_url": row.auth_base_url, "scopes": row.scopes,
           "prompt": row.prompt, "enabled": row.enabled, "has_secret": row.client_secret_sealed.is_some()})
}

/// Prints JSON or text.
fn emit(json: bool, value: &serde_json::Value, text: &str) {
    super::emit(json, value, text);
}

/// Fields of an OAuth app, as flags.
#[derive(Debug, Clone, Args)]
pub struct AppArgs {
    /// Consumer key of the Salesforce External Client App.
    #[arg(long)]
    pub client_id: Option<String>,
    /// Read the consumer secret from standard input (never pass secrets as arguments).
    #[arg(long, conflicts_with = "no_client_secret")]
    pub client_secret_stdin: bool,
    /// PKCE-only public client: remove any stored secret.
    #[arg(long)]
    pub no_client_secret: bool,
    /// Login host: https://login.salesforce.com, https://test.salesforce.com or https://NAME.my.salesforce.com.
    #[arg(long)]
    pub auth_base_url: Option<String>,
    /// Space-separated OAuth scopes.
    #[arg(long)]
    pub scopes: Option<String>,
    /// Authorize prompt: login, consent or select_account (empty to clear).
    #[arg(long)]
    pub prompt: Option<String>,
    /// Enable the app.
    #[arg(long, conflicts_with = "disable")]
    pub enable: bool,
    /// Disable the app.
    #[arg(long)]
    pub disable: bool,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

impl AppArgs {
    /// Whether any app field was given (the output flag aside).
    pub fn changes_app(&self) -> bool {
        self.client_id.is_some()
            || self.client_secret_stdin
            || self.no_client_secret
            || self.auth_base_url.is_some()
            || self.scopes.is_some()
            || self.prompt.is_some()
            || self.enable
            || self.disable
    }
}

fn read_secret_from_stdin() -> Result<SecretString, String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the secret from standard input: {e}"))?;
    let text = text
        .strip_suffix('\n')
        .map(|t| t.strip_suffix('\r').unwrap_or(t))
        .unwrap_or(&text)
        .to_owned();
    if text.is_empty() {
        return Err("standard input was empty: pipe the consumer secret in, e.g. `printf %s \"$SECRET\" | salesforce-mcp admin org set --client-secret-stdin`".into());
    }
    Ok(SecretString::from(text))
}

/// Applies flags over the current app (or defaults for a new one), validating everything.
pub fn merge(app: &App, current: Option<&AppRow>, args: &AppArgs) -> Result<AppFields, String> {
    let client_id = match (&args.client_id, current) {
        (Some(id), _) if !id.trim().is_empty() && !id.trim().contains(char::is_whitespace) => id.trim().to_owned(),
        (Some(_), _) => return Err("--client-id must be the app's consumer key (no spaces)".into()),
        (None, Some(c)) => c.client_id.clone(),
        (None, None) => return Err("--client-id is required the first time (the consumer key of your Salesforce External Client App)".into()),
    };
    let base_text = args
        .auth_base_url
        .clone()
        .or(current.map(|c| c.auth_base_url.clone()))
        .unwrap_or_else(|| DEFAULT_AUTH_BASE.to_owned());
    let auth_base = AuthBaseUrl::parse(&base_text, app.settings.allow_insecure_loopback)
        .map_err(|e| e.to_string())?;
    let client_secret_sealed = if args.client_secret_stdin {
        Some(app.sealer.seal_secret(&read_secret_from_stdin()?))
    } else if args.no_client_secret {
        None
    } else {
        current.and_then(|c| c.client_secret_sealed.clone())
    };
    let scopes = args
        .scopes
        .clone()
        .or(current.map(|c| c.scopes.clone()))
        .unwrap_or_else(|| DEFAULT_SCOPES.to_owned());
    let scopes = scopes.split_whitespace().collect::<Vec<_>>().join(" ");
    if scopes.is_empty() {
        return Err(
            "--scopes must not be empty (the default is \"api refresh_token offline_access\")"
                .into(),
        );
    }
    let prompt = match &args.prompt {
        Some(p) if p.trim().is_empty() => None,
        Some(p) => {
            for part in p.split_whitespace() {
                if !["login", "consent", "select_account"].contains(&part) {
                    return Err(format!(
                        "--prompt '{p}' is not valid: use login, consent or select_account"
                    ));
                }
            }
            Some(p.trim().to_owned())
        }
        None => current.and_then(|c| c.prompt.clone()),
    };
    let enabled = if args.disable {
        false
    } else if args.enable {
        true
    } else {
        current.is_none_or(|c| c.enabled)
    };
    Ok(AppFields {
        client_id,
        client_secret_sealed,
        auth_base_url: auth_base.as_str().to_owned(),
        scopes,
        prompt,
        enabled,
    })
}

/// An app as JSON (the secret only as a flag).
pub fn app_json(r: &AppRow) -> serde_json::Value {
    json!({
        "configured": true,
        "group": r.group_name,
        "priority": r.group_priority,
        "client_id": r.client_id,
        "client_secret": if r.client_secret_sealed.is_some() { "set" } else { "none" },
        "auth_base_url": r.auth_base_url,
        "scopes": r.scopes,
        "prompt": r.prompt,
        "enabled": r.enabled,
    })
}

/// An app as text.
pub fn app_text(r: &AppRow) -> String {
    format!(
        "Client id:      {}\nClient secret:  {}\nAuth base URL:  {}\nScopes:         {}\nPrompt:         {}\nEnabled:        {}\n\
         Callback URL to register in Salesforce (terminal connect): http://localhost:8787/api/integrations/callback/salesforce",
        r.client_id,
        if r.client_secret_sealed.is_some() {
            "set (hidden)"
        } else {
            "none (PKCE-only public client)"
        },
        r.auth_base_url,
        r.scopes,
        r.prompt.as_deref().unwrap_or("-"),
        if r.enabled { "yes" } else { "no" },
    )
}
