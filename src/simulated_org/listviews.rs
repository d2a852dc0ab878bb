//! `/sobjects/{X}/listviews/...` and `/recent`.

use axum::http::Method;
use axum::response::Response;
use serde_json::Value;

use super::data::ApiError;
use super::rest::{Call, error_response, json_response, method_not_allowed, not_found};
use super::state::Shared;

fn respond(result: Result<Value, ApiError>) -> Response {
    match result {
        Ok(body) => json_response(200, &body),
        Err(error) => error_response(&error),
    }
}

/// Dispatch `route` (`["sobjects", X, "listviews", ..]`).
pub(crate) fn route(shared: &Shared, call: &Call<'_>, route: &[&str], method: &Method) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return method_not_allowed(method, "GET,HEAD");
    }
    let data = shared.data();
    let version = &call.version;
    let number = |name: &str, default: usize| {
        call.params
            .get(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    match route {
        ["sobjects", object, "listviews"] => respond(data.list_views(object, version)),
        ["sobjects", object, "listviews", id] => respond(data.list_view(object, id, version)),
        ["sobjects", object, "listviews", id, "describe"] => {
            respond(data.list_view_describe(object, id))
        }
        ["sobjects", object, "listviews", id, "results"] => respond(data.list_view_results(
            object,
            id,
            number("limit", 25),
            number("offset", 0),
            version,
        )),
        _ => error_response(&not_found()),
    }
}

/// `GET /recent?limit=N`: recently viewed records, newest first.
pub(crate) fn recent(shared: &Shared, call: &Call<'_>) -> Response {
    let limit = call
        .params
        .get("limit")
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    json_response(200, &shared.data().recent(limit, &call.version))
}
