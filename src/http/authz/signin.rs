//! Signing in: `/authorize` (an MCP client) and `/login/salesforce` (the web pages) both become
//! a sign-in request bound to this browser by a cookie; the person is known from their session,
//! a sealed "who" cookie, or (only when group overrides exist) the e-mail they type, which picks
//! the Salesforce app; Salesforce says who they really are; then the consent page (MCP clients)
//! or the page they wanted (web).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse as _, Redirect, Response};
use base64::Engine as _;
use secrecy::ExposeSecret as _;
use serde::Deserialize;

use crate::authz::{Client, granted_scope, redirect};
use crate::connections::{EffectiveApp, status};
use crate::http::server::HttpState;
use crate::http::web::{self, cookie, method, pages, random_secret, same_secret, set_cookie};
use crate::oauth::{CALLBACK_PATH, explain_callback_error};
use crate::store::oauth_grants::{self as grants, AuthRequestRow};
use crate::store::{self, timestamp};

const BROWSER_COOKIE: &str = "sfmcp_authz";
const WHO_COOKIE: &str = "sfmcp_who";
const WHO_DAYS: i64 = 180;

fn cookie_name(state: &HttpState, base: &str) -> String {
    if state.public_url().is_https() {
        format!("__Host-{base}")
    } else {
        base.to_owned()
    }
}

fn error_page(status: http::StatusCode, title: &str, text: &str) -> Response {
    pages::page(status, title, &pages::para("error", text))
}

fn add_cookie(response: &mut Response, value: &str) {
    if let Ok(v) = http::HeaderValue::from_str(value) {
        response.headers_mut().append(http::header::SET_COOKIE, v);
    }
}

/// The person named by the sealed "who" cookie of an earlier sign-in in this browser.
fn who_from_cookie(state: &HttpState, headers: &http::HeaderMap) -> Option<i64> {
    let value = cookie(headers, &cookie_name(state, WHO_COOKIE))?;
    let sealed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value)
        .ok()?;
    let plain = state.app.sealer.open(&sealed).ok()?;
    let (user, until) = plain.expose_secret().split_once(':')?;
    (until.parse::<i64>().ok()? > chrono::Utc::now().timestamp()).then_some(())?;
    user.parse().ok()
}

fn who_cookie(state: &HttpState, user_id: i64) -> String {
    let until = chrono::Utc::now().timestamp() + WHO_DAYS * 86_400;
    let sealed = state.app.sealer.seal(&format!("{user_id}:{until}"));
    let value = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sealed);
    set_cookie(
        state,
        &cookie_name(state, WHO_COOKIE),
        &value,
        WHO_DAYS * 86_400,
    )
}

/// `/authorize`'s parameters.
#[derive(Debug, Deserialize)]
pub(crate) struct AuthorizeQuery {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    scope: Option<String>,
    resource: Option<String>,
}

/// Sends an error back to a verified client's redirect URI, with `state` and `iss`.
fn to_client(
    state: &HttpState,
    redirect_uri: &str,
    client_state: Option<&str>,
    params: &[(&str, &str)],
) -> Response {
    let mut all: Vec<(&str, &str)> = params.to_vec();
    if let Some(s) = client_state {
        all.push(("state", s));
    }
    let issuer = state.authz.as_ref().map_or("", |a| a.issuer());
    all.push(("iss", issuer));
    Redirect::to(&redirect::with_params(redirect_uri, &all)).into_response()
}

pub(crate) async fn authorize(
    State(state): State<HttpState>,
    headers: http::HeaderMap,
    Query(q): Query<AuthorizeQuery>,
) -> Response {
    let Some(authz) = state.authz.clone() else {
        return super::off();
    };
    let bad = |text: &str| {
        error_page(
            http::StatusCode::BAD_REQUEST,
            "Cannot sign in this app",
            text,
        )
    };
    let Some(client_id) = q.client_id.as_deref().filter(|c| !c.is_empty()) else {
        return bad(
            "The app did not say who it is (no client_id). Add the server to your app again.",
        );
    };
    let client = match authz.client(client_id).await {
        Ok(c) => c,
        Err(e) => return bad(&e),
    };
    let Some(redirect_uri) = q
        .redirect_uri
        .as_deref()
        .filter(|r| redirect::matches(&client.redirect_uris, r))
    else {
        return bad(
            "The app asked to be sent to an address it did not register, so this sign-in stops here.",
        );
    };
    let back = |error: &str, description: &str| {
        to_client(
            &state,
            redirect_uri,
            q.state.as_deref(),
            &[("error", error), ("error_description", description)],
        )
    };
    if q.response_type.as_deref() != Some("code") {
        return back("unsupported_response_type", "response_type must be code");
    }
    let challenge = q.code_challenge.as_deref().filter(|c| !c.is_empty());
    let (Some(challenge), Some("S256")) = (challenge, q.code_challenge_method.as_deref()) else {
        return back(
            "invalid_request",
            "PKCE is required: send code_challenge with code_challenge_method S256",
        );
    };
    if let Some(resource) = &q.resource
        && !authz.is_our_resource(resource)
    {
        return back(
            "invalid_target",
            &format!("this server only grants access to {}", authz.resource()),
        );
    }
    let row = AuthRequestRow {
        kind: "mcp".into(),
        client_id: Some(client.id.clone()),
        redirect_uri: Some(redirect_uri.to_owned()),
        client_state: q.state.clone(),
        code_challenge: Some(challenge.to_owned()),
        scope: granted_scope(q.scope.as_deref()).to_owned(),
        ..AuthRequestRow::default()
    };
    begin(&state, &headers, row).await
}

/// `/login/salesforce?next=`: the web pages' "Sign in with Salesforce".
pub(crate) async fn web_sign_in(
    State(state): State<HttpState>,
    headers: http::HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let row = AuthRequestRow {
        kind: "web".into(),
        scope: String::new(),
        next_path: Some(web::safe_next(q.get("next").map(String::as_str))),
        ..AuthRequestRow::default()
    };
    begin(&state, &headers, row).await
}

/// Stores the sign-in request bound to this browser and takes the next step.
async fn begin(state: &HttpState, headers: &http::HeaderMap, mut row: AuthRequestRow) -> Response {
    let id = random_secret();
    let browser = random_secret();
    row.id_hash = store::tokens::hash(&id);
    row.browser_hash = store::tokens::hash(&browser);
    row.csrf = random_secret();
    row.expires_at = timestamp(chrono::Utc::now() + chrono::Duration::minutes(10));
    row.stage = "new".into();
    let session = web::session_of(state, headers).await.ok().flatten();
    let known = session
        .as_ref()
        .map(|s| s.user_id)
        .or_else(|| who_from_cookie(state, headers));
    // A person signed in with Salesforce here, whose connection is healthy and made with their
    // effective app, goes straight to consent: no new Salesforce approval.
    let skip = match session.filter(|s| s.method == method::SALESFORCE && row.kind == "mcp") {
        Some(s) => healthy(state, s.user_id).await.then_some(s.user_id),
        None => None,
    };
    let mut response = match skip {
        Some(user_id) => {
            row.stage = "consent".into();
            row.user_id = Some(user_id);
            match store_request(state, row).await {
                Ok(()) => Redirect::to(&format!("/authorize/consent?req={id}")).into_response(),
                Err(r) => return r,
            }
        }
        None => match state.app.connections.app_for_sign_in(known).await {
            Ok(Some(app)) => {
                let hint = match known {
                    Some(user_id) => email_of(state, user_id).await,
                    None => None,
                };
                let hash = row.id_hash.clone();
                if let Err(r) = store_request(state, row).await {
                    return r;
                }
                upstream(state, &hash, "new", &app, hint.as_deref(), false).await
            }
            Ok(None) => {
                row.stage = "email".into();
                let csrf = row.csrf.clone();
                if let Err(r) = store_request(state, row).await {
                    return r;
                }
                email_page(&id, &csrf, None)
            }
            Err(e) => {
                return error_page(http::StatusCode::CONFLICT, "Cannot sign in", &e.to_string());
            }
        },
    };
    add_cookie(
        &mut response,
        &set_cookie(state, &cookie_name(state, BROWSER_COOKIE), &browser, 600),
    );
    response
}

async fn store_request(state: &HttpState, row: AuthRequestRow) -> Result<(), Response> {
    state
        .app
        .store
        .call(move |c| {
            grants::prune(c)?;
            grants::insert_request(c, &row)
        })
        .await
        .map_err(|e| pages::internal(&e.to_string()))
}

async fn email_of(state: &HttpState, user_id: i64) -> Option<String> {
    state
        .app
        .store
        .call(move |c| store::users::find_by_id(c, user_id))
        .await
        .ok()
        .flatten()
        .map(|u| u.email)
}

/// Whether a person's connection is active and made with their effective app.
async fn healthy(state: &HttpState, user_id: i64) -> bool {
    let (Ok(Some(conn)), Ok(app)) = (
        state.app.connections.get(user_id).await,
        state.app.connections.effective_app(user_id).await,
    ) else {
        return false;
    };
    conn.status == status::ACTIVE && conn.app_id == Some(app.row.id)
}

/// Sends the browser to Salesforce with `app` (a new state and verifier on the request).
async fn upstream(
    state: &HttpState,
    id_hash: &str,
    from_stage: &'static str,
    app: &EffectiveApp,
    login_hint: Option<&str>,
    retried: bool,
) -> Response {
    let callback = state.public_url().join(CALLBACK_PATH);
    let start = match state
        .app
        .connections
        .start_upstream(app, &callback, login_hint)
    {
        Ok(s) => s,
        Err(e) => return error_page(http::StatusCode::CONFLICT, "Cannot sign in", &e.to_string()),
    };
    let hash = id_hash.to_owned();
    let step = grants::Upstream {
        app_id: start.app_id,
        state_hash: start.state_hash,
        verifier_sealed: start.verifier_sealed,
        login_hint: login_hint.map(str::to_owned),
        retried,
    };
    let moved = state
        .app
        .store
        .call(move |c| grants::set_upstream(c, &hash, from_stage, &step))
        .await;
    match moved {
        Ok(1) => Redirect::to(&start.url).into_response(),
        Ok(_) => error_page(
            http::StatusCode::CONFLICT,
            "Sign-in expired",
            "This sign-in was already used or expired. Start again from your app.",
        ),
        Err(e) => pages::internal(&e.to_string()),
    }
}

fn email_page(id: &str, csrf: &str, error: Option<&str>) -> Response {
    let error = error.map(|e| pages::para("error", e)).unwrap_or_default();
    let body = format!(
        "{error}<p>Your organization uses different Salesforce apps for different teams. Enter your work e-mail so that we send you to the right one; Salesforce then confirms who you are.</p>\
         <form method=\"post\" action=\"/authorize/email\"><p><label>Work e-mail<br><input type=\"email\" name=\"email\" required autofocus autocomplete=\"email\"></label></p>\
         <input type=\"hidden\" name=\"req\" value=\"{}\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <button type=\"submit\">Continue to Salesforce</button></form>",
        pages::escape(id),
        pages::escape(csrf)
    );
    pages::page(http::StatusCode::OK, "Sign in with Salesforce", &body)
}

/// A form of the sign-in pages.
#[derive(Debug, Deserialize)]
pub(crate) struct RequestForm {
    req: String,
    csrf: String,
    email: Option<String>,
    decision: Option<String>,
}

/// The live request a form or page names, checked against this browser's cookie (and CSRF).
async fn bound_request(
    state: &HttpState,
    headers: &http::HeaderMap,
    id: &str,
    csrf: Option<&str>,
    stage: &str,
) -> Result<AuthRequestRow, Response> {
    let hash = store::tokens::hash(id);
    let row = state
        .app
        .store
        .call(move |c| grants::request(c, &hash))
        .await
        .map_err(|e| pages::internal(&e.to_string()))?;
    let expired = || {
        error_page(
            http::StatusCode::BAD_REQUEST,
            "Sign-in expired",
            "This sign-in is unknown, finished or older than 10 minutes. Start again from your app.",
        )
    };
    let row = row.filter(|r| r.stage == stage).ok_or_else(expired)?;
    let browser = cookie(headers, &cookie_name(state, BROWSER_COOKIE)).unwrap_or_default();
    if !same_secret(&store::tokens::hash(&browser), &row.browser_hash) {
        return Err(error_page(
            http::StatusCode::FORBIDDEN,
            "Started in another browser",
            "This sign-in was started in another browser. Start again from your app, in this browser.",
        ));
    }
    if let Some(csrf) = csrf
        && !same_secret(csrf, &row.csrf)
    {
        return Err(error_page(
            http::StatusCode::FORBIDDEN,
            "Form expired",
            "This form is out of date or did not come from this site. Start again from your app.",
        ));
    }
    Ok(row)
}

pub(crate) async fn email(
    State(state): State<HttpState>,
    headers: http::HeaderMap,
    axum::Form(form): axum::Form<RequestForm>,
) -> Response {
    let row = match bound_request(&state, &headers, &form.req, Some(&form.csrf), "email").await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let email = form.email.as_deref().unwrap_or_default().trim().to_owned();
    if !email.contains('@') || email.len() > 254 {
        return email_page(
            &form.req,
            &row.csrf,
            Some("Enter your work e-mail address, like name@example.com."),
        );
    }
    match state.app.connections.app_for_email(&email).await {
        Ok(app) => upstream(&state, &row.id_hash, "email", &app, Some(&email), false).await,
        Err(e) => error_page(http::StatusCode::CONFLICT, "Cannot sign in", &e.to_string()),
    }
}

/// Salesforce's answer to a sign-in (the callback is shared with `/connect`): `None` when the
/// `state` is not a sign-in's, so the caller handles it as a connection.
pub(crate) async fn upstream_callback(
    state: &HttpState,
    headers: &http::HeaderMap,
    params: &HashMap<String, String>,
) -> Option<Response> {
    let hash = store::tokens::hash(params.get("state").map_or("", String::as_str));
    let row = state
        .app
        .store
        .call(move |c| grants::request_by_upstream(c, &hash))
        .await
        .ok()
        .flatten()?;
    Some(finish_upstream(state, headers, params, row).await)
}

async fn finish_upstream(
    state: &HttpState,
    headers: &http::HeaderMap,
    params: &HashMap<String, String>,
    row: AuthRequestRow,
) -> Response {
    let browser = cookie(headers, &cookie_name(state, BROWSER_COOKIE)).unwrap_or_default();
    if !same_secret(&store::tokens::hash(&browser), &row.browser_hash) {
        return error_page(
            http::StatusCode::FORBIDDEN,
            "Started in another browser",
            "This sign-in was started in another browser, so it was not completed. Start again from your app, in this browser.",
        );
    }
    if let Some(error) = params.get("error") {
        if error == "access_denied"
            && let Some(uri) = row.redirect_uri.as_deref()
        {
            forget(state, &row.id_hash).await;
            return to_client(
                state,
                uri,
                row.client_state.as_deref(),
                &[
                    ("error", "access_denied"),
                    ("error_description", "the sign-in was denied in Salesforce"),
                ],
            );
        }
        let text = explain_callback_error(
            error,
            params.get("error_description").map_or("", String::as_str),
        );
        return error_page(http::StatusCode::BAD_REQUEST, "Not signed in", &text);
    }
    let (Some(code), Some(app_id), Some(verifier)) = (
        params.get("code"),
        row.app_id,
        row.upstream_verifier_sealed.as_deref(),
    ) else {
        return error_page(
            http::StatusCode::BAD_REQUEST,
            "Not signed in",
            "Salesforce sent no authorization code. Start again from your app.",
        );
    };
    let callback = state.public_url().join(CALLBACK_PATH);
    let connections = &state.app.connections;
    let signed = match connections
        .finish_upstream(app_id, &callback, code, verifier)
        .await
    {
        Ok(s) => s,
        Err(e) => {
            return error_page(
                http::StatusCode::BAD_GATEWAY,
                "Not signed in",
                &e.to_string(),
            );
        }
    };
    let person = match connections.person_for(&signed).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            forget(state, &row.id_hash).await;
            let who = crate::shown::quoted(&signed.who.identity.username);
            return error_page(
                http::StatusCode::FORBIDDEN,
                "Not allowed",
                &format!(
                    "The Salesforce user {who} is not a person of this salesforce-mcp server. Ask your admin to add you (salesforce-mcp admin user add YOUR-EMAIL), then connect once from /connect."
                ),
            );
        }
        Err(e) => {
            return error_page(
                http::StatusCode::BAD_GATEWAY,
                "Not signed in",
                &e.to_string(),
            );
        }
    };
    // The app was chosen from a guess (the e-mail typed, a cookie): redo it once with the
    // person's own app when that guess was wrong.
    match connections.effective_app(person).await {
        Ok(app) if app.row.id != app_id => {
            if row.retried {
                return error_page(
                    http::StatusCode::CONFLICT,
                    "Not signed in",
                    "Salesforce signed you in through another app than the one your organization set for you. Start again from your app.",
                );
            }
            let hint = signed.who.identity.username.clone();
            return upstream(state, &row.id_hash, "upstream", &app, Some(&hint), true).await;
        }
        Ok(_) => {}
        Err(e) => return error_page(http::StatusCode::CONFLICT, "Not signed in", &e.to_string()),
    }
    if let Err(e) = connections.store_sign_in(person, signed).await {
        return error_page(
            http::StatusCode::BAD_GATEWAY,
            "Not signed in",
            &e.to_string(),
        );
    }
    let session = match web::open_session(state, headers, person, method::SALESFORCE).await {
        Ok(c) => c,
        Err(e) => return pages::internal(&e.to_string()),
    };
    let mut response = if row.kind == "web" {
        forget(state, &row.id_hash).await;
        Redirect::to(row.next_path.as_deref().unwrap_or("/connect")).into_response()
    } else {
        // A fresh id for the consent step: the one in the first URL is never used again.
        let id = random_secret();
        let (old, new) = (row.id_hash.clone(), store::tokens::hash(&id));
        let moved = state
            .app
            .store
            .call(move |c| grants::set_consent_stage(c, &old, &new, person))
            .await;
        match moved {
            Ok(1) => Redirect::to(&format!("/authorize/consent?req={id}")).into_response(),
            Ok(_) => {
                return error_page(
                    http::StatusCode::CONFLICT,
                    "Sign-in expired",
                    "This sign-in was already completed. Start again from your app.",
                );
            }
            Err(e) => return pages::internal(&e.to_string()),
        }
    };
    add_cookie(&mut response, &session);
    add_cookie(&mut response, &who_cookie(state, person));
    response
}

async fn forget(state: &HttpState, id_hash: &str) {
    let hash = id_hash.to_owned();
    let _ = state
        .app
        .store
        .call(move |c| grants::delete_request(c, &hash))
        .await;
}

pub(crate) async fn consent_page(
    State(state): State<HttpState>,
    headers: http::HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(authz) = state.authz.clone() else {
        return super::off();
    };
    let id = q.get("req").cloned().unwrap_or_default();
    let row = match bound_request(&state, &headers, &id, None, "consent").await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let (Some(user_id), Some(client_id), Some(redirect_uri)) = (
        row.user_id,
        row.client_id.as_deref(),
        row.redirect_uri.as_deref(),
    ) else {
        return pages::internal("a consent-stage sign-in without its person or client");
    };
    let client = match authz.client(client_id).await {
        Ok(c) => c,
        Err(e) => return error_page(http::StatusCode::BAD_REQUEST, "Cannot sign in this app", &e),
    };
    if authz
        .consented(user_id, &client, redirect_uri)
        .await
        .unwrap_or(false)
    {
        return issue_code(&state, &row, &client, user_id).await;
    }
    let person = email_of(&state, user_id).await.unwrap_or_default();
    let connection = state.app.connections.get(user_id).await.ok().flatten();
    let salesforce = connection.map_or_else(String::new, |c| {
        format!(
            " (Salesforce user <strong>{}</strong>, org {})",
            pages::escape(&c.username),
            pages::escape(&c.org_id)
        )
    });
    let (name, source) = client.described();
    let destination = url::Url::parse(redirect_uri).ok();
    let host = destination
        .as_ref()
        .and_then(|u| u.host_str())
        .unwrap_or_default()
        .to_owned();
    let local = destination.as_ref().is_some_and(redirect::is_loopback);
    let whereto = if local {
        "a program on this computer".to_owned()
    } else {
        format!("<strong>{}</strong>", pages::escape(&host))
    };
    let body = format!(
        "<p id=\"client\"><strong>{}</strong> <span class=\"source\">({})</span> wants to use salesforce-mcp as <strong>{}</strong>{salesforce}.</p>\
         <p>It will be able to <strong>read the Salesforce records you can see</strong> and <strong>prepare changes that you must approve</strong> before anything changes. It cannot approve changes itself.</p>\
         <p>After you allow it, you will be sent to {whereto} (<code>{}</code>).</p>\
         <form method=\"post\" action=\"/authorize/consent\"><input type=\"hidden\" name=\"req\" value=\"{}\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <button type=\"submit\" name=\"decision\" value=\"allow\" id=\"allow\">Allow</button> <button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button></form>",
        pages::escape(&crate::shown::escaped(&name)),
        pages::escape(&source),
        pages::escape(&person),
        pages::escape(redirect_uri),
        pages::escape(&id),
        pages::escape(&row.csrf),
    );
    pages::page(http::StatusCode::OK, "Allow this app?", &body)
}

pub(crate) async fn decide(
    State(state): State<HttpState>,
    headers: http::HeaderMap,
    axum::Form(form): axum::Form<RequestForm>,
) -> Response {
    let Some(authz) = state.authz.clone() else {
        return super::off();
    };
    let row = match bound_request(&state, &headers, &form.req, Some(&form.csrf), "consent").await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let (Some(user_id), Some(client_id), Some(redirect_uri)) =
        (row.user_id, row.client_id.clone(), row.redirect_uri.clone())
    else {
        return pages::internal("a consent-stage sign-in without its person or client");
    };
    if form.decision.as_deref() != Some("allow") {
        forget(&state, &row.id_hash).await;
        return to_client(
            &state,
            &redirect_uri,
            row.client_state.as_deref(),
            &[
                ("error", "access_denied"),
                ("error_description", "the person denied access"),
            ],
        );
    }
    match authz.client(&client_id).await {
        Ok(client) => issue_code(&state, &row, &client, user_id).await,
        Err(e) => error_page(http::StatusCode::BAD_REQUEST, "Cannot sign in this app", &e),
    }
}

async fn issue_code(
    state: &HttpState,
    row: &AuthRequestRow,
    client: &Client,
    user_id: i64,
) -> Response {
    let Some(authz) = &state.authz else {
        return super::off();
    };
    let (Some(redirect_uri), Some(challenge)) =
        (row.redirect_uri.as_deref(), row.code_challenge.as_deref())
    else {
        return pages::internal("a sign-in without its redirect URI or challenge");
    };
    let hash = row.id_hash.clone();
    let taken = state
        .app
        .store
        .call(move |c| grants::delete_request(c, &hash))
        .await;
    if !matches!(taken, Ok(1)) {
        return error_page(
            http::StatusCode::CONFLICT,
            "Sign-in expired",
            "This sign-in was already completed. Start again from your app.",
        );
    }
    match authz.allow(user_id, client, redirect_uri, challenge).await {
        Ok(code) => {
            let mut response = to_client(
                state,
                redirect_uri,
                row.client_state.as_deref(),
                &[("code", &code)],
            );
            add_cookie(
                &mut response,
                &set_cookie(state, &cookie_name(state, BROWSER_COOKIE), "", 0),
            );
            response
        }
        Err(e) => pages::internal(&e.to_string()),
    }
}
