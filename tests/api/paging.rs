use std::collections::HashSet;

use crate::helpers::{Options, ids, spawn_app_with};

const SOQL: &str = "SELECT Id, Name FROM Contact ORDER BY Name";

fn small_batches() -> Options {
    Options {
        batch_size: 5,
        ..Options::default()
    }
}

#[tokio::test]
async fn paging_never_skips_or_repeats_a_row_with_a_small_batch_size() {
    let t = spawn_app_with(small_batches()).await;
    let mut page = t.query(Some(SOQL), 7, None).await.unwrap();
    let total = page.total_size;
    assert!(total > 20, "sample data has enough contacts");
    let mut got = Vec::new();
    loop {
        assert!(page.returned <= 7);
        got.extend(ids(&page));
        let Some(cursor) = page.next_cursor.clone() else {
            break;
        };
        page = t.query(None, 7, Some(cursor)).await.unwrap();
    }
    assert_eq!(got.len() as u64, total);
    assert_eq!(
        got.iter().collect::<HashSet<_>>().len(),
        got.len(),
        "no row repeated"
    );
    // Same rows, same order as one big read.
    let all = t.query(Some(SOQL), 2000, None).await.unwrap();
    assert_eq!(got, ids(&all));
    assert!(all.next_cursor.is_none());
}

#[tokio::test]
async fn a_cursor_is_single_use_bound_to_its_query_and_kept_by_a_refused_call() {
    let t = spawn_app_with(small_batches()).await;
    let cursor = t
        .query(Some(SOQL), 3, None)
        .await
        .unwrap()
        .next_cursor
        .unwrap();
    let err = t
        .query(Some("SELECT Id FROM Account"), 3, Some(cursor.clone()))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("differs"), "{err}");
    // The refused call did not use the cursor up: it continues with the next rows, once.
    let next = t.query(None, 3, Some(cursor.clone())).await.unwrap();
    assert_eq!(next.returned, 3);
    let err = t.query(None, 3, Some(cursor)).await.unwrap_err();
    assert!(err.to_string().contains("already used"), "{err}");
}

#[tokio::test]
async fn max_rows_outside_the_range_names_the_limit() {
    let t = spawn_app_with(Options::default()).await;
    for bad in [-1, 0, 2001, 5000] {
        let err = t.query(Some(SOQL), bad, None).await.unwrap_err();
        assert!(err.to_string().contains("between 1 and 2000"), "{err}");
    }
    assert_eq!(t.data_calls(), 0);
}

#[tokio::test]
async fn a_failed_batch_loses_nothing_the_cursor_retries_it() {
    let t = spawn_app_with(small_batches()).await;
    let expected = ids(&t.query(Some(SOQL), 2000, None).await.unwrap());
    // A page that ends exactly at a batch boundary, then a failure fetching the next batch.
    let first = t.query(Some(SOQL), 5, None).await.unwrap();
    let mut got = ids(&first);
    t.org.fail_next(3, 503);
    let cursor = first.next_cursor.clone().unwrap();
    assert!(t.query(None, 5, Some(cursor.clone())).await.is_err());
    // The same cursor still works and continues exactly after the last row.
    let second = t.query(None, 7, Some(cursor)).await.unwrap();
    got.extend(ids(&second));
    // A page that starts in a buffered batch and fails on the next one returns what it has.
    t.org.fail_next(3, 503);
    let third = t.query(None, 10, second.next_cursor.clone()).await.unwrap();
    assert_eq!(
        third.returned, 3,
        "the rest of the buffered batch, then a cursor to retry"
    );
    got.extend(ids(&third));
    let mut cursor = third.next_cursor.clone();
    while let Some(c) = cursor {
        let page = t.query(None, 50, Some(c)).await.unwrap();
        got.extend(ids(&page));
        cursor = page.next_cursor;
    }
    assert_eq!(got, expected);
}

#[tokio::test]
async fn child_subquery_rows_beyond_a_batch_are_all_returned() {
    let t = spawn_app_with(Options {
        batch_size: 2,
        ..Options::default()
    })
    .await;
    let soql = "SELECT Id, Name, (SELECT Id, LastName FROM Contacts ORDER BY LastName) FROM Account ORDER BY Name LIMIT 3";
    let page = t.query(Some(soql), 3, None).await.unwrap();
    assert_eq!(page.returned, 3);
    for account in &page.records {
        let contacts = &account["Contacts"];
        assert_eq!(contacts["done"], true, "{account}");
        assert!(contacts.get("nextRecordsUrl").is_none());
        let rows = contacts["records"].as_array().unwrap();
        assert_eq!(rows.len() as u64, contacts["totalSize"].as_u64().unwrap());
        assert!(
            rows.len() > 2,
            "each sample account has 3 contacts, more than one batch of 2"
        );
    }
    let nested_fetches = t.requests_where(|r| r.path.contains("/query/01g")).len();
    assert!(
        nested_fetches >= 3,
        "child batches were fetched: {nested_fetches}"
    );
}
