//! The sample org's reports and dashboards: definitions, and the rows each report reads (from
//! the records, or generated for the report of more than 2,000 rows). Running them is in
//! `report_run.rs`.

use serde_json::{Map, Value, json};

use super::ids::make_id;
use super::store::Store;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Rows only (`T!T`).
    Tabular,
    /// Rows grouped down one column.
    Summary,
}

/// Where a column's cell comes from in a source row.
#[derive(Debug, Clone, Copy)]
pub enum Field {
    /// One value; the label is the value formatted.
    Plain(&'static str),
    /// A name column: the record id as value, the name as label (as Salesforce sends them).
    Named {
        /// Key of the id.
        id: &'static str,
        /// Key of the name.
        name: &'static str,
    },
}

/// One report column.
#[derive(Debug, Clone, Copy)]
pub struct Col {
    /// Report-type column name, e.g. `OPPORTUNITY_NAME`.
    pub name: &'static str,
    /// Label.
    pub label: &'static str,
    /// Data type: string, currency, date, int, picklist.
    pub data_type: &'static str,
    /// Where the cell comes from.
    pub field: Field,
}

/// Which rows a report reads.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// Opportunities with their account's name.
    Opportunities,
    /// Accounts.
    Accounts,
    /// Generated activity rows, this many.
    Activities(usize),
}

/// A report definition.
#[derive(Debug, Clone, Copy)]
pub struct ReportDef {
    /// Name (not unique: two reports may share one in different folders).
    pub name: &'static str,
    /// Unique developer name.
    pub developer_name: &'static str,
    /// Folder name.
    pub folder: &'static str,
    /// Description.
    pub description: &'static str,
    /// Format.
    pub format: Format,
    /// Report type (`type`, `label`).
    pub report_type: (&'static str, &'static str),
    /// Detail columns.
    pub columns: &'static [Col],
    /// Grouping column of a summary report.
    pub grouping: Option<&'static str>,
    /// Aggregates (`RowCount`, `s!COL`).
    pub aggregates: &'static [&'static str],
    /// The report's own filters: (column, operator, value).
    pub filters: &'static [(&'static str, &'static str, &'static str)],
    /// Rows read.
    pub source: Source,
}

impl ReportDef {
    /// The `Format` picklist value of the Report sObject.
    pub fn format_label(&self) -> &'static str {
        match self.format {
            Format::Tabular => "Tabular",
            Format::Summary => "Summary",
        }
    }

    /// `reportFormat` of the Analytics API.
    pub fn format_code(&self) -> &'static str {
        match self.format {
            Format::Tabular => "TABULAR",
            Format::Summary => "SUMMARY",
        }
    }

    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&Col> {
        self.columns.iter().find(|c| c.name == name)
    }
}

const OPP_NAME: Col = Col {
    name: "OPPORTUNITY_NAME",
    label: "Opportunity Name",
    data_type: "string",
    field: Field::Named {
        id: "Id",
        name: "Name",
    },
};
const ACCOUNT_NAME: Col = Col {
    name: "ACCOUNT_NAME",
    label: "Account Name",
    data_type: "string",
    field: Field::Named {
        id: "AccountId",
        name: "AccountName",
    },
};
const AMOUNT: Col = Col {
    name: "AMOUNT",
    label: "Amount",
    data_type: "currency",
    field: Field::Plain("Amount"),
};
const STAGE: Col = Col {
    name: "STAGE_NAME",
    label: "Stage",
    data_type: "picklist",
    field: Field::Plain("StageName"),
};
const CLOSE_DATE: Col = Col {
    name: "CLOSE_DATE",
    label: "Close Date",
    data_type: "date",
    field: Field::Plain("CloseDate"),
};

/// The sample reports; the n-th (from 0) has id `make_id("00O", n + 1)`.
pub const REPORTS: &[ReportDef] = &[
    ReportDef {
        name: "Opportunity Pipeline",
        developer_name: "Opportunity_Pipeline",
        folder: "Sales Reports",
        description: "Open opportunities by stage",
        format: Format::Summary,
        report_type: ("Opportunity", "Opportunities"),
        columns: &[OPP_NAME, ACCOUNT_NAME, AMOUNT, CLOSE_DATE, STAGE],
        grouping: Some("STAGE_NAME"),
        aggregates: &["s!AMOUNT", "RowCount"],
        filters: &[("STAGE_NAME", "notEqual", "Closed Won,Closed Lost")],
        source: Source::Opportunities,
    },
    ReportDef {
        name: "All Accounts",
        developer_name: "All_Accounts",
        folder: "Sales Reports",
        description: "Every account with industry and revenue",
        format: Format::Tabular,
        report_type: ("AccountList", "Accounts"),
        columns: &[
            Col {
                name: "ACCOUNT.NAME",
                label: "Account Name",
                data_type: "string",
                field: Field::Named {
                    id: "Id",
                    name: "Name",
                },
            },
            Col {
                name: "INDUSTRY",
                label: "Industry",
                data_type: "picklist",
                field: Field::Plain("Industry"),
            },
            Col {
                name: "RATING",
                label: "Account Rating",
                data_type: "picklist",
                field: Field::Plain("Rating"),
            },
            Col {
                name: "SALES",
                label: "Annual Revenue",
                data_type: "currency",
                field: Field::Plain("AnnualRevenue"),
            },
            Col {
                name: "ADDRESS1_CITY",
                label: "Billing City",
                data_type: "string",
                field: Field::Plain("BillingCity"),
            },
        ],
        grouping: None,
        aggregates: &["s!SALES", "RowCount"],
        filters: &[],
        source: Source::Accounts,
    },
    ReportDef {
        name: "Activity Log",
        developer_name: "Activity_Log",
        folder: "Service Reports",
        description: "Every logged activity (more rows than the Analytics API returns)",
        format: Format::Tabular,
        report_type: ("Activity", "Tasks and Events"),
        columns: &[
            Col {
                name: "SUBJECT",
                label: "Subject",
                data_type: "string",
                field: Field::Plain("Subject"),
            },
            Col {
                name: "DUE_DATE",
                label: "Date",
                data_type: "date",
                field: Field::Plain("ActivityDate"),
            },
            ACCOUNT_NAME,
            Col {
                name: "DURATION",
                label: "Duration (minutes)",
                data_type: "int",
                field: Field::Plain("Duration"),
            },
        ],
        grouping: None,
        aggregates: &["RowCount", "s!DURATION"],
        filters: &[],
        source: Source::Activities(2_400),
    },
    ReportDef {
        name: "Opportunity Pipeline",
        developer_name: "Opportunity_Pipeline_Mine",
        folder: "Private Reports",
        description: "My copy of the pipeline, as a list",
        format: Format::Tabular,
        report_type: ("Opportunity", "Opportunities"),
        columns: &[OPP_NAME, AMOUNT, STAGE],
        grouping: None,
        aggregates: &["RowCount"],
        filters: &[],
        source: Source::Opportunities,
    },
];

/// A dashboard component: a title and the report it shows.
#[derive(Debug, Clone, Copy)]
pub struct ComponentDef {
    /// Header.
    pub header: &'static str,
    /// Title.
    pub title: &'static str,
    /// Index into [`REPORTS`].
    pub report: usize,
    /// Visualization type.
    pub visualization: &'static str,
}

/// A dashboard definition.
#[derive(Debug, Clone, Copy)]
pub struct DashboardDef {
    /// Title (the Dashboard sObject has `Title`, not `Name`).
    pub title: &'static str,
    /// Unique developer name.
    pub developer_name: &'static str,
    /// Folder name.
    pub folder: &'static str,
    /// Description.
    pub description: &'static str,
    /// Components.
    pub components: &'static [ComponentDef],
}

/// The sample dashboards; the n-th (from 0) has id `make_id("01Z", n + 1)`.
pub const DASHBOARDS: &[DashboardDef] = &[DashboardDef {
    title: "Sales Dashboard",
    developer_name: "Sales_Dashboard",
    folder: "Sales Dashboards",
    description: "Pipeline and activity at a glance",
    components: &[
        ComponentDef {
            header: "Pipeline",
            title: "Open pipeline by stage",
            report: 0,
            visualization: "Column",
        },
        ComponentDef {
            header: "Activity",
            title: "Activities logged",
            report: 2,
            visualization: "Metric",
        },
    ],
}];

/// The index of a report by id (15 or 18 characters).
pub fn report_index(id: &str) -> Option<usize> {
    let id = super::ids::normalize(id)?;
    (0..REPORTS.len()).find(|i| make_id("00O", *i as u64 + 1) == id)
}

/// The index of a dashboard by id.
pub fn dashboard_index(id: &str) -> Option<usize> {
    let id = super::ids::normalize(id)?;
    (0..DASHBOARDS.len()).find(|i| make_id("01Z", *i as u64 + 1) == id)
}

/// The rows a report reads, each a map of source keys.
pub fn source_rows(store: &Store, source: Source) -> Vec<Map<String, Value>> {
    let account_name = |id: &Value| {
        id.as_str()
            .and_then(|id| store.row("Account", id))
            .map_or(Value::Null, |r| r.get("Name").clone())
    };
    let live = |object: &str| -> Vec<Map<String, Value>> {
        store
            .table(object)
            .map(|t| t.live().map(|r| r.values.clone()).collect())
            .unwrap_or_default()
    };
    match source {
        Source::Accounts => live("Account"),
        Source::Opportunities => live("Opportunity")
            .into_iter()
            .map(|mut r| {
                let name = account_name(r.get("AccountId").unwrap_or(&Value::Null));
                r.insert("AccountName".into(), name);
                r
            })
            .collect(),
        Source::Activities(n) => (0..n)
            .map(|i| {
                let account = make_id("001", (i % 40) as u64 + 1);
                let subjects = ["Call", "Email", "Meeting", "Demo", "Follow-up"];
                let row = json!({
                    "Id": make_id("00T", i as u64 + 1),
                    "Subject": format!("{} #{}", subjects[i % subjects.len()], i + 1),
                    "ActivityDate": format!("2026-{:02}-{:02}", i % 12 + 1, i % 28 + 1),
                    "AccountName": account_name(&Value::from(account.as_str())),
                    "AccountId": account, "Duration": 15 + (i % 8) * 15,
                });
                match row {
                    Value::Object(m) => m,
                    _ => Map::new(),
                }
            })
            .collect(),
    }
}
