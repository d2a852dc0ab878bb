//! The OAuth callback at `/api/integrations/callback/salesforce`: finishes a connection or turns
//! Salesforce's `error=` into a readable message with the fix.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Html;
use http::StatusCode;
use tokio::sync::mpsc;

use crate::connections::Connections;
use crate::oauth::{CALLBACK_PATH, explain_callback_error};
use crate::store::connections::ConnectionRow;

/// What the callback produced.
pub type CallbackOutcome = Result<ConnectionRow, String>;

/// Handles one callback's query parameters.
pub async fn finish(
    connections: &Connections,
    params: &HashMap<String, String>,
) -> CallbackOutcome {
    if let Some(error) = params.get("error") {
        return Err(explain_callback_error(
            error,
            params
                .get("error_description")
                .map(String::as_str)
                .unwrap_or_default(),
        ));
    }
    let (Some(code), Some(state)) = (params.get("code"), params.get("state")) else {
        return Err("The callback had no authorization code: start connecting again.".to_owned());
    };
    connections
        .complete(state, code)
        .await
        .map_err(|e| e.to_string())
}

/// A small HTML page for the result.
pub fn page(outcome: &CallbackOutcome) -> String {
    let (title, text) = match outcome {
        Ok(c) => (
            "Connected",
            format!(
                "Connected as {} (org {}). You can close this window.",
                c.username, c.org_id
            ),
        ),
        Err(e) => ("Not connected", e.clone()),
    };
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>salesforce-mcp: {title}</title></head>\
         <body><h1>{title}</h1><p>{}</p></body></html>",
        html_escape(&text)
    )
}

/// Escapes text for HTML.
pub fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[derive(Clone)]
struct LocalState {
    connections: Connections,
    /// The `state` of the authorization this listener waits for.
    expected_state: Arc<str>,
    done: mpsc::Sender<CallbackOutcome>,
}

async fn local_callback(
    State(state): State<LocalState>,
    Query(params): Query<HashMap<String, String>>,
) -> (StatusCode, Html<String>) {
    // Any local program can send a request here: only Salesforce's answer to our own
    // authorization (its state) ends the wait.
    if params.get("state").map(String::as_str) != Some(&*state.expected_state) {
        let ignored: CallbackOutcome = Err(
            "This callback does not belong to the connection this terminal is waiting for, so it was ignored. \
             Finish signing in from the URL the terminal printed."
                .to_owned(),
        );
        return (StatusCode::BAD_REQUEST, Html(page(&ignored)));
    }
    let outcome = finish(&state.connections, &params).await;
    let html = page(&outcome);
    let _ = state.done.send(outcome).await;
    (StatusCode::OK, Html(html))
}

/// Serves the callback on `listener` until the authorization started with `authorize_url`
/// finishes (terminal `connect`, demo); callbacks with another `state` are answered and ignored.
pub async fn serve_once(
    connections: Connections,
    listener: tokio::net::TcpListener,
    authorize_url: String,
) -> CallbackOutcome {
    let expected_state: Arc<str> = url::Url::parse(&authorize_url)
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "state")
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_default()
        .into();
    if expected_state.is_empty() {
        return Err("the authorize URL has no state; start connecting again".to_owned());
    }
    let (tx, mut rx) = mpsc::channel(1);
    let router = axum::Router::new()
        .route(CALLBACK_PATH, axum::routing::get(local_callback))
        .with_state(LocalState {
            connections,
            expected_state,
            done: tx,
        });
    let server = super::accept::serve_until(
        listener,
        router,
        super::accept::ConnectionSettings::default(),
        std::future::pending(),
    );
    tokio::select! {
        outcome = rx.recv() => outcome.unwrap_or_else(|| Err("the callback server stopped".to_owned())),
        () = server => Err("the callback server stopped".to_owned()),
    }
}
