//! The simulated org's data engine: sample records, describe metadata, SOQL and SOSL execution,
//! and record writes, with Salesforce's status codes and error bodies. No HTTP here.
//!
//! INTERFACE STUB: replaced by the real engine (branch sim-data).

use serde_json::Value;

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
            body: serde_json::json!([{ "message": message, "errorCode": error_code }]),
        }
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
#[derive(Debug, Default)]
pub struct Dataset {}

impl Dataset {
    /// The sample org: Accounts, Contacts, Leads, Opportunities, Cases and `Project__c`.
    pub fn sample() -> Self {
        Self {}
    }
    /// Describe Global body (`{"encoding","maxBatchSize","sobjects":[...]}`) for API version `version` ("67.0").
    pub fn describe_global(&self, _version: &str) -> Value {
        serde_json::json!({"encoding":"UTF-8","maxBatchSize":200,"sobjects":[]})
    }
    /// sObject Describe body, or 404 NOT_FOUND.
    pub fn describe(&self, object: &str, _version: &str) -> Result<Value, ApiError> {
        Err(not_found(object))
    }
    /// When the object's metadata last changed (for `If-Modified-Since` -> 304).
    pub fn metadata_modified(&self, _object: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        None
    }
    /// Run a SOQL query; all rows (the HTTP layer pages them).
    pub fn query(&self, _soql: &str, _version: &str) -> Result<QueryOutput, ApiError> {
        Err(ApiError::new(400, "MALFORMED_QUERY", "not implemented"))
    }
    /// Run a SOSL search; the `{"searchRecords":[...]}` body.
    pub fn search(&self, _sosl: &str, _version: &str) -> Result<Value, ApiError> {
        Err(ApiError::new(400, "MALFORMED_SEARCH", "not implemented"))
    }
    /// Read one record (`fields` = the `?fields=` list, or all fields).
    pub fn get(
        &self,
        object: &str,
        _id: &str,
        _fields: Option<&[String]>,
        _version: &str,
    ) -> Result<Value, ApiError> {
        Err(not_found(object))
    }
    /// Create: 201 `{"id","errors":[],"success":true}`.
    pub fn create(
        &mut self,
        object: &str,
        _body: &Value,
        _version: &str,
    ) -> Result<WriteOutput, ApiError> {
        Err(not_found(object))
    }
    /// Update: 204.
    pub fn update(
        &mut self,
        object: &str,
        _id: &str,
        _body: &Value,
    ) -> Result<WriteOutput, ApiError> {
        Err(not_found(object))
    }
    /// Upsert by external id: 201 created / 200 updated (`created` flag) / 300 multiple matches / 404.
    pub fn upsert(
        &mut self,
        object: &str,
        _field: &str,
        _value: &str,
        _body: &Value,
        _version: &str,
    ) -> Result<WriteOutput, ApiError> {
        Err(not_found(object))
    }
    /// Delete to the recycle bin: 204; deleted again -> ENTITY_IS_DELETED.
    pub fn delete(&mut self, object: &str, _id: &str) -> Result<WriteOutput, ApiError> {
        Err(not_found(object))
    }
}

fn not_found(_object: &str) -> ApiError {
    ApiError::new(404, "NOT_FOUND", "The requested resource does not exist")
}
