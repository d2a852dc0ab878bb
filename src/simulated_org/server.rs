//! The simulated org's router and its life on a socket.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::{any, get, post};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::state::Shared;
use super::{control, identity, log, oauth, rest, token};

/// Every route of the org: OAuth on the login host, the data API on the instance (the same server).
pub(crate) fn app(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/services/oauth2/authorize", get(oauth::authorize))
        .route("/services/oauth2/token", post(token::token))
        .route("/services/oauth2/revoke", post(oauth::revoke))
        .route("/services/oauth2/introspect", post(oauth::introspect))
        .route("/services/oauth2/userinfo", get(identity::userinfo))
        .route("/id/{org}/{user}", get(identity::identity))
        .route("/services/data", get(rest::versions))
        .route("/services/data/", get(rest::versions))
        .route("/services/data/{*rest}", any(rest::data_api))
        .nest("/_sim", control::routes())
        .fallback(rest::fallback)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            log::log_and_delay,
        ))
        .with_state(shared)
}

/// A bound listener and the state it serves, before serving starts.
pub(crate) struct Bound {
    /// The listener.
    pub listener: TcpListener,
    /// The state.
    pub shared: Arc<Shared>,
}

/// Bind `addr` and build the state for the address actually bound.
pub(crate) async fn bind(addr: SocketAddr, config: super::SimOrgConfig) -> std::io::Result<Bound> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let base_url = format!("http://{local}");
    let shared = Arc::new(Shared::new(base_url, config));
    Ok(Bound { listener, shared })
}

/// Serve until `stop` is cancelled.
pub(crate) fn spawn(bound: Bound, stop: CancellationToken) -> JoinHandle<()> {
    let app = app(bound.shared);
    tokio::spawn(async move {
        crate::http::accept::serve_until(
            bound.listener,
            app,
            crate::http::accept::ConnectionSettings::default(),
            stop.cancelled_owned(),
        )
        .await;
    })
}
