//! Values Salesforce computes itself: defaults on create, full names, formulas, closed flags.

use serde_json::{Map, Value};

use super::objects::STAGES;
use super::schema::ObjectDef;

/// Fill picklist defaults and per-object defaults for a new record (before validation); the
/// record type is `user`'s default.
pub fn apply_create_defaults(obj: &ObjectDef, values: &mut Map<String, Value>, user: Option<&str>) {
    for f in &obj.fields {
        if let Some(default) = f.picklist_default {
            values.entry(f.name).or_insert_with(|| Value::from(default));
        }
        if f.ftype == super::schema::FieldType::Boolean && f.createable {
            values.entry(f.name).or_insert(Value::Bool(false));
        }
    }
    if obj.name == "Case" {
        let default_rt = obj.default_record_type(user);
        if let Some(rt) = default_rt {
            values
                .entry("RecordTypeId")
                .or_insert_with(|| Value::from(rt.id.clone()));
        }
    }
}

/// Recompute the derived fields of a record after any change.
pub fn recompute(obj: &ObjectDef, values: &mut Map<String, Value>, probability_given: bool) {
    match obj.name {
        "Contact" | "Lead" | "User" => {
            let first = values
                .get("FirstName")
                .and_then(Value::as_str)
                .unwrap_or("");
            let last = values.get("LastName").and_then(Value::as_str).unwrap_or("");
            let name = format!("{first} {last}").trim().to_string();
            values.insert("Name".into(), Value::from(name));
        }
        "Opportunity" => recompute_opportunity(values, probability_given),
        "Case" => {
            let closed = values.get("Status").and_then(Value::as_str) == Some("Closed");
            values.insert("IsClosed".into(), Value::Bool(closed));
            if !closed {
                values.insert("ClosedDate".into(), Value::Null);
            } else if values.get("ClosedDate").is_none_or(Value::is_null) {
                let stamp = values.get("SystemModstamp").cloned().unwrap_or(Value::Null);
                values.insert("ClosedDate".into(), stamp);
            }
        }
        _ => {}
    }
}

fn recompute_opportunity(values: &mut Map<String, Value>, probability_given: bool) {
    let stage = values
        .get("StageName")
        .and_then(Value::as_str)
        .unwrap_or("");
    let info = STAGES.iter().find(|s| s.0 == stage);
    let (default_probability, closed, won) = info.map_or((0.0, false, false), |s| (s.1, s.2, s.3));
    if !probability_given {
        values.insert("Probability".into(), Value::from(default_probability));
    }
    values.insert("IsClosed".into(), Value::Bool(closed));
    values.insert("IsWon".into(), Value::Bool(won));
    let amount = values.get("Amount").and_then(Value::as_f64);
    let probability = values.get("Probability").and_then(Value::as_f64);
    let expected = match (amount, probability) {
        (Some(a), Some(p)) => Value::from((a * p).round() / 100.0),
        _ => Value::Null,
    };
    values.insert("ExpectedRevenue".into(), expected);
}
