//! The HTTP app on a real socket: bearer tokens and the 401 challenge, RFC 9728 metadata, the
//! token-in-URL refusal, health, the host check, rate limits, and the web sign-in basics.

use salesforce_mcp::http::limits::LimitSettings;
use salesforce_mcp::http::{Access, HttpConfig, HttpState, PublicUrl};
use salesforce_mcp::store;

use crate::helpers::{TestApp, spawn_app};

struct Web {
    base: String,
    client: reqwest::Client,
    token: String,
    _test: TestApp,
}

async fn spawn_web(limits: LimitSettings) -> Web {
    let test = spawn_app().await;
    let token = "sfmcp_test_token_alice".to_owned();
    let user_id = test.user_id;
    let hash = store::tokens::hash(&token);
    test.app
        .store
        .call_sync(|c| store::tokens::insert(c, user_id, &hash))
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = HttpConfig {
        public_url: PublicUrl::parse(&base).unwrap(),
        access: Access::Tokens,
        limits,
        oauth: true,
    };
    let router = salesforce_mcp::http::app(HttpState::new(test.app.clone(), config));
    tokio::spawn(salesforce_mcp::http::serve(listener, router));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    Web {
        base,
        client,
        token,
        _test: test,
    }
}

fn initialize() -> serde_json::Value {
    serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
}

impl Web {
    fn mcp(&self) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}/mcp", self.base))
            .header("accept", "application/json, text/event-stream")
            .json(&initialize())
    }
}

#[tokio::test]
async fn mcp_without_a_token_gets_401_with_the_metadata_challenge() {
    let web = spawn_web(LimitSettings::default()).await;
    let response = web.mcp().send().await.unwrap();
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert_eq!(
        challenge,
        format!(
            "Bearer resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\", scope=\"salesforce\"",
            web.base
        )
    );
    let bad = web.mcp().bearer_auth("wrong").send().await.unwrap();
    assert_eq!(bad.status(), 401);
    assert!(
        bad.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("error=\"invalid_token\"")
    );
    let good = web.mcp().bearer_auth(&web.token).send().await.unwrap();
    assert_eq!(good.status(), 200);
    assert!(good.headers().contains_key("mcp-session-id"));
}

#[tokio::test]
async fn metadata_documents_name_the_mcp_resource() {
    let web = spawn_web(LimitSettings::default()).await;
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
    ] {
        let doc: serde_json::Value = web
            .client
            .get(format!("{}{path}", web.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(doc["resource"], format!("{}/mcp", web.base));
        assert_eq!(
            doc["bearer_methods_supported"],
            serde_json::json!(["header"])
        );
    }
}

#[tokio::test]
async fn a_token_in_the_query_string_is_refused_even_when_valid() {
    let web = spawn_web(LimitSettings::default()).await;
    let response = web
        .client
        .post(format!("{}/mcp?access_token={}", web.base, web.token))
        .header("accept", "application/json, text/event-stream")
        .json(&initialize())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Authorization header")
    );
}

#[tokio::test]
async fn healthz_and_readyz_answer_200() {
    let web = spawn_web(LimitSettings::default()).await;
    for path in ["/healthz", "/readyz"] {
        let response = web
            .client
            .get(format!("{}{path}", web.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn another_host_name_is_refused() {
    let web = spawn_web(LimitSettings::default()).await;
    for path in ["/mcp", "/login"] {
        let response = web
            .client
            .get(format!("{}{path}", web.base))
            .header("host", "evil.example.com")
            .bearer_auth(&web.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
    }
}

#[tokio::test]
async fn over_the_rate_a_person_gets_429_with_retry_after() {
    let web = spawn_web(LimitSettings {
        max_body_bytes: 1 << 20,
        per_minute: 6,
        burst: 2,
    })
    .await;
    for _ in 0..2 {
        assert_eq!(
            web.mcp()
                .bearer_auth(&web.token)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
    let limited = web.mcp().bearer_auth(&web.token).send().await.unwrap();
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&retry), "{retry}");
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let web = spawn_web(LimitSettings {
        max_body_bytes: 1024,
        per_minute: 600,
        burst: 100,
    })
    .await;
    let big = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"pad": "x".repeat(4096)}});
    let response = web
        .client
        .post(format!("{}/mcp", web.base))
        .bearer_auth(&web.token)
        .header("accept", "application/json, text/event-stream")
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}
