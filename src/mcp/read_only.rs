//! Policy `read_only` in MCP: the change tools are left out of `tools/list` and refused while an
//! admin has turned changes off, read at every call; and `notifications/tools/list_changed` when
//! it switches: one poll of the stored policies per process (every [`POLL_EVERY`]), shared by
//! every session through a watch channel.

use std::time::Duration;

use rmcp::model::{CallToolResult, ListToolsResult};
use rmcp::service::{Peer, RequestContext};
use rmcp::{ErrorData, RoleServer};
use tokio::sync::watch;

use super::SalesforceMcp;
use crate::changes::{ChangeError, Changes};

/// The tools that prepare, confirm or undo a change: not listed, and refused, while an admin has
/// turned changes off. `cancel_change` stays: it only withdraws a pending change and sends
/// nothing to Salesforce.
pub const CHANGE_TOOLS: [&str; 3] = ["prepare_change", "confirm_change", "prepare_undo"];

/// How often a process reads the policies to notice a switch made elsewhere.
pub const POLL_EVERY: Duration = Duration::from_secs(2);

/// How often a session's watcher checks that its client is still there.
const SESSION_CHECK_EVERY: Duration = Duration::from_secs(30);

impl SalesforceMcp {
    /// Whether changes are off now.
    async fn read_only(&self) -> Result<bool, ChangeError> {
        Ok(self.changes.policies().await?.read_only.value)
    }

    /// `tools/list`: every tool, without the change tools while read-only.
    pub(super) async fn listed_tools(
        &self,
        ctx: &RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let read_only = self
            .read_only()
            .await
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        let tools = self
            .tool_router
            .list_all()
            .into_iter()
            .filter(|t| !(read_only && CHANGE_TOOLS.contains(&t.name.as_ref())))
            .collect();
        let cache_hints = ctx
            .protocol_version()
            .is_some_and(|v| v >= rmcp::model::ProtocolVersion::V_2026_07_28);
        Ok(ListToolsResult {
            result_type: Some(rmcp::model::ResultType::COMPLETE),
            tools,
            meta: None,
            next_cursor: None,
            // Never cached: the list changes when an admin switches read-only.
            ttl_ms: cache_hints.then_some(0),
            cache_scope: cache_hints.then_some(rmcp::model::CacheScope::Public),
        })
    }

    /// The tool error for a change tool called while read-only (or when the policies cannot be
    /// read); `None` lets the call run.
    pub(super) async fn refused_while_read_only(&self, tool: &str) -> Option<CallToolResult> {
        if !CHANGE_TOOLS.contains(&tool) {
            return None;
        }
        match self.read_only().await {
            Ok(false) => None,
            Ok(true) => Some(self.change_error(ChangeError::ReadOnly)),
            Err(e) => Some(self.change_error(e)),
        }
    }

    /// Tells this session's client each time read-only switches, until the session ends.
    pub(super) fn follow_read_only(&self, peer: Peer<RoleServer>) {
        let rx = self
            .read_only_watch
            .get_or_init(|| start_poller(self.changes.clone()))
            .clone();
        tokio::spawn(follow(rx, peer));
    }
}

/// Starts the process's poller: the receiver follows the read-only policy.
fn start_poller(changes: Changes) -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        loop {
            match changes.policies().await {
                Ok(p) => {
                    let on = p.read_only.value;
                    tx.send_if_modified(|v| std::mem::replace(v, on) != on);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the policies to follow read-only");
                }
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    });
    rx
}

/// Sends `notifications/tools/list_changed` to `peer` at each switch, until its session ends.
async fn follow(mut rx: watch::Receiver<bool>, peer: Peer<RoleServer>) {
    rx.mark_unchanged();
    loop {
        tokio::select! {
            changed = rx.changed() => {
                if changed.is_err() || peer.notify_tool_list_changed().await.is_err() {
                    return;
                }
            }
            () = tokio::time::sleep(SESSION_CHECK_EVERY) => {
                if peer.is_transport_closed() {
                    return;
                }
            }
        }
    }
}
