//! Changes left `executing` by a process that stopped: at start-up and periodically, a change
//! whose executor is gone (same host, process not alive) or whose lease ran out becomes
//! `unknown`. It is never sent again: Salesforce may or may not have applied it.

use std::time::Duration;

use base64::Engine as _;
use rand::RngCore as _;
use serde_json::json;

use super::{ChangeError, Changes, status};
use crate::store::changes::ChangeRow;
use crate::store::{self, now_text};

/// How often a running server looks for orphaned and expired changes.
pub const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// This machine's name, as recorded on executing changes.
pub fn this_host() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// This process's id.
pub fn this_pid() -> i64 {
    i64::from(std::process::id())
}

/// Whether a process runs on this machine; `None` when this platform cannot tell.
fn process_alive(pid: i64) -> Option<bool> {
    if !std::path::Path::new("/proc/self").exists() {
        return None;
    }
    Some(std::path::Path::new(&format!("/proc/{pid}")).exists())
}

/// Whether an executing change has lost its executor. At start-up this process has executed
/// nothing yet, so a change recorded with its own pid belongs to an earlier process.
///
/// The host and pid shortcuts hold only where every executor shares this machine (`same_host`:
/// a SQLite file). On PostgreSQL instances run on several machines (or containers that may share
/// a host name and pid 1), so only the lease decides.
fn orphaned(row: &ChangeRow, host: &str, now: &str, at_startup: bool, same_host: bool) -> bool {
    if row.lease_until.as_deref().is_none_or(|l| l <= now) {
        return true;
    }
    if !same_host || row.executor_host.as_deref() != Some(host) {
        return false;
    }
    match row.executor_pid {
        Some(pid) if pid == this_pid() => at_startup,
        Some(pid) => process_alive(pid) == Some(false),
        None => true,
    }
}

impl Changes {
    /// At start-up: marks changes left `executing` by a stopped process as `unknown`.
    pub async fn recover_orphans_at_startup(&self) -> Result<usize, ChangeError> {
        self.recover(true).await
    }

    /// Periodically: marks changes whose executor is gone or whose lease ran out as `unknown`.
    pub async fn recover_orphans(&self) -> Result<usize, ChangeError> {
        self.recover(false).await
    }

    async fn recover(&self, at_startup: bool) -> Result<usize, ChangeError> {
        let same_host = self.store.backend() == crate::store::Backend::Sqlite;
        let recovered = self
            .store
            .call(move |c| {
                let (host, now) = (this_host(), now_text());
                let mut count = 0;
                for row in store::changes::executing(c)? {
                    if !orphaned(&row, &host, &now, at_startup, same_host) {
                        continue;
                    }
                    let result = json!({"error": "the process executing this change stopped before recording Salesforce's answer; it was not sent again, so check the record in Salesforce", "executor_host": row.executor_host, "executor_pid": row.executor_pid}).to_string();
                    if store::changes::finish(c, &row.id, status::UNKNOWN, &result, &now)? == 1 {
                        store::audit::append(c, "system", "change.unknown", Some(&row.id), Some(&result))?;
                        count += 1;
                    }
                }
                Ok(count)
            })
            .await?;
        if recovered > 0 {
            tracing::warn!(
                recovered,
                "changes left executing by a stopped process are now unknown"
            );
        }
        Ok(recovered)
    }

    /// Runs [`Changes::recover_orphans`] and expiry every [`SWEEP_EVERY`] (half the test lease
    /// when one is set) until the task is dropped.
    pub fn spawn_sweeper(&self) -> tokio::task::JoinHandle<()> {
        let changes = self.clone();
        let every = self
            .settings
            .test_lease
            .map_or(SWEEP_EVERY, |l| (l / 2).max(Duration::from_millis(100)));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = changes.recover_orphans().await {
                    tracing::warn!(error = %e, "could not recover orphaned changes");
                }
                if let Err(e) = changes.expire_due().await {
                    tracing::warn!(error = %e, "could not expire changes");
                }
            }
        })
    }

    /// The key that seals MCP `requestState` values: 32 random bytes, created once per
    /// database and stored sealed, so every process on this database shares it.
    pub async fn request_state_key(&self) -> Result<Vec<u8>, ChangeError> {
        let sealer = self.sealer.clone();
        let encoded = self
            .store
            .call(move |c| {
                if store::changes::server_key(c, "request_state")?.is_none() {
                    let mut key = [0u8; 32];
                    rand::rng().fill_bytes(&mut key);
                    let text = base64::engine::general_purpose::STANDARD.encode(key);
                    store::changes::insert_server_key(
                        c,
                        "request_state",
                        &sealer.seal(&text),
                        &now_text(),
                    )?;
                }
                store::changes::server_key(c, "request_state")
            })
            .await?;
        let sealed = encoded
            .ok_or_else(|| ChangeError::BadInput("the request-state key is missing".into()))?;
        let text = self
            .sealer
            .open(&sealed)
            .map_err(|e| ChangeError::BadInput(e.to_string()))?;
        base64::engine::general_purpose::STANDARD
            .decode(secrecy::ExposeSecret::expose_secret(&text))
            .map_err(|e| ChangeError::BadInput(format!("the request-state key is damaged: {e}")))
    }
}
