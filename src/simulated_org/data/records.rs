//! Record resources: get, create, update, upsert and delete, with Salesforce's statuses.

use serde_json::{Map, Value, json};

use super::schema::ObjectDef;
use super::store::{Row, Store};
use super::validate::{self, Mode};
use super::{ApiError, WriteOutput, derive, ids, not_found};

fn object<'s>(store: &'s Store, name: &str) -> Result<(usize, &'s ObjectDef), ApiError> {
    let idx = store.index(name).ok_or_else(not_found)?;
    Ok((idx, &store.objects[idx]))
}

fn writable(obj: &ObjectDef, verb: &str) -> Result<(), ApiError> {
    if obj.writable {
        return Ok(());
    }
    let message = format!("entity type cannot be {verb}: {}", obj.label);
    Err(ApiError::new(400, "INVALID_TYPE_FOR_OPERATION", &message))
}

/// The 18-character id of a live record, or the errors Salesforce gives for a path id.
/// `deleted_status` is 404 for reads and 400 for writes.
fn live_id(
    store: &Store,
    obj: &ObjectDef,
    id: &str,
    deleted_status: u16,
) -> Result<String, ApiError> {
    let Some(id18) = ids::normalize(id) else {
        let message =
            format!("Provided external ID field does not exist or is not accessible: {id}");
        return Err(ApiError::new(404, "NOT_FOUND", &message));
    };
    match store.row(obj.name, &id18) {
        None => Err(not_found()),
        Some(row) if row.is_deleted() => Err(ApiError::with_fields(
            deleted_status,
            "ENTITY_IS_DELETED",
            "entity is deleted",
            &[],
        )),
        Some(_) => Ok(id18),
    }
}

fn record_url(version: &str, object: &str, id: &str) -> String {
    format!("/services/data/v{version}/sobjects/{object}/{id}")
}

/// GET a record, with all fields or the `?fields=` ones.
pub fn get(
    store: &Store,
    object_name: &str,
    id: &str,
    fields: Option<&[String]>,
    version: &str,
) -> Result<Value, ApiError> {
    let (_, obj) = object(store, object_name)?;
    let id18 = live_id(store, obj, id, 404)?;
    let Some(row) = store.row(obj.name, &id18) else {
        return Err(not_found());
    };
    let wanted = match fields {
        None => obj.fields.iter().collect::<Vec<_>>(),
        Some(list) => list
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(|name| {
                obj.field(name).ok_or_else(|| {
                    let message = format!("No such column '{name}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.", obj.name);
                    ApiError::new(400, "INVALID_FIELD", &message)
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    let mut out = Map::new();
    out.insert(
        "attributes".into(),
        json!({"type": obj.name, "url": record_url(version, obj.name, &id18)}),
    );
    for f in wanted {
        out.insert(f.name.into(), row.get(f.name).clone());
    }
    Ok(Value::Object(out))
}

/// POST a new record: 201 `{"id","errors":[],"success":true}`.
pub fn create(
    store: &mut Store,
    object_name: &str,
    body: &Value,
    version: &str,
    user: Option<&str>,
) -> Result<WriteOutput, ApiError> {
    let id = insert(store, object_name, body, None, (version, user))?;
    Ok(WriteOutput {
        status: 201,
        body: Some(json!({"id": id, "errors": [], "success": true})),
    })
}

/// Inserts one record (as `user`, whose default record type a Case gets); its new id.
pub fn insert(
    store: &mut Store,
    object_name: &str,
    body: &Value,
    external: Option<(&str, &str)>,
    (version, user): (&str, Option<&str>),
) -> Result<String, ApiError> {
    let (idx, obj) = object(store, object_name)?;
    writable(obj, "inserted")?;
    let mut values = validate::check_input(store, obj, body, Mode::Create)?;
    let given = values.clone();
    if let Some((field, value)) = external {
        values.insert(field.to_string(), Value::from(value));
    }
    let probability_given = values.contains_key("Probability");
    derive::apply_create_defaults(obj, &mut values, user);
    validate::check_record_type(obj, &given, &values)?;
    for f in &obj.fields {
        values.entry(f.name).or_insert(Value::Null);
    }
    let owner = Value::from(ids::make_id("005", 1));
    if values.get("OwnerId").is_some_and(Value::is_null) {
        values.insert("OwnerId".into(), owner.clone());
    }
    derive::recompute(obj, &mut values, probability_given);
    validate::check_record(store, obj, &values, None, version)?;
    let obj = obj.clone();
    let stamp = Value::from(store.stamp());
    let table = &mut store.tables[idx];
    let id = table.next_id(obj.key_prefix);
    values.insert("Id".into(), Value::from(id.clone()));
    values.insert("IsDeleted".into(), Value::Bool(false));
    for key in ["CreatedDate", "LastModifiedDate", "SystemModstamp"] {
        values.insert(key.into(), stamp.clone());
    }
    for key in ["CreatedById", "LastModifiedById"] {
        values.insert(key.into(), owner.clone());
    }
    if obj.name == "Case" {
        values.insert(
            "CaseNumber".into(),
            Value::from(format!("{:08}", 1000 + table.issued)),
        );
    }
    derive::recompute(&obj, &mut values, true);
    table.rows.insert(id.clone(), Row { values });
    Ok(id)
}

/// PATCH a record: 204.
pub fn update(
    store: &mut Store,
    object_name: &str,
    id: &str,
    body: &Value,
) -> Result<WriteOutput, ApiError> {
    let (_, obj) = object(store, object_name)?;
    writable(obj, "updated")?;
    let id18 = live_id(store, obj, id, 400)?;
    apply_update(store, object_name, &id18, body)?;
    Ok(WriteOutput {
        status: 204,
        body: None,
    })
}

/// Applies an update to a live record (`id18`): the merged record is validated, then stored.
pub fn apply_update(
    store: &mut Store,
    object_name: &str,
    id18: &str,
    body: &Value,
) -> Result<(), ApiError> {
    let (idx, obj) = object(store, object_name)?;
    let changes = validate::check_input(store, obj, body, Mode::Update)?;
    let Some(row) = store.row(obj.name, id18) else {
        return Err(not_found());
    };
    let mut values = row.values.clone();
    // Changing the stage resets the probability unless the caller sets it too.
    let probability_given =
        changes.contains_key("Probability") || !changes.contains_key("StageName");
    values.extend(changes.clone());
    validate::check_record_type(obj, &changes, &values)?;
    derive::recompute(obj, &mut values, probability_given);
    validate::check_record(store, obj, &values, Some(id18), "")?;
    let obj = obj.clone();
    let stamp = Value::from(store.stamp());
    values.insert("LastModifiedDate".into(), stamp.clone());
    values.insert("SystemModstamp".into(), stamp);
    derive::recompute(&obj, &mut values, true);
    store.tables[idx]
        .rows
        .insert(id18.to_string(), Row { values });
    Ok(())
}

/// PATCH by external id: create (201), update (200 with `created:false` from API 46.0, else 204),
/// or 300 with the matching record URLs.
pub fn upsert(
    store: &mut Store,
    object_name: &str,
    (field, value): (&str, &str),
    body: &Value,
    (version, user): (&str, Option<&str>),
) -> Result<WriteOutput, ApiError> {
    let (_, obj) = object(store, object_name)?;
    writable(obj, "updated")?;
    let (ext_name, object_name) = (external_field(obj, field)?, obj.name);
    let matches = external_matches(store, object_name, ext_name, value);
    if ext_name == "Id" && !value.is_empty() && matches.is_empty() {
        return Err(not_found());
    }
    // `created` and the 200 answer for updates arrived in API 46.0; before, updates were 204.
    let modern = version.parse::<f64>().map_or(true, |v| v >= 46.0);
    match matches.as_slice() {
        [] => {
            let external = (ext_name != "Id").then_some((ext_name, value));
            let id = insert(store, object_name, body, external, (version, user))?;
            Ok(upserted(201, &id, modern.then_some(true)))
        }
        [id] => {
            apply_update(store, object_name, id, body)?;
            if modern {
                Ok(upserted(200, id, Some(false)))
            } else {
                Ok(WriteOutput {
                    status: 204,
                    body: None,
                })
            }
        }
        many => {
            let urls: Vec<String> = many
                .iter()
                .map(|id| record_url(version, object_name, id))
                .collect();
            Ok(WriteOutput {
                status: 300,
                body: Some(json!(urls)),
            })
        }
    }
}

fn upserted(status: u16, id: &str, created: Option<bool>) -> WriteOutput {
    let mut body = json!({"id": id, "errors": [], "success": true});
    if let Some(created) = created {
        body["created"] = Value::Bool(created);
    }
    WriteOutput {
        status,
        body: Some(body),
    }
}

/// Ids of the live records whose external id field `ext_name` equals `value` (ignoring case).
fn external_matches(store: &Store, object_name: &str, ext_name: &str, value: &str) -> Vec<String> {
    if ext_name == "Id" {
        let id = ids::normalize(value);
        return id
            .into_iter()
            .filter(|id| store.row(object_name, id).is_some_and(|r| !r.is_deleted()))
            .collect();
    }
    let Some(table) = store.table(object_name) else {
        return Vec::new();
    };
    table
        .live()
        .filter(|r| {
            r.get(ext_name)
                .as_str()
                .is_some_and(|v| v.eq_ignore_ascii_case(value))
        })
        .map(|r| r.id().to_string())
        .collect()
}

/// Ids of the records matching an external id value (for GET/DELETE by external id), or 404
/// NOT_FOUND "Provided external ID field does not exist or is not accessible: X".
pub fn find_by_external_id(
    store: &Store,
    object_name: &str,
    field: &str,
    value: &str,
) -> Result<Vec<String>, ApiError> {
    let (_, obj) = object(store, object_name)?;
    let ext = external_field(obj, field)?;
    Ok(external_matches(store, obj.name, ext, value))
}

fn external_field(obj: &ObjectDef, field: &str) -> Result<&'static str, ApiError> {
    obj.field(field)
        .filter(|f| f.external_id || f.name == "Id")
        .map(|f| f.name)
        .ok_or_else(|| {
            let message =
                format!("Provided external ID field does not exist or is not accessible: {field}");
            ApiError::new(404, "NOT_FOUND", &message)
        })
}

/// DELETE a record to the recycle bin: 204; a second delete is 400 ENTITY_IS_DELETED.
pub fn delete(store: &mut Store, object_name: &str, id: &str) -> Result<WriteOutput, ApiError> {
    let (idx, obj) = object(store, object_name)?;
    writable(obj, "deleted")?;
    let id18 = live_id(store, obj, id, 400)?;
    let stamp = Value::from(store.stamp());
    if let Some(row) = store.tables[idx].rows.get_mut(&id18) {
        row.values.insert("IsDeleted".into(), Value::Bool(true));
        row.values.insert("SystemModstamp".into(), stamp);
    }
    Ok(WriteOutput {
        status: 204,
        body: None,
    })
}
