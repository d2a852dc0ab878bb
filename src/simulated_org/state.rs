//! The simulated org's shared state: configuration, switches, tokens, open query cursors, the
//! request log and the dataset, behind locks that are never held across an `.await`.

use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use super::data::Dataset;
use super::pager::Pager;
use super::tokens::TokenStore;
use super::{LoggedRequest, SimOrgConfig, SimUser};
use crate::salesforce::ids::to_18;

/// The organization id every token and identity URL names (15-character form before checksum).
pub(crate) const ORG_ID_15: &[u8; 15] = b"00D5g000004SimO";

/// Daily API request allowance reported in `Sforce-Limit-Info` and `/limits/`.
pub(crate) const DAILY_API_LIMIT: u64 = 15_000;

/// Everything the handlers share.
pub(crate) struct Shared {
    /// `http://127.0.0.1:PORT`, no trailing slash: login host and instance at once.
    pub base_url: String,
    /// 18-character organization id.
    pub org_id: String,
    /// The org's users; the first is the default.
    pub users: Vec<SimUser>,
    /// Mutable switches, tokens, cursors and the log.
    pub inner: Mutex<Inner>,
    /// Records and metadata.
    pub dataset: RwLock<Dataset>,
}

/// Mutable state other than the dataset.
pub(crate) struct Inner {
    /// Current configuration (switches change it at run time).
    pub config: SimOrgConfig,
    /// Authorization codes, access and refresh tokens.
    pub tokens: TokenStore,
    /// Server-side query result sets.
    pub pager: Pager,
    /// Requests answered so far (control endpoints excluded).
    pub log: Vec<LoggedRequest>,
    /// Data-API calls still to fail, and with which status.
    pub fail_next: (u32, u16),
    /// Delay added before every non-control request.
    pub latency: Duration,
    /// Refuse the next authorization with `access_denied`.
    pub deny_next: bool,
    /// Data-API calls counted for `Sforce-Limit-Info`.
    pub api_usage: u64,
}

impl Shared {
    /// Fresh state for a server answering at `base_url`.
    pub fn new(base_url: String, config: SimOrgConfig) -> Self {
        Self {
            base_url,
            org_id: to_18(ORG_ID_15),
            users: sample_users(),
            inner: Mutex::new(Inner {
                config,
                tokens: TokenStore::default(),
                pager: Pager::default(),
                log: Vec::new(),
                fail_next: (0, 503),
                latency: Duration::ZERO,
                deny_next: false,
                api_usage: 0,
            }),
            dataset: RwLock::new(Dataset::sample()),
        }
    }

    /// The mutable state. A panic in another handler must not take the whole org down, so a
    /// poisoned lock is used as is.
    pub fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The dataset for reading.
    pub fn data(&self) -> RwLockReadGuard<'_, Dataset> {
        self.dataset.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The dataset for writing.
    pub fn data_mut(&self) -> RwLockWriteGuard<'_, Dataset> {
        self.dataset.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The identity URL of a user: `{base}/id/{org}/{user}`.
    pub fn identity_url(&self, user: &SimUser) -> String {
        format!("{}/id/{}/{}", self.base_url, self.org_id, user.user_id)
    }

    /// The user with this 18-character id.
    pub fn user(&self, user_id: &str) -> Option<&SimUser> {
        self.users.iter().find(|u| u.user_id == user_id)
    }
}

/// The org's users: the same people as the data's `User` records (ids, usernames), so that the
/// identity of a connection and the `OwnerId` of records agree.
fn sample_users() -> Vec<SimUser> {
    super::data::USERS
        .iter()
        .enumerate()
        .map(|(i, (first, last, _))| {
            let login = format!(
                "{}.{}@example.com",
                first.to_lowercase(),
                last.to_lowercase()
            );
            SimUser {
                username: login.clone(),
                user_id: super::data::make_id("005", i as u64 + 1),
                display_name: format!("{first} {last}"),
                email: login,
            }
        })
        .collect()
}
