//! `/healthz` (the process answers) and `/readyz` (the database answers too).

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse as _, Response};
use axum::routing::get;

use super::server::HttpState;

/// The health routes (no host check, for load balancers that probe by address).
pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
}

async fn ready(State(state): State<HttpState>) -> Response {
    let outcome = state
        .app
        .store
        .call(|c| c.query_row("SELECT 1", &[], |r| r.get::<i64>(0)))
        .await;
    match outcome {
        Ok(1) => "ready\n".into_response(),
        Ok(_) | Err(_) => {
            if let Err(e) = &outcome {
                tracing::error!(error = %e, "readiness check failed");
            }
            (
                http::StatusCode::SERVICE_UNAVAILABLE,
                "not ready: the database does not answer; check the database (the file and its disk, or that PostgreSQL runs) and the server log\n",
            )
                .into_response()
        }
    }
}
