//! Picklist values checked against the record type that applies to each record: the
//! `RecordTypeId` being set, else the record's current one, else the person's default (from
//! describe's `recordTypeInfos`). The values come from the UI API
//! (`/ui-api/object-info/{object}/picklist-values/{recordTypeId}`), cached like the describe;
//! dependent picklists are checked against their controlling field's value (`validFor`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::{Map, Value};

use super::{ChangeError, Changes, FieldChange};
use crate::salesforce::client::path_segment;
use crate::shown::{escaped, quoted};

/// The Master record type's id, the same in every org.
pub const MASTER_RECORD_TYPE_ID: &str = "012000000000000AAA";

/// UI API picklist values by connection, object and record type, with when they were read.
pub(super) type PicklistCache =
    Arc<Mutex<HashMap<(String, String, String), (Instant, Arc<Value>)>>>;

/// One record to check: the fields it sets and its current values (empty for a new record).
pub(super) struct ToCheck<'a> {
    /// The fields with their `after` values.
    pub fields: &'a [FieldChange],
    /// The record's current values.
    pub current: &'a Map<String, Value>,
}

fn record_types(d: &Value) -> impl Iterator<Item = &Value> {
    d["recordTypeInfos"].as_array().into_iter().flatten()
}

fn has_record_types(d: &Value) -> bool {
    record_types(d).any(|rt| rt["master"].as_bool() != Some(true))
}

fn is_dependent(d: &Value, name: &str) -> bool {
    d["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|f| f["name"] == name && f["dependentPicklist"].as_bool() == Some(true))
}

fn controller_of(d: &Value, name: &str) -> Option<String> {
    d["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["name"] == name)
        .and_then(|f| f["controllerName"].as_str())
        .map(str::to_owned)
}

/// Fields the current-value read needs for these checks: `RecordTypeId` on an object with
/// record types, and the controlling field of each dependent picklist being set.
pub fn extra_reads(d: &Value, names: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    if has_record_types(d) {
        out.push("RecordTypeId".to_owned());
    }
    out.extend(
        names
            .iter()
            .filter(|n| is_dependent(d, n))
            .filter_map(|n| controller_of(d, n)),
    );
    out
}

/// The record type id that applies, and its label for messages.
fn applying(d: &Value, r: &ToCheck<'_>) -> Option<String> {
    let set = r
        .fields
        .iter()
        .find(|f| f.name == "RecordTypeId")
        .and_then(|f| f.after.as_str());
    let current = r.current.get("RecordTypeId").and_then(Value::as_str);
    let default = || {
        record_types(d)
            .find(|rt| rt["defaultRecordTypeMapping"].as_bool() == Some(true))
            .and_then(|rt| rt["recordTypeId"].as_str())
    };
    set.or(current).or_else(default).map(|id| {
        crate::salesforce::ids::RecordId::parse(id).map_or(id.to_owned(), |i| i.as_str().to_owned())
    })
}

fn record_type_words(d: &Value, id: &str) -> String {
    match record_types(d).find(|rt| rt["recordTypeId"] == id) {
        Some(rt) => format!(
            "record type {} ({}, {})",
            quoted(rt["name"].as_str().unwrap_or("?")),
            escaped(rt["developerName"].as_str().unwrap_or("?")),
            escaped(id)
        ),
        None => format!("record type {}", escaped(id)),
    }
}

/// The problem with one field's value under the record type's picklist values, if any.
fn field_problem(
    d: &Value,
    rt: &str,
    values: &Value,
    f: &FieldChange,
    r: &ToCheck<'_>,
) -> Option<String> {
    let field = &values["picklistFieldValues"][f.name.as_str()];
    let given = f.after.as_str()?;
    if !field.is_object() {
        return None;
    }
    let allowed: Vec<&Value> = field["values"].as_array().into_iter().flatten().collect();
    let names: Vec<&str> = allowed.iter().filter_map(|v| v["value"].as_str()).collect();
    let label = format!("{} ({})", escaped(&f.label), escaped(&f.name));
    let Some(entry) = allowed.iter().find(|v| v["value"] == given) else {
        return Some(format!(
            "{label}: {} is not allowed for {}; it allows: {}",
            quoted(given),
            record_type_words(d, rt),
            names.join(", ")
        ));
    };
    let controllers = field["controllerValues"]
        .as_object()
        .filter(|c| !c.is_empty())?;
    let controller = controller_of(d, &f.name)?;
    let controlling = r
        .fields
        .iter()
        .find(|g| g.name == controller)
        .map(|g| g.after.clone())
        .or_else(|| r.current.get(&controller).cloned())
        .unwrap_or(Value::Null);
    let key = match &controlling {
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    };
    let index = controllers.get(&key).and_then(Value::as_u64);
    let valid = index.is_some_and(|i| {
        entry["validFor"]
            .as_array()
            .is_some_and(|v| v.iter().any(|x| x.as_u64() == Some(i)))
    });
    (!valid).then(|| {
        let fits: Vec<&str> = allowed
            .iter()
            .filter(|v| {
                index.is_some_and(|i| {
                    v["validFor"]
                        .as_array()
                        .is_some_and(|l| l.iter().any(|x| x.as_u64() == Some(i)))
                })
            })
            .filter_map(|v| v["value"].as_str())
            .collect();
        format!(
            "{label}: {} depends on {} and is not valid when it is {} (for {}); valid then: {}",
            quoted(given),
            escaped(&controller),
            crate::shown::value(&controlling),
            record_type_words(d, rt),
            if fits.is_empty() {
                "none".to_owned()
            } else {
                fits.join(", ")
            }
        )
    })
}

impl Changes {
    /// Checks each record's picklist values against its record type; the problems by record
    /// position (from 0). Objects without record types and without dependent picklists being
    /// set need no extra request.
    pub(super) async fn check_record_types(
        &self,
        user_id: i64,
        d: &Value,
        records: &[ToCheck<'_>],
    ) -> Result<Vec<(usize, String)>, ChangeError> {
        let typed = has_record_types(d);
        let mut problems = Vec::new();
        let mut connection = None;
        for (i, r) in records.iter().enumerate() {
            let picklists: Vec<&FieldChange> = r
                .fields
                .iter()
                .filter(|f| f.after.is_string())
                .filter(|f| typed || is_dependent(d, &f.name))
                .collect();
            if picklists.is_empty() {
                continue;
            }
            let rt = applying(d, r).unwrap_or_else(|| MASTER_RECORD_TYPE_ID.to_owned());
            if connection.is_none() {
                connection = Some(self.live_session(user_id).await?.key);
            }
            let key = connection.clone().unwrap_or_default();
            let values = self.picklist_values(user_id, &key, d, &rt).await?;
            problems.extend(
                picklists
                    .iter()
                    .filter_map(|f| field_problem(d, &rt, &values, f, r))
                    .map(|p| (i, p)),
            );
        }
        Ok(problems)
    }

    /// The UI API picklist values of the object for a record type, cached per connection for
    /// the describe's lifetime.
    async fn picklist_values(
        &self,
        user_id: i64,
        connection: &str,
        d: &Value,
        rt: &str,
    ) -> Result<Arc<Value>, ChangeError> {
        let object = d["name"].as_str().unwrap_or_default().to_owned();
        let key = (connection.to_owned(), object.clone(), rt.to_owned());
        let ttl = self.settings.describe_ttl;
        let cached = self.picklists.lock().ok().and_then(|cache| {
            cache
                .get(&key)
                .filter(|(at, _)| at.elapsed() < ttl)
                .map(|(_, v)| v.clone())
        });
        if let Some(values) = cached {
            return Ok(values);
        }
        let api = self.reads.api();
        let path = api.data_path(&format!(
            "ui-api/object-info/{}/picklist-values/{}",
            path_segment(&object).map_err(crate::reads::ReadError::from)?,
            path_segment(rt).map_err(crate::reads::ReadError::from)?
        ));
        let (reply, _) = self
            .reads
            .call(user_id, |s| {
                let p = path.clone();
                async move { api.read(&s, &p, &[], &[]).await }
            })
            .await?;
        let values = Arc::new(reply.body.unwrap_or(Value::Null));
        if let Ok(mut cache) = self.picklists.lock() {
            cache.insert(key, (Instant::now(), values.clone()));
        }
        Ok(values)
    }
}

impl Changes {
    /// The picklist values one record type of `object` allows (`record_type`: its id, developer
    /// name or label): `{record_type: {id, name, developer_name}, picklists: {Field: {values,
    /// controller?}}}`, for `describe_object` with `record_type`.
    pub async fn record_type_picklists(
        &self,
        user_id: i64,
        object: &str,
        record_type: &str,
    ) -> Result<Value, ChangeError> {
        let d = self.reads.describe(user_id, object).await?;
        let wanted = record_type.trim();
        let as_id = crate::salesforce::ids::RecordId::parse(wanted)
            .ok()
            .map(|i| i.as_str().to_owned());
        let found = record_types(&d).find(|rt| {
            as_id.as_deref().is_some_and(|id| rt["recordTypeId"] == id)
                || ["developerName", "name"].iter().any(|k| {
                    rt[*k]
                        .as_str()
                        .is_some_and(|v| v.eq_ignore_ascii_case(wanted))
                })
        });
        let Some(rt) = found.cloned() else {
            let known: Vec<String> = record_types(&d)
                .map(|rt| {
                    format!(
                        "{} ({}, {})",
                        quoted(rt["name"].as_str().unwrap_or("?")),
                        escaped(rt["developerName"].as_str().unwrap_or("?")),
                        escaped(rt["recordTypeId"].as_str().unwrap_or("?"))
                    )
                })
                .collect();
            return Err(ChangeError::BadInput(format!(
                "{} has no record type {}; its record types: {}",
                escaped(d["name"].as_str().unwrap_or(object)),
                quoted(wanted),
                known.join(", ")
            )));
        };
        let id = rt["recordTypeId"].as_str().unwrap_or(MASTER_RECORD_TYPE_ID);
        let live = self.live_session(user_id).await?;
        let values = self.picklist_values(user_id, &live.key, &d, id).await?;
        let picklists: Map<String, Value> = values["picklistFieldValues"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(field, v)| {
                let list: Vec<Value> = v["values"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p.get("value").cloned())
                    .collect();
                let mut entry = serde_json::json!({"values": list});
                if let Some(c) = controller_of(&d, field) {
                    entry["controller"] = Value::from(c);
                }
                (field.clone(), entry)
            })
            .collect();
        Ok(serde_json::json!({
            "record_type": {"id": id, "name": rt["name"], "developer_name": rt["developerName"]},
            "picklists": picklists,
        }))
    }
}
