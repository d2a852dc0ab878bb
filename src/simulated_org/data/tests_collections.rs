#![allow(
    clippy::panic,
    reason = "a failing test panics with the call and its result"
)]

use serde_json::{Value, json};

use super::{Collection, Dataset, make_id};

const V: &str = "67.0";

fn results(r: Result<Value, super::ApiError>) -> Vec<Value> {
    r.unwrap_or_else(|e| panic!("collections call failed: {e:?}"))
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn stage(org: &Dataset, id: &str) -> Value {
    org.get("Opportunity", id, None, V).unwrap_or_default()["StageName"].clone()
}

fn opp(n: u64, stage: &str) -> Value {
    json!({"attributes": {"type": "Opportunity"}, "id": make_id("006", n), "StageName": stage})
}

#[test]
fn collections_update_writes_every_record_and_reports_each() {
    let mut org = Dataset::sample();
    let body =
        json!({"allOrNone": true, "records": [opp(1, "Closed Lost"), opp(2, "Closed Lost")]});
    let out = results(org.collection_write(Collection::Update, &body, (V, None)));
    assert_eq!(out.len(), 2);
    assert_eq!(
        out[0],
        json!({"id": make_id("006", 1), "success": true, "errors": []})
    );
    assert_eq!(stage(&org, &make_id("006", 2)), "Closed Lost");
}

#[test]
fn all_or_none_rolls_back_every_record_when_one_fails() {
    let mut org = Dataset::sample();
    let before = stage(&org, &make_id("006", 1));
    let body =
        json!({"allOrNone": true, "records": [opp(1, "Closed Lost"), opp(2, "Not A Stage")]});
    let out = results(org.collection_write(Collection::Update, &body, (V, None)));
    assert_eq!(out[0]["success"], false);
    assert_eq!(
        out[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(
        out[1]["errors"][0]["statusCode"],
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    );
    assert_eq!(out[1]["errors"][0]["fields"], json!(["StageName"]));
    assert_eq!(stage(&org, &make_id("006", 1)), before);
}

#[test]
fn without_all_or_none_the_valid_records_are_saved() {
    let mut org = Dataset::sample();
    let body =
        json!({"allOrNone": false, "records": [opp(1, "Closed Lost"), opp(2, "Not A Stage")]});
    let out = results(org.collection_write(Collection::Update, &body, (V, None)));
    assert_eq!(
        (out[0]["success"].clone(), out[1]["success"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(stage(&org, &make_id("006", 1)), "Closed Lost");
}

#[test]
fn collections_create_upsert_and_delete() {
    let mut org = Dataset::sample();
    let body = json!({"allOrNone": true, "records": [
        {"attributes": {"type": "Account"}, "Name": "Collections One"},
        {"attributes": {"type": "Account"}, "Name": "Collections Two"},
    ]});
    let created = results(org.collection_write(Collection::Create, &body, (V, None)));
    let ids: Vec<String> = created
        .iter()
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(ids.len(), 2);
    let upsert = json!({"allOrNone": true, "records": [
        {"attributes": {"type": "Project__c"}, "External_Id__c": "PRJ-0001", "Budget__c": 1.0},
        {"attributes": {"type": "Project__c"}, "External_Id__c": "PRJ-NEW", "Name": "New one"},
    ]});
    let kind = Collection::Upsert("Project__c", "External_Id__c");
    let up = results(org.collection_write(kind, &upsert, (V, None)));
    assert_eq!(
        (up[0]["created"].clone(), up[1]["created"].clone()),
        (json!(false), json!(true))
    );
    let deleted = results(org.collection_delete(&ids.join(","), true));
    assert_eq!(
        deleted[1],
        json!({"id": ids[1], "success": true, "errors": []})
    );
    let again = results(org.collection_delete(&ids[0], true));
    assert_eq!(again[0]["errors"][0]["statusCode"], "ENTITY_IS_DELETED");
}

#[test]
fn more_than_200_records_is_exceeded_id_limit() {
    let mut org = Dataset::sample();
    let records: Vec<Value> = (1..=201).map(|n| opp(n % 50 + 1, "Closed Lost")).collect();
    let body = json!({"allOrNone": true, "records": records});
    let err = org
        .collection_write(Collection::Update, &body, (V, None))
        .err()
        .unwrap_or_else(|| panic!("201 records were accepted"));
    assert_eq!((err.status, err.error_code()), (400, "EXCEEDED_ID_LIMIT"));
}

#[test]
fn record_type_limits_picklist_values_and_defaults_per_user() {
    let mut org = Dataset::sample();
    let internal = make_id("012", 2);
    let body = json!({"Subject": "x", "RecordTypeId": internal, "Status": "Escalated"});
    let err = org
        .create("Case", &body, V)
        .err()
        .unwrap_or_else(|| panic!("Escalated was accepted for Internal"));
    assert_eq!(err.error_code(), "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
    let third = make_id("005", 3);
    let ok = org.create_as("Case", &json!({"Subject": "y"}), V, Some(&third));
    let id = ok.ok().and_then(|o| o.body).unwrap_or_default()["id"].clone();
    let case = org
        .get("Case", id.as_str().unwrap_or_default(), None, V)
        .unwrap_or_default();
    assert_eq!(case["RecordTypeId"], internal.as_str());
    let d = org.describe_as("Case", V, Some(&third)).unwrap_or_default();
    let default: Vec<&str> = d["recordTypeInfos"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["defaultRecordTypeMapping"] == true)
        .filter_map(|r| r["developerName"].as_str())
        .collect();
    assert_eq!(default, ["Internal"]);
}

#[test]
fn dependent_picklist_follows_its_controller() {
    let mut org = Dataset::sample();
    let bad = json!({"Subject": "x", "Status": "New", "Escalation_Reason__c": "SLA breach"});
    assert!(org.create("Case", &bad, V).is_err());
    let good = json!({"Subject": "x", "Status": "Escalated", "Escalation_Reason__c": "SLA breach"});
    assert!(org.create("Case", &good, V).is_ok());
    let values = org
        .picklist_values("Case", &make_id("012", 1), Some("Escalation_Reason__c"), V)
        .unwrap_or_default();
    assert_eq!(values["controllerValues"]["Escalated"], 2);
    assert_eq!(values["values"][0]["validFor"], json!([2]));
    let internal = org
        .picklist_values("Case", &make_id("012", 2), None, V)
        .unwrap_or_default();
    let statuses: Vec<&str> = internal["picklistFieldValues"]["Status"]["values"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["value"].as_str())
        .collect();
    assert_eq!(statuses, ["New", "Working", "Closed"]);
}
