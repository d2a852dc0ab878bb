//! The admin console's forms: what they save is what `admin ... show --json` prints, with the
//! same audit rows (actor `admin:<email>`); CSRF refusals; inline problems; step-up before a
//! client id, a secret or an admin flag is saved; 404 for anyone but an admin, GET or POST.

use salesforce_mcp::store::{self, db::Param};
use secrecy::ExposeSecret as _;

use crate::admin::run_bin;
use crate::helpers::TestApp;
use crate::http_web::{TOKEN, client, cookie_pair, csrf, serve, sign_in};

const ACTOR: &str = "admin:alice@example.com";

/// A server with alice as an admin, and her signed-in session cookie.
async fn console() -> (String, String, TestApp, String) {
    let (base, host, test) = serve(None).await;
    let user_id = test.user_id;
    test.app
        .store
        .call_sync(|c| store::users::set_admin(c, user_id, true))
        .unwrap();
    let cookie = cookie_pair(&sign_in(&base, &host).await);
    (base, host, test, cookie)
}

/// `salesforce-mcp admin ARGS --json` on the test's database.
fn cli_json(test: &TestApp, args: &[&str]) -> serde_json::Value {
    let mut args = args.to_vec();
    args.push("--json");
    let run = run_bin(&test.app.settings.db_path, None, &args, "");
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

/// The audit rows of an action family as the command line prints them: (actor, action, subject),
/// without the test setup's (actor `demo`).
fn audit_rows(test: &TestApp, action: &str) -> Vec<(String, String, String)> {
    cli_json(test, &["admin", "audit", "--action", action])
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["actor"] != "demo")
        .map(|r| {
            (
                r["actor"].as_str().unwrap().to_owned(),
                r["action"].as_str().unwrap().to_owned(),
                r["subject"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

async fn get(base: &str, path: &str, cookie: &str) -> reqwest::Response {
    client()
        .get(format!("{base}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

/// The page's CSRF token.
async fn page_csrf(base: &str, path: &str, cookie: &str) -> String {
    let page = get(base, path, cookie).await;
    assert_eq!(page.status(), 200, "{path}");
    csrf(&page.text().await.unwrap())
}

async fn post(base: &str, path: &str, cookie: &str, form: &[(&str, &str)]) -> reqwest::Response {
    client()
        .post(format!("{base}{path}"))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap()
}

/// Posts a form with the session's CSRF token; expects the redirect to `to` with a notice.
async fn save(base: &str, path: &str, cookie: &str, form: &[(&str, &str)], to: &str) {
    let token = page_csrf(base, "/admin/app", cookie).await;
    let mut form = form.to_vec();
    form.push(("csrf", &token));
    let done = post(base, path, cookie, &form).await;
    let status = done.status();
    let location = done
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    assert_eq!(status, 303, "{path}: {}", done.text().await.unwrap());
    let location = location.unwrap();
    assert!(location.starts_with(&format!("{to}?notice=")), "{location}");
    let page = get(base, &location, cookie).await.text().await.unwrap();
    assert!(page.contains("id=\"notice\""), "{page}");
}

/// The app form's fields with the simulated org's login host, as the page shows them.
fn app_form<'a>(org_url: &'a str, client_id: &'a str, scopes: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("client_id", client_id),
        ("secret_action", "keep"),
        ("secret", ""),
        ("base", "other"),
        ("other_url", org_url),
        ("my_domain", ""),
        ("scopes", scopes),
        ("prompt", "login"),
        ("enabled", "1"),
    ]
}

/// Makes the session's last sign-in older than the step-up window.
fn age_sessions(test: &TestApp) {
    let old = store::timestamp(chrono::Utc::now() - chrono::Duration::minutes(6));
    test.app
        .store
        .call_sync(|c| {
            c.execute(
                "UPDATE web_sessions SET authenticated_at = ?1",
                &[&old as &dyn Param],
            )
        })
        .unwrap();
}

fn pending_id(html: &str) -> String {
    let start = html.find("name=\"pending\" value=\"").unwrap() + 22;
    html[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn console_forms_save_what_the_command_line_shows_with_the_same_audit_rows() {
    let (base, _host, test, cookie) = console().await;
    let before = cli_json(&test, &["admin", "org", "show"]);
    let client_id = before["client_id"].as_str().unwrap().to_owned();
    let org_url = before["auth_base_url"].as_str().unwrap().to_owned();

    // The org app: the client id is unchanged, so no step-up is needed.
    let form = app_form(&org_url, &client_id, "api refresh_token");
    save(&base, "/admin/app", &cookie, &form, "/admin/app").await;
    let shown = cli_json(&test, &["admin", "org", "show"]);
    assert_eq!(shown["scopes"], "api refresh_token");
    assert_eq!(shown["prompt"], "login");
    assert_eq!(shown["client_id"], client_id.as_str());
    assert_eq!(
        audit_rows(&test, "org_app"),
        [(ACTOR.into(), "org_app.set".into(), "org".into())]
    );

    // A group, its priority and a member.
    save(
        &base,
        "/admin/groups",
        &cookie,
        &[("name", "sales"), ("priority", "20")],
        "/admin/groups/sales",
    )
    .await;
    save(
        &base,
        "/admin/groups/sales",
        &cookie,
        &[("action", "priority"), ("priority", "7")],
        "/admin/groups/sales",
    )
    .await;
    save(
        &base,
        "/admin/groups/sales",
        &cookie,
        &[("action", "join"), ("email", "bob@example.com")],
        "/admin/groups/sales",
    )
    .await;
    // Its override app (a new client id: the sign-in is fresh, so no step-up is asked).
    let mut form = app_form(&org_url, "3MVGgroupKey", "api");
    form.retain(|(k, _)| *k != "enabled");
    form.push(("action", "app"));
    save(
        &base,
        "/admin/groups/sales",
        &cookie,
        &form,
        "/admin/groups/sales",
    )
    .await;
    let group = cli_json(&test, &["admin", "group", "show", "sales"]);
    assert_eq!(group["app"]["client_id"], "3MVGgroupKey");
    assert_eq!(
        group["app"]["enabled"], false,
        "the unchecked box disables it"
    );
    assert_eq!(group["app"]["auth_base_url"], org_url.as_str());
    assert_eq!(group["priority"], 7);
    assert_eq!(group["members"], serde_json::json!(["bob@example.com"]));
    let actions: Vec<_> = audit_rows(&test, "group").into_iter().rev().collect();
    assert_eq!(
        actions,
        [
            (ACTOR.into(), "group.add".into(), "sales".into()),
            (ACTOR.into(), "group.set".into(), "sales".into()),
            (ACTOR.into(), "group.set".into(), "sales".into()),
        ]
    );

    // People: the admin flag (a fresh sign-in: no step-up), leaving the group.
    let bob = "/admin/people/bob%40example.com";
    save(&base, bob, &cookie, &[("action", "admin_on")], bob).await;
    assert_eq!(
        cli_json(&test, &["admin", "user", "show", "bob@example.com"])["admin"],
        true
    );
    save(
        &base,
        bob,
        &cookie,
        &[("action", "leave"), ("group", "sales")],
        bob,
    )
    .await;
    let person = cli_json(&test, &["admin", "user", "show", "bob@example.com"]);
    assert_eq!(person["groups"], serde_json::json!([]));
    let people: Vec<_> = audit_rows(&test, "user").into_iter().rev().collect();
    assert_eq!(
        people,
        [
            (ACTOR.into(), "user.add".into(), "bob@example.com".into()),
            (
                ACTOR.into(),
                "user.set_admin".into(),
                "bob@example.com".into()
            ),
            (
                ACTOR.into(),
                "user.leave_groups".into(),
                "bob@example.com".into()
            ),
        ]
    );

    // API tokens: the new token is on the result page once, and never on the list.
    let token = page_csrf(&base, "/admin/tokens", &cookie).await;
    let created = post(
        &base,
        "/admin/tokens",
        &cookie,
        &[("email", "bob@example.com"), ("csrf", &token)],
    )
    .await;
    assert_eq!(created.status(), 200);
    assert_eq!(created.headers()["cache-control"], "no-store");
    let html = created.text().await.unwrap();
    let start = html.find("id=\"new-token\">").unwrap() + 15;
    let secret = html[start..].split('<').next().unwrap().to_owned();
    assert!(secret.starts_with("smcp_"), "{secret}");
    let listed = get(&base, "/admin/tokens", &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(!listed.contains(&secret));
    let tokens = cli_json(&test, &["admin", "token", "list"]);
    let bobs: Vec<_> = tokens
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["user"] == "bob@example.com")
        .collect();
    assert_eq!(bobs.len(), 1);
    let id = bobs[0]["id"].as_i64().unwrap();
    save(
        &base,
        &format!("/admin/tokens/{id}/revoke"),
        &cookie,
        &[],
        "/admin/tokens",
    )
    .await;
    let tokens = cli_json(&test, &["admin", "token", "list"]);
    let bob_token = tokens
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap();
    assert!(bob_token["revoked_at"].is_string());
    assert_eq!(
        audit_rows(&test, "token")
            .into_iter()
            .rev()
            .collect::<Vec<_>>(),
        [
            (
                ACTOR.into(),
                "token.create".into(),
                "bob@example.com".into()
            ),
            (
                ACTOR.into(),
                "token.revoke".into(),
                "bob@example.com".into()
            ),
        ]
    );

    // The audit page shows the same entries, newest first, and no token.
    let audit = get(&base, "/admin/audit?action=token", &cookie)
        .await
        .text()
        .await
        .unwrap();
    let revoke = audit.find("token.revoke").unwrap();
    let create = audit.find("token.create").unwrap();
    assert!(revoke < create, "newest first");
    assert!(!audit.contains(&secret));

    // The audit log of a person holds their console changes (actor admin:<email>) too.
    let alices = cli_json(&test, &["admin", "audit", "--user", "alice@example.com"]);
    assert!(
        alices
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["actor"] == ACTOR && r["action"] == "group.add"),
        "{alices}"
    );

    // Removing the person and the group.
    save(
        &base,
        bob,
        &cookie,
        &[("action", "remove")],
        "/admin/people",
    )
    .await;
    save(
        &base,
        "/admin/groups/sales",
        &cookie,
        &[("action", "remove")],
        "/admin/groups",
    )
    .await;
    let users = cli_json(&test, &["admin", "user", "list"]);
    assert!(!users.to_string().contains("bob@example.com"));
    assert_eq!(
        cli_json(&test, &["admin", "group", "list"]),
        serde_json::json!([])
    );
}

#[tokio::test]
async fn the_audit_page_is_paged_and_filtered_with_problems_next_to_the_filter() {
    let (base, _host, test, cookie) = console().await;
    for i in 0..55 {
        let email = format!("p{i}@example.com");
        salesforce_mcp::admin::user_add(&test.app, "cli", &email, &[], false).unwrap();
    }
    let first = get(&base, "/admin/audit?action=user.add", &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(first.contains("p54@example.com") && !first.contains("p4@example.com<"));
    let older_at = first.find("id=\"older\"").expect("an Older link");
    let href = first[first[..older_at].rfind("href=\"").unwrap() + 6..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(href.contains("before="), "{href}");
    let older = get(&base, &href, &cookie).await.text().await.unwrap();
    assert!(older.contains("p0@example.com") && !older.contains("p54@example.com"));
    assert!(!older.contains("id=\"older\""));

    let bad = get(&base, "/admin/audit?since=yesterday", &cookie).await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("id=\"problem-since\""), "{html}");
    assert!(html.contains("value=\"yesterday\""));
}

#[tokio::test]
async fn an_invalid_value_is_shown_next_to_its_field_with_what_was_entered_but_never_the_secret() {
    let (base, _host, test, cookie) = console().await;
    let before = cli_json(&test, &["admin", "org", "show"]);
    let client_id = before["client_id"].as_str().unwrap().to_owned();
    let org_url = before["auth_base_url"].as_str().unwrap().to_owned();
    let token = page_csrf(&base, "/admin/app", &cookie).await;
    let mut form = app_form(&org_url, &client_id, "   ");
    form.retain(|(k, _)| !["secret_action", "secret"].contains(k));
    form.extend([
        ("secret_action", "set"),
        ("secret", "VerySecretValue42"),
        ("csrf", &token),
    ]);
    let page = post(&base, "/admin/app", &cookie, &form).await;
    assert_eq!(page.status(), 422);
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"problem-scopes\""), "{html}");
    assert!(html.contains("Scopes must not be empty"), "{html}");
    assert!(html.contains(&format!("value=\"{client_id}\"")));
    assert!(!html.contains("VerySecretValue42"));
    assert_eq!(
        cli_json(&test, &["admin", "org", "show"]),
        before,
        "nothing saved"
    );

    // A bad My Domain name, next to its field.
    let mut form = app_form(&org_url, &client_id, "api");
    form.retain(|(k, _)| *k != "base" && *k != "my_domain");
    form.extend([
        ("base", "mydomain"),
        ("my_domain", "acme corp"),
        ("csrf", &token),
    ]);
    let html = post(&base, "/admin/app", &cookie, &form)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"problem-my_domain\""), "{html}");

    // A group name that is taken, next to the name.
    salesforce_mcp::admin::group_add(&test.app, "cli", "ops", 5, &Default::default()).unwrap();
    let token = page_csrf(&base, "/admin/groups", &cookie).await;
    let page = post(
        &base,
        "/admin/groups",
        &cookie,
        &[("name", "ops"), ("priority", "5"), ("csrf", &token)],
    )
    .await;
    assert_eq!(page.status(), 422);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("id=\"problem-name\"") && html.contains("already exists"),
        "{html}"
    );
}

#[tokio::test]
async fn a_missing_wrong_or_old_sessions_csrf_token_is_refused_and_nothing_is_saved() {
    let (base, host, test, cookie) = console().await;
    let old_token = page_csrf(&base, "/admin/groups", &cookie).await;
    // A new sign-in: the old session's token does not fit the new session.
    let new_cookie = cookie_pair(&sign_in(&base, &host).await);
    for form in [
        vec![("name", "x1"), ("priority", "1")],
        vec![("name", "x2"), ("priority", "1"), ("csrf", "forged")],
        vec![
            ("name", "x3"),
            ("priority", "1"),
            ("csrf", old_token.as_str()),
        ],
    ] {
        let r = post(&base, "/admin/groups", &new_cookie, &form).await;
        assert_eq!(r.status(), 403);
        assert!(r.text().await.unwrap().contains("Nothing was saved"));
    }
    assert_eq!(
        cli_json(&test, &["admin", "group", "list"]),
        serde_json::json!([])
    );
    assert!(audit_rows(&test, "group").is_empty());
}

#[tokio::test]
async fn saving_a_secret_asks_for_the_api_token_again_then_completes_once() {
    let (base, host, test, cookie) = console().await;
    let before = cli_json(&test, &["admin", "org", "show"]);
    let client_id = before["client_id"].as_str().unwrap().to_owned();
    let org_url = before["auth_base_url"].as_str().unwrap().to_owned();
    age_sessions(&test);
    let token = page_csrf(&base, "/admin/app", &cookie).await;
    let mut form = app_form(&org_url, &client_id, "api refresh_token offline_access");
    form.retain(|(k, _)| !["secret_action", "secret"].contains(k));
    form.extend([
        ("secret_action", "set"),
        ("secret", "N3wConsumerSecret"),
        ("csrf", &token),
    ]);
    let asked = post(&base, "/admin/app", &cookie, &form).await;
    assert_eq!(asked.status(), 200);
    let html = asked.text().await.unwrap();
    assert!(
        html.contains("Confirm it is you") && html.contains("name=\"token\""),
        "{html}"
    );
    assert!(!html.contains("N3wConsumerSecret"));
    let pending = pending_id(&html);
    assert!(audit_rows(&test, "org_app").is_empty(), "nothing saved yet");

    // Another session of the same admin cannot complete it.
    let other = cookie_pair(&sign_in(&base, &host).await);
    let other_csrf = page_csrf(&base, "/admin/app", &other).await;
    let r = post(
        &base,
        "/admin/step-up",
        &other,
        &[
            ("pending", &pending),
            ("token", TOKEN),
            ("csrf", &other_csrf),
        ],
    )
    .await;
    assert_eq!(r.status(), 410);

    // A wrong token: asked again, nothing saved.
    let wrong = post(
        &base,
        "/admin/step-up",
        &cookie,
        &[
            ("pending", &pending),
            ("token", "smcp_wrong"),
            ("csrf", &token),
        ],
    )
    .await;
    assert_eq!(wrong.status(), 401);
    assert!(wrong.text().await.unwrap().contains("id=\"problem-token\""));
    assert!(audit_rows(&test, "org_app").is_empty());

    let done = post(
        &base,
        "/admin/step-up",
        &cookie,
        &[("pending", &pending), ("token", TOKEN), ("csrf", &token)],
    )
    .await;
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], "/admin/app?notice=saved");
    assert_eq!(
        cli_json(&test, &["admin", "org", "show"])["client_secret"],
        "set"
    );
    let row = test
        .app
        .store
        .call_sync(|c| store::apps::org_app(c))
        .unwrap()
        .unwrap();
    let stored = test
        .app
        .sealer
        .open(&row.client_secret_sealed.unwrap())
        .unwrap();
    assert_eq!(stored.expose_secret(), "N3wConsumerSecret");
    assert_eq!(
        audit_rows(&test, "org_app"),
        [(ACTOR.into(), "org_app.set".into(), "org".into())]
    );
    let audit = cli_json(&test, &["admin", "audit"]).to_string();
    assert!(!audit.contains("N3wConsumerSecret"));

    // Used once: a replay does nothing.
    let replay = post(
        &base,
        "/admin/step-up",
        &cookie,
        &[("pending", &pending), ("token", TOKEN), ("csrf", &token)],
    )
    .await;
    assert_eq!(replay.status(), 410);
    assert_eq!(audit_rows(&test, "org_app").len(), 1);

    // The sign-in is now recent: granting admin needs no second proof.
    let bob = "/admin/people/bob%40example.com";
    salesforce_mcp::admin::user_add(&test.app, "cli", "bob@example.com", &[], false).unwrap();
    save(&base, bob, &cookie, &[("action", "admin_on")], bob).await;
    assert_eq!(
        cli_json(&test, &["admin", "user", "show", "bob@example.com"])["admin"],
        true
    );
}

#[tokio::test]
async fn granting_admin_after_a_salesforce_sign_in_asks_for_salesforce_again_then_completes() {
    let (base, host, test) = serve(None).await;
    let user_id = test.user_id;
    test.app
        .store
        .call_sync(|c| store::users::set_admin(c, user_id, true))
        .unwrap();
    salesforce_mcp::admin::user_add(&test.app, "cli", "bob@example.com", &[], false).unwrap();
    let cookie = cookie_pair(&crate::http_web::sign_in_with_salesforce(&base, &host).await);
    age_sessions(&test);
    let bob = "/admin/people/bob%40example.com";
    let token = page_csrf(&base, bob, &cookie).await;
    let asked = post(
        &base,
        bob,
        &cookie,
        &[("action", "admin_on"), ("csrf", &token)],
    )
    .await;
    let html = asked.text().await.unwrap();
    assert!(html.contains("id=\"step-up-salesforce\""), "{html}");
    assert_eq!(
        cli_json(&test, &["admin", "user", "show", "bob@example.com"])["admin"],
        false
    );
    let start = html.find("href=\"/login/salesforce?").unwrap() + 6;
    let link = html[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");

    // Through Salesforce again, in the same browser (its session cookie goes along).
    let c = client();
    let begin = c
        .get(format!("{base}{link}"))
        .header("host", &host)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(begin.status(), 303);
    let browser: Vec<String> = begin
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| cookie_pair(v.to_str().unwrap()))
        .collect();
    let salesforce = begin.headers()["location"].to_str().unwrap().to_owned();
    let back = c.get(&salesforce).send().await.unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_owned();
    let done = c
        .get(&callback)
        .header("host", &host)
        .header("cookie", format!("{}; {cookie}", browser.join("; ")))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    let next = done.headers()["location"].to_str().unwrap().to_owned();
    assert!(next.starts_with("/admin/step-up?pending="), "{next}");
    let new_cookie = done
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| cookie_pair(v.to_str().unwrap()))
        .find(|v| v.starts_with("sfmcp_session="))
        .unwrap();
    let confirm = get(&base, &next, &new_cookie).await;
    assert_eq!(confirm.status(), 200);
    let html = confirm.text().await.unwrap();
    assert!(html.contains("make bob@example.com an admin"), "{html}");
    let saved = post(
        &base,
        "/admin/step-up",
        &new_cookie,
        &[("pending", &pending_id(&html)), ("csrf", &csrf(&html))],
    )
    .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(
        cli_json(&test, &["admin", "user", "show", "bob@example.com"])["admin"],
        true
    );
}

#[tokio::test]
async fn the_console_is_404_for_anyone_but_an_admin_on_get_and_post() {
    let (base, host, test) = serve(None).await;
    let user_id = test.user_id;
    test.app
        .store
        .call_sync(|c| store::users::set_admin(c, user_id, false))
        .unwrap();
    let cookie = cookie_pair(&sign_in(&base, &host).await);
    let token = page_csrf(&base, "/connect", &cookie).await;
    let gets = [
        "/admin",
        "/admin/app",
        "/admin/groups",
        "/admin/groups/x",
        "/admin/people",
        "/admin/people/alice%40example.com",
        "/admin/tokens",
        "/admin/audit",
        "/admin/step-up?pending=x",
        "/admin/console.js",
    ];
    let posts = [
        "/admin/app",
        "/admin/groups",
        "/admin/groups/x",
        "/admin/people",
        "/admin/people/alice%40example.com",
        "/admin/tokens",
        "/admin/tokens/1/revoke",
        "/admin/step-up",
    ];
    for who in ["", cookie.as_str()] {
        for path in gets {
            assert_eq!(get(&base, path, who).await.status(), 404, "GET {path}");
        }
        for path in posts {
            let r = post(
                &base,
                path,
                who,
                &[
                    ("csrf", &token),
                    ("action", "admin_on"),
                    ("name", "g"),
                    ("priority", "1"),
                ],
            )
            .await;
            assert_eq!(r.status(), 404, "POST {path}");
        }
    }
    let me = cli_json(&test, &["admin", "user", "show", "alice@example.com"]);
    assert_eq!(me["admin"], false);
    assert_eq!(
        cli_json(&test, &["admin", "group", "list"]),
        serde_json::json!([])
    );
}

#[tokio::test]
async fn disconnecting_a_person_in_the_console_ends_their_connection_as_the_command_line_does() {
    let (base, _host, test, cookie) = console().await;
    let alice = "/admin/people/alice%40example.com";
    let page = get(&base, alice, &cookie).await.text().await.unwrap();
    assert!(page.contains("id=\"connection-status\">active<"), "{page}");
    save(&base, alice, &cookie, &[("action", "disconnect")], alice).await;
    let shown = cli_json(&test, &["admin", "user", "show", "alice@example.com"]);
    assert!(shown["connection"].is_null(), "{shown}");
    assert_eq!(
        audit_rows(&test, "user.disconnect"),
        [(
            ACTOR.into(),
            "user.disconnect".into(),
            "alice@example.com".into()
        )]
    );
    let page = get(&base, alice, &cookie).await.text().await.unwrap();
    assert!(page.contains("nothing to disconnect"), "{page}");
}

/// Completes a step-up the page asked for with the API token; returns where it leads.
async fn complete_step_up(base: &str, cookie: &str, asked: reqwest::Response) -> String {
    assert_eq!(asked.status(), 200);
    let html = asked.text().await.unwrap();
    assert!(html.contains("Confirm it is you"), "{html}");
    let pending = pending_id(&html);
    let token = csrf(&html);
    let done = post(
        base,
        "/admin/step-up",
        cookie,
        &[("pending", &pending), ("token", TOKEN), ("csrf", &token)],
    )
    .await;
    assert_eq!(done.status(), 303, "{}", done.text().await.unwrap());
    done.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn credentials_rotate_in_the_console_after_a_step_up_and_the_connection_keeps_refreshing() {
    use salesforce_mcp::simulated_org::{DEFAULT_CLIENT_ID, SimConsumerKey};
    const NEW_KEY: &str = "3MVGconsoleRotatedKey";
    let (base, _host, test, cookie) = console().await;
    test.org.set_second_key(Some(SimConsumerKey {
        client_id: NEW_KEY.into(),
        client_secret: Some("ConsoleRotatedSecret".into()),
        separate_app: false,
    }));
    // Staging a key and a secret asks who you are first; the secret never shows.
    age_sessions(&test);
    let token = page_csrf(&base, "/admin/app", &cookie).await;
    let asked = post(
        &base,
        "/admin/app/credentials",
        &cookie,
        &[
            ("action", "stage"),
            ("staged_client_id", NEW_KEY),
            ("staged_secret", "ConsoleRotatedSecret"),
            ("csrf", &token),
        ],
    )
    .await;
    assert_eq!(
        cli_json(&test, &["admin", "org", "show"])["staged_client_id"],
        serde_json::Value::Null
    );
    let to = complete_step_up(&base, &cookie, asked).await;
    assert_eq!(to, "/admin/app?notice=saved");
    let shown = cli_json(&test, &["admin", "org", "show"]);
    assert_eq!(
        (
            shown["staged_client_id"].as_str(),
            shown["staged_client_secret"].as_str()
        ),
        (Some(NEW_KEY), Some("set"))
    );
    let page = get(&base, "/admin/app", &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(NEW_KEY) && !page.contains("ConsoleRotatedSecret"),
        "{page}"
    );

    // The sign-in is recent now: promoting needs no second proof.
    save(
        &base,
        "/admin/app/credentials",
        &cookie,
        &[("action", "promote")],
        "/admin/app",
    )
    .await;
    let shown = cli_json(&test, &["admin", "org", "show"]);
    assert_eq!(shown["client_id"], NEW_KEY);
    assert_eq!(shown["previous_client_id"], DEFAULT_CLIENT_ID);
    let actions: Vec<_> = audit_rows(&test, "org_app")
        .into_iter()
        .map(|(a, action, _)| (a, action))
        .collect();
    assert_eq!(
        actions,
        [
            (ACTOR.to_owned(), "org_app.promote_staged".to_owned()),
            (ACTOR.to_owned(), "org_app.set".to_owned()),
        ]
    );

    // Alice's connection, made under the old key, refreshes once and goes on without reconnecting.
    test.org.expire_access_tokens();
    let args = salesforce_mcp::reads::QueryArgs {
        soql: Some("SELECT Id FROM Account LIMIT 1".into()),
        ..Default::default()
    };
    let page = test
        .app
        .reads
        .query_records(test.user_id, args)
        .await
        .unwrap();
    assert_eq!(page.returned, 1);
    assert_eq!(test.refresh_grants(), 1);
    let row = test
        .app
        .connections
        .get(test.user_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.status.as_str(), row.client_id.as_str()),
        ("active", NEW_KEY)
    );

    // Nobody is on the previous set any more: removing it moves nobody.
    save(
        &base,
        "/admin/app/credentials",
        &cookie,
        &[("action", "remove_previous")],
        "/admin/app",
    )
    .await;
    assert_eq!(
        cli_json(&test, &["admin", "org", "show"])["previous_client_id"],
        serde_json::Value::Null
    );
    // Promoting with nothing staged says how to stage, next to the field.
    let token = page_csrf(&base, "/admin/app", &cookie).await;
    let nothing = post(
        &base,
        "/admin/app/credentials",
        &cookie,
        &[("action", "promote"), ("csrf", &token)],
    )
    .await;
    assert_eq!(nothing.status(), 422);
    assert!(
        nothing
            .text()
            .await
            .unwrap()
            .contains("id=\"problem-staged_client_id\"")
    );
}

#[tokio::test]
async fn the_policies_page_sets_what_admin_policy_show_prints_and_client_consent_needs_a_step_up() {
    let (base, _host, test, cookie) = console().await;
    let page = get(&base, "/admin/policies", &cookie).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Change lifetime") && html.contains("aria-current=\"page\">Policies"),
        "{html}"
    );

    save(
        &base,
        "/admin/policies",
        &cookie,
        &[("approval", "elicitation"), ("change_ttl", "90s")],
        "/admin/policies",
    )
    .await;
    let shown = cli_json(&test, &["admin", "policy", "show"]);
    assert_eq!(shown["change_ttl"]["source"], "console/admin command");
    assert_eq!(
        shown["approval"]["source"], "default",
        "an unchanged policy is not stored"
    );
    let token = page_csrf(&base, "/admin/policies", &cookie).await;
    let bad = post(
        &base,
        "/admin/policies",
        &cookie,
        &[
            ("approval", "elicitation"),
            ("change_ttl", "soon"),
            ("csrf", &token),
        ],
    )
    .await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(
        html.contains("id=\"problem-change_ttl\"") && html.contains("value=\"soon\""),
        "{html}"
    );

    // Letting the client's own confirmation count as approval needs a fresh proof.
    age_sessions(&test);
    let token = page_csrf(&base, "/admin/policies", &cookie).await;
    let asked = post(
        &base,
        "/admin/policies",
        &cookie,
        &[
            ("approval", "client-consent"),
            ("change_ttl", shown["change_ttl"]["value"].as_str().unwrap()),
            ("csrf", &token),
        ],
    )
    .await;
    assert_eq!(
        cli_json(&test, &["admin", "policy", "show"])["approval"]["value"],
        "elicitation"
    );
    let to = complete_step_up(&base, &cookie, asked).await;
    assert_eq!(to, "/admin/policies?notice=saved");
    assert_eq!(
        cli_json(&test, &["admin", "policy", "show"])["approval"]["value"],
        "client-consent"
    );

    save(
        &base,
        "/admin/policies",
        &cookie,
        &[
            ("approval", "client-consent"),
            ("change_ttl", "90s"),
            ("read_only", "1"),
        ],
        "/admin/policies",
    )
    .await;
    assert_eq!(
        cli_json(&test, &["admin", "policy", "show"])["read_only"]["value"],
        "on"
    );
    let rows = audit_rows(&test, "policy");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows.iter()
            .all(|(actor, action, _)| actor == ACTOR && action == "policy.set"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn test_connection_in_the_console_signs_in_through_the_app_and_shows_the_report() {
    let (base, _host, test, cookie) = console().await;
    let token = page_csrf(&base, "/admin/app", &cookie).await;
    // Without the session's CSRF token nothing starts.
    let forged = post(&base, "/admin/app/test", &cookie, &[("csrf", "forged")]).await;
    assert_eq!(forged.status(), 403);
    let started = post(&base, "/admin/app/test", &cookie, &[("csrf", &token)]).await;
    assert_eq!(started.status(), 200);
    let html = started.text().await.unwrap();
    let marker = "id=\"continue\" href=\"";
    let start = html.find(marker).unwrap() + marker.len();
    let authorize = html[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(authorize.starts_with(&test.org.base_url()), "{authorize}");
    let approved = client()
        .get(format!("{authorize}&login_hint=sam.lee@example.com"))
        .send()
        .await
        .unwrap();
    let callback = approved.headers()["location"].to_str().unwrap().to_owned();
    let result = get(&callback, "", &cookie).await;
    assert_eq!(result.status(), 200);
    let html = result.text().await.unwrap();
    assert!(html.contains("Test connection succeeded"), "{html}");
    assert!(html.contains("sam.lee@example.com"), "{html}");
    assert!(html.contains("Queryable objects"), "{html}");
    assert!(html.contains("revoked at once"), "{html}");
    // The admin's own connection is the one they had before (alex), untouched.
    let user_id = test.user_id;
    let kept = test
        .app
        .store
        .call_sync(move |c| store::connections::get(c, user_id))
        .unwrap()
        .unwrap();
    assert_ne!(kept.username, "sam.lee@example.com");

    // A group without an override app: the page says what to do.
    test.app
        .store
        .call_sync(|c| store::groups::insert(c, "sales", 10))
        .unwrap();
    let missing = post(
        &base,
        "/admin/groups/sales/test",
        &cookie,
        &[("csrf", &token)],
    )
    .await;
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("no override app"));

    // Without the admin flag, the button's route is 404 like the rest of the console.
    test.app
        .store
        .call_sync(|c| store::users::set_admin(c, user_id, false))
        .unwrap();
    let refused = post(&base, "/admin/app/test", &cookie, &[("csrf", &token)]).await;
    assert_eq!(refused.status(), 404);
}
