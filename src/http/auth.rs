//! Bearer API tokens on every `/mcp` request: the person goes into the request extensions as
//! [`Caller`], which the MCP handler reads. Missing or bad tokens get 401 with the challenge; a
//! token in the query string is refused.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

use super::metadata::challenge;
use super::server::{Access, HttpState};
use crate::authz::AccessCheck;
use crate::mcp::Caller;
use crate::store;

/// Query parameters that would carry a credential (RFC 6750 section 2.3 and common variants).
const TOKEN_PARAMS: &[&str] = &["access_token", "token", "api_token", "apikey", "api_key"];

/// The bearer-token middleware for `/mcp`.
pub async fn bearer(State(state): State<HttpState>, mut request: Request, next: Next) -> Response {
    if token_in_query(request.uri()) {
        return refuse(
            &state,
            http::StatusCode::BAD_REQUEST,
            Some("invalid_request"),
            "API tokens are accepted only in the Authorization header (Authorization: Bearer <token>), never in the URL; remove it from the URL and revoke it, since URLs end up in logs",
        );
    }
    let caller = match state.config.access {
        Access::Fixed(caller) => caller,
        Access::Tokens => match authenticate(&state, request.headers()).await {
            Ok(caller) => caller,
            Err(response) => return response,
        },
    };
    request.extensions_mut().insert(caller);
    next.run(request).await
}

async fn authenticate(state: &HttpState, headers: &http::HeaderMap) -> Result<Caller, Response> {
    let Some(token) = bearer_token(headers) else {
        return Err(refuse(
            state,
            http::StatusCode::UNAUTHORIZED,
            None,
            "Sign-in required: sign in with OAuth (your MCP client does it when you add the server by its URL), or send a salesforce-mcp API token as `Authorization: Bearer <token>` (an admin creates one with `salesforce-mcp admin token create EMAIL`)",
        ));
    };
    if let Some(authz) = &state.authz
        && token.starts_with(crate::authz::tokens::ACCESS_PREFIX)
    {
        return match authz.check_access(token).await {
            Ok(AccessCheck::Valid { user_id, .. }) => Ok(Caller { user_id }),
            Ok(AccessCheck::NeedsSignIn) => Err(refuse(
                state,
                http::StatusCode::UNAUTHORIZED,
                Some("invalid_token"),
                "Your Salesforce sign-in has expired: sign in again",
            )),
            Ok(AccessCheck::Invalid) => Err(refuse(
                state,
                http::StatusCode::UNAUTHORIZED,
                Some("invalid_token"),
                "This access token is expired, revoked or not for this server: refresh it or sign in again",
            )),
            Err(e) => {
                tracing::error!(error = %e, "access token lookup failed");
                Err(unavailable())
            }
        };
    }
    let hash = store::tokens::hash(token);
    let user = state
        .app
        .store
        .call(move |c| store::tokens::user_for(c, &hash))
        .await;
    match user {
        Ok(Some(user_id)) => Ok(Caller { user_id }),
        Ok(None) => Err(refuse(
            state,
            http::StatusCode::UNAUTHORIZED,
            Some("invalid_token"),
            "This API token is not valid (unknown or revoked): ask an admin for a new one (`salesforce-mcp admin token create EMAIL`)",
        )),
        Err(e) => {
            tracing::error!(error = %e, "token lookup failed");
            Err(unavailable())
        }
    }
}

fn unavailable() -> Response {
    (
        http::StatusCode::SERVICE_UNAVAILABLE,
        "The server cannot check tokens right now (database error); try again shortly",
    )
        .into_response()
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer_token(headers: &http::HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn token_in_query(uri: &http::Uri) -> bool {
    uri.query().is_some_and(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .any(|(k, _)| TOKEN_PARAMS.iter().any(|p| k.eq_ignore_ascii_case(p)))
    })
}

fn refuse(
    state: &HttpState,
    status: http::StatusCode,
    error: Option<&str>,
    message: &str,
) -> Response {
    let body = serde_json::json!({
        "error": error.unwrap_or("unauthorized"),
        "error_description": message,
    });
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(value) =
        http::HeaderValue::from_str(&challenge(state.public_url(), error, state.authz.is_some()))
    {
        response
            .headers_mut()
            .insert(http::header::WWW_AUTHENTICATE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_token_reads_only_the_bearer_scheme() {
        let mut h = http::HeaderMap::new();
        h.insert(http::header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(bearer_token(&h), Some("abc"));
        h.insert(http::header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer_token(&h), None);
        h.insert(http::header::AUTHORIZATION, "bearer   ".parse().unwrap());
        assert_eq!(bearer_token(&h), None);
    }

    #[test]
    fn token_in_query_is_detected_in_any_case() {
        assert!(token_in_query(&"/mcp?access_token=x".parse().unwrap()));
        assert!(token_in_query(&"/mcp?a=1&Token=x".parse().unwrap()));
        assert!(!token_in_query(&"/mcp?a=1".parse().unwrap()));
        assert!(!token_in_query(&"/mcp".parse().unwrap()));
    }
}
