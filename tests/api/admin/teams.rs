use salesforce_mcp::connections::{ConnectionError, reconcile_all};
use salesforce_mcp::mcp::connection_status;
use salesforce_mcp::reads::{QueryArgs, ReadError};
use salesforce_mcp::secrets::KEY_ENV;
use salesforce_mcp::simulated_org::{DEFAULT_CLIENT_ID, SimOrgConfig, SimulatedOrg};
use salesforce_mcp::store::apps::{self, AppFields};
use salesforce_mcp::store::{self, groups};

use super::run_bin;
use crate::helpers::{Options, TestApp, spawn_app, spawn_app_with};

fn app_fields(client_id: &str, auth_base_url: &str, enabled: bool) -> AppFields {
    AppFields {
        client_id: client_id.to_owned(),
        client_secret_sealed: None,
        auth_base_url: auth_base_url.to_owned(),
        scopes: "api refresh_token offline_access".to_owned(),
        prompt: None,
        enabled,
    }
}

/// Creates a group with an optional override app and puts `user_id` in it.
fn group_with(t: &TestApp, name: &str, priority: i64, app: Option<AppFields>, user_id: i64) {
    t.app
        .store
        .call_sync(|c| {
            let id = groups::insert(c, name, priority)?.unwrap();
            if let Some(fields) = &app {
                apps::upsert(c, Some(id), fields)?;
            }
            groups::add_member(c, id, user_id)?;
            Ok(())
        })
        .unwrap();
}

fn add_person(t: &TestApp, email: &str) -> i64 {
    t.app.local_user(Some(email)).unwrap().id
}

async fn authorize_url(t: &TestApp, user_id: i64) -> url::Url {
    let redirect = "http://localhost:8787/api/integrations/callback/salesforce";
    let text = t.app.connections.begin(user_id, redirect).await.unwrap();
    url::Url::parse(&text).unwrap()
}

fn query_param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn query_error(t: &TestApp) -> String {
    let args = QueryArgs {
        soql: Some("SELECT Id FROM Account".into()),
        ..Default::default()
    };
    let err = t
        .app
        .reads
        .query_records(t.user_id, args)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            ReadError::Connection(ConnectionError::NeedsReconnect(_))
        ),
        "{err:?}"
    );
    err.to_string()
}

#[tokio::test]
async fn each_person_authorizes_with_the_app_of_their_group() {
    let t = spawn_app_with(Options {
        connect: false,
        ..Options::default()
    })
    .await;
    let bob = add_person(&t, "bob@example.com");
    let carol = add_person(&t, "carol@example.com");
    let east = app_fields("3MVGeastKey", "http://127.0.0.1:1111", true);
    let west = app_fields("3MVGwestKey", "http://localhost:2222", true);
    group_with(&t, "east", 100, Some(east), t.user_id);
    group_with(&t, "west", 100, Some(west), bob);

    let alice_url = authorize_url(&t, t.user_id).await;
    assert!(
        alice_url
            .as_str()
            .starts_with("http://127.0.0.1:1111/services/oauth2/authorize?")
    );
    assert_eq!(
        query_param(&alice_url, "client_id").as_deref(),
        Some("3MVGeastKey")
    );
    let bob_url = authorize_url(&t, bob).await;
    assert!(
        bob_url
            .as_str()
            .starts_with("http://localhost:2222/services/oauth2/authorize?")
    );
    assert_eq!(
        query_param(&bob_url, "client_id").as_deref(),
        Some("3MVGwestKey")
    );
    let carol_url = authorize_url(&t, carol).await;
    assert!(
        carol_url
            .as_str()
            .starts_with(&format!("{}/services/oauth2/authorize?", t.org.base_url()))
    );
    assert_eq!(
        query_param(&carol_url, "client_id").as_deref(),
        Some(DEFAULT_CLIENT_ID)
    );
}

#[tokio::test]
async fn the_lowest_priority_enabled_override_wins_and_ties_go_by_group_name() {
    let t = spawn_app_with(Options {
        connect: false,
        ..Options::default()
    })
    .await;
    let base = "https://login.salesforce.com";
    group_with(
        &t,
        "beta",
        10,
        Some(app_fields("3MVGbeta", base, true)),
        t.user_id,
    );
    group_with(
        &t,
        "alpha",
        10,
        Some(app_fields("3MVGalpha", base, true)),
        t.user_id,
    );
    group_with(
        &t,
        "zulu",
        5,
        Some(app_fields("3MVGzulu", base, false)),
        t.user_id,
    );
    group_with(&t, "plain", 1, None, t.user_id);
    let label = || async {
        t.app
            .connections
            .effective_app(t.user_id)
            .await
            .map(|e| e.label)
    };
    assert_eq!(label().await.unwrap(), "alpha");

    let set_enabled = |name: &str, client: &str, enabled: bool| {
        t.app
            .store
            .call_sync(|c| {
                let g = groups::find_by_name(c, name)?.unwrap();
                apps::upsert(c, Some(g.id), &app_fields(client, base, enabled))
            })
            .unwrap();
    };
    set_enabled("zulu", "3MVGzulu", true);
    assert_eq!(label().await.unwrap(), "zulu");
    for (name, client) in [
        ("zulu", "3MVGzulu"),
        ("alpha", "3MVGalpha"),
        ("beta", "3MVGbeta"),
    ] {
        set_enabled(name, client, false);
    }
    assert_eq!(label().await.unwrap(), "org");
    t.app
        .store
        .call_sync(|c| {
            apps::upsert(
                c,
                None,
                &app_fields(DEFAULT_CLIENT_ID, &t.org.base_url(), false),
            )
        })
        .unwrap();
    let err = label().await.unwrap_err();
    assert!(
        err.to_string().contains("Salesforce is not enabled"),
        "{err}"
    );
}

#[tokio::test]
async fn admin_changes_to_a_persons_app_mark_the_connection_and_tools_ask_to_reconnect() {
    let t = spawn_app().await;
    let support = SimulatedOrg::start(SimOrgConfig {
        client_id: "3MVGsupportTeamKey".into(),
        ..SimOrgConfig::default()
    })
    .await
    .unwrap();
    let key = std::env::var(KEY_ENV).ok();
    let admin = |args: &[&str]| {
        let run = run_bin(&t.app.settings.db_path, key.as_deref(), args, "");
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        run.stdout
    };
    let base = support.base_url();
    admin(&[
        "admin",
        "group",
        "add",
        "support",
        "--priority",
        "10",
        "--client-id",
        "3MVGsupportTeamKey",
        "--auth-base-url",
        &base,
    ]);
    let added = admin(&[
        "admin",
        "user",
        "add",
        "alice@example.com",
        "--group",
        "support",
    ]);
    assert!(
        added.contains("must connect again: alice@example.com"),
        "{added}"
    );
    assert!(
        query_error(&t)
            .await
            .contains("now: support app, client id 3MVGsupportTeamKey")
    );

    salesforce_mcp::demo::connect_through_oauth(&t.app, t.user_id)
        .await
        .unwrap();
    let status = connection_status(&t.app.reads, t.user_id, "connect")
        .await
        .unwrap();
    assert_eq!(
        (status.app.as_deref(), status.connected),
        (Some("support"), true)
    );
    assert_eq!(status.auth_base_url.as_deref(), Some(base.as_str()));

    let disabled = admin(&["admin", "group", "set", "support", "--disable"]);
    assert!(disabled.contains("alice@example.com"), "{disabled}");
    let why = query_error(&t).await;
    assert!(
        why.contains("your Salesforce app changed (now: org app"),
        "{why}"
    );
    let status = connection_status(&t.app.reads, t.user_id, "Run `salesforce-mcp connect`.")
        .await
        .unwrap();
    assert_eq!(status.status, "needs_reconnect");
    assert!(status.next_step.unwrap().contains("app changed"));
    let url = authorize_url(&t, t.user_id).await;
    assert_eq!(
        query_param(&url, "client_id").as_deref(),
        Some(DEFAULT_CLIENT_ID)
    );

    let shown: serde_json::Value = serde_json::from_str(&admin(&[
        "admin",
        "user",
        "show",
        "alice@example.com",
        "--json",
    ]))
    .unwrap();
    assert_eq!(shown["effective_app"]["app"], "org");
    assert_eq!(shown["connection"]["status"], "needs_reconnect");
}

// Multi-threaded: the binary blocks this thread while the simulated org answers its revoke call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_person_revokes_their_grant_and_deletes_their_connection_and_tokens() {
    let t = spawn_app().await;
    let key = std::env::var(KEY_ENV).ok();
    let admin = |args: &[&str]| run_bin(&t.app.settings.db_path, key.as_deref(), args, "");
    let token = admin(&["admin", "token", "create", "alice@example.com"]).stdout;
    let removed = admin(&["admin", "user", "remove", "alice@example.com"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert!(
        !removed.stdout.contains("did not confirm"),
        "{}",
        removed.stdout
    );
    let revokes = t.requests_where(|r| r.path == "/services/oauth2/revoke" && r.status == 200);
    assert_eq!(revokes.len(), 1);
    assert!(t.app.connections.get(t.user_id).await.unwrap().is_none());
    let owner = t
        .app
        .store
        .call_sync(|c| store::tokens::user_for(c, &store::tokens::hash(token.trim())))
        .unwrap();
    assert_eq!(owner, None);
    assert_eq!(
        admin(&["admin", "user", "show", "alice@example.com"]).code,
        1
    );
}

#[tokio::test]
async fn reconcile_marks_only_connections_whose_app_changed() {
    let t = spawn_app().await;
    let marked = t.app.store.call_sync(|c| reconcile_all(c, "test")).unwrap();
    assert!(marked.is_empty());
    let row = t
        .app
        .store
        .call_sync(|c| {
            apps::upsert(
                c,
                None,
                &app_fields("3MVGrotatedKey", &t.org.base_url(), true),
            )?;
            reconcile_all(c, "test")?;
            store::connections::get(c, t.user_id)
        })
        .unwrap()
        .unwrap();
    assert_eq!(row.status, "needs_reconnect");
    assert!(row.last_error.unwrap().contains("client id 3MVGrotatedKey"));
    assert_eq!(
        t.org.requests().len(),
        0,
        "marking needs no Salesforce call"
    );
}
