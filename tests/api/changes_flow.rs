//! Prepared changes for each operation: validation against describe, Salesforce's answers
//! (created ids, upsert created/updated, refusals), the expired session, and no retried writes.

use salesforce_mcp::changes::{ChangeView, PrepareArgs, Via};
use salesforce_mcp::reads::GetRecordArgs;
use serde_json::{Value, json};

use crate::changes::{fields, writes};
use crate::helpers::{TestApp, spawn_app};

fn args(operation: &str, object: &str, values: Value) -> PrepareArgs {
    PrepareArgs {
        operation: operation.into(),
        object: object.into(),
        fields: fields(values),
        ..Default::default()
    }
}

async fn prepare_err(t: &TestApp, a: PrepareArgs) -> String {
    t.app
        .changes
        .prepare(t.user_id, a)
        .await
        .unwrap_err()
        .to_string()
}

async fn run(t: &TestApp, a: PrepareArgs) -> ChangeView {
    let view = t.app.changes.prepare(t.user_id, a).await.unwrap();
    t.app
        .changes
        .approve(t.user_id, &view.change_id, Via::CommandLine)
        .await
        .unwrap()
}

#[tokio::test]
async fn bad_changes_are_refused_before_anything_is_stored() {
    let t = spawn_app().await;
    let err = prepare_err(&t, args("create", "Account", json!({"Nmae": "X"}))).await;
    assert!(err.contains("Did you mean: Name"), "{err}");
    let err = prepare_err(&t, args("create", "Contact", json!({"FirstName": "Ann"}))).await;
    assert!(
        err.contains("Required fields are missing") && err.contains("LastName"),
        "{err}"
    );
    let err = prepare_err(
        &t,
        args(
            "create",
            "Project__c",
            json!({"Name": "P", "Status__c": "Someday"}),
        ),
    )
    .await;
    assert!(
        err.contains("not an allowed value") && err.contains("Planned"),
        "{err}"
    );
    let err = prepare_err(
        &t,
        args("create", "Account", json!({"Name": "x".repeat(256)})),
    )
    .await;
    assert!(err.contains("the most it takes is 255"), "{err}");
    let err = prepare_err(
        &t,
        args(
            "create",
            "Account",
            json!({"Name": "N", "NumberOfEmployees": "many"}),
        ),
    )
    .await;
    assert!(err.contains("needs a number"), "{err}");
    let err = prepare_err(
        &t,
        args(
            "create",
            "Project__c",
            json!({"Name": "P", "Start_Date__c": "31/12/2026"}),
        ),
    )
    .await;
    assert!(err.contains("needs a date like"), "{err}");
    let err = prepare_err(&t, args("create", "User", json!({"LastName": "X"}))).await;
    assert!(err.contains("does not allow create"), "{err}");
    let mut upsert = args("upsert", "Project__c", json!({"Name": "P"}));
    upsert.external_id_field = Some("Name".into());
    upsert.external_id_value = Some("P".into());
    let err = prepare_err(&t, upsert).await;
    assert!(
        err.contains("not an external id field") && err.contains("External_Id__c"),
        "{err}"
    );
    for dots in [".", ".."] {
        let mut upsert = args("upsert", "Project__c", json!({"Name": "P"}));
        upsert.external_id_field = Some("External_Id__c".into());
        upsert.external_id_value = Some(dots.into());
        let err = prepare_err(&t, upsert).await;
        assert!(err.contains("would address another resource"), "{err}");
    }
    let err = prepare_err(&t, args("delete", "Account", json!({}))).await;
    assert!(err.contains("record_id is required"), "{err}");
    assert!(
        t.app
            .changes
            .list(t.user_id, None)
            .await
            .unwrap()
            .changes
            .is_empty()
    );
    assert!(writes(&t).is_empty());
}

#[tokio::test]
async fn create_returns_the_new_record_id() {
    let t = spawn_app().await;
    let done = run(
        &t,
        args(
            "create",
            "Project__c",
            json!({"Name": "Roof", "Budget__c": "1200.50", "Is_Active__c": true}),
        ),
    )
    .await;
    assert_eq!(done.status, "succeeded");
    let id = done.result.as_ref().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(id.starts_with("a0B"), "{id}");
    let sent = writes(&t);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].body,
        Some(json!({"Name": "Roof", "Budget__c": 1200.5, "Is_Active__c": true}))
    );
}

#[tokio::test]
async fn upsert_creates_then_updates_and_says_which() {
    let t = spawn_app().await;
    let upsert = |name: &str| {
        let mut a = args("upsert", "Project__c", json!({"Name": name}));
        a.external_id_field = Some("external_id__c".into());
        a.external_id_value = Some("EXT 42".into());
        a
    };
    let prepared = t
        .app
        .changes
        .prepare(t.user_id, upsert("First"))
        .await
        .unwrap();
    assert!(
        prepared.action.contains("creates a new record"),
        "{}",
        prepared.action
    );
    let created = t
        .app
        .changes
        .approve(t.user_id, &prepared.change_id, Via::Web)
        .await
        .unwrap();
    assert_eq!(created.result.as_ref().unwrap()["created"], json!(true));
    let second = t
        .app
        .changes
        .prepare(t.user_id, upsert("Second"))
        .await
        .unwrap();
    assert!(
        second.action.contains("updates the existing record"),
        "{}",
        second.action
    );
    assert_eq!(second.fields[0].before, json!("First"));
    let updated = t
        .app
        .changes
        .approve(t.user_id, &second.change_id, Via::Web)
        .await
        .unwrap();
    assert_eq!(updated.result.as_ref().unwrap()["created"], json!(false));
    assert_eq!(
        updated.result.as_ref().unwrap()["id"],
        created.result.as_ref().unwrap()["id"]
    );
    let paths: Vec<String> = writes(&t).into_iter().map(|r| r.path).collect();
    assert_eq!(paths.len(), 2);
    assert!(
        paths.iter().all(
            |p| p.ends_with("/sobjects/Project__c/External_Id__c/EXT%2042")
                || p.ends_with("/sobjects/Project__c/External_Id__c/EXT 42")
        ),
        "{paths:?}"
    );
}

#[tokio::test]
async fn delete_sends_the_record_to_the_recycle_bin() {
    let t = spawn_app().await;
    let id = t
        .first_id("SELECT Id FROM Project__c ORDER BY Name LIMIT 1")
        .await;
    let mut a = args("delete", "Project__c", json!({}));
    a.fields = None;
    a.record_id = Some(id.clone());
    let prepared = t.app.changes.prepare(t.user_id, a).await.unwrap();
    assert!(
        prepared.action.contains("Recycle Bin") && prepared.record_name.is_some(),
        "{}",
        prepared.action
    );
    let done = t
        .app
        .changes
        .approve(t.user_id, &prepared.change_id, Via::Web)
        .await
        .unwrap();
    assert_eq!(done.status, "succeeded");
    let gone = GetRecordArgs {
        object: "Project__c".into(),
        id,
        fields: None,
    };
    assert!(t.app.reads.get_record(t.user_id, gone).await.is_err());
    assert_eq!(
        writes(&t).iter().filter(|r| r.method == "DELETE").count(),
        1
    );
}

#[tokio::test]
async fn a_validation_rule_refusal_is_failed_with_salesforces_message() {
    let t = spawn_app().await;
    let id = t.first_id("SELECT Id FROM Opportunity LIMIT 1").await;
    let mut a = args("update", "Opportunity", json!({"Amount": -5}));
    a.record_id = Some(id);
    let done = run(&t, a).await;
    assert_eq!(done.status, "failed");
    let error = done.result.as_ref().unwrap()["error"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(error.contains("Amount cannot be negative."), "{error}");
    assert_eq!(
        done.result.as_ref().unwrap()["code"],
        json!("FIELD_CUSTOM_VALIDATION_EXCEPTION")
    );
    assert_eq!(writes(&t).len(), 1);
}

#[tokio::test]
async fn an_expired_session_is_refreshed_and_the_write_sent_once_more() {
    let t = spawn_app().await;
    let view = t
        .app
        .changes
        .prepare(
            t.user_id,
            args("create", "Account", json!({"Name": "Fresh Session Ltd"})),
        )
        .await
        .unwrap();
    t.org.expire_access_tokens();
    let done = t
        .app
        .changes
        .approve(t.user_id, &view.change_id, Via::Web)
        .await
        .unwrap();
    assert_eq!(done.status, "succeeded");
    let statuses: Vec<u16> = writes(&t).iter().map(|r| r.status).collect();
    assert_eq!(statuses, [401, 201]);
    assert_eq!(t.refresh_grants(), 1);
}

#[tokio::test]
async fn a_failed_write_is_never_retried() {
    let t = spawn_app().await;
    let view = t
        .app
        .changes
        .prepare(
            t.user_id,
            args("create", "Account", json!({"Name": "Unlucky Ltd"})),
        )
        .await
        .unwrap();
    t.org.fail_next(1, 503);
    let done = t
        .app
        .changes
        .approve(t.user_id, &view.change_id, Via::Web)
        .await
        .unwrap();
    // A 5xx may come after the write was applied: the outcome is unknown, never resent.
    assert_eq!(done.status, "unknown");
    let statuses: Vec<u16> = writes(&t).iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_marked_unknown_while_executing_is_never_sent() {
    let t = spawn_app().await;
    let id = t
        .first_id("SELECT Id FROM Account ORDER BY Name LIMIT 1")
        .await;
    let view = t
        .app
        .changes
        .prepare(
            t.user_id,
            PrepareArgs {
                record_id: Some(id),
                ..args("update", "Account", json!({"Phone": "+1 555 0101"}))
            },
        )
        .await
        .unwrap();
    // The pre-write check is slow; meanwhile the lease runs out and recovery marks it unknown.
    t.org.set_latency(std::time::Duration::from_millis(400));
    let approving = {
        let (app, user, change) = (t.app.clone(), t.user_id, view.change_id.clone());
        tokio::spawn(async move { app.changes.approve(user, &change, Via::Web).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    t.app
        .store
        .call_sync(|c| {
            Ok(c.execute(
                "UPDATE changes SET lease_until = '2000-01-01T00:00:00.000Z'",
                &[],
            )
            .unwrap())
        })
        .unwrap();
    assert_eq!(t.app.changes.recover_orphans().await.unwrap(), 1);
    let done = approving.await.unwrap().unwrap();
    t.org.set_latency(std::time::Duration::ZERO);
    assert_eq!(done.status, "unknown");
    assert!(
        writes(&t).is_empty(),
        "nothing is sent after the change was marked unknown"
    );
}
