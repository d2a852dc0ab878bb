//! MCP clients: dynamic registration (RFC 7591), admin registration, and Client ID Metadata
//! Documents (the `client_id` is the document's URL).

use serde_json::{Value, json};

use super::{AuthServer, OAuthFailure, cimd, redirect, server_error};
use crate::store::oauth_clients::ClientRow;
use crate::store::{self, Store, now_text, timestamp};

/// Most redirect URIs a client may register.
const MAX_REDIRECTS: usize = 10;
/// Longest client name kept.
const MAX_NAME_CHARS: usize = 100;

/// A client as the authorization server knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// `client_id`.
    pub id: String,
    /// `dcr`, `static` or `cimd`.
    pub kind: String,
    /// Its name (for `dcr`: given by the client itself, not verified).
    pub name: Option<String>,
    /// Redirect URIs it registered.
    pub redirect_uris: Vec<String>,
    /// Token endpoint authentication: `none`, `client_secret_post`, `client_secret_basic`.
    pub auth_method: String,
    /// Hash of its secret (confidential clients).
    pub secret_hash: Option<String>,
    /// Hash of the metadata a consent is given for: when it changes, consent is asked again.
    pub metadata_hash: String,
}

impl Client {
    fn from_row(row: ClientRow) -> Self {
        Self {
            redirect_uris: serde_json::from_str(&row.redirect_uris).unwrap_or_default(),
            id: row.client_id,
            kind: row.kind,
            name: row.client_name,
            auth_method: row.auth_method,
            secret_hash: row.secret_hash,
            metadata_hash: row.metadata_hash,
        }
    }

    /// Who the client is, and how we know, in words for the consent page.
    pub fn described(&self) -> (String, String) {
        let name = self.name.clone().unwrap_or_else(|| "An unnamed app".into());
        let source = match self.kind.as_str() {
            "cimd" => format!(
                "published by {}",
                url::Url::parse(&self.id)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or_default()
            ),
            "static" => "registered by your admin".to_owned(),
            _ => "name given by the app itself, not verified".to_owned(),
        };
        (name, source)
    }
}

fn metadata_hash(redirect_uris: &[String], auth_method: &str) -> String {
    store::tokens::hash(&json!([redirect_uris, auth_method]).to_string())
}

/// The redirect URIs of a registration or document, each checked.
fn redirect_uris(doc: &Value) -> Result<Vec<String>, OAuthFailure> {
    let uris: Vec<String> = doc["redirect_uris"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if uris.is_empty() || uris.len() > MAX_REDIRECTS {
        return Err(OAuthFailure::bad(
            "invalid_redirect_uri",
            format!("redirect_uris must list 1 to {MAX_REDIRECTS} URIs"),
        ));
    }
    for uri in &uris {
        redirect::check_registrable(uri)
            .map_err(|e| OAuthFailure::bad("invalid_redirect_uri", e))?;
    }
    Ok(uris)
}

fn client_name(doc: &Value) -> Option<String> {
    doc["client_name"]
        .as_str()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(MAX_NAME_CHARS).collect())
}

impl AuthServer {
    /// Registers a client from an RFC 7591 request; returns the 201 body (with a secret, shown
    /// once, for a confidential client).
    pub async fn register(&self, doc: &Value) -> Result<Value, OAuthFailure> {
        if !doc.is_object() {
            return Err(OAuthFailure::bad(
                "invalid_client_metadata",
                "the body must be a JSON object",
            ));
        }
        let uris = redirect_uris(doc)?;
        let auth_method = doc["token_endpoint_auth_method"].as_str().unwrap_or("none");
        if !matches!(
            auth_method,
            "none" | "client_secret_post" | "client_secret_basic"
        ) {
            return Err(OAuthFailure::bad(
                "invalid_client_metadata",
                "token_endpoint_auth_method must be none, client_secret_post or client_secret_basic",
            ));
        }
        let secret = (auth_method != "none").then(crate::http::web::random_secret);
        let client_id = format!("smcpc_{}", &crate::secrets::random_secret()[..22]);
        let name = client_name(doc);
        let row = ClientRow {
            client_id: client_id.clone(),
            kind: "dcr".into(),
            client_name: name.clone(),
            redirect_uris: json!(uris).to_string(),
            auth_method: auth_method.to_owned(),
            secret_hash: secret.as_deref().map(store::tokens::hash),
            metadata_hash: metadata_hash(&uris, auth_method),
            blocked: false,
            created_at: now_text(),
            last_used_at: None,
        };
        let audit = json!({"client_id": client_id, "client_name": name, "redirect_uris": uris});
        self.store
            .call(move |c| {
                store::oauth_clients::upsert(c, &row)?;
                store::audit::append(
                    c,
                    "anonymous",
                    "oauth.client_registered",
                    Some(&row.client_id),
                    Some(&audit.to_string()),
                )
            })
            .await
            .map_err(server_error)?;
        let mut out = json!({
            "client_id": client_id,
            "client_id_issued_at": chrono::Utc::now().timestamp(),
            "redirect_uris": uris,
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": auth_method,
        });
        if let Some(name) = name {
            out["client_name"] = json!(name);
        }
        if let Some(secret) = secret {
            out["client_secret"] = json!(secret);
            out["client_secret_expires_at"] = json!(0);
        }
        Ok(out)
    }

    /// The client named by `client_id`: a registered one, or a metadata document fetched (or
    /// cached). Unknown, invalid and blocked clients are an error to show on our own page.
    pub async fn client(&self, client_id: &str) -> Result<Client, String> {
        let is_document = client_id.starts_with("https://") || client_id.starts_with("http://");
        let id = client_id.to_owned();
        let stored = self
            .store
            .call(move |c| store::oauth_clients::get(c, &id))
            .await
            .map_err(|e| e.to_string())?;
        if stored.as_ref().is_some_and(|r| r.blocked) {
            return Err(format!(
                "the app {client_id:?} has been blocked by an admin"
            ));
        }
        if is_document {
            return self.document_client(client_id).await;
        }
        stored
            .map(Client::from_row)
            .ok_or_else(|| format!("no app is registered with client_id {client_id:?}; add the server to your app again so it registers"))
    }

    async fn document_client(&self, client_id: &str) -> Result<Client, String> {
        let url = self.cimd.check_url(client_id)?;
        let id = client_id.to_owned();
        let cached = self
            .store
            .call(move |c| store::oauth_clients::cimd_get(c, &id))
            .await
            .map_err(|e| e.to_string())?;
        let text = match cached {
            Some((doc, fresh_until)) if fresh_until > now_text() => doc,
            cached => match self.cimd.fetch(&url).await {
                Ok(doc) => doc,
                // The last good copy keeps a client working while its host is down.
                Err(e) => match cached {
                    Some((doc, _)) => {
                        tracing::warn!(error = %e, "client metadata refetch failed; using the last good copy");
                        doc
                    }
                    None => return Err(e),
                },
            },
        };
        let doc: Value =
            serde_json::from_str(&text).map_err(|_| format!("{client_id} is not a JSON object"))?;
        let client = validate_document(client_id, &doc)?;
        let row = ClientRow {
            client_id: client.id.clone(),
            kind: "cimd".into(),
            client_name: client.name.clone(),
            redirect_uris: json!(client.redirect_uris).to_string(),
            auth_method: "none".into(),
            secret_hash: None,
            metadata_hash: client.metadata_hash.clone(),
            blocked: false,
            created_at: now_text(),
            last_used_at: None,
        };
        let fresh_until = timestamp(
            chrono::Utc::now() + chrono::Duration::from_std(cimd::FRESH_FOR).unwrap_or_default(),
        );
        let url_text = client_id.to_owned();
        self.store
            .call(move |c| {
                store::oauth_clients::cimd_put(c, &url_text, &text, &fresh_until)?;
                store::oauth_clients::upsert(c, &row)
            })
            .await
            .map_err(|e| e.to_string())?;
        Ok(client)
    }
}

/// Checks a metadata document: its `client_id` is its URL, it has a name and good redirect URIs,
/// and it is a public client (no secret).
fn validate_document(url: &str, doc: &Value) -> Result<Client, String> {
    if doc["client_id"].as_str() != Some(url) {
        return Err(format!("the document at {url} names another client_id"));
    }
    let name =
        client_name(doc).ok_or_else(|| format!("the document at {url} has no client_name"))?;
    let uris =
        redirect_uris(doc).map_err(|e| format!("the document at {url}: {}", e.description))?;
    if doc.get("client_secret").is_some() {
        return Err(format!("the document at {url} carries a client_secret"));
    }
    let method = doc["token_endpoint_auth_method"].as_str().unwrap_or("none");
    if method != "none" {
        return Err(format!(
            "the document at {url} must use token_endpoint_auth_method none"
        ));
    }
    Ok(Client {
        id: url.to_owned(),
        kind: "cimd".into(),
        name: Some(name),
        metadata_hash: metadata_hash(&uris, "none"),
        redirect_uris: uris,
        auth_method: "none".into(),
        secret_hash: None,
    })
}

/// Registers a client for an admin (`admin oauth clients add`); returns its id.
pub fn add_static(
    store: &Store,
    name: &str,
    uris: &[String],
    actor: &str,
) -> Result<String, String> {
    for uri in uris {
        redirect::check_registrable(uri)?;
    }
    if uris.is_empty() {
        return Err("give at least one --redirect-uri".into());
    }
    let client_id = format!("smcpc_{}", &crate::secrets::random_secret()[..22]);
    let row = ClientRow {
        client_id: client_id.clone(),
        kind: "static".into(),
        client_name: Some(name.chars().take(MAX_NAME_CHARS).collect()),
        redirect_uris: json!(uris).to_string(),
        auth_method: "none".into(),
        secret_hash: None,
        metadata_hash: metadata_hash(uris, "none"),
        blocked: false,
        created_at: now_text(),
        last_used_at: None,
    };
    let actor = actor.to_owned();
    let audit = json!({"client_id": client_id, "client_name": name, "redirect_uris": uris});
    store
        .call_sync(|c| {
            store::oauth_clients::upsert(c, &row)?;
            store::audit::append(
                c,
                &actor,
                "oauth.client_added",
                Some(&row.client_id),
                Some(&audit.to_string()),
            )
        })
        .map_err(|e| e.to_string())?;
    Ok(client_id)
}
