use salesforce_mcp::reads::{SearchArgs, SearchObjectArg};

use crate::helpers::spawn_app;

#[tokio::test]
async fn every_side_effect_clause_is_rejected_before_reaching_salesforce() {
    let t = spawn_app().await;
    for soql in [
        "SELECT Id FROM Account FOR UPDATE",
        "select id from account for view",
        "SELECT Id FROM Account LIMIT 1 FOR REFERENCE",
        "SELECT Id FROM KnowledgeArticleVersion UPDATE TRACKING",
        "SELECT Id FROM KnowledgeArticleVersion UPDATE\n VIEWSTAT",
        "DELETE FROM Account",
        "",
        "SELECT Id FROM Account; SELECT Id FROM Contact",
    ] {
        let err = t.query(Some(soql), 200, None).await;
        assert!(err.is_err(), "{soql:?} must be refused");
    }
    assert_eq!(t.data_calls(), 0);
}

#[tokio::test]
async fn keywords_inside_string_literals_pass() {
    let t = spawn_app().await;
    let page = t
        .query(
            Some("SELECT Id FROM Account WHERE Name = 'for update'"),
            200,
            None,
        )
        .await
        .unwrap();
    assert_eq!(page.returned, 0);
    assert_eq!(t.data_calls(), 1);
}

#[tokio::test]
async fn sosl_escapes_reserved_characters_and_finds_the_account() {
    let t = spawn_app().await;
    let args = SearchArgs {
        text: "Acme & Sons {West}".into(),
        objects: Some(vec![SearchObjectArg {
            name: "Account".into(),
            fields: Some(vec!["Name".into()]),
        }]),
        limit: Some(10),
    };
    let found = t.app.reads.search_records(t.user_id, args).await.unwrap();
    let names: Vec<&str> = found
        .results
        .iter()
        .flat_map(|g| g.records.iter())
        .filter_map(|r| r["Name"].as_str())
        .collect();
    assert!(names.contains(&"Acme & Sons {West}"), "{names:?}");
    let search = t.requests_where(|r| r.path.ends_with("/search/") || r.path.ends_with("/search"));
    let q = search[0].query.clone().unwrap_or_default();
    let decoded: String = url::form_urlencoded::parse(q.as_bytes())
        .map(|(_, v)| v.into_owned())
        .collect();
    assert!(
        decoded.contains(r"FIND {Acme \& Sons \{West\}}"),
        "{decoded}"
    );
}
