//! The REST data API under `/services/data/`: versions, session checks, `Sforce-Limit-Info`,
//! injected failures, and routing to the dataset and the pager.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::data::ApiError;
use super::identity::bearer;
use super::records;
use super::state::{DAILY_API_LIMIT, Shared};

/// Newest API version the org serves.
pub(crate) const LATEST_MAJOR: u32 = 67;
/// Versions up to this one are retired (410 Gone).
const RETIRED_MAJOR: u32 = 30;
/// Oldest version still listed.
const OLDEST_MAJOR: u32 = 31;

/// What every data-API route gets about its request.
pub(crate) struct Call<'a> {
    /// Version without the `v` (`"67.0"`).
    pub version: String,
    /// Decoded query-string parameters.
    pub params: HashMap<String, String>,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// Raw request body.
    pub body: Bytes,
    /// The calling user's 18-character id (from the access token), once the session is checked.
    pub user: Option<String>,
}

/// A JSON response with Salesforce's content type.
pub(crate) fn json_response(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = [(header::CONTENT_TYPE, "application/json;charset=UTF-8")];
    (status, headers, body.to_string()).into_response()
}

/// A Salesforce error array as a response.
pub(crate) fn error_response(error: &ApiError) -> Response {
    json_response(error.status, &error.body)
}

/// `GET /services/data/`: the version list; no session needed, not counted.
pub(crate) async fn versions() -> Response {
    let list: Vec<Value> = (OLDEST_MAJOR..=LATEST_MAJOR)
        .map(|major| {
            let n = major - OLDEST_MAJOR;
            let season = ["Summer", "Winter", "Spring"][(n % 3) as usize];
            let year = 14 + n.div_ceil(3);
            json!({
                "label": format!("{season} '{year:02}"),
                "url": format!("/services/data/v{major}.0"),
                "version": format!("{major}.0"),
            })
        })
        .collect();
    json_response(200, &Value::Array(list))
}

/// Every other `/services/data/...` request.
pub(crate) async fn data_api(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let rest = uri.path().trim_start_matches("/services/data/");
    let mut segments: Vec<&str> = rest.split('/').collect();
    while segments.last() == Some(&"") {
        segments.pop();
    }
    let Some((version_segment, route)) = segments.split_first() else {
        return versions().await;
    };
    let version = match parse_version(version_segment) {
        Ok(version) => version,
        Err(response) => return *response,
    };
    let params: HashMap<String, String> = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let method = effective_method(method, &params);
    let (injected, usage) = admit(&shared, &headers);
    let user =
        bearer(&headers).and_then(|t| shared.inner().tokens.access(t).map(|g| g.user_id.clone()));
    let call = Call {
        version,
        params,
        headers: &headers,
        body,
        user,
    };
    let mut response = match injected {
        Some(response) => response,
        None => records::route(&shared, &call, route, &method),
    };
    let limit = format!("api-usage={usage}/{DAILY_API_LIMIT}");
    if let Ok(value) = HeaderValue::from_str(&limit) {
        response.headers_mut().insert("Sforce-Limit-Info", value);
    }
    response
}

/// Count the call, then answer it with an injected failure or a session error if one applies.
fn admit(shared: &Shared, headers: &HeaderMap) -> (Option<Response>, u64) {
    let mut inner = shared.inner();
    inner.api_usage += 1;
    let usage = inner.api_usage;
    if inner.fail_next.0 > 0 {
        inner.fail_next.0 -= 1;
        return (Some(injected_failure(inner.fail_next.1)), usage);
    }
    let session_ok = bearer(headers).is_some_and(|t| inner.tokens.access(t).is_some());
    if !session_ok {
        let error = ApiError::new(401, "INVALID_SESSION_ID", "Session expired or invalid");
        return (Some(error_response(&error)), usage);
    }
    (None, usage)
}

/// `v67.0` -> `67.0`; retired versions are 410, unknown ones 404.
fn parse_version(segment: &str) -> Result<String, Box<Response>> {
    let not_found = || Box::new(error_response(&not_found()));
    let number = segment.strip_prefix('v').ok_or_else(not_found)?;
    let (major, minor) = number.split_once('.').ok_or_else(not_found)?;
    let major: u32 = major.parse().map_err(|_| not_found())?;
    if minor != "0" || major > LATEST_MAJOR {
        return Err(not_found());
    }
    if major <= RETIRED_MAJOR {
        let gone = ApiError::new(
            410,
            "API_VERSION_RETIRED",
            &format!("API version {major}.0 has been retired. Use version {LATEST_MAJOR}.0."),
        );
        return Err(Box::new(error_response(&gone)));
    }
    Ok(number.to_string())
}

/// `POST ...?_HttpMethod=PATCH` stands for PATCH, for clients that cannot send it.
fn effective_method(method: Method, params: &HashMap<String, String>) -> Method {
    match params.get("_HttpMethod") {
        Some(m) if method == Method::POST => m.parse().unwrap_or(method),
        _ => method,
    }
}

/// The body of a `fail_next` answer.
fn injected_failure(status: u16) -> Response {
    let error = match status {
        500 => ApiError::new(
            500,
            "UNKNOWN_EXCEPTION",
            "An unexpected error occurred. Please include this ErrorId if you contact support: 1946219574-1234 (-1520937312)",
        ),
        403 => ApiError::new(
            403,
            "REQUEST_LIMIT_EXCEEDED",
            "TotalRequests Limit exceeded.",
        ),
        other => ApiError::new(
            other,
            "SERVER_UNAVAILABLE",
            "Server temporarily unavailable. Please try again later.",
        ),
    };
    error_response(&error)
}

/// 404 NOT_FOUND, Salesforce's answer for an unknown resource.
pub(crate) fn not_found() -> ApiError {
    ApiError::new(404, "NOT_FOUND", "The requested resource does not exist")
}

/// 405 naming the methods a resource allows.
pub(crate) fn method_not_allowed(method: &Method, allowed: &str) -> Response {
    let message = format!("HTTP Method '{method}' not allowed. Allowed are {allowed}");
    error_response(&ApiError::new(405, "METHOD_NOT_ALLOWED", &message))
}

/// Any path outside the known endpoints.
pub(crate) async fn fallback() -> Response {
    error_response(&not_found())
}
