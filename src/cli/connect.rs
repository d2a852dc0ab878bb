//! `connect`, `disconnect` and `status` for a person, from a terminal.

use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::emit;
use crate::app::App;
use crate::http::callback;
use crate::oauth::CALLBACK_PATH;

/// `--user`.
#[derive(Debug, Clone, Args)]
pub struct UserArg {
    /// The person, by e-mail (default: the single local person).
    #[arg(long, env = "SALESFORCE_MCP_USER")]
    pub user: Option<String>,
}

/// `connect` arguments.
#[derive(Debug, Clone, Args)]
pub struct ConnectArgs {
    /// The person, by e-mail (default: the single local person).
    #[arg(long, env = "SALESFORCE_MCP_USER")]
    pub user: Option<String>,
    /// Print the authorize URL but do not open a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Port of the local callback (must match the Callback URL registered in Salesforce).
    #[arg(long, default_value_t = 8787)]
    pub callback_port: u16,
}

/// `status` arguments.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// The person, by e-mail (default: the single local person).
    #[arg(long, env = "SALESFORCE_MCP_USER")]
    pub user: Option<String>,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// The terminal callback URL for a port (host `localhost`, as registered in Salesforce).
pub fn redirect_uri(port: u16) -> String {
    format!("http://localhost:{port}{CALLBACK_PATH}")
}

/// Connects: prints (and opens) the authorize URL, waits for the callback, prints who connected.
pub async fn connect(app: &App, args: &ConnectArgs) -> Result<ExitCode, String> {
    let user = app
        .local_user(args.user.as_deref())
        .map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.callback_port))
        .await
        .map_err(|e| format!("cannot listen on localhost:{} for the callback ({e}); pick another port with --callback-port and register that callback URL in Salesforce", args.callback_port))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let url = app
        .connections
        .begin(user.id, &redirect_uri(port))
        .await
        .map_err(|e| e.to_string())?;
    say!(
        "Open this URL to connect Salesforce for {}:\n{url}",
        user.email
    );
    if !args.no_browser && webbrowser::open(&url).is_err() {
        eprintln!("(could not open a browser; open the URL above yourself)");
    }
    eprintln!(
        "Waiting for Salesforce to call back on {} ...",
        redirect_uri(port)
    );
    let outcome = tokio::time::timeout(
        std::time::Duration::from_secs(600),
        callback::serve_once(app.connections.clone(), listener, url),
    )
    .await
    .map_err(|_| "no callback within 10 minutes; run `salesforce-mcp connect` again".to_owned())?;
    let row = outcome?;
    say!("Connected as {} (org {})", row.username, row.org_id);
    Ok(ExitCode::SUCCESS)
}

/// Disconnects: revokes at Salesforce and deletes the connection.
pub async fn disconnect(app: &App, args: &UserArg) -> Result<ExitCode, String> {
    let user = app
        .local_user(args.user.as_deref())
        .map_err(|e| e.to_string())?;
    match app
        .connections
        .disconnect(user.id)
        .await
        .map_err(|e| e.to_string())?
    {
        None => say!(
            "{} has no Salesforce connection; nothing to do.",
            user.email
        ),
        Some(note) if note.is_empty() => say!(
            "Disconnected {}: the Salesforce grant was revoked.",
            user.email
        ),
        Some(note) => say!("Disconnected {}. {note}", user.email),
    }
    Ok(ExitCode::SUCCESS)
}

/// Shows the effective app and the connection.
pub async fn status(app: &App, args: &StatusArgs) -> Result<ExitCode, String> {
    let user = app
        .local_user(args.user.as_deref())
        .map_err(|e| e.to_string())?;
    let status = crate::mcp::connection_status(
        &app.reads,
        user.id,
        "Run `salesforce-mcp connect` to connect.",
    )
    .await
    .map_err(|e| e.to_string())?;
    let value = serde_json::to_value(&status).map_err(|e| e.to_string())?;
    let text = format!(
        "Person: {}\nApp: {}\nStatus: {}\nUsername: {}\nOrg: {}\nInstance: {}\nLogin host: {}\nScopes: {}\nOffline refresh: {}\nAPI usage: {}{}",
        user.email,
        status
            .app
            .as_deref()
            .unwrap_or("none (Salesforce is not enabled)"),
        status.status,
        status.username.as_deref().unwrap_or("-"),
        status.org_id.as_deref().unwrap_or("-"),
        status.instance_url.as_deref().unwrap_or("-"),
        status.auth_base_url.as_deref().unwrap_or("-"),
        if status.scopes.is_empty() {
            "-".to_owned()
        } else {
            status.scopes.join(" ")
        },
        if status.offline_refresh { "yes" } else { "no" },
        status
            .api_usage
            .as_ref()
            .map(|u| format!("{}/{}", u["used"], u["limit"]))
            .unwrap_or_else(|| "-".into()),
        status
            .next_step
            .as_ref()
            .map(|n| format!("\nNext step: {n}"))
            .unwrap_or_default(),
    );
    emit(
        args.json,
        &json!({"user": user.email, "connection": value}),
        &text,
    );
    Ok(ExitCode::SUCCESS)
}
