//! `salesforce-mcp admin ...`: argument parsing, reading secrets from stdin, and printing. The
//! actions themselves live once in [`crate::admin`] (actor `cli`); secrets come only through
//! stdin and are never printed back.

mod audit;
mod group;
mod oauth;
mod org;
mod policy;
mod token;
mod user;

use std::io::Read as _;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use secrecy::SecretString;

pub(crate) use crate::admin::new_token;
use crate::admin::{AppInput, AppView, SecretChange, StagedChange};
use crate::app::App;

pub use group::GroupCommand;
pub use oauth::OAuthCommand;
pub use org::OrgCommand;
pub use policy::PolicyCommand;
pub use token::TokenCommand;
pub use user::UserCommand;

/// The actor recorded in the audit log for command-line changes.
const ACTOR: &str = crate::admin::CLI_ACTOR;

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
    /// Policies: approval, change lifetime, read-only.
    #[command(subcommand)]
    Policy(PolicyCommand),
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
        AdminCommand::Policy(c) => policy::run(app, c),
        AdminCommand::Audit(a) => audit::run(app, a),
    }
    .map(|()| ExitCode::SUCCESS)
}

/// An admin action's error as the command line prints it.
fn err(e: crate::admin::AdminError) -> String {
    e.to_string()
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

/// Prints a result as JSON or text.
fn show<T: serde::Serialize>(json: bool, value: &T, text: &str) -> Result<(), String> {
    let value = serde_json::to_value(value).map_err(|e| format!("cannot show the result: {e}"))?;
    emit(json, &value, text);
    Ok(())
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
    #[arg(long, conflicts_with_all = ["no_client_secret", "staged_client_secret_stdin"])]
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
    /// Stage a new consumer key beside the main one (made main by `promote-staged`).
    #[arg(long, conflicts_with = "no_staged_credentials")]
    pub staged_client_id: Option<String>,
    /// Read the staged consumer secret from standard input.
    #[arg(long, conflicts_with = "no_staged_credentials")]
    pub staged_client_secret_stdin: bool,
    /// Remove the staged consumer key and secret.
    #[arg(long)]
    pub no_staged_credentials: bool,
    /// Remove the previous consumer key and secret: connections still on them must reconnect.
    #[arg(long)]
    pub no_previous_credentials: bool,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
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

impl AppArgs {
    /// The app fields to change, with the secret read from standard input when asked for.
    pub fn input(&self) -> Result<AppInput, String> {
        let client_secret = if self.client_secret_stdin {
            SecretChange::Set(read_secret_from_stdin()?)
        } else if self.no_client_secret {
            SecretChange::Remove
        } else {
            SecretChange::Keep
        };
        let enabled = if self.disable {
            Some(false)
        } else if self.enable {
            Some(true)
        } else {
            None
        };
        let staged = if self.no_staged_credentials {
            StagedChange::Remove
        } else if self.staged_client_id.is_some() || self.staged_client_secret_stdin {
            StagedChange::Set {
                client_id: self.staged_client_id.clone(),
                client_secret: if self.staged_client_secret_stdin {
                    Some(read_secret_from_stdin()?)
                } else {
                    None
                },
            }
        } else {
            StagedChange::Keep
        };
        Ok(AppInput {
            client_id: self.client_id.clone(),
            client_secret,
            auth_base_url: self.auth_base_url.clone(),
            scopes: self.scopes.clone(),
            prompt: self.prompt.clone(),
            enabled,
            staged,
            remove_previous: self.no_previous_credentials,
        })
    }
}

/// A staged or previous consumer key as text: the key and whether a secret is stored.
fn set_text(client_id: Option<&String>, secret: &str, note: &str) -> String {
    match client_id {
        Some(id) => format!("{id} (secret {secret}){note}"),
        None => "none".to_owned(),
    }
}

/// An app as text.
pub fn app_text(r: &AppView) -> String {
    format!(
        "Client id:      {}\nClient secret:  {}\nAuth base URL:  {}\nScopes:         {}\nPrompt:         {}\nEnabled:        {}\n\
         Staged:         {}\nPrevious:       {}\n\
         Callback URL to register in Salesforce (terminal connect): http://localhost:8787/api/integrations/callback/salesforce",
        r.client_id,
        if r.has_secret() {
            "set (hidden)"
        } else {
            "none (PKCE-only public client)"
        },
        r.auth_base_url,
        r.scopes,
        r.prompt.as_deref().unwrap_or("-"),
        if r.enabled { "yes" } else { "no" },
        set_text(
            r.staged_client_id.as_ref(),
            r.staged_client_secret,
            "; make it main with promote-staged"
        ),
        set_text(
            r.previous_client_id.as_ref(),
            r.previous_client_secret,
            "; connections made under it keep refreshing until --no-previous-credentials removes it"
        ),
    )
}
