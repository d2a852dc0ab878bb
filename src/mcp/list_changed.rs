//! `notifications/tools/list_changed` when an admin switches read-only: one poll of the stored
//! policies per process (every [`POLL_EVERY`]), shared by every session through a watch
//! channel; each session that completed `initialize` is told when the value moves.

use std::time::Duration;

use rmcp::RoleServer;
use rmcp::service::Peer;
use tokio::sync::watch;

use crate::changes::Changes;

/// How often the process reads the policies to notice a switch made elsewhere.
pub const POLL_EVERY: Duration = Duration::from_secs(2);

/// How often a session's watcher checks that its client is still there.
const SESSION_CHECK_EVERY: Duration = Duration::from_secs(30);

/// Starts the process's poller: the receiver follows the read-only policy.
pub fn start_poller(changes: Changes) -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        loop {
            match changes.policies().await {
                Ok(p) => {
                    tx.send_if_modified(|v| {
                        std::mem::replace(v, p.read_only.value) != p.read_only.value
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the policies to follow read-only")
                }
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    });
    rx
}

/// Tells `peer` each time read-only switches, until its session ends.
pub async fn follow(mut rx: watch::Receiver<bool>, peer: Peer<RoleServer>) {
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
