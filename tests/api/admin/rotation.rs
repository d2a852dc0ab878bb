//! Rotating the consumer key and secret against the simulated org: after a promotion new
//! connections use the new key, an existing connection keeps refreshing without reconnecting,
//! and only removing the previous set sends the people still on it to reconnect.

use salesforce_mcp::reads::QueryArgs;
use salesforce_mcp::secrets::KEY_ENV;
use salesforce_mcp::simulated_org::{DEFAULT_CLIENT_ID, SimConsumerKey};
use salesforce_mcp::store;

use super::{Run, run_bin};
use crate::helpers::{TestApp, spawn_app};

const NEW_KEY: &str = "3MVGrotatedConsumerKey";
const NEW_SECRET: &str = "RotatedConsumerSecret9";

fn admin(t: &TestApp, args: &[&str], stdin: &str) -> Run {
    let key = std::env::var(KEY_ENV).ok();
    run_bin(&t.app.settings.db_path, key.as_deref(), args, stdin)
}

fn admin_ok(t: &TestApp, args: &[&str], stdin: &str) -> String {
    let run = admin(t, args, stdin);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    run.stdout
}

/// Salesforce has the new key (on the same app, or on another app of the org); the admin
/// stages it with `secret` and promotes it.
fn stage_and_promote_key(t: &TestApp, secret: &str, separate_app: bool) -> String {
    t.org.set_second_key(Some(SimConsumerKey {
        client_id: NEW_KEY.into(),
        client_secret: Some(NEW_SECRET.into()),
        separate_app,
    }));
    let staged = [
        "admin",
        "org",
        "set",
        "--staged-client-id",
        NEW_KEY,
        "--staged-client-secret-stdin",
    ];
    admin_ok(t, &staged, secret);
    admin_ok(t, &["admin", "org", "promote-staged"], "")
}

/// A new key of the same app, staged with `secret` and promoted.
fn stage_and_promote(t: &TestApp, secret: &str) -> String {
    stage_and_promote_key(t, secret, false)
}

async fn query_works(t: &TestApp, user_id: i64) {
    let args = QueryArgs {
        soql: Some("SELECT Id FROM Account LIMIT 1".into()),
        ..Default::default()
    };
    let page = t.app.reads.query_records(user_id, args).await;
    assert_eq!(page.expect("the query runs").returned, 1);
}

async fn connection(t: &TestApp, user_id: i64) -> (String, String) {
    let row = t.app.connections.get(user_id).await.unwrap().unwrap();
    (row.status, row.client_id)
}

fn audit_actions(t: &TestApp) -> Vec<String> {
    let rows = t.app.store.call_sync(|c| store::audit::recent(c, 100));
    rows.unwrap().into_iter().map(|r| r.action).collect()
}

#[tokio::test]
async fn after_a_promotion_new_connections_use_the_new_key_and_old_ones_refresh_without_reconnecting()
 {
    let t = spawn_app().await;
    let promoted = stage_and_promote(&t, NEW_SECRET);
    assert!(!promoted.contains("must connect again"), "{promoted}");
    assert!(!promoted.contains(NEW_SECRET));
    let active = || (String::from("active"), String::from(DEFAULT_CLIENT_ID));
    assert_eq!(connection(&t, t.user_id).await, active());

    t.org.expire_access_tokens();
    query_works(&t, t.user_id).await;
    assert_eq!(t.refresh_grants(), 1, "one refresh, through the new set");
    assert!(t.requests_where(|r| r.status == 400).is_empty());
    let refreshed = connection(&t, t.user_id).await;
    assert_eq!(refreshed, ("active".into(), NEW_KEY.into()));
    let shown = admin_ok(&t, &["admin", "user", "show", "alice@example.com"], "");
    assert!(
        shown.contains("active as") && shown.contains(&format!("client id {NEW_KEY})")),
        "{shown}"
    );
    assert!(!audit_actions(&t).contains(&"connection.needs_reconnect".to_owned()));

    let bob = t.app.local_user(Some("bob@example.com")).unwrap().id;
    let redirect = "http://localhost:8787/api/integrations/callback/salesforce";
    let url = t.app.connections.begin(bob, redirect).await.unwrap();
    assert!(url.contains(&format!("client_id={NEW_KEY}")), "{url}");
    salesforce_mcp::demo::connect_through_oauth(&t.app, bob)
        .await
        .unwrap();
    assert_eq!(connection(&t, bob).await, ("active".into(), NEW_KEY.into()));

    // Nobody is left on the previous set, so removing it moves nobody.
    let removed = admin_ok(
        &t,
        &["admin", "org", "set", "--no-previous-credentials"],
        "",
    );
    assert!(!removed.contains("must connect again"), "{removed}");
    t.org.expire_access_tokens();
    query_works(&t, t.user_id).await;
    query_works(&t, bob).await;
}

#[tokio::test]
async fn removing_the_previous_set_sends_the_people_still_on_it_to_reconnect() {
    let t = spawn_app().await;
    stage_and_promote(&t, NEW_SECRET);
    query_works(&t, t.user_id).await;
    let shown = admin_ok(&t, &["admin", "org", "show"], "");
    assert!(
        shown.contains(&format!(
            "Previous:       {DEFAULT_CLIENT_ID} (secret none)"
        )),
        "{shown}"
    );

    let removed = admin(
        &t,
        &["admin", "org", "set", "--no-previous-credentials", "--json"],
        "",
    );
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    let json: serde_json::Value = serde_json::from_str(&removed.stdout).unwrap();
    assert_eq!(
        json["reconnect_required"],
        serde_json::json!(["alice@example.com"])
    );
    let text = admin_ok(&t, &["admin", "user", "show", "alice@example.com"], "");
    assert!(text.contains("needs_reconnect"), "{text}");
    assert!(audit_actions(&t).contains(&"connection.needs_reconnect".to_owned()));
}

#[tokio::test]
async fn a_promoted_set_salesforce_refuses_falls_back_once_to_the_previous_set() {
    let t = spawn_app().await;
    // A typo in the staged secret: Salesforce answers invalid_client for the new set.
    stage_and_promote(&t, "TypoInTheSecret");
    t.org.expire_access_tokens();
    query_works(&t, t.user_id).await;
    let grants: Vec<u16> = t
        .requests_where(|r| r.grant_type.as_deref() == Some("refresh_token"))
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        grants,
        [400, 200],
        "the new set refused, then the previous set"
    );
    let kept = connection(&t, t.user_id).await;
    assert_eq!(kept, ("active".into(), DEFAULT_CLIENT_ID.into()));
}

#[tokio::test]
async fn moving_to_another_app_keeps_connections_made_under_the_old_one_refreshing() {
    let t = spawn_app().await;
    // The new key is another app's (a Connected App replaced by an External Client App): it
    // refuses the old app's refresh tokens with invalid_grant, and the previous set takes over.
    stage_and_promote_key(&t, NEW_SECRET, true);
    t.org.expire_access_tokens();
    query_works(&t, t.user_id).await;
    let grants: Vec<u16> = t
        .requests_where(|r| r.grant_type.as_deref() == Some("refresh_token"))
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        grants,
        [400, 200],
        "the new app refused, then the previous set"
    );
    let kept = connection(&t, t.user_id).await;
    assert_eq!(kept, ("active".into(), DEFAULT_CLIENT_ID.into()));
    assert!(!audit_actions(&t).contains(&"connection.needs_reconnect".to_owned()));
}
