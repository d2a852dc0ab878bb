use salesforce_mcp::connections::ConnectionError;
use salesforce_mcp::mcp::connection_status;
use salesforce_mcp::reads::ReadError;

use crate::helpers::{Options, spawn_app, spawn_app_with};

#[tokio::test]
async fn connect_stores_an_active_connection_with_offline_refresh() {
    let t = spawn_app().await;
    let status = connection_status(&t.app.reads, t.user_id, "connect")
        .await
        .unwrap();
    assert!(status.connected);
    assert_eq!(status.status, "active");
    assert_eq!(status.username.as_deref(), Some("alex.morgan@example.com"));
    assert_eq!(status.app.as_deref(), Some("org"));
    assert!(status.offline_refresh);
    assert_eq!(
        status.instance_url.as_deref(),
        Some(t.org.base_url().as_str())
    );
}

#[tokio::test]
async fn tokens_are_sealed_in_the_database() {
    let t = spawn_app().await;
    if t.app.store.backend() == salesforce_mcp::store::Backend::Postgres {
        // The file check below is SQLite's; on PostgreSQL read the stored bytes instead.
        let stored: Vec<Vec<u8>> = t
            .app
            .store
            .call(|c| {
                c.query_map("SELECT access_token_sealed FROM connections", &[], |r| {
                    r.get(0)
                })
            })
            .await
            .unwrap();
        assert!(!stored.is_empty());
        for bytes in stored {
            assert!(
                !String::from_utf8_lossy(&bytes).contains("!AQ"),
                "an access token is stored in clear"
            );
        }
        return;
    }
    let db = std::fs::read(&t.app.settings.db_path).unwrap();
    let wal = std::fs::read(t.app.settings.db_path.with_extension("db-wal")).unwrap_or_default();
    for bytes in [db, wal] {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("!AQ"), "an access token is stored in clear");
    }
}

#[tokio::test]
async fn a_denied_authorization_explains_the_fix() {
    let t = spawn_app_with(Options {
        connect: false,
        ..Options::default()
    })
    .await;
    t.org.deny_next_authorization();
    let err = salesforce_mcp::demo::connect_through_oauth(&t.app, t.user_id)
        .await
        .unwrap_err();
    assert!(
        err.contains("access_denied") && err.contains("Allow"),
        "{err}"
    );
}

#[tokio::test]
async fn a_person_who_is_not_connected_is_told_how() {
    let t = spawn_app_with(Options {
        connect: false,
        ..Options::default()
    })
    .await;
    let err = t
        .query(Some("SELECT Id FROM Account"), 200, None)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ReadError::Connection(ConnectionError::NotConnected)
    ));
    let status = connection_status(&t.app.reads, t.user_id, "Run `salesforce-mcp connect`")
        .await
        .unwrap();
    assert!(!status.connected);
    assert!(status.next_step.unwrap().contains("salesforce-mcp connect"));
}

#[tokio::test]
async fn a_disabled_org_app_says_salesforce_is_not_enabled() {
    let t = spawn_app().await;
    t.app
        .store
        .call_sync(|c| {
            Ok(c.execute("UPDATE oauth_apps SET enabled = FALSE", &[])
                .unwrap())
        })
        .unwrap();
    let err = t
        .query(Some("SELECT Id FROM Account"), 200, None)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("Salesforce is not enabled"),
        "{err}"
    );
}

#[tokio::test]
async fn disconnect_revokes_the_refresh_token_at_salesforce() {
    let t = spawn_app().await;
    let note = t.app.connections.disconnect(t.user_id).await.unwrap();
    assert_eq!(note.as_deref(), Some(""));
    assert_eq!(
        t.requests_where(|r| r.path == "/services/oauth2/revoke" && r.status == 200)
            .len(),
        1
    );
    assert!(t.app.connections.get(t.user_id).await.unwrap().is_none());
}

#[tokio::test]
async fn a_connection_saved_under_the_loopback_switch_is_not_used_without_it() {
    let t = spawn_app().await;
    let mut settings = salesforce_mcp::config::Settings::for_db(t.app.settings.db_path.clone());
    settings.allow_insecure_loopback = false;
    let strict = salesforce_mcp::app::App::build(settings).unwrap();
    let args = salesforce_mcp::reads::QueryArgs {
        soql: Some("SELECT Id FROM Account".into()),
        max_rows: Some(1),
        cursor: None,
    };
    let err = strict
        .reads
        .query_records(t.user_id, args)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("no longer allowed"), "{err}");
    assert_eq!(
        t.data_calls(),
        0,
        "no token went to the plain-http instance"
    );
}
