//! sObject Collections and the UI API picklist values over HTTP.

use serde_json::{Value, json};

use super::data::make_id;
use super::tests_oauth::{client, connect};
use super::*;

async fn token(org: &SimulatedOrg) -> String {
    connect(org).await["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn collections_over_http_answer_200_with_per_record_results() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let t = token(&org).await;
    let url = format!("{}/services/data/v67.0/composite/sobjects", org.base_url());
    let body = json!({"allOrNone": true, "records": [
        {"attributes": {"type": "Account"}, "id": make_id("001", 1), "Rating": "Hot"},
        {"attributes": {"type": "Account"}, "id": make_id("001", 9999), "Rating": "Hot"},
    ]});
    let response = client()
        .patch(&url)
        .bearer_auth(&t)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let items: Vec<Value> = response.json().await.unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(items[1]["success"], false);
    let logged = org.requests();
    let last = logged.last().unwrap();
    assert_eq!(
        (last.method.as_str(), last.path.as_str()),
        ("PATCH", "/services/data/v67.0/composite/sobjects")
    );
    assert_eq!(last.body.as_ref(), Some(&body));

    let delete = format!(
        "{url}?ids={},{}&allOrNone=true",
        make_id("001", 1),
        make_id("001", 2)
    );
    let response = client()
        .delete(&delete)
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    let items: Vec<Value> = response.json().await.unwrap();
    assert_eq!(
        items[1],
        json!({"id": make_id("001", 2), "success": true, "errors": []})
    );
}

#[tokio::test]
async fn ui_api_lists_a_record_types_picklist_values_and_describe_its_default() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let t = token(&org).await;
    let url = format!(
        "{}/services/data/v67.0/ui-api/object-info/Case/picklist-values/{}",
        org.base_url(),
        make_id("012", 2)
    );
    let response = client().get(&url).bearer_auth(&t).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let priorities: Vec<&str> = body["picklistFieldValues"]["Priority"]["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["value"].as_str())
        .collect();
    assert_eq!(priorities, ["Medium", "Low"]);
    let unknown = format!("{url}/NoSuchField");
    let response = client().get(&unknown).bearer_auth(&t).send().await.unwrap();
    assert_eq!(response.status(), 404);
}
