#![allow(
    clippy::panic,
    reason = "a failing test panics with the query and its result"
)]

use serde_json::{Value, json};

use crate::simulated_org::data::{ApiError, Dataset, QueryOutput, make_id};

const V: &str = "67.0";

fn org() -> Dataset {
    Dataset::sample()
}

fn q(soql: &str) -> QueryOutput {
    match org().query(soql, V) {
        Ok(out) => out,
        Err(e) => panic!("query {soql:?} failed: {e:?}"),
    }
}

fn err(soql: &str) -> ApiError {
    match org().query(soql, V) {
        Ok(out) => panic!("query {soql:?} unexpectedly returned {out:?}"),
        Err(e) => e,
    }
}

fn names(out: &QueryOutput) -> Vec<String> {
    out.records
        .iter()
        .map(|r| r["Name"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn missing_field_after_comma_points_the_caret_at_from() {
    let e = err("SELECT Id, FROM Account");
    assert_eq!(e.status, 400);
    assert_eq!(e.error_code(), "MALFORMED_QUERY");
    assert_eq!(
        e.message(),
        "\nSELECT Id, FROM Account\n           ^\nERROR at Row:1:Column:12\nunexpected token: 'FROM'"
    );
}

#[test]
fn truncated_query_reports_eof() {
    let e = err("SELECT Id FROM");
    assert_eq!(e.error_code(), "MALFORMED_QUERY");
    assert!(
        e.message().ends_with("unexpected token: '<EOF>'"),
        "{}",
        e.message()
    );
    assert!(
        e.message().contains("ERROR at Row:1:Column:15"),
        "{}",
        e.message()
    );
}

#[test]
fn unknown_field_is_invalid_field_with_caret_and_hint() {
    let e = err("SELECT Id, Foo FROM Account");
    assert_eq!(e.error_code(), "INVALID_FIELD");
    assert_eq!(
        e.message(),
        "\nSELECT Id, Foo FROM Account\n           ^\nERROR at Row:1:Column:12\nNo such column 'Foo' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
    );
}

#[test]
fn unknown_object_is_invalid_type() {
    let e = err("SELECT Id FROM Foo__c");
    assert_eq!(e.error_code(), "INVALID_TYPE");
    assert!(e.message().ends_with("sObject type 'Foo__c' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."));
    assert!(e.message().contains("ERROR at Row:1:Column:16"));
}

#[test]
fn unknown_relationship_is_reported() {
    let e = err("SELECT Owner__r.Name FROM Account");
    assert_eq!(e.error_code(), "INVALID_FIELD");
    assert!(
        e.message()
            .contains("Didn't understand relationship 'Owner__r' in field path.")
    );
}

#[test]
fn errors_on_later_rows_give_the_row_and_column() {
    let e = err("SELECT Id\nFROM Account\nWHERE Nme = 'x'");
    assert_eq!(
        e.message(),
        "\nWHERE Nme = 'x'\n      ^\nERROR at Row:3:Column:7\nNo such column 'Nme' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
    );
}

#[test]
fn mixing_and_with_or_needs_parentheses() {
    let e = err("SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'");
    assert!(e.message().ends_with("unexpected token: 'OR'"));
    q("SELECT Id FROM Account WHERE (Name = 'a' AND Name = 'b') OR Name = 'c'");
}

#[test]
fn bad_string_escape_is_malformed() {
    let e = err(r"SELECT Id FROM Account WHERE Name = 'a\q'");
    assert_eq!(e.error_code(), "MALFORMED_QUERY");
}

#[test]
fn string_escapes_decode_quotes_and_backslashes() {
    let out =
        q(r"SELECT Name FROM Account WHERE Name = 'Acme & Sons {West}' OR Name = 'it\'s \\ here'");
    assert_eq!(names(&out), vec!["Acme & Sons {West}"]);
}

#[test]
fn select_returns_attributes_and_api_casing() {
    let out = q("select id, NAME from account where name = 'acme corporation'");
    assert_eq!(out.total_size, 1);
    let id = make_id("001", 1);
    assert_eq!(
        out.records[0],
        json!({"attributes": {"type": "Account", "url": format!("/services/data/v67.0/sobjects/Account/{id}")},
               "Id": id, "Name": "Acme Corporation"})
    );
}

#[test]
fn default_order_is_by_id_and_limit_offset_page() {
    let all = q("SELECT Id FROM Contact");
    assert_eq!(all.total_size, 120);
    let ids: Vec<&Value> = all.records.iter().map(|r| &r["Id"]).collect();
    let mut sorted = ids.clone();
    sorted.sort_by_key(|v| v.as_str().unwrap_or("").to_string());
    assert_eq!(ids, sorted);
    let page = q("SELECT Id FROM Contact LIMIT 5 OFFSET 10");
    assert_eq!(page.total_size, 5);
    assert_eq!(page.records[0]["Id"], all.records[10]["Id"]);
}

#[test]
fn offset_above_2000_is_outside_the_valid_range() {
    let e = err("SELECT Id FROM Account OFFSET 2001");
    assert_eq!(e.error_code(), "NUMBER_OUTSIDE_VALID_RANGE");
    q("SELECT Id FROM Account OFFSET 2000");
}

#[test]
fn order_by_several_keys_with_nulls_last() {
    let out = q("SELECT Name, Amount FROM Opportunity ORDER BY Amount DESC NULLS LAST, Name ASC");
    let amounts: Vec<Option<f64>> = out.records.iter().map(|r| r["Amount"].as_f64()).collect();
    let first_null = amounts
        .iter()
        .position(Option::is_none)
        .unwrap_or(amounts.len());
    assert!(amounts[first_null..].iter().all(Option::is_none));
    assert!(amounts[..first_null].windows(2).all(|w| w[0] >= w[1]));
    let out = q("SELECT Amount FROM Opportunity ORDER BY Amount NULLS FIRST");
    assert!(out.records[0]["Amount"].is_null());
}

#[test]
fn like_is_case_insensitive_with_both_wildcards() {
    let out = q("SELECT Name FROM Account WHERE Name LIKE 'acme%' ORDER BY Name");
    assert_eq!(names(&out), vec!["Acme & Sons {West}", "Acme Corporation"]);
    assert_eq!(
        q("SELECT Id FROM Account WHERE Name LIKE 'Initec_'").total_size,
        1
    );
    assert_eq!(
        q("SELECT Id FROM Account WHERE Name LIKE 'Initec'").total_size,
        0
    );
}

#[test]
fn in_not_in_and_not_filter_rows() {
    let both = q("SELECT Id FROM Account WHERE Name IN ('Initech', 'Hooli')");
    assert_eq!(both.total_size, 2);
    let rest = q("SELECT Id FROM Account WHERE Name NOT IN ('Initech', 'Hooli')");
    assert_eq!(rest.total_size, 38);
    let negated = q("SELECT Id FROM Account WHERE NOT (Name = 'Initech' OR Name = 'Hooli')");
    assert_eq!(negated.total_size, 38);
}

#[test]
fn comparisons_on_numbers_dates_booleans_and_null() {
    let big = q("SELECT Amount FROM Opportunity WHERE Amount >= 25000");
    assert!(
        big.records
            .iter()
            .all(|r| r["Amount"].as_f64().unwrap_or(0.0) >= 25000.0)
    );
    assert_eq!(
        q("SELECT Id FROM Opportunity WHERE Amount = null").total_size,
        6
    );
    assert_eq!(
        q("SELECT Id FROM Opportunity WHERE Amount != null").total_size,
        54
    );
    let early = q("SELECT CloseDate FROM Opportunity WHERE CloseDate < 2026-01-13");
    assert_eq!(early.total_size, 2);
    let won = q("SELECT Id FROM Opportunity WHERE IsWon = true");
    assert!(won.total_size > 0);
    let dated = q("SELECT Id FROM Account WHERE CreatedDate > 2026-01-01T00:00:00Z");
    assert_eq!(dated.total_size, 40);
    assert_eq!(
        q("SELECT Id FROM Account WHERE CreatedDate = TODAY").total_size,
        0
    );
    assert_eq!(
        q("SELECT Id FROM Account WHERE CreatedDate < LAST_N_DAYS:3").total_size,
        40
    );
}

#[test]
fn literals_of_the_wrong_type_are_rejected() {
    let e = err("SELECT Id FROM Account WHERE Name = 5");
    assert!(e.message().ends_with("value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes"));
    let e = err("SELECT Id FROM Opportunity WHERE CloseDate = '2026-01-01'");
    assert!(
        e.message()
            .contains("must be of type date and should not be enclosed in quotes")
    );
    let e = err("SELECT Id FROM Account WHERE Id = 'abc'");
    assert!(e.message().ends_with("invalid ID field: abc"));
}

#[test]
fn parent_fields_nest_with_their_own_attributes() {
    let out = q(
        "SELECT Name, Account.Name, Account.Owner.Name, Owner.Name FROM Contact WHERE Account.Name = 'Initech' ORDER BY Name LIMIT 1",
    );
    let r = &out.records[0];
    assert_eq!(r["Account"]["Name"], "Initech");
    assert_eq!(r["Account"]["attributes"]["type"], "Account");
    assert_eq!(r["Account"]["Owner"]["attributes"]["type"], "User");
    assert!(r["Owner"]["Name"].is_string());
    let none = q("SELECT Name, Parent.Name FROM Account WHERE Name = 'Initech'");
    assert!(none.records[0]["Parent"].is_null());
    let custom =
        q("SELECT Name, Account__r.Name FROM Project__c WHERE External_Id__c = 'PRJ-0001'");
    assert_eq!(custom.records[0]["Account__r"]["Name"], "Acme Corporation");
}

#[test]
fn count_returns_total_without_records() {
    let out = q("SELECT COUNT() FROM Lead");
    assert_eq!((out.total_size, out.records.len()), (30, 0));
    let out = q("SELECT COUNT() FROM Case WHERE Status = 'Closed'");
    assert_eq!(out.total_size, 10);
}

#[test]
fn count_of_a_field_is_an_aggregate_result() {
    let out = q("SELECT COUNT(Id) FROM Account");
    assert_eq!(
        out.records,
        vec![json!({"attributes": {"type": "AggregateResult"}, "expr0": 40})]
    );
    let out = q("SELECT COUNT(Amount) total FROM Opportunity");
    assert_eq!(out.records[0]["total"], 54);
    let e = err("SELECT Name, COUNT(Id) FROM Account");
    assert!(
        e.message()
            .ends_with("Field must be grouped or aggregated: Name")
    );
}

#[test]
fn child_subqueries_nest_related_records() {
    let out = q(
        "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account WHERE Name = 'Acme Corporation'",
    );
    let contacts = &out.records[0]["Contacts"];
    assert_eq!(contacts["totalSize"], 3);
    assert_eq!(contacts["done"], true);
    assert_eq!(contacts["records"][0]["attributes"]["type"], "Contact");
}

#[test]
fn deleted_records_are_hidden_from_query_but_not_query_all() {
    let mut org = org();
    let id = make_id("00Q", 1);
    assert!(org.delete("Lead", &id).is_ok());
    let soql = "SELECT Id FROM Lead";
    assert_eq!(org.query(soql, V).map(|o| o.total_size), Ok(29));
    assert_eq!(org.query_all(soql, V).map(|o| o.total_size), Ok(30));
}

#[test]
fn locking_and_tracking_clauses_are_accepted() {
    assert_eq!(q("SELECT Id FROM Account LIMIT 1 FOR VIEW").total_size, 1);
    assert_eq!(q("SELECT Id FROM Account LIMIT 1 FOR UPDATE").total_size, 1);
}

#[test]
fn queries_over_hundreds_of_rows_stay_fast() {
    let org = org();
    let start = std::time::Instant::now();
    for _ in 0..20 {
        let out = org.query("SELECT Id, Name, Account.Name FROM Contact WHERE Email LIKE '%example%' ORDER BY LastName", V);
        assert!(out.is_ok());
    }
    // Debug builds are slow; this only catches quadratic blow-ups.
    assert!(start.elapsed().as_millis() < 2000);
}

#[test]
fn escaped_like_wildcards_are_literal() {
    let mut org = org();
    let body = json!({"Name": "Under_score 100%"});
    assert!(org.create("Account", &body, V).is_ok());
    let hit = |soql: &str| org.query(soql, V).map(|o| o.total_size);
    assert_eq!(
        hit(r"SELECT Id FROM Account WHERE Name LIKE 'Under\_score%'"),
        Ok(1)
    );
    assert_eq!(
        hit(r"SELECT Id FROM Account WHERE Name LIKE '%100\%'"),
        Ok(1)
    );
    assert_eq!(hit(r"SELECT Id FROM Account WHERE Name LIKE '%\_%'"), Ok(1));
}

#[test]
fn fifteen_character_ids_match_in_filters() {
    let id = make_id("003", 2);
    let out = q(&format!(
        "SELECT Id FROM Contact WHERE Id = '{}'",
        &id[..15]
    ));
    assert_eq!(out.records[0]["Id"], id.as_str());
    let out = q(&format!(
        "SELECT Id FROM Contact WHERE AccountId IN ('{}')",
        make_id("001", 1)
    ));
    assert_eq!(out.total_size, 3);
}

#[test]
fn unknown_fields_in_where_and_order_by_are_invalid() {
    assert_eq!(
        err("SELECT Id FROM Account ORDER BY Nope").error_code(),
        "INVALID_FIELD"
    );
    assert_eq!(
        err("SELECT Id FROM Account WHERE Nope__c = 1").error_code(),
        "INVALID_FIELD"
    );
    assert_eq!(
        err("SELECT Id, (SELECT Id FROM Nope) FROM Account").error_code(),
        "INVALID_TYPE"
    );
}

#[test]
fn field_aliases_are_only_for_aggregates() {
    let e = err("SELECT Name n FROM Account");
    assert!(
        e.message()
            .ends_with("only aggregate expressions use field aliasing")
    );
}
