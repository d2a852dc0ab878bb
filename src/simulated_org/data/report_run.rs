//! Running a report the way the Analytics API answers it: the fact map (`T!T`, `0!T`, ...),
//! cells as `{value, label}`, aggregates, at most 2,000 detail rows (`allData: false` past it),
//! and dashboards whose components carry their report's aggregates.

use serde_json::{Map, Value, json};

use super::ApiError;
use super::analytics::{Col, DASHBOARDS, Field, Format, REPORTS, ReportDef, source_rows};
use super::ids::make_id;
use super::store::Store;

/// Most detail rows one run returns.
pub const ROW_LIMIT: usize = 2_000;

const OPERATORS: &[&str] = &[
    "equals",
    "notEqual",
    "lessThan",
    "greaterThan",
    "lessOrEqual",
    "greaterOrEqual",
    "contains",
    "notContain",
    "startsWith",
];

fn bad_request(message: &str) -> ApiError {
    ApiError::new(400, "BAD_REQUEST", message)
}

/// `1234567.5` -> `1,234,567.50` (two decimals) or `1,234,568` (none).
fn grouped(n: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, n.abs());
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), ""), |(i, f)| (i, f));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    let sign = if n < 0.0 { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{out}")
    } else {
        format!("{sign}{out}.{frac}")
    }
}

fn label_of(data_type: &str, v: &Value) -> String {
    match (data_type, v) {
        (_, Value::Null) => "-".into(),
        ("currency", v) => format!("${}", grouped(v.as_f64().unwrap_or(0.0), 2)),
        ("int", v) => grouped(v.as_f64().unwrap_or(0.0), 0),
        ("date", Value::String(s)) => {
            let p: Vec<&str> = s.split('-').collect();
            match p.as_slice() {
                [y, m, d] => format!(
                    "{}/{}/{y}",
                    m.trim_start_matches('0'),
                    d.trim_start_matches('0')
                ),
                _ => s.clone(),
            }
        }
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

fn cell(col: &Col, row: &Map<String, Value>) -> Value {
    let get = |k: &str| row.get(k).cloned().unwrap_or(Value::Null);
    match col.field {
        Field::Named { id, name } => {
            let label = get(name)
                .as_str()
                .map_or_else(|| "-".to_owned(), str::to_owned);
            json!({"value": get(id), "label": label})
        }
        Field::Plain(f) => {
            let v = get(f);
            let label = label_of(col.data_type, &v);
            let value = match (col.data_type, &v) {
                ("currency", Value::Number(_)) => json!({"amount": v, "currency": null}),
                _ => v,
            };
            json!({"value": value, "label": label})
        }
    }
}

/// What a filter compares: the name of a name column, the value otherwise.
fn raw(col: &Col, row: &Map<String, Value>) -> Value {
    let key = match col.field {
        Field::Named { name, .. } => name,
        Field::Plain(f) => f,
    };
    row.get(key).cloned().unwrap_or(Value::Null)
}

fn matches(col: &Col, row: &Map<String, Value>, operator: &str, wanted: &str) -> bool {
    let have = raw(col, row);
    let text = have
        .as_str()
        .map_or_else(|| have.to_string(), str::to_owned)
        .to_lowercase();
    let want = wanted.to_lowercase();
    let order = || match (have.as_f64(), wanted.trim().parse::<f64>()) {
        (Some(a), Ok(b)) => a.partial_cmp(&b),
        _ if have.is_null() => None,
        _ => Some(text.as_str().cmp(want.as_str())),
    };
    use std::cmp::Ordering::{Equal, Greater, Less};
    let any_equal = || {
        want.split(',')
            .any(|w| w.trim() == text || order_eq(&have, w))
    };
    match operator {
        "equals" => any_equal(),
        "notEqual" => !any_equal(),
        "lessThan" => order() == Some(Less),
        "greaterThan" => order() == Some(Greater),
        "lessOrEqual" => matches!(order(), Some(Less | Equal)),
        "greaterOrEqual" => matches!(order(), Some(Greater | Equal)),
        "contains" => want.split(',').any(|w| text.contains(w.trim())),
        "notContain" => !want.split(',').any(|w| text.contains(w.trim())),
        "startsWith" => want.split(',').any(|w| text.starts_with(w.trim())),
        _ => false,
    }
}

fn order_eq(have: &Value, wanted: &str) -> bool {
    matches!((have.as_f64(), wanted.trim().parse::<f64>()), (Some(a), Ok(b)) if a == b)
}

/// The filters of a run: the report's own plus the request's, checked against its columns.
fn filters(def: &ReportDef, extra: &[Value]) -> Result<Vec<(String, String, String)>, ApiError> {
    let mut all: Vec<(String, String, String)> = def
        .filters
        .iter()
        .map(|(c, o, v)| ((*c).into(), (*o).into(), (*v).into()))
        .collect();
    for f in extra {
        let (c, o) = (
            f["column"].as_str().unwrap_or(""),
            f["operator"].as_str().unwrap_or(""),
        );
        let v = f["value"]
            .as_str()
            .map_or_else(|| f["value"].to_string(), str::to_owned);
        if def.column(c).is_none() && def.grouping != Some(c) {
            return Err(bad_request(&format!(
                "The column {c} is not valid for this report."
            )));
        }
        if !OPERATORS.contains(&o) {
            return Err(bad_request(&format!(
                "The filter operator {o} is not valid."
            )));
        }
        all.push((c.into(), o.into(), v));
    }
    Ok(all)
}

fn aggregate(def: &ReportDef, rows: &[&Map<String, Value>]) -> Vec<Value> {
    def.aggregates
        .iter()
        .map(|a| match a.strip_prefix("s!").and_then(|c| def.column(c)) {
            Some(col) => {
                let sum: f64 = rows.iter().filter_map(|r| raw(col, r).as_f64()).sum();
                json!({"value": sum, "label": label_of(col.data_type, &json!(sum))})
            }
            None => json!({"value": rows.len(), "label": grouped(rows.len() as f64, 0)}),
        })
        .collect()
}

/// A report's `reportMetadata` and `reportExtendedMetadata`, with these filters.
fn metadata(def: &ReportDef, id: &str, filters: &[(String, String, String)]) -> (Value, Value) {
    let detail: Vec<&str> = def
        .columns
        .iter()
        .map(|c| c.name)
        .filter(|c| Some(*c) != def.grouping)
        .collect();
    let info = |c: &Col| json!({"dataType": c.data_type, "label": c.label});
    let detail_info: Map<String, Value> = def
        .columns
        .iter()
        .filter(|c| detail.contains(&c.name))
        .map(|c| (c.name.to_owned(), info(c)))
        .collect();
    let aggregate_info: Map<String, Value> = def
        .aggregates
        .iter()
        .map(|a| {
            let (label, data_type) = match a.strip_prefix("s!").and_then(|c| def.column(c)) {
                Some(c) => (format!("Sum of {}", c.label), c.data_type),
                None => ("Record Count".to_owned(), "int"),
            };
            ((*a).to_owned(), json!({"label": label, "dataType": data_type, "downGroupingContext": null, "acrossGroupingContext": null}))
        })
        .collect();
    let grouping_info: Map<String, Value> = def
        .grouping
        .and_then(|g| def.column(g))
        .map(|c| {
            (
                c.name.to_owned(),
                json!({"dataType": c.data_type, "label": c.label, "groupingLevel": 0}),
            )
        })
        .into_iter()
        .collect();
    let groupings: Vec<Value> = def
        .grouping
        .iter()
        .map(|g| json!({"name": g, "sortOrder": "Asc", "dateGranularity": "None"}))
        .collect();
    let report_filters: Vec<Value> = filters
        .iter()
        .map(|(c, o, v)| json!({"column": c, "operator": o, "value": v}))
        .collect();
    let meta = json!({
        "id": id, "name": def.name, "developerName": def.developer_name, "reportFormat": def.format_code(),
        "reportType": {"type": def.report_type.0, "label": def.report_type.1}, "detailColumns": detail,
        "groupingsDown": groupings, "groupingsAcross": [], "aggregates": def.aggregates,
        "reportFilters": report_filters, "reportBooleanFilter": null, "currency": null,
    });
    let extended = json!({"detailColumnInfo": detail_info, "aggregateColumnInfo": aggregate_info, "groupingColumnInfo": grouping_info});
    (meta, extended)
}

/// Runs report `index` with `extra` filters (`[{"column","operator","value"}]`).
pub fn run(
    store: &Store,
    index: usize,
    extra: &[Value],
    details: bool,
    version: &str,
) -> Result<Value, ApiError> {
    let def = &REPORTS[index];
    let id = make_id("00O", index as u64 + 1);
    let filters = filters(def, extra)?;
    let all = source_rows(store, def.source);
    let kept: Vec<&Map<String, Value>> = all
        .iter()
        .filter(|r| {
            filters
                .iter()
                .all(|(c, o, v)| def.column(c).is_some_and(|col| matches(col, r, o, v)))
        })
        .collect();
    let detail: Vec<&Col> = def
        .columns
        .iter()
        .filter(|c| Some(c.name) != def.grouping)
        .collect();
    let mut budget = if details { ROW_LIMIT } else { 0 };
    let mut row_cells = |rows: &[&Map<String, Value>]| -> Vec<Value> {
        let take = rows.len().min(budget);
        budget -= take;
        rows[..take]
            .iter()
            .map(|r| json!({"dataCells": detail.iter().map(|c| cell(c, r)).collect::<Vec<_>>()}))
            .collect()
    };
    let mut fact_map = Map::new();
    let mut groupings = Vec::new();
    match (def.format, def.grouping.and_then(|g| def.column(g))) {
        (Format::Summary, Some(group_col)) => {
            let mut keys: Vec<String> = kept
                .iter()
                .map(|r| label_of(group_col.data_type, &raw(group_col, r)))
                .collect();
            keys.sort();
            keys.dedup();
            for (i, key) in keys.iter().enumerate() {
                let rows: Vec<&Map<String, Value>> = kept
                    .iter()
                    .copied()
                    .filter(|r| &label_of(group_col.data_type, &raw(group_col, r)) == key)
                    .collect();
                fact_map.insert(
                    format!("{i}!T"),
                    json!({"rows": row_cells(&rows), "aggregates": aggregate(def, &rows)}),
                );
                groupings.push(
                    json!({"value": key, "label": key, "key": i.to_string(), "groupings": []}),
                );
            }
            fact_map.insert(
                "T!T".into(),
                json!({"rows": [], "aggregates": aggregate(def, &kept)}),
            );
        }
        _ => {
            fact_map.insert(
                "T!T".into(),
                json!({"rows": row_cells(&kept), "aggregates": aggregate(def, &kept)}),
            );
        }
    }
    let (meta, extended) = metadata(def, &id, &filters);
    let base = format!("/services/data/v{version}/analytics/reports/{id}");
    Ok(json!({
        "attributes": {"describeUrl": format!("{base}/describe"), "instancesUrl": format!("{base}/instances"),
                       "reportId": id, "reportName": def.name, "type": "Report"},
        "allData": !details || kept.len() <= ROW_LIMIT, "hasDetailRows": details, "picklistColors": {},
        "groupingsAcross": {"groupings": []}, "groupingsDown": {"groupings": groupings},
        "factMap": fact_map, "reportExtendedMetadata": extended, "reportMetadata": meta,
    }))
}

/// `GET /analytics/reports/{id}/describe`.
pub fn describe(index: usize) -> Value {
    let def = &REPORTS[index];
    let id = make_id("00O", index as u64 + 1);
    let (meta, extended) = metadata(def, &id, &filters(def, &[]).unwrap_or_default());
    let columns: Map<String, Value> = def
        .columns
        .iter()
        .map(|c| (c.name.to_owned(), json!({"label": c.label, "dataType": c.data_type, "filterable": true, "filterValues": []})))
        .collect();
    json!({
        "reportMetadata": meta, "reportExtendedMetadata": extended,
        "reportTypeMetadata": {"categories": [{"label": def.report_type.1, "columns": columns}],
                               "dataTypeFilterOperatorMap": {"string": OPERATORS, "currency": OPERATORS, "date": OPERATORS, "int": OPERATORS, "picklist": OPERATORS}},
    })
}

/// `GET /analytics/reports`: the report list.
pub fn list(version: &str) -> Value {
    let items: Vec<Value> = REPORTS
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let id = make_id("00O", i as u64 + 1);
            let url = format!("/services/data/v{version}/analytics/reports/{id}");
            json!({"describeUrl": format!("{url}/describe"), "id": id, "instancesUrl": format!("{url}/instances"), "name": r.name, "url": url})
        })
        .collect();
    Value::Array(items)
}

/// `GET /analytics/dashboards/{id}`: components with their report's aggregates.
pub fn dashboard(store: &Store, index: usize, version: &str) -> Value {
    let def = &DASHBOARDS[index];
    let id = make_id("01Z", index as u64 + 1);
    let mut components = Vec::new();
    let mut data = Vec::new();
    for (i, c) in def.components.iter().enumerate() {
        let component_id = make_id("01a", (index * 10 + i) as u64 + 1);
        let report = &REPORTS[c.report];
        let mut result = run(store, c.report, &[], false, version).unwrap_or(Value::Null);
        result["attributes"] = Value::Null;
        components.push(json!({
            "componentData": i, "header": c.header, "footer": null, "id": component_id,
            "reportId": make_id("00O", c.report as u64 + 1), "title": c.title, "type": "Report",
            "properties": {"aggregates": report.aggregates.iter().map(|a| json!({"name": a})).collect::<Vec<_>>(),
                           "groupings": report.grouping.into_iter().collect::<Vec<_>>(), "visualizationType": c.visualization},
        }));
        data.push(json!({
            "componentId": component_id, "reportResult": result,
            "status": {"dataStatus": "DATA", "errorCode": null, "errorMessage": null, "errorSeverity": null,
                       "refreshDate": "2026-01-20T08:00:00.000Z", "refreshStatus": "IDLE"},
        }));
    }
    let status_url = format!("/services/data/v{version}/analytics/dashboards/{id}/status");
    json!({
        "componentData": data,
        "dashboardMetadata": {
            "attributes": {"dashboardId": id, "dashboardName": def.title, "statusUrl": status_url, "type": "Dashboard"},
            "components": components, "developerName": def.developer_name, "filters": [], "id": id,
            "name": def.title, "folderId": make_id("00l", 1), "runningUser": {"displayName": "Alex Morgan", "id": make_id("005", 1)},
        },
    })
}

/// `GET /analytics/dashboards`: the dashboard list.
pub fn dashboard_list(version: &str) -> Value {
    let items: Vec<Value> = DASHBOARDS
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let id = make_id("01Z", i as u64 + 1);
            let url = format!("/services/data/v{version}/analytics/dashboards/{id}");
            json!({"id": id, "name": d.title, "statusUrl": format!("{url}/status"), "url": url})
        })
        .collect();
    Value::Array(items)
}
