//! The authorization server for MCP clients, end to end over real sockets: a client registers,
//! a browser signs in with the simulated org and allows it, the client exchanges the code and
//! calls `/mcp` as the right person; and every rule that keeps that safe.

use std::collections::HashMap;

use base64::Engine as _;
use salesforce_mcp::http::limits::LimitSettings;
use salesforce_mcp::http::{Access, HttpConfig, HttpState, PublicUrl};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::helpers::{TestApp, spawn_app};

pub(crate) struct Server {
    pub base: String,
    pub test: TestApp,
}

pub(crate) async fn serve() -> Server {
    let test = spawn_app().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = HttpConfig {
        public_url: PublicUrl::parse(&base).unwrap(),
        access: Access::Tokens,
        limits: LimitSettings::default(),
        oauth: true,
    };
    let router = salesforce_mcp::http::app(HttpState::new(test.app.clone(), config));
    tokio::spawn(salesforce_mcp::http::serve(listener, router));
    Server { base, test }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn query_of(location: &str) -> HashMap<String, String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

/// A browser: cookies kept by name.
#[derive(Default)]
pub(crate) struct Browser {
    cookies: HashMap<String, String>,
}

impl Browser {
    fn header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, response: &reqwest::Response) {
        for v in response.headers().get_all("set-cookie") {
            let (k, v) = pair(v.to_str().unwrap())
                .split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .unwrap();
            if v.is_empty() {
                self.cookies.remove(&k);
            } else {
                self.cookies.insert(k, v);
            }
        }
    }

    pub async fn get(&mut self, url: &str) -> reqwest::Response {
        let r = client()
            .get(url)
            .header("cookie", self.header())
            .send()
            .await
            .unwrap();
        self.keep(&r);
        r
    }

    pub async fn post(&mut self, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let r = client()
            .post(url)
            .header("cookie", self.header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.keep(&r);
        r
    }
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_owned()
}

pub(crate) async fn register(base: &str, redirect_uris: Value) -> (u16, Value) {
    let r = client()
        .post(format!("{base}/register"))
        .json(&json!({"client_name": "Test client", "redirect_uris": redirect_uris}))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

pub(crate) fn authorize_url(
    base: &str,
    client_id: &str,
    redirect: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut url = url::Url::parse(&format!("{base}/authorize")).unwrap();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect)
            .append_pair("state", "client-state")
            .append_pair("code_challenge", &challenge(VERIFIER))
            .append_pair("code_challenge_method", "S256")
            .append_pair("resource", &format!("{base}/mcp"));
        for (k, v) in extra {
            q.append_pair(k, v);
        }
    }
    url.to_string()
}

/// Follows /authorize through the simulated org to the consent page; returns it.
pub(crate) async fn to_consent(browser: &mut Browser, url: &str) -> reqwest::Response {
    let base = url.split("/authorize").next().unwrap().to_owned();
    let absolute = |to: String| {
        if to.starts_with("http") {
            to
        } else {
            format!("{base}{to}")
        }
    };
    let mut next = url.to_owned();
    loop {
        let r = browser.get(&next).await;
        if !r.status().is_redirection() {
            return r;
        }
        let to = location(&r);
        // The redirect back to the client (with its code) ends the browser's part.
        if to.contains("code=") && !to.contains("/api/integrations/callback") {
            return r;
        }
        next = absolute(to);
    }
}

fn form_value(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let start = html.find(&key).unwrap() + key.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// Signs in through the browser and allows the client; returns the redirect to the client.
pub(crate) async fn sign_in_and_allow(
    browser: &mut Browser,
    base: &str,
    client_id: &str,
    redirect: &str,
) -> HashMap<String, String> {
    let page = to_consent(browser, &authorize_url(base, client_id, redirect, &[])).await;
    if page.status().is_redirection() {
        return query_of(&location(&page));
    }
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Test client") && html.contains("not verified"),
        "{html}"
    );
    let allow = browser
        .post(
            &format!("{base}/authorize/consent"),
            &[
                ("req", &form_value(&html, "req")),
                ("csrf", &form_value(&html, "csrf")),
                ("decision", "allow"),
            ],
        )
        .await;
    assert_eq!(allow.status(), 303);
    query_of(&location(&allow))
}

pub(crate) async fn token(base: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let r = client()
        .post(format!("{base}/token"))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    (r.status().as_u16(), r.json().await.unwrap())
}

pub(crate) async fn exchange(
    base: &str,
    client_id: &str,
    redirect: &str,
    code: &str,
) -> (u16, Value) {
    token(
        base,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("redirect_uri", redirect),
            ("code", code),
            ("code_verifier", VERIFIER),
        ],
    )
    .await
}

async fn mcp_status(base: &str, access: &str) -> reqwest::Response {
    client()
        .post(format!("{base}/mcp"))
        .bearer_auth(access)
        .header("accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}))
        .send()
        .await
        .unwrap()
}

const REDIRECT: &str = "http://127.0.0.1/callback";
const REDIRECT_WITH_PORT: &str = "http://127.0.0.1:49152/callback";

#[tokio::test]
async fn discovery_documents_name_this_server_as_the_authorization_server() {
    let s = serve().await;
    let prm: Value = client()
        .get(format!(
            "{}/.well-known/oauth-protected-resource/mcp",
            s.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(prm["authorization_servers"], json!([s.base]));
    assert_eq!(prm["resource"], format!("{}/mcp", s.base));
    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/oauth-authorization-server/mcp",
    ] {
        let md: Value = client()
            .get(format!("{}{path}", s.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(md["issuer"], s.base);
        assert_eq!(
            md["authorization_endpoint"],
            format!("{}/authorize", s.base)
        );
        assert_eq!(md["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(md["client_id_metadata_document_supported"], true);
        assert_eq!(md["authorization_response_iss_parameter_supported"], true);
        assert!(
            md["token_endpoint_auth_methods_supported"]
                .as_array()
                .unwrap()
                .contains(&json!("none"))
        );
    }
    let challenge = mcp_status(&s.base, "nope").await;
    assert_eq!(challenge.status(), 401);
    assert!(
        challenge.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("scope=\"salesforce\"")
    );
}

#[tokio::test]
async fn registration_accepts_https_and_loopback_redirects_only() {
    let s = serve().await;
    let (status, body) = register(
        &s.base,
        json!(["https://claude.ai/api/mcp/auth_callback", REDIRECT]),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert!(body["client_id"].as_str().unwrap().starts_with("smcpc_"));
    assert!(body["client_id_issued_at"].is_i64());
    for bad in [
        json!(["http://evil.example/cb"]),
        json!(["javascript:alert(1)"]),
        json!([]),
        json!(["https://a.example/cb#frag"]),
    ] {
        let (status, body) = register(&s.base, bad.clone()).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_redirect_uri")),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn a_client_signs_in_with_salesforce_and_calls_mcp_as_the_person() {
    let s = serve().await;
    let (_, reg) = register(&s.base, json!([REDIRECT])).await;
    let client_id = reg["client_id"].as_str().unwrap();
    let mut browser = Browser::default();
    // The loopback redirect is registered without a port and used with one (RFC 8252).
    let back = sign_in_and_allow(&mut browser, &s.base, client_id, REDIRECT_WITH_PORT).await;
    assert_eq!(back["state"], "client-state");
    assert_eq!(back["iss"], s.base);
    let (status, tokens) = exchange(&s.base, client_id, REDIRECT_WITH_PORT, &back["code"]).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    let access = tokens["access_token"].as_str().unwrap();
    assert!(
        access.starts_with("smcpa_") && !access.contains("!"),
        "never a Salesforce token"
    );
    let ok = mcp_status(&s.base, access).await;
    assert_eq!(ok.status(), 200);
    // The grant is the person's: listed at /connect, and the consent is remembered.
    let grants = s
        .test
        .app
        .store
        .call_sync(|c| salesforce_mcp::store::oauth_grants::grants(c, None))
        .unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].user_id, s.test.user_id);
    let again = to_consent(
        &mut browser,
        &authorize_url(&s.base, client_id, REDIRECT_WITH_PORT, &[]),
    )
    .await;
    assert!(again.status().is_redirection(), "no second consent page");
    assert!(query_of(&location(&again)).contains_key("code"));
}

#[tokio::test]
async fn a_code_works_once_and_a_replay_revokes_what_it_issued() {
    let s = serve().await;
    let (_, reg) = register(&s.base, json!([REDIRECT])).await;
    let client_id = reg["client_id"].as_str().unwrap();
    let back = sign_in_and_allow(&mut Browser::default(), &s.base, client_id, REDIRECT).await;
    let wrong = token(
        &s.base,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("redirect_uri", REDIRECT),
            ("code", &back["code"]),
            ("code_verifier", &"x".repeat(43)),
        ],
    )
    .await;
    assert_eq!(wrong.1["error"], "invalid_grant", "a wrong PKCE verifier");
    let back = sign_in_and_allow(&mut Browser::default(), &s.base, client_id, REDIRECT).await;
    let (_, first) = exchange(&s.base, client_id, REDIRECT, &back["code"]).await;
    let access = first["access_token"].as_str().unwrap();
    assert_eq!(mcp_status(&s.base, access).await.status(), 200);
    let (status, replay) = exchange(&s.base, client_id, REDIRECT, &back["code"]).await;
    assert_eq!(
        (status, replay["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(
        mcp_status(&s.base, access).await.status(),
        401,
        "the first tokens are revoked"
    );
}

async fn refresh(base: &str, client_id: &str, r: &str) -> (u16, Value) {
    token(
        base,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", client_id),
            ("refresh_token", r),
        ],
    )
    .await
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_grant() {
    let s = serve().await;
    let (_, reg) = register(&s.base, json!([REDIRECT])).await;
    let client_id = reg["client_id"].as_str().unwrap();
    let back = sign_in_and_allow(&mut Browser::default(), &s.base, client_id, REDIRECT).await;
    let (_, t1) = exchange(&s.base, client_id, REDIRECT, &back["code"]).await;
    let r1 = t1["refresh_token"].as_str().unwrap().to_owned();
    let (status, t2) = refresh(&s.base, client_id, &r1).await;
    assert_eq!(status, 200, "{t2}");
    assert_ne!(t2["refresh_token"], t1["refresh_token"]);
    // A retry with the replaced token within 30 s works once more, and the pair in between ends.
    let (status, t3) = refresh(&s.base, client_id, &r1).await;
    assert_eq!(status, 200, "{t3}");
    assert_eq!(
        mcp_status(&s.base, t2["access_token"].as_str().unwrap())
            .await
            .status(),
        401
    );
    let t3_access = t3["access_token"].as_str().unwrap().to_owned();
    assert_eq!(mcp_status(&s.base, &t3_access).await.status(), 200);
    // Later reuse of a replaced token is theft: the whole grant goes.
    s.test.app.store.call_sync(|c| {
        c.execute("UPDATE oauth_refresh_tokens SET replaced_at = '2000-01-01T00:00:00.000Z' WHERE replaced_at IS NOT NULL", &[])?;
        Ok(())
    }).unwrap();
    let (status, reuse) = refresh(&s.base, client_id, &r1).await;
    assert_eq!(
        (status, reuse["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(mcp_status(&s.base, &t3_access).await.status(), 401);
    let (status, _) = refresh(&s.base, client_id, t3["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 400, "the grant is revoked");
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_the_grant_and_a_revoked_grant_gets_invalid_token() {
    let s = serve().await;
    let (_, reg) = register(&s.base, json!([REDIRECT])).await;
    let client_id = reg["client_id"].as_str().unwrap();
    let back = sign_in_and_allow(&mut Browser::default(), &s.base, client_id, REDIRECT).await;
    let (_, t) = exchange(&s.base, client_id, REDIRECT, &back["code"]).await;
    let r = client()
        .post(format!("{}/revoke", s.base))
        .form(&[
            ("client_id", client_id),
            ("token", t["refresh_token"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let denied = mcp_status(&s.base, t["access_token"].as_str().unwrap()).await;
    assert_eq!(denied.status(), 401);
    assert!(
        denied.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    let unknown = client()
        .post(format!("{}/revoke", s.base))
        .form(&[("client_id", client_id), ("token", "whatever")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 200);
}

#[tokio::test]
async fn authorize_errors_go_to_the_client_only_once_client_and_redirect_are_verified() {
    let s = serve().await;
    let (_, reg) = register(&s.base, json!([REDIRECT])).await;
    let client_id = reg["client_id"].as_str().unwrap();
    let c = client();
    let unknown = c
        .get(authorize_url(&s.base, "smcpc_nobody", REDIRECT, &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    assert!(unknown.headers().get("location").is_none());
    let elsewhere = c
        .get(authorize_url(
            &s.base,
            client_id,
            "https://evil.example/cb",
            &[],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 400);
    assert!(elsewhere.headers().get("location").is_none());
    let mut url = url::Url::parse(&authorize_url(&s.base, client_id, REDIRECT, &[])).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "code_challenge_method")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut().clear().extend_pairs(
        pairs
            .iter()
            .chain([("code_challenge_method".to_owned(), "plain".to_owned())].iter()),
    );
    let plain = c.get(url.as_str()).send().await.unwrap();
    let q = query_of(&location(&plain));
    assert_eq!(
        (q["error"].as_str(), q["iss"].as_str(), q["state"].as_str()),
        ("invalid_request", s.base.as_str(), "client-state")
    );
    let other = authorize_url(&s.base, client_id, REDIRECT, &[]).replace(
        &format!("resource={}", urlencode(&format!("{}/mcp", s.base))),
        "resource=https%3A%2F%2Fother.example%2Fmcp",
    );
    let q = query_of(&location(&c.get(other).send().await.unwrap()));
    assert_eq!(q["error"], "invalid_target");
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn consent_needs_its_csrf_token_and_the_browser_that_started_and_deny_says_so() {
    let s = serve().await;
    let (_, reg) = register(&s.base, json!([REDIRECT])).await;
    let client_id = reg["client_id"].as_str().unwrap();
    let mut browser = Browser::default();
    let page = to_consent(
        &mut browser,
        &authorize_url(&s.base, client_id, REDIRECT, &[]),
    )
    .await;
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let html = page.text().await.unwrap();
    let req = form_value(&html, "req");
    let forged = browser
        .post(
            &format!("{}/authorize/consent", s.base),
            &[("req", &req), ("csrf", "forged"), ("decision", "allow")],
        )
        .await;
    assert_eq!(forged.status(), 403);
    let mut other = Browser::default();
    let stolen = other
        .post(
            &format!("{}/authorize/consent", s.base),
            &[
                ("req", &req),
                ("csrf", &form_value(&html, "csrf")),
                ("decision", "allow"),
            ],
        )
        .await;
    assert_eq!(stolen.status(), 403, "another browser cannot finish it");
    let deny = browser
        .post(
            &format!("{}/authorize/consent", s.base),
            &[
                ("req", &req),
                ("csrf", &form_value(&html, "csrf")),
                ("decision", "deny"),
            ],
        )
        .await;
    let q = query_of(&location(&deny));
    assert_eq!(
        (q["error"].as_str(), q["state"].as_str()),
        ("access_denied", "client-state")
    );
    assert!(
        s.test
            .app
            .store
            .call_sync(|c| salesforce_mcp::store::oauth_grants::grants(c, None))
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn salesforce_s_answer_in_another_browser_is_refused() {
    let s = serve().await;
    let (_, reg) = register(&s.base, json!([REDIRECT])).await;
    let client_id = reg["client_id"].as_str().unwrap();
    let mut victim = Browser::default();
    let start = victim
        .get(&authorize_url(&s.base, client_id, REDIRECT, &[]))
        .await;
    let salesforce = victim.get(&location(&start)).await;
    let callback = location(&salesforce);
    let mut attacker = Browser::default();
    let r = attacker.get(&callback).await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("another browser"));
}

#[tokio::test]
async fn a_salesforce_user_nobody_here_is_bound_to_is_not_signed_in() {
    let s = serve().await;
    let (_, reg) = register(&s.base, json!([REDIRECT])).await;
    let client_id = reg["client_id"].as_str().unwrap();
    let user = s.test.org.users()[1].username.clone();
    let page = to_consent(
        &mut Browser::default(),
        &authorize_url(&s.base, client_id, REDIRECT, &[]),
    )
    .await;
    assert_eq!(page.status(), 200, "the default user is alice's");
    // The login_hint picks another simulated user, bound to nobody and with no person of that e-mail.
    s.test
        .app
        .store
        .call_sync(|c| {
            c.execute("DELETE FROM person_identities", &[])?;
            Ok(())
        })
        .unwrap();
    let mut browser = Browser::default();
    let start = browser
        .get(&authorize_url(&s.base, client_id, REDIRECT, &[]))
        .await;
    let upstream = format!("{}&login_hint={}", location(&start), urlencode(&user));
    let back = browser.get(&upstream).await;
    let done = browser.get(&location(&back)).await;
    assert_eq!(done.status(), 403);
    assert!(done.text().await.unwrap().contains("Ask your admin"));
}

#[tokio::test]
async fn with_group_overrides_the_person_gives_their_email_first() {
    let s = serve().await;
    let base = s.test.org.base_url();
    s.test
        .app
        .store
        .call_sync(|c| {
            let group = salesforce_mcp::store::groups::insert(c, "sales", 10)?.unwrap();
            let fields = salesforce_mcp::store::apps::AppFields {
                client_id: salesforce_mcp::simulated_org::DEFAULT_CLIENT_ID.into(),
                client_secret_sealed: None,
                auth_base_url: base.clone(),
                scopes: "api refresh_token offline_access".into(),
                prompt: None,
                enabled: true,
            };
            salesforce_mcp::store::apps::upsert(c, Some(group), &fields)?;
            Ok(())
        })
        .unwrap();
    let (_, reg) = register(&s.base, json!([REDIRECT])).await;
    let client_id = reg["client_id"].as_str().unwrap();
    let mut browser = Browser::default();
    let page = browser
        .get(&authorize_url(&s.base, client_id, REDIRECT, &[]))
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Work e-mail"), "{html}");
    let sent = browser
        .post(
            &format!("{}/authorize/email", s.base),
            &[
                ("req", &form_value(&html, "req")),
                ("csrf", &form_value(&html, "csrf")),
                ("email", "alice@example.com"),
            ],
        )
        .await;
    assert_eq!(sent.status(), 303);
    let to = location(&sent);
    assert!(
        to.starts_with(&base) && to.contains("login_hint=alice%40example.com"),
        "{to}"
    );
}

/// Serves `document` (with `{url}` replaced by its own URL) at `/client.json` on loopback.
async fn publish(document: &str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/client.json", listener.local_addr().unwrap());
    let body = document.replace("{url}", &url);
    let app = axum::Router::new().route(
        "/client.json",
        axum::routing::get(move || {
            let body = body.clone();
            async move { ([("content-type", "application/json")], body) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn a_client_id_metadata_document_is_fetched_checked_and_shown_by_its_host() {
    let s = serve().await;
    let url = publish(r#"{"client_id": "{url}", "client_name": "Published client", "redirect_uris": ["http://127.0.0.1/callback"], "token_endpoint_auth_method": "none"}"#).await;
    let mut browser = Browser::default();
    let page = to_consent(&mut browser, &authorize_url(&s.base, &url, REDIRECT, &[])).await;
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Published client") && html.contains("published by 127.0.0.1"),
        "{html}"
    );
    let allow = browser
        .post(
            &format!("{}/authorize/consent", s.base),
            &[
                ("req", &form_value(&html, "req")),
                ("csrf", &form_value(&html, "csrf")),
                ("decision", "allow"),
            ],
        )
        .await;
    let back = query_of(&location(&allow));
    let (status, tokens) = exchange(&s.base, &url, REDIRECT, &back["code"]).await;
    assert_eq!(status, 200, "{tokens}");

    let impostor = publish(r#"{"client_id": "https://claude.ai/oauth/mcp-oauth-client-metadata", "client_name": "Claude", "redirect_uris": ["http://127.0.0.1/callback"]}"#).await;
    let refused = client()
        .get(authorize_url(&s.base, &impostor, REDIRECT, &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("names another client_id")
    );
}

#[tokio::test]
async fn a_client_can_revoke_only_its_own_tokens() {
    let s = serve().await;
    let (_, mine) = register(&s.base, json!([REDIRECT])).await;
    let (_, other) = register(&s.base, json!([REDIRECT])).await;
    let mine = mine["client_id"].as_str().unwrap();
    let back = sign_in_and_allow(&mut Browser::default(), &s.base, mine, REDIRECT).await;
    let (_, t) = exchange(&s.base, mine, REDIRECT, &back["code"]).await;
    let access = t["access_token"].as_str().unwrap();
    for token in [access, t["refresh_token"].as_str().unwrap()] {
        let r = client()
            .post(format!("{}/revoke", s.base))
            .form(&[
                ("client_id", other["client_id"].as_str().unwrap()),
                ("token", token),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "RFC 7009 answers 200 either way");
    }
    assert_eq!(
        mcp_status(&s.base, access).await.status(),
        200,
        "another client's revoke changed nothing"
    );
}

#[tokio::test]
async fn a_registration_over_8_kib_is_refused_with_413() {
    let s = serve().await;
    let uris: Vec<String> = (0..10)
        .map(|n| format!("https://app.example/{}/{n}", "x".repeat(1000)))
        .collect();
    let r = client()
        .post(format!("{}/register", s.base))
        .json(&json!({"client_name": "Big", "redirect_uris": uris}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert!(
        s.test
            .app
            .store
            .call_sync(|c| salesforce_mcp::store::oauth_clients::list(c))
            .unwrap()
            .is_empty()
    );
}
