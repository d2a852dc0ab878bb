//! Search results a model can use: each match with its name field and its page; `get_record`
//! with its page.

use salesforce_mcp::reads::{GetRecordArgs, SearchArgs, SearchObjectArg};
use salesforce_mcp::simulated_org::data::make_id;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_search_without_fields_returns_each_objects_name_field_and_url() {
    let t = spawn_app().await;
    let args = SearchArgs {
        text: "Acme".into(),
        ..Default::default()
    };
    let out = t.app.reads.search_records(t.user_id, args).await.unwrap();
    assert!(out.total > 0);
    let base = t.org.base_url();
    for group in &out.results {
        let name_field = match group.object.as_str() {
            "Case" => "CaseNumber",
            _ => "Name",
        };
        for r in &group.records {
            let id = r["Id"].as_str().unwrap();
            assert!(
                r[name_field].is_string(),
                "{} has its {name_field}: {r}",
                group.object
            );
            assert_eq!(r["url"], format!("{base}/{id}"));
        }
    }
    let accounts = out.results.iter().find(|g| g.object == "Account").unwrap();
    assert!(
        accounts
            .records
            .iter()
            .any(|r| r["Name"] == "Acme Corporation")
    );
}

#[tokio::test]
async fn a_searched_object_without_fields_returns_its_name_field() {
    let t = spawn_app().await;
    let objects = vec![SearchObjectArg {
        name: "Contact".into(),
        fields: None,
    }];
    let args = SearchArgs {
        text: "acmecorporation".into(),
        objects: Some(objects),
        limit: None,
    };
    let out = t.app.reads.search_records(t.user_id, args).await.unwrap();
    let contacts = &out.results[0].records;
    assert!(!contacts.is_empty());
    assert!(
        contacts.iter().all(|r| r["Name"].is_string()),
        "{contacts:?}"
    );
    let searches = t.requests_where(|r| r.path.ends_with("/search/"));
    assert!(
        searches[0]
            .query
            .as_deref()
            .unwrap_or_default()
            .contains("Contact%28Id%2C+Name%29"),
        "{:?}",
        searches[0].query
    );
}

#[tokio::test]
async fn get_record_carries_the_records_page() {
    let t = spawn_app().await;
    let id = make_id("001", 1);
    let args = GetRecordArgs {
        object: "Account".into(),
        id: id.clone(),
        fields: Some(vec!["Name".into()]),
    };
    let out = t.app.reads.get_record(t.user_id, args).await.unwrap();
    assert_eq!(out.url, format!("{}/{id}", t.org.base_url()));
}
