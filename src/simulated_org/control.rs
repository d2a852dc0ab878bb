//! `/_sim/...`: the test switches over HTTP, for tests that run the org in another process.
//! These requests are not logged and get no latency or injected failures.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use super::SimOrgHandle;
use super::rest::error_response;
use super::state::Shared;

type Params = Query<HashMap<String, String>>;

/// The control routes, to be nested under `/_sim`.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/requests", get(requests))
        .route("/requests/clear", post(clear))
        .route("/expire-access-tokens", post(expire))
        .route("/revoke-refresh-tokens", post(revoke))
        .route("/fail-next", post(fail_next))
        .route("/latency", post(latency))
        .route("/rotation", post(rotation))
        .route("/second-key", post(second_key))
        .route("/require-pkce", post(require_pkce))
        .route("/batch-size", post(batch_size))
        .route("/deny-next-authorization", post(deny_next))
        .route("/users", get(users))
        .route("/records/{object}/{id}", get(record))
        .route("/view/{object}/{id}", post(view))
}

fn handle(shared: Arc<Shared>) -> SimOrgHandle {
    SimOrgHandle { shared }
}

fn ok() -> Response {
    axum::Json(json!({ "ok": true })).into_response()
}

/// A required query parameter parsed as `T`, or a 400 that names it.
fn param<T: std::str::FromStr>(
    params: &HashMap<String, String>,
    name: &str,
) -> Result<T, Box<Response>> {
    params
        .get(name)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            let message = format!("query parameter `{name}` is missing or not valid");
            Box::new((StatusCode::BAD_REQUEST, message).into_response())
        })
}

async fn requests(State(shared): State<Arc<Shared>>) -> Response {
    axum::Json(handle(shared).requests()).into_response()
}

async fn clear(State(shared): State<Arc<Shared>>) -> Response {
    handle(shared).clear_requests();
    ok()
}

async fn expire(State(shared): State<Arc<Shared>>) -> Response {
    handle(shared).expire_access_tokens();
    ok()
}

async fn revoke(State(shared): State<Arc<Shared>>) -> Response {
    handle(shared).revoke_refresh_tokens();
    ok()
}

async fn fail_next(State(shared): State<Arc<Shared>>, Query(params): Params) -> Response {
    let count = match param::<u32>(&params, "count") {
        Ok(count) => count,
        Err(response) => return *response,
    };
    let status = params
        .get("status")
        .and_then(|s| s.parse().ok())
        .unwrap_or(503);
    handle(shared).fail_next(count, status);
    ok()
}

async fn latency(State(shared): State<Arc<Shared>>, Query(params): Params) -> Response {
    match param::<u64>(&params, "ms") {
        Ok(ms) => {
            handle(shared).set_latency(Duration::from_millis(ms));
            ok()
        }
        Err(response) => *response,
    }
}

async fn rotation(State(shared): State<Arc<Shared>>, Query(params): Params) -> Response {
    match param::<bool>(&params, "on") {
        Ok(on) => {
            handle(shared).set_rotation(on);
            ok()
        }
        Err(response) => *response,
    }
}

/// `?client_id=K[&client_secret=S][&separate_app=true]` gives the app a second consumer key (as
/// External Client Apps have two credential sets); without `client_id` it is removed.
async fn second_key(State(shared): State<Arc<Shared>>, Query(params): Params) -> Response {
    let key = params
        .get("client_id")
        .filter(|k| !k.is_empty())
        .map(|k| super::SimConsumerKey {
            client_id: k.clone(),
            client_secret: params
                .get("client_secret")
                .filter(|s| !s.is_empty())
                .cloned(),
            separate_app: params.get("separate_app").is_some_and(|v| v == "true"),
        });
    handle(shared).set_second_key(key);
    ok()
}

async fn require_pkce(State(shared): State<Arc<Shared>>, Query(params): Params) -> Response {
    match param::<bool>(&params, "on") {
        Ok(on) => {
            handle(shared).set_require_pkce(on);
            ok()
        }
        Err(response) => *response,
    }
}

async fn batch_size(State(shared): State<Arc<Shared>>, Query(params): Params) -> Response {
    match param::<usize>(&params, "n") {
        Ok(n) if n > 0 => {
            handle(shared).set_batch_size(n);
            ok()
        }
        Ok(_) => (StatusCode::BAD_REQUEST, "`n` must be at least 1").into_response(),
        Err(response) => *response,
    }
}

async fn deny_next(State(shared): State<Arc<Shared>>) -> Response {
    handle(shared).deny_next_authorization();
    ok()
}

async fn users(State(shared): State<Arc<Shared>>) -> Response {
    axum::Json(handle(shared).users()).into_response()
}

async fn record(
    State(shared): State<Arc<Shared>>,
    Path((object, id)): Path<(String, String)>,
) -> Response {
    let version = format!("{}.0", super::rest::LATEST_MAJOR);
    match shared.data().get(&object, &id, None, &version) {
        Ok(record) => axum::Json(record).into_response(),
        Err(error) => error_response(&error),
    }
}

/// The user opens a record in the Salesforce UI (it becomes recently viewed).
async fn view(
    State(shared): State<Arc<Shared>>,
    Path((object, id)): Path<(String, String)>,
) -> Response {
    if handle(shared).view_in_ui(&object, &id) {
        ok()
    } else {
        (StatusCode::NOT_FOUND, "no such record").into_response()
    }
}
