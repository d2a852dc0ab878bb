#![allow(
    clippy::panic,
    reason = "a failing test panics with the call and its result"
)]

use serde_json::{Value, json};

use super::{ApiError, Dataset, WriteOutput, make_id};

const V: &str = "67.0";

fn ok(r: Result<WriteOutput, ApiError>) -> WriteOutput {
    r.unwrap_or_else(|e| panic!("write failed: {e:?}"))
}

fn fail(r: Result<WriteOutput, ApiError>) -> ApiError {
    match r {
        Ok(out) => panic!("write unexpectedly succeeded: {out:?}"),
        Err(e) => e,
    }
}

fn get(org: &Dataset, object: &str, id: &str) -> Value {
    org.get(object, id, None, V)
        .unwrap_or_else(|e| panic!("get failed: {e:?}"))
}

#[test]
fn get_returns_all_fields_with_attributes() {
    let org = Dataset::sample();
    let id = make_id("001", 2);
    let r = get(&org, "account", &id);
    assert_eq!(
        r["attributes"],
        json!({"type": "Account", "url": format!("/services/data/v67.0/sobjects/Account/{id}")})
    );
    assert_eq!(r["Name"], "Acme & Sons {West}");
    assert_eq!(r["IsDeleted"], false);
    assert!(
        r.as_object()
            .is_some_and(|m| m.contains_key("Account_Number__c"))
    );
}

#[test]
fn get_with_fields_returns_only_those_and_rejects_unknown_ones() {
    let org = Dataset::sample();
    let id = make_id("001", 1);
    let fields = vec!["Name".to_string(), "industry".to_string()];
    let r = org.get("Account", &id, Some(&fields), V);
    let keys: Vec<String> = r
        .iter()
        .flat_map(|v| v.as_object())
        .flat_map(|m| m.keys().cloned())
        .collect();
    assert_eq!(keys, vec!["Industry", "Name", "attributes"]);
    let bad = vec!["Nope".to_string()];
    let e = org.get("Account", &id, Some(&bad), V).err();
    assert_eq!(
        e.as_ref().map(|e| (e.status, e.error_code())),
        Some((400, "INVALID_FIELD"))
    );
}

#[test]
fn get_of_malformed_unknown_and_deleted_ids() {
    let mut org = Dataset::sample();
    let e = org.get("Account", "23foo", None, V).err();
    assert_eq!(
        e,
        Some(ApiError::new(
            404,
            "NOT_FOUND",
            "Provided external ID field does not exist or is not accessible: 23foo"
        ))
    );
    let e = org.get("Account", &make_id("001", 999), None, V).err();
    assert_eq!(
        e,
        Some(ApiError::new(
            404,
            "NOT_FOUND",
            "The requested resource does not exist"
        ))
    );
    let id = make_id("001", 5);
    assert_eq!(
        ok(org.delete("Account", &id)),
        WriteOutput {
            status: 204,
            body: None
        }
    );
    let e = org.get("Account", &id, None, V).err();
    assert_eq!(
        e.map(|e| (e.status, e.body)),
        Some((
            404,
            json!([{"message": "entity is deleted", "errorCode": "ENTITY_IS_DELETED", "fields": []}])
        ))
    );
    let e = fail(org.delete("Account", &id));
    assert_eq!((e.status, e.error_code()), (400, "ENTITY_IS_DELETED"));
}

#[test]
fn create_returns_201_and_the_record_reads_back() {
    let mut org = Dataset::sample();
    let out = ok(org.create(
        "Contact",
        &json!({"LastName": "Nguyen", "FirstName": "Lan", "AccountId": make_id("001", 1)}),
        V,
    ));
    assert_eq!(out.status, 201);
    let body = out.body.unwrap_or_default();
    assert_eq!(
        (body["errors"].clone(), body["success"].clone()),
        (json!([]), json!(true))
    );
    let id = body["id"].as_str().unwrap_or("");
    assert_eq!(id, make_id("003", 121));
    let r = get(&org, "Contact", id);
    assert_eq!(r["Name"], "Lan Nguyen");
    assert_eq!(r["OwnerId"], make_id("005", 1));
    assert_eq!(r["CreatedDate"], r["SystemModstamp"]);
}

#[test]
fn create_applies_defaults_and_formulas() {
    let mut org = Dataset::sample();
    let body = json!({"Name": "Big deal", "StageName": "Proposal/Price Quote", "CloseDate": "2026-06-30", "Amount": 1000});
    let id = ok(org.create("Opportunity", &body, V))
        .body
        .unwrap_or_default()["id"]
        .clone();
    let r = get(&org, "Opportunity", id.as_str().unwrap_or(""));
    assert_eq!(
        (r["Probability"].as_f64(), r["ExpectedRevenue"].as_f64()),
        (Some(75.0), Some(750.0))
    );
    let id = ok(org.create("Case", &json!({"Subject": "Help"}), V))
        .body
        .unwrap_or_default()["id"]
        .clone();
    let r = get(&org, "Case", id.as_str().unwrap_or(""));
    assert_eq!(
        (
            r["Status"].clone(),
            r["Priority"].clone(),
            r["CaseNumber"].clone()
        ),
        (json!("New"), json!("Medium"), json!("00001041"))
    );
}

#[test]
fn create_with_id_is_invalid_field() {
    let mut org = Dataset::sample();
    let e = fail(org.create("Account", &json!({"Id": make_id("001", 1), "Name": "X"}), V));
    assert_eq!(
        e,
        ApiError::new(
            400,
            "INVALID_FIELD",
            "The Id field should not be specified in the sobject data."
        )
    );
}

#[test]
fn unknown_and_read_only_fields_are_rejected() {
    let mut org = Dataset::sample();
    let e = fail(org.create("Account", &json!({"Name": "X", "foo": 1}), V));
    assert_eq!(
        e,
        ApiError::new(
            400,
            "INVALID_FIELD",
            "No such column 'foo' on sobject of type Account"
        )
    );
    let e = fail(org.create(
        "Opportunity",
        &json!({"Name": "X", "ExpectedRevenue": 5}),
        V,
    ));
    assert_eq!(e.error_code(), "INVALID_FIELD_FOR_INSERT_UPDATE");
    assert_eq!(
        e.message(),
        "Unable to create/update fields: ExpectedRevenue. Please check the security settings of this field and verify that it is read/write for your profile or permission set."
    );
    assert_eq!(e.body[0]["fields"], json!(["ExpectedRevenue"]));
}

#[test]
fn missing_required_fields_are_listed() {
    let mut org = Dataset::sample();
    let e = fail(org.create("Contact", &json!({"FirstName": "No"}), V));
    assert_eq!(
        e,
        ApiError::with_fields(
            400,
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [LastName]",
            &["LastName"]
        )
    );
    let e = fail(org.create("Opportunity", &json!({}), V));
    assert_eq!(
        e.message(),
        "Required fields are missing: [Name, StageName, CloseDate]"
    );
    let e = fail(org.update("Lead", &make_id("00Q", 1), &json!({"Company": null})));
    assert_eq!(e.body[0]["fields"], json!(["Company"]));
}

#[test]
fn restricted_picklists_lengths_and_types_are_checked() {
    let mut org = Dataset::sample();
    let e = fail(org.create(
        "Project__c",
        &json!({"Name": "P", "Status__c": "Unknown"}),
        V,
    ));
    assert_eq!(
        e,
        ApiError::with_fields(
            400,
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "Status__c: bad value for restricted picklist field: Unknown",
            &["Status__c"]
        )
    );
    ok(org.create(
        "Account",
        &json!({"Name": "Unlisted industry", "Industry": "Space"}),
        V,
    ));
    let long = "x".repeat(81);
    let e = fail(org.create("Project__c", &json!({"Name": long}), V));
    assert_eq!(e.error_code(), "STRING_TOO_LONG");
    assert_eq!(
        e.message(),
        format!("Name: data value too large: {long} (max length=80)")
    );
    let e = fail(org.create(
        "Account",
        &json!({"Name": "N", "NumberOfEmployees": "many"}),
        V,
    ));
    assert_eq!(e.error_code(), "JSON_PARSER_ERROR");
    let e = fail(org.create(
        "Opportunity",
        &json!({"Name": "N", "StageName": "Prospecting", "CloseDate": "soon"}),
        V,
    ));
    assert_eq!(e.error_code(), "JSON_PARSER_ERROR");
    let e = fail(org.create("Contact", &json!({"LastName": "N", "AccountId": "nope"}), V));
    assert_eq!(e.error_code(), "MALFORMED_ID");
    assert_eq!(e.message(), "Account ID: id value of incorrect type: nope");
}

#[test]
fn negative_amount_fails_the_validation_rule() {
    let mut org = Dataset::sample();
    let e = fail(org.update("Opportunity", &make_id("006", 1), &json!({"Amount": -5})));
    assert_eq!(
        e,
        ApiError::with_fields(
            400,
            "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "Amount cannot be negative.",
            &["Amount"]
        )
    );
}

#[test]
fn contact_with_an_existing_email_is_a_duplicate() {
    let mut org = Dataset::sample();
    let existing = get(&org, "Contact", &make_id("003", 1));
    let email = existing["Email"].as_str().unwrap_or("").to_uppercase();
    let e = fail(org.create("Contact", &json!({"LastName": "Twin", "Email": email}), V));
    assert_eq!(e.status, 400);
    let entry = &e.body[0];
    assert_eq!(entry["errorCode"], "DUPLICATES_DETECTED");
    assert_eq!(
        entry["message"],
        "You're creating a duplicate record. We recommend you use an existing record instead."
    );
    let dup = &entry["duplicateResut"];
    assert_eq!(dup["duplicateRule"], "Standard_Contact_Duplicate_Rule");
    let record = &dup["matchResults"][0]["matchRecords"][0]["record"];
    assert_eq!(record["Id"], make_id("003", 1));
    assert_eq!(
        record["attributes"]["url"],
        format!(
            "/services/data/v67.0/sobjects/Contact/{}",
            make_id("003", 1)
        )
    );
}

#[test]
fn update_returns_204_and_moves_system_modstamp() {
    let mut org = Dataset::sample();
    let id = make_id("001", 1);
    let before = get(&org, "Account", &id)["SystemModstamp"].clone();
    assert_eq!(
        ok(org.update("Account", &id, &json!({"Industry": "Media"}))),
        WriteOutput {
            status: 204,
            body: None
        }
    );
    let first = get(&org, "Account", &id);
    assert_eq!(first["Industry"], "Media");
    ok(org.update("Account", &id, &json!({"Industry": "Retail"})));
    let second = get(&org, "Account", &id);
    assert_ne!(before, first["SystemModstamp"]);
    assert_ne!(first["SystemModstamp"], second["SystemModstamp"]);
    assert_eq!(second["LastModifiedDate"], second["SystemModstamp"]);
}

#[test]
fn upsert_creates_updates_and_reports_multiple_matches() {
    let mut org = Dataset::sample();
    let out = ok(org.upsert(
        "Project__c",
        "External_Id__c",
        "PRJ-9000",
        &json!({"Name": "New"}),
        V,
    ));
    assert_eq!(out.status, 201);
    assert_eq!(
        out.body.as_ref().map(|b| b["created"].clone()),
        Some(json!(true))
    );
    let out = ok(org.upsert(
        "Project__c",
        "external_id__c",
        "prj-0001",
        &json!({"Status__c": "Completed"}),
        V,
    ));
    assert_eq!(out.status, 200);
    assert_eq!(
        out.body,
        Some(json!({"id": make_id("a0B", 1), "errors": [], "success": true, "created": false}))
    );
    let old = ok(org.upsert(
        "Project__c",
        "External_Id__c",
        "PRJ-0001",
        &json!({}),
        "45.0",
    ));
    assert_eq!(
        old,
        WriteOutput {
            status: 204,
            body: None
        }
    );
    let many = ok(org.upsert("Account", "Account_Number__c", "ACC-SHARED", &json!({}), V));
    assert_eq!(many.status, 300);
    let urls = json!([
        format!(
            "/services/data/v67.0/sobjects/Account/{}",
            make_id("001", 4)
        ),
        format!(
            "/services/data/v67.0/sobjects/Account/{}",
            make_id("001", 5)
        )
    ]);
    assert_eq!(many.body, Some(urls));
    let e = fail(org.upsert("Account", "Name", "Hooli", &json!({}), V));
    assert_eq!(
        e,
        ApiError::new(
            404,
            "NOT_FOUND",
            "Provided external ID field does not exist or is not accessible: Name"
        )
    );
}

#[test]
fn duplicate_unique_external_id_is_duplicate_value() {
    let mut org = Dataset::sample();
    let e = fail(org.create(
        "Project__c",
        &json!({"Name": "Copy", "External_Id__c": "PRJ-0002"}),
        V,
    ));
    assert_eq!(e.error_code(), "DUPLICATE_VALUE");
    assert_eq!(
        e.message(),
        format!(
            "duplicate value found: External_Id__c duplicates value on record with id: {}",
            make_id("a0B", 2)
        )
    );
}

#[test]
fn writes_to_unknown_objects_are_not_found() {
    let mut org = Dataset::sample();
    let e = fail(org.create("Nope__c", &json!({}), V));
    assert_eq!((e.status, e.error_code()), (404, "NOT_FOUND"));
}

#[test]
fn whole_number_fields_stay_integers_after_update() {
    let mut org = Dataset::sample();
    let id = make_id("001", 1);
    ok(org.update("Account", &id, &json!({"NumberOfEmployees": "120"})));
    assert_eq!(get(&org, "Account", &id)["NumberOfEmployees"], json!(120));
}

#[test]
fn external_id_lookup_finds_none_one_or_many() {
    let org = Dataset::sample();
    assert_eq!(
        org.find_by_external_id("Project__c", "External_Id__c", "PRJ-0003"),
        Ok(vec![make_id("a0B", 3)])
    );
    assert_eq!(
        org.find_by_external_id("Project__c", "External_Id__c", "PRJ-7777"),
        Ok(vec![])
    );
    assert_eq!(
        org.find_by_external_id("Account", "Account_Number__c", "ACC-SHARED")
            .map(|v| v.len()),
        Ok(2)
    );
    let e = org.find_by_external_id("Account", "Namez", "x").err();
    assert_eq!(
        e,
        Some(ApiError::new(
            404,
            "NOT_FOUND",
            "Provided external ID field does not exist or is not accessible: Namez"
        ))
    );
}

#[test]
fn upsert_by_unknown_record_id_is_not_found() {
    let mut org = Dataset::sample();
    let e = fail(org.upsert(
        "Account",
        "Id",
        &make_id("001", 999),
        &json!({"Name": "X"}),
        V,
    ));
    assert_eq!((e.status, e.error_code()), (404, "NOT_FOUND"));
    let out = ok(org.upsert(
        "Account",
        "Id",
        &make_id("001", 1),
        &json!({"Rating": "Cold"}),
        V,
    ));
    assert_eq!(out.status, 200);
}
