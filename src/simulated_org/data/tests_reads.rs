use serde_json::{Value, json};

use super::{CONTRACT_TEXT, Dataset, make_id};

const V: &str = "67.0";

fn report(n: u64) -> String {
    make_id("00O", n)
}

#[test]
fn a_summary_report_groups_rows_by_stage_with_aggregates_and_a_grand_total() {
    let data = Dataset::sample();
    let result = data.run_report(&report(1), &[], true, V).unwrap();
    assert_eq!(result["reportMetadata"]["reportFormat"], "SUMMARY");
    let groups = result["groupingsDown"]["groupings"].as_array().unwrap();
    assert!(
        groups
            .iter()
            .all(|g| g["label"] != "Closed Won" && g["label"] != "Closed Lost")
    );
    let open = data
        .query("SELECT Id FROM Opportunity WHERE StageName != 'Closed Won' AND StageName != 'Closed Lost'", V)
        .unwrap()
        .total_size;
    let mut rows = 0;
    for g in groups {
        let fact = &result["factMap"][format!("{}!T", g["key"].as_str().unwrap())];
        let n = fact["rows"].as_array().unwrap().len();
        assert_eq!(fact["aggregates"][1]["value"], json!(n));
        rows += n;
    }
    assert_eq!(rows, open);
    assert_eq!(
        result["factMap"]["T!T"]["aggregates"][1]["value"],
        json!(open)
    );
    assert_eq!(result["factMap"]["T!T"]["rows"], json!([]));
    let first = &result["factMap"]["0!T"]["rows"][0]["dataCells"][0];
    assert!(
        first["value"].as_str().unwrap().starts_with("006"),
        "{first}"
    );
    assert!(first["label"].as_str().unwrap().contains("Deal"), "{first}");
}

#[test]
fn a_report_over_two_thousand_rows_is_cut_with_all_data_false_and_totals_over_all_rows() {
    let data = Dataset::sample();
    let result = data.run_report(&report(3), &[], true, V).unwrap();
    assert_eq!(result["allData"], false);
    assert_eq!(
        result["factMap"]["T!T"]["rows"].as_array().unwrap().len(),
        2000
    );
    assert_eq!(
        result["factMap"]["T!T"]["aggregates"][0]["value"],
        json!(2400)
    );
    let filtered = data
        .run_report(
            &report(3),
            &[json!({"column": "SUBJECT", "operator": "startsWith", "value": "Call"})],
            true,
            V,
        )
        .unwrap();
    assert_eq!(filtered["allData"], true);
    assert_eq!(
        filtered["factMap"]["T!T"]["rows"].as_array().unwrap().len(),
        480
    );
}

#[test]
fn a_filter_on_an_unknown_column_is_a_400_and_an_unknown_report_a_404() {
    let data = Dataset::sample();
    let bad = json!({"column": "NOPE", "operator": "equals", "value": "x"});
    assert_eq!(
        data.run_report(&report(2), &[bad], true, V)
            .unwrap_err()
            .status,
        400
    );
    assert_eq!(
        data.run_report(&report(9), &[], true, V)
            .unwrap_err()
            .status,
        404
    );
}

#[test]
fn a_dashboard_has_components_with_their_reports_aggregates() {
    let data = Dataset::sample();
    let d = data.dashboard(&make_id("01Z", 1), V).unwrap();
    let components = d["dashboardMetadata"]["components"].as_array().unwrap();
    assert_eq!(components.len(), 2);
    let activity = &d["componentData"][1]["reportResult"];
    assert_eq!(
        activity["factMap"]["T!T"]["aggregates"][0]["value"],
        json!(2400)
    );
    assert_eq!(activity["attributes"], Value::Null);
}

#[test]
fn a_list_views_describe_query_runs_and_results_are_text() {
    let data = Dataset::sample();
    let views = data.list_views("Account", V).unwrap();
    let key = views["listviews"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["label"] == "Key accounts")
        .unwrap();
    let id = key["id"].as_str().unwrap();
    let describe = data.list_view_describe("Account", id).unwrap();
    let out = data.query(describe["query"].as_str().unwrap(), V).unwrap();
    let hot = data
        .query("SELECT Id FROM Account WHERE Rating = 'Hot'", V)
        .unwrap();
    assert_eq!(out.total_size, hot.total_size);
    let results = data.list_view_results("Account", id, 5, 0, V).unwrap();
    assert_eq!(results["records"].as_array().unwrap().len(), 5);
    assert!(results["records"][0]["columns"][0]["value"].is_string());
}

#[test]
fn api_reads_do_not_make_a_record_recently_viewed_but_a_ui_view_does() {
    let mut data = Dataset::sample();
    let before = data.recent(200, V);
    let lead = make_id("00Q", 1);
    data.get("Lead", &lead, None, V).unwrap();
    data.query(&format!("SELECT Id FROM Lead WHERE Id = '{lead}'"), V)
        .unwrap();
    assert_eq!(data.recent(200, V), before);
    assert!(data.view_in_ui("Lead", &lead));
    assert_eq!(data.recent(1, V)[0]["Id"], json!(lead));
    assert_eq!(data.recent(1, V)[0]["attributes"]["type"], "Lead");
}

#[test]
fn files_are_linked_to_records_with_their_content_as_bytes() {
    let data = Dataset::sample();
    let account = make_id("001", 1);
    let soql = format!(
        "SELECT ContentDocumentId, ContentDocument.Title, ContentDocument.LatestPublishedVersionId FROM ContentDocumentLink WHERE LinkedEntityId = '{account}'"
    );
    let links = data.query(&soql, V).unwrap();
    assert_eq!(links.total_size, 2);
    let doc = &links.records[0]["ContentDocument"];
    assert_eq!(doc["Title"], "Master Services Agreement");
    let version = doc["LatestPublishedVersionId"].as_str().unwrap();
    let bytes = data.blob("ContentVersion", version, "VersionData").unwrap();
    assert_eq!(&bytes[..], CONTRACT_TEXT.as_bytes());
    let record = data.get("ContentVersion", version, None, V).unwrap();
    assert_eq!(
        record["VersionData"],
        json!(format!(
            "/services/data/v67.0/sobjects/ContentVersion/{version}/VersionData"
        ))
    );
}

#[test]
fn relationship_traversal_answers_children_as_a_query_result_and_a_parent_as_a_record() {
    let data = Dataset::sample();
    let account = make_id("001", 1);
    let contacts = data.related("Account", &account, "Contacts", V).unwrap();
    let expected = data
        .query(
            &format!("SELECT Id FROM Contact WHERE AccountId = '{account}'"),
            V,
        )
        .unwrap();
    assert_eq!(contacts["totalSize"], json!(expected.total_size));
    let parent = data
        .related("Contact", &make_id("003", 1), "Account", V)
        .unwrap();
    assert_eq!(parent["Id"], json!(account));
    assert_eq!(
        data.related("Account", &account, "Nope", V)
            .unwrap_err()
            .status,
        404
    );
}

#[test]
fn content_document_link_needs_a_filter_on_a_linked_id_as_in_salesforce() {
    let data = Dataset::sample();
    let err = data
        .query("SELECT Id FROM ContentDocumentLink", V)
        .unwrap_err();
    assert_eq!(err.status, 400);
    assert!(
        err.message()
            .starts_with("Implementation restriction: ContentDocumentLink requires a filter")
    );
    let or = format!(
        "SELECT Id FROM ContentDocumentLink WHERE LinkedEntityId = '{}' OR ShareType = 'V'",
        make_id("001", 1)
    );
    assert_eq!(data.query(&or, V).unwrap_err().status, 400);
    let by_document = format!(
        "SELECT Id FROM ContentDocumentLink WHERE ContentDocumentId IN ('{}')",
        make_id("069", 1)
    );
    assert_eq!(data.query(&by_document, V).unwrap().total_size, 2);
}
