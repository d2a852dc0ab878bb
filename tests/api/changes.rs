//! Prepared changes: every status transition, the conflict check, start-up recovery of
//! `executing`, expiry, and isolation between people. Asserted on the simulated org's log.

use std::time::Duration;

use salesforce_mcp::changes::{ChangeError, ChangeView, PrepareArgs, Via, this_host};
use salesforce_mcp::simulated_org::LoggedRequest;
use salesforce_mcp::store;
use serde_json::{Value, json};

use crate::helpers::{Options, TestApp, spawn_app, spawn_app_with};

pub fn is_write(r: &LoggedRequest) -> bool {
    r.path.starts_with("/services/data/v")
        && ["POST", "PATCH", "DELETE"].contains(&r.method.as_str())
}

pub fn writes(t: &TestApp) -> Vec<LoggedRequest> {
    t.requests_where(is_write)
}

pub fn fields(v: Value) -> Option<serde_json::Map<String, Value>> {
    v.as_object().cloned()
}

async fn prepare_phone_update(t: &TestApp, phone: &str) -> ChangeView {
    let id = t
        .first_id("SELECT Id FROM Account ORDER BY Name LIMIT 1")
        .await;
    let args = PrepareArgs {
        operation: "update".into(),
        object: "account".into(),
        record_id: Some(id),
        fields: fields(json!({"phone": phone})),
        ..Default::default()
    };
    t.app.changes.prepare(t.user_id, args).await.unwrap()
}

fn assert_not_pending(err: ChangeError, status: &str) {
    let got = match &err {
        ChangeError::NotPending(view) => Some(view.status.clone()),
        _ => None,
    };
    assert_eq!(got.as_deref(), Some(status), "{err}");
}

#[tokio::test]
async fn prepare_previews_before_and_after_and_writes_nothing() {
    let t = spawn_app().await;
    let view = prepare_phone_update(&t, "+1 555 0100").await;
    assert_eq!(view.status, "pending");
    assert_eq!(
        (view.object.as_str(), view.object_label.as_str()),
        ("Account", "Account")
    );
    assert_eq!(view.fields.len(), 1);
    let f = &view.fields[0];
    assert_eq!(
        (f.name.as_str(), f.label.as_str()),
        ("Phone", "Account Phone")
    );
    assert_eq!(f.after, json!("+1 555 0100"));
    assert_ne!(f.before, f.after);
    assert!(view.record_name.is_some());
    assert!(
        view.preview.contains("Account Phone (Phone)"),
        "{}",
        view.preview
    );
    assert!(
        view.preview.contains("-> \"+1 555 0100\""),
        "{}",
        view.preview
    );
    assert_eq!(view.change_id.len(), 32);
    assert!(writes(&t).is_empty());
}

#[tokio::test]
async fn approval_executes_once_with_the_previewed_values_and_a_second_approval_sends_nothing() {
    let t = spawn_app().await;
    let view = prepare_phone_update(&t, "+1 555 0101").await;
    let done = t
        .app
        .changes
        .approve(t.user_id, &view.change_id, Via::CommandLine)
        .await
        .unwrap();
    assert_eq!(done.status, "succeeded");
    assert_eq!(done.approved_via.as_deref(), Some("command_line"));
    let sent = writes(&t);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "PATCH");
    assert_eq!(sent[0].body, Some(json!({"Phone": "+1 555 0101"})));
    let again = t
        .app
        .changes
        .approve(t.user_id, &view.change_id, Via::CommandLine)
        .await;
    assert_not_pending(again.unwrap_err(), "succeeded");
    assert_eq!(writes(&t).len(), 1);
    let log = t
        .app
        .store
        .call_sync(|c| store::audit::recent(c, 10))
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions[..3],
        ["change.execute", "change.approve", "change.prepare"]
    );
    assert!(log[..3].iter().all(|a| a.actor == "alice@example.com"));
    assert!(log[0].detail.as_deref().unwrap().contains("+1 555 0101"));
}

#[tokio::test]
async fn concurrent_approvals_execute_exactly_once() {
    let t = spawn_app().await;
    let view = prepare_phone_update(&t, "+1 555 0102").await;
    let tries = (0..5).map(|_| t.app.changes.approve(t.user_id, &view.change_id, Via::Web));
    let outcomes = futures::future::join_all(tries).await;
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1);
    assert_eq!(writes(&t).len(), 1);
}

#[tokio::test]
async fn rejected_and_cancelled_changes_cannot_be_approved() {
    let t = spawn_app().await;
    let a = prepare_phone_update(&t, "+1 555 0103").await;
    let b = prepare_phone_update(&t, "+1 555 0104").await;
    let rejected = t
        .app
        .changes
        .reject(t.user_id, &a.change_id, Via::Web)
        .await
        .unwrap();
    assert_eq!(rejected.status, "rejected");
    let cancelled = t.app.changes.cancel(t.user_id, &b.change_id).await.unwrap();
    assert_eq!(cancelled.status, "cancelled");
    let err = t
        .app
        .changes
        .approve(t.user_id, &a.change_id, Via::Web)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("is rejected, not pending"),
        "{err}"
    );
    assert_not_pending(
        t.app
            .changes
            .approve(t.user_id, &b.change_id, Via::Web)
            .await
            .unwrap_err(),
        "cancelled",
    );
    assert_not_pending(
        t.app
            .changes
            .cancel(t.user_id, &a.change_id)
            .await
            .unwrap_err(),
        "rejected",
    );
    assert!(writes(&t).is_empty());
}

#[tokio::test]
async fn a_record_changed_after_the_preview_is_a_conflict_and_nothing_is_written() {
    let t = spawn_app().await;
    let first = prepare_phone_update(&t, "+1 555 0105").await;
    let second = prepare_phone_update(&t, "+1 555 0106").await;
    let done = t
        .app
        .changes
        .approve(t.user_id, &second.change_id, Via::Web)
        .await
        .unwrap();
    assert_eq!(done.status, "succeeded");
    let stale = t
        .app
        .changes
        .approve(t.user_id, &first.change_id, Via::Web)
        .await
        .unwrap();
    assert_eq!(stale.status, "conflict");
    assert!(stale.outcome_text().contains("nothing was written"));
    let sent = writes(&t);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body, Some(json!({"Phone": "+1 555 0106"})));
}

#[tokio::test]
async fn expired_changes_cannot_be_approved() {
    let t = spawn_app_with(Options {
        change_ttl: Duration::from_millis(50),
        ..Options::default()
    })
    .await;
    let view = prepare_phone_update(&t, "+1 555 0107").await;
    tokio::time::sleep(Duration::from_millis(80)).await;
    let err = t
        .app
        .changes
        .approve(t.user_id, &view.change_id, Via::Web)
        .await
        .unwrap_err();
    assert_not_pending(err, "expired");
    let listed = t
        .app
        .changes
        .list(t.user_id, Some("expired"))
        .await
        .unwrap();
    assert_eq!(listed.changes.len(), 1);
    assert!(writes(&t).is_empty());
}

fn executing_row(
    t: &TestApp,
    id: &str,
    host: &str,
    pid: i64,
    lease_secs: i64,
) -> store::changes::ChangeRow {
    let now = chrono::Utc::now();
    store::changes::ChangeRow {
        id: id.into(),
        user_id: t.user_id,
        operation: "create".into(),
        object: "Account".into(),
        object_label: "Account".into(),
        fields:
            json!([{"name": "Name", "label": "Account Name", "before": null, "after": "Orphan"}])
                .to_string(),
        status: "executing".into(),
        created_at: store::timestamp(now),
        expires_at: store::timestamp(now + chrono::Duration::minutes(15)),
        executor_host: Some(host.into()),
        executor_pid: Some(pid),
        lease_until: Some(store::timestamp(
            now + chrono::Duration::seconds(lease_secs),
        )),
        ..Default::default()
    }
}

#[tokio::test]
async fn executing_changes_of_stopped_processes_become_unknown_and_are_never_sent() {
    let t = spawn_app().await;
    let mut child = std::process::Command::new("true").spawn().unwrap();
    child.wait().unwrap();
    let dead_pid = i64::from(child.id());
    let rows = [
        executing_row(&t, &"a".repeat(32), &this_host(), dead_pid, 600),
        executing_row(&t, &"b".repeat(32), "another-host", 1, -1),
        executing_row(&t, &"c".repeat(32), "another-host", 1, 600),
    ];
    t.app
        .store
        .call_sync(|c| rows.iter().try_for_each(|r| store::changes::insert(c, r)))
        .unwrap();
    // On SQLite every executor shares this machine, so a dead pid of this host frees its change at
    // once; on PostgreSQL (instances on several machines) only the lease decides.
    let sqlite = t.app.store.backend() == store::Backend::Sqlite;
    assert_eq!(
        t.app.changes.recover_orphans_at_startup().await.unwrap(),
        if sqlite { 2 } else { 1 }
    );
    let status = |id: &str| {
        let id = id.to_owned();
        let changes = t.app.changes.clone();
        let user = t.user_id;
        async move { changes.show(user, &id).await.unwrap().status }
    };
    assert_eq!(
        status(&"a".repeat(32)).await,
        if sqlite { "unknown" } else { "executing" }
    );
    assert_eq!(status(&"b".repeat(32)).await, "unknown");
    assert_eq!(
        status(&"c".repeat(32)).await,
        "executing",
        "a live executor elsewhere keeps its lease"
    );
    let err = t
        .app
        .changes
        .approve(t.user_id, &"a".repeat(32), Via::Web)
        .await
        .unwrap_err();
    assert_not_pending(err, if sqlite { "unknown" } else { "executing" });
    assert!(writes(&t).is_empty());
}

#[tokio::test]
async fn another_persons_change_cannot_be_seen_approved_rejected_or_cancelled() {
    let t = spawn_app().await;
    let view = prepare_phone_update(&t, "+1 555 0108").await;
    let bob = t.app.local_user(Some("bob@example.com")).unwrap().id;
    let id = view.change_id.as_str();
    let not_found = |e: ChangeError| assert!(matches!(e, ChangeError::NotFound(_)), "{e}");
    not_found(t.app.changes.show(bob, id).await.unwrap_err());
    not_found(t.app.changes.approve(bob, id, Via::Web).await.unwrap_err());
    not_found(t.app.changes.reject(bob, id, Via::Web).await.unwrap_err());
    not_found(t.app.changes.cancel(bob, id).await.unwrap_err());
    assert!(
        t.app
            .changes
            .list(bob, None)
            .await
            .unwrap()
            .changes
            .is_empty()
    );
    assert_eq!(
        t.app.changes.show(t.user_id, id).await.unwrap().status,
        "pending"
    );
    assert!(writes(&t).is_empty());
}
