//! Storage: SQLite (the embedded default: WAL, foreign keys, busy timeout) or PostgreSQL (shared by
//! several instances), behind one handle ([`Db`]); append-only migrations for each, and one
//! function per SQL statement, grouped by table.

pub mod apps;
pub mod audit;
pub mod changes;
pub mod connections;
pub mod cursors;
pub mod db;
pub mod groups;
mod migrations;
pub mod oauth_clients;
pub mod oauth_grants;
pub mod oauth_states;
pub mod policies;
pub mod postgres;
pub mod step_up;
#[cfg(test)]
mod tests;
pub mod tokens;
pub mod users;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

pub use db::{Backend, Db, Optional, Row};
use postgres::PgStore;

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
    /// A SQLite statement failed.
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A PostgreSQL statement failed.
    #[error("database error: {0}")]
    Postgres(String),
    /// PostgreSQL cannot be reached (at start-up or since).
    #[error(
        "the database {db} cannot be reached ({reason}); check that PostgreSQL is running and that --db (SALESFORCE_MCP_DB) is right, then try again"
    )]
    Unavailable {
        /// `postgres://host:port/db` (never the password).
        db: String,
        /// Why.
        reason: String,
    },
    /// A malformed PostgreSQL URL.
    #[error(
        "the database URL is not valid ({problem}); use postgres://USER@HOST:PORT/DATABASE (password from PGPASSWORD or ~/.pgpass)"
    )]
    Url {
        /// What is wrong with it.
        problem: String,
    },
    /// A query for one row found none.
    #[error("database error: no such row")]
    NoRow,
    /// A column held something other than expected.
    #[error("database error: column {index}: {problem}")]
    Column {
        /// The column (from 0).
        index: usize,
        /// What it held.
        problem: String,
    },
    /// The database was written by a newer salesforce-mcp.
    #[error(
        "the database {path} has schema version {found}, newer than this salesforce-mcp knows ({known}); upgrade salesforce-mcp"
    )]
    TooNew {
        /// The database.
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

/// A handle to the database (SQLite file or PostgreSQL pool), cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
enum Inner {
    Sqlite {
        conn: Mutex<Connection>,
        path: PathBuf,
    },
    Postgres(Arc<PgStore>),
}

/// Options for opening the store.
#[derive(Debug, Clone, Copy)]
pub struct OpenOptions {
    /// PostgreSQL connections per instance (ignored for SQLite).
    pub pool_size: usize,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            pool_size: postgres::DEFAULT_POOL_SIZE,
        }
    }
}

impl Store {
    /// Opens (creating if needed) the database at `location` (a SQLite file, or a
    /// `postgres://` URL) and applies pending migrations.
    pub fn open(location: &Path) -> Result<Self, StoreError> {
        Self::open_with(location, OpenOptions::default())
    }

    /// [`Store::open`] with options.
    pub fn open_with(location: &Path, options: OpenOptions) -> Result<Self, StoreError> {
        let text = location.to_string_lossy();
        if postgres::is_postgres_url(&text) {
            let pg = PgStore::open(&text, options.pool_size)?;
            return Ok(Self {
                inner: Arc::new(Inner::Postgres(pg)),
            });
        }
        Self::open_sqlite(location)
    }

    fn open_sqlite(path: &Path) -> Result<Self, StoreError> {
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
        // busy timeout instead (Db::transaction says BEGIN IMMEDIATE; this covers migrations).
        conn.set_transaction_behavior(TransactionBehavior::Immediate);
        // Statements of the per-request path (token check, session read) are prepared once.
        conn.set_prepared_statement_cache_capacity(64);
        migrations::migrate(&mut conn, path)?;
        Ok(Self {
            inner: Arc::new(Inner::Sqlite {
                conn: Mutex::new(conn),
                path: path.to_path_buf(),
            }),
        })
    }

    /// Which database runs.
    pub fn backend(&self) -> Backend {
        match &*self.inner {
            Inner::Sqlite { .. } => Backend::Sqlite,
            Inner::Postgres(_) => Backend::Postgres,
        }
    }

    /// The database, for messages: the file, or `postgres://host:port/db` (never a password).
    pub fn location(&self) -> String {
        match &*self.inner {
            Inner::Sqlite { path, .. } => path.display().to_string(),
            Inner::Postgres(pg) => pg.shown().to_owned(),
        }
    }

    /// Runs `f` with a database handle on a blocking thread.
    pub async fn call<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Db<'_>) -> Result<R, StoreError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || run(&inner, f))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// Runs `f` with a database handle on the current thread (command-line use).
    pub fn call_sync<R: Send>(
        &self,
        f: impl FnOnce(&mut Db<'_>) -> Result<R, StoreError> + Send,
    ) -> Result<R, StoreError> {
        match &*self.inner {
            Inner::Sqlite { .. } => run(&self.inner, f),
            Inner::Postgres(_) => postgres::off_runtime(|| run(&self.inner, f)),
        }
    }
}

fn run<R>(
    inner: &Inner,
    f: impl FnOnce(&mut Db<'_>) -> Result<R, StoreError>,
) -> Result<R, StoreError> {
    match inner {
        Inner::Sqlite { conn, .. } => {
            let guard = conn
                .lock()
                .map_err(|_| StoreError::Task("database lock poisoned".into()))?;
            f(&mut Db::sqlite(&guard))
        }
        Inner::Postgres(pg) => {
            let conn = pg.checkout()?;
            f(&mut Db::postgres(&conn))
        }
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
