//! The preview of a change of several records: what is common said once ("Stage (StageName):
//! "Prospecting" -> "Closed Lost" on 37 records"), then every record with its name, id, link and
//! its own fields before -> after, so that 200 records stay readable.

use std::fmt::Write as _;

use serde_json::Value;

use super::batch::RecordChange;
use crate::shown::{self, escaped, quoted};
use crate::store::changes::ChangeRow;

/// What a change of `count` records does, in words.
pub fn action(row: &ChangeRow, records: &[RecordChange]) -> String {
    let object = format!("{} ({})", escaped(&row.object_label), escaped(&row.object));
    let n = records.len();
    match row.operation.as_str() {
        "create" => format!("Create {n} new {object} records"),
        "update" => format!("Update {n} {object} records"),
        "delete" => format!("Delete {n} {object} records (they go to the Recycle Bin)"),
        "upsert" => {
            let creates = records
                .iter()
                .filter(|r| r.action.as_deref() == Some("create"))
                .count();
            let field = row.external_id_field.as_deref().unwrap_or("?");
            format!(
                "Upsert {n} {object} records matched by {}: {creates} create a new record, {} update an existing one",
                escaped(field),
                n - creates
            )
        }
        other => format!("{} {n} {object} records", escaped(other)),
    }
}

/// A field change that is the same on every record: its label, name, before (when every
/// before is the same too) and after.
struct Common {
    label: String,
    name: String,
    before: Option<Value>,
    after: Value,
}

fn common_fields(records: &[RecordChange]) -> Vec<Common> {
    let Some(first) = records.first() else {
        return Vec::new();
    };
    first
        .fields
        .iter()
        .filter_map(|f| {
            let same: Vec<&super::FieldChange> = records
                .iter()
                .filter_map(|r| r.fields.iter().find(|g| g.name == f.name))
                .filter(|g| g.after == f.after)
                .collect();
            (same.len() == records.len()).then(|| Common {
                label: f.label.clone(),
                name: f.name.clone(),
                before: same
                    .iter()
                    .all(|g| g.before == f.before)
                    .then(|| f.before.clone()),
                after: f.after.clone(),
            })
        })
        .collect()
}

/// How a record is named in the preview.
pub fn record_words(r: &RecordChange, i: usize) -> String {
    let mut words = match (&r.record_name, &r.record_id) {
        (Some(name), Some(id)) => format!("{} ({})", quoted(name), escaped(id)),
        (None, Some(id)) => escaped(id),
        (Some(name), None) => quoted(name),
        (None, None) => format!("new record {}", i + 1),
    };
    if let Some(v) = &r.external_id_value {
        let _ = write!(words, " external id {}", quoted(v));
    }
    if let Some(a) = &r.action {
        let _ = write!(words, " [{}]", escaped(a));
    }
    if let Some(url) = &r.url {
        let _ = write!(words, " {}", escaped(url));
    }
    words
}

/// What is the same on every record of a change of several records, one line per field
/// (`Stage (StageName): "Prospecting" -> "Closed Lost" on 37 records`), data already escaped.
pub fn common_lines(records: &[RecordChange]) -> Vec<String> {
    if records.len() < 2 {
        return Vec::new();
    }
    let n = records.len();
    common_fields(records)
        .iter()
        .map(|c| {
            let before = c
                .before
                .as_ref()
                .map_or_else(|| "(before values differ, below)".to_owned(), shown::value);
            format!(
                "{} ({}): {before} -> {} on {n} records",
                escaped(&c.label),
                escaped(&c.name),
                shown::value(&c.after)
            )
        })
        .collect()
}

/// The preview text of a change of several records.
pub fn preview_text(row: &ChangeRow, records: &[RecordChange]) -> String {
    let mut t = format!("{}.\n", action(row, records));
    let common = common_fields(records);
    let lines = common_lines(records);
    if !lines.is_empty() {
        t.push_str("On every record:\n");
    }
    for line in &lines {
        let _ = writeln!(t, "  {line}");
    }
    t.push_str("Records:\n");
    for (i, r) in records.iter().enumerate() {
        let _ = writeln!(t, "  {}. {}", i + 1, record_words(r, i));
        for f in &r.fields {
            let said = common
                .iter()
                .any(|c| c.name == f.name && c.before.is_some());
            if !said {
                let _ = writeln!(t, "     {}", super::preview::field_line(f));
            }
        }
    }
    let _ = write!(t, "{}", super::preview::change_line(row));
    t
}

/// The outcome of a change of several records, one line per record that failed.
pub fn outcome_items(result: &Value) -> String {
    let mut t = String::new();
    for item in result["items"].as_array().into_iter().flatten() {
        let errors: Vec<String> = item["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["statusCode"] != "ALL_OR_NONE_OPERATION_ROLLED_BACK")
            .map(|e| {
                format!(
                    "{} {}",
                    escaped(e["statusCode"].as_str().unwrap_or("?")),
                    quoted(e["message"].as_str().unwrap_or(""))
                )
            })
            .collect();
        if !errors.is_empty() {
            let who = item["record_id"]
                .as_str()
                .map_or_else(|| format!("item {}", item["position"]), escaped);
            let _ = write!(t, "\n  {who}: {}", errors.join("; "));
        }
    }
    t
}
