//! Write validation with Salesforce's error codes and messages: unknown and read-only fields,
//! types, lengths, restricted picklists, lookups, required fields, the sample validation rule,
//! unique external ids and the Contact duplicate rule.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value, json};

use super::ApiError;
use super::ids;
use super::schema::{FieldDef, FieldType, ObjectDef};
use super::store::{Store, format_datetime};

/// Whether a write creates or updates (which permission a field needs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Insert.
    Create,
    /// Update.
    Update,
}

fn bad_request(code: &str, message: &str, fields: &[&str]) -> ApiError {
    ApiError::with_fields(400, code, message, fields)
}

/// Check the body's field names and values; the values by API name, converted to stored form.
pub fn check_input(
    store: &Store,
    obj: &ObjectDef,
    body: &Value,
    mode: Mode,
) -> Result<Map<String, Value>, ApiError> {
    let Value::Object(input) = body else {
        let token = if body.is_array() {
            "START_ARRAY"
        } else {
            "VALUE_STRING"
        };
        return Err(ApiError::new(
            400,
            "JSON_PARSER_ERROR",
            &format!("Cannot deserialize instance of SObject from {token} token"),
        ));
    };
    let mut fields = Vec::new();
    for (key, value) in input {
        if key == "attributes" {
            continue;
        }
        if key.eq_ignore_ascii_case("Id") {
            let message = "The Id field should not be specified in the sobject data.";
            return Err(ApiError::new(400, "INVALID_FIELD", message));
        }
        let field = obj.field(key).ok_or_else(|| {
            let message = format!("No such column '{key}' on sobject of type {}", obj.name);
            ApiError::new(400, "INVALID_FIELD", &message)
        })?;
        fields.push((field, value));
    }
    check_permissions(&fields, mode)?;
    let mut out = Map::new();
    for (field, value) in fields {
        out.insert(field.name.to_string(), coerce(store, field, value)?);
    }
    Ok(out)
}

fn check_permissions(fields: &[(&FieldDef, &Value)], mode: Mode) -> Result<(), ApiError> {
    let locked: Vec<&str> = fields
        .iter()
        .filter(|(f, _)| match mode {
            Mode::Create => !f.createable,
            Mode::Update => !f.updateable,
        })
        .map(|(f, _)| f.name)
        .collect();
    if locked.is_empty() {
        return Ok(());
    }
    let message = format!(
        "Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
        locked.join(", ")
    );
    Err(bad_request(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        &message,
        &locked,
    ))
}

fn parser_error(field: &FieldDef, value: &Value) -> ApiError {
    let (token, shown) = match value {
        Value::String(s) => ("VALUE_STRING", s.clone()),
        Value::Bool(b) => (if *b { "VALUE_TRUE" } else { "VALUE_FALSE" }, b.to_string()),
        Value::Number(n) => ("VALUE_NUMBER_INT", n.to_string()),
        Value::Array(_) => ("START_ARRAY", "[".into()),
        _ => ("START_OBJECT", "{".into()),
    };
    let message = format!(
        "Cannot deserialize instance of {} from {token} value {shown} or request may be missing a required field",
        field.ftype.api_name()
    );
    ApiError::new(400, "JSON_PARSER_ERROR", &message)
}

fn coerce(store: &Store, field: &FieldDef, value: &Value) -> Result<Value, ApiError> {
    use FieldType as T;
    if value.is_null() {
        return Ok(Value::Null);
    }
    let text = match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let Some(text) = text else {
        return Err(parser_error(field, value));
    };
    match field.ftype {
        T::Boolean => match (value, text.as_str()) {
            (Value::Bool(b), _) => Ok(Value::Bool(*b)),
            (Value::String(_), "true" | "false") => Ok(Value::Bool(text == "true")),
            _ => Err(parser_error(field, value)),
        },
        t if t.is_number() => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && !value.is_boolean())
            .map(|n| number_value(t, n))
            .ok_or_else(|| parser_error(field, value)),
        T::Date => NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map(|d| Value::from(d.format("%Y-%m-%d").to_string()))
            .map_err(|_| parser_error(field, value)),
        T::Datetime => parse_datetime(&text)
            .map(|t| Value::from(format_datetime(t)))
            .ok_or_else(|| parser_error(field, value)),
        T::Reference => check_lookup(store, field, &text).map(Value::from),
        _ => check_text(field, text).map(Value::from),
    }
}

// Whole-number fields come back as JSON integers (`12`), the others as decimals (`12.0`).
fn number_value(ftype: FieldType, n: f64) -> Value {
    if ftype == FieldType::Int && n.fract() == 0.0 && n.abs() < 1e15 {
        Value::from(n as i64)
    } else {
        Value::from(n)
    }
}

fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn check_lookup(store: &Store, field: &FieldDef, text: &str) -> Result<String, ApiError> {
    let target = field.reference_to.and_then(|t| store.object(t));
    let id = ids::normalize(text).filter(|id| target.is_some_and(|t| id.starts_with(t.key_prefix)));
    let Some(id) = id else {
        let message = format!("{}: id value of incorrect type: {text}", field.label);
        return Err(bad_request("MALFORMED_ID", &message, &[field.name]));
    };
    let exists = target
        .and_then(|t| store.row(t.name, &id))
        .is_some_and(|r| !r.is_deleted());
    if !exists {
        let message = "invalid cross reference id";
        return Err(bad_request(
            "INVALID_CROSS_REFERENCE_KEY",
            message,
            &[field.name],
        ));
    }
    Ok(id)
}

fn check_text(field: &FieldDef, text: String) -> Result<String, ApiError> {
    let length = text.chars().count();
    if field.length > 0 && length > field.length as usize {
        let message = format!(
            "{}: data value too large: {text} (max length={})",
            field.name, field.length
        );
        return Err(bad_request("STRING_TOO_LONG", &message, &[field.name]));
    }
    if field.ftype == FieldType::Picklist
        && field.restricted
        && !field.picklist.contains(&text.as_str())
    {
        let message = format!(
            "{}: bad value for restricted picklist field: {text}",
            field.name
        );
        return Err(bad_request(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            &message,
            &[field.name],
        ));
    }
    if field.ftype == FieldType::Email && !looks_like_email(&text) {
        let message = format!("{}: invalid email address: {text}", field.label);
        return Err(bad_request(
            "INVALID_EMAIL_ADDRESS",
            &message,
            &[field.name],
        ));
    }
    Ok(text)
}

fn looks_like_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((user, domain)) => !user.is_empty() && domain.contains('.') && !domain.contains('@'),
        None => false,
    }
}

/// Checks on the merged record: required fields, the validation rule, unique values and the
/// duplicate rule. `own_id` is the record being updated (excluded from uniqueness checks).
pub fn check_record(
    store: &Store,
    obj: &ObjectDef,
    record: &Map<String, Value>,
    own_id: Option<&str>,
    version: &str,
) -> Result<(), ApiError> {
    let missing: Vec<&str> = obj
        .fields
        .iter()
        .filter(|f| !f.nillable && (f.createable || f.updateable))
        .filter(|f| record.get(f.name).is_none_or(Value::is_null))
        .map(|f| f.name)
        .collect();
    if !missing.is_empty() {
        let message = format!("Required fields are missing: [{}]", missing.join(", "));
        return Err(bad_request("REQUIRED_FIELD_MISSING", &message, &missing));
    }
    if obj.name == "Opportunity"
        && record
            .get("Amount")
            .and_then(Value::as_f64)
            .is_some_and(|a| a < 0.0)
    {
        return Err(bad_request(
            "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "Amount cannot be negative.",
            &["Amount"],
        ));
    }
    check_unique(store, obj, record, own_id)?;
    if obj.name == "Contact" && own_id.is_none() {
        check_duplicate_contact(store, record, version)?;
    }
    Ok(())
}

/// The picklist values `given` must be allowed by the record's record type and, for a
/// dependent picklist, by its controlling field's value in the merged `record`.
pub fn check_record_type(
    obj: &ObjectDef,
    given: &Map<String, Value>,
    record: &Map<String, Value>,
) -> Result<(), ApiError> {
    let rt = record
        .get("RecordTypeId")
        .and_then(Value::as_str)
        .and_then(|id| obj.record_type(id));
    for (name, value) in given {
        let (Some(f), Some(text)) = (obj.field(name), value.as_str()) else {
            continue;
        };
        if f.ftype != FieldType::Picklist {
            continue;
        }
        let by_type = rt
            .and_then(|rt| rt.allowed(f.name))
            .is_none_or(|allowed| allowed.contains(&text));
        let controlling = f
            .controller
            .and_then(|c| record.get(c))
            .and_then(Value::as_str);
        if !by_type || !f.valid_with(text, controlling) {
            let message = format!(
                "{}: bad value for restricted picklist field: {text}",
                f.name
            );
            return Err(bad_request(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                &message,
                &[f.name],
            ));
        }
    }
    Ok(())
}

fn same_text(a: &Value, b: &Value) -> bool {
    matches!((a.as_str(), b.as_str()), (Some(x), Some(y)) if x.eq_ignore_ascii_case(y))
}

fn check_unique(
    store: &Store,
    obj: &ObjectDef,
    record: &Map<String, Value>,
    own_id: Option<&str>,
) -> Result<(), ApiError> {
    let Some(table) = store.table(obj.name) else {
        return Ok(());
    };
    for f in obj.fields.iter().filter(|f| f.unique) {
        let Some(value) = record.get(f.name).filter(|v| !v.is_null()) else {
            continue;
        };
        let clash = table
            .live()
            .find(|r| Some(r.id()) != own_id && same_text(r.get(f.name), value));
        if let Some(other) = clash {
            let message = format!(
                "duplicate value found: {} duplicates value on record with id: {}",
                f.name,
                other.id()
            );
            return Err(ApiError::with_fields(400, "DUPLICATE_VALUE", &message, &[]));
        }
    }
    Ok(())
}

fn check_duplicate_contact(
    store: &Store,
    record: &Map<String, Value>,
    version: &str,
) -> Result<(), ApiError> {
    let Some(email) = record.get("Email").filter(|v| !v.is_null()) else {
        return Ok(());
    };
    let Some(table) = store.table("Contact") else {
        return Ok(());
    };
    let Some(existing) = table.live().find(|r| same_text(r.get("Email"), email)) else {
        return Ok(());
    };
    let message =
        "You're creating a duplicate record. We recommend you use an existing record instead.";
    let url = format!(
        "/services/data/v{version}/sobjects/Contact/{}",
        existing.id()
    );
    let body = json!([{
        "duplicateResut": {
            "allowSave": true, "duplicateRule": "Standard_Contact_Duplicate_Rule",
            "duplicateRuleEntityType": "Contact", "errorMessage": message,
            "matchResults": [{
                "entityType": "Contact", "errors": [], "matchEngine": "FuzzyMatchEngine",
                "matchRecords": [{
                    "additionalInformation": [], "fieldDiffs": [], "matchConfidence": 100.0,
                    "record": {"attributes": {"type": "Contact", "url": url}, "Id": existing.id()},
                }],
                "rule": "Standard_Contact_Match_Rule_v1_1", "size": 1, "success": true,
            }],
        },
        "errorCode": "DUPLICATES_DETECTED",
        "message": message,
    }]);
    Err(ApiError { status: 400, body })
}
