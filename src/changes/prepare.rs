//! `prepare_change`: validate, read the current record, store a pending change. Reads only:
//! nothing is written to Salesforce here.

use serde_json::{Map, Value, json};

use super::validate::{self, Mode, Planned};
use super::{
    ChangeError, ChangeId, ChangeView, Changes, FieldChange, Operation, PrepareArgs, status,
};
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
fn check_shape(op: Operation, args: &PrepareArgs) -> Result<(), ChangeError> {
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

fn name_field(describe: &Value) -> Option<String> {
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
    for p in planned {
        if !list.contains(&p.name) {
            list.push(p.name.clone());
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

impl Changes {
    /// Validates a proposed change, reads the current record, and stores it as pending.
    pub async fn prepare(
        &self,
        user_id: i64,
        args: PrepareArgs,
    ) -> Result<ChangeView, ChangeError> {
        let op = Operation::parse(&args.operation)?;
        check_shape(op, &args)?;
        let d = self.reads.describe(user_id, &args.object).await?;
        validate::object_allows(&d, op)?;
        let object = d["name"].as_str().unwrap_or(&args.object).to_owned();
        let proposed = args.fields.clone().unwrap_or_default();
        let mut row = ChangeRow {
            operation: op.as_str().to_owned(),
            object: object.clone(),
            object_label: d["label"].as_str().unwrap_or(&object).to_owned(),
            ..ChangeRow::default()
        };
        let (planned, current) = match op {
            Operation::Create => {
                let planned = validate::plan(&d, &proposed, Mode::Create)?;
                validate::required_present(&d, &planned, None)?;
                (planned, Current::default())
            }
            Operation::Update | Operation::Delete => {
                let given = args.record_id.as_deref().unwrap_or_default();
                let id =
                    RecordId::parse(given).map_err(|e| ChangeError::BadInput(e.to_string()))?;
                let planned = validate::plan(&d, &proposed, Mode::Update)?;
                let current = self.read_record(user_id, &d, id.as_str(), &planned).await?;
                (planned, current)
            }
            Operation::Upsert => {
                self.plan_upsert(user_id, &d, &args, &proposed, &mut row)
                    .await?
            }
        };
        let fields: Vec<FieldChange> = planned
            .into_iter()
            .map(|p| FieldChange {
                before: current.values.get(&p.name).cloned().unwrap_or(Value::Null),
                name: p.name,
                label: p.label,
                after: p.after,
            })
            .collect();
        row.id = ChangeId::random().as_str().to_owned();
        row.user_id = user_id;
        row.record_id = current.id;
        row.record_name = current.name;
        row.system_modstamp = current.modstamp;
        row.fields = serde_json::to_string(&fields).unwrap_or_else(|_| "[]".into());
        row.status = status::PENDING.to_owned();
        let now = chrono::Utc::now();
        row.created_at = timestamp(now);
        let ttl = chrono::Duration::from_std(self.settings.change_ttl)
            .unwrap_or(chrono::Duration::minutes(15));
        row.expires_at = timestamp(now + ttl);
        let stored = row.clone();
        self.store
            .call(move |c| store::changes::insert(c, &stored))
            .await?;
        let view = ChangeView::from_row(&row);
        let detail = json!({"operation": row.operation, "object": row.object, "record_id": row.record_id, "fields": view.fields, "expires_at": row.expires_at});
        self.audit(user_id, "change.prepare", &row.id, detail)
            .await?;
        Ok(view)
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
