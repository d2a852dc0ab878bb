//! SQLite storage: opening (WAL, foreign keys, busy timeout), append-only migrations, and one
//! function per SQL statement, grouped by table.

pub mod apps;
pub mod audit;
pub mod changes;
pub mod connections;
pub mod cursors;
pub mod groups;
mod migrations;
pub mod oauth_clients;
pub mod oauth_grants;
pub mod oauth_states;
pub mod tokens;
pub mod users;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

/// Storage failures.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened or migrated.
    #[error(
        "cannot open the database {path}: {source}; check the path and its permissions (--db or SALESFORCE_MCP_DB)"
    )]
    Open {
        /// The database file.
        path: PathBuf,
        /// The underlying error.
        source: rusqlite::Error,
    },
    /// A statement failed.
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    /// The database was written by a newer salesforce-mcp.
    #[error(
        "the database {path} has schema version {found}, newer than this salesforce-mcp knows ({known}); upgrade salesforce-mcp"
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// The blocking task running the statement was lost.
    #[error("database task failed: {0}")]
    Task(String),
}

/// A handle to the SQLite database, cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(dir);
        }
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        // Several processes share the file. A deferred transaction that reads and then writes
        // cannot wait for another writer (SQLite refuses the upgrade at once with "database is
        // locked"), so every transaction takes the write lock when it begins and waits on the
        // busy timeout instead.
        conn.set_transaction_behavior(TransactionBehavior::Immediate);
        // Statements of the per-request path (token check, session read) are prepared once.
        conn.set_prepared_statement_cache_capacity(64);
        migrations::migrate(&mut conn, path)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` with the connection on a blocking thread.
    pub async fn call<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| StoreError::Task("database lock poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// Runs `f` with the connection on the current thread (command-line use).
    pub fn call_sync<R>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let mut guard = self
            .conn
            .lock()
            .map_err(|_| StoreError::Task("database lock poisoned".into()))?;
        f(&mut guard)
    }
}

/// The current time as stored: RFC 3339 UTC with milliseconds.
pub fn now_text() -> String {
    timestamp(chrono::Utc::now())
}

/// A time as stored.
pub fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
