#![allow(
    clippy::panic,
    reason = "a failing test panics with the call and its result"
)]

use serde_json::{Value, json};

use super::{ApiError, COUNTS, Dataset, make_id};

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
fn sample_counts_match_the_published_table() {
    let org = Dataset::sample();
    for (object, count) in COUNTS {
        let out = org
            .query(&format!("SELECT COUNT() FROM {object}"), V)
            .map(|o| o.total_size);
        assert_eq!(out, Ok(*count), "{object}");
    }
}

#[test]
fn returning_bodies_filter_sort_and_reach_parents() {
    let hits = search(
        "FIND {acme*} RETURNING Contact(Name, Account.Name WHERE Title = 'CEO' ORDER BY Name DESC)",
    );
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| {
        h["Account"]["Name"]
            .as_str()
            .is_some_and(|n| n.starts_with("Acme"))
    }));
    let names: Vec<&str> = hits.iter().filter_map(|h| h["Name"].as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(names, sorted);
    let e = search_err("FIND {acme} RETURNING Account(Name WHERE)");
    assert_eq!(e.error_code(), "MALFORMED_SEARCH");
}
