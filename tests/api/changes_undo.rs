//! `prepare_undo`: a new pending change reversing a succeeded one, refused for deletes and
//! for records that changed since (unless forced), linked both ways.

use salesforce_mcp::changes::{ChangeView, PrepareArgs, RecordItem, UndoArgs, Via};
use serde_json::json;

use crate::changes::{fields, writes};
use crate::helpers::{TestApp, spawn_app};

async fn run(t: &TestApp, args: PrepareArgs) -> ChangeView {
    let view = t.app.changes.prepare(t.user_id, args).await.unwrap();
    let done = t
        .app
        .changes
        .approve(t.user_id, &view.change_id, Via::CommandLine)
        .await
        .unwrap();
    assert_eq!(done.status, "succeeded", "{}", done.outcome_text());
    done
}

fn undo(id: &str, force: bool) -> UndoArgs {
    UndoArgs {
        change_id: id.to_owned(),
        force: force.then_some(true),
    }
}

async fn accounts(t: &TestApp, n: usize) -> Vec<String> {
    let page = t
        .query(
            Some(&format!("SELECT Id FROM Account ORDER BY Name LIMIT {n}")),
            200,
            None,
        )
        .await
        .unwrap();
    crate::helpers::ids(&page)
}

async fn ratings(t: &TestApp, ids: &[String]) -> Vec<serde_json::Value> {
    let list: Vec<String> = ids.iter().map(|i| format!("'{i}'")).collect();
    let soql = format!(
        "SELECT Id, Rating FROM Account WHERE Id IN ({}) ORDER BY Name",
        list.join(", ")
    );
    let page = t.query(Some(&soql), 200, None).await.unwrap();
    page.records.iter().map(|r| r["Rating"].clone()).collect()
}

fn rate(ids: &[String], rating: &str) -> PrepareArgs {
    PrepareArgs {
        operation: "update".into(),
        object: "Account".into(),
        records: Some(
            ids.iter()
                .map(|id| RecordItem {
                    record_id: Some(id.clone()),
                    fields: fields(json!({"Rating": rating})),
                    ..Default::default()
                })
                .collect(),
        ),
        ..Default::default()
    }
}

#[tokio::test]
async fn undoing_an_update_restores_every_before_value_after_its_own_approval() {
    let t = spawn_app().await;
    let ids = accounts(&t, 3).await;
    let before = ratings(&t, &ids).await;
    let done = run(&t, rate(&ids, "Cold")).await;
    t.org.clear_requests();
    let view = t
        .app
        .changes
        .prepare_undo(t.user_id, undo(&done.change_id, false))
        .await
        .unwrap();
    assert_eq!(
        (view.status.as_str(), view.operation.as_str()),
        ("pending", "update")
    );
    assert_eq!(view.undoes.as_deref(), Some(done.change_id.as_str()));
    assert!(writes(&t).is_empty(), "preparing the undo writes nothing");
    let original = t
        .app
        .changes
        .show(t.user_id, &done.change_id)
        .await
        .unwrap();
    assert_eq!(original.undone_by.as_deref(), Some(view.change_id.as_str()));
    let listed = t.app.changes.list(t.user_id, None).await.unwrap();
    assert!(
        listed
            .changes
            .iter()
            .any(|c| c.undoes.as_deref() == Some(done.change_id.as_str()))
    );
    t.app
        .changes
        .approve(t.user_id, &view.change_id, Via::CommandLine)
        .await
        .unwrap();
    assert_eq!(ratings(&t, &ids).await, before);
}

#[tokio::test]
async fn undoing_a_create_deletes_what_it_created() {
    let t = spawn_app().await;
    let created = run(
        &t,
        PrepareArgs {
            operation: "create".into(),
            object: "Account".into(),
            fields: fields(json!({"Name": "Undo Me Ltd"})),
            ..Default::default()
        },
    )
    .await;
    let id = created.result.as_ref().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let view = t
        .app
        .changes
        .prepare_undo(t.user_id, undo(&created.change_id, false))
        .await
        .unwrap();
    assert_eq!(
        (view.operation.as_str(), view.record_id.as_deref()),
        ("delete", Some(id.as_str()))
    );
    t.app
        .changes
        .approve(t.user_id, &view.change_id, Via::CommandLine)
        .await
        .unwrap();
    let left = t
        .query(
            Some("SELECT Id FROM Account WHERE Name = 'Undo Me Ltd'"),
            10,
            None,
        )
        .await
        .unwrap();
    assert!(left.records.is_empty());
}

#[tokio::test]
async fn a_delete_cannot_be_undone_and_the_recycle_bin_is_named() {
    let t = spawn_app().await;
    let ids = accounts(&t, 1).await;
    let done = run(
        &t,
        PrepareArgs {
            operation: "delete".into(),
            object: "Account".into(),
            record_id: Some(ids[0].clone()),
            ..Default::default()
        },
    )
    .await;
    let err = t
        .app
        .changes
        .prepare_undo(t.user_id, undo(&done.change_id, false))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("Recycle Bin"), "{err}");
}

#[tokio::test]
async fn a_record_changed_since_refuses_the_undo_unless_forced() {
    let t = spawn_app().await;
    let ids = accounts(&t, 2).await;
    let done = run(&t, rate(&ids, "Cold")).await;
    run(
        &t,
        PrepareArgs {
            operation: "update".into(),
            object: "Account".into(),
            record_id: Some(ids[1].clone()),
            fields: fields(json!({"Rating": "Warm"})),
            ..Default::default()
        },
    )
    .await;
    let err = t
        .app
        .changes
        .prepare_undo(t.user_id, undo(&done.change_id, false))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains(&ids[1]) && err.contains("\"Warm\""), "{err}");
    assert!(!err.contains(&ids[0]), "{err}");
    let forced = t
        .app
        .changes
        .prepare_undo(t.user_id, undo(&done.change_id, true))
        .await
        .unwrap();
    let warm = &forced.records[1].fields[0];
    assert_eq!(warm.before, json!("Warm"));
}

#[tokio::test]
async fn undoing_an_upsert_restores_what_it_updated_and_deletes_what_it_created() {
    let t = spawn_app().await;
    let upsert = |value: &str, values: serde_json::Value| PrepareArgs {
        operation: "upsert".into(),
        object: "Project__c".into(),
        external_id_field: Some("External_Id__c".into()),
        external_id_value: Some(value.into()),
        fields: fields(values),
        ..Default::default()
    };
    let updated = run(&t, upsert("PRJ-0001", json!({"Budget__c": 1.0}))).await;
    let restore = t
        .app
        .changes
        .prepare_undo(t.user_id, undo(&updated.change_id, false))
        .await
        .unwrap();
    assert_eq!(restore.operation, "update");
    assert_eq!(restore.fields[0].before, json!(1.0));
    assert_eq!(restore.fields[0].after, updated.fields[0].before);
    let created = run(&t, upsert("PRJ-7777", json!({"Name": "Made by upsert"}))).await;
    let delete = t
        .app
        .changes
        .prepare_undo(t.user_id, undo(&created.change_id, false))
        .await
        .unwrap();
    assert_eq!(delete.operation, "delete");
    assert_eq!(
        delete.record_id,
        created.result.unwrap()["id"].as_str().map(str::to_owned)
    );
}
