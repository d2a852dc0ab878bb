//! The web sign-in: the session cookie's attributes, CSRF on forms, and the connect page.

use salesforce_mcp::http::limits::LimitSettings;
use salesforce_mcp::http::{Access, HttpConfig, HttpState, PublicUrl};
use salesforce_mcp::store;

use crate::helpers::spawn_app;

pub const TOKEN: &str = "sfmcp_test_token_web";

/// A server whose public URL is `public` (https to check `Secure`; requests then send its Host).
pub async fn serve(public: Option<&str>) -> (String, String, crate::helpers::TestApp) {
    let test = spawn_app().await;
    let user_id = test.user_id;
    test.app
        .store
        .call_sync(|c| store::tokens::insert(c, user_id, &store::tokens::hash(TOKEN)))
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let public = public.map_or(base.clone(), str::to_owned);
    let config = HttpConfig {
        public_url: PublicUrl::parse(&public).unwrap(),
        access: Access::Tokens,
        limits: LimitSettings::default(),
        oauth: true,
    };
    let router = salesforce_mcp::http::app(HttpState::new(test.app.clone(), config));
    tokio::spawn(salesforce_mcp::http::serve(listener, router));
    let host = public.split("://").nth(1).unwrap().to_owned();
    (base, host, test)
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

pub fn csrf(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    html[start..].split('"').next().unwrap().to_owned()
}

pub fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

/// Signs in; returns the session's `Set-Cookie`.
pub async fn sign_in(base: &str, host: &str) -> String {
    let c = client();
    let form = c
        .get(format!("{base}/login"))
        .header("host", host)
        .send()
        .await
        .unwrap();
    let login_cookie = cookie_pair(form.headers()["set-cookie"].to_str().unwrap());
    let token = csrf(&form.text().await.unwrap());
    let done = c
        .post(format!("{base}/login"))
        .header("host", host)
        .header("cookie", login_cookie)
        .form(&[("token", TOKEN), ("csrf", &token), ("next", "/connect")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], "/connect");
    done.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.contains("sfmcp_session=") && !v.contains("Max-Age=0"))
        .unwrap()
}

#[tokio::test]
async fn signing_in_sets_an_httponly_lax_cookie_that_opens_the_connect_page() {
    let (base, host, _test) = serve(None).await;
    let cookie = sign_in(&base, &host).await;
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain http public URL: {cookie}"
    );
    let page = client()
        .get(format!("{base}/connect"))
        .header("cookie", cookie_pair(&cookie))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("alice@example.com") && html.contains("Disconnect"),
        "{html}"
    );
}

#[tokio::test]
async fn an_https_public_url_makes_the_cookie_secure_and_host_prefixed() {
    let (base, host, _test) = serve(Some("https://mcp.example.com")).await;
    let cookie = sign_in(&base, &host).await;
    assert!(cookie.starts_with("__Host-sfmcp_session="), "{cookie}");
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn the_connect_page_without_a_session_redirects_to_login() {
    let (base, _host, _test) = serve(None).await;
    let response = client()
        .get(format!("{base}/connect"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login?next=%2Fconnect");
}

#[tokio::test]
async fn a_bad_token_or_a_missing_csrf_token_does_not_sign_in_or_disconnect() {
    let (base, host, test) = serve(None).await;
    let c = client();
    let form = c.get(format!("{base}/login")).send().await.unwrap();
    let login_cookie = cookie_pair(form.headers()["set-cookie"].to_str().unwrap());
    let token = csrf(&form.text().await.unwrap());
    let wrong = c
        .post(format!("{base}/login"))
        .header("cookie", &login_cookie)
        .form(&[("token", "nope"), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let forged = c
        .post(format!("{base}/login"))
        .form(&[("token", TOKEN), ("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401, "no login CSRF cookie: refused");

    let session = cookie_pair(&sign_in(&base, &host).await);
    let no_csrf = c
        .post(format!("{base}/connect/disconnect"))
        .header("cookie", &session)
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), 403);
    let still = test.app.connections.get(test.user_id).await.unwrap();
    assert!(still.is_some(), "the connection must survive a forged form");
}

#[tokio::test]
async fn the_callback_refuses_an_authorization_started_by_another_person() {
    let (base, host, test) = serve(None).await;
    let bob = test
        .app
        .store
        .call_sync(|c| store::users::insert(c, "bob@example.com", false))
        .unwrap();
    let authorize = test
        .app
        .connections
        .begin(
            bob.id,
            &format!("{base}/api/integrations/callback/salesforce"),
        )
        .await
        .unwrap();
    let state = url::Url::parse(&authorize)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let alice_session = cookie_pair(&sign_in(&base, &host).await);
    let response = client()
        .get(format!(
            "{base}/api/integrations/callback/salesforce?code=x&state={state}"
        ))
        .header("cookie", alice_session)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.text().await.unwrap().contains("another person"));
}

async fn prepared_update(test: &crate::helpers::TestApp, user_id: i64) -> String {
    let args = salesforce_mcp::changes::PrepareArgs {
        operation: "update".into(),
        object: "Account".into(),
        record_id: Some("001Dx0000000001IAA".into()),
        fields: Some(serde_json::from_str(r#"{"Description": "approved on the web"}"#).unwrap()),
        ..Default::default()
    };
    test.app
        .changes
        .prepare(user_id, args)
        .await
        .unwrap()
        .change_id
}

/// The `Set-Cookie` values of a response, as `name=value` pairs.
fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| cookie_pair(v.to_str().unwrap()))
        .collect()
}

/// "Sign in with Salesforce" as a browser does it (the simulated org approves at once, as its
/// default user); returns the session cookie.
pub(crate) async fn sign_in_with_salesforce(base: &str, host: &str) -> String {
    let c = client();
    let start = c
        .get(format!("{base}/login/salesforce?next=/connect"))
        .header("host", host)
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303, "{}", start.text().await.unwrap());
    let browser = set_cookies(&start).join("; ");
    let salesforce = start.headers()["location"].to_str().unwrap().to_owned();
    let back = c.get(&salesforce).send().await.unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_owned();
    let done = c
        .get(&callback)
        .header("host", host)
        .header("cookie", &browser)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303, "{}", done.text().await.unwrap());
    assert_eq!(done.headers()["location"], "/connect");
    set_cookies(&done)
        .into_iter()
        .find(|c| c.starts_with("sfmcp_session="))
        .unwrap()
}

#[tokio::test]
async fn an_api_token_session_can_see_and_reject_a_change_but_never_approve_it() {
    let (base, host, test) = serve(None).await;
    let id = prepared_update(&test, test.user_id).await;
    let cookie = cookie_pair(&sign_in(&base, &host).await);
    let c = client();
    let html = c
        .get(format!("{base}/changes/{id}"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("approved on the web") && html.contains("Sign in with Salesforce"),
        "{html}"
    );
    assert!(!html.contains("id=\"approve\""), "{html}");
    let approve = c
        .post(format!("{base}/changes/{id}/approve"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(approve.status(), 403);
    assert!(
        test.requests_where(|r| r.method == "PATCH").is_empty(),
        "nothing is written"
    );
    let status = test
        .app
        .changes
        .show(test.user_id, &id)
        .await
        .unwrap()
        .status;
    assert_eq!(status, "pending");
}

#[tokio::test]
async fn the_approval_page_executes_once_with_csrf_and_hides_changes_from_others() {
    let (base, host, test) = serve(None).await;
    let id = prepared_update(&test, test.user_id).await;
    let cookie = sign_in_with_salesforce(&base, &host).await;
    let c = client();
    let page = c
        .get(format!("{base}/changes/{id}"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("approved on the web") && html.contains("Description"),
        "{html}"
    );

    let forged = c
        .post(format!("{base}/changes/{id}/approve"))
        .header("cookie", &cookie)
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(
        test.requests_where(|r| r.method == "PATCH").is_empty(),
        "a forged form writes nothing"
    );

    let token = csrf(&html);
    let approve = || {
        c.post(format!("{base}/changes/{id}/approve"))
            .header("cookie", &cookie)
            .form(&[("csrf", token.as_str())])
            .send()
    };
    let done = approve().await.unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("succeeded"));
    let again = approve().await.unwrap();
    assert_eq!(again.status(), 409, "a second approval does nothing");
    assert_eq!(test.requests_where(|r| r.method == "PATCH").len(), 1);

    // Another person's change is a 404 for this person.
    let bob = test.app.local_user(Some("bob@example.com")).unwrap().id;
    salesforce_mcp::demo::connect_through_oauth(&test.app, bob)
        .await
        .unwrap();
    let bobs = prepared_update(&test, bob).await;
    let hidden = c
        .get(format!("{base}/changes/{bobs}"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), 404);
    let hidden = c
        .post(format!("{base}/changes/{bobs}/approve"))
        .header("cookie", &cookie)
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), 404);
}

#[tokio::test]
async fn the_approval_page_shows_control_characters_in_data_as_visible_escapes() {
    let (base, host, test) = serve(None).await;
    let view = crate::changes_shown::forged_change(&test).await;
    let cookie = cookie_pair(&sign_in(&base, &host).await);
    let html = client()
        .get(format!("{base}/changes/{}", view.change_id))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for raw in ['\u{1b}', '\u{7}', '\u{7f}', '\u{9b}', '\u{202e}'] {
        assert!(!html.contains(raw), "{raw:?} reaches the page raw: {html}");
    }
    for visible in [
        "\\u{1b}[1A\\u{1b}[2K Phone: unchanged\\u{7}\\u{7f}\\u{9b}K\\u{202e}",
        "Acme\\nSYSTEM NOTICE",
    ] {
        assert!(html.contains(visible), "{visible} is not shown: {html}");
    }
}

#[tokio::test]
async fn the_approval_page_of_a_50_record_change_shows_every_record_and_approves_once() {
    let (base, host, test) = serve(None).await;
    let page = test
        .query(
            Some("SELECT Id FROM Contact ORDER BY Name LIMIT 50"),
            50,
            None,
        )
        .await
        .unwrap();
    let ids = crate::helpers::ids(&page);
    let records = ids
        .iter()
        .map(|id| salesforce_mcp::changes::RecordItem {
            record_id: Some(id.clone()),
            fields: Some(serde_json::from_str(r#"{"Title": "Reviewed"}"#).unwrap()),
            ..Default::default()
        })
        .collect();
    let args = salesforce_mcp::changes::PrepareArgs {
        operation: "update".into(),
        object: "Contact".into(),
        records: Some(records),
        ..Default::default()
    };
    let id = test
        .app
        .changes
        .prepare(test.user_id, args)
        .await
        .unwrap()
        .change_id;
    let cookie = sign_in_with_salesforce(&base, &host).await;
    let c = client();
    let html = c
        .get(format!("{base}/changes/{id}"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("50 records"), "{html}");
    assert!(
        html.contains("&quot;Reviewed&quot; on 50 records"),
        "{html}"
    );
    for record in &ids {
        assert!(html.contains(record.as_str()), "{record} missing");
    }
    let done = c
        .post(format!("{base}/changes/{id}/approve"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    let writes = test.requests_where(|r| r.method == "PATCH");
    assert_eq!(writes.len(), 1);
    assert!(writes[0].path.ends_with("/composite/sobjects"));
}

#[tokio::test]
async fn the_admin_console_is_404_for_anyone_but_an_admin_and_shows_the_callback_url() {
    let (base, host, test) = serve(None).await;
    let c = client();
    let get = |path: &str, cookie: Option<&str>| {
        let mut r = c.get(format!("{base}{path}")).header("host", &host);
        if let Some(cookie) = cookie {
            r = r.header("cookie", cookie);
        }
        r.send()
    };
    // Signed out: 404, not a redirect to the sign-in page.
    for path in ["/admin", "/admin/app", "/admin/groups", "/admin/people"] {
        assert_eq!(get(path, None).await.unwrap().status(), 404, "{path}");
    }
    // Signed in without the admin flag: 404 too.
    let user_id = test.user_id;
    test.app
        .store
        .call_sync(|c| store::users::set_admin(c, user_id, false))
        .unwrap();
    let session = cookie_pair(&sign_in(&base, &host).await);
    assert_eq!(
        get("/admin/app", Some(&session)).await.unwrap().status(),
        404
    );
    // The same session once the person is an admin: the console, with the callback URL to copy.
    test.app
        .store
        .call_sync(|c| store::users::set_admin(c, user_id, true))
        .unwrap();
    let page = get("/admin/app", Some(&session)).await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("/api/integrations/callback/salesforce"),
        "{html}"
    );
    assert!(!html.contains("secret_sealed"));
    for path in ["/admin/groups", "/admin/people"] {
        assert_eq!(
            get(path, Some(&session)).await.unwrap().status(),
            200,
            "{path}"
        );
    }
}
