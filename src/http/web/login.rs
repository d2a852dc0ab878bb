//! `/login` (sign in with an API token) and `/logout`. The login form has its own CSRF token,
//! held in a short-lived cookie, since there is no session yet.

use axum::extract::{Query, State};
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;

use super::{SignedIn, pages, random_secret, same_secret, session_cookie_name, set_cookie};
use crate::http::server::HttpState;
use crate::store;

const LOGIN_CSRF_COOKIE: &str = "sfmcp_login_csrf";

/// Where to go after signing in.
#[derive(Debug, Deserialize)]
pub(super) struct Next {
    next: Option<String>,
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct LoginForm {
    token: String,
    csrf: String,
    next: Option<String>,
}

/// A form's CSRF field alone.
#[derive(Debug, Deserialize)]
pub(super) struct CsrfForm {
    pub(super) csrf: String,
}

/// Only same-site paths (`/x`, never `//host`, a URL, or anything with spaces or controls) are
/// followed after sign-in.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        // Browsers drop tabs and newlines from a Location and read `\` as `/`: allow printable
        // ASCII only, so `/\t/evil.example` cannot become `//evil.example`.
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && n.chars().all(|c| c.is_ascii_graphic()) =>
        {
            n.to_owned()
        }
        _ => "/connect".to_owned(),
    }
}

pub(super) async fn form(State(state): State<HttpState>, Query(q): Query<Next>) -> Response {
    render(&state, q.next.as_deref(), None)
}

fn render(state: &HttpState, next: Option<&str>, error: Option<&str>) -> Response {
    let csrf = random_secret();
    let error = error.map(|e| pages::para("error", e)).unwrap_or_default();
    let salesforce = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("next", &safe_next(next))
        .finish();
    let body = format!(
        "{error}<p><a class=\"button\" id=\"salesforce-sign-in\" href=\"/login/salesforce?{}\">Sign in with Salesforce</a></p>\
         <p>Or sign in with your salesforce-mcp API token (the one your MCP client uses; an admin creates it with \
         <code>salesforce-mcp admin token create EMAIL</code>). An API token lets you see your connection and changes and reject them; \
         approving a change or allowing an app needs Sign in with Salesforce.</p>\
         <form method=\"post\" action=\"/login\"><p><label>API token<br>\
         <input type=\"password\" name=\"token\" autocomplete=\"off\" required autofocus></label></p>\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"next\" value=\"{}\">\
         <button type=\"submit\">Sign in</button></form>",
        pages::escape(&salesforce),
        pages::escape(&safe_next(next))
    );
    let status = if error.is_empty() {
        http::StatusCode::OK
    } else {
        http::StatusCode::UNAUTHORIZED
    };
    let mut response = pages::page(status, "Sign in", &body);
    set(
        &mut response,
        &set_cookie(state, LOGIN_CSRF_COOKIE, &csrf, 3600),
    );
    response
}

fn set(response: &mut Response, cookie: &str) {
    if let Ok(value) = http::HeaderValue::from_str(cookie) {
        response
            .headers_mut()
            .append(http::header::SET_COOKIE, value);
    }
}

pub(super) async fn submit(
    State(state): State<HttpState>,
    headers: http::HeaderMap,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    let expected = super::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if !same_secret(&form.csrf, &expected) {
        return render(
            &state,
            form.next.as_deref(),
            Some("The sign-in form expired or did not come from this site; please sign in again."),
        );
    }
    let hash = store::tokens::hash(form.token.trim());
    let user = state
        .app
        .store
        .call(move |c| store::tokens::user_for(c, &hash))
        .await;
    let user_id = match user {
        Ok(Some(user_id)) => user_id,
        Ok(None) => {
            return render(
                &state,
                form.next.as_deref(),
                Some(
                    "This API token is not valid (unknown or revoked). Check it, or ask an admin for a new one.",
                ),
            );
        }
        Err(e) => return pages::internal(&e.to_string()),
    };
    let session =
        match super::open_session(&state, &headers, user_id, super::method::API_TOKEN).await {
            Ok(cookie) => cookie,
            Err(e) => return pages::internal(&e.to_string()),
        };
    let mut response =
        axum::response::Redirect::to(&safe_next(form.next.as_deref())).into_response();
    set(&mut response, &session);
    set(&mut response, &set_cookie(&state, LOGIN_CSRF_COOKIE, "", 0));
    response
}

pub(super) async fn logout(
    State(state): State<HttpState>,
    who: SignedIn,
    headers: http::HeaderMap,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Response {
    if let Err(r) = who.check_csrf(&form.csrf) {
        return r.into_response();
    }
    let name = session_cookie_name(&state);
    if let Some(id) = super::cookie(&headers, &name) {
        let hash = store::tokens::hash(&id);
        if let Err(e) = state
            .app
            .store
            .call(move |c| store::tokens::delete_session(c, &hash))
            .await
        {
            return pages::internal(&e.to_string());
        }
    }
    let mut response = axum::response::Redirect::to("/login").into_response();
    set(&mut response, &set_cookie(&state, &name, "", 0));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_next_keeps_only_local_paths() {
        assert_eq!(safe_next(Some("/changes/5")), "/changes/5");
        assert_eq!(safe_next(Some("//evil.example")), "/connect");
        assert_eq!(safe_next(Some("https://evil.example")), "/connect");
        assert_eq!(safe_next(Some("/\\evil.example")), "/connect");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/connect");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/connect");
        assert_eq!(safe_next(Some("/ /evil.example")), "/connect");
        assert_eq!(safe_next(None), "/connect");
    }
}
