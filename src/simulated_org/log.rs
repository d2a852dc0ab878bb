//! Middleware for every non-control request: the latency switch and the request log. The log
//! never holds tokens, codes, secrets or verifiers.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::LoggedRequest;
use super::oauth::parse_form;
use super::state::Shared;

/// Largest request body the org reads.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Query parameters that carry credentials and are dropped from the log.
const SECRET_PARAMS: &[&str] = &[
    "code",
    "code_verifier",
    "client_secret",
    "token",
    "refresh_token",
    "access_token",
    "oauth_token",
    "state",
    "assertion",
    "client_assertion",
];

/// Apply latency, run the request, log it (control endpoints pass straight through).
pub(crate) async fn log_and_delay(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path().starts_with("/_sim/") {
        return next.run(request).await;
    }
    let latency = shared.inner().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return (
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "request body too large",
        )
            .into_response();
    };
    let path = parts.uri.path().to_string();
    let is_token = path == "/services/oauth2/token";
    let entry = LoggedRequest {
        method: parts.method.to_string(),
        query: if is_token {
            None
        } else {
            parts.uri.query().and_then(clean_query)
        },
        grant_type: if is_token {
            parse_form(&bytes).remove("grant_type")
        } else {
            None
        },
        body: write_body(&parts.method, &path, &bytes),
        status: 0,
        path,
    };
    // Salesforce answers a request line over 16,384 bytes with 414 before doing anything.
    let uri_bytes = parts.uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    let response = if uri_bytes > crate::salesforce::error::MAX_URI_BYTES {
        (
            axum::http::StatusCode::URI_TOO_LONG,
            "414 Request-URI Too Long",
        )
            .into_response()
    } else {
        next.run(Request::from_parts(parts, Body::from(bytes)))
            .await
    };
    let status = response.status().as_u16();
    shared.inner().log.push(LoggedRequest { status, ..entry });
    response
}

/// The query string without credential parameters; `None` when nothing is left.
fn clean_query(query: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let secret = |name: &str| SECRET_PARAMS.contains(&name);
    let cleaned = if pairs.iter().any(|(k, _)| secret(k)) {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(k, _)| !secret(k)) {
            out.append_pair(k, v);
        }
        out.finish()
    } else {
        query.to_string()
    };
    (!cleaned.is_empty()).then_some(cleaned)
}

/// The JSON body of a data-API write.
fn write_body(method: &Method, path: &str, body: &Bytes) -> Option<serde_json::Value> {
    let write = matches!(*method, Method::POST | Method::PATCH | Method::PUT);
    if !write || !path.starts_with("/services/data/") {
        return None;
    }
    serde_json::from_slice(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_parameters_are_dropped_from_logged_queries() {
        let q = "code=aPrx%3D%3D&state=xyz&client_id=abc";
        assert_eq!(clean_query(q).as_deref(), Some("client_id=abc"));
        assert_eq!(clean_query("token=abc"), None);
        assert_eq!(
            clean_query("q=SELECT+Id+FROM+Account").as_deref(),
            Some("q=SELECT+Id+FROM+Account")
        );
    }
}
