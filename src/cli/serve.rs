//! `serve` (MCP over stdio) and `demo` (the same server against the built-in simulated org).

use std::io::IsTerminal as _;
use std::process::ExitCode;

use rmcp::ServiceExt as _;

use super::{Cli, ServeOptions, settings};
use crate::app::App;
use crate::mcp::{Mode, SalesforceMcp};
use crate::simulated_org::{SimOrgConfig, SimulatedOrg};

/// Serves MCP: for the local person on stdio, or for many people over HTTP.
pub async fn serve(app: App, opts: &ServeOptions) -> Result<ExitCode, String> {
    let _sweeper = start_change_upkeep(&app).await?;
    if let Some(addr) = &opts.http {
        return super::serve_http::serve(app, opts, addr).await;
    }
    let user = app
        .local_user(opts.user.as_deref())
        .map_err(|e| e.to_string())?;
    serve_stdio(SalesforceMcp::new(
        app.reads.clone(),
        app.changes.clone(),
        Mode::Stdio {
            user_id: user.id,
            cli_args: crate::mcp::cli_args(opts.user.as_deref(), &app.settings.db_path),
        },
    ))
    .await
}

/// Changes left executing by a stopped process become `unknown` now and on every sweep.
async fn start_change_upkeep(app: &App) -> Result<SweeperGuard, String> {
    app.changes
        .recover_orphans_at_startup()
        .await
        .map_err(|e| e.to_string())?;
    Ok(SweeperGuard(app.changes.spawn_sweeper()))
}

/// Stops the periodic change sweep when dropped.
struct SweeperGuard(tokio::task::JoinHandle<()>);
impl Drop for SweeperGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn serve_stdio(server: SalesforceMcp) -> Result<ExitCode, String> {
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| format!("MCP over stdio failed to start: {e}"))?;
    running
        .waiting()
        .await
        .map_err(|e| format!("MCP over stdio stopped: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// Starts the simulated org, connects the local person through the real OAuth flow, and serves.
pub async fn demo(cli: &Cli, opts: &ServeOptions) -> Result<ExitCode, String> {
    let temp = tempdir_for_demo(cli)?;
    let mut s = settings(cli, Some(opts))?;
    if let Some(dir) = &temp {
        s.db_path = dir.join("demo.db");
    }
    s.allow_insecure_loopback = true;
    let org = match &opts.simulated_org_url {
        Some(_) => None,
        None => Some(
            SimulatedOrg::start(SimOrgConfig::default())
                .await
                .map_err(|e| format!("cannot start the simulated org: {e}"))?,
        ),
    };
    let org_url = match (&org, &opts.simulated_org_url) {
        (Some(org), _) => org.base_url(),
        (None, url) => external_org_url(url.as_deref().unwrap_or_default())?,
    };
    let app = App::build(s).map_err(|e| e.to_string())?;
    let user = app
        .local_user(opts.user.as_deref())
        .map_err(|e| e.to_string())?;
    crate::demo::configure_org_app_at(&app, org_url.clone())?;
    let username = crate::demo::connect_through_oauth(&app, user.id).await?;
    eprintln!(
        "salesforce-mcp demo: simulated Salesforce org at {org_url} (control: {org_url}/_sim/requests); connected as {username}"
    );
    let _sweeper = start_change_upkeep(&app).await?;
    let outcome = match &opts.http {
        Some(addr) => super::serve_http::demo(app, opts, addr, user.id).await,
        None => {
            let server = SalesforceMcp::new(
                app.reads.clone(),
                app.changes.clone(),
                Mode::Stdio {
                    user_id: user.id,
                    cli_args: crate::mcp::cli_args(opts.user.as_deref(), &app.settings.db_path),
                },
            );
            if std::io::stdin().is_terminal() {
                eprintln!(
                    "This is an MCP server speaking on standard input/output. Point your MCP client at it instead of typing here, e.g. in mcp.json:\n  \
                     {{\"mcpServers\": {{\"salesforce-demo\": {{\"command\": \"salesforce-mcp\", \"args\": [\"demo\"]}}}}}}\n\
                     or run `salesforce-mcp demo --http 127.0.0.1:8080` and use http://127.0.0.1:8080/mcp. Press Ctrl-C to stop."
                );
            }
            serve_stdio(server).await
        }
    };
    drop(org);
    drop(temp);
    outcome
}

/// `--simulated-org-url`: a loopback http URL (the demo trusts it with the demo person's tokens).
fn external_org_url(text: &str) -> Result<String, String> {
    let url = url::Url::parse(text)
        .map_err(|e| format!("--simulated-org-url '{text}' is not a URL ({e})"))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    if url.scheme() != "http" || !loopback {
        return Err(format!(
            "--simulated-org-url '{text}' must be an http URL on a loopback address, e.g. http://127.0.0.1:9000"
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// A temporary directory for the demo's database, unless `--db` was given.
fn tempdir_for_demo(cli: &Cli) -> Result<Option<TempDir>, String> {
    // Only an explicit --db keeps the demo's state; SALESFORCE_MCP_DB in the environment points at
    // the person's real database, which the demo must never rewrite.
    let explicit = std::env::args().any(|a| a == "--db" || a.starts_with("--db="));
    if cli.db.is_some() && explicit {
        return Ok(None);
    }
    let path = std::env::temp_dir().join(format!(
        "salesforce-mcp-demo-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&path)
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    Ok(Some(TempDir(path)))
}

/// Removes the demo's temporary directory when dropped.
struct TempDir(std::path::PathBuf);
impl std::ops::Deref for TempDir {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
