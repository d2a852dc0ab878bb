//! Wiring a server to the simulated org: configure the org app for it and connect a person
//! through the real OAuth code flow (authorize -> redirect -> callback -> token -> identity).
//! Used by `salesforce-mcp demo`, the tests and the benchmarks.

use crate::app::App;
use crate::oauth::CALLBACK_PATH;
use crate::simulated_org::{DEFAULT_CLIENT_ID, SimulatedOrg};
use crate::store;

/// Makes the simulated org the organization's OAuth app (PKCE-only public client).
pub fn configure_org_app(app: &App, org: &SimulatedOrg) -> Result<(), String> {
    configure_org_app_at(app, org.base_url())
}

/// Makes the simulated org at `base_url` (perhaps in another process) the organization's OAuth app.
pub fn configure_org_app_at(app: &App, base_url: String) -> Result<(), String> {
    let fields = store::apps::AppFields {
        client_id: DEFAULT_CLIENT_ID.to_owned(),
        client_secret_sealed: None,
        auth_base_url: base_url,
        scopes: "api refresh_token offline_access".to_owned(),
        prompt: None,
        enabled: true,
    };
    app.store
        .call_sync(|c| {
            store::apps::upsert(c, None, &fields)?;
            store::audit::append(c, "demo", "org_app.set", Some("org"), Some("simulated org"))
        })
        .map_err(|e| e.to_string())
}

/// Connects a person by playing the browser: opens the authorize URL, follows Salesforce's
/// redirect to our own callback listener. Returns the callback's outcome (the Salesforce username).
pub async fn connect_through_oauth(app: &App, user_id: i64) -> Result<String, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let redirect_uri = format!("http://localhost:{port}{CALLBACK_PATH}");
    let url = app
        .connections
        .begin(user_id, &redirect_uri)
        .await
        .map_err(|e| e.to_string())?;
    let callback = tokio::spawn(crate::http::callback::serve_once(
        app.connections.clone(),
        listener,
        url.clone(),
    ));
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let response = browser
        .get(&url)
        .send()
        .await
        .map_err(|e| format!("authorize request failed: {e}"))?;
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .ok_or_else(|| format!("Salesforce did not redirect (HTTP {})", response.status()))?
        .replace("http://localhost:", "http://127.0.0.1:");
    browser
        .get(&location)
        .send()
        .await
        .map_err(|e| format!("callback failed: {e}"))?;
    let row = callback.await.map_err(|e| e.to_string())??;
    Ok(row.username)
}
