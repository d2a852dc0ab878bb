//! Picklist values checked against the record type that applies (the one being set, the
//! record's own, or the person's default), and dependent picklists against their controller.

use salesforce_mcp::changes::{PrepareArgs, RecordItem};
use serde_json::json;

use crate::changes::{fields, writes};
use crate::helpers::{TestApp, spawn_app};

const INTERNAL: &str = "012Dx0000000002IAA";

fn ui_api_calls(t: &TestApp) -> usize {
    t.requests_where(|r| r.path.contains("/ui-api/")).len()
}

async fn case_of_type(t: &TestApp, rt: &str) -> String {
    t.first_id(&format!(
        "SELECT Id FROM Case WHERE RecordTypeId = '{rt}' ORDER BY CaseNumber LIMIT 1"
    ))
    .await
}

fn update(id: &str, values: serde_json::Value) -> PrepareArgs {
    PrepareArgs {
        operation: "update".into(),
        object: "Case".into(),
        record_id: Some(id.into()),
        fields: fields(values),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_create_is_checked_against_the_record_type_it_sets_and_the_error_lists_its_values() {
    let t = spawn_app().await;
    let args = PrepareArgs {
        operation: "create".into(),
        object: "Case".into(),
        fields: fields(
            json!({"Subject": "Printer", "RecordTypeId": INTERNAL, "Status": "Escalated"}),
        ),
        ..Default::default()
    };
    let err = t
        .app
        .changes
        .prepare(t.user_id, args)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("\"Escalated\" is not allowed for record type \"Internal Request\" (Internal"),
        "{err}"
    );
    assert!(err.contains("it allows: New, Working, Closed"), "{err}");
    let args = PrepareArgs {
        operation: "create".into(),
        object: "Case".into(),
        fields: fields(json!({"Subject": "Printer", "Status": "Escalated"})),
        ..Default::default()
    };
    let ok = t.app.changes.prepare(t.user_id, args).await;
    assert!(
        ok.is_ok(),
        "the person's default (Support) allows Escalated: {ok:?}"
    );
    assert!(writes(&t).is_empty());
}

#[tokio::test]
async fn an_update_is_checked_against_the_records_own_record_type() {
    let t = spawn_app().await;
    let internal = case_of_type(&t, INTERNAL).await;
    let support = case_of_type(&t, "012Dx0000000001IAA").await;
    let err = t
        .app
        .changes
        .prepare(t.user_id, update(&internal, json!({"Priority": "High"})))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "Priority (Priority): \"High\" is not allowed for record type \"Internal Request\""
        ),
        "{err}"
    );
    assert!(err.contains("it allows: Medium, Low"), "{err}");
    let calls = ui_api_calls(&t);
    assert_eq!(calls, 1);
    let ok = t
        .app
        .changes
        .prepare(t.user_id, update(&support, json!({"Priority": "High"})))
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    // Moving the record to Support makes High allowed.
    let moved = t
        .app
        .changes
        .prepare(
            t.user_id,
            update(
                &internal,
                json!({"Priority": "High", "RecordTypeId": "012Dx0000000001IAA"}),
            ),
        )
        .await;
    assert!(moved.is_ok(), "{moved:?}");
    // The values of a record type are read once and cached with the describe.
    let again = t
        .app
        .changes
        .prepare(t.user_id, update(&internal, json!({"Priority": "Low"})))
        .await;
    assert!(again.is_ok(), "{again:?}");
    assert_eq!(ui_api_calls(&t), 2, "Internal and Support, each once");
}

#[tokio::test]
async fn a_dependent_picklist_must_fit_its_controlling_value_in_every_item() {
    let t = spawn_app().await;
    let support = case_of_type(&t, "012Dx0000000001IAA").await;
    let err = t
        .app
        .changes
        .prepare(
            t.user_id,
            update(
                &support,
                json!({"Status": "New", "Escalation_Reason__c": "SLA breach"}),
            ),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("depends on Status and is not valid when it is \"New\""),
        "{err}"
    );
    let records = vec![
        RecordItem {
            record_id: Some(support.clone()),
            fields: fields(json!({"Status": "Escalated", "Escalation_Reason__c": "SLA breach"})),
            ..Default::default()
        },
        RecordItem {
            record_id: Some(case_of_type(&t, INTERNAL).await),
            fields: fields(json!({"Status": "Escalated", "Escalation_Reason__c": "SLA breach"})),
            ..Default::default()
        },
    ];
    let args = PrepareArgs {
        operation: "update".into(),
        object: "Case".into(),
        records: Some(records),
        ..Default::default()
    };
    let err = t
        .app
        .changes
        .prepare(t.user_id, args)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("item 2 (record"), "{err}");
    assert!(!err.contains("item 1 "), "{err}");
    assert!(err.contains("Internal Request"), "{err}");
}

#[tokio::test]
async fn a_record_types_values_are_found_by_id_developer_name_or_label() {
    let t = spawn_app().await;
    for given in [INTERNAL, "Internal", "internal request"] {
        let v = t
            .app
            .changes
            .record_type_picklists(t.user_id, "Case", given)
            .await
            .unwrap();
        assert_eq!(v["record_type"]["developer_name"], "Internal", "{given}");
        assert_eq!(
            v["picklists"]["Status"]["values"],
            json!(["New", "Working", "Closed"])
        );
        assert_eq!(
            v["picklists"]["Escalation_Reason__c"]["controller"],
            "Status"
        );
    }
    let err = t
        .app
        .changes
        .record_type_picklists(t.user_id, "Case", "Partner")
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"Support\" (Support,"), "{err}");
    let master = t
        .app
        .changes
        .record_type_picklists(t.user_id, "Account", "Master")
        .await
        .unwrap();
    assert_eq!(master["record_type"]["id"], "012000000000000AAA");
}
