//! OAuth endpoints other than the token endpoint: authorize (auto-approving), revoke and
//! introspect, plus the response shapes every OAuth endpoint shares.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;
use url::Url;

use super::SimUser;
use super::state::Shared;
use super::tokens::{AuthCode, TokenKind};

/// The path the project registers as its callback; any loopback port is accepted by default.
const DEFAULT_CALLBACK_PATH: &str = "/api/integrations/callback/salesforce";

/// Scopes granted when the authorize request names none (the app's configured scopes).
const DEFAULT_SCOPE: &str = "api refresh_token";

/// A token-endpoint style error: 400 `{"error","error_description"}`, not cached.
pub(crate) fn oauth_error(error: &str, description: &str) -> Response {
    let body = json!({ "error": error, "error_description": description });
    let mut response = (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
    no_store(&mut response);
    response
}

/// Mark a response `Cache-Control: no-store`, as Salesforce does for OAuth answers.
pub(crate) fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// The error page Salesforce shows when it cannot redirect (unknown app, unregistered URI).
fn error_page(error: &str, description: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html><head><title>OAuth Error</title></head><body>\
         <h1>OAuth Error</h1><p>We can't authorize you because of an OAuth error.</p>\
         <p>error={error}</p><p>error_description={description}</p></body></html>"
    );
    (StatusCode::BAD_REQUEST, axum::response::Html(html)).into_response()
}

fn redirect(location: &Url) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(location.as_str()) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    no_store(&mut response);
    response
}

/// `redirect_uri` with the given parameters and `state` appended to its query.
fn callback(redirect_uri: &Url, params: &[(&str, &str)], state: Option<&String>) -> Response {
    let mut url = redirect_uri.clone();
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in params {
            query.append_pair(name, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
    }
    redirect(&url)
}

/// Whether the app accepts this redirect URI: exact match against the registered list, or by
/// default any loopback `http` URL on the project's callback path.
fn redirect_allowed(registered: Option<&Vec<String>>, uri: &str) -> bool {
    if let Some(list) = registered {
        return list.iter().any(|r| r == uri);
    }
    let Ok(url) = Url::parse(uri) else {
        return false;
    };
    url.scheme() == "http"
        && matches!(url.host_str(), Some("localhost" | "127.0.0.1"))
        && url.port().is_some()
        && url.path() == DEFAULT_CALLBACK_PATH
}

/// `GET /services/oauth2/authorize`: validates the request and approves it at once as the user
/// named by `login_hint` (or the default user).
pub(crate) async fn authorize(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let get = |name: &str| params.get(name).filter(|v| !v.is_empty());
    let mut inner = shared.inner();
    let Some(client_id) = get("client_id").filter(|c| inner.config.secret_of(c).is_some()) else {
        return error_page("invalid_client_id", "client identifier invalid");
    };
    let client_id = client_id.clone();
    let Some(redirect_uri) = get("redirect_uri") else {
        return error_page("redirect_uri_missing", "redirect_uri must be provided");
    };
    let allowed = redirect_allowed(inner.config.redirect_uris.as_ref(), redirect_uri);
    let parsed = Url::parse(redirect_uri).ok().filter(|_| allowed);
    let Some(target) = parsed else {
        return error_page(
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        );
    };
    let state = get("state");
    let fail = |error: &str, description: &str| {
        callback(
            &target,
            &[("error", error), ("error_description", description)],
            state,
        )
    };
    if get("response_type").map(String::as_str) != Some("code") {
        return fail("unsupported_response_type", "response type not supported");
    }
    let challenge = get("code_challenge");
    let method = get("code_challenge_method").map(String::as_str);
    if inner.config.require_pkce && (challenge.is_none() || method.is_none()) {
        return fail("invalid_request", "missing required code challenge");
    }
    if method.is_some_and(|m| m != "S256") {
        return fail("invalid_request", "invalid code challenge method");
    }
    if std::mem::take(&mut inner.deny_next) {
        return fail("access_denied", "end-user denied authorization");
    }
    let user = pick_user(&shared.users, get("login_hint"));
    let code = inner.tokens.issue_code(AuthCode {
        client_id,
        redirect_uri: redirect_uri.clone(),
        challenge: challenge.cloned(),
        scope: granted_scope(get("scope")),
        user_id: user.user_id.clone(),
    });
    callback(&target, &[("code", &code)], state)
}

/// The user named by `login_hint` (case-insensitive username), else the default user.
fn pick_user<'a>(users: &'a [SimUser], hint: Option<&String>) -> &'a SimUser {
    let named = hint.and_then(|h| users.iter().find(|u| u.username.eq_ignore_ascii_case(h)));
    named.unwrap_or(&users[0])
}

/// The requested scopes, deduplicated, in request order.
fn granted_scope(requested: Option<&String>) -> String {
    let requested = requested.map_or(DEFAULT_SCOPE, String::as_str);
    let mut granted: Vec<&str> = Vec::new();
    for scope in requested.split([' ', '+']).filter(|s| !s.is_empty()) {
        if !granted.contains(&scope) {
            granted.push(scope);
        }
    }
    granted.join(" ")
}

/// Client credentials from HTTP Basic (URL-encoded parts) or the form body.
pub(crate) fn client_credentials(
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> (Option<String>, Option<String>) {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b64| {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
        })
        .and_then(|raw| String::from_utf8(raw).ok());
    if let Some((id, secret)) = basic.as_deref().and_then(|s| s.split_once(':')) {
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        return (decode(id), decode(secret).filter(|s| !s.is_empty()));
    }
    let field = |name: &str| form.get(name).filter(|v| !v.is_empty()).cloned();
    (field("client_id"), field("client_secret"))
}

/// Parse an `application/x-www-form-urlencoded` body.
pub(crate) fn parse_form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// `POST /services/oauth2/revoke`: a refresh token takes its access tokens with it.
pub(crate) async fn revoke(State(shared): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    let form = parse_form(&body);
    let token = form.get("token").map(String::as_str).unwrap_or_default();
    if shared.inner().tokens.revoke(token) {
        let mut response = StatusCode::OK.into_response();
        no_store(&mut response);
        return response;
    }
    oauth_error("invalid_token", "Token was invalid")
}

/// `POST /services/oauth2/introspect`: RFC 7662 answer for the app's own tokens.
pub(crate) async fn introspect(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = parse_form(&body);
    let (client_id, secret) = client_credentials(&headers, &form);
    let inner = shared.inner();
    let Some(expected) = client_id.as_deref().and_then(|c| inner.config.secret_of(c)) else {
        return oauth_error("invalid_client_id", "client identifier invalid");
    };
    if expected.is_some() && secret.as_deref() != expected {
        return oauth_error("invalid_client", "invalid client credentials");
    }
    let token = form.get("token").map(String::as_str).unwrap_or_default();
    let found = inner.tokens.introspect(token);
    let (grant, kind, issued) = match found {
        Some(TokenKind::Access(grant, at)) => (grant, "access_token", at),
        Some(TokenKind::Refresh(grant)) => (grant, "refresh_token", std::time::SystemTime::now()),
        None => return axum::Json(json!({ "active": false })).into_response(),
    };
    let Some(user) = shared.user(&grant.user_id) else {
        return axum::Json(json!({ "active": false })).into_response();
    };
    let iat = super::tokens::epoch_millis(issued) / 1000;
    axum::Json(json!({
        "active": true, "scope": grant.scope, "client_id": grant.client_id,
        "username": user.username, "sub": shared.identity_url(user), "token_type": kind,
        "exp": iat + 7200, "iat": iat, "nbf": iat,
    }))
    .into_response()
}
