use salesforce_mcp::connections::ConnectionError;
use salesforce_mcp::reads::{QueryArgs, ReadError};

use crate::helpers::{Options, TestApp, spawn_app_with};

fn query() -> QueryArgs {
    QueryArgs {
        soql: Some("SELECT Id, Name FROM Account ORDER BY Name LIMIT 5".into()),
        ..Default::default()
    }
}

async fn five_concurrent_queries_after_expiry(t: &TestApp) {
    t.org.expire_access_tokens();
    let calls = (0..5).map(|_| t.app.reads.query_records(t.user_id, query()));
    for outcome in futures::future::join_all(calls).await {
        assert_eq!(outcome.unwrap().returned, 5);
    }
}

#[tokio::test]
async fn refresh_runs_once_for_concurrent_calls_without_rotation() {
    let t = spawn_app_with(Options {
        rotation: false,
        ..Options::default()
    })
    .await;
    five_concurrent_queries_after_expiry(&t).await;
    assert_eq!(t.refresh_grants(), 1);
}

#[tokio::test]
async fn refresh_runs_once_for_concurrent_calls_with_rotation_and_keeps_the_new_token() {
    let t = spawn_app_with(Options {
        rotation: true,
        ..Options::default()
    })
    .await;
    five_concurrent_queries_after_expiry(&t).await;
    assert_eq!(t.refresh_grants(), 1);
    // The rotated refresh token was saved: a second expiry refreshes again without invalid_grant.
    five_concurrent_queries_after_expiry(&t).await;
    assert_eq!(t.refresh_grants(), 2);
    assert!(
        t.requests_where(|r| r.grant_type.is_some() && r.status != 200)
            .is_empty()
    );
}

#[tokio::test]
async fn a_revoked_grant_marks_the_connection_for_reconnect_and_stops_refreshing() {
    let t = spawn_app_with(Options::default()).await;
    t.org.revoke_refresh_tokens();
    t.org.expire_access_tokens();
    let err = t
        .app
        .reads
        .query_records(t.user_id, query())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ReadError::Connection(ConnectionError::NeedsReconnect(_))
        ),
        "{err}"
    );
    let row = t.app.connections.get(t.user_id).await.unwrap().unwrap();
    assert_eq!(row.status, "needs_reconnect");
    let grants = t.refresh_grants();
    let _ = t
        .app
        .reads
        .query_records(t.user_id, query())
        .await
        .unwrap_err();
    assert_eq!(
        t.refresh_grants(),
        grants,
        "a needs_reconnect connection must not be refreshed again"
    );
    // Reconnecting makes it active again.
    salesforce_mcp::demo::connect_through_oauth(&t.app, t.user_id)
        .await
        .unwrap();
    assert_eq!(
        t.app
            .reads
            .query_records(t.user_id, query())
            .await
            .unwrap()
            .returned,
        5
    );
}

#[tokio::test]
async fn reads_retry_transient_failures_but_give_up_after_three_tries() {
    let t = spawn_app_with(Options::default()).await;
    t.org.fail_next(2, 503);
    assert_eq!(
        t.app
            .reads
            .query_records(t.user_id, query())
            .await
            .unwrap()
            .returned,
        5
    );
    t.org.fail_next(3, 500);
    let err = t
        .app
        .reads
        .query_records(t.user_id, query())
        .await
        .unwrap_err();
    assert!(
        err.to_string().to_lowercase().contains("500")
            || err.to_string().contains("UNKNOWN_EXCEPTION"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_refresh_once_with_rotation() {
    let t = spawn_app_with(Options {
        rotation: true,
        ..Options::default()
    })
    .await;
    // A second "process": its own app (own locks, own caches) on the same database.
    let mut settings = salesforce_mcp::config::Settings::for_db(t.app.settings.db_path.clone());
    settings.allow_insecure_loopback = true;
    let other = salesforce_mcp::app::App::build(settings).unwrap();
    t.org.expire_access_tokens();
    let ours = (0..3).map(|_| t.app.reads.query_records(t.user_id, query()));
    let theirs = (0..3).map(|_| other.reads.query_records(t.user_id, query()));
    let (a, b) = futures::future::join(
        futures::future::join_all(ours),
        futures::future::join_all(theirs),
    )
    .await;
    for outcome in a.into_iter().chain(b) {
        assert_eq!(outcome.unwrap().returned, 5);
    }
    assert_eq!(
        t.refresh_grants(),
        1,
        "one refresh grant for both processes"
    );
    assert!(
        t.requests_where(|r| r.grant_type.is_some() && r.status != 200)
            .is_empty()
    );
}
