//! The simulated org's data engine: sample records, describe metadata, SOQL and SOSL execution,
//! and record writes, with Salesforce's status codes and error bodies. No HTTP here.

mod analytics;
mod collections;
mod content;
mod derive;
mod describe;
mod ids;
mod listviews;
mod matching;
mod objects;
mod reads_api;
mod records;
mod report_run;
mod sample;
mod schema;
mod soql;
mod sosl;
mod store;
mod ui_api;
mod validate;

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{Value, json};

pub use collections::{Collection, MAX_RECORDS};
pub use content::{CONTRACT_TEXT, NewFile};
pub use describe::MASTER_RECORD_TYPE_ID;
pub use ids::make_id;
pub use sample::{ACCOUNTS, COUNTS, USERS};

/// An error as Salesforce's REST API would answer it: HTTP status plus the JSON body
/// (normally the `[{"message","errorCode","fields"?}]` array).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// Response body.
    pub body: Value,
}

impl ApiError {
    /// The usual Salesforce error array with one entry.
    pub fn new(status: u16, error_code: &str, message: &str) -> Self {
        Self {
            status,
            body: json!([{ "message": message, "errorCode": error_code }]),
        }
    }

    /// One entry with a `fields` list.
    pub fn with_fields(status: u16, error_code: &str, message: &str, fields: &[&str]) -> Self {
        Self {
            status,
            body: json!([{ "message": message, "errorCode": error_code, "fields": fields }]),
        }
    }

    /// The first entry's `errorCode` (handy in tests and logs).
    pub fn error_code(&self) -> &str {
        self.body[0]["errorCode"].as_str().unwrap_or("")
    }

    /// The first entry's `message`.
    pub fn message(&self) -> &str {
        self.body[0]["message"].as_str().unwrap_or("")
    }
}

/// All rows a SOQL query matched, before paging (the HTTP layer pages them).
#[derive(Debug, Clone, PartialEq)]
pub struct QueryOutput {
    /// `totalSize`: all matching rows (for `COUNT()`, the count).
    pub total_size: usize,
    /// Records in result order, each with its `attributes`.
    pub records: Vec<Value>,
}

/// Outcome of a successful write: HTTP status and body (`None` for 204).
#[derive(Debug, Clone, PartialEq)]
pub struct WriteOutput {
    /// HTTP status (201, 200, 204 or 300).
    pub status: u16,
    /// JSON body, absent for 204.
    pub body: Option<Value>,
}

/// The org's objects and records.
#[derive(Debug, Clone)]
pub struct Dataset {
    store: store::Store,
}

impl Default for Dataset {
    /// The sample org, as [`Dataset::sample`].
    fn default() -> Self {
        Self::sample()
    }
}

impl Dataset {
    /// The sample org: Accounts, Contacts, Leads, Opportunities, Cases and `Project__c`
    /// (plus the Users that own them and Case's record types). Counts are in [`COUNTS`].
    pub fn sample() -> Self {
        Self {
            store: sample::build(),
        }
    }

    /// API names of every object, in describe order.
    pub fn object_names(&self) -> Vec<&'static str> {
        self.store.objects.iter().map(|o| o.name).collect()
    }

    /// The API name of an object given in any case (`account` -> `Account`).
    pub fn object_name(&self, object: &str) -> Option<&'static str> {
        self.store.object(object).map(|o| o.name)
    }

    /// When any object's metadata last changed (for Describe Global's `If-Modified-Since`).
    pub fn global_metadata_modified(&self) -> Option<DateTime<Utc>> {
        self.store
            .objects
            .iter()
            .filter_map(|o| self.metadata_modified(o.name))
            .max()
    }

    /// Describe Global body (`{"encoding","maxBatchSize","sobjects":[...]}`) for API version `version` ("67.0").
    pub fn describe_global(&self, version: &str) -> Value {
        let sobjects: Vec<Value> = self
            .store
            .objects
            .iter()
            .map(|o| describe::object_summary(o, version))
            .collect();
        json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": sobjects})
    }

    /// sObject Describe body, or 404 NOT_FOUND. Object names are case-insensitive.
    pub fn describe(&self, object: &str, version: &str) -> Result<Value, ApiError> {
        self.describe_as(object, version, None)
    }

    /// sObject Describe as `user` (18-character id) sees it: their default record type.
    pub fn describe_as(
        &self,
        object: &str,
        version: &str,
        user: Option<&str>,
    ) -> Result<Value, ApiError> {
        let obj = self.store.object(object).ok_or_else(not_found)?;
        Ok(describe::describe_object(
            obj,
            &self.store.objects,
            version,
            user,
        ))
    }

    /// When the object's metadata last changed (for `If-Modified-Since` -> 304): a fixed time
    /// per object, on 2026-01-01 (`None` for an unknown object).
    pub fn metadata_modified(&self, object: &str) -> Option<DateTime<Utc>> {
        let idx = self.store.index(object)?;
        let base = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single()?;
        Some(base + Duration::hours(idx as i64))
    }

    /// Run a SOQL query; all rows (the HTTP layer pages them). Deleted records are left out.
    pub fn query(&self, soql: &str, version: &str) -> Result<QueryOutput, ApiError> {
        soql::run(&self.store, soql, version, false)
    }

    /// Run a SOQL query including deleted records (`queryAll`).
    pub fn query_all(&self, soql: &str, version: &str) -> Result<QueryOutput, ApiError> {
        soql::run(&self.store, soql, version, true)
    }

    /// Run a SOSL search; the `{"searchRecords":[...]}` body.
    pub fn search(&self, sosl: &str, version: &str) -> Result<Value, ApiError> {
        sosl::run(&self.store, sosl, version)
    }

    /// Read one record (`fields` = the `?fields=` list, or all fields).
    pub fn get(
        &self,
        object: &str,
        id: &str,
        fields: Option<&[String]>,
        version: &str,
    ) -> Result<Value, ApiError> {
        records::get(&self.store, object, id, fields, version)
    }

    /// Create: 201 `{"id","errors":[],"success":true}`.
    pub fn create(
        &mut self,
        object: &str,
        body: &Value,
        version: &str,
    ) -> Result<WriteOutput, ApiError> {
        records::create(&mut self.store, object, body, version, None)
    }

    /// Create as `user` (18-character id): a Case gets their default record type.
    pub fn create_as(
        &mut self,
        object: &str,
        body: &Value,
        version: &str,
        user: Option<&str>,
    ) -> Result<WriteOutput, ApiError> {
        records::create(&mut self.store, object, body, version, user)
    }

    /// Update: 204.
    pub fn update(
        &mut self,
        object: &str,
        id: &str,
        body: &Value,
    ) -> Result<WriteOutput, ApiError> {
        records::update(&mut self.store, object, id, body)
    }

    /// Upsert by external id: 201 created / 200 updated (`created` flag, API 46.0+; 204 before)
    /// / 300 multiple matches / 404 for a field that is not an external id.
    pub fn upsert(
        &mut self,
        object: &str,
        field: &str,
        value: &str,
        body: &Value,
        version: &str,
    ) -> Result<WriteOutput, ApiError> {
        records::upsert(
            &mut self.store,
            object,
            (field, value),
            body,
            (version, None),
        )
    }

    /// Upsert as `user` (a created Case gets their default record type).
    pub fn upsert_as(
        &mut self,
        object: &str,
        (field, value): (&str, &str),
        body: &Value,
        (version, user): (&str, Option<&str>),
    ) -> Result<WriteOutput, ApiError> {
        records::upsert(
            &mut self.store,
            object,
            (field, value),
            body,
            (version, user),
        )
    }

    /// Ids of the live records whose external id field (or `Id`) equals `value`, for GET and
    /// DELETE by external id: none (404 for the caller), one, or several (300). A field that is
    /// not an external id -> 404 NOT_FOUND "Provided external ID field does not exist or is not
    /// accessible: X".
    pub fn find_by_external_id(
        &self,
        object: &str,
        field: &str,
        value: &str,
    ) -> Result<Vec<String>, ApiError> {
        records::find_by_external_id(&self.store, object, field, value)
    }

    /// An sObject Collections create, update or upsert (`{"allOrNone", "records"}`) as `user`:
    /// one result per record, in order; 400 EXCEEDED_ID_LIMIT over 200 records.
    pub fn collection_write(
        &mut self,
        kind: Collection<'_>,
        body: &Value,
        (version, user): (&str, Option<&str>),
    ) -> Result<Value, ApiError> {
        collections::write(&mut self.store, kind, body, (version, user))
    }

    /// An sObject Collections delete of comma-separated `ids`: one result per id, in order.
    pub fn collection_delete(&mut self, ids: &str, all_or_none: bool) -> Result<Value, ApiError> {
        collections::delete(&mut self.store, ids, all_or_none)
    }

    /// The UI API picklist values of `object` for a record type (every picklist field, or one):
    /// `{"eTag", "picklistFieldValues": {...}}`, or `{"controllerValues", "values", ...}` for one
    /// field. 404 for an unknown object, record type or field.
    pub fn picklist_values(
        &self,
        object: &str,
        record_type_id: &str,
        field: Option<&str>,
        version: &str,
    ) -> Result<Value, ApiError> {
        let obj = self.store.object(object).ok_or_else(not_found)?;
        ui_api::picklist_values(obj, record_type_id, field, version)
    }

    /// Delete to the recycle bin: 204; deleted again -> ENTITY_IS_DELETED.
    pub fn delete(&mut self, object: &str, id: &str) -> Result<WriteOutput, ApiError> {
        records::delete(&mut self.store, object, id)
    }
}

/// 404 NOT_FOUND "The requested resource does not exist".
fn not_found() -> ApiError {
    ApiError::new(404, "NOT_FOUND", "The requested resource does not exist")
}

#[cfg(test)]
mod tests_collections;
#[cfg(test)]
mod tests_describe;
#[cfg(test)]
mod tests_reads;
#[cfg(test)]
mod tests_records;
#[cfg(test)]
mod tests_search;
