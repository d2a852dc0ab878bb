//! Benchmark: preparing and executing a 200-record update against the in-process simulated org.
//! Reports the Salesforce requests made per phase (target: 1 describe, 1 SOQL read, 1 SOQL
//! re-check, 1 write) and the wall time of each phase, the in-process simulated org's own work
//! included. Run with `cargo bench --bench batch`.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a benchmark that cannot set up should stop loudly"
)]

use std::time::{Duration, Instant};

use salesforce_mcp::app::App;
use salesforce_mcp::changes::{PrepareArgs, RecordItem, Via};
use salesforce_mcp::config::Settings;
use salesforce_mcp::simulated_org::{LoggedRequest, SimOrgConfig, SimulatedOrg};
use serde_json::json;

const ROUNDS: usize = 20;

fn kind(r: &LoggedRequest) -> &'static str {
    if r.path.contains("/describe") {
        "describe"
    } else if r.path.contains("/query") {
        "query"
    } else if r.method != "GET" {
        "write"
    } else {
        "other"
    }
}

fn counts(org: &SimulatedOrg) -> String {
    let log = org.requests();
    let n = |k: &str| log.iter().filter(|r| kind(r) == k).count();
    format!(
        "{} requests: {} describe, {} query, {} write, {} other",
        log.len(),
        n("describe"),
        n("query"),
        n("write"),
        n("other")
    )
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_db(dir.path().join("bench.db"));
    settings.allow_insecure_loopback = true;
    let app = App::build(settings).unwrap();
    let user = app.local_user(Some("bench@example.com")).unwrap().id;
    salesforce_mcp::demo::configure_org_app(&app, &org).unwrap();
    salesforce_mcp::demo::connect_through_oauth(&app, user)
        .await
        .unwrap();
    let create = PrepareArgs {
        operation: "create".into(),
        object: "Account".into(),
        records: Some(
            (0..200)
                .map(|n| RecordItem {
                    fields: json!({"Name": format!("Bench {n:03}")})
                        .as_object()
                        .cloned(),
                    ..Default::default()
                })
                .collect(),
        ),
        ..Default::default()
    };
    let made = app.changes.prepare(user, create).await.unwrap();
    let made = app
        .changes
        .approve(user, &made.change_id, Via::CommandLine)
        .await
        .unwrap();
    let ids: Vec<String> = made.result.unwrap()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    let (mut prepare, mut execute) = (Vec::new(), Vec::new());
    let (mut prepare_log, mut execute_log) = (String::new(), String::new());
    for round in 0..ROUNDS {
        let args = PrepareArgs {
            operation: "update".into(),
            object: "Account".into(),
            records: Some(
                ids.iter()
                    .map(|id| RecordItem {
                        record_id: Some(id.clone()),
                        fields: json!({"NumberOfEmployees": round}).as_object().cloned(),
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        };
        org.clear_requests();
        let started = Instant::now();
        let view = app.changes.prepare(user, args).await.unwrap();
        prepare.push(started.elapsed());
        prepare_log = counts(&org);
        org.clear_requests();
        let started = Instant::now();
        let done = app
            .changes
            .approve(user, &view.change_id, Via::CommandLine)
            .await
            .unwrap();
        execute.push(started.elapsed());
        assert_eq!(done.status, "succeeded");
        execute_log = counts(&org);
    }
    println!("200-record update, {ROUNDS} rounds, median:");
    println!(
        "  prepare: {:?} ({prepare_log}; the describe is cached after the first change)",
        median(prepare)
    );
    println!("  approve + execute: {:?} ({execute_log})", median(execute));
}
