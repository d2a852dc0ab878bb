//! The authorization server's HTTP endpoints (RFC 8414 metadata, RFC 7591 registration, the
//! authorization code flow with "Sign in with Salesforce" and consent, RFC 6749 token, RFC 7009
//! revocation). The logic lives in `crate::authz`; this is the edge.

mod signin;

use std::collections::HashMap;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse as _, Response};
use axum::routing::{get, post};
use base64::Engine as _;

use super::server::HttpState;
use crate::authz::{AuthServer, OAuthFailure, SCOPE};

pub(crate) use signin::upstream_callback;

/// Largest registration request: a client's metadata is a few hundred bytes.
const REGISTER_MAX_BYTES: usize = 8 * 1024;

/// Where the RFC 8414 metadata lives.
pub const AS_METADATA_PATH: &str = "/.well-known/oauth-authorization-server";

/// The authorization server's routes (answering 404 when it is off).
pub fn routes() -> Router<HttpState> {
    Router::new()
        .route(AS_METADATA_PATH, get(metadata))
        .route(&format!("{AS_METADATA_PATH}/mcp"), get(metadata))
        .route(
            "/register",
            post(register)
                .layer(tower_http::limit::RequestBodyLimitLayer::new(
                    REGISTER_MAX_BYTES,
                ))
                .options(preflight),
        )
        .route("/token", post(token).options(preflight))
        .route("/revoke", post(revoke).options(preflight))
        .route("/authorize", get(signin::authorize))
        .route("/authorize/email", post(signin::email))
        .route(
            "/authorize/consent",
            get(signin::consent_page).post(signin::decide),
        )
        .route("/login/salesforce", get(signin::web_sign_in))
}

/// The RFC 8414 document.
pub fn metadata_json(authz: &AuthServer) -> serde_json::Value {
    let issuer = authz.issuer();
    serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "registration_endpoint": format!("{issuer}/register"),
        "revocation_endpoint": format!("{issuer}/revoke"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_post", "client_secret_basic"],
        "revocation_endpoint_auth_methods_supported": ["none", "client_secret_post", "client_secret_basic"],
        "scopes_supported": [SCOPE, "offline_access"],
        "client_id_metadata_document_supported": true,
        "authorization_response_iss_parameter_supported": true,
        "service_documentation": format!("{issuer}/login"),
    })
}

fn off() -> Response {
    (
        http::StatusCode::NOT_FOUND,
        "This server does not sign in MCP clients with OAuth (serve --oauth off); use an API token",
    )
        .into_response()
}

/// Sets fixed headers on a response.
fn with_headers(mut response: Response, headers: &[(http::HeaderName, &'static str)]) -> Response {
    for (name, value) in headers {
        response
            .headers_mut()
            .insert(name.clone(), http::HeaderValue::from_static(value));
    }
    response
}

/// JSON for a client: CORS for browser-based clients, never cached.
fn json(status: u16, body: &serde_json::Value) -> Response {
    let status = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_REQUEST);
    with_headers(
        (status, axum::Json(body)).into_response(),
        &[
            (http::header::CACHE_CONTROL, "no-store"),
            (http::header::PRAGMA, "no-cache"),
            (http::header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
    )
}

fn failure(f: &OAuthFailure, basic_used: bool) -> Response {
    let mut response = json(f.status, &f.body());
    if f.status == 401 && basic_used {
        response.headers_mut().insert(
            http::header::WWW_AUTHENTICATE,
            http::HeaderValue::from_static("Basic realm=\"salesforce-mcp\""),
        );
    }
    response
}

async fn preflight() -> Response {
    with_headers(
        http::StatusCode::NO_CONTENT.into_response(),
        &[
            (http::header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (http::header::ACCESS_CONTROL_ALLOW_METHODS, "POST, OPTIONS"),
            (
                http::header::ACCESS_CONTROL_ALLOW_HEADERS,
                "authorization, content-type, mcp-protocol-version",
            ),
        ],
    )
}

async fn metadata(State(state): State<HttpState>) -> Response {
    let Some(authz) = &state.authz else {
        return off();
    };
    let mut response = json(200, &metadata_json(authz));
    response.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("public, max-age=300"),
    );
    response
}

async fn register(State(state): State<HttpState>, body: axum::body::Bytes) -> Response {
    let Some(authz) = &state.authz else {
        return off();
    };
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return failure(
            &OAuthFailure::bad("invalid_client_metadata", "the body must be a JSON object"),
            false,
        );
    };
    match authz.register(&doc).await {
        Ok(out) => json(201, &out),
        Err(f) => failure(&f, false),
    }
}

/// The client id and secret of an `Authorization: Basic` header (RFC 6749 2.3.1: form-encoded).
fn basic_credentials(headers: &http::HeaderMap) -> Option<(String, String)> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unform = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some((unform(id), unform(secret)))
}

async fn token(
    State(state): State<HttpState>,
    headers: http::HeaderMap,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let Some(authz) = &state.authz else {
        return off();
    };
    let basic = basic_credentials(&headers);
    let basic_used = basic.is_some();
    match authz.token(&form, basic).await {
        Ok(out) => json(200, &out),
        Err(f) => failure(&f, basic_used),
    }
}

async fn revoke(
    State(state): State<HttpState>,
    headers: http::HeaderMap,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let Some(authz) = &state.authz else {
        return off();
    };
    let basic = basic_credentials(&headers);
    let basic_used = basic.is_some();
    match authz.revoke(&form, basic).await {
        Ok(()) => json(200, &serde_json::json!({})),
        Err(f) if f.status == 401 => failure(&f, basic_used),
        // RFC 7009: anything else about the token itself still answers 200.
        Err(_) => json(200, &serde_json::json!({})),
    }
}
