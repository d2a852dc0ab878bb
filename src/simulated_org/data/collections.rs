//! sObject Collections: create, update, upsert and delete of up to 200 records in one call,
//! with `allOrNone` (any failure rolls every record back) and per-item results whose errors
//! carry `statusCode`, as Salesforce answers them.

use serde_json::{Value, json};

use super::records;
use super::store::Store;
use super::{ApiError, ids};

/// The most records one collections call takes.
pub const MAX_RECORDS: usize = 200;

/// A collections write: which operation, and for upsert the object and external id field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection<'a> {
    /// `POST /composite/sobjects`.
    Create,
    /// `PATCH /composite/sobjects`.
    Update,
    /// `PATCH /composite/sobjects/{object}/{field}`.
    Upsert(&'a str, &'a str),
}

fn rolled_back() -> Value {
    json!({
        "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
        "fields": [],
    })
}

/// An item error from a record-level error (`errorCode` becomes `statusCode`).
fn item_errors(error: &ApiError) -> Value {
    let list: Vec<Value> = error
        .body
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            json!({
                "statusCode": e["errorCode"],
                "message": e["message"],
                "fields": e.get("fields").cloned().unwrap_or_else(|| json!([])),
            })
        })
        .collect();
    Value::Array(list)
}

fn too_many() -> ApiError {
    ApiError::new(
        400,
        "EXCEEDED_ID_LIMIT",
        "record limit reached. cannot submit more than 200 records into this call",
    )
}

fn failed(id: Option<&str>, errors: Value) -> Value {
    json!({"id": id, "success": false, "errors": errors})
}

/// A create, update or upsert of `body` (`{"allOrNone", "records": [...]}`) as `user`.
pub fn write(
    store: &mut Store,
    kind: Collection<'_>,
    body: &Value,
    (version, user): (&str, Option<&str>),
) -> Result<Value, ApiError> {
    let records = body["records"].as_array().ok_or_else(|| {
        ApiError::new(
            400,
            "JSON_PARSER_ERROR",
            "records is required: a list of sObjects",
        )
    })?;
    if records.len() > MAX_RECORDS {
        return Err(too_many());
    }
    let all_or_none = body["allOrNone"].as_bool() == Some(true);
    let before = store.clone();
    let results: Vec<Value> = records
        .iter()
        .map(|r| write_one(store, kind, r, (version, user)))
        .collect();
    Ok(settle(store, before, all_or_none, results))
}

fn write_one(
    store: &mut Store,
    kind: Collection<'_>,
    record: &Value,
    (version, user): (&str, Option<&str>),
) -> Value {
    let Some(object) = record["attributes"]["type"].as_str() else {
        return failed(
            None,
            json!([{"statusCode": "INVALID_TYPE", "message": "Must send a concrete entity type.", "fields": []}]),
        );
    };
    let mut fields = record.clone();
    let id = fields
        .as_object_mut()
        .and_then(|m| {
            m.remove("attributes");
            m.remove("id").or_else(|| m.remove("Id"))
        })
        .and_then(|v| v.as_str().map(str::to_owned));
    let outcome = match kind {
        Collection::Create if id.is_some() => Err(ApiError::with_fields(
            400,
            "INVALID_FIELD",
            "The Id field should not be specified in the sobject data.",
            &[],
        )),
        Collection::Create => records::insert(store, object, &fields, None, (version, user))
            .map(|id| json!({"id": id, "success": true, "errors": []})),
        Collection::Update => match id {
            None => Err(ApiError::with_fields(
                400,
                "MISSING_ARGUMENT",
                "Id not specified in an update call",
                &[],
            )),
            Some(id) => records::update(store, object, &id, &fields)
                .map(|_| json!({"id": ids::normalize(&id), "success": true, "errors": []})),
        },
        Collection::Upsert(upsert_object, field) => upsert_one(
            store,
            (upsert_object, object, field),
            &mut fields,
            (version, user),
        ),
    };
    outcome.unwrap_or_else(|e| failed(None, item_errors(&e)))
}

fn upsert_one(
    store: &mut Store,
    (upsert_object, object, field): (&str, &str, &str),
    fields: &mut Value,
    (version, user): (&str, Option<&str>),
) -> Result<Value, ApiError> {
    if !upsert_object.eq_ignore_ascii_case(object) {
        let message =
            format!("Record type {object} does not match the call's object {upsert_object}");
        return Err(ApiError::with_fields(400, "INVALID_TYPE", &message, &[]));
    }
    let key = fields
        .as_object()
        .and_then(|m| m.keys().find(|k| k.eq_ignore_ascii_case(field)).cloned());
    let value = key
        .as_ref()
        .and_then(|k| fields.as_object_mut().and_then(|m| m.remove(k)))
        .and_then(|v| v.as_str().map(str::to_owned))
        .ok_or_else(|| {
            let message = format!("{field}: external id value is missing");
            ApiError::with_fields(400, "MISSING_ARGUMENT", &message, &[])
        })?;
    let out = records::upsert(store, object, (field, &value), fields, (version, user))?;
    match (out.status, out.body) {
        (300, _) => {
            let message = format!("{field}: more than one record found for external id field");
            Err(ApiError::with_fields(
                400,
                "DUPLICATE_EXTERNAL_ID",
                &message,
                &[],
            ))
        }
        (_, Some(body)) => Ok(json!({
            "id": body["id"], "success": true, "errors": [], "created": body["created"],
        })),
        (status, None) => {
            Ok(json!({"id": null, "success": true, "errors": [], "created": status == 201}))
        }
    }
}

/// Under all-or-none, any failure restores `before` and reports every other record as rolled back.
fn settle(store: &mut Store, before: Store, all_or_none: bool, results: Vec<Value>) -> Value {
    let any_failed = results.iter().any(|r| r["success"] != Value::Bool(true));
    if !(all_or_none && any_failed) {
        return Value::Array(results);
    }
    *store = before;
    let settled = results
        .into_iter()
        .map(|r| {
            if r["success"] == Value::Bool(true) {
                failed(None, json!([rolled_back()]))
            } else {
                r
            }
        })
        .collect();
    Value::Array(settled)
}

/// `DELETE /composite/sobjects?ids=...&allOrNone=`: one result per id, in id order.
pub fn delete(store: &mut Store, ids_param: &str, all_or_none: bool) -> Result<Value, ApiError> {
    let ids: Vec<&str> = ids_param
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() {
        return Err(ApiError::new(400, "MISSING_ARGUMENT", "ids is required"));
    }
    if ids.len() > MAX_RECORDS {
        return Err(too_many());
    }
    let before = store.clone();
    let results: Vec<Value> = ids
        .iter()
        .map(|id| {
            let object = store.object_of_id(id);
            let outcome = match object {
                Some(object) => records::delete(store, &object, id),
                None => Err(ApiError::with_fields(
                    400,
                    "MALFORMED_ID",
                    &format!("malformed id {id}"),
                    &[],
                )),
            };
            match outcome {
                Ok(_) => json!({"id": ids::normalize(id), "success": true, "errors": []}),
                Err(e) => failed(Some(id), item_errors(&e)),
            }
        })
        .collect();
    Ok(settle(store, before, all_or_none, results))
}
