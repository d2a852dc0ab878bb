//! Record storage: one table per object, rows keyed (and so ordered) by Id.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::ids::make_id;
use super::schema::ObjectDef;

/// Datetime format of record values: `2026-01-15T10:00:00.000+0000`.
pub const DATETIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3f+0000";

/// Format a timestamp as Salesforce writes it in records.
pub fn format_datetime(t: DateTime<Utc>) -> String {
    t.format(DATETIME_FORMAT).to_string()
}

/// One record: field values by API name (always including `Id` and `IsDeleted`).
#[derive(Debug, Clone)]
pub struct Row {
    /// Field values by API name.
    pub values: Map<String, Value>,
}

impl Row {
    /// The record's Id.
    pub fn id(&self) -> &str {
        self.values.get("Id").and_then(Value::as_str).unwrap_or("")
    }
    /// In the recycle bin.
    pub fn is_deleted(&self) -> bool {
        self.values.get("IsDeleted") == Some(&Value::Bool(true))
    }
    /// A field value (null when unset).
    pub fn get(&self, field: &str) -> &Value {
        self.values.get(field).unwrap_or(&Value::Null)
    }
}

/// The records of one object.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Rows by Id.
    pub rows: BTreeMap<String, Row>,
    /// Number of ids handed out so far.
    pub issued: u64,
}

impl Table {
    /// The next unused id for this object.
    pub fn next_id(&mut self, prefix: &str) -> String {
        self.issued += 1;
        make_id(prefix, self.issued)
    }
    /// Live (not deleted) rows in Id order.
    pub fn live(&self) -> impl Iterator<Item = &Row> {
        self.rows.values().filter(|r| !r.is_deleted())
    }
}

/// Objects plus their tables (same order), and the write clock.
#[derive(Debug, Clone)]
pub struct Store {
    /// Object definitions.
    pub objects: Vec<ObjectDef>,
    /// Tables, `tables[i]` holding records of `objects[i]`.
    pub tables: Vec<Table>,
    /// Last `SystemModstamp` handed out (kept strictly increasing).
    pub last_stamp: DateTime<Utc>,
    /// File contents (`VersionData`) by ContentVersion id.
    pub blobs: BTreeMap<String, std::sync::Arc<[u8]>>,
    /// Records the user viewed in the UI, newest first: (object, id).
    pub recent: Vec<(String, String)>,
}

impl Store {
    /// Index of an object by name, case-insensitively.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.objects
            .iter()
            .position(|o| o.name.eq_ignore_ascii_case(name))
    }
    /// An object definition by name, case-insensitively.
    pub fn object(&self, name: &str) -> Option<&ObjectDef> {
        self.index(name).map(|i| &self.objects[i])
    }
    /// The table of an object by name, case-insensitively.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.index(name).map(|i| &self.tables[i])
    }
    /// A row by object and 18-character id (deleted rows included).
    pub fn row(&self, object: &str, id: &str) -> Option<&Row> {
        self.table(object).and_then(|t| t.rows.get(id))
    }
    /// The object whose key prefix starts `id`.
    pub fn object_of_id(&self, id: &str) -> Option<String> {
        self.objects
            .iter()
            .find(|o| id.starts_with(o.key_prefix))
            .map(|o| o.name.to_string())
    }
    /// A fresh timestamp for a write: now, but always later than the previous one.
    pub fn stamp(&mut self) -> String {
        let now = Utc::now();
        let floor = self.last_stamp + chrono::Duration::milliseconds(1);
        self.last_stamp = now.max(floor);
        format_datetime(self.last_stamp)
    }
}
