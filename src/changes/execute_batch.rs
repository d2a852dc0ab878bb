//! Executing a change of several records: the `SystemModstamp` of every record is read again
//! in one query (any drift: `conflict`, nothing written), then one sObject Collections request
//! with `allOrNone: true` is sent once. Each record's outcome is kept.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::batch::{RecordChange, in_lists};
use super::execute::{failure, outcome_of_error};
use super::{ChangeError, Changes, status};
use crate::reads::ReadError;
use crate::salesforce::client::Reply;
use crate::store::changes::ChangeRow;

/// Exactly what the collections request sends for each record: its previewed `after` values,
/// with `attributes.type`, plus `id` (update) or the external id value (upsert).
pub(super) fn batch_records(row: &ChangeRow, records: &[RecordChange]) -> Vec<Value> {
    records
        .iter()
        .map(|r| {
            let mut map = Map::new();
            map.insert("attributes".into(), json!({"type": row.object}));
            match row.operation.as_str() {
                "update" => {
                    map.insert("id".into(), json!(r.record_id));
                }
                "upsert" => {
                    let field = row.external_id_field.clone().unwrap_or_default();
                    map.insert(field, json!(r.external_id_value));
                }
                _ => {}
            }
            for f in &r.fields {
                map.insert(f.name.clone(), f.after.clone());
            }
            Value::Object(map)
        })
        .collect()
}

/// The ids a collections delete sends.
pub(super) fn batch_ids(records: &[RecordChange]) -> Vec<String> {
    records.iter().filter_map(|r| r.record_id.clone()).collect()
}

impl Changes {
    /// Checks every record, then sends the one collections write. The final status and what
    /// Salesforce answered (with one item per record).
    pub(super) async fn execute_batch(
        &self,
        user_id: i64,
        row: &ChangeRow,
        records: &[RecordChange],
    ) -> (&'static str, Value) {
        match self.drifted(user_id, row, records).await {
            Ok(drifted) if drifted.is_empty() => {}
            Ok(drifted) => {
                let message = format!(
                    "{} of the {} records changed in Salesforce after the preview; nothing was written",
                    drifted.len(),
                    records.len()
                );
                return (
                    status::CONFLICT,
                    json!({"error": message, "drifted": drifted}),
                );
            }
            Err(e) => {
                let text = format!(
                    "could not check the records before writing, so nothing was written: {e}"
                );
                return (status::FAILED, failure(&text, None));
            }
        }
        if !self.renew_lease(&row.id).await {
            let text = "the change stopped executing here before its write (its lease ran out and it was marked unknown); nothing was sent";
            return (status::UNKNOWN, failure(text, None));
        }
        match self.send_batch(user_id, row, records).await {
            Ok(reply) => {
                let (outcome, mut result) = outcome_of_items(records, &reply);
                if outcome == status::SUCCEEDED {
                    self.link(user_id, row, &mut result).await;
                }
                (outcome, result)
            }
            Err(e) => outcome_of_error(e),
        }
    }

    /// The records whose `SystemModstamp` (or, for an upsert, whose match) is no longer the
    /// previewed one; read with one query per 200 records.
    async fn drifted(
        &self,
        user_id: i64,
        row: &ChangeRow,
        records: &[RecordChange],
    ) -> Result<Vec<Value>, ChangeError> {
        let (key_field, keyed): (String, Vec<(String, &RecordChange)>) =
            match row.operation.as_str() {
                "update" | "delete" => (
                    "Id".into(),
                    records
                        .iter()
                        .filter_map(|r| r.record_id.clone().map(|id| (id, r)))
                        .collect(),
                ),
                "upsert" => (
                    row.external_id_field.clone().unwrap_or_default(),
                    records
                        .iter()
                        .filter_map(|r| r.external_id_value.clone().map(|v| (v, r)))
                        .collect(),
                ),
                _ => return Ok(Vec::new()),
            };
        let mut now: HashMap<String, Vec<(String, String)>> = HashMap::new();
        let keys: Vec<String> = keyed.iter().map(|(k, _)| k.clone()).collect();
        for values in in_lists(&keys) {
            let select = if key_field == "Id" {
                "Id, SystemModstamp".to_owned()
            } else {
                format!("Id, SystemModstamp, {key_field}")
            };
            let soql = format!(
                "SELECT {select} FROM {} WHERE {key_field} IN ({})",
                row.object,
                values.join(", ")
            );
            for r in self.query_all(user_id, &soql).await? {
                let text = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
                now.entry(text(&key_field).to_ascii_lowercase())
                    .or_default()
                    .push((text("Id"), text("SystemModstamp")));
            }
        }
        let drifted = keyed
            .iter()
            .filter(|(key, r)| {
                let current = now.get(&key.to_ascii_lowercase()).map(Vec::as_slice);
                let expected = match (&r.record_id, &r.system_modstamp) {
                    (Some(id), Some(stamp)) => Some((id.clone(), stamp.clone())),
                    _ => None,
                };
                match (current.unwrap_or_default(), expected) {
                    ([], None) => false,
                    ([one], Some(expected)) => *one != expected,
                    _ => true,
                }
            })
            .map(|(key, r)| json!({"record_id": r.record_id, "key": key, "previewed_system_modstamp": r.system_modstamp}))
            .collect();
        Ok(drifted)
    }

    async fn send_batch(
        &self,
        user_id: i64,
        row: &ChangeRow,
        records: &[RecordChange],
    ) -> Result<Reply, ReadError> {
        let api = self.reads.api();
        let body = batch_records(row, records);
        let ids = batch_ids(records);
        let object = row.object.as_str();
        let field = row.external_id_field.clone().unwrap_or_default();
        let operation = row.operation.as_str();
        let (reply, _) = self
            .reads
            .call(user_id, |s| {
                let (body, ids, field) = (&body, &ids, &field);
                async move {
                    match operation {
                        "create" => api.create_collection(&s, body).await,
                        "update" => api.update_collection(&s, body).await,
                        "upsert" => api.upsert_collection(&s, object, field, body).await,
                        _ => api.delete_collection(&s, ids).await,
                    }
                }
            })
            .await?;
        Ok(reply)
    }
}

/// `succeeded` when every record succeeded, else `failed` (all or none: nothing was written),
/// with one item per record: its position, previewed id, id, success, created and errors.
fn outcome_of_items(records: &[RecordChange], reply: &Reply) -> (&'static str, Value) {
    let answers = reply
        .body
        .as_ref()
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let items: Vec<Value> = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let a = answers.get(i).cloned().unwrap_or(Value::Null);
            json!({
                "position": i + 1,
                "record_id": r.record_id,
                "id": a["id"],
                "success": a["success"].as_bool() == Some(true),
                "created": a.get("created").cloned().unwrap_or(Value::Null),
                "errors": a.get("errors").cloned().unwrap_or_else(|| json!([])),
            })
        })
        .collect();
    let all = answers.len() == records.len() && items.iter().all(|i| i["success"] == true);
    let outcome = if all {
        status::SUCCEEDED
    } else {
        status::FAILED
    };
    let mut result = json!({"items": items, "http_status": reply.status, "count": records.len()});
    if !all {
        result["error"] = Value::from(
            "Salesforce refused at least one record, so under all-or-none nothing was written",
        );
    }
    (outcome, result)
}
