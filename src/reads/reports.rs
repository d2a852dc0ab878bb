//! `run_report` and `get_dashboard`: the Analytics API, with reports and dashboards found by id
//! or exact name, filters checked against the report's columns, and rows, groupings and totals
//! shaped for a model.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::objects::closest_names;
use super::report_shape::{Aggregate, Grouping, ReportColumn, shape};
use super::{ReadError, Reads};
use crate::salesforce::error::SalesforceError;
use crate::salesforce::ids::RecordId;
use crate::salesforce::soql::quote_literal;

/// Most detail rows the Analytics API returns in one run.
pub const ANALYTICS_ROW_LIMIT: i64 = 2000;
const DEFAULT_ROWS: i64 = 200;

/// A filter added to the report's own.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportFilter {
    /// Report column name, e.g. "STAGE_NAME" (run the report once to see its columns).
    pub column: String,
    /// Comparison.
    #[schemars(extend("enum" = ["equals", "notEqual", "lessThan", "greaterThan", "lessOrEqual", "greaterOrEqual", "contains", "notContain", "startsWith", "includes", "excludes"]))]
    pub operator: String,
    /// Value; several as a comma list, e.g. "Prospecting,Qualification".
    pub value: String,
}

/// Arguments of `run_report`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunReportArgs {
    /// Report id (00O...) or exact name or developer name.
    pub report: String,
    /// Filters added to the report's own.
    pub filters: Option<Vec<ReportFilter>>,
    /// Return detail rows (default true); false: groupings and totals only.
    pub include_details: Option<bool>,
    /// Most rows to return, 1 to 2000 (default 200).
    #[schemars(range(min = 1, max = 2000))]
    pub max_rows: Option<i64>,
}

/// Which report ran.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReportRef {
    /// Report id.
    pub id: String,
    /// Name.
    pub name: String,
    /// TABULAR, SUMMARY, MATRIX or MULTI_BLOCK.
    pub format: String,
}

/// `run_report` result.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReportOut {
    /// The report.
    pub report: ReportRef,
    /// Columns (grouping columns first).
    pub columns: Vec<ReportColumn>,
    /// Detail rows keyed by column name (at most max_rows).
    pub rows: Vec<Map<String, Value>>,
    /// Groups with their aggregates (summary and matrix reports).
    pub groupings: Vec<Grouping>,
    /// Grand total aggregates.
    pub grand_total: Vec<Aggregate>,
    /// False when Salesforce cut the detail rows at 2,000: narrow the report with filters.
    pub all_data: bool,
}

/// Arguments of `get_dashboard`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardArgs {
    /// Dashboard id (01Z...) or exact title or developer name.
    pub dashboard: String,
}

/// One dashboard component with its data.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DashboardComponent {
    /// Title (or header).
    pub title: String,
    /// The source report's id.
    pub report_id: Option<String>,
    /// Chart type: Bar, Column, Donut, Metric, Table...
    pub visualization: Option<String>,
    /// DATA, NODATA or ERROR, with Salesforce's message on error.
    pub status: String,
    /// Groups with their aggregates.
    pub groupings: Vec<Grouping>,
    /// Total aggregates.
    pub grand_total: Vec<Aggregate>,
}

/// `get_dashboard` result.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DashboardOut {
    /// Dashboard id.
    pub id: String,
    /// Title.
    pub name: String,
    /// Components, in layout order.
    pub components: Vec<DashboardComponent>,
}

/// A report or dashboard found by name: (id, name, developer name, folder).
type Named = (String, String, String, String);

fn analytics_limit(e: ReadError, what: &str) -> ReadError {
    match e {
        ReadError::Salesforce(SalesforceError::LimitExceeded { message }) => {
            ReadError::TryLater(format!(
                "Salesforce refused to run the {what} now ({message}): the Analytics API allows 500 synchronous report runs per hour per org and 20 at once. Try again in a few minutes, or later in the hour if the hourly allowance is used up."
            ))
        }
        other => other,
    }
}

impl Reads {
    /// Finds a report or dashboard by id (with `prefix`) or by exact name or developer name.
    async fn find_named(
        &self,
        user_id: i64,
        given: &str,
        kind: (&str, &str, &str),
    ) -> Result<Named, ReadError> {
        let (object, name_field, prefix) = kind;
        if let Some(id) = RecordId::parse(given.trim())
            .ok()
            .filter(|id| id.key_prefix() == prefix)
        {
            return Ok((
                id.as_str().to_owned(),
                given.to_owned(),
                String::new(),
                String::new(),
            ));
        }
        let what = object.to_ascii_lowercase();
        let fields = format!("Id, {name_field}, DeveloperName, FolderName");
        let literal = quote_literal(given.trim());
        let soql = format!(
            "SELECT {fields} FROM {object} WHERE {name_field} = {literal} OR DeveloperName = {literal} ORDER BY FolderName"
        );
        let found = self.rows(user_id, &soql).await?;
        let named = |r: &Value| {
            (
                r["Id"].as_str().unwrap_or_default().to_owned(),
                r[name_field].as_str().unwrap_or_default().to_owned(),
                r["DeveloperName"].as_str().unwrap_or_default().to_owned(),
                r["FolderName"].as_str().unwrap_or_default().to_owned(),
            )
        };
        match found.as_slice() {
            [one] => Ok(named(one)),
            [] => {
                let all = self
                    .rows(
                        user_id,
                        &format!("SELECT {fields} FROM {object} ORDER BY {name_field} LIMIT 2000"),
                    )
                    .await?;
                let names: Vec<String> = all.iter().map(|r| named(r).1).collect();
                let close = closest_names(given, names.iter().map(String::as_str));
                let hint = if close.is_empty() {
                    String::new()
                } else {
                    format!(" Did you mean: {}?", close.join(", "))
                };
                Err(ReadError::BadInput(format!(
                    "No {what} is named '{given}'.{hint} Pass the {what} id ({prefix}...), its exact name, or its developer name."
                )))
            }
            many => {
                let list: Vec<String> = many
                    .iter()
                    .map(|r| {
                        let (id, name, dev, folder) = named(r);
                        format!("{name} (folder {folder}, developer name {dev}, id {id})")
                    })
                    .collect();
                Err(ReadError::BadInput(format!(
                    "{} {what}s are named '{given}': {}. Pass the id or the developer name of the one you mean.",
                    many.len(),
                    list.join("; ")
                )))
            }
        }
    }

    /// All rows of a small query (one batch).
    pub(super) async fn rows(&self, user_id: i64, soql: &str) -> Result<Vec<Value>, ReadError> {
        let api = &self.api;
        let (reply, _) = self
            .call(user_id, |s| async move { api.query(&s, soql).await })
            .await?;
        Ok(reply
            .body
            .and_then(|mut b| b.get_mut("records").map(Value::take))
            .and_then(|r| match r {
                Value::Array(a) => Some(a),
                _ => None,
            })
            .unwrap_or_default())
    }

    /// `run_report`.
    pub async fn run_report(
        &self,
        user_id: i64,
        args: RunReportArgs,
    ) -> Result<ReportOut, ReadError> {
        let max_rows = args.max_rows.unwrap_or(DEFAULT_ROWS);
        if !(1..=ANALYTICS_ROW_LIMIT).contains(&max_rows) {
            return Err(ReadError::BadInput(format!(
                "max_rows must be between 1 and {ANALYTICS_ROW_LIMIT} (got {max_rows}): the Analytics API returns at most 2,000 detail rows; narrow the report with filters"
            )));
        }
        let (id, ..) = self
            .find_named(user_id, &args.report, ("Report", "Name", "00O"))
            .await?;
        let api = &self.api;
        let metadata = match args.filters.as_deref() {
            Some(filters) if !filters.is_empty() => {
                Some(self.filtered_metadata(user_id, &id, filters).await?)
            }
            _ => None,
        };
        let details = args.include_details.unwrap_or(true);
        let (reply, _) = self
            .call(user_id, |s| {
                let (id, metadata) = (id.clone(), metadata.clone());
                async move { api.run_report(&s, &id, details, metadata.as_ref()).await }
            })
            .await
            .map_err(|e| self.not_found(e, "report", &id))
            .map_err(|e| analytics_limit(e, "report"))?;
        let result = reply.body.unwrap_or(Value::Null);
        let meta = &result["reportMetadata"];
        let mut shaped = shape(&result);
        shaped.rows.truncate(max_rows as usize);
        Ok(ReportOut {
            report: ReportRef {
                id: meta["id"].as_str().unwrap_or(&id).to_owned(),
                name: meta["name"].as_str().unwrap_or_default().to_owned(),
                format: meta["reportFormat"].as_str().unwrap_or_default().to_owned(),
            },
            columns: shaped.columns,
            rows: shaped.rows,
            groupings: shaped.groupings,
            grand_total: shaped.grand_total,
            all_data: result["allData"].as_bool().unwrap_or(true),
        })
    }

    /// The report's metadata with `filters` added to its own; a column the report does not
    /// have is an error that lists its columns.
    async fn filtered_metadata(
        &self,
        user_id: i64,
        id: &str,
        filters: &[ReportFilter],
    ) -> Result<Value, ReadError> {
        let api = &self.api;
        let (reply, _) = self
            .call(
                user_id,
                |s| async move { api.describe_report(&s, id).await },
            )
            .await
            .map_err(|e| self.not_found(e, "report", id))?;
        let describe = reply.body.unwrap_or(Value::Null);
        let mut columns: Vec<(String, String)> = Vec::new();
        for category in describe["reportTypeMetadata"]["categories"]
            .as_array()
            .into_iter()
            .flatten()
        {
            for (name, c) in category["columns"].as_object().into_iter().flatten() {
                columns.push((
                    name.clone(),
                    c["label"].as_str().unwrap_or_default().to_owned(),
                ));
            }
        }
        for f in filters {
            if !columns.iter().any(|(name, _)| name == &f.column) {
                let list: Vec<String> = columns.iter().map(|(n, l)| format!("{n} ({l})")).collect();
                let close = closest_names(&f.column, columns.iter().map(|(n, _)| n.as_str()));
                let hint = if close.is_empty() {
                    String::new()
                } else {
                    format!(" Did you mean: {}?", close.join(", "))
                };
                return Err(ReadError::BadInput(format!(
                    "The report has no column '{}'.{hint} Its columns: {}.",
                    f.column,
                    list.join(", ")
                )));
            }
        }
        let mut metadata = describe["reportMetadata"].clone();
        let mut all = metadata["reportFilters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        all.extend(
            filters
                .iter()
                .map(|f| json!({"column": f.column, "operator": f.operator, "value": f.value})),
        );
        metadata["reportFilters"] = Value::Array(all);
        Ok(metadata)
    }

    fn not_found(&self, e: ReadError, what: &str, id: &str) -> ReadError {
        match e {
            ReadError::Salesforce(SalesforceError::NotFound { .. }) => {
                ReadError::BadInput(format!(
                    "No {what} with id {id} exists or you cannot see it. Pass the {what}'s exact name instead."
                ))
            }
            other => other,
        }
    }

    /// `get_dashboard`.
    pub async fn get_dashboard(
        &self,
        user_id: i64,
        args: DashboardArgs,
    ) -> Result<DashboardOut, ReadError> {
        let (id, ..) = self
            .find_named(user_id, &args.dashboard, ("Dashboard", "Title", "01Z"))
            .await?;
        let api = &self.api;
        let (reply, _) = self
            .call(user_id, |s| {
                let id = id.clone();
                async move { api.get_dashboard(&s, &id).await }
            })
            .await
            .map_err(|e| self.not_found(e, "dashboard", &id))
            .map_err(|e| analytics_limit(e, "dashboard"))?;
        let body = reply.body.unwrap_or(Value::Null);
        let meta = &body["dashboardMetadata"];
        let data = body["componentData"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let components = meta["components"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let found = data
                    .iter()
                    .find(|d| d["componentId"] == c["id"])
                    .cloned()
                    .unwrap_or(Value::Null);
                let shaped = shape(&found["reportResult"]);
                let status = &found["status"];
                let state = status["dataStatus"].as_str().unwrap_or("NODATA");
                DashboardComponent {
                    title: c["title"]
                        .as_str()
                        .filter(|t| !t.is_empty())
                        .or(c["header"].as_str())
                        .unwrap_or_default()
                        .to_owned(),
                    report_id: c["reportId"].as_str().map(str::to_owned),
                    visualization: c["properties"]["visualizationType"]
                        .as_str()
                        .map(str::to_owned),
                    status: match status["errorMessage"].as_str() {
                        Some(m) if state == "ERROR" => format!("ERROR: {m}"),
                        _ => state.to_owned(),
                    },
                    groupings: shaped.groupings,
                    grand_total: shaped.grand_total,
                }
            })
            .collect();
        Ok(DashboardOut {
            id: meta["id"].as_str().unwrap_or(&id).to_owned(),
            name: meta["name"].as_str().unwrap_or_default().to_owned(),
            components,
        })
    }
}
