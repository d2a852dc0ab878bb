use serde_json::json;

use super::{ApiError, Dataset, MASTER_RECORD_TYPE_ID};

const V: &str = "67.0";

#[test]
fn describe_global_lists_objects_with_versioned_urls() {
    let body = Dataset::sample().describe_global(V);
    let objects = body["sobjects"].as_array().cloned().unwrap_or_default();
    let project = objects
        .iter()
        .find(|o| o["name"] == "Project__c")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            project["label"].clone(),
            project["custom"].clone(),
            project["keyPrefix"].clone()
        ),
        (json!("Project"), json!(true), json!("a0B"))
    );
    assert_eq!(
        project["urls"]["describe"],
        "/services/data/v67.0/sobjects/Project__c/describe"
    );
    assert_eq!(body["maxBatchSize"], 200);
}

#[test]
fn describe_is_case_insensitive_and_has_full_field_metadata() {
    let org = Dataset::sample();
    let body = org.describe("opportunity", V).unwrap_or_default();
    assert_eq!(body["name"], "Opportunity");
    let field = |name: &str| {
        body["fields"]
            .as_array()
            .and_then(|fs| fs.iter().find(|f| f["name"] == name).cloned())
            .unwrap_or_default()
    };
    let expected = field("ExpectedRevenue");
    assert_eq!(
        (
            expected["calculated"].clone(),
            expected["createable"].clone()
        ),
        (json!(true), json!(false))
    );
    let stage = field("StageName");
    assert_eq!(
        (
            stage["restrictedPicklist"].clone(),
            stage["nillable"].clone()
        ),
        (json!(true), json!(false))
    );
    assert_eq!(
        stage["picklistValues"][0],
        json!({"active": true, "defaultValue": false, "label": "Prospecting", "validFor": null, "value": "Prospecting"})
    );
    let account = field("AccountId");
    assert_eq!(
        (
            account["referenceTo"].clone(),
            account["relationshipName"].clone()
        ),
        (json!(["Account"]), json!("Account"))
    );
    assert_eq!(field("Id")["soapType"], "tns:ID");
    let rts = body["recordTypeInfos"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rts.len(), 1);
    assert_eq!(rts[0]["recordTypeId"], MASTER_RECORD_TYPE_ID);
}

#[test]
fn describe_lists_child_relationships_and_record_types() {
    let org = Dataset::sample();
    let account = org.describe("Account", V).unwrap_or_default();
    let children: Vec<&str> = account["childRelationships"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["relationshipName"].as_str())
        .collect();
    for name in [
        "Contacts",
        "Opportunities",
        "Cases",
        "Projects__r",
        "ChildAccounts",
    ] {
        assert!(children.contains(&name), "{name} missing from {children:?}");
    }
    let case = org.describe("Case", V).unwrap_or_default();
    assert_eq!(case["recordTypeInfos"].as_array().map(Vec::len), Some(3));
    let project = org.describe("Project__c", V).unwrap_or_default();
    let ext = project["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["name"] == "External_Id__c")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (ext["externalId"].clone(), ext["unique"].clone()),
        (json!(true), json!(true))
    );
}

#[test]
fn describe_of_unknown_object_is_not_found() {
    let e = Dataset::sample().describe("Nope", V).err();
    assert_eq!(
        e,
        Some(ApiError::new(
            404,
            "NOT_FOUND",
            "The requested resource does not exist"
        ))
    );
    assert!(Dataset::sample().metadata_modified("account").is_some());
    assert!(Dataset::sample().metadata_modified("nope").is_none());
}

#[test]
fn object_names_resolve_to_api_casing_and_global_time_is_the_latest() {
    let org = Dataset::sample();
    assert_eq!(org.object_name("project__C"), Some("Project__c"));
    assert_eq!(org.object_name("Nope"), None);
    let latest = org
        .object_names()
        .iter()
        .filter_map(|o| org.metadata_modified(o))
        .max();
    assert_eq!(org.global_metadata_modified(), latest);
}
