//! sObject Collections writes: up to 200 records in one request, all or none. Sent once, never
//! retried; the answer is one result per record, in request order.

use reqwest::Method;
use serde_json::{Value, json};

use super::client::{Api, Reply, Session, path_segment};
use super::error::SalesforceError;

impl Api {
    /// `POST /composite/sobjects` with `allOrNone: true`: creates every record or none. Each
    /// record needs `attributes.type`.
    pub async fn create_collection(
        &self,
        session: &Session,
        records: &[Value],
    ) -> Result<Reply, SalesforceError> {
        let body = json!({"allOrNone": true, "records": records});
        let path = self.data_path("composite/sobjects");
        self.write(session, Method::POST, &path, Some(&body)).await
    }

    /// `PATCH /composite/sobjects` with `allOrNone: true`: updates every record (each with
    /// `attributes.type` and `id`) or none.
    pub async fn update_collection(
        &self,
        session: &Session,
        records: &[Value],
    ) -> Result<Reply, SalesforceError> {
        let body = json!({"allOrNone": true, "records": records});
        let path = self.data_path("composite/sobjects");
        self.write(session, Method::PATCH, &path, Some(&body)).await
    }

    /// `PATCH /composite/sobjects/{object}/{field}` with `allOrNone: true`: upserts every
    /// record (each carrying its external id value in `field`) or none.
    pub async fn upsert_collection(
        &self,
        session: &Session,
        object: &str,
        field: &str,
        records: &[Value],
    ) -> Result<Reply, SalesforceError> {
        let body = json!({"allOrNone": true, "records": records});
        let path = self.data_path(&format!(
            "composite/sobjects/{}/{}",
            path_segment(object)?,
            path_segment(field)?
        ));
        self.write(session, Method::PATCH, &path, Some(&body)).await
    }

    /// `DELETE /composite/sobjects?ids=...&allOrNone=true`: deletes every record or none.
    pub async fn delete_collection(
        &self,
        session: &Session,
        ids: &[String],
    ) -> Result<Reply, SalesforceError> {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("ids", &ids.join(","))
            .append_pair("allOrNone", "true")
            .finish();
        let path = format!("{}?{query}", self.data_path("composite/sobjects"));
        self.write(session, Method::DELETE, &path, None).await
    }
}
