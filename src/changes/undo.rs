//! `prepare_undo`: a new pending change that reverses one of the person's succeeded changes.
//! An update sets every field back to its `before` value; a create deletes what it created; an
//! upsert deletes what it created or restores what it updated. A delete cannot be undone
//! through the REST API (the records are in the Recycle Bin). Records whose values are no longer
//! the change's `after` values are drifted: the undo is refused unless `force`.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::batch::RecordChange;
use super::preview::records_of;
use super::{
    ChangeError, ChangeId, ChangeView, Changes, FieldChange, PrepareArgs, RecordItem, status,
};
use crate::shown::{escaped, value};
use crate::store::changes::ChangeRow;

/// Arguments of `prepare_undo`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UndoArgs {
    /// The change_id of one of your succeeded changes.
    pub change_id: String,
    /// Prepare the undo even if some records changed since (their current values are then the
    /// `before` of the undo).
    pub force: Option<bool>,
}

/// One record of the undo: what to do and the values it must still have.
struct Reverse {
    id: String,
    /// The fields to restore (update), none for a delete.
    restore: Option<Map<String, Value>>,
    /// The values the change left, which the record must still have.
    expected: Vec<FieldChange>,
}

fn bad(message: String) -> ChangeError {
    ChangeError::BadInput(message)
}

/// The id each record got: the result's `id` (single) or its item's `id` (several).
fn written_ids(row: &ChangeRow, count: usize) -> Vec<Option<String>> {
    let result: Value = row
        .result
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or(Value::Null);
    if count > 1 {
        return (0..count)
            .map(|i| result["items"][i]["id"].as_str().map(str::to_owned))
            .collect();
    }
    vec![result["id"].as_str().map(str::to_owned)]
}

fn created_flags(row: &ChangeRow, records: &[RecordChange]) -> Vec<bool> {
    let result: Value = row
        .result
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or(Value::Null);
    records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let said = if records.len() > 1 {
                result["items"][i]["created"].as_bool()
            } else {
                result["created"].as_bool()
            };
            said.unwrap_or(r.action.as_deref() == Some("create"))
        })
        .collect()
}

/// What reverses each record, and whether that is deletes (true) or updates (false).
fn reversal(row: &ChangeRow) -> Result<(bool, Vec<Reverse>), ChangeError> {
    let fields: Vec<FieldChange> = serde_json::from_str(&row.fields).unwrap_or_default();
    let records = records_of(row, &fields);
    let ids = written_ids(row, records.len());
    let created = match row.operation.as_str() {
        "create" => vec![true; records.len()],
        "update" => vec![false; records.len()],
        "upsert" => created_flags(row, &records),
        _ => {
            return Err(bad(format!(
                "Change {} deleted records; a delete cannot be undone through the Salesforce API. The records are in the Recycle Bin for 15 days: restore them there (App Launcher > Recycle Bin > select > Restore).",
                row.id
            )));
        }
    };
    let deletes = created.iter().all(|c| *c);
    if !deletes && created.iter().any(|c| *c) {
        return Err(bad(format!(
            "Change {} created some records and updated others; one undo does one operation. Undo its records as two changes with prepare_change: delete the created ones, update the others back.",
            row.id
        )));
    }
    let mut out = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let id = r.record_id.clone().or_else(|| ids[i].clone());
        let Some(id) = id else {
            return Err(bad(format!(
                "record {} of change {} has no id in Salesforce's answer, so it cannot be undone",
                i + 1,
                row.id
            )));
        };
        let restore = (!deletes).then(|| {
            r.fields
                .iter()
                .map(|f| (f.name.clone(), f.before.clone()))
                .collect()
        });
        out.push(Reverse {
            id,
            restore,
            expected: r.fields.clone(),
        });
    }
    Ok((deletes, out))
}

/// Whether a value read now is the value the change wrote (numbers and times compared as such).
fn same(now: &Value, wrote: &Value) -> bool {
    if now == wrote {
        return true;
    }
    if let (Some(a), Some(b)) = (now.as_f64(), wrote.as_f64()) {
        return (a - b).abs() < 1e-9;
    }
    match (now.as_str(), wrote.as_str()) {
        (Some(a), Some(b)) => {
            let parse = |t: &str| {
                chrono::DateTime::parse_from_rfc3339(t)
                    .or_else(|_| chrono::DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f%z"))
                    .ok()
            };
            matches!((parse(a), parse(b)), (Some(x), Some(y)) if x == y)
        }
        _ => false,
    }
}

impl Changes {
    /// Prepares the undo of one of the person's succeeded changes as its own pending change.
    pub async fn prepare_undo(
        &self,
        user_id: i64,
        args: UndoArgs,
    ) -> Result<ChangeView, ChangeError> {
        self.ensure_changes_allowed().await?;
        let id = ChangeId::parse(&args.change_id)?;
        let original = self.load(user_id, &id).await?;
        if original.status != status::SUCCEEDED {
            return Err(bad(format!(
                "Change {} is {}, not succeeded: only a change Salesforce applied can be undone.",
                original.id, original.status
            )));
        }
        let (deletes, reverse) = reversal(&original)?;
        let drifted = self.drifted_from(user_id, &original, &reverse).await?;
        if !drifted.is_empty() && args.force != Some(true) {
            return Err(bad(format!(
                "{} of the {} records changed since change {} ran, so undoing it would overwrite those changes:\n{}\nPrepare the undo with force: true to restore them anyway (the preview then shows their current values as before).",
                drifted.len(),
                reverse.len(),
                original.id,
                drifted.join("\n")
            )));
        }
        let records: Vec<RecordItem> = reverse
            .into_iter()
            .map(|r| RecordItem {
                record_id: Some(r.id),
                external_id_value: None,
                fields: r.restore,
            })
            .collect();
        let undo = PrepareArgs {
            operation: if deletes { "delete" } else { "update" }.into(),
            object: original.object.clone(),
            records: Some(records),
            ..PrepareArgs::default()
        };
        let mut row = self.plan_change(user_id, undo).await?;
        row.undoes = Some(original.id.clone());
        let view = self.store_prepared(user_id, row).await?;
        self.audit(
            user_id,
            "change.undo_prepared",
            &original.id,
            json!({"undone_by": view.change_id, "drifted": drifted, "force": args.force == Some(true)}),
        )
        .await?;
        Ok(view)
    }

    /// The records whose current values are no longer what the change wrote, in words.
    async fn drifted_from(
        &self,
        user_id: i64,
        original: &ChangeRow,
        reverse: &[Reverse],
    ) -> Result<Vec<String>, ChangeError> {
        let mut names = vec!["Id".to_owned()];
        for r in reverse {
            for f in &r.expected {
                if !names.contains(&f.name) {
                    names.push(f.name.clone());
                }
            }
        }
        let mut now = std::collections::HashMap::new();
        let keys: Vec<String> = reverse.iter().map(|r| r.id.clone()).collect();
        for ids in super::batch::in_lists(&keys) {
            let soql = format!(
                "SELECT {} FROM {} WHERE Id IN ({})",
                names.join(", "),
                original.object,
                ids.join(", ")
            );
            for record in self.query_all(user_id, &soql).await? {
                let id = record["Id"].as_str().unwrap_or_default().to_owned();
                now.insert(id, record);
            }
        }
        let mut drifted = Vec::new();
        for r in reverse {
            let Some(current) = now.get(&r.id) else {
                drifted.push(format!(
                    "  {}: no longer exists or cannot be seen",
                    escaped(&r.id)
                ));
                continue;
            };
            let changed: Vec<String> = r
                .expected
                .iter()
                .filter(|f| !same(&current[f.name.as_str()], &f.after))
                .map(|f| {
                    format!(
                        "{} is now {} (the change set {})",
                        escaped(&f.name),
                        value(&current[f.name.as_str()]),
                        value(&f.after)
                    )
                })
                .collect();
            if !changed.is_empty() {
                drifted.push(format!("  {}: {}", escaped(&r.id), changed.join("; ")));
            }
        }
        Ok(drifted)
    }
}
