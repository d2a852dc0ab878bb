//! The Salesforce REST client: follows the connection's `instance_url`, uses a configurable API
//! version, retries reads on 5xx and timeouts with backoff (never writes), parses
//! `Sforce-Limit-Info`, and maps error bodies to [`SalesforceError`].

use std::time::Duration;

use reqwest::Method;
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::Value;

use super::error::{MAX_URI_BYTES, SalesforceError, too_long};
use super::limits::{ApiUsage, parse_limit_info};

/// Where and as whom to call: the instance URL and an access token.
#[derive(Clone)]
pub struct Session {
    /// Instance URL, without a trailing slash.
    pub instance_url: String,
    /// Access token.
    pub access_token: SecretString,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("instance_url", &self.instance_url)
            .finish_non_exhaustive()
    }
}

/// A successful answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// JSON body, when there is one.
    pub body: Option<Value>,
    /// API usage from `Sforce-Limit-Info`.
    pub usage: Option<ApiUsage>,
    /// `Last-Modified` header, when present.
    pub last_modified: Option<String>,
}

/// The REST client (cheap to clone).
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    version: String,
    read_attempts: u32,
    backoff: Duration,
}

impl Api {
    /// A client for API version `version` (e.g. "67.0").
    pub fn new(http: reqwest::Client, version: &str) -> Self {
        Self {
            http,
            version: version.to_owned(),
            read_attempts: 3,
            backoff: Duration::from_millis(200),
        }
    }

    /// The HTTP client (for streamed bodies).
    pub(super) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The API version in use.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// `/services/data/vXX.X/<rest>`.
    pub fn data_path(&self, rest: &str) -> String {
        format!(
            "/services/data/v{}/{}",
            self.version,
            rest.trim_start_matches('/')
        )
    }

    async fn send_once(
        &self,
        session: &Session,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        headers: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Reply, SalesforceError> {
        let url = format!("{}{}", session.instance_url, path);
        let mut request = self
            .http
            .request(method, url)
            .bearer_auth(session.access_token.expose_secret());
        if !query.is_empty() {
            request = request.query(query);
        }
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let request = request.build().map_err(|e| transport(&e))?;
        let uri_bytes =
            request.url().path().len() + request.url().query().map_or(0, |q| q.len() + 1);
        if uri_bytes > MAX_URI_BYTES {
            return Err(SalesforceError::CannotSend {
                message: too_long(Some(uri_bytes)),
            });
        }
        let response = self
            .http
            .execute(request)
            .await
            .map_err(|e| transport(&e))?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let usage = header("sforce-limit-info").and_then(|h| parse_limit_info(&h));
        let last_modified = header("last-modified");
        let text = response.text().await.map_err(|e| transport(&e))?;
        if !(200..300).contains(&status) && status != 304 {
            return Err(super::error::from_response(status, &text));
        }
        let body = if text.trim().is_empty() {
            None
        } else {
            Some(
                serde_json::from_str(&text).map_err(|e| SalesforceError::Unexpected {
                    status,
                    message: format!("response is not JSON: {e}"),
                })?,
            )
        };
        Ok(Reply {
            status,
            body,
            usage,
            last_modified,
        })
    }

    /// A GET, retried on 5xx and transport errors with exponential backoff.
    pub async fn read(
        &self,
        session: &Session,
        path: &str,
        query: &[(&str, &str)],
        headers: &[(&str, String)],
    ) -> Result<Reply, SalesforceError> {
        self.read_request(session, (Method::GET, path), query, headers, None)
            .await
    }

    /// A request that changes nothing (a GET, or a POST that only runs something, like a
    /// report), retried on 5xx and transport errors with exponential backoff.
    pub(super) async fn read_request(
        &self,
        session: &Session,
        (method, path): (Method, &str),
        query: &[(&str, &str)],
        headers: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Reply, SalesforceError> {
        let mut attempt = 1;
        loop {
            match self
                .send_once(session, method.clone(), path, query, headers, body)
                .await
            {
                Err(e) if e.is_retryable() && attempt < self.read_attempts => {
                    tracing::debug!(attempt, error = %e, "retrying a Salesforce read");
                    tokio::time::sleep(self.backoff * 2u32.pow(attempt - 1)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// A write (POST/PATCH/DELETE): sent once, never retried.
    pub async fn write(
        &self,
        session: &Session,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, SalesforceError> {
        self.send_once(session, method, path, &[], &[], body).await
    }

    /// Describe Global.
    pub async fn describe_global(&self, session: &Session) -> Result<Reply, SalesforceError> {
        self.read(session, &self.data_path("sobjects/"), &[], &[])
            .await
    }

    /// sObject Describe; with `if_modified_since` a 304 comes back as `status == 304` and no body.
    pub async fn describe(
        &self,
        session: &Session,
        object: &str,
        if_modified_since: Option<&str>,
    ) -> Result<Reply, SalesforceError> {
        let headers: Vec<(&str, String)> = if_modified_since
            .map(|v| ("If-Modified-Since", v.to_owned()))
            .into_iter()
            .collect();
        self.read(
            session,
            &self.data_path(&format!("sobjects/{}/describe/", path_segment(object)?)),
            &[],
            &headers,
        )
        .await
    }

    /// A SOQL query (first batch).
    pub async fn query(&self, session: &Session, soql: &str) -> Result<Reply, SalesforceError> {
        self.read(session, &self.data_path("query/"), &[("q", soql)], &[])
            .await
    }

    /// The next batch, from a `nextRecordsUrl` (only Salesforce data paths are followed).
    pub async fn query_more(
        &self,
        session: &Session,
        next_records_url: &str,
    ) -> Result<Reply, SalesforceError> {
        let ok = next_records_url.starts_with("/services/data/v")
            && next_records_url.contains("/query/")
            && !next_records_url.contains("..")
            && !next_records_url.contains("//");
        if !ok {
            return Err(SalesforceError::Unexpected {
                status: 0,
                message: "Salesforce sent a nextRecordsUrl that is not a query path".into(),
            });
        }
        self.read(session, next_records_url, &[], &[]).await
    }

    /// A SOSL search.
    pub async fn search(&self, session: &Session, sosl: &str) -> Result<Reply, SalesforceError> {
        self.read(session, &self.data_path("search/"), &[("q", sosl)], &[])
            .await
    }

    /// One record, optionally only some fields.
    pub async fn get_record(
        &self,
        session: &Session,
        object: &str,
        id: &str,
        fields: Option<&str>,
    ) -> Result<Reply, SalesforceError> {
        let path = self.data_path(&format!(
            "sobjects/{}/{}",
            path_segment(object)?,
            path_segment(id)?
        ));
        let query: Vec<(&str, &str)> = fields.map(|f| ("fields", f)).into_iter().collect();
        self.read(session, &path, &query, &[]).await
    }
}

/// What an upsert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upserted {
    /// The record id (empty when Salesforce answered 204 with no body, before API 46.0).
    pub id: String,
    /// Whether a record was created (false: an existing one was updated).
    pub created: bool,
}

impl Upserted {
    /// Reads an upsert answer: 201 created, 200 `created: false` (204 before API 46.0).
    pub fn from_reply(reply: &Reply) -> Self {
        let created = match reply.body.as_ref().and_then(|b| b["created"].as_bool()) {
            Some(created) => created,
            None => reply.status == 201,
        };
        Self {
            id: written_id(reply).unwrap_or_default(),
            created,
        }
    }
}

/// The record id in a create or upsert answer (`{"id", "success": true}`).
pub fn written_id(reply: &Reply) -> Option<String> {
    reply
        .body
        .as_ref()
        .and_then(|b| b["id"].as_str())
        .map(str::to_owned)
}

impl Api {
    /// Creates a record: 201 `{"id", "success": true}` (see [`written_id`]). Sent once.
    pub async fn create(
        &self,
        session: &Session,
        object: &str,
        fields: &Value,
    ) -> Result<Reply, SalesforceError> {
        let path = self.data_path(&format!("sobjects/{}/", path_segment(object)?));
        self.write(session, Method::POST, &path, Some(fields)).await
    }

    /// Updates a record (204). Sent once.
    pub async fn update(
        &self,
        session: &Session,
        object: &str,
        id: &str,
        fields: &Value,
    ) -> Result<Reply, SalesforceError> {
        let path = self.data_path(&format!(
            "sobjects/{}/{}",
            path_segment(object)?,
            path_segment(id)?
        ));
        self.write(session, Method::PATCH, &path, Some(fields))
            .await
    }

    /// Upserts by external id (see [`Upserted::from_reply`]); several matches (300) come back
    /// as [`SalesforceError::MultipleMatches`]. Sent once.
    pub async fn upsert(
        &self,
        session: &Session,
        object: &str,
        (field, value): (&str, &str),
        fields: &Value,
    ) -> Result<Reply, SalesforceError> {
        let path = self.data_path(&format!(
            "sobjects/{}/{}/{}",
            path_segment(object)?,
            path_segment(field)?,
            path_segment(value)?
        ));
        self.write(session, Method::PATCH, &path, Some(fields))
            .await
    }

    /// Deletes a record to the Recycle Bin (204). Sent once.
    pub async fn delete(
        &self,
        session: &Session,
        object: &str,
        id: &str,
    ) -> Result<Reply, SalesforceError> {
        let path = self.data_path(&format!(
            "sobjects/{}/{}",
            path_segment(object)?,
            path_segment(id)?
        ));
        self.write(session, Method::DELETE, &path, None).await
    }
}

/// A value as one URL path segment, percent-encoded (a space is `%20`: in a path `+` is a plus
/// sign). `.` and `..` are refused: URL parsers resolve them, even percent-encoded, as "this" and
/// "the parent" path, so the request would go to another resource.
pub fn path_segment(value: &str) -> Result<String, SalesforceError> {
    if value.is_empty() || value == "." || value == ".." {
        return Err(SalesforceError::CannotSend {
            message: format!(
                "'{value}' cannot be sent as one part of a Salesforce URL (an empty value, '.' and '..' would address another resource); use another value or the record id"
            ),
        });
    }
    Ok(url::form_urlencoded::byte_serialize(value.as_bytes())
        .collect::<String>()
        .replace('+', "%20"))
}

pub(super) fn transport(e: &reqwest::Error) -> SalesforceError {
    let what = if e.is_timeout() {
        "timed out"
    } else {
        "connection failed"
    };
    SalesforceError::Transport {
        message: format!(
            "{what}: {}",
            e.to_string().split(" for url").next().unwrap_or_default()
        ),
    }
}
