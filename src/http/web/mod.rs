//! Web pages for people: sign in with an API token (a browser session cookie: HttpOnly,
//! SameSite=Lax, Secure when the public URL is https), the Salesforce connection page, the OAuth
//! callback and its result page. Forms carry the session's CSRF token.
//!
//! Other pages (such as `/changes/{id}`) use [`SignedIn`] as an extractor: it redirects to
//! `/login` when nobody is signed in, and [`SignedIn::check_csrf`] checks a form's token.

pub mod admin;
mod changes;
mod connect;
mod login;
pub mod pages;

pub(crate) use login::safe_next;

use axum::Router;
use axum::extract::{FromRef, FromRequestParts};
use axum::response::{IntoResponse as _, Redirect, Response};
use axum::routing::{get, post};

use super::server::HttpState;
use crate::oauth::CALLBACK_PATH;
use crate::store;

/// The session cookie's name (with the `__Host-` prefix when served over https).
pub const SESSION_COOKIE: &str = "sfmcp_session";
/// How long a browser session lasts.
pub const SESSION_HOURS: i64 = 12;

/// The web routes.
pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/connect") }))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/connect", get(connect::page).post(connect::start))
        .route("/connect/disconnect", post(connect::disconnect))
        .route("/connect/apps/{id}/revoke", post(connect::revoke_app))
        .route("/changes/{id}", get(changes::show))
        .route("/changes/{id}/approve", post(changes::approve))
        .route("/changes/{id}/reject", post(changes::reject))
        .route(CALLBACK_PATH, get(connect::callback))
        .merge(admin::routes())
}

/// How a browser session was signed in.
pub mod method {
    /// With an API token: the credential an MCP client holds, so it never grants power.
    pub const API_TOKEN: &str = "api_token";
    /// With "Sign in with Salesforce".
    pub const SALESFORCE: &str = "salesforce";
}

/// The signed-in person of a browser request.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The person.
    pub user_id: i64,
    /// Their e-mail.
    pub email: String,
    /// The session's CSRF token, to put in forms.
    pub csrf_token: String,
    /// How the session was signed in ([`method`]).
    pub method: String,
    /// The hash of the session's id (what step-up actions are bound to; not a secret).
    pub session_hash: String,
    /// When the person last proved who they are in this session (sign-in or step-up).
    pub authenticated_at: Option<String>,
}

impl SignedIn {
    /// Pages that grant power (approving a change, consenting to a client) need a session from
    /// "Sign in with Salesforce": an API token is what an MCP client (and anything that can read
    /// its configuration) holds, so it never opens them. `Some` is the page to show instead,
    /// with the sign-in button.
    pub fn salesforce_needed(&self, next: &str) -> Option<Response> {
        if self.method == method::SALESFORCE {
            return None;
        }
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("next", next)
            .finish();
        Some(pages::page(
            http::StatusCode::FORBIDDEN,
            "Sign in with Salesforce to continue",
            &format!(
                "<p>You are signed in with an API token. That is the credential your MCP client holds, so it cannot approve changes or allow apps: \
                 sign in with Salesforce to prove it is you.</p>\
                 <p><a class=\"button\" id=\"salesforce-sign-in\" href=\"/login/salesforce?{}\">Sign in with Salesforce</a></p>",
                pages::escape(&query)
            ),
        ))
    }

    /// Checks a submitted form's CSRF token (constant time); `Err` becomes a 403 page.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), CsrfRejected> {
        if same_secret(submitted, &self.csrf_token) {
            return Ok(());
        }
        Err(CsrfRejected)
    }

    /// The hidden form field carrying the CSRF token (name `csrf`).
    pub fn csrf_input(&self) -> String {
        format!(
            "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
            pages::escape(&self.csrf_token)
        )
    }
}

/// A form whose CSRF token is missing or wrong: answered with a 403 page.
#[derive(Debug, Clone, Copy)]
pub struct CsrfRejected;

impl axum::response::IntoResponse for CsrfRejected {
    fn into_response(self) -> Response {
        pages::page(
            http::StatusCode::FORBIDDEN,
            "Form expired",
            "<p>This form is out of date or did not come from this site. <a href=\"/connect\">Open the page again</a> and retry.</p>",
        )
    }
}

impl<S> FromRequestParts<S> for SignedIn
where
    HttpState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let state = HttpState::from_ref(state);
        let to_login = || {
            let next = parts
                .uri
                .path_and_query()
                .map_or("/connect", |p| p.as_str());
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("next", next)
                .finish();
            Redirect::to(&format!("/login?{query}")).into_response()
        };
        match session_of(&state, &parts.headers).await {
            Ok(Some(who)) => Ok(who),
            Ok(None) => Err(to_login()),
            Err(e) => Err(pages::internal(&e.to_string())),
        }
    }
}

/// The signed-in person of a request's session cookie, if any.
pub async fn session_of(
    state: &HttpState,
    headers: &http::HeaderMap,
) -> Result<Option<SignedIn>, store::StoreError> {
    let Some(id) = cookie(headers, &session_cookie_name(state)) else {
        return Ok(None);
    };
    let hash = store::tokens::hash(&id);
    let session_hash = hash.clone();
    let found = state
        .app
        .store
        .call(move |c| {
            let Some(s) = store::tokens::session(c, &hash)? else {
                return Ok(None);
            };
            Ok(store::users::find_by_id(c, s.user_id)?.map(|u| (s, u)))
        })
        .await?;
    Ok(found.map(|(session, user)| SignedIn {
        user_id: session.user_id,
        email: user.email,
        csrf_token: session.csrf_token,
        method: session.method,
        session_hash,
        authenticated_at: session.authenticated_at,
    }))
}

/// Opens a browser session for a person (`how`: a [`method`]); returns its `Set-Cookie` value.
/// When `headers` carry this browser's current session of the same person, that session ends
/// and its pending step-up actions move to the new one (signing in again is how an admin steps
/// up with Salesforce).
pub(crate) async fn open_session(
    state: &HttpState,
    headers: &http::HeaderMap,
    user_id: i64,
    how: &'static str,
) -> Result<String, store::StoreError> {
    let old_hash = cookie(headers, &session_cookie_name(state)).map(|id| store::tokens::hash(&id));
    let session_id = random_secret();
    let session_hash = store::tokens::hash(&session_id);
    let csrf = random_secret();
    let expires = store::timestamp(chrono::Utc::now() + chrono::Duration::hours(SESSION_HOURS));
    state
        .app
        .store
        .call(move |c| {
            let tx = c.transaction()?;
            store::tokens::insert_session(&tx, &session_hash, user_id, &csrf, &expires, how)?;
            if let Some(old) = old_hash
                && store::step_up::rebind(&tx, &old, &session_hash, user_id)? > 0
            {
                store::tokens::delete_session(&tx, &old)?;
            }
            tx.commit()
        })
        .await?;
    Ok(set_cookie(
        state,
        &session_cookie_name(state),
        &session_id,
        SESSION_HOURS * 3600,
    ))
}

/// The session cookie's name for this server.
pub fn session_cookie_name(state: &HttpState) -> String {
    if state.public_url().is_https() {
        format!("__Host-{SESSION_COOKIE}")
    } else {
        SESSION_COOKIE.to_owned()
    }
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure over https.
pub(crate) fn set_cookie(state: &HttpState, name: &str, value: &str, max_age: i64) -> String {
    let secure = if state.public_url().is_https() {
        "; Secure"
    } else {
        ""
    };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

pub use crate::secrets::random_secret;

pub(crate) use crate::secrets::same_secret;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_finds_the_named_value_among_several() {
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::COOKIE,
            "a=1; sfmcp_session=xyz; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, "sfmcp_session").as_deref(), Some("xyz"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn same_secret_needs_equal_nonempty_values() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abd", "abc"));
        assert!(!same_secret("", ""));
        assert!(!same_secret("ab", "abc"));
        assert_ne!(random_secret(), random_secret());
    }
}
