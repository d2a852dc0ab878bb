//! The read side, as the tools use it: calls with the person's connection (refresh once on an
//! expired session), a per-connection describe cache, and the shaping of objects, fields,
//! search results and query pages. No MCP types here.

mod describe_cache;
mod errors;
mod files;
mod lists;
mod objects;
mod query;
mod records;
mod report_shape;
mod reports;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

pub use errors::ReadError;
pub use files::{FileContent, FileInfo, FileList, ListFilesArgs, ReadFileArgs};
pub use lists::{
    ListViewArgs, ListViewColumn, ListViewOut, RecentArgs, RecentItem, RecentOut, RelatedArgs,
    RelatedOut, name_field,
};
pub use objects::{
    DescribeArgs, FieldInfo, ListObjectsArgs, ObjectInfo, ObjectList, ObjectSummary, closest_names,
    required_on_create,
};
pub use query::{QueryArgs, QueryPage};
pub use records::{GetRecordArgs, RecordOut, SearchArgs, SearchGroup, SearchObjectArg, SearchOut};
pub use report_shape::{Aggregate, Grouping, ReportColumn};
pub use reports::{
    DashboardArgs, DashboardComponent, DashboardOut, ReportFilter, ReportOut, ReportRef,
    RunReportArgs,
};

use crate::connections::{Connections, LiveSession};
use crate::salesforce::client::{Api, Reply, Session};
use crate::salesforce::error::SalesforceError;
use crate::store::Store;

/// Read services shared by the tools.
#[derive(Debug, Clone)]
pub struct Reads {
    api: Api,
    connections: Connections,
    store: Store,
    describes: Arc<describe_cache::DescribeCache>,
    /// People whose API usage is being written, with the latest usage not yet written.
    usage: Arc<Mutex<HashMap<i64, Option<String>>>>,
}

/// API usage is written at once, then at most this often per person (the latest value).
const USAGE_WRITE_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

impl Reads {
    /// Builds the service.
    pub fn new(
        api: Api,
        connections: Connections,
        store: Store,
        describe_ttl: std::time::Duration,
    ) -> Self {
        Self {
            api,
            connections,
            store,
            describes: Arc::new(describe_cache::DescribeCache::new(describe_ttl)),
            usage: Arc::default(),
        }
    }

    /// The REST client.
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// The connection services.
    pub fn connections(&self) -> &Connections {
        &self.connections
    }

    /// Calls Salesforce as the person; on an expired session refreshes once and retries once.
    /// Returns the reply and the connection key (for caches).
    pub async fn call<F, Fut>(&self, user_id: i64, f: F) -> Result<(Reply, String), ReadError>
    where
        F: Fn(Session) -> Fut,
        Fut: Future<Output = Result<Reply, SalesforceError>>,
    {
        let live = self.connections.session(user_id).await?;
        self.call_with(user_id, live, f).await
    }

    /// [`Reads::call`] with a session the caller already read.
    async fn call_with<F, Fut>(
        &self,
        user_id: i64,
        live: LiveSession,
        f: F,
    ) -> Result<(Reply, String), ReadError>
    where
        F: Fn(Session) -> Fut,
        Fut: Future<Output = Result<Reply, SalesforceError>>,
    {
        let key = live.key.clone();
        let reply = self.retry_expired(user_id, live, f).await?;
        if let Some(usage) = &reply.usage {
            self.note_usage(user_id, usage);
        }
        Ok((reply, key))
    }

    /// Runs `f` with the person's session; on an expired
    /// session refreshes once and retries once. For answers that are not a [`Reply`].
    pub(crate) async fn with_session<T, F, Fut>(&self, user_id: i64, f: F) -> Result<T, ReadError>
    where
        F: Fn(Session) -> Fut,
        Fut: Future<Output = Result<T, SalesforceError>>,
    {
        let live = self.connections.session(user_id).await?;
        self.retry_expired(user_id, live, f).await
    }

    async fn retry_expired<T, F, Fut>(
        &self,
        user_id: i64,
        live: LiveSession,
        f: F,
    ) -> Result<T, ReadError>
    where
        F: Fn(Session) -> Fut,
        Fut: Future<Output = Result<T, SalesforceError>>,
    {
        match f(live.session.clone()).await {
            Err(SalesforceError::SessionExpired { .. }) => {
                let fresh = self.connections.refresh(user_id, live.generation).await?;
                Ok(f(fresh.session).await?)
            }
            other => Ok(other?),
        }
    }

    /// The instance URL of the person's connection (for record links).
    pub async fn instance_url(&self, user_id: i64) -> Result<String, ReadError> {
        Ok(self
            .connections
            .session(user_id)
            .await?
            .session
            .instance_url)
    }

    /// Records the person's API usage: the first at once, then the latest every
    /// [`USAGE_WRITE_EVERY`] while calls go on (one database write per call would be most of a
    /// call's cost).
    fn note_usage(&self, user_id: i64, usage: &crate::salesforce::limits::ApiUsage) {
        let json = serde_json::json!({"used": usage.used, "limit": usage.limit}).to_string();
        {
            let mut pending = self.usage.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(latest) = pending.get_mut(&user_id) {
                *latest = Some(json);
                return;
            }
            pending.insert(user_id, None);
        }
        let connections = self.connections.clone();
        let pending = Arc::clone(&self.usage);
        tokio::spawn(async move {
            let mut next = Some(json);
            while let Some(json) = next {
                if let Err(e) = connections.record_usage(user_id, json).await {
                    tracing::warn!(error = %e, "could not record API usage");
                }
                tokio::time::sleep(USAGE_WRITE_EVERY).await;
                let mut pending = pending.lock().unwrap_or_else(|p| p.into_inner());
                next = pending.get_mut(&user_id).and_then(Option::take);
                if next.is_none() {
                    pending.remove(&user_id);
                }
            }
        });
    }
}

/// Removes `attributes` from a record and its nested parent records, keeping child subqueries.
pub fn compact_record(mut value: serde_json::Value) -> serde_json::Value {
    if let Some(map) = value.as_object_mut() {
        map.remove("attributes");
        for (_, v) in map.iter_mut() {
            if v.is_object() {
                if let Some(records) = v.get_mut("records").and_then(|r| r.as_array_mut()) {
                    let taken = std::mem::take(records);
                    *records = taken.into_iter().map(compact_record).collect();
                } else {
                    *v = compact_record(std::mem::take(v));
                }
            }
        }
    }
    value
}
