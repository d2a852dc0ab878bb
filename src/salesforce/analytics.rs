//! Reads beyond query and search: the Analytics API (reports, dashboards), list views, recently
//! viewed items, and file bodies read as a stream and cut at a size.

use reqwest::Method;
use secrecy::ExposeSecret as _;
use serde_json::Value;

use super::client::{Api, Reply, Session, path_segment, transport};
use super::error::SalesforceError;

/// The first bytes of a body.
#[derive(Debug, Clone)]
pub struct BodyPrefix {
    /// At most the bytes asked for.
    pub bytes: Vec<u8>,
    /// Whether the body ended within them (false: it was cut).
    pub complete: bool,
}

impl Api {
    /// Runs a report synchronously (Execute Sync). With filters it is a POST of
    /// `{"reportMetadata": {"reportFilters": [...]}}` (the report's own filters included), which
    /// changes nothing saved; retried like a read.
    pub async fn run_report(
        &self,
        session: &Session,
        report_id: &str,
        include_details: bool,
        report_metadata: Option<&Value>,
    ) -> Result<Reply, SalesforceError> {
        let path = self.data_path(&format!("analytics/reports/{}", path_segment(report_id)?));
        let details = if include_details { "true" } else { "false" };
        let query = [("includeDetails", details)];
        match report_metadata {
            Some(metadata) => {
                let body = serde_json::json!({ "reportMetadata": metadata });
                self.read_request(session, (Method::POST, &path), &query, &[], Some(&body))
                    .await
            }
            None => self.read(session, &path, &query, &[]).await,
        }
    }

    /// A report's describe: its metadata and the columns of its report type.
    pub async fn describe_report(
        &self,
        session: &Session,
        report_id: &str,
    ) -> Result<Reply, SalesforceError> {
        let path = format!("analytics/reports/{}/describe", path_segment(report_id)?);
        self.read(session, &self.data_path(&path), &[], &[]).await
    }

    /// A dashboard's results: components and their report data.
    pub async fn get_dashboard(
        &self,
        session: &Session,
        dashboard_id: &str,
    ) -> Result<Reply, SalesforceError> {
        let path = format!("analytics/dashboards/{}", path_segment(dashboard_id)?);
        self.read(session, &self.data_path(&path), &[], &[]).await
    }

    /// An object's list views (first page).
    pub async fn list_views(
        &self,
        session: &Session,
        object: &str,
    ) -> Result<Reply, SalesforceError> {
        let path = format!("sobjects/{}/listviews", path_segment(object)?);
        self.read(session, &self.data_path(&path), &[], &[]).await
    }

    /// A list view's describe: its columns and the SOQL query it runs.
    pub async fn list_view_describe(
        &self,
        session: &Session,
        object: &str,
        list_view_id: &str,
    ) -> Result<Reply, SalesforceError> {
        let path = format!(
            "sobjects/{}/listviews/{}/describe",
            path_segment(object)?,
            path_segment(list_view_id)?
        );
        self.read(session, &self.data_path(&path), &[], &[]).await
    }

    /// A further page of a data-API list (a `nextRecordsUrl` under `/services/data/v`).
    pub async fn next_page(&self, session: &Session, url: &str) -> Result<Reply, SalesforceError> {
        let ok = url.starts_with("/services/data/v") && !url.contains("..") && !url.contains("//");
        if !ok {
            return Err(SalesforceError::Unexpected {
                status: 0,
                message: "Salesforce sent a next page URL that is not a data API path".into(),
            });
        }
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let query: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.read(session, path, &query, &[]).await
    }

    /// The person's recently viewed records, newest first (at most 200).
    pub async fn recent(&self, session: &Session, limit: u32) -> Result<Reply, SalesforceError> {
        let limit = limit.to_string();
        self.read(
            session,
            &self.data_path("recent/"),
            &[("limit", &limit)],
            &[],
        )
        .await
    }

    /// The first `max_bytes` of a blob field (`/sobjects/ContentVersion/{id}/VersionData`), read
    /// chunk by chunk: the rest of the body is never read into memory (the connection is
    /// dropped). Not retried: the caller asks again.
    pub async fn blob_prefix(
        &self,
        session: &Session,
        (object, id, field): (&str, &str, &str),
        max_bytes: usize,
    ) -> Result<BodyPrefix, SalesforceError> {
        let path = format!(
            "sobjects/{}/{}/{}",
            path_segment(object)?,
            path_segment(id)?,
            path_segment(field)?
        );
        let url = format!("{}{}", session.instance_url, self.data_path(&path));
        let mut response = self
            .http()
            .get(url)
            .bearer_auth(session.access_token.expose_secret())
            .send()
            .await
            .map_err(|e| transport(&e))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            let text = response.text().await.map_err(|e| transport(&e))?;
            return Err(super::error::from_response(status, &text));
        }
        let mut bytes = Vec::with_capacity(max_bytes.min(1 << 20));
        while let Some(chunk) = response.chunk().await.map_err(|e| transport(&e))? {
            let room = max_bytes - bytes.len();
            if chunk.len() > room {
                bytes.extend_from_slice(&chunk[..room]);
                return Ok(BodyPrefix {
                    bytes,
                    complete: false,
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(BodyPrefix {
            bytes,
            complete: true,
        })
    }
}
