//! Test connection through `crate::admin` (what the console's button runs): the real OAuth flow
//! through the chosen app for the admin, a report, nothing stored, the tokens revoked; refusals
//! (an unknown consumer key, an unregistered callback URL, a denied authorization) explained with
//! their fix before or after the browser goes to Salesforce.

use std::collections::HashMap;

use salesforce_mcp::admin::{self, AdminError, AppTarget};
use salesforce_mcp::store;

use crate::helpers::{Options, TestApp, spawn_app_with};

const REDIRECT: &str = "http://127.0.0.1:9/api/integrations/callback/salesforce";

async fn admin_app() -> (TestApp, i64) {
    let t = spawn_app_with(Options {
        connect: false,
        ..Options::default()
    })
    .await;
    let admin = t
        .app
        .store
        .call_sync(|c| store::users::insert(c, "root@example.com", true))
        .unwrap();
    (t, admin.id)
}

/// Plays the browser at the simulated org: it signs in as `login_hint` and redirects back.
async fn authorize(url: &str, sf_user: &str) -> HashMap<String, String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = http
        .get(format!("{url}&login_hint={sf_user}"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 302, "{}", answer.text().await.unwrap());
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT), "{location}");
    url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The organization's app on the simulated org, with this consumer key.
fn set_org_client_id(t: &TestApp, client_id: &str) {
    let fields = store::apps::AppFields {
        client_id: client_id.into(),
        client_secret_sealed: None,
        auth_base_url: t.org.base_url(),
        scopes: "api refresh_token offline_access".into(),
        prompt: None,
        enabled: true,
    };
    t.app
        .store
        .call_sync(move |c| store::apps::upsert(c, None, &fields))
        .unwrap();
}

fn audit_details(t: &TestApp) -> Vec<serde_json::Value> {
    t.app
        .store
        .call_sync(|c| store::audit::recent(c, 50))
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "app.test")
        .map(|r| serde_json::from_str(r.detail.as_deref().unwrap()).unwrap())
        .collect()
}

#[tokio::test]
async fn a_test_reports_what_salesforce_granted_stores_nothing_and_revokes_the_tokens() {
    let (t, admin_id) = admin_app().await;
    let actor = admin::console_actor("root@example.com");
    let url = admin::app_test_begin(&t.app, &actor, admin_id, &AppTarget::Org, REDIRECT)
        .await
        .unwrap();
    let params = authorize(&url, "priya.shah@example.com").await;
    let report = admin::app_test_finish(&t.app, &actor, &params)
        .await
        .unwrap();
    assert_eq!(report.group, None);
    assert_eq!(report.username, "priya.shah@example.com");
    assert!(report.org_id.starts_with("00D"), "{report:?}");
    assert!(report.scopes.contains("refresh_token"), "{report:?}");
    assert!(report.refresh_token_issued);
    assert!(report.queryable_objects > 3, "{report:?}");
    assert!(report.api_usage.is_some(), "Sforce-Limit-Info was read");
    assert_eq!(report.revoked, Ok(()));

    assert_eq!(
        t.requests_where(|r| r.path.ends_with("/oauth2/revoke"))
            .len(),
        1
    );
    let stored = t
        .app
        .store
        .call_sync(move |c| store::connections::get(c, admin_id))
        .unwrap();
    assert!(stored.is_none(), "a test keeps no connection");
    let details = audit_details(&t);
    assert_eq!(details.len(), 1);
    assert_eq!(details[0]["outcome"], "signed_in");
    assert_eq!(details[0]["username"], "priya.shah@example.com");
    assert!(!details[0].to_string().contains("access_token"));

    // The state is single-use and only for a test: replaying it, or finishing it as a
    // connection, fails.
    let again = admin::app_test_finish(&t.app, &actor, &params).await;
    assert!(matches!(again, Err(AdminError::Salesforce(m)) if m.contains("unknown, already used")));
    let url = admin::app_test_begin(&t.app, &actor, admin_id, &AppTarget::Org, REDIRECT)
        .await
        .unwrap();
    let params = authorize(&url, "priya.shah@example.com").await;
    let as_connection = t
        .app
        .connections
        .complete(&params["state"], &params["code"])
        .await;
    assert!(
        as_connection.is_err(),
        "a test state never makes a connection"
    );
}

#[tokio::test]
async fn an_unknown_consumer_key_is_explained_with_the_fix_before_the_browser_leaves() {
    let (t, admin_id) = admin_app().await;
    set_org_client_id(&t, "3MVG9NotARealKey");
    let refused = admin::app_test_begin(
        &t.app,
        "admin:root@example.com",
        admin_id,
        &AppTarget::Org,
        REDIRECT,
    )
    .await;
    let Err(AdminError::Salesforce(message)) = refused else {
        panic!("expected a refusal, got {refused:?}");
    };
    assert!(message.contains("invalid_client_id"), "{message}");
    assert!(message.contains("Fix: check the client id"), "{message}");
    assert_eq!(audit_details(&t)[0]["outcome"], "refused");

    // An unregistered callback URL is caught the same way.
    t.org
        .set_redirect_uris(Some(vec!["https://elsewhere.example/cb".into()]));
    set_org_client_id(&t, salesforce_mcp::simulated_org::DEFAULT_CLIENT_ID);
    let refused = admin::app_test_begin(
        &t.app,
        "admin:root@example.com",
        admin_id,
        &AppTarget::Org,
        REDIRECT,
    )
    .await;
    assert!(
        matches!(&refused, Err(AdminError::Salesforce(m)) if m.contains("redirect_uri_mismatch") && m.contains("Callback URL")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_denied_authorization_and_a_missing_group_app_say_what_to_do() {
    let (t, admin_id) = admin_app().await;
    let actor = "admin:root@example.com";
    let url = admin::app_test_begin(&t.app, actor, admin_id, &AppTarget::Org, REDIRECT)
        .await
        .unwrap();
    let state = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let denied: HashMap<String, String> = [
        ("error".to_owned(), "access_denied".to_owned()),
        (
            "error_description".to_owned(),
            "end-user denied authorization".to_owned(),
        ),
        ("state".to_owned(), state),
    ]
    .into();
    let result = admin::app_test_finish(&t.app, actor, &denied).await;
    assert!(
        matches!(&result, Err(AdminError::Salesforce(m)) if m.contains("access_denied") && m.contains("Fix:")),
        "{result:?}"
    );
    // The refused test's state is used up: a code sent with it later finishes nothing.
    let mut late = denied.clone();
    late.remove("error");
    late.insert("code".to_owned(), "aCodeFromElsewhere".to_owned());
    let late = admin::app_test_finish(&t.app, actor, &late).await;
    assert!(
        matches!(&late, Err(AdminError::Salesforce(m)) if m.contains("unknown, already used")),
        "{late:?}"
    );

    // Salesforce refusing at once (it redirects back with error=) is caught before the browser goes.
    t.org.deny_next_authorization();
    let refused = admin::app_test_begin(&t.app, actor, admin_id, &AppTarget::Org, REDIRECT).await;
    assert!(
        matches!(&refused, Err(AdminError::Salesforce(m)) if m.contains("access_denied") && m.contains("Fix:")),
        "{refused:?}"
    );

    let missing = admin::app_test_begin(
        &t.app,
        actor,
        admin_id,
        &AppTarget::Group("sales".into()),
        REDIRECT,
    )
    .await;
    assert!(
        matches!(&missing, Err(AdminError::NotFound(m)) if m.contains("admin group list")),
        "{missing:?}"
    );
    t.app
        .store
        .call_sync(|c| store::groups::insert(c, "sales", 10))
        .unwrap();
    let no_app = admin::app_test_begin(
        &t.app,
        actor,
        admin_id,
        &AppTarget::Group("sales".into()),
        REDIRECT,
    )
    .await;
    assert!(
        matches!(&no_app, Err(AdminError::NotFound(m)) if m.contains("no override app")),
        "{no_app:?}"
    );
}
