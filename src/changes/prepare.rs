//! `prepare_change`: validate, read the current record, store a pending change. Reads only:
//! nothing is written to Salesforce here.

use serde_json::{Map, Value, json};

use super::batch::{MAX_RECORDS, RecordChange, field_changes};
use super::validate::{self, Mode, Planned};
use super::{ChangeError, ChangeId, ChangeView, Changes, Operation, PrepareArgs, status};
use crate::reads::compact_record;
use crate::salesforce::ids::RecordId;
use crate::salesforce::soql::quote_literal;
use crate::store::changes::ChangeRow;
use crate::store::{self, timestamp};

/// The record as it is now.
#[derive(Debug, Default)]
struct Current {
    id: Option<String>,
    name: Option<String>,
    modstamp: Option<String>,
    values: Map<String, Value>,
}

fn bad(message: &str) -> ChangeError {
    ChangeError::BadInput(message.to_owned())
}

/// Which arguments each operation takes.
pub(super) fn check_shape(op: Operation, args: &PrepareArgs) -> Result<(), ChangeError> {
    let has_fields = args.fields.as_ref().is_some_and(|f| !f.is_empty());
    let has_ext = args.external_id_field.is_some() || args.external_id_value.is_some();
    match op {
        Operation::Create if args.record_id.is_some() => Err(bad(
            "create makes a new record: leave out record_id (use update to change an existing record).",
        )),
        Operation::Create | Operation::Upsert if !has_fields => Err(bad(
            "fields is empty: give the field API names and values to set, e.g. {\"Name\": \"Acme\"}.",
        )),
        Operation::Update | Operation::Delete if args.record_id.is_none() => Err(bad(
            "record_id is required for update and delete: give the 15 or 18 character id of the record.",
        )),
        Operation::Update if !has_fields => Err(bad(
            "fields is empty: give the fields to change and their new values.",
        )),
        Operation::Delete if has_fields => Err(bad("delete takes no fields: leave out fields.")),
        Operation::Upsert
            if args.external_id_field.is_none() || args.external_id_value.is_none() =>
        {
            Err(bad(
                "upsert needs external_id_field and external_id_value (the external id to match).",
            ))
        }
        Operation::Upsert if args.record_id.is_some() => Err(bad(
            "upsert matches by external id: leave out record_id (use update to change a record by id).",
        )),
        Operation::Create | Operation::Update | Operation::Delete if has_ext => Err(bad(
            "external_id_field and external_id_value are only for upsert.",
        )),
        _ => Ok(()),
    }
}

pub(super) fn name_field(describe: &Value) -> Option<String> {
    describe["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["nameField"].as_bool() == Some(true))
        .and_then(|f| f["name"].as_str())
        .map(str::to_owned)
}

/// Id, name field, SystemModstamp and the planned fields, each once.
fn read_list(describe: &Value, planned: &[Planned]) -> Vec<String> {
    let mut list = vec!["Id".to_owned()];
    list.extend(name_field(describe));
    list.push("SystemModstamp".to_owned());
    let names: Vec<String> = planned.iter().map(|p| p.name.clone()).collect();
    for name in names
        .iter()
        .cloned()
        .chain(super::record_types::extra_reads(describe, &names))
    {
        if !list.contains(&name) {
            list.push(name);
        }
    }
    list
}

fn current_from(describe: &Value, record: Value) -> Current {
    let record = compact_record(record);
    let text = |k: &str| record[k].as_str().map(str::to_owned);
    Current {
        id: text("Id"),
        name: name_field(describe).and_then(|n| text(&n)),
        modstamp: text("SystemModstamp"),
        values: record.as_object().cloned().unwrap_or_default(),
    }
}

/// A `records` list of one item is the single-record form; checks the list's size and that the
/// per-record arguments are given in the items.
fn single_form(args: PrepareArgs) -> Result<PrepareArgs, ChangeError> {
    let Some(items) = &args.records else {
        return Ok(args);
    };
    if items.is_empty() || items.len() > MAX_RECORDS {
        return Err(ChangeError::BadInput(format!(
            "records takes 1 to {MAX_RECORDS} items (one sObject Collections request); you gave {}. Split the change into several of at most {MAX_RECORDS} records.",
            items.len()
        )));
    }
    if args.record_id.is_some() || args.fields.is_some() || args.external_id_value.is_some() {
        return Err(bad(
            "with records, give record_id, external_id_value and fields inside each item, not beside records.",
        ));
    }
    if items.len() > 1 {
        return Ok(args);
    }
    let one = items[0].clone();
    Ok(PrepareArgs {
        record_id: one.record_id,
        external_id_value: one.external_id_value,
        fields: one.fields,
        records: None,
        ..args
    })
}

impl Changes {
    /// Validates a proposed change (one record, or up to 200 in `records`), reads the current
    /// values, and stores it as pending.
    pub async fn prepare(
        &self,
        user_id: i64,
        args: PrepareArgs,
    ) -> Result<ChangeView, ChangeError> {
        self.ensure_changes_allowed().await?;
        let row = self.plan_change(user_id, args).await?;
        self.store_prepared(user_id, row).await
    }

    /// Validates a proposed change and reads the current values: the row to store, not stored.
    pub(super) async fn plan_change(
        &self,
        user_id: i64,
        args: PrepareArgs,
    ) -> Result<ChangeRow, ChangeError> {
        let op = Operation::parse(&args.operation)?;
        let args = single_form(args)?;
        if args.records.is_none() {
            check_shape(op, &args)?;
        }
        let d = self.reads.describe(user_id, &args.object).await?;
        validate::object_allows(&d, op)?;
        let object = d["name"].as_str().unwrap_or(&args.object).to_owned();
        let mut row = ChangeRow {
            operation: op.as_str().to_owned(),
            object: object.clone(),
            object_label: d["label"].as_str().unwrap_or(&object).to_owned(),
            ..ChangeRow::default()
        };
        let records = if args.records.is_some() {
            let (records, ext) = self.prepare_records(user_id, op, &args, &d).await?;
            row.external_id_field = ext;
            row.fields = "[]".to_owned();
            records
        } else {
            let one = self.prepare_one(user_id, op, &args, &d, &mut row).await?;
            vec![one]
        };
        row.records = serde_json::to_string(&records).ok();
        Ok(row)
    }

    /// Stores a prepared change as pending, with its expiry, and audits it.
    pub(super) async fn store_prepared(
        &self,
        user_id: i64,
        mut row: ChangeRow,
    ) -> Result<ChangeView, ChangeError> {
        row.id = ChangeId::random().as_str().to_owned();
        row.user_id = user_id;
        row.status = status::PENDING.to_owned();
        let now = chrono::Utc::now();
        row.created_at = timestamp(now);
        // The lifetime in force now (and read-only once more, after the Salesforce reads).
        let policies = self.ensure_changes_allowed().await?;
        let ttl = chrono::Duration::from_std(policies.change_ttl.value)
            .unwrap_or(chrono::Duration::minutes(15));
        row.expires_at = timestamp(now + ttl);
        let stored = row.clone();
        self.store
            .call(move |c| store::changes::insert(c, &stored))
            .await?;
        let view = ChangeView::from_row(&row);
        let detail = json!({"operation": row.operation, "object": row.object, "record_id": row.record_id, "fields": view.fields, "count": view.count, "records": view.records, "undoes": row.undoes, "expires_at": row.expires_at});
        self.audit(user_id, "change.prepare", &row.id, detail)
            .await?;
        Ok(view)
    }

    /// The single-record form: validates, reads the record, fills `row`; the one record.
    async fn prepare_one(
        &self,
        user_id: i64,
        op: Operation,
        args: &PrepareArgs,
        d: &Value,
        row: &mut ChangeRow,
    ) -> Result<RecordChange, ChangeError> {
        let proposed = args.fields.clone().unwrap_or_default();
        let (planned, current) = match op {
            Operation::Create => {
                let planned = validate::plan(d, &proposed, Mode::Create)?;
                validate::required_present(d, &planned, None)?;
                (planned, Current::default())
            }
            Operation::Update | Operation::Delete => {
                let given = args.record_id.as_deref().unwrap_or_default();
                let id =
                    RecordId::parse(given).map_err(|e| ChangeError::BadInput(e.to_string()))?;
                let planned = validate::plan(d, &proposed, Mode::Update)?;
                let current = self.read_record(user_id, d, id.as_str(), &planned).await?;
                (planned, current)
            }
            Operation::Upsert => self.plan_upsert(user_id, d, args, &proposed, row).await?,
        };
        let fields = field_changes(planned, &current.values);
        let check = super::record_types::ToCheck {
            fields: &fields,
            current: &current.values,
        };
        let problems = self.check_record_types(user_id, d, &[check]).await?;
        if !problems.is_empty() {
            let text: Vec<String> = problems.into_iter().map(|(_, p)| p).collect();
            return Err(ChangeError::BadInput(format!(
                "{}. Use describe_object to see the values.",
                text.join("; ")
            )));
        }
        let url = match &current.id {
            Some(id) => Some(crate::salesforce::links::record_url(
                &self.instance_url(user_id).await?,
                &row.object,
                id,
            )),
            None => None,
        };
        row.record_id = current.id.clone();
        row.record_name = current.name.clone();
        row.system_modstamp = current.modstamp.clone();
        row.fields = serde_json::to_string(&fields).unwrap_or_else(|_| "[]".into());
        Ok(RecordChange {
            record_id: current.id,
            record_name: current.name,
            url,
            external_id_value: row.external_id_value.clone(),
            action: row
                .upsert_creates
                .map(|c| if c { "create" } else { "update" }.to_owned()),
            system_modstamp: current.modstamp,
            fields,
        })
    }

    /// Reads the record with the fields the preview and the conflict check need.
    async fn read_record(
        &self,
        user_id: i64,
        d: &Value,
        id: &str,
        planned: &[Planned],
    ) -> Result<Current, ChangeError> {
        let object = d["name"].as_str().unwrap_or_default().to_owned();
        let list = read_list(d, planned).join(",");
        let api = self.reads.api();
        let (reply, _) = self
            .reads
            .call(user_id, |s| {
                let (o, i, l) = (object.clone(), id.to_owned(), list.clone());
                async move { api.get_record(&s, &o, &i, Some(&l)).await }
            })
            .await?;
        Ok(current_from(d, reply.body.unwrap_or(Value::Null)))
    }

    /// Upsert: finds the record the external id matches now; plans a create or an update.
    async fn plan_upsert(
        &self,
        user_id: i64,
        d: &Value,
        args: &PrepareArgs,
        proposed: &Map<String, Value>,
        row: &mut ChangeRow,
    ) -> Result<(Vec<Planned>, Current), ChangeError> {
        let ext =
            validate::external_id_field(d, args.external_id_field.as_deref().unwrap_or_default())?;
        let value = args.external_id_value.clone().unwrap_or_default();
        if value.trim().is_empty() {
            return Err(bad(
                "external_id_value is empty: give the external id to match.",
            ));
        }
        if crate::salesforce::client::path_segment(&value).is_err() {
            return Err(ChangeError::BadInput(format!(
                "external_id_value '{value}' cannot be matched: an upsert sends the value in the URL, where '.' and '..' would address another resource. Use update with record_id, or an external id with another value."
            )));
        }
        if proposed.keys().any(|k| k.eq_ignore_ascii_case(&ext)) {
            return Err(ChangeError::BadInput(format!(
                "{ext} is the external id: give its value as external_id_value, not in fields."
            )));
        }
        let planned_all = validate::plan(d, proposed, Mode::Update)
            .or_else(|_| validate::plan(d, proposed, Mode::Create));
        let names = planned_all.as_deref().unwrap_or_default();
        let object = d["name"].as_str().unwrap_or_default();
        let soql = format!(
            "SELECT {} FROM {object} WHERE {ext} = {} LIMIT 3",
            read_list(d, names).join(", "),
            quote_literal(&value)
        );
        let api = self.reads.api();
        let (reply, _) = self
            .reads
            .call(user_id, |s| {
                let q = soql.clone();
                async move { api.query(&s, &q).await }
            })
            .await?;
        let records = reply
            .body
            .and_then(|b| b["records"].as_array().cloned())
            .unwrap_or_default();
        row.external_id_field = Some(ext.clone());
        row.external_id_value = Some(value.clone());
        row.upsert_creates = Some(records.is_empty());
        match records.as_slice() {
            [] => {
                let planned = validate::plan(d, proposed, Mode::Create)?;
                validate::required_present(d, &planned, Some(&ext))?;
                Ok((planned, Current::default()))
            }
            [one] => Ok((
                validate::plan(d, proposed, Mode::Update)?,
                current_from(d, one.clone()),
            )),
            many => Err(ChangeError::BadInput(format!(
                "{ext} = \"{value}\" matches {} or more {object} records, so an upsert would change nothing. Use update with one record_id instead.",
                many.len()
            ))),
        }
    }
}
