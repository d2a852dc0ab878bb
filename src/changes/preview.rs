//! What a person sees before deciding: object label and API name, record name and id, each
//! field's label and API name with before -> after, and what will happen.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::batch::RecordChange;
use super::{status, summary};
use crate::shown::{self, escaped, quoted};
use crate::store::changes::ChangeRow;

/// One field of a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FieldChange {
    /// API name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Current value (null for a new record).
    pub before: Value,
    /// Value that will be sent.
    pub after: Value,
}

/// A change as shown to its person (and returned by the change tools).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ChangeView {
    /// Id to confirm or cancel it with.
    pub change_id: String,
    /// pending, executing, succeeded, failed, rejected, cancelled, expired, conflict or unknown.
    pub status: String,
    /// When it stops being confirmable (RFC 3339).
    pub expires_at: String,
    /// create, update, upsert or delete.
    pub operation: String,
    /// Object API name.
    pub object: String,
    /// Object label.
    pub object_label: String,
    /// The record (absent for a create, or an upsert that creates, until it runs).
    pub record_id: Option<String>,
    /// The record's name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_name: Option<String>,
    /// Upsert: the external id field and value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Exactly the fields that will be sent, with their `after` values (single-record form;
    /// empty for a change of several records: see `records`).
    pub fields: Vec<FieldChange>,
    /// How many records the change writes.
    pub count: usize,
    /// Every record with its name, id, link and fields before -> after.
    pub records: Vec<RecordChange>,
    /// For several records: what is the same on every record, said once per field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub common: Vec<String>,
    /// An undo: the change it reverses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undoes: Option<String>,
    /// The newest undo prepared for this change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undone_by: Option<String>,
    /// What will happen (or happened), in words.
    pub action: String,
    /// The whole preview as text, for a person to check at a glance.
    pub preview: String,
    /// How it was approved or decided: elicitation, web, command_line, client_consent, tool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_via: Option<String>,
    /// Salesforce's answer once executed (record id, created, or the error).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// What to do next, when the person must act (e.g. where to approve it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

/// `list_changes` result.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ChangeList {
    /// Newest first.
    pub changes: Vec<ChangeView>,
}

fn record_words(row: &ChangeRow) -> String {
    match (&row.record_name, &row.record_id) {
        (Some(name), Some(id)) => format!("{} ({})", quoted(name), escaped(id)),
        (None, Some(id)) => escaped(id),
        (Some(name), None) => quoted(name),
        (None, None) => "a new record".to_owned(),
    }
}

/// What will happen, in words.
pub fn action(row: &ChangeRow) -> String {
    let object = format!("{} ({})", escaped(&row.object_label), escaped(&row.object));
    let ext = match (&row.external_id_field, &row.external_id_value) {
        (Some(f), Some(v)) => format!(" matched by {} = {}", escaped(f), quoted(v)),
        _ => String::new(),
    };
    match row.operation.as_str() {
        "create" => format!("Create a new {object} record"),
        "update" => format!("Update {object} record {}", record_words(row)),
        "upsert" if row.upsert_creates == Some(true) => {
            format!("Upsert {object}{ext}: no record matches now, so this creates a new record")
        }
        "upsert" => format!(
            "Upsert {object}{ext}: this updates the existing record {}",
            record_words(row)
        ),
        "delete" => format!(
            "Delete {object} record {} (it goes to the Recycle Bin)",
            record_words(row)
        ),
        other => format!("{} {object}", escaped(other)),
    }
}

/// The preview as text.
pub fn preview_text(row: &ChangeRow, fields: &[FieldChange]) -> String {
    let mut t = format!("{}.\n", action(row));
    if let Some(url) = records_of(row, fields).first().and_then(|r| r.url.clone()) {
        let _ = writeln!(t, "  Record page: {}", escaped(&url));
    }
    for f in fields {
        let _ = writeln!(t, "  {}", field_line(f));
    }
    let _ = write!(t, "{}", change_line(row));
    t
}

/// One field change as a person reads it: `Label (ApiName): before -> after`, data escaped.
pub fn field_line(f: &FieldChange) -> String {
    format!(
        "{} ({}): {} -> {}",
        escaped(&f.label),
        escaped(&f.name),
        shown::value(&f.before),
        shown::value(&f.after)
    )
}

/// The last line of a preview: the change's id, status and expiry.
pub fn change_line(row: &ChangeRow) -> String {
    format!(
        "Change {}: {} (expires {}).",
        row.id, row.status, row.expires_at
    )
}

impl ChangeView {
    /// The view of a stored change.
    pub fn from_row(row: &ChangeRow) -> Self {
        let fields: Vec<FieldChange> = serde_json::from_str(&row.fields).unwrap_or_default();
        let records = records_of(row, &fields);
        let batch = records.len() > 1;
        let external_id = match (&row.external_id_field, &row.external_id_value) {
            (Some(f), Some(v)) => Some(format!("{f} = {v}")),
            _ => None,
        };
        Self {
            change_id: row.id.clone(),
            status: row.status.clone(),
            expires_at: row.expires_at.clone(),
            operation: row.operation.clone(),
            object: row.object.clone(),
            object_label: row.object_label.clone(),
            record_id: row.record_id.clone(),
            record_name: row.record_name.clone(),
            external_id,
            action: if batch {
                summary::action(row, &records)
            } else {
                action(row)
            },
            preview: if batch {
                summary::preview_text(row, &records)
            } else {
                preview_text(row, &fields)
            },
            fields,
            count: records.len(),
            common: summary::common_lines(&records),
            records,
            undoes: row.undoes.clone(),
            undone_by: row.undone_by.clone(),
            approved_via: row.approved_via.clone(),
            result: row
                .result
                .as_deref()
                .and_then(|r| serde_json::from_str(r).ok()),
            next_step: None,
        }
    }

    /// One line about the outcome, for tool text and the command line.
    pub fn outcome_text(&self) -> String {
        let result = self.result.as_ref();
        let field = |k: &str| {
            result
                .and_then(|r| r[k].as_str())
                .map_or_else(|| "?".to_owned(), escaped)
        };
        if let Some(text) = self.batch_outcome().filter(|_| self.count > 1) {
            return text;
        }
        match self.status.as_str() {
            status::SUCCEEDED => match result.and_then(|r| r["created"].as_bool()) {
                Some(true) => format!("Succeeded: created record {}.", field("id")),
                Some(false) => format!("Succeeded: updated record {}.", field("id")),
                None => format!("Succeeded: {} record {}.", self.operation, field("id")),
            },
            status::FAILED => format!(
                "Failed: Salesforce refused it and nothing changed. Salesforce said: {}",
                result
                    .and_then(|r| r["error"].as_str())
                    .map_or_else(|| "nothing more".to_owned(), quoted)
            ),
            status::CONFLICT => "Conflict: the record changed in Salesforce after the preview, so nothing was written. Prepare the change again to see the current values.".to_owned(),
            status::UNKNOWN => "Unknown: the write was interrupted, so whether Salesforce applied it is not known. It will not be sent again; check the record in Salesforce.".to_owned(),
            status::REJECTED => "Rejected: nothing was sent to Salesforce.".to_owned(),
            status::CANCELLED => "Cancelled: nothing was sent to Salesforce.".to_owned(),
            status::EXPIRED => "Expired before approval: nothing was sent to Salesforce. Prepare it again if it is still wanted.".to_owned(),
            status::EXECUTING => "Executing: it is being sent to Salesforce now.".to_owned(),
            _ => "Pending: waiting for approval.".to_owned(),
        }
    }
}

impl ChangeView {
    /// The outcome of a change of several records, once it ran (`None` otherwise).
    fn batch_outcome(&self) -> Option<String> {
        let result = self.result.as_ref()?;
        let n = self.count;
        let verb = match self.operation.as_str() {
            "create" => "created",
            "update" => "updated",
            "upsert" => "upserted",
            _ => "deleted",
        };
        match self.status.as_str() {
            status::SUCCEEDED => Some(format!("Succeeded: {verb} all {n} records in one request.")),
            status::FAILED if result["items"].is_array() => Some(format!(
                "Failed: Salesforce refused these records, so under all-or-none none of the {n} records was written:{}",
                summary::outcome_items(result)
            )),
            status::CONFLICT => Some(format!(
                "Conflict: {} of the {n} records changed in Salesforce after the preview, so nothing was written. Prepare the change again to see the current values.",
                result["drifted"].as_array().map_or(0, Vec::len)
            )),
            _ => None,
        }
    }
}

/// The records of a change: stored with it, or (for changes stored before changes had
/// records) its one record.
pub fn records_of(row: &ChangeRow, fields: &[FieldChange]) -> Vec<RecordChange> {
    if let Some(records) = row
        .records
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
    {
        return records;
    }
    vec![RecordChange {
        record_id: row.record_id.clone(),
        record_name: row.record_name.clone(),
        url: None,
        external_id_value: row.external_id_value.clone(),
        action: row
            .upsert_creates
            .map(|c| if c { "create" } else { "update" }.to_owned()),
        system_modstamp: row.system_modstamp.clone(),
        fields: fields.to_vec(),
    }]
}

/// The error text for a change that is no longer pending.
pub fn not_pending_text(view: &ChangeView) -> String {
    format!(
        "Change {} is {}, not pending, so it cannot be confirmed, approved or cancelled. {}",
        view.change_id,
        view.status,
        view.outcome_text()
    )
}
