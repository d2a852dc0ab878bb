//! `serve --http` (many people, API tokens) and `demo --http` (loopback, the demo person, or
//! test people with tokens): both use the one HTTP app builder, `http::app`.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use super::ServeOptions;
use crate::app::App;
use crate::config::{INSECURE_LOOPBACK_ENV, insecure_loopback_from_env};
use crate::http::accept::ConnectionSettings;
use crate::http::limits::LimitSettings;
use crate::http::{Access, HttpConfig, HttpState, PublicUrl};
use crate::mcp::Caller;
use crate::store;

/// The person every request acts for in the test-only no-auth configuration.
const CONFORMANCE_USER: &str = "conformance@localhost";

/// Serves MCP over Streamable HTTP plus the web routes, for many people with API tokens.
pub async fn serve(app: App, opts: &ServeOptions, addr: &str) -> Result<ExitCode, String> {
    let (listener, local) = bind(addr).await?;
    let access = if opts.insecure_no_auth_for_tests {
        Access::Fixed(conformance_caller(&app, local)?)
    } else {
        Access::Tokens
    };
    let public_url = public_url(app.settings.public_url.as_deref(), local)?;
    let config = HttpConfig {
        public_url: public_url.clone(),
        access,
        limits: LimitSettings::per_minute(opts.rate_limit),
        oauth: opts.oauth_enabled(),
    };
    let router = crate::http::app(HttpState::new(app, config));
    match access {
        Access::Tokens => eprintln!(
            "salesforce-mcp: listening on {local}; MCP over HTTP at {}; people sign in at {} to connect Salesforce",
            public_url.join("/mcp"),
            public_url.join("/login")
        ),
        Access::Fixed(_) => eprintln!(
            "salesforce-mcp: MCP over HTTP at {} WITHOUT AUTHENTICATION (test-only configuration)",
            public_url.join("/mcp")
        ),
    }
    crate::http::serve_with(listener, router, connection_settings(opts)).await?;
    Ok(ExitCode::SUCCESS)
}

/// The demo over HTTP: the demo person without sign-in, or `--test-people` with tokens.
pub async fn demo(
    app: App,
    opts: &ServeOptions,
    addr: &str,
    demo_user: i64,
) -> Result<ExitCode, String> {
    let (listener, local) = bind(addr).await?;
    if !local.ip().is_loopback() {
        return Err(format!(
            "demo --http serves without sign-in and only on a loopback address (127.0.0.1 or ::1), not {local}"
        ));
    }
    let public_url = public_url(app.settings.public_url.as_deref(), local)?;
    let oauth = opts.oauth == Some(super::OnOff::On);
    if opts.test_people > 0 {
        let path = opts
            .test_tokens_file
            .as_deref()
            .ok_or("--test-people needs --test-tokens-file PATH to write the people's tokens to")?;
        write_test_people(&app, opts.test_people, path, &public_url)?;
    }
    let access = if oauth || opts.test_people > 0 {
        Access::Tokens
    } else {
        Access::Fixed(Caller { user_id: demo_user })
    };
    let config = HttpConfig {
        public_url: public_url.clone(),
        access,
        limits: LimitSettings::per_minute(opts.rate_limit),
        oauth,
    };
    let router = crate::http::app(HttpState::new(app, config));
    let how = match access {
        Access::Fixed(_) => "demo: no sign-in, loopback only",
        Access::Tokens if oauth => "sign in with the simulated org (OAuth) or an API token",
        Access::Tokens => "test people: API tokens required",
    };
    eprintln!("MCP over HTTP at {} ({how})", public_url.join("/mcp"));
    crate::http::serve_with(listener, router, connection_settings(opts)).await?;
    Ok(ExitCode::SUCCESS)
}

/// `--max-connections`, `--header-timeout`, `--idle-timeout`.
fn connection_settings(opts: &ServeOptions) -> ConnectionSettings {
    ConnectionSettings {
        header_read_timeout: opts.header_timeout,
        idle_timeout: opts.idle_timeout,
        max_connections: opts.max_connections,
        ..ConnectionSettings::default()
    }
}

async fn bind(addr: &str) -> Result<(tokio::net::TcpListener, SocketAddr), String> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}; choose another address or port"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    Ok((listener, local))
}

/// `--public-url`, else `http://<bound address>` (which needs a specific address, not 0.0.0.0).
fn public_url(configured: Option<&str>, local: SocketAddr) -> Result<PublicUrl, String> {
    if let Some(url) = configured {
        return PublicUrl::parse(url);
    }
    if local.ip().is_unspecified() {
        return Err(format!(
            "listening on {local} (all addresses): pass --public-url with the URL people and MCP clients use, e.g. https://mcp.example.com"
        ));
    }
    PublicUrl::parse(&format!("http://{local}"))
}

fn conformance_caller(app: &App, local: SocketAddr) -> Result<Caller, String> {
    if !insecure_loopback_from_env() || !local.ip().is_loopback() {
        return Err(format!(
            "--insecure-no-auth-for-tests is for the conformance tests only: it needs {INSECURE_LOOPBACK_ENV}=1 and a loopback address (127.0.0.1)"
        ));
    }
    let user = app
        .store
        .call_sync(|c| store::users::insert(c, CONFORMANCE_USER, false))
        .map_err(|e| e.to_string())?;
    Ok(Caller { user_id: user.id })
}

/// Creates `person1@example.test` ... with one API token each and writes them as JSON.
fn write_test_people(app: &App, count: u32, path: &Path, public: &PublicUrl) -> Result<(), String> {
    let mut people = Vec::new();
    for i in 1..=count {
        let email = format!("person{i}@example.test");
        let token = super::admin::new_token();
        app.store
            .call_sync(|c| {
                let user = store::users::insert(c, &email, false)?;
                store::tokens::insert(c, user.id, &store::tokens::hash(&token))
            })
            .map_err(|e| e.to_string())?;
        people.push(serde_json::json!({"email": email, "token": token}));
    }
    let doc = serde_json::json!({"public_url": public.as_str(), "people": people});
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, doc.to_string())
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}
