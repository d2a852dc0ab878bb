//! OAuth behaviour of the simulated org, exercised over HTTP the way a client sees it.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};
use url::Url;

use super::*;

pub(super) const CALLBACK: &str = "http://localhost:8787/api/integrations/callback/salesforce";
pub(super) const VERIFIER: &str = "verifier-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH";

pub(super) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub(super) fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// GET authorize with the usual parameters plus `extra` (which may override them).
pub(super) async fn authorize(org: &SimulatedOrg, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut params = vec![
        ("response_type", "code".to_string()),
        ("client_id", DEFAULT_CLIENT_ID.to_string()),
        ("redirect_uri", CALLBACK.to_string()),
        ("scope", "api refresh_token".to_string()),
        ("state", "st-123".to_string()),
        ("code_challenge", challenge(VERIFIER)),
        ("code_challenge_method", "S256".to_string()),
    ];
    for (name, value) in extra {
        params.retain(|(n, _)| n != name);
        if !value.is_empty() {
            params.push((name, value.to_string()));
        }
    }
    let url = format!("{}/services/oauth2/authorize", org.base_url());
    client().get(url).query(&params).send().await.unwrap()
}

pub(super) fn location(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), 302);
    let value = response.headers()["location"].to_str().unwrap();
    value.to_string()
}

pub(super) fn param(location: &str, name: &str) -> Option<String> {
    let url = Url::parse(location).unwrap();
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn code(org: &SimulatedOrg, extra: &[(&str, &str)]) -> String {
    param(&location(&authorize(org, extra).await), "code").unwrap()
}

/// POST the token endpoint with a form.
pub(super) async fn token(org: &SimulatedOrg, form: &[(&str, &str)]) -> (u16, Value) {
    let url = format!("{}/services/oauth2/token", org.base_url());
    let response = client().post(url).form(form).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

pub(super) async fn exchange(
    org: &SimulatedOrg,
    code: &str,
    verifier: Option<&str>,
) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", DEFAULT_CLIENT_ID),
        ("redirect_uri", CALLBACK),
    ];
    if let Some(verifier) = verifier {
        form.push(("code_verifier", verifier));
    }
    token(org, &form).await
}

/// A completed authorization: the token response.
pub(super) async fn connect(org: &SimulatedOrg) -> Value {
    let code = code(org, &[]).await;
    let (status, body) = exchange(org, &code, Some(VERIFIER)).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn refresh(org: &SimulatedOrg, refresh_token: &str) -> (u16, Value) {
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", DEFAULT_CLIENT_ID),
    ];
    token(org, &form).await
}

/// The token response's `signature`: base64 HMAC-SHA256 of `id` + `issued_at` under `key`.
pub(super) fn assert_signed(body: &Value, key: &[u8]) {
    let (id, issued_at) = (
        body["id"].as_str().unwrap(),
        body["issued_at"].as_str().unwrap(),
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(format!("{id}{issued_at}").as_bytes());
    assert_eq!(
        body["signature"],
        STANDARD.encode(mac.finalize().into_bytes())
    );
}

pub(super) fn assert_oauth_error(result: &(u16, Value), error: &str, description: &str) {
    assert_eq!(result.0, 400, "{}", result.1);
    assert_eq!(result.1["error"], error);
    assert_eq!(result.1["error_description"], description);
}

#[tokio::test]
async fn code_flow_with_pkce_returns_a_salesforce_shaped_token_response() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let response = authorize(&org, &[]).await;
    let raw = location(&response);
    assert!(raw.starts_with(CALLBACK), "{raw}");
    assert!(raw.contains("%3D"), "code must arrive URL-encoded: {raw}");
    assert_eq!(param(&raw, "state").as_deref(), Some("st-123"));
    let code = param(&raw, "code").unwrap();
    assert!(code.contains('=') && code.contains('.'), "{code}");

    let url = format!("{}/services/oauth2/token", org.base_url());
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("client_id", DEFAULT_CLIENT_ID),
        ("redirect_uri", CALLBACK),
        ("code_verifier", VERIFIER),
    ];
    let response = client().post(url).form(&form).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    let access = body["access_token"].as_str().unwrap();
    assert!(
        access.starts_with("00D") && access.contains("!AQ"),
        "{access}"
    );
    assert!(body["refresh_token"].as_str().unwrap().len() > 40);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["instance_url"], org.base_url());
    assert_eq!(body["scope"], "api refresh_token");
    assert!(body.get("expires_in").is_none());
    let user = &org.users()[0];
    let id = format!("{}/id/{}/{}", org.base_url(), org.org_id(), user.user_id);
    assert_eq!(body["id"], id);
    let issued_at = body["issued_at"].as_str().unwrap();
    assert!(issued_at.len() == 13 && issued_at.chars().all(|c| c.is_ascii_digit()));
    assert_signed(&body, b"simulated-org-signing-key");
}

#[tokio::test]
async fn missing_code_challenge_redirects_with_invalid_request() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let raw = location(
        &authorize(
            &org,
            &[("code_challenge", ""), ("code_challenge_method", "")],
        )
        .await,
    );
    assert!(
        raw.contains(
            "error=invalid_request&error_description=missing+required+code+challenge&state=st-123"
        ),
        "{raw}"
    );
    assert!(param(&raw, "code").is_none());
}

#[tokio::test]
async fn pkce_can_be_optional_when_the_app_does_not_require_it() {
    let config = SimOrgConfig {
        require_pkce: false,
        ..SimOrgConfig::default()
    };
    let org = SimulatedOrg::start(config).await.unwrap();
    let code = code(
        &org,
        &[("code_challenge", ""), ("code_challenge_method", "")],
    )
    .await;
    assert_eq!(exchange(&org, &code, None).await.0, 200);
}

#[tokio::test]
async fn wrong_verifier_is_invalid_request_and_missing_verifier_is_invalid_grant() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let wrong = exchange(
        &org,
        &code(&org, &[]).await,
        Some("not-the-verifier-0123456789-0123456789-abc"),
    )
    .await;
    assert_eq!(wrong.0, 400);
    assert_eq!(wrong.1["error"], "invalid_request");
    let missing = exchange(&org, &code(&org, &[]).await, None).await;
    assert_eq!(missing.0, 400);
    assert_eq!(missing.1["error"], "invalid_grant");
}

#[tokio::test]
async fn a_code_works_only_once() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let code = code(&org, &[]).await;
    assert_eq!(exchange(&org, &code, Some(VERIFIER)).await.0, 200);
    let again = exchange(&org, &code, Some(VERIFIER)).await;
    assert_oauth_error(&again, "invalid_grant", "expired authorization code");
}

#[tokio::test]
async fn redirect_uri_must_equal_the_one_used_at_authorize() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let code = code(&org, &[]).await;
    let other = "http://localhost:9999/api/integrations/callback/salesforce";
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("client_id", DEFAULT_CLIENT_ID),
        ("redirect_uri", other),
        ("code_verifier", VERIFIER),
    ];
    let result = token(&org, &form).await;
    assert_oauth_error(
        &result,
        "redirect_uri_mismatch",
        "redirect_uri must match configuration",
    );
}

#[tokio::test]
async fn a_configured_secret_is_required_in_the_body_or_basic_auth() {
    let config = SimOrgConfig {
        client_secret: Some("s3cr3t".into()),
        ..SimOrgConfig::default()
    };
    let org = SimulatedOrg::start(config).await.unwrap();
    let without = exchange(&org, &code(&org, &[]).await, Some(VERIFIER)).await;
    assert_oauth_error(&without, "invalid_client", "invalid client credentials");

    let code = code(&org, &[]).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
        ("code_verifier", VERIFIER),
    ];
    let url = format!("{}/services/oauth2/token", org.base_url());
    let response = client()
        .post(url)
        .basic_auth(DEFAULT_CLIENT_ID, Some("s3cr3t"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_signed(&body, b"s3cr3t");
}

#[tokio::test]
async fn unknown_client_id_gets_an_error_page_and_a_token_error() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let response = authorize(&org, &[("client_id", "3MVGnope")]).await;
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("location").is_none());
    assert!(response.text().await.unwrap().contains("invalid_client_id"));
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", "x"),
        ("client_id", "3MVGnope"),
    ];
    let result = token(&org, &form).await;
    assert_oauth_error(&result, "invalid_client_id", "client identifier invalid");
}

#[tokio::test]
async fn unregistered_redirect_uri_gets_an_error_page_not_a_redirect() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let response = authorize(&org, &[("redirect_uri", "https://evil.example/cb")]).await;
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("location").is_none());
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("redirect_uri_mismatch")
    );
    org.set_redirect_uris(Some(vec!["http://localhost:1/cb".into()]));
    assert_eq!(authorize(&org, &[]).await.status(), 400);
    assert_eq!(
        authorize(&org, &[("redirect_uri", "http://localhost:1/cb")])
            .await
            .status(),
        302
    );
}

#[tokio::test]
async fn denied_authorization_redirects_with_access_denied() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    org.deny_next_authorization();
    let raw = location(&authorize(&org, &[]).await);
    assert_eq!(param(&raw, "error").as_deref(), Some("access_denied"));
    assert!(
        raw.contains("error_description=end-user+denied+authorization"),
        "{raw}"
    );
    assert!(param(&raw, "code").is_none());
    assert!(param(&location(&authorize(&org, &[]).await), "code").is_some());
}

#[tokio::test]
async fn login_hint_chooses_the_user_and_scope_decides_the_refresh_token() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let second = org.users()[1].clone();
    let code = code(
        &org,
        &[("login_hint", &second.username), ("scope", "api id")],
    )
    .await;
    let (_, body) = exchange(&org, &code, Some(VERIFIER)).await;
    assert!(body["id"].as_str().unwrap().ends_with(&second.user_id));
    assert_eq!(body["scope"], "api id");
    assert!(body.get("refresh_token").is_none());
}

#[tokio::test]
async fn refresh_without_rotation_returns_no_refresh_token_and_the_old_one_keeps_working() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let first = connect(&org).await;
    let rt = first["refresh_token"].as_str().unwrap();
    for _ in 0..2 {
        let (status, body) = refresh(&org, rt).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("refresh_token").is_none());
        assert_ne!(body["access_token"], first["access_token"]);
    }
}

#[tokio::test]
async fn rotation_retires_used_refresh_tokens_and_reuse_revokes_the_family() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    org.set_rotation(true);
    let first = connect(&org).await;
    let rt1 = first["refresh_token"].as_str().unwrap();
    let (status, second) = refresh(&org, rt1).await;
    assert_eq!(status, 200);
    let rt2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(rt1, rt2);
    let access = second["access_token"].as_str().unwrap();
    assert_eq!(data_status(&org, access).await, 200);

    let reuse = refresh(&org, rt1).await;
    assert_oauth_error(&reuse, "invalid_grant", "expired access/refresh token");
    let current = refresh(&org, rt2).await;
    assert_oauth_error(&current, "invalid_grant", "expired access/refresh token");
    assert_eq!(data_status(&org, access).await, 401);
}

pub(super) async fn data_status(org: &SimulatedOrg, access: &str) -> u16 {
    let url = format!("{}/services/data/v67.0/limits/", org.base_url());
    let response = client().get(url).bearer_auth(access).send().await.unwrap();
    response.status().as_u16()
}

#[tokio::test]
async fn expired_access_tokens_get_invalid_session_id_until_refreshed() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let tokens = connect(&org).await;
    let access = tokens["access_token"].as_str().unwrap();
    org.expire_access_tokens();
    let url = format!("{}/services/data/v67.0/limits/", org.base_url());
    let response = client().get(url).bearer_auth(access).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body[0]["errorCode"], "INVALID_SESSION_ID");
    assert_eq!(body[0]["message"], "Session expired or invalid");
    let (_, fresh) = refresh(&org, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(
        data_status(&org, fresh["access_token"].as_str().unwrap()).await,
        200
    );
}

#[tokio::test]
async fn revoked_refresh_tokens_get_invalid_grant() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let tokens = connect(&org).await;
    org.revoke_refresh_tokens();
    let result = refresh(&org, tokens["refresh_token"].as_str().unwrap()).await;
    assert_oauth_error(&result, "invalid_grant", "expired access/refresh token");
}

#[tokio::test]
async fn identity_and_userinfo_answer_bad_tokens_with_403_bad_oauth_token() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let tokens = connect(&org).await;
    let access = tokens["access_token"].as_str().unwrap();
    let id_url = tokens["id"].as_str().unwrap();
    let userinfo = format!("{}/services/oauth2/userinfo", org.base_url());
    let identity: Value = client()
        .get(id_url)
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user = &org.users()[0];
    assert_eq!(identity["username"], user.username.as_str());
    assert_eq!(identity["user_id"], user.user_id.as_str());
    assert_eq!(identity["display_name"], user.display_name.as_str());
    assert_eq!(identity["organization_id"], org.org_id());
    let info: Value = client()
        .get(&userinfo)
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["preferred_username"], user.username.as_str());
    assert_eq!(info["sub"], id_url);

    org.expire_access_tokens();
    for url in [id_url, userinfo.as_str()] {
        let response = client().get(url).bearer_auth(access).send().await.unwrap();
        assert_eq!(response.status(), 403);
        assert_eq!(response.text().await.unwrap(), "Bad_OAuth_Token");
    }
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_its_access_tokens() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let tokens = connect(&org).await;
    let rt = tokens["refresh_token"].as_str().unwrap();
    let url = format!("{}/services/oauth2/revoke", org.base_url());
    let response = client()
        .post(&url)
        .form(&[("token", rt)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().is_empty());
    assert_eq!(
        data_status(&org, tokens["access_token"].as_str().unwrap()).await,
        401
    );
    assert_eq!(refresh(&org, rt).await.0, 400);
    let again = client()
        .post(&url)
        .form(&[("token", rt)])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400);
    let body: Value = again.json().await.unwrap();
    assert_eq!(body["error"], "invalid_token");
}

#[tokio::test]
async fn token_endpoint_accepts_only_form_encoded_bodies() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let url = format!("{}/services/oauth2/token", org.base_url());
    let body = serde_json::json!({"grant_type": "refresh_token", "refresh_token": "x"});
    let response = client().post(url).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
}

#[tokio::test]
async fn request_log_keeps_grant_types_but_no_credentials() {
    let config = SimOrgConfig {
        client_secret: Some("s3cr3t-value".into()),
        ..SimOrgConfig::default()
    };
    let org = SimulatedOrg::start(config).await.unwrap();
    let raw = location(&authorize(&org, &[]).await);
    let code = param(&raw, "code").unwrap();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("client_id", DEFAULT_CLIENT_ID),
        ("client_secret", "s3cr3t-value"),
        ("redirect_uri", CALLBACK),
        ("code_verifier", VERIFIER),
    ];
    let (_, tokens) = token(&org, &form).await;
    let access = tokens["access_token"].as_str().unwrap();
    data_status(&org, access).await;

    let log = org.requests();
    let grant_types: Vec<_> = log.iter().filter_map(|r| r.grant_type.clone()).collect();
    assert_eq!(grant_types, ["authorization_code"]);
    assert_eq!(log.last().unwrap().status, 200);
    let text = serde_json::to_string(&log).unwrap();
    let encoded_code: String = url::form_urlencoded::byte_serialize(code.as_bytes()).collect();
    let rt = tokens["refresh_token"].as_str().unwrap();
    for secret in [
        code.as_str(),
        &encoded_code,
        VERIFIER,
        "s3cr3t-value",
        access,
        rt,
        "st-123",
    ] {
        assert!(!text.contains(secret), "log contains a credential: {text}");
    }
}
