//! `salesforce-mcp admin ...`: the organization's OAuth app. Secrets come only through stdin and
//! are never printed back; every change goes to the audit log.

use std::io::Read as _;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use secrecy::SecretString;
use serde_json::json;

use super::emit;
use crate::app::App;
use crate::oauth::urls::AuthBaseUrl;
use crate::store::apps::{AppFields, AppRow};
use crate::store::{self};

/// Default scopes.
pub const DEFAULT_SCOPES: &str = "api refresh_token offline_access";
const DEFAULT_AUTH_BASE: &str = "https://login.salesforce.com";

/// Admin commands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// The organization's Salesforce OAuth app.
    #[command(subcommand)]
    Org(OrgCommand),
}

/// `admin org` commands.
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Show the organization's app (the secret is never shown).
    Show {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Create or change the organization's app.
    Set(AppArgs),
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

/// Runs an admin command.
pub fn run(app: &App, cmd: &AdminCommand) -> Result<ExitCode, String> {
    match cmd {
        AdminCommand::Org(OrgCommand::Show { json }) => {
            let row = app
                .store
                .call_sync(|c| store::apps::org_app(c))
                .map_err(|e| e.to_string())?;
            match row {
                Some(r) => emit(*json, &app_json(&r), &app_text(&r)),
                None => emit(
                    *json,
                    &json!({"configured": false}),
                    "The organization's Salesforce app is not configured: run `salesforce-mcp admin org set --client-id ID --auth-base-url URL`.",
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::Org(OrgCommand::Set(args)) => {
            let current = app
                .store
                .call_sync(|c| store::apps::org_app(c))
                .map_err(|e| e.to_string())?;
            let fields = merge(app, current.as_ref(), args)?;
            let row = app
                .store
                .call_sync(|c| {
                    let row = store::apps::upsert(c, None, &fields)?;
                    let detail = json!({"client_id": row.client_id, "auth_base_url": row.auth_base_url, "scopes": row.scopes, "enabled": row.enabled, "has_secret": row.client_secret_sealed.is_some()});
                    store::audit::append(c, "cli", "org_app.set", Some("org"), Some(&detail.to_string()))?;
                    Ok(row)
                })
                .map_err(|e| e.to_string())?;
            emit(
                args.json,
                &app_json(&row),
                &format!("Saved.\n{}", app_text(&row)),
            );
            Ok(ExitCode::SUCCESS)
        }
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
