#![allow(
    clippy::panic,
    reason = "a failing test panics with the call and its result"
)]

use serde_json::{Value, json};

use super::{ApiError, COUNTS, Dataset, MASTER_RECORD_TYPE_ID, make_id};

const V: &str = "67.0";

fn search(sosl: &str) -> Vec<Value> {
    match Dataset::sample().search(sosl, V) {
        Ok(body) => body["searchRecords"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
        Err(e) => panic!("search {sosl:?} failed: {e:?}"),
    }
}

fn search_err(sosl: &str) -> ApiError {
    match Dataset::sample().search(sosl, V) {
        Ok(body) => panic!("search {sosl:?} unexpectedly returned {body}"),
        Err(e) => e,
    }
}

#[test]
fn escaped_reserved_characters_find_acme_and_sons() {
    let hits = search(r"FIND {Acme \& Sons \{West\}} IN NAME FIELDS RETURNING Account(Id, Name)");
    assert_eq!(hits.len(), 1);
    let id = make_id("001", 2);
    assert_eq!(
        hits[0],
        json!({"attributes": {"type": "Account", "url": format!("/services/data/v67.0/sobjects/Account/{id}")}, "Id": id, "Name": "Acme & Sons {West}"})
    );
}

#[test]
fn unescaped_reserved_characters_are_malformed() {
    let e = search_err("FIND {Acme & Sons} RETURNING Account");
    assert_eq!((e.status, e.error_code()), (400, "MALFORMED_SEARCH"));
    assert!(
        e.message().contains("ERROR at Row:1:Column:12"),
        "{}",
        e.message()
    );
}

#[test]
fn missing_braces_is_no_search_term() {
    let e = search_err("FIND Acme RETURNING Account");
    assert_eq!(
        e,
        ApiError::new(
            400,
            "MALFORMED_SEARCH",
            "No search term found. The search term must be enclosed in braces."
        )
    );
}

#[test]
fn words_must_all_match_and_wildcards_extend_them() {
    assert_eq!(search("FIND {acme} RETURNING Account(Name)").len(), 2);
    assert_eq!(
        search("FIND {acme corporation} RETURNING Account(Name)").len(),
        1
    );
    assert_eq!(search("FIND {acm} RETURNING Account(Name)").len(), 0);
    assert_eq!(search("FIND {acm*} RETURNING Account(Name)").len(), 2);
    assert_eq!(search("FIND {initec?} RETURNING Account(Name)").len(), 1);
    assert_eq!(
        search("FIND {Initech OR Hooli} RETURNING Account(Name)").len(),
        2
    );
}

#[test]
fn search_without_returning_covers_every_searchable_object() {
    let hits = search("FIND {acmecorporation}");
    let types: Vec<&str> = hits
        .iter()
        .filter_map(|h| h["attributes"]["type"].as_str())
        .collect();
    assert!(
        types.contains(&"Account") && types.contains(&"Contact"),
        "{types:?}"
    );
    assert!(
        hits.iter()
            .all(|h| h.as_object().is_some_and(|m| m.contains_key("Id")))
    );
}

#[test]
fn scopes_and_limits_narrow_results() {
    assert_eq!(
        search("FIND {acmecorporation} IN EMAIL FIELDS RETURNING Contact(Email)").len(),
        3
    );
    assert_eq!(
        search("FIND {acmecorporation} IN NAME FIELDS RETURNING Contact(Email)").len(),
        0
    );
    assert_eq!(
        search("FIND {example} RETURNING Contact(Id) LIMIT 7").len(),
        7
    );
    assert_eq!(
        search("FIND {example} RETURNING Contact(Id LIMIT 4), Lead(Id)").len(),
        34
    );
}

#[test]
fn unknown_returning_object_or_field_is_an_error() {
    assert_eq!(
        search_err("FIND {acme} RETURNING Nope__c").error_code(),
        "INVALID_TYPE"
    );
    assert_eq!(
        search_err("FIND {acme} RETURNING Account(Nope)").error_code(),
        "INVALID_FIELD"
    );
}

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
fn sample_counts_match_the_published_table() {
    let org = Dataset::sample();
    for (object, count) in COUNTS {
        let out = org
            .query(&format!("SELECT COUNT() FROM {object}"), V)
            .map(|o| o.total_size);
        assert_eq!(out, Ok(*count), "{object}");
    }
}
