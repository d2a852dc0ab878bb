use std::time::Duration;

use salesforce_mcp::reads::{DescribeArgs, GetRecordArgs, ListObjectsArgs};

use crate::helpers::{Options, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_repeated_describe_within_the_ttl_makes_no_salesforce_call() {
    let t = spawn_app().await;
    let args = || DescribeArgs {
        object: "Account".into(),
        ..Default::default()
    };
    let first = t
        .app
        .reads
        .describe_object(t.user_id, args())
        .await
        .unwrap();
    assert!(first.fields.iter().any(|f| f.name == "Name"));
    let calls = t.data_calls();
    t.app
        .reads
        .describe_object(t.user_id, args())
        .await
        .unwrap();
    assert_eq!(t.data_calls(), calls);
}

#[tokio::test]
async fn an_expired_describe_is_revalidated_with_if_modified_since() {
    let t = spawn_app_with(Options {
        describe_ttl: Duration::from_millis(1),
        ..Options::default()
    })
    .await;
    let args = || DescribeArgs {
        object: "Account".into(),
        ..Default::default()
    };
    t.app
        .reads
        .describe_object(t.user_id, args())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let again = t
        .app
        .reads
        .describe_object(t.user_id, args())
        .await
        .unwrap();
    assert!(again.fields.iter().any(|f| f.name == "Name"));
    let describes = t.requests_where(|r| r.path.ends_with("/sobjects/Account/describe/"));
    assert_eq!(describes.last().map(|r| r.status), Some(304));
}

#[tokio::test]
async fn unknown_objects_and_fields_get_close_names() {
    let t = spawn_app().await;
    let err = t
        .app
        .reads
        .describe_object(
            t.user_id,
            DescribeArgs {
                object: "Acount".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Did you mean: Account"), "{err}");
    let some_id = t
        .first_id("SELECT Id FROM Account ORDER BY Name LIMIT 1")
        .await;
    let err = t
        .app
        .reads
        .get_record(
            t.user_id,
            GetRecordArgs {
                object: "Account".into(),
                id: some_id,
                fields: Some(vec!["Nmae".into()]),
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Did you mean: Name"), "{err}");
}

#[tokio::test]
async fn get_record_accepts_15_and_18_character_ids_and_refuses_malformed_ones() {
    let t = spawn_app().await;
    let id = t
        .first_id("SELECT Id FROM Account ORDER BY Name LIMIT 1")
        .await;
    for given in [id.clone(), id[..15].to_owned()] {
        let r = t
            .app
            .reads
            .get_record(
                t.user_id,
                GetRecordArgs {
                    object: "Account".into(),
                    id: given,
                    fields: Some(vec!["Name".into()]),
                },
            )
            .await
            .unwrap();
        assert_eq!(r.id, id);
        assert!(r.record["Name"].is_string());
    }
    let err = t
        .app
        .reads
        .get_record(
            t.user_id,
            GetRecordArgs {
                object: "Account".into(),
                id: "abc".into(),
                fields: None,
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("15 or 18"), "{err}");
}

#[tokio::test]
async fn list_objects_filters_by_capability_and_pages() {
    let t = spawn_app().await;
    let custom = t
        .app
        .reads
        .list_objects(
            t.user_id,
            ListObjectsArgs {
                custom_only: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(custom.objects.iter().any(|o| o.name == "Project__c"));
    assert!(custom.objects.iter().all(|o| o.custom));
    let first = t
        .app
        .reads
        .list_objects(
            t.user_id,
            ListObjectsArgs {
                limit: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(first.returned, 2);
    let next = t
        .app
        .reads
        .list_objects(
            t.user_id,
            ListObjectsArgs {
                limit: Some(2),
                cursor: first.next_cursor,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_ne!(first.objects[0].name, next.objects[0].name);
    let err = t
        .app
        .reads
        .list_objects(
            t.user_id,
            ListObjectsArgs {
                capability: Some("fly".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("query, search, create, update or delete")
    );
}

#[tokio::test]
async fn malformed_soql_keeps_salesforces_caret_message() {
    let t = spawn_app().await;
    let err = t
        .query(Some("SELECT Id, FROM Account"), 200, None)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("ERROR at Row:1:Column:12"), "{text}");
    assert!(text.contains('^'), "{text}");
}

#[tokio::test]
async fn a_query_longer_than_salesforce_accepts_is_refused_with_the_limit_and_not_retried() {
    let t = spawn_app().await;
    let names: Vec<String> = (0..800).map(|n| format!("'Account number {n}'")).collect();
    let soql = format!(
        "SELECT Id FROM Account WHERE Name IN ({})",
        names.join(", ")
    );
    let err = t
        .query(Some(&soql), 10, None)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("16384") && err.contains("split it"), "{err}");
    assert!(!err.contains("unavailable"), "{err}");
    assert_eq!(t.data_calls(), 0, "nothing is sent, so nothing is retried");
}
