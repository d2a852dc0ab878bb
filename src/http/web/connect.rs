//! `/connect`: the person's Salesforce connection with Connect / Reconnect / Disconnect, the
//! redirect to the effective app's authorize URL, and the callback with its result page.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse as _, Redirect, Response};

use super::login::CsrfForm;
use super::{SignedIn, pages};
use crate::connections::ConnectionError;
use crate::http::callback;
use crate::http::server::HttpState;
use crate::oauth::CALLBACK_PATH;
use crate::store;
use crate::store::connections::ConnectionRow;

use pages::{escape, para};

pub(super) async fn page(State(state): State<HttpState>, who: SignedIn) -> Response {
    let connections = &state.app.connections;
    let row = match connections.get(who.user_id).await {
        Ok(row) => row,
        Err(e) => return pages::internal(&e.to_string()),
    };
    let app_problem = match connections.effective_app(who.user_id).await {
        Ok(_) => None,
        Err(e @ (ConnectionError::NotEnabled | ConnectionError::AppMisconfigured(_))) => {
            Some(e.to_string())
        }
        Err(e) => return pages::internal(&e.to_string()),
    };
    let body = format!(
        "<p>Signed in as <strong>{}</strong>. <form class=\"inline\" method=\"post\" action=\"/logout\">{}<button type=\"submit\">Sign out</button></form></p>\
         {}{}",
        escape(&who.email),
        who.csrf_input(),
        describe(row.as_ref()),
        buttons(&who, row.as_ref(), app_problem.as_deref()),
    );
    let body = match apps_section(&state, &who).await {
        Ok(apps) => format!("{body}{apps}"),
        Err(e) => return pages::internal(&e.to_string()),
    };
    pages::page(http::StatusCode::OK, "Salesforce connection", &body)
}

/// "Apps that can act as you": the person's live grants, each with Revoke.
async fn apps_section(
    state: &HttpState,
    who: &SignedIn,
) -> Result<String, crate::store::StoreError> {
    if state.authz.is_none() {
        return Ok(String::new());
    }
    let user_id = who.user_id;
    let grants = state
        .app
        .store
        .call(move |c| crate::store::oauth_grants::grants(c, Some(user_id)))
        .await?;
    let rows: Vec<String> = grants
        .iter()
        .filter(|g| g.revoked_at.is_none())
        .map(|g| {
            let host = url::Url::parse(&g.redirect_uri)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default();
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><form class=\"inline\" method=\"post\" action=\"/connect/apps/{}/revoke\">{}<button type=\"submit\" class=\"revoke\">Revoke</button></form></td></tr>",
                escape(&crate::shown::escaped(g.client_name.as_deref().unwrap_or(&g.client_id))),
                escape(&host),
                escape(&g.created_at),
                escape(g.last_used_at.as_deref().unwrap_or("never")),
                g.id,
                who.csrf_input()
            )
        })
        .collect();
    Ok(if rows.is_empty() {
        "<h2>Apps that can act as you</h2><p id=\"apps\">No MCP client has signed in as you.</p>"
            .to_owned()
    } else {
        format!(
            "<h2>Apps that can act as you</h2><table id=\"apps\"><tr><th>App</th><th>Sends you to</th><th>Allowed</th><th>Last used</th><th></th></tr>{}</table>",
            rows.join("")
        )
    })
}

/// Revokes one of the person's apps.
pub(super) async fn revoke_app(
    State(state): State<HttpState>,
    who: SignedIn,
    axum::extract::Path(id): axum::extract::Path<i64>,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Response {
    if let Err(r) = who.check_csrf(&form.csrf) {
        return r.into_response();
    }
    let actor = format!("user:{}", who.user_id);
    match crate::authz::revoke_grant(&state.app.store, id, Some(who.user_id), &actor).await {
        Ok(true) => result(
            http::StatusCode::OK,
            "App revoked",
            "The app can no longer act as you; it must sign in again to be used.",
        ),
        Ok(false) => result(
            http::StatusCode::NOT_FOUND,
            "No such app",
            "This app was already revoked, or is not yours.",
        ),
        Err(e) => pages::internal(&e.to_string()),
    }
}

fn describe(row: Option<&ConnectionRow>) -> String {
    let Some(c) = row else {
        return "<p id=\"status\">Not connected: connect your Salesforce account so that your assistant can work with Salesforce as you.</p>".to_owned();
    };
    let state = match c.status.as_str() {
        "active" => "<span class=\"ok\">Connected</span>".to_owned(),
        other => format!(
            "<span class=\"error\">{}</span>: {}",
            escape(&other.replace('_', " ")),
            escape(c.last_error.as_deref().unwrap_or("reconnect to continue"))
        ),
    };
    let refresh = if c.refresh_token_sealed.is_some() {
        "yes"
    } else {
        "no: reconnect after adding the refresh_token and offline_access scopes to the app"
    };
    format!(
        "<dl id=\"status\"><dt>Status</dt><dd>{state}</dd><dt>Salesforce user</dt><dd id=\"username\">{}</dd>\
         <dt>Org</dt><dd id=\"org\">{}</dd><dt>Instance</dt><dd>{}</dd><dt>Login host</dt><dd>{}</dd>\
         <dt>App</dt><dd>{}</dd><dt>Offline refresh</dt><dd>{}</dd><dt>Connected at</dt><dd>{}</dd></dl>",
        escape(&c.username),
        escape(&c.org_id),
        escape(&c.instance_url),
        escape(&c.auth_base_url),
        escape(&c.app_label),
        escape(refresh),
        escape(&c.connected_at),
    )
}

fn buttons(who: &SignedIn, row: Option<&ConnectionRow>, app_problem: Option<&str>) -> String {
    let mut html = String::new();
    match app_problem {
        Some(problem) => html.push_str(&para("error", problem)),
        None => {
            let label = if row.is_some() {
                "Reconnect"
            } else {
                "Connect"
            };
            html.push_str(&format!(
                "<form class=\"inline\" method=\"post\" action=\"/connect\">{}<button type=\"submit\" id=\"connect\">{label}</button></form>",
                who.csrf_input()
            ));
        }
    }
    if row.is_some() {
        html.push_str(&format!(
            "<form class=\"inline\" method=\"post\" action=\"/connect/disconnect\">{}<button type=\"submit\" id=\"disconnect\">Disconnect</button></form>",
            who.csrf_input()
        ));
    }
    html
}

pub(super) async fn start(
    State(state): State<HttpState>,
    who: SignedIn,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Response {
    if let Err(r) = who.check_csrf(&form.csrf) {
        return r.into_response();
    }
    let redirect_uri = state.public_url().join(CALLBACK_PATH);
    match state
        .app
        .connections
        .begin(who.user_id, &redirect_uri)
        .await
    {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => result(http::StatusCode::CONFLICT, "Cannot connect", &e.to_string()),
    }
}

pub(super) async fn disconnect(
    State(state): State<HttpState>,
    who: SignedIn,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Response {
    if let Err(r) = who.check_csrf(&form.csrf) {
        return r.into_response();
    }
    match state.app.connections.disconnect(who.user_id).await {
        Ok(Some(note)) if note.is_empty() => result(
            http::StatusCode::OK,
            "Disconnected",
            "Your Salesforce connection was revoked at Salesforce and removed.",
        ),
        Ok(Some(note)) => result(http::StatusCode::OK, "Disconnected", &note),
        Ok(None) => result(
            http::StatusCode::OK,
            "Not connected",
            "There was no Salesforce connection to remove.",
        ),
        Err(e) => result(
            http::StatusCode::BAD_GATEWAY,
            "Disconnect failed",
            &e.to_string(),
        ),
    }
}

/// The OAuth callback: Salesforce's `error=` is explained; otherwise the authorization must
/// belong to the signed-in person (so nobody can attach their Salesforce account to another
/// person by sending them a link), and then it finishes the connection.
pub(super) async fn callback(
    State(state): State<HttpState>,
    headers: http::HeaderMap,
    uri: http::Uri,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    // The callback is shared: a sign-in's state is finished by the authorization server.
    if let Some(response) = crate::http::authz::upstream_callback(&state, &headers, &params).await {
        return response;
    }
    let who = match super::session_of(&state, &headers).await {
        Ok(Some(who)) => who,
        Ok(None) => {
            let next = uri.path_and_query().map_or("/connect", |p| p.as_str());
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("next", next)
                .finish();
            return axum::response::Redirect::to(&format!("/login?{query}")).into_response();
        }
        Err(e) => return pages::internal(&e.to_string()),
    };
    let hash = store::tokens::hash(params.get("state").map_or("", String::as_str));
    let owner = state
        .app
        .store
        .call(move |c| store::oauth_states::owner(c, &hash))
        .await;
    match owner {
        // An admin's test connection: its result (or Salesforce's error) on a console page.
        Ok(Some((owner, purpose)))
            if owner == who.user_id && purpose == store::oauth_states::PURPOSE_TEST =>
        {
            return super::admin::finish_test(&state, who, &params).await;
        }
        Ok(Some((owner, purpose)))
            if owner == who.user_id && purpose == store::oauth_states::PURPOSE_CONNECT => {}
        // Salesforce's error= is explained whoever's it was.
        Ok(_) if params.contains_key("error") => {}
        Ok(_) => {
            return result(
                http::StatusCode::FORBIDDEN,
                "Not connected",
                "This authorization is unknown, already used, older than 10 minutes, or was started by another person. Open /connect and connect again.",
            );
        }
        Err(e) => return pages::internal(&e.to_string()),
    }
    match callback::finish(&state.app.connections, &params).await {
        Ok(c) => result(
            http::StatusCode::OK,
            "Connected",
            &format!(
                "Connected as {} (org {}). Your assistant now works with Salesforce as this user.",
                c.username, c.org_id
            ),
        ),
        Err(message) => result(http::StatusCode::BAD_REQUEST, "Not connected", &message),
    }
}

fn result(status: http::StatusCode, title: &str, message: &str) -> Response {
    let class = if status.is_success() { "ok" } else { "error" };
    let body = format!(
        "<p id=\"result\" class=\"{class}\">{}</p><p><a href=\"/connect\">Back to your Salesforce connection</a></p>",
        escape(message)
    );
    pages::page(status, title, &body)
}
