//! Legacy MCP sessions (`Mcp-Session-Id`) bound to the person who opened them: rmcp does not
//! check who uses a session, so another person's token on it is refused here with 403.
//! 2026-07-28 requests are stateless and carry no session id.
//!
//! Each session costs memory (about 63 KB), so a person holds at most
//! [`MAX_SESSIONS_PER_PERSON`]: opening one more closes that person's oldest. Refusing the new one
//! instead would lock out a person whose client never ends its sessions (after a crash or a
//! restart) until they time out; closing the oldest keeps the newest working, and a client still
//! on a closed session gets 404 and initializes again, as Streamable HTTP clients do.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::session::{SessionId, SessionManager as _};

use super::server::HttpState;
use crate::mcp::Caller;

/// The session id header of Streamable HTTP.
pub const SESSION_HEADER: &str = "mcp-session-id";
/// Bindings are checked against rmcp's live sessions after this many new ones.
const PRUNE_EVERY: usize = 64;
/// Legacy sessions one person may hold at once; one more closes their oldest.
pub const MAX_SESSIONS_PER_PERSON: usize = 32;

/// Which person owns each live legacy session.
#[derive(Debug, Clone, Default)]
pub struct SessionOwners {
    inner: Arc<Mutex<Owners>>,
}

#[derive(Debug, Default)]
struct Owners {
    /// Session id -> (person, when it was bound: a sequence number).
    by_session: HashMap<String, (i64, u64)>,
    bound_so_far: u64,
    added_since_prune: usize,
    manager: Option<Arc<LocalSessionManager>>,
}

impl SessionOwners {
    /// Remembers rmcp's session manager, to forget sessions it has closed.
    pub fn watch(&self, manager: Arc<LocalSessionManager>) {
        self.lock().manager = Some(manager);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Owners> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The owner of a session, if it is known.
    pub fn owner(&self, session: &str) -> Option<i64> {
        self.lock().by_session.get(session).map(|(user, _)| *user)
    }

    /// Binds a new session; returns the person's sessions over the cap (oldest first, now
    /// forgotten, to be closed) and rmcp's manager when it is time to prune.
    fn bind(&self, session: String, user_id: i64) -> Bound {
        let mut owners = self.lock();
        owners.bound_so_far += 1;
        let seq = owners.bound_so_far;
        owners.by_session.insert(session, (user_id, seq));
        let mut theirs: Vec<(u64, String)> = owners
            .by_session
            .iter()
            .filter(|(_, (user, _))| *user == user_id)
            .map(|(id, (_, seq))| (*seq, id.clone()))
            .collect();
        let over = theirs.len().saturating_sub(MAX_SESSIONS_PER_PERSON);
        theirs.sort_unstable();
        let evicted: Vec<String> = theirs.into_iter().take(over).map(|(_, id)| id).collect();
        for id in &evicted {
            owners.by_session.remove(id);
        }
        owners.added_since_prune += 1;
        let prune = owners.added_since_prune >= PRUNE_EVERY;
        if prune {
            owners.added_since_prune = 0;
        }
        Bound {
            evicted,
            manager: owners.manager.clone(),
            prune,
        }
    }

    fn forget(&self, session: &str) {
        self.lock().by_session.remove(session);
    }

    /// Drops bindings of sessions rmcp no longer has (closed or timed out).
    /// Sessions bound after the snapshot of live sessions was taken are kept.
    async fn prune(&self, manager: &LocalSessionManager) {
        let cutoff = self.lock().bound_so_far;
        let live: std::collections::HashSet<String> = manager
            .sessions
            .read()
            .await
            .keys()
            .map(|k| k.to_string())
            .collect();
        self.lock()
            .by_session
            .retain(|id, (_, seq)| *seq > cutoff || live.contains(id));
    }

    /// How many sessions are bound (for tests and logs).
    pub fn len(&self) -> usize {
        self.lock().by_session.len()
    }

    /// Whether no session is bound.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many sessions `user_id` holds.
    pub fn count_for(&self, user_id: i64) -> usize {
        self.lock()
            .by_session
            .values()
            .filter(|(user, _)| *user == user_id)
            .count()
    }
}

/// What binding a new session asks of the caller.
struct Bound {
    evicted: Vec<String>,
    manager: Option<Arc<LocalSessionManager>>,
    prune: bool,
}

/// The binding middleware: runs after the bearer check, so the [`Caller`] is known.
pub async fn bind(State(state): State<HttpState>, request: Request, next: Next) -> Response {
    let Some(caller) = request.extensions().get::<Caller>().copied() else {
        return (
            http::StatusCode::INTERNAL_SERVER_ERROR,
            "no caller on an authenticated request",
        )
            .into_response();
    };
    let session = request
        .headers()
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let is_delete = request.method() == http::Method::DELETE;
    if let Some(id) = &session {
        match state.sessions.owner(id) {
            Some(owner) if owner == caller.user_id => {}
            Some(_) => return other_persons_session(),
            None => return unknown_session(),
        }
    }
    let response = next.run(request).await;
    match (&session, response.headers().get(SESSION_HEADER)) {
        (None, Some(created)) => {
            if let Ok(created) = created.to_str() {
                let bound = state.sessions.bind(created.to_owned(), caller.user_id);
                if let Some(manager) = bound.manager {
                    for id in bound.evicted {
                        tracing::info!(
                            user_id = caller.user_id,
                            "closing the oldest MCP session of a person over the session cap"
                        );
                        let _ = manager.close_session(&SessionId::from(id)).await;
                    }
                    if bound.prune {
                        state.sessions.prune(&manager).await;
                    }
                }
            }
        }
        (Some(id), _) if is_delete && response.status().is_success() => state.sessions.forget(id),
        _ => {}
    }
    response
}

fn other_persons_session() -> Response {
    (
        http::StatusCode::FORBIDDEN,
        "Forbidden: this MCP session was opened by another person; open your own session with your own API token",
    )
        .into_response()
}

fn unknown_session() -> Response {
    (
        http::StatusCode::NOT_FOUND,
        "Not Found: this MCP session does not exist or has ended; start a new one (initialize again)",
    )
        .into_response()
}
