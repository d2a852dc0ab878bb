//! Reading an Analytics API report result: columns, detail rows as objects keyed by column,
//! groupings with their aggregates, and the grand total.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

/// One report column.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReportColumn {
    /// Report column name (as filters name it), e.g. "AMOUNT" or "ACCOUNT.NAME".
    pub name: String,
    /// Label.
    pub label: String,
    /// Data type: string, currency, date, picklist, int, double, ...
    #[serde(rename = "type")]
    pub column_type: String,
}

/// One aggregate (a sum, an average, the record count...).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Aggregate {
    /// Aggregate name, e.g. "s!AMOUNT" or "RowCount".
    pub name: String,
    /// Label, e.g. "Sum of Amount".
    pub label: String,
    /// The number.
    pub value: Value,
    /// As Salesforce shows it, e.g. "$1,250,000.00".
    pub formatted: String,
}

/// One group of a summary or matrix report, with its aggregates and inner groups.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Grouping {
    /// The grouping column.
    pub column: String,
    /// The group's value as shown, e.g. "Prospecting".
    pub label: String,
    /// The group's aggregates.
    pub aggregates: Vec<Aggregate>,
    /// Groups inside this one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groupings: Vec<Grouping>,
}

/// The parts of a report result.
#[derive(Debug, Clone, Default)]
pub struct Shaped {
    /// Grouping columns, then detail columns.
    pub columns: Vec<ReportColumn>,
    /// Detail rows, in report order.
    pub rows: Vec<Map<String, Value>>,
    /// Groups down (summary and matrix), then groups across (matrix).
    pub groupings: Vec<Grouping>,
    /// The grand total aggregates.
    pub grand_total: Vec<Aggregate>,
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// A cell as a model reads it: numbers as numbers, currency as its amount, a record id as the
/// name Salesforce shows for it, other text as the value.
fn cell_value(cell: &Value) -> Value {
    let value = &cell["value"];
    let label = &cell["label"];
    match value {
        Value::Object(m) if m.contains_key("amount") => m["amount"].clone(),
        Value::String(s) if label.is_string() && label.as_str() != Some(s) && looks_like_id(s) => {
            label.clone()
        }
        other => other.clone(),
    }
}

fn looks_like_id(s: &str) -> bool {
    matches!(s.len(), 15 | 18)
        && s.bytes().all(|b| b.is_ascii_alphanumeric())
        && s.bytes().any(|b| b.is_ascii_digit())
}

fn aggregates(result: &Value, key: &str) -> Vec<Aggregate> {
    let names = result["reportMetadata"]["aggregates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let info = &result["reportExtendedMetadata"]["aggregateColumnInfo"];
    result["factMap"][key]["aggregates"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, a)| {
            let name = names.get(i).map(text).unwrap_or_default();
            Aggregate {
                label: info[&name]["label"].as_str().unwrap_or(&name).to_owned(),
                name,
                value: a["value"].clone(),
                formatted: text(&a["label"]),
            }
        })
        .collect()
}

fn groups(
    result: &Value,
    list: &Value,
    columns: &[String],
    level: usize,
    across: bool,
) -> Vec<Grouping> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|g| {
            let key = text(&g["key"]);
            let fact = if across {
                format!("T!{key}")
            } else {
                format!("{key}!T")
            };
            Grouping {
                column: columns.get(level).cloned().unwrap_or_default(),
                label: g["label"]
                    .as_str()
                    .map_or_else(|| g["value"].to_string(), str::to_owned),
                aggregates: aggregates(result, &fact),
                groupings: groups(result, &g["groupings"], columns, level + 1, across),
            }
        })
        .collect()
}

fn grouping_names(meta: &Value, key: &str) -> Vec<String> {
    meta[key]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| text(&g["name"]))
        .collect()
}

/// Leaf keys of the down groupings, depth first (where a summary report's rows are).
fn leaf_keys(list: &Value, out: &mut Vec<String>) {
    for g in list.as_array().into_iter().flatten() {
        let inner = &g["groupings"];
        if inner.as_array().is_some_and(|a| !a.is_empty()) {
            leaf_keys(inner, out);
        } else {
            out.push(text(&g["key"]));
        }
    }
}

/// Reads a report result (an Execute Sync answer or a dashboard component's `reportResult`).
pub fn shape(result: &Value) -> Shaped {
    let meta = &result["reportMetadata"];
    let extended = &result["reportExtendedMetadata"];
    let down = grouping_names(meta, "groupingsDown");
    let across = grouping_names(meta, "groupingsAcross");
    let detail: Vec<String> = meta["detailColumns"]
        .as_array()
        .into_iter()
        .flatten()
        .map(text)
        .collect();
    let column = |name: &str, info: &Value| ReportColumn {
        name: name.to_owned(),
        label: info[name]["label"].as_str().unwrap_or(name).to_owned(),
        column_type: text(&info[name]["dataType"]),
    };
    let mut columns: Vec<ReportColumn> = down
        .iter()
        .chain(&across)
        .map(|g| column(g, &extended["groupingColumnInfo"]))
        .collect();
    columns.extend(
        detail
            .iter()
            .map(|d| column(d, &extended["detailColumnInfo"])),
    );
    let mut rows = Vec::new();
    let mut push_rows = |key: &str, group: Option<&[(String, Value)]>| {
        for row in result["factMap"][key]["rows"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let mut out: Map<String, Value> = group.unwrap_or_default().iter().cloned().collect();
            for (name, cell) in detail
                .iter()
                .zip(row["dataCells"].as_array().into_iter().flatten())
            {
                out.insert(name.clone(), cell_value(cell));
            }
            rows.push(out);
        }
    };
    let down_list = &result["groupingsDown"]["groupings"];
    if down.is_empty() {
        push_rows("T!T", None);
    } else {
        let mut keys = Vec::new();
        leaf_keys(down_list, &mut keys);
        for key in keys {
            let labels = group_labels(down_list, &key, &down);
            push_rows(&format!("{key}!T"), Some(&labels));
        }
    }
    let mut groupings = groups(result, down_list, &down, 0, false);
    groupings.extend(groups(
        result,
        &result["groupingsAcross"]["groupings"],
        &across,
        0,
        true,
    ));
    Shaped {
        columns,
        rows,
        groupings,
        grand_total: aggregates(result, "T!T"),
    }
}

/// The grouping column values of the group with this key (`0_1` -> its parent's and its own).
fn group_labels(list: &Value, key: &str, names: &[String]) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut level = list;
    let parts: Vec<&str> = key.split('_').collect();
    for depth in 1..=parts.len() {
        let prefix = parts[..depth].join("_");
        let Some(g) = level
            .as_array()
            .into_iter()
            .flatten()
            .find(|g| g["key"] == prefix.as_str())
        else {
            break;
        };
        if let Some(name) = names.get(depth - 1) {
            out.push((name.clone(), g["label"].clone()));
        }
        level = &g["groupings"];
    }
    out
}
