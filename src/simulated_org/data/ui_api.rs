//! The UI API's picklist values by record type
//! (`/ui-api/object-info/{object}/picklist-values/{recordTypeId}[/{field}]`): each picklist's
//! values for that record type, with `controllerValues` and `validFor` for dependent picklists.

use serde_json::{Map, Value, json};

use super::describe::MASTER_RECORD_TYPE_ID;
use super::schema::{FieldDef, FieldType, ObjectDef, RecordTypeDef};
use super::{ApiError, ids, not_found};

/// The Picklist Values Collection, or one field's Picklist Values.
pub fn picklist_values(
    obj: &ObjectDef,
    record_type_id: &str,
    field: Option<&str>,
    version: &str,
) -> Result<Value, ApiError> {
    let id18 = ids::normalize(record_type_id).ok_or_else(not_found)?;
    let rt = if id18 == MASTER_RECORD_TYPE_ID {
        None
    } else {
        Some(obj.record_type(&id18).ok_or_else(not_found)?)
    };
    let base = format!(
        "/services/data/v{version}/ui-api/object-info/{}/picklist-values/{id18}",
        obj.name
    );
    let picklists = obj.fields.iter().filter(|f| f.ftype == FieldType::Picklist);
    if let Some(name) = field {
        let f = picklists
            .clone()
            .find(|f| f.name.eq_ignore_ascii_case(name))
            .ok_or_else(not_found)?;
        return Ok(field_values(obj, f, rt, &base));
    }
    let all: Map<String, Value> = picklists
        .map(|f| (f.name.to_string(), field_values(obj, f, rt, &base)))
        .collect();
    Ok(json!({"eTag": etag(&id18), "picklistFieldValues": all}))
}

fn allowed<'a>(f: &'a FieldDef, rt: Option<&'a RecordTypeDef>) -> Vec<&'static str> {
    match rt.and_then(|rt| rt.allowed(f.name)) {
        Some(subset) => f
            .picklist
            .iter()
            .filter(|v| subset.contains(v))
            .copied()
            .collect(),
        None => f.picklist.clone(),
    }
}

fn field_values(obj: &ObjectDef, f: &FieldDef, rt: Option<&RecordTypeDef>, base: &str) -> Value {
    let controller = f.controller.and_then(|c| obj.field(c));
    let controlling: Vec<&str> = controller.map(|c| allowed(c, rt)).unwrap_or_default();
    let controller_values: Map<String, Value> = controlling
        .iter()
        .enumerate()
        .map(|(i, v)| (v.to_string(), Value::from(i)))
        .collect();
    let values: Vec<Value> = allowed(f, rt)
        .into_iter()
        .map(|v| {
            let valid_for: Vec<usize> = controlling
                .iter()
                .enumerate()
                .filter(|(_, c)| f.controller.is_some() && f.valid_with(v, Some(c)))
                .map(|(i, _)| i)
                .collect();
            json!({"attributes": null, "label": v, "validFor": valid_for, "value": v})
        })
        .collect();
    let default = f
        .picklist_default
        .map(|d| json!({"attributes": null, "label": d, "validFor": [], "value": d}));
    json!({
        "controllerValues": controller_values,
        "defaultValue": default,
        "eTag": etag(f.name),
        "url": format!("{base}/{}", f.name),
        "values": values,
    })
}

// A stable 32-hex tag per record type or field (the real one changes with the metadata).
fn etag(seed: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(seed.as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}
