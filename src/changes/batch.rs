//! `prepare_change` with `records`: up to 200 records of one object and one operation in one
//! pending change. Every item is validated as a single change would be; the current values and
//! `SystemModstamp` of every record come from one SOQL query per 200 ids.

use std::collections::{HashMap, HashSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::prepare::{check_shape, name_field};
use super::record_types::ToCheck;
use super::validate::{self, Mode, Planned};
use super::{ChangeError, Changes, FieldChange, Operation, PrepareArgs};
use crate::reads::compact_record;
use crate::salesforce::ids::RecordId;
use crate::salesforce::soql::quote_literal;
use crate::shown::escaped;

/// The most records one change holds (one sObject Collections request).
pub const MAX_RECORDS: usize = 200;

/// One record of `prepare_change.records`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordItem {
    /// update and delete: the record (15 or 18 characters).
    pub record_id: Option<String>,
    /// upsert: the value of the change's external_id_field to match.
    pub external_id_value: Option<String>,
    /// create, update and upsert: field API names and new values.
    pub fields: Option<Map<String, Value>>,
}

/// One record of a change with its field changes, as previewed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordChange {
    /// The record (absent for a record still to be created).
    pub record_id: Option<String>,
    /// The record's name, when known.
    pub record_name: Option<String>,
    /// The record's Lightning page.
    pub url: Option<String>,
    /// Upsert: the external id value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id_value: Option<String>,
    /// Upsert: "create" (nothing matches now) or "update".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The record's `SystemModstamp` when previewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_modstamp: Option<String>,
    /// Exactly the fields that will be sent for this record, with before and after.
    pub fields: Vec<FieldChange>,
}

/// How an item is named in errors: its position (from 1) and its record.
fn item_name(i: usize, item: &RecordItem) -> String {
    match (&item.record_id, &item.external_id_value) {
        (Some(id), _) => format!("item {} (record {})", i + 1, escaped(id)),
        (None, Some(v)) => format!("item {} (external id {})", i + 1, escaped(v)),
        _ => format!("item {}", i + 1),
    }
}

/// The error for a list of bad items: each named, and that nothing was stored.
fn bad_items(problems: &[String], count: usize) -> ChangeError {
    ChangeError::BadInput(format!(
        "{} of the {count} records cannot be changed as given, so nothing was prepared. Fix these and call prepare_change again:\n{}",
        problems.len(),
        problems.join("\n")
    ))
}

/// One item's planned fields, its current values, and whether it creates a record.
type ItemPlan = (Vec<Planned>, Map<String, Value>, bool);

/// The record's current values by Id (or by external id value, lowercased).
type Found = HashMap<String, Map<String, Value>>;

impl Changes {
    /// Prepares a change of several records (`args.records`); see [`Changes::prepare`].
    pub(super) async fn prepare_records(
        &self,
        user_id: i64,
        op: Operation,
        args: &PrepareArgs,
        d: &Value,
    ) -> Result<(Vec<RecordChange>, Option<String>), ChangeError> {
        let items = args.records.clone().unwrap_or_default();
        let ext = match op {
            Operation::Upsert => Some(validate::external_id_field(
                d,
                args.external_id_field.as_deref().unwrap_or_default(),
            )?),
            _ => None,
        };
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        for (i, item) in items.iter().enumerate() {
            let single = PrepareArgs {
                operation: args.operation.clone(),
                object: args.object.clone(),
                record_id: item.record_id.clone(),
                external_id_field: args.external_id_field.clone(),
                external_id_value: item.external_id_value.clone(),
                fields: item.fields.clone(),
                records: None,
            };
            let key = match check_shape(op, &single).and_then(|()| item_key(op, item)) {
                Ok(key) => key,
                Err(e) => {
                    problems.push(format!("{}: {e}", item_name(i, item)));
                    continue;
                }
            };
            if let Some(key) = key.filter(|k| !seen.insert(k.to_ascii_lowercase())) {
                problems.push(format!(
                    "{}: {} is given twice: give each record once.",
                    item_name(i, item),
                    escaped(&key)
                ));
            }
        }
        if !problems.is_empty() {
            return Err(bad_items(&problems, items.len()));
        }
        let found = self
            .read_current(user_id, d, op, &items, ext.as_deref())
            .await?;
        let instance = self.instance_url(user_id).await?;
        let object = d["name"].as_str().unwrap_or_default().to_owned();
        let name = name_field(d);
        let mut records = Vec::with_capacity(items.len());
        let mut currents = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match plan_item(d, op, item, &found, ext.as_deref()) {
                Ok((planned, current, creates)) => {
                    let text = |k: &str| current.get(k).and_then(Value::as_str).map(str::to_owned);
                    let id = text("Id");
                    records.push(RecordChange {
                        url: id
                            .as_deref()
                            .map(|id| crate::salesforce::links::record_url(&instance, &object, id)),
                        record_name: name.as_deref().and_then(text),
                        system_modstamp: text("SystemModstamp"),
                        record_id: id,
                        external_id_value: item.external_id_value.clone(),
                        action: (op == Operation::Upsert)
                            .then(|| if creates { "create" } else { "update" }.to_owned()),
                        fields: field_changes(planned, &current),
                    });
                    currents.push((i, current));
                }
                Err(e) => problems.push(format!("{}: {e}", item_name(i, item))),
            }
        }
        if !problems.is_empty() {
            return Err(bad_items(&problems, items.len()));
        }
        let checks: Vec<ToCheck<'_>> = records
            .iter()
            .zip(&currents)
            .map(|(r, (_, current))| ToCheck {
                fields: &r.fields,
                current,
            })
            .collect();
        for (at, problem) in self.check_record_types(user_id, d, &checks).await? {
            let i = currents[at].0;
            problems.push(format!("{}: {problem}", item_name(i, &items[i])));
        }
        if !problems.is_empty() {
            return Err(bad_items(&problems, items.len()));
        }
        Ok((records, ext))
    }

    /// The person's live Salesforce session (instance URL, and the connection key for caches).
    pub(super) async fn live_session(
        &self,
        user_id: i64,
    ) -> Result<crate::connections::LiveSession, ChangeError> {
        Ok(self
            .reads
            .connections()
            .session(user_id)
            .await
            .map_err(crate::reads::ReadError::from)?)
    }

    /// The connection's instance URL (for record links).
    pub(super) async fn instance_url(&self, user_id: i64) -> Result<String, ChangeError> {
        Ok(self.live_session(user_id).await?.session.instance_url)
    }

    /// The current values of the items' records: by Id (update, delete) or by external id value
    /// (upsert), with one query per 200 records; an id that matches nothing is an error naming it.
    async fn read_current(
        &self,
        user_id: i64,
        d: &Value,
        op: Operation,
        items: &[RecordItem],
        ext: Option<&str>,
    ) -> Result<Found, ChangeError> {
        let object = d["name"].as_str().unwrap_or_default().to_owned();
        let (key_field, keys): (String, Vec<String>) = match (op, ext) {
            (Operation::Update | Operation::Delete, _) => (
                "Id".into(),
                items
                    .iter()
                    .filter_map(|i| i.record_id.as_deref())
                    .filter_map(|id| RecordId::parse(id).ok())
                    .map(|id| id.as_str().to_owned())
                    .collect(),
            ),
            (Operation::Upsert, Some(ext)) => (
                ext.to_owned(),
                items
                    .iter()
                    .filter_map(|i| i.external_id_value.clone())
                    .collect(),
            ),
            _ => return Ok(Found::new()),
        };
        let list = read_list(d, items, ext);
        let mut found = Found::new();
        for values in in_lists(&keys) {
            let soql = format!(
                "SELECT {} FROM {object} WHERE {key_field} IN ({})",
                list.join(", "),
                values.join(", ")
            );
            for record in self.query_all(user_id, &soql).await? {
                let record = compact_record(record);
                let key = record[key_field.as_str()]
                    .as_str()
                    .map(str::to_ascii_lowercase)
                    .unwrap_or_default();
                let values = record.as_object().cloned().unwrap_or_default();
                if op == Operation::Upsert && found.contains_key(&key) {
                    found.insert(key, Map::new());
                } else {
                    found.insert(key, values);
                }
            }
        }
        Ok(found)
    }

    /// Every row of a query, following `nextRecordsUrl`.
    pub(super) async fn query_all(
        &self,
        user_id: i64,
        soql: &str,
    ) -> Result<Vec<Value>, ChangeError> {
        let api = self.reads.api();
        let (reply, _) = self
            .reads
            .call(user_id, |s| {
                let q = soql.to_owned();
                async move { api.query(&s, &q).await }
            })
            .await?;
        let mut body = reply.body.unwrap_or(Value::Null);
        let mut rows = Vec::new();
        loop {
            rows.extend(body["records"].as_array().cloned().unwrap_or_default());
            let Some(next) = body["nextRecordsUrl"].as_str().map(str::to_owned) else {
                return Ok(rows);
            };
            let (reply, _) = self
                .reads
                .call(user_id, |s| {
                    let n = next.clone();
                    async move { api.query_more(&s, &n).await }
                })
                .await?;
            body = reply.body.unwrap_or(Value::Null);
        }
    }
}

/// Keys as quoted SOQL literals, grouped for `IN (...)` lists: at most 200 per query, and short
/// enough that the query stays far below Salesforce's 16,384-byte URI limit once URL-encoded
/// (200 record ids always fit in one; long external id values take more queries).
pub(super) fn in_lists(keys: &[String]) -> Vec<Vec<String>> {
    const BUDGET: usize = 4_500;
    let mut lists: Vec<Vec<String>> = Vec::new();
    let mut used = 0;
    for key in keys {
        let literal = quote_literal(key);
        let full = lists
            .last()
            .is_none_or(|l| l.len() >= MAX_RECORDS || used + literal.len() + 2 > BUDGET);
        if full {
            lists.push(Vec::new());
            used = 0;
        }
        used += literal.len() + 2;
        if let Some(list) = lists.last_mut() {
            list.push(literal);
        }
    }
    lists
}

/// The key an item is matched by (its id or external id value), checked.
fn item_key(op: Operation, item: &RecordItem) -> Result<Option<String>, ChangeError> {
    match op {
        Operation::Update | Operation::Delete => {
            let id = RecordId::parse(item.record_id.as_deref().unwrap_or_default())
                .map_err(|e| ChangeError::BadInput(e.to_string()))?;
            Ok(Some(id.as_str().to_owned()))
        }
        Operation::Upsert => {
            let value = item.external_id_value.clone().unwrap_or_default();
            if value.trim().is_empty() || crate::salesforce::client::path_segment(&value).is_err() {
                return Err(ChangeError::BadInput(
                    "external_id_value is empty or not a value an upsert can match".into(),
                ));
            }
            Ok(Some(value))
        }
        Operation::Create => Ok(None),
    }
}

/// Id, name field, SystemModstamp, the external id and every field any item sets, each once.
fn read_list(d: &Value, items: &[RecordItem], ext: Option<&str>) -> Vec<String> {
    let mut list = vec!["Id".to_owned()];
    list.extend(name_field(d));
    list.push("SystemModstamp".to_owned());
    list.extend(ext.map(str::to_owned));
    let names: Vec<String> = items
        .iter()
        .flat_map(|i| i.fields.iter().flat_map(|f| f.keys()))
        .filter_map(|key| validate::field(d, key).ok())
        .filter_map(|f| f["name"].as_str().map(str::to_owned))
        .collect();
    for name in names
        .iter()
        .cloned()
        .chain(super::record_types::extra_reads(d, &names))
    {
        if !list.contains(&name) {
            list.push(name);
        }
    }
    list
}

/// One item's planned fields, its current values, and whether it creates a record.
fn plan_item(
    d: &Value,
    op: Operation,
    item: &RecordItem,
    found: &Found,
    ext: Option<&str>,
) -> Result<ItemPlan, ChangeError> {
    let proposed = item.fields.clone().unwrap_or_default();
    let lookup = |key: &str| found.get(&key.to_ascii_lowercase());
    match op {
        Operation::Create => {
            let planned = validate::plan(d, &proposed, Mode::Create)?;
            validate::required_present(d, &planned, None)?;
            Ok((planned, Map::new(), true))
        }
        Operation::Update | Operation::Delete => {
            let id = RecordId::parse(item.record_id.as_deref().unwrap_or_default())
                .map_err(|e| ChangeError::BadInput(e.to_string()))?;
            let current = lookup(id.as_str()).cloned().ok_or_else(|| {
                ChangeError::BadInput(format!(
                    "no {} record has id {} (or you cannot see it)",
                    d["name"].as_str().unwrap_or("?"),
                    id.as_str()
                ))
            })?;
            Ok((validate::plan(d, &proposed, Mode::Update)?, current, false))
        }
        Operation::Upsert => {
            let ext = ext.unwrap_or_default();
            if proposed.keys().any(|k| k.eq_ignore_ascii_case(ext)) {
                return Err(ChangeError::BadInput(format!(
                    "{ext} is the external id: give its value as external_id_value, not in fields."
                )));
            }
            match lookup(item.external_id_value.as_deref().unwrap_or_default()) {
                None => {
                    let planned = validate::plan(d, &proposed, Mode::Create)?;
                    validate::required_present(d, &planned, Some(ext))?;
                    Ok((planned, Map::new(), true))
                }
                Some(current) if current.is_empty() => Err(ChangeError::BadInput(format!(
                    "{ext} matches several records, so an upsert would change nothing; use update with their ids."
                ))),
                Some(current) => Ok((
                    validate::plan(d, &proposed, Mode::Update)?,
                    current.clone(),
                    false,
                )),
            }
        }
    }
}

/// The planned fields with the record's current values as `before`.
pub(super) fn field_changes(
    planned: Vec<Planned>,
    current: &Map<String, Value>,
) -> Vec<FieldChange> {
    planned
        .into_iter()
        .map(|p| FieldChange {
            before: current.get(&p.name).cloned().unwrap_or(Value::Null),
            name: p.name,
            label: p.label,
            after: p.after,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::in_lists;

    #[test]
    fn two_hundred_ids_are_one_in_list_and_long_values_are_split_below_the_uri_limit() {
        let ids: Vec<String> = (0..200).map(|n| format!("001Dx{n:010}IAA")).collect();
        assert_eq!(in_lists(&ids).len(), 1);
        let long: Vec<String> = (0..200).map(|n| format!("{n:0>200}")).collect();
        let lists = in_lists(&long);
        assert!(lists.len() > 1);
        assert_eq!(lists.iter().map(Vec::len).sum::<usize>(), 200);
        assert!(lists.iter().all(|l| l.join(", ").len() <= 4_500));
        assert_eq!(in_lists(&[]).len(), 0);
    }
}
