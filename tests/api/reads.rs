//! Reports, dashboards, related records, list views and recently viewed records.

use std::collections::HashSet;

use salesforce_mcp::reads::{
    DashboardArgs, DescribeArgs, GetRecordArgs, ListViewArgs, RecentArgs, RelatedArgs,
    ReportFilter, RunReportArgs,
};
use salesforce_mcp::simulated_org::data::make_id;

use crate::helpers::{Options, TestApp, ids, spawn_app, spawn_app_with};

fn report(report: &str) -> RunReportArgs {
    RunReportArgs {
        report: report.into(),
        ..Default::default()
    }
}

fn filter(column: &str, operator: &str, value: &str) -> ReportFilter {
    ReportFilter {
        column: column.into(),
        operator: operator.into(),
        value: value.into(),
    }
}

#[tokio::test]
async fn a_summary_report_returns_rows_groupings_and_grand_total_by_developer_name() {
    let t = spawn_app().await;
    let out = t
        .app
        .reads
        .run_report(t.user_id, report("Opportunity_Pipeline"))
        .await
        .unwrap();
    assert_eq!(out.report.format, "SUMMARY");
    assert_eq!(out.report.name, "Opportunity Pipeline");
    assert!(out.all_data);
    let open = t
        .query(Some("SELECT Id FROM Opportunity WHERE StageName != 'Closed Won' AND StageName != 'Closed Lost'"), 200, None)
        .await
        .unwrap()
        .total_size;
    assert_eq!(out.rows.len() as u64, open);
    let count = |aggs: &[salesforce_mcp::reads::Aggregate]| {
        aggs.iter()
            .find(|a| a.name == "RowCount")
            .unwrap()
            .value
            .as_u64()
            .unwrap()
    };
    assert_eq!(count(&out.grand_total), open);
    let grouped: u64 = out.groupings.iter().map(|g| count(&g.aggregates)).sum();
    assert_eq!(grouped, open);
    assert!(out.groupings.iter().all(|g| g.column == "STAGE_NAME"));
    let first = &out.rows[0];
    assert!(
        first["OPPORTUNITY_NAME"].as_str().unwrap().contains("Deal"),
        "names, not ids: {first:?}"
    );
    assert!(
        first["STAGE_NAME"].is_string(),
        "each row carries its group: {first:?}"
    );
    assert_eq!(out.columns[0].name, "STAGE_NAME");
}

#[tokio::test]
async fn a_report_cut_at_2000_rows_says_all_data_false_and_a_filter_narrows_it() {
    let t = spawn_app().await;
    let out = t
        .app
        .reads
        .run_report(t.user_id, report("Activity Log"))
        .await
        .unwrap();
    assert!(!out.all_data);
    assert_eq!(out.rows.len(), 200, "max_rows defaults to 200");
    assert_eq!(out.grand_total[0].value, serde_json::json!(2400));
    let all = RunReportArgs {
        max_rows: Some(2000),
        ..report("Activity Log")
    };
    assert_eq!(
        t.app
            .reads
            .run_report(t.user_id, all)
            .await
            .unwrap()
            .rows
            .len(),
        2000
    );
    let narrowed = RunReportArgs {
        filters: Some(vec![filter("SUBJECT", "startsWith", "Demo")]),
        max_rows: Some(2000),
        ..report("Activity Log")
    };
    let out = t.app.reads.run_report(t.user_id, narrowed).await.unwrap();
    assert!(out.all_data);
    assert_eq!(out.rows.len(), 480);
    assert!(
        out.rows
            .iter()
            .all(|r| r["SUBJECT"].as_str().unwrap().starts_with("Demo"))
    );
    let too_many = RunReportArgs {
        max_rows: Some(2001),
        ..report("Activity Log")
    };
    let err = t
        .app
        .reads
        .run_report(t.user_id, too_many)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("between 1 and 2000"), "{err}");
}

#[tokio::test]
async fn report_filters_are_added_to_the_reports_own_and_a_wrong_column_lists_the_columns() {
    let t = spawn_app().await;
    let args = RunReportArgs {
        filters: Some(vec![filter("STAGE_NAME", "equals", "Prospecting")]),
        ..report("Opportunity_Pipeline")
    };
    let out = t.app.reads.run_report(t.user_id, args).await.unwrap();
    assert!(
        out.rows.iter().all(|r| r["STAGE_NAME"] == "Prospecting"),
        "{:?}",
        out.rows
    );
    assert_eq!(out.groupings.len(), 1);
    let run = t.requests_where(|r| r.method == "POST" && r.path.contains("/analytics/reports/"));
    let sent = run[0].body.clone().unwrap_or_default();
    let filters = sent["reportMetadata"]["reportFilters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(filters.len(), 2, "the report's own filter and ours: {sent}");
    let bad = RunReportArgs {
        filters: Some(vec![filter("STAGE", "equals", "x")]),
        ..report("Opportunity_Pipeline")
    };
    let err = t
        .app
        .reads
        .run_report(t.user_id, bad)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no column 'STAGE'")
            && err.contains("STAGE_NAME (Stage)")
            && err.contains("AMOUNT"),
        "{err}"
    );
}

#[tokio::test]
async fn a_report_name_is_exact_an_ambiguous_one_lists_folders_and_an_unknown_one_close_names() {
    let t = spawn_app().await;
    let err = t
        .app
        .reads
        .run_report(t.user_id, report("Opportunity Pipeline"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("2 reports are named")
            && err.contains("Sales Reports")
            && err.contains("Private Reports"),
        "{err}"
    );
    let err = t
        .app
        .reads
        .run_report(t.user_id, report("Activty Log"))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("Did you mean: Activity Log"), "{err}");
    let err = t
        .app
        .reads
        .run_report(t.user_id, report(&make_id("00O", 99)))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("No report with id"), "{err}");
}

#[tokio::test]
async fn an_analytics_limit_says_when_to_retry() {
    let t = spawn_app().await;
    t.org.fail_next(1, 403);
    let err = t
        .app
        .reads
        .run_report(t.user_id, report(&make_id("00O", 2)))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("500 synchronous report runs per hour")
            && err.contains("Try again in a few minutes"),
        "{err}"
    );
}

#[tokio::test]
async fn a_dashboard_by_title_has_each_components_data() {
    let t = spawn_app().await;
    let args = DashboardArgs {
        dashboard: "Sales Dashboard".into(),
    };
    let d = t.app.reads.get_dashboard(t.user_id, args).await.unwrap();
    assert_eq!(d.components.len(), 2);
    assert_eq!(d.components[0].title, "Open pipeline by stage");
    assert!(!d.components[0].groupings.is_empty());
    assert_eq!(
        d.components[1].grand_total[0].value,
        serde_json::json!(2400)
    );
    assert_eq!(d.components[1].status, "DATA");
    let err = t
        .app
        .reads
        .get_dashboard(
            t.user_id,
            DashboardArgs {
                dashboard: "Sales Dashbord".into(),
            },
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("Did you mean: Sales Dashboard"),
        "{err}"
    );
}

fn related(id: &str, relationship: &str, max_rows: i64, cursor: Option<String>) -> RelatedArgs {
    RelatedArgs {
        object: "Account".into(),
        id: id.into(),
        relationship: relationship.into(),
        max_rows: Some(max_rows),
        cursor,
        fields: None,
    }
}

#[tokio::test]
async fn related_records_page_through_the_query_cursor_without_loss_or_repeat() {
    let t = spawn_app_with(Options {
        batch_size: 2,
        ..Options::default()
    })
    .await;
    let account = make_id("001", 1);
    let expected = t
        .query(
            Some(&format!(
                "SELECT Id FROM Contact WHERE AccountId = '{account}' ORDER BY Id"
            )),
            200,
            None,
        )
        .await
        .unwrap();
    assert!(expected.total_size >= 3);
    let mut got = Vec::new();
    let mut cursor = None;
    loop {
        let out = t
            .app
            .reads
            .get_related_records(t.user_id, related(&account, "contacts", 1, cursor))
            .await
            .unwrap();
        assert_eq!(out.object, "Contact");
        assert!(
            out.page.records[0]["Name"].is_string(),
            "the name field by default"
        );
        got.extend(ids(&out.page));
        cursor = out.page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(got, ids(&expected));
    let page = t
        .app
        .reads
        .get_related_records(t.user_id, related(&account, "Contacts", 1, None))
        .await
        .unwrap();
    let other = related(&account, "Opportunities", 1, page.page.next_cursor);
    let err = t
        .app
        .reads
        .get_related_records(t.user_id, other)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("differs from the query this cursor belongs to"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unknown_relationship_lists_the_objects_relationships() {
    let t = spawn_app().await;
    let err = t
        .app
        .reads
        .get_related_records(t.user_id, related(&make_id("001", 1), "Contact", 10, None))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Did you mean: Contacts")
            && err.contains("Opportunities (Opportunity)")
            && err.contains("Cases (Case)"),
        "{err}"
    );
    let parent = RelatedArgs {
        object: "Contact".into(),
        ..related(&make_id("003", 1), "Account", 10, None)
    };
    let err = t
        .app
        .reads
        .get_related_records(t.user_id, parent)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("'Account' is a lookup to a parent: read AccountId with get_record"),
        "{err}"
    );
}

fn view(object: &str, list_view: &str, max_rows: i64, cursor: Option<String>) -> ListViewArgs {
    ListViewArgs {
        object: object.into(),
        list_view: list_view.into(),
        max_rows: Some(max_rows),
        cursor,
    }
}

#[tokio::test]
async fn a_list_view_runs_its_own_query_and_pages_like_query_records() {
    let t = spawn_app_with(Options {
        batch_size: 5,
        ..Options::default()
    })
    .await;
    let out = t
        .app
        .reads
        .run_list_view(t.user_id, view("account", "Key accounts", 200, None))
        .await
        .unwrap();
    let hot = t
        .query(
            Some("SELECT Id FROM Account WHERE Rating = 'Hot'"),
            200,
            None,
        )
        .await
        .unwrap();
    assert_eq!(out.page.total_size, hot.total_size);
    assert_eq!(
        out.columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["Name", "BillingCity", "Industry", "Rating", "Owner.Alias"]
    );
    let mut got = Vec::new();
    let mut cursor = None;
    loop {
        let page = t
            .app
            .reads
            .run_list_view(t.user_id, view("Contact", "AllContacts", 7, cursor))
            .await
            .unwrap()
            .page;
        got.extend(ids(&page));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(got.len(), 120);
    assert_eq!(
        got.iter().collect::<HashSet<_>>().len(),
        120,
        "no row repeated"
    );
    let err = t
        .app
        .reads
        .run_list_view(t.user_id, view("Account", "Key Acounts", 10, None))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Did you mean: Key accounts") && err.contains("All Accounts (AllAccounts)"),
        "{err}"
    );
    let d = t
        .app
        .reads
        .describe_object(
            t.user_id,
            DescribeArgs {
                object: "Account".into(),
                include: Some(vec!["list_views".into()]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let labels: Vec<&str> = d
        .list_views
        .as_ref()
        .unwrap()
        .iter()
        .filter_map(|v| v["label"].as_str())
        .collect();
    assert_eq!(labels, ["All Accounts", "Key accounts"]);
}

async fn recent(t: &TestApp, object: Option<&str>) -> Vec<(String, String)> {
    let args = RecentArgs {
        object: object.map(str::to_owned),
        limit: None,
    };
    let out = t.app.reads.list_recent(t.user_id, args).await.unwrap();
    out.records.into_iter().map(|r| (r.object, r.id)).collect()
}

#[tokio::test]
async fn recently_viewed_records_come_from_ui_views_never_from_our_reads() {
    let t = spawn_app().await;
    let before = recent(&t, None).await;
    assert_eq!(before[0], ("Account".to_owned(), make_id("001", 1)));
    let lead = make_id("00Q", 1);
    t.app
        .reads
        .get_record(
            t.user_id,
            GetRecordArgs {
                object: "Lead".into(),
                id: lead.clone(),
                fields: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(recent(&t, None).await, before, "an API read is not a view");
    assert!(t.org.view_in_ui("Lead", &lead));
    assert_eq!(recent(&t, None).await[0], ("Lead".to_owned(), lead.clone()));
    let accounts = recent(&t, Some("account")).await;
    assert_eq!(
        accounts,
        [
            ("Account".to_owned(), make_id("001", 1)),
            ("Account".to_owned(), make_id("001", 3))
        ]
    );
    let out = t
        .app
        .reads
        .list_recent(
            t.user_id,
            RecentArgs {
                object: None,
                limit: Some(1),
            },
        )
        .await
        .unwrap();
    assert_eq!(out.records[0].url, format!("{}/{lead}", t.org.base_url()));
    assert!(out.records[0].name.is_some());
    let err = t
        .app
        .reads
        .list_recent(
            t.user_id,
            RecentArgs {
                object: None,
                limit: Some(201),
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("between 1 and 200"), "{err}");
}
