//! `POST /services/oauth2/token`: the authorization-code and refresh-token grants, with PKCE,
//! client authentication, refresh-token rotation and family revocation on reuse.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::oauth::{client_credentials, no_store, oauth_error, parse_form};
use super::state::{Inner, ORG_ID_15, Shared};
use super::tokens::{Grant, RefreshLookup, TokenKind, epoch_millis};

/// Signs `signature` when the app has no client secret.
const FIXED_SIGNING_KEY: &[u8] = b"simulated-org-signing-key";

/// The token endpoint.
pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form_encoded = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !form_encoded {
        return oauth_error(
            "invalid_request",
            "request body must be application/x-www-form-urlencoded",
        );
    }
    let form = parse_form(&body);
    let grant_type = form.get("grant_type").filter(|g| !g.is_empty()).cloned();
    let Some(grant_type) = grant_type else {
        return oauth_error("invalid_request", "grant type is missing");
    };
    if grant_type != "authorization_code" && grant_type != "refresh_token" {
        return oauth_error("unsupported_grant_type", "grant type not supported");
    }
    let (client_id, secret) = client_credentials(&headers, &form);
    let mut inner = shared.inner();
    let key = client_id.as_deref().and_then(|c| {
        let expected = inner.config.secret_of(c)?;
        Some((c.to_owned(), expected.map(str::to_owned)))
    });
    let Some((client_id, expected)) = key else {
        return oauth_error("invalid_client_id", "client identifier invalid");
    };
    // Salesforce validates a secret that is sent even when none is required.
    if (expected.is_some() || secret.is_some()) && secret != expected {
        return oauth_error("invalid_client", "invalid client credentials");
    }
    let outcome = if grant_type == "authorization_code" {
        code_grant(&mut inner, &form, &client_id)
    } else {
        refresh_grant(&mut inner, &form, &client_id)
    };
    match outcome {
        Ok((grant, refresh_token)) => success(&shared, &mut inner, &grant, refresh_token, expected),
        Err((error, description)) => oauth_error(error, description),
    }
}

/// An OAuth error code and its description.
type Refusal = (&'static str, &'static str);

type GrantOutcome = Result<(Grant, Option<String>), Refusal>;

/// The code grant, for the consumer key that authenticated (the one the code was issued to).
fn code_grant(inner: &mut Inner, form: &HashMap<String, String>, client_id: &str) -> GrantOutcome {
    let code = form.get("code").map(String::as_str).unwrap_or_default();
    let Some(issued) = inner.tokens.take_code(code) else {
        return Err(("invalid_grant", "expired authorization code"));
    };
    if issued.client_id != client_id {
        return Err(("invalid_grant", "authentication failure"));
    }
    if form.get("redirect_uri") != Some(&issued.redirect_uri) {
        return Err((
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        ));
    }
    if let Some(challenge) = &issued.challenge {
        let verifier = form.get("code_verifier").filter(|v| !v.is_empty());
        let Some(verifier) = verifier else {
            return Err(("invalid_grant", "code verifier is missing"));
        };
        let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        if &computed != challenge {
            return Err(("invalid_request", "invalid code verifier"));
        }
    }
    let grant = Grant {
        user_id: issued.user_id,
        client_id: issued.client_id,
        scope: issued.scope,
        family: inner.tokens.new_family(),
    };
    let refresh = grant.offline().then(|| inner.tokens.issue_refresh(&grant));
    Ok((grant, refresh))
}

/// The refresh grant, for the consumer key that authenticated.
fn refresh_grant(
    inner: &mut Inner,
    form: &HashMap<String, String>,
    client_id: &str,
) -> GrantOutcome {
    let expired = || ("invalid_grant", "expired access/refresh token");
    let Some(token) = form.get("refresh_token").filter(|t| !t.is_empty()) else {
        return Err(("invalid_request", "refresh token is missing"));
    };
    // A token of another app (or of a key the app no longer has) is refused before it is used,
    // so that refusing it rotates and retires nothing.
    if let Some(TokenKind::Refresh(grant)) = inner.tokens.introspect(token)
        && !inner.config.refreshes_under(&grant.client_id, client_id)
    {
        return Err(expired());
    }
    let rotate = inner.config.rotate_refresh_tokens;
    match inner.tokens.use_refresh(token, rotate) {
        RefreshLookup::Unknown => Err(expired()),
        RefreshLookup::Retired(family) => {
            inner.tokens.revoke_family(family);
            Err(expired())
        }
        RefreshLookup::Current(grant) => {
            let refresh = rotate.then(|| inner.tokens.issue_refresh(&grant));
            Ok((grant, refresh))
        }
    }
}

fn success(
    shared: &Shared,
    inner: &mut Inner,
    grant: &Grant,
    refresh_token: Option<String>,
    key: Option<String>,
) -> Response {
    let org_15 = String::from_utf8_lossy(ORG_ID_15).into_owned();
    let access_token = inner.tokens.issue_access(grant, &org_15);
    let Some(user) = shared.user(&grant.user_id) else {
        return oauth_error("invalid_grant", "authentication failure");
    };
    let id = shared.identity_url(user);
    let issued_at = epoch_millis(SystemTime::now()).to_string();
    let mut body = json!({
        "access_token": access_token,
        "signature": signature(key.as_deref(), &id, &issued_at),
        "scope": grant.scope,
        "instance_url": shared.base_url,
        "id": id,
        "token_type": "Bearer",
        "issued_at": issued_at,
    });
    if let (Some(refresh), Some(map)) = (refresh_token, body.as_object_mut()) {
        map.insert("refresh_token".to_string(), Value::String(refresh));
    }
    let mut response = axum::Json(body).into_response();
    no_store(&mut response);
    response
}

/// Base64 HMAC-SHA256 of `id` + `issued_at`, keyed with the client secret (or a fixed key).
pub(crate) fn signature(secret: Option<&str>, id: &str, issued_at: &str) -> String {
    let key = secret.map_or(FIXED_SIGNING_KEY, str::as_bytes);
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(id.as_bytes());
            mac.update(issued_at.as_bytes());
            STANDARD.encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}
