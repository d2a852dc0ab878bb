//! The HTTP app: `fn app(state) -> Router` (tests need no socket) and `serve` (a socket and a
//! graceful stop). Allowed hosts and origins come from the public URL.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse as _, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tower_http::limit::RequestBodyLimitLayer;

use super::accept::{self, ConnectionSettings};
use super::limits::{LimitSettings, RateLimiter};
use super::sessions::SessionOwners;
use super::{auth, authz, health, limits, metadata, sessions, web};
use crate::app::App;
use crate::authz::AuthServer;
use crate::mcp::{Caller, Mode, SalesforceMcp};

/// The server's public URL (what people and MCP clients use), without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    base: String,
    url: url::Url,
}

impl PublicUrl {
    /// Parses an `http` or `https` URL with a host and no query or fragment.
    pub fn parse(text: &str) -> Result<Self, String> {
        let url = url::Url::parse(text.trim()).map_err(|e| {
            format!("--public-url '{text}' is not a URL ({e}); use e.g. https://mcp.example.com")
        })?;
        let ok = matches!(url.scheme(), "http" | "https")
            && url.host_str().is_some()
            && url.query().is_none()
            && url.fragment().is_none()
            && url.username().is_empty()
            && url.password().is_none();
        if !ok {
            return Err(format!(
                "--public-url '{text}' must be an http or https URL with a host and no query, e.g. https://mcp.example.com"
            ));
        }
        let base = url.as_str().trim_end_matches('/').to_owned();
        Ok(Self { base, url })
    }

    /// The URL without a trailing slash, e.g. `https://mcp.example.com`.
    pub fn as_str(&self) -> &str {
        &self.base
    }

    /// The URL followed by `path` (which starts with `/`).
    pub fn join(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Whether browsers reach it over https (the session cookie is then `Secure`).
    pub fn is_https(&self) -> bool {
        self.url.scheme() == "https"
    }

    /// `Host` values accepted: the host, with its port when the URL names one.
    pub fn allowed_hosts(&self) -> Vec<String> {
        let host = self.url.host_str().unwrap_or_default().to_ascii_lowercase();
        match self.url.port() {
            Some(port) => vec![format!("{host}:{port}")],
            None => vec![host],
        }
    }

    /// The browser origin of the public URL, e.g. `https://mcp.example.com:443`.
    pub fn origin(&self) -> String {
        let host = self.url.host_str().unwrap_or_default().to_ascii_lowercase();
        let port = self.url.port_or_known_default().unwrap_or(80);
        format!("{}://{host}:{port}", self.url.scheme())
    }
}

/// Who a request to `/mcp` acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Every request carries a person's API token (`serve --http`).
    Tokens,
    /// Every request acts for one fixed person, without a token: the loopback demo and the
    /// test-only conformance configuration. Never for a real deployment.
    Fixed(Caller),
}

/// How the HTTP app is set up.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// The public URL.
    pub public_url: PublicUrl,
    /// How callers are identified.
    pub access: Access,
    /// Request size and rate limits.
    pub limits: LimitSettings,
    /// Whether MCP clients may sign in with OAuth (this server as their authorization server).
    pub oauth: bool,
}

/// Shared state of every route.
#[derive(Debug, Clone)]
pub struct HttpState {
    /// Services.
    pub app: App,
    /// The setup.
    pub config: Arc<HttpConfig>,
    /// Per-person rate limits.
    pub(crate) limiter: Arc<RateLimiter>,
    /// Legacy MCP sessions and their owners.
    pub(crate) sessions: SessionOwners,
    /// The authorization server for MCP clients (`None`: `--oauth off`, or no token access).
    pub(crate) authz: Option<AuthServer>,
}

impl HttpState {
    /// State for `app` with `config`.
    pub fn new(app: App, config: HttpConfig) -> Self {
        let limiter = Arc::new(RateLimiter::new(config.limits.clone()));
        let authz = (config.oauth && config.access == Access::Tokens)
            .then(|| AuthServer::new(app.store.clone(), &app.settings, config.public_url.as_str()))
            .and_then(|made| {
                made.map_err(
                    |e| tracing::error!(error = %e, "OAuth sign-in for MCP clients is off"),
                )
                .ok()
            });
        Self {
            app,
            config: Arc::new(config),
            limiter,
            sessions: SessionOwners::default(),
            authz,
        }
    }

    /// The public URL.
    pub fn public_url(&self) -> &PublicUrl {
        &self.config.public_url
    }
}

/// The whole HTTP app: `/mcp`, metadata, web pages, callback, health.
pub fn app(state: HttpState) -> Router {
    let mcp = mcp_router(&state);
    let checked = mcp
        .merge(metadata::routes())
        .merge(authz::routes())
        .merge(web::routes())
        .layer(middleware::from_fn_with_state(state.clone(), check_host));
    checked
        .merge(health::routes())
        .layer(RequestBodyLimitLayer::new(
            state.config.limits.max_body_bytes,
        ))
        .with_state(state)
}

fn mcp_router(state: &HttpState) -> Router<HttpState> {
    let public = state.public_url();
    let mode = match state.config.access {
        Access::Tokens => Mode::Http {
            public_url: public.as_str().to_owned(),
        },
        Access::Fixed(caller) => Mode::Stdio {
            user_id: caller.user_id,
            cli_args: crate::mcp::cli_args(None, &state.app.settings.db_path),
        },
    };
    let server = SalesforceMcp::new(state.app.reads.clone(), state.app.changes.clone(), mode);
    let manager = Arc::new(LocalSessionManager::default());
    state.sessions.watch(Arc::clone(&manager));
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(true)
        .with_allowed_hosts(public.allowed_hosts())
        .with_allowed_origins([public.origin()])
        .with_max_request_body_bytes(state.config.limits.max_body_bytes);
    let service = StreamableHttpService::new(move || Ok(server.clone()), manager, config);
    Router::new()
        .nest_service("/mcp", service)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            limits::whole_body,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            sessions::bind,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            limits::per_person,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), auth::bearer))
}

/// Refuses requests whose `Host` is not the public URL's (DNS rebinding).
async fn check_host(State(state): State<HttpState>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_ascii_lowercase)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_owned()));
    let allowed = state.public_url().allowed_hosts();
    if host.is_some_and(|h| allowed.contains(&h)) {
        return next.run(request).await;
    }
    (
        http::StatusCode::FORBIDDEN,
        format!(
            "Forbidden: this server answers only for host {} (its public URL {}); check --public-url",
            allowed.join(", "),
            state.public_url().as_str()
        ),
    )
        .into_response()
}

/// Serves `router` on `listener` with the default connection limits until Ctrl-C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> Result<(), String> {
    serve_with(listener, router, ConnectionSettings::default()).await
}

/// Serves `router` on `listener` with `settings` until Ctrl-C or SIGTERM, then lets requests
/// under way finish.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    router: Router,
    settings: ConnectionSettings,
) -> Result<(), String> {
    accept::serve_until(listener, router, settings, shutdown_signal()).await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_gives_hosts_and_origin() {
        let p = PublicUrl::parse("https://mcp.example.com/").unwrap();
        assert_eq!(p.as_str(), "https://mcp.example.com");
        assert_eq!(p.allowed_hosts(), vec!["mcp.example.com".to_owned()]);
        assert_eq!(p.origin(), "https://mcp.example.com:443");
        assert!(p.is_https());
        let local = PublicUrl::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(local.allowed_hosts(), vec!["127.0.0.1:8080".to_owned()]);
        assert_eq!(local.join("/connect"), "http://127.0.0.1:8080/connect");
    }

    #[test]
    fn public_url_refuses_queries_and_other_schemes() {
        assert!(PublicUrl::parse("ftp://x.example.com").is_err());
        assert!(PublicUrl::parse("https://x.example.com/?a=1").is_err());
        assert!(PublicUrl::parse("not a url").is_err());
    }
}
