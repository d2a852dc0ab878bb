//! Changes of many records: up to 200 records prepared, previewed and approved once, written in
//! one sObject Collections request with all-or-none. Asserted on the simulated org's log.

use salesforce_mcp::changes::{ChangeError, ChangeView, PrepareArgs, RecordItem, Via};
use salesforce_mcp::simulated_org::LoggedRequest;
use serde_json::{Value, json};

use crate::changes::{fields, writes};
use crate::helpers::{TestApp, spawn_app};

fn item(id: &str, values: Value) -> RecordItem {
    RecordItem {
        record_id: Some(id.to_owned()),
        fields: fields(values),
        ..Default::default()
    }
}

fn many(operation: &str, object: &str, records: Vec<RecordItem>) -> PrepareArgs {
    PrepareArgs {
        operation: operation.into(),
        object: object.into(),
        records: Some(records),
        ..Default::default()
    }
}

fn is_query(r: &LoggedRequest) -> bool {
    r.method == "GET" && r.path.trim_end_matches('/').ends_with("/query")
}

async fn ids(t: &TestApp, soql: &str) -> Vec<String> {
    let page = t.query(Some(soql), 2000, None).await.unwrap();
    crate::helpers::ids(&page)
}

/// 200 new Accounts, created by one approved change; their ids.
async fn create_200_accounts(t: &TestApp) -> Vec<String> {
    let records = (1..=200)
        .map(|n| RecordItem {
            fields: fields(json!({"Name": format!("Batch Account {n:03}")})),
            ..Default::default()
        })
        .collect();
    let view = t
        .app
        .changes
        .prepare(t.user_id, many("create", "Account", records))
        .await
        .unwrap();
    assert_eq!((view.count, view.records.len()), (200, 200));
    let done = t
        .app
        .changes
        .approve(t.user_id, &view.change_id, Via::CommandLine)
        .await
        .unwrap();
    assert_eq!(done.status, "succeeded", "{}", done.outcome_text());
    ids(
        t,
        "SELECT Id FROM Account WHERE Name LIKE 'Batch Account %' ORDER BY Name",
    )
    .await
}

#[tokio::test]
async fn a_200_record_update_approved_once_writes_one_collections_request_with_the_previewed_values()
 {
    let t = spawn_app().await;
    let created = create_200_accounts(&t).await;
    assert_eq!(created.len(), 200);
    let create_writes = writes(&t);
    assert_eq!(create_writes.len(), 1);
    assert_eq!(
        (
            create_writes[0].method.as_str(),
            create_writes[0].path.as_str()
        ),
        ("POST", "/services/data/v67.0/composite/sobjects")
    );
    t.org.clear_requests();

    let records: Vec<RecordItem> = created
        .iter()
        .enumerate()
        .map(|(i, id)| item(id, json!({"Rating": "Hot", "NumberOfEmployees": i})))
        .collect();
    let view = t
        .app
        .changes
        .prepare(t.user_id, many("update", "Account", records))
        .await
        .unwrap();
    assert_eq!(view.count, 200);
    assert!(
        view.preview
            .contains("Account Rating (Rating): (empty) -> \"Hot\" on 200 records"),
        "{}",
        view.preview
    );
    for id in &created {
        assert!(
            view.preview.contains(id.as_str()),
            "{id} missing from the preview"
        );
    }
    assert_eq!(
        t.requests_where(is_query).len(),
        1,
        "one SOQL read for 200 records"
    );
    assert!(writes(&t).is_empty());

    let done = t
        .app
        .changes
        .approve(t.user_id, &view.change_id, Via::CommandLine)
        .await
        .unwrap();
    assert_eq!(done.status, "succeeded", "{}", done.outcome_text());
    let sent = writes(&t);
    assert_eq!(sent.len(), 1, "exactly one write");
    assert_eq!(
        (sent[0].method.as_str(), sent[0].path.as_str()),
        ("PATCH", "/services/data/v67.0/composite/sobjects")
    );
    let expected: Vec<Value> = view
        .records
        .iter()
        .map(|r| {
            let mut m = serde_json::Map::new();
            m.insert("attributes".into(), json!({"type": "Account"}));
            m.insert("id".into(), json!(r.record_id));
            for f in &r.fields {
                m.insert(f.name.clone(), f.after.clone());
            }
            Value::Object(m)
        })
        .collect();
    assert_eq!(
        sent[0].body,
        Some(json!({"allOrNone": true, "records": expected}))
    );
    assert_eq!(t.requests_where(is_query).len(), 2, "one SOQL re-check");
    let hot = ids(
        &t,
        "SELECT Id FROM Account WHERE Rating = 'Hot' AND Name LIKE 'Batch Account %'",
    )
    .await;
    assert_eq!(hot.len(), 200);
}

#[tokio::test]
async fn one_invalid_item_is_named_and_nothing_is_stored() {
    let t = spawn_app().await;
    let opps = ids(&t, "SELECT Id FROM Opportunity ORDER BY Name LIMIT 3").await;
    let records = vec![
        item(&opps[0], json!({"StageName": "Closed Lost"})),
        item(&opps[1], json!({"StageName": "Closed Lostt"})),
        item(&opps[2], json!({"NoSuchField__c": 1})),
    ];
    let err = t
        .app
        .changes
        .prepare(t.user_id, many("update", "Opportunity", records))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ChangeError::BadInput(_)), "{text}");
    assert!(
        text.contains(&format!("item 2 (record {})", opps[1])),
        "{text}"
    );
    assert!(text.contains("Closed Lostt"), "{text}");
    assert!(
        text.contains(&format!("item 3 (record {})", opps[2])),
        "{text}"
    );
    assert!(!text.contains("item 1 "), "{text}");
    let listed = t.app.changes.list(t.user_id, None).await.unwrap();
    assert!(listed.changes.is_empty());
}

#[tokio::test]
async fn more_than_200_records_are_refused() {
    let t = spawn_app().await;
    let records = (0..201)
        .map(|n| RecordItem {
            fields: fields(json!({"Name": format!("Too many {n}")})),
            ..Default::default()
        })
        .collect();
    let err = t
        .app
        .changes
        .prepare(t.user_id, many("create", "Account", records))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("1 to 200"), "{err}");
    assert_eq!(t.data_calls(), 0);
}

async fn approve(t: &TestApp, view: &ChangeView) -> ChangeView {
    t.app
        .changes
        .approve(t.user_id, &view.change_id, Via::CommandLine)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_record_changed_after_the_preview_makes_the_whole_change_a_conflict() {
    let t = spawn_app().await;
    let accounts = ids(&t, "SELECT Id FROM Account ORDER BY Name LIMIT 3").await;
    let records = accounts
        .iter()
        .map(|id| item(id, json!({"Rating": "Cold"})))
        .collect();
    let batch = t
        .app
        .changes
        .prepare(t.user_id, many("update", "Account", records))
        .await
        .unwrap();
    let other = PrepareArgs {
        operation: "update".into(),
        object: "Account".into(),
        record_id: Some(accounts[1].clone()),
        fields: fields(json!({"Phone": "+1 555 0199"})),
        ..Default::default()
    };
    let single = t.app.changes.prepare(t.user_id, other).await.unwrap();
    let page = format!("Record page: {}/{}", t.org.base_url(), accounts[1]);
    assert!(single.preview.contains(&page), "{}", single.preview);
    assert_eq!(single.records[0].url.as_deref(), Some(&page[13..]));
    assert_eq!(approve(&t, &single).await.status, "succeeded");
    t.org.clear_requests();
    let done = approve(&t, &batch).await;
    assert_eq!(done.status, "conflict", "{}", done.outcome_text());
    assert!(writes(&t).is_empty(), "nothing written");
    let drifted = done.result.unwrap()["drifted"].clone();
    assert_eq!(drifted.as_array().map(Vec::len), Some(1));
    assert_eq!(drifted[0]["record_id"], accounts[1].as_str());
}

#[tokio::test]
async fn a_record_salesforce_refuses_fails_the_change_and_nothing_is_written() {
    let t = spawn_app().await;
    let opps = ids(
        &t,
        "SELECT Id FROM Opportunity WHERE Amount > 0 ORDER BY Name LIMIT 3",
    )
    .await;
    let records = vec![
        item(&opps[0], json!({"Amount": 1234})),
        item(&opps[1], json!({"Amount": -5})),
        item(&opps[2], json!({"Amount": 4321})),
    ];
    let view = t
        .app
        .changes
        .prepare(t.user_id, many("update", "Opportunity", records))
        .await
        .unwrap();
    let done = approve(&t, &view).await;
    assert_eq!(done.status, "failed");
    let text = done.outcome_text();
    assert!(text.contains(&opps[1]), "{text}");
    assert!(text.contains("FIELD_CUSTOM_VALIDATION_EXCEPTION"), "{text}");
    assert!(!text.contains(&opps[0]), "{text}");
    let items = done.result.unwrap()["items"].clone();
    assert_eq!(
        items[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    let changed = ids(
        &t,
        "SELECT Id FROM Opportunity WHERE Amount = 1234 OR Amount = 4321",
    )
    .await;
    assert!(changed.is_empty(), "nothing written: {changed:?}");
}

#[tokio::test]
async fn a_batch_upsert_says_which_records_it_creates_and_updates() {
    let t = spawn_app().await;
    let records = vec![
        RecordItem {
            external_id_value: Some("PRJ-0001".into()),
            fields: fields(json!({"Budget__c": 99.0})),
            ..Default::default()
        },
        RecordItem {
            external_id_value: Some("PRJ-9001".into()),
            fields: fields(json!({"Name": "Brand new project"})),
            ..Default::default()
        },
    ];
    let args = PrepareArgs {
        external_id_field: Some("External_Id__c".into()),
        ..many("upsert", "Project__c", records)
    };
    let view = t.app.changes.prepare(t.user_id, args).await.unwrap();
    let actions: Vec<Option<&str>> = view.records.iter().map(|r| r.action.as_deref()).collect();
    assert_eq!(actions, [Some("update"), Some("create")]);
    assert!(view.records[0].url.is_some());
    let done = approve(&t, &view).await;
    assert_eq!(done.status, "succeeded", "{}", done.outcome_text());
    let sent = writes(&t);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].path,
        "/services/data/v67.0/composite/sobjects/Project__c/External_Id__c"
    );
    let items = done.result.unwrap()["items"].clone();
    assert_eq!(
        (items[0]["created"].clone(), items[1]["created"].clone()),
        (json!(false), json!(true))
    );
}
