//! The dataset's answers for the reads people use: reports and dashboards, list views, recently
//! viewed items, file contents, and relationship traversal.

use std::sync::Arc;

use serde_json::{Value, json};

use super::analytics::{dashboard_index, report_index};
use super::content::NewFile;
use super::{ApiError, Dataset, listviews, not_found, report_run};

impl Dataset {
    /// Runs a report (Execute Sync) with extra filters; 404 for an unknown id.
    pub fn run_report(
        &self,
        id: &str,
        filters: &[Value],
        details: bool,
        version: &str,
    ) -> Result<Value, ApiError> {
        let index = report_index(id).ok_or_else(not_found)?;
        report_run::run(&self.store, index, filters, details, version)
    }

    /// A report's describe; 404 for an unknown id.
    pub fn describe_report(&self, id: &str) -> Result<Value, ApiError> {
        report_index(id)
            .map(report_run::describe)
            .ok_or_else(not_found)
    }

    /// The report list (`GET /analytics/reports`).
    pub fn report_list(&self, version: &str) -> Value {
        report_run::list(version)
    }

    /// A dashboard's results; 404 for an unknown id.
    pub fn dashboard(&self, id: &str, version: &str) -> Result<Value, ApiError> {
        let index = dashboard_index(id).ok_or_else(not_found)?;
        Ok(report_run::dashboard(&self.store, index, version))
    }

    /// A dashboard's describe (its `dashboardMetadata`).
    pub fn describe_dashboard(&self, id: &str, version: &str) -> Result<Value, ApiError> {
        self.dashboard(id, version)
            .map(|d| d["dashboardMetadata"].clone())
    }

    /// The dashboard list (`GET /analytics/dashboards`).
    pub fn dashboard_list(&self, version: &str) -> Value {
        report_run::dashboard_list(version)
    }

    /// An object's list views; 404 for an unknown object.
    pub fn list_views(&self, object: &str, version: &str) -> Result<Value, ApiError> {
        let obj = self.store.object(object).ok_or_else(not_found)?;
        Ok(listviews::list(obj.name, version))
    }

    /// One list view entry.
    pub fn list_view(&self, object: &str, id: &str, version: &str) -> Result<Value, ApiError> {
        listviews::get(object, id, version)
    }

    /// A list view's describe (columns and its SOQL query).
    pub fn list_view_describe(&self, object: &str, id: &str) -> Result<Value, ApiError> {
        listviews::describe(object, id)
    }

    /// A list view's results page.
    pub fn list_view_results(
        &self,
        object: &str,
        id: &str,
        limit: usize,
        offset: usize,
        version: &str,
    ) -> Result<Value, ApiError> {
        listviews::results(&self.store, object, id, limit, offset, version)
    }

    /// `GET /recent`: what the user viewed in the UI, newest first (API reads never count).
    pub fn recent(&self, limit: usize, version: &str) -> Value {
        let items: Vec<Value> = self
            .store
            .recent
            .iter()
            .filter_map(|(object, id)| {
                let obj = self.store.object(object)?;
                let row = self.store.row(obj.name, id).filter(|r| !r.is_deleted())?;
                let name = obj
                    .fields
                    .iter()
                    .find(|f| f.name_field)
                    .map_or(&Value::Null, |f| row.get(f.name));
                let url = format!("/services/data/v{version}/sobjects/{}/{id}", obj.name);
                Some(json!({"attributes": {"type": obj.name, "url": url}, "Id": id, "Name": name}))
            })
            .take(limit.clamp(1, 200))
            .collect();
        Value::Array(items)
    }

    /// The user opens a record in the Salesforce UI: it moves to the top of recently viewed.
    /// False when there is no such record.
    pub fn view_in_ui(&mut self, object: &str, id: &str) -> bool {
        let Some(name) = self.object_name(object) else {
            return false;
        };
        let Some(id) = super::ids::normalize(id).filter(|id| self.store.row(name, id).is_some())
        else {
            return false;
        };
        self.store.recent.retain(|(_, seen)| seen != &id);
        self.store.recent.insert(0, (name.to_owned(), id));
        self.store.recent.truncate(200);
        true
    }

    /// The bytes of a blob field (`ContentVersion.VersionData`).
    pub fn blob(&self, object: &str, id: &str, field: &str) -> Option<Arc<[u8]>> {
        let ok = object.eq_ignore_ascii_case("ContentVersion")
            && field.eq_ignore_ascii_case("VersionData");
        let id = super::ids::normalize(id)?;
        ok.then(|| self.store.blobs.get(&id).cloned()).flatten()
    }

    /// Adds a file (or a new version of one) linked to records; returns (ContentDocument id, ContentVersion id).
    pub fn add_file(&mut self, file: &NewFile<'_>) -> (String, String) {
        let now = chrono::Utc::now();
        super::content::add_file(&mut self.store, file, now)
    }

    /// `GET /sobjects/{X}/{id}/{relationship}`: the parent record of a lookup, or the child
    /// records as a query result; 404 when neither exists.
    pub fn related(
        &self,
        object: &str,
        id: &str,
        relationship: &str,
        version: &str,
    ) -> Result<Value, ApiError> {
        let obj = self.store.object(object).ok_or_else(not_found)?;
        let id18 = super::ids::normalize(id).ok_or_else(not_found)?;
        let row = self
            .store
            .row(obj.name, &id18)
            .filter(|r| !r.is_deleted())
            .ok_or_else(not_found)?;
        if let Some(lookup) = obj.relationship(relationship) {
            let (Some(target), Some(parent)) = (lookup.reference_to, row.get(lookup.name).as_str())
            else {
                return Err(not_found());
            };
            return self.get(target, parent, None, version);
        }
        for child in &self.store.objects {
            for f in &child.fields {
                let named = f
                    .child_relationship
                    .is_some_and(|r| r.eq_ignore_ascii_case(relationship));
                if named && f.reference_to == Some(obj.name) {
                    let fields: Vec<&str> = child.fields.iter().map(|f| f.name).collect();
                    let soql = format!(
                        "SELECT {} FROM {} WHERE {} = '{id18}' ORDER BY Id",
                        fields.join(", "),
                        child.name,
                        f.name
                    );
                    let out = self.query(&soql, version)?;
                    return Ok(
                        json!({"totalSize": out.total_size, "done": true, "records": out.records}),
                    );
                }
            }
        }
        Err(not_found())
    }
}
