//! Two consumer keys on one app (External Client Apps during a rotation): either key
//! authorizes, a refresh token refreshes under the other key of the same app, and a key the app
//! does not have (or a wrong secret) is refused as Salesforce refuses it.

use serde_json::Value;

use super::tests_oauth::{
    CALLBACK, VERIFIER, assert_oauth_error, assert_signed, authorize, connect, param, token,
};
use super::*;

const SECOND: &str = "3MVGsecondConsumerKey";

fn second_key() -> SimConsumerKey {
    SimConsumerKey {
        client_id: SECOND.into(),
        client_secret: Some("s2".into()),
        separate_app: false,
    }
}

async fn refresh_as(
    org: &SimulatedOrg,
    token_body: &Value,
    id: &str,
    secret: &str,
) -> (u16, Value) {
    let refresh = token_body["refresh_token"].as_str().unwrap();
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh),
        ("client_id", id),
    ];
    if !secret.is_empty() {
        form.push(("client_secret", secret));
    }
    token(org, &form).await
}

#[tokio::test]
async fn a_refresh_token_issued_under_one_key_refreshes_under_the_other() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let first = connect(&org).await;
    let unknown = refresh_as(&org, &first, SECOND, "s2").await;
    assert_oauth_error(&unknown, "invalid_client_id", "client identifier invalid");

    org.set_second_key(Some(second_key()));
    let (status, body) = refresh_as(&org, &first, SECOND, "s2").await;
    assert_eq!(status, 200, "{body}");
    assert_signed(&body, b"s2");
    let wrong = refresh_as(&org, &first, SECOND, "nope").await;
    assert_oauth_error(&wrong, "invalid_client", "invalid client credentials");
    let (status, _) = refresh_as(&org, &first, DEFAULT_CLIENT_ID, "").await;
    assert_eq!(status, 200, "the first key keeps working");
}

#[tokio::test]
async fn the_second_key_authorizes_and_its_tokens_end_when_the_app_drops_it() {
    let config = SimOrgConfig {
        second_key: Some(second_key()),
        ..SimOrgConfig::default()
    };
    let org = SimulatedOrg::start(config).await.unwrap();
    let location = authorize(&org, &[("client_id", SECOND)]).await;
    let code = param(location.headers()["location"].to_str().unwrap(), "code").unwrap();
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("client_id", DEFAULT_CLIENT_ID),
        ("redirect_uri", CALLBACK),
        ("code_verifier", VERIFIER),
    ];
    let other_key = token(&org, &form).await;
    assert_oauth_error(&other_key, "invalid_grant", "authentication failure");

    let location = authorize(&org, &[("client_id", SECOND)]).await;
    let code = param(location.headers()["location"].to_str().unwrap(), "code").unwrap();
    form[1] = ("code", code.as_str());
    form[2] = ("client_id", SECOND);
    form.push(("client_secret", "s2"));
    let (status, body) = token(&org, &form).await;
    assert_eq!(status, 200, "{body}");

    org.set_second_key(None);
    let dropped = refresh_as(&org, &body, DEFAULT_CLIENT_ID, "").await;
    assert_oauth_error(&dropped, "invalid_grant", "expired access/refresh token");
}

#[tokio::test]
async fn a_key_of_another_app_does_not_refresh_the_first_apps_tokens() {
    let org = SimulatedOrg::start(SimOrgConfig {
        rotate_refresh_tokens: true,
        ..SimOrgConfig::default()
    })
    .await
    .unwrap();
    let first = connect(&org).await;
    org.set_second_key(Some(SimConsumerKey {
        separate_app: true,
        ..second_key()
    }));
    let other_app = refresh_as(&org, &first, SECOND, "s2").await;
    assert_oauth_error(&other_app, "invalid_grant", "expired access/refresh token");
    let (status, body) = refresh_as(&org, &first, DEFAULT_CLIENT_ID, "").await;
    assert_eq!(status, 200, "the refused attempt retired nothing: {body}");
}
