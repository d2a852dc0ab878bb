//! Data-API plumbing of the simulated org: versions, sessions, limit header, injected failures,
//! latency, routing errors and the `/_sim` control endpoints.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::tests_oauth::{client, connect};
use super::*;

async fn session(org: &SimulatedOrg) -> String {
    connect(org).await["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn get(org: &SimulatedOrg, token: &str, path: &str) -> reqwest::Response {
    let url = format!("{}{path}", org.base_url());
    client().get(url).bearer_auth(token).send().await.unwrap()
}

fn limit_used(response: &reqwest::Response) -> u64 {
    let header = response.headers()["sforce-limit-info"].to_str().unwrap();
    let used = header.strip_prefix("api-usage=").unwrap();
    let (used, max) = used.split_once('/').unwrap();
    assert_eq!(max, "15000");
    used.parse().unwrap()
}

#[tokio::test]
async fn versions_need_no_session_and_carry_no_limit_header() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let response = client()
        .get(format!("{}/services/data/", org.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("sforce-limit-info").is_none());
    let list: Vec<Value> = response.json().await.unwrap();
    assert_eq!(list[0]["version"], "31.0");
    assert_eq!(list[0]["label"], "Summer '14");
    let last = list.last().unwrap();
    assert_eq!(last["version"], "67.0");
    assert_eq!(last["label"], "Summer '26");
    assert_eq!(last["url"], "/services/data/v67.0");
}

#[tokio::test]
async fn data_calls_without_a_session_get_invalid_session_id() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let url = format!("{}/services/data/v67.0/sobjects/", org.base_url());
    for request in [
        client().get(&url),
        client().get(&url).bearer_auth("00Dnope!AQbad"),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body[0]["errorCode"], "INVALID_SESSION_ID");
    }
}

#[tokio::test]
async fn every_data_call_counts_in_the_limit_header() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let token = session(&org).await;
    let first = get(&org, &token, "/services/data/v67.0/sobjects/").await;
    assert_eq!(first.status(), 200);
    let second = get(&org, &token, "/services/data/v67.0/limits/").await;
    assert_eq!(limit_used(&second), limit_used(&first) + 1);
    let limits: Value = second.json().await.unwrap();
    assert_eq!(limits["DailyApiRequests"]["Max"], 15000);
    let header_auth = client()
        .get(format!("{}/services/data/v67.0/limits", org.base_url()))
        .header("Authorization", format!("OAuth {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(header_auth.status(), 200);
}

#[tokio::test]
async fn retired_versions_are_gone_and_unknown_routes_are_not_found() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let token = session(&org).await;
    assert_eq!(
        get(&org, &token, "/services/data/v30.0/sobjects/")
            .await
            .status(),
        410
    );
    assert_eq!(
        get(&org, &token, "/services/data/v31.0/sobjects/")
            .await
            .status(),
        200
    );
    for path in [
        "/services/data/v67.0/nothing",
        "/services/data/v99.0/sobjects",
        "/elsewhere",
    ] {
        let response = get(&org, &token, path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body[0]["errorCode"], "NOT_FOUND");
    }
}

#[tokio::test]
async fn fail_next_fails_only_the_next_data_calls() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let token = session(&org).await;
    org.fail_next(2, 503);
    for _ in 0..2 {
        let response = get(&org, &token, "/services/data/v67.0/limits/").await;
        assert_eq!(response.status(), 503);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body[0]["errorCode"], "SERVER_UNAVAILABLE");
    }
    assert_eq!(
        get(&org, &token, "/services/data/v67.0/limits/")
            .await
            .status(),
        200
    );
    org.fail_next(1, 500);
    let identity = connect(&org).await;
    assert!(
        identity["access_token"].is_string(),
        "OAuth calls are not failed"
    );
    let response = get(&org, &token, "/services/data/v67.0/limits/").await;
    assert_eq!(response.status(), 500);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body[0]["errorCode"], "UNKNOWN_EXCEPTION");
}

#[tokio::test]
async fn an_unknown_query_locator_is_invalid_query_locator() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let token = session(&org).await;
    let response = get(
        &org,
        &token,
        "/services/data/v67.0/query/01gXXXXXXXXXXXXAAA-2000",
    )
    .await;
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body[0]["errorCode"], "INVALID_QUERY_LOCATOR");
    assert_eq!(body[0]["message"], "Invalid query locator");
}

#[tokio::test]
async fn writes_need_a_json_body_and_are_logged_with_it() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let token = session(&org).await;
    let url = format!("{}/services/data/v67.0/sobjects/Account/", org.base_url());
    let bad = client()
        .post(&url)
        .bearer_auth(&token)
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body[0]["errorCode"], "JSON_PARSER_ERROR");

    org.clear_requests();
    let record = serde_json::json!({"Name": "Acme"});
    client()
        .post(&url)
        .bearer_auth(&token)
        .json(&record)
        .send()
        .await
        .unwrap();
    let log = org.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].method, "POST");
    assert_eq!(log[0].path, "/services/data/v67.0/sobjects/Account/");
    assert_eq!(log[0].body, Some(record));
}

#[tokio::test]
async fn latency_delays_requests() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    org.set_latency(Duration::from_millis(150));
    let started = Instant::now();
    client()
        .get(format!("{}/services/data/", org.base_url()))
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn control_endpoints_drive_the_switches_and_are_not_logged() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let token = session(&org).await;
    let base = org.base_url();
    let post = |path: &str| client().post(format!("{base}/_sim/{path}")).send();
    assert_eq!(post("requests/clear").await.unwrap().status(), 200);
    assert_eq!(
        post("fail-next?count=1&status=503").await.unwrap().status(),
        200
    );
    assert_eq!(
        get(&org, &token, "/services/data/v67.0/limits/")
            .await
            .status(),
        503
    );
    post("expire-access-tokens").await.unwrap();
    assert_eq!(
        get(&org, &token, "/services/data/v67.0/limits/")
            .await
            .status(),
        401
    );
    assert_eq!(post("batch-size?n=abc").await.unwrap().status(), 400);
    assert_eq!(post("rotation?on=true").await.unwrap().status(), 200);

    let log: Vec<LoggedRequest> = client()
        .get(format!("{base}/_sim/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let statuses: Vec<u16> = log.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 401]);
    assert!(log.iter().all(|r| !r.path.starts_with("/_sim")));
    let missing = client()
        .get(format!("{base}/_sim/records/Account/001000000000000AAA"))
        .send();
    assert_eq!(missing.await.unwrap().status(), 404);
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let url = format!("{}/services/data/", org.base_url());
    org.shutdown().await;
    let fresh = reqwest::Client::new();
    assert!(fresh.get(url).send().await.is_err());
}

#[tokio::test]
async fn a_request_line_over_16_kib_gets_414() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let token = session(&org).await;
    let long = "x".repeat(17_000);
    let response = get(
        &org,
        &token,
        &format!("/services/data/v67.0/query/?q={long}"),
    )
    .await;
    assert_eq!(response.status(), 414);
    let short = get(
        &org,
        &token,
        "/services/data/v67.0/query/?q=SELECT+Id+FROM+Account",
    )
    .await;
    assert_eq!(short.status(), 200);
}
