//! Checks a proposed change against the object's describe before anything is stored: the object
//! allows the operation, each field exists (with close names), may be written, and each value
//! fits its type, length and restricted picklist; required fields are present on create.

use serde_json::{Map, Value};

use super::{ChangeError, Operation};
use crate::reads::{closest_names, required_on_create};
use crate::salesforce::ids::RecordId;

/// A field to write, resolved against the describe.
#[derive(Debug, Clone)]
pub struct Planned {
    /// API name, spelled as the describe spells it.
    pub name: String,
    /// Label.
    pub label: String,
    /// The value to send, normalized for its type.
    pub after: Value,
}

/// Whether the write creates or updates a record (an upsert does one or the other).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A new record.
    Create,
    /// An existing record.
    Update,
}

fn bad(message: String) -> ChangeError {
    ChangeError::BadInput(message)
}

fn fields_of(describe: &Value) -> impl Iterator<Item = &Value> {
    describe["fields"].as_array().into_iter().flatten()
}

fn flag(v: &Value, key: &str) -> bool {
    v[key].as_bool() == Some(true)
}

/// The object must allow the operation for this user.
pub fn object_allows(describe: &Value, op: Operation) -> Result<(), ChangeError> {
    let needs: &[&str] = match op {
        Operation::Create => &["createable"],
        Operation::Update => &["updateable"],
        Operation::Upsert => &["createable", "updateable"],
        Operation::Delete => &["deletable"],
    };
    let name = describe["name"].as_str().unwrap_or("?");
    match needs.iter().find(|n| !flag(describe, n)) {
        None => Ok(()),
        Some(missing) => Err(bad(format!(
            "{name} does not allow {} for your Salesforce user (the object is not {missing}). \
             Use list_objects with capability \"{}\" to see objects that do.",
            op.as_str(),
            op.capability()
        ))),
    }
}

/// A field of the describe by name (case-insensitive), or an error with the closest names.
pub fn field<'a>(describe: &'a Value, name: &str) -> Result<&'a Value, ChangeError> {
    if let Some(f) = fields_of(describe).find(|f| {
        f["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    }) {
        return Ok(f);
    }
    let object = describe["name"].as_str().unwrap_or("?");
    let close = closest_names(name, fields_of(describe).filter_map(|f| f["name"].as_str()));
    let hint = if close.is_empty() {
        String::new()
    } else {
        format!(" Did you mean: {}?", close.join(", "))
    };
    Err(bad(format!(
        "Unknown field '{name}' on {object}.{hint} Use describe_object with object \"{object}\" to see its fields."
    )))
}

/// The external id field of an upsert: it must exist and be marked as an external id.
pub fn external_id_field(describe: &Value, name: &str) -> Result<String, ChangeError> {
    let f = field(describe, name)?;
    let api = f["name"].as_str().unwrap_or(name).to_owned();
    if flag(f, "externalId") {
        return Ok(api);
    }
    let object = describe["name"].as_str().unwrap_or("?");
    let candidates: Vec<&str> = fields_of(describe)
        .filter(|f| flag(f, "externalId"))
        .filter_map(|f| f["name"].as_str())
        .collect();
    let hint = if candidates.is_empty() {
        format!("{object} has no external id field, so use create or update instead.")
    } else {
        format!("External id fields of {object}: {}.", candidates.join(", "))
    };
    Err(bad(format!("{api} is not an external id field. {hint}")))
}

/// Resolves the proposed fields: names, writability for `mode`, and values for their types.
pub fn plan(
    describe: &Value,
    proposed: &Map<String, Value>,
    mode: Mode,
) -> Result<Vec<Planned>, ChangeError> {
    let mut planned: Vec<Planned> = Vec::new();
    for (name, value) in proposed {
        let f = field(describe, name)?;
        let api = f["name"].as_str().unwrap_or(name).to_owned();
        if planned.iter().any(|p| p.name == api) {
            return Err(bad(format!("{api} is given twice: give each field once.")));
        }
        let label = f["label"].as_str().unwrap_or(&api).to_owned();
        let (allowed, what) = match mode {
            Mode::Create => (flag(f, "createable"), "set when creating a record"),
            Mode::Update => (flag(f, "updateable"), "changed on an existing record"),
        };
        if !allowed {
            return Err(bad(format!(
                "{label} ({api}) cannot be {what} by your Salesforce user. describe_object shows which fields are createable and updateable."
            )));
        }
        let after = coerce(f, value).map_err(|why| bad(format!("{label} ({api}): {why}")))?;
        planned.push(Planned {
            name: api,
            label,
            after,
        });
    }
    Ok(planned)
}

/// On create, every required field must be given (`already` names fields set another way).
pub fn required_present(
    describe: &Value,
    planned: &[Planned],
    already: Option<&str>,
) -> Result<(), ChangeError> {
    let missing: Vec<String> = fields_of(describe)
        .filter(|f| required_on_create(f))
        .filter_map(|f| f["name"].as_str())
        .filter(|n| Some(*n) != already)
        .filter(|n| !planned.iter().any(|p| p.name == *n && !p.after.is_null()))
        .map(str::to_owned)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(bad(format!(
        "Required fields are missing for a new {}: {}. Add them to fields.",
        describe["name"].as_str().unwrap_or("record"),
        missing.join(", ")
    )))
}

/// A value checked and normalized for the field's type.
fn coerce(f: &Value, value: &Value) -> Result<Value, String> {
    let ftype = f["type"].as_str().unwrap_or("string");
    if value.is_null() {
        return if f["nillable"].as_bool() == Some(false) && ftype != "boolean" {
            Err("is required and cannot be empty".into())
        } else if ftype == "boolean" {
            Err("is a checkbox: give true or false".into())
        } else {
            Ok(Value::Null)
        };
    }
    match ftype {
        "boolean" => boolean(value),
        "int" => number(value).and_then(|n| {
            if n.fract() == 0.0 && n.abs() < 1e15 {
                Ok(Value::from(n as i64))
            } else {
                Err(format!("needs a whole number, not {value}"))
            }
        }),
        "double" | "currency" | "percent" => number(value).map(Value::from),
        "date" => text(value).and_then(|t| {
            chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d")
                .map(|d| Value::from(d.format("%Y-%m-%d").to_string()))
                .map_err(|_| format!("needs a date like 2026-03-31, not {value}"))
        }),
        "datetime" => text(value).and_then(|t| {
            chrono::DateTime::parse_from_rfc3339(&t)
                .map(|_| Value::from(t.clone()))
                .map_err(|_| {
                    format!("needs a date and time like 2026-03-31T14:00:00Z, not {value}")
                })
        }),
        "reference" | "id" => text(value).and_then(|t| {
            RecordId::parse(&t)
                .map(|id| Value::from(id.as_str()))
                .map_err(|e| e.to_string())
        }),
        _ => text(value).and_then(|t| textual(f, ftype, t)),
    }
}

fn boolean(value: &Value) -> Result<Value, String> {
    match value {
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
        other => Err(format!("is a checkbox: give true or false, not {other}")),
    }
}

fn number(value: &Value) -> Result<f64, String> {
    match value {
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("{n} is not a number")),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .ok_or_else(|| format!("needs a number, not \"{s}\"")),
        other => Err(format!("needs a number, not {other}")),
    }
}

fn text(value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(format!("needs text, not {other}")),
    }
}

fn textual(f: &Value, ftype: &str, t: String) -> Result<Value, String> {
    let max = f["length"].as_u64().filter(|l| *l > 0);
    let chars = t.chars().count() as u64;
    if let Some(max) = max.filter(|m| chars > *m) {
        return Err(format!(
            "is {chars} characters long; the most it takes is {max}"
        ));
    }
    if ftype == "email" && !t.contains('@') {
        return Err(format!("\"{t}\" is not an e-mail address"));
    }
    let restricted = f["restrictedPicklist"].as_bool() == Some(true);
    if restricted && (ftype == "picklist" || ftype == "multipicklist") {
        let allowed: Vec<&str> = f["picklistValues"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["active"].as_bool() != Some(false))
            .filter_map(|p| p["value"].as_str())
            .collect();
        let given: Vec<&str> = if ftype == "multipicklist" {
            t.split(';').map(str::trim).collect()
        } else {
            vec![t.as_str()]
        };
        if let Some(bad_value) = given.iter().find(|g| !allowed.contains(g)) {
            return Err(format!(
                "\"{bad_value}\" is not an allowed value; use one of: {}",
                allowed.join(", ")
            ));
        }
    }
    Ok(Value::String(t))
}
