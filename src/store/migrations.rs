//! Append-only migrations, applied when the database opens: SQLite's in one exclusive transaction
//! with `PRAGMA user_version` as the cursor; PostgreSQL's under an advisory lock (instances that
//! start together migrate once) with a one-row `salesforce_mcp_schema` table as the cursor. Both
//! lists have the same migrations, in the same order, each written for its database.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;
use super::db::{Db, params};
use super::postgres::PgConn;

/// Every migration, in order. Never edit or reorder one that has shipped: append a new one.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_web_sessions.sql"),
    include_str!("migrations/0003_changes.sql"),
    include_str!("migrations/0004_refresh_claim.sql"),
    include_str!("migrations/0005_oauth_server.sql"),
    include_str!("migrations/0006_change_records.sql"),
    include_str!("migrations/0007_staged_credentials.sql"),
    include_str!("migrations/0008_policies.sql"),
    include_str!("migrations/0009_step_up.sql"),
    include_str!("migrations/0010_oauth_state_purpose.sql"),
];

/// The same migrations for PostgreSQL (same numbers and names; PostgreSQL types).
const PG_MIGRATIONS: &[&str] = &[
    include_str!("migrations/postgres/0001_init.sql"),
    include_str!("migrations/postgres/0002_web_sessions.sql"),
    include_str!("migrations/postgres/0003_changes.sql"),
    include_str!("migrations/postgres/0004_refresh_claim.sql"),
    include_str!("migrations/postgres/0005_oauth_server.sql"),
    include_str!("migrations/postgres/0006_change_records.sql"),
    include_str!("migrations/postgres/0007_staged_credentials.sql"),
    include_str!("migrations/postgres/0008_policies.sql"),
    include_str!("migrations/postgres/0009_step_up.sql"),
    include_str!("migrations/postgres/0010_oauth_state_purpose.sql"),
];

/// How many migrations there are (the same for both databases).
#[cfg(test)]
pub(super) fn count() -> usize {
    MIGRATIONS.len()
}

/// Applies the PostgreSQL migrations the database has not seen yet (the caller holds the
/// migration lock).
pub(super) fn migrate_postgres(conn: &PgConn) -> Result<(), StoreError> {
    let db = Db::postgres(conn);
    let tx = db.transaction()?;
    tx.execute(
        "CREATE TABLE IF NOT EXISTS salesforce_mcp_schema (version BIGINT NOT NULL)",
        params![],
    )?;
    let version: i64 = tx
        .query_opt(
            "SELECT version FROM salesforce_mcp_schema",
            params![],
            |r| r.get(0),
        )?
        .unwrap_or(0);
    let known = PG_MIGRATIONS.len() as i64;
    if version > known {
        return Err(StoreError::TooNew {
            path: "the PostgreSQL database".into(),
            found: version,
            known,
        });
    }
    for sql in PG_MIGRATIONS.iter().skip(version as usize) {
        conn.batch(sql)?;
    }
    tx.execute("DELETE FROM salesforce_mcp_schema", params![])?;
    tx.execute(
        "INSERT INTO salesforce_mcp_schema (version) VALUES (?1)",
        params![known],
    )?;
    tx.commit()
}

/// Applies the migrations the database has not seen yet.
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            known,
        });
    }
    for sql in MIGRATIONS.iter().skip(version as usize) {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", known)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_twice_on_an_empty_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn, &path).unwrap();
        migrate(&mut conn, &path).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'connections'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 1);
    }

    #[test]
    fn both_databases_have_the_same_migrations() {
        assert_eq!(MIGRATIONS.len(), PG_MIGRATIONS.len());
        let names = |dir: &str| {
            let mut v: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".sql"))
                .collect();
            v.sort();
            v
        };
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src/store/migrations");
        assert_eq!(names(root), names(&format!("{root}/postgres")));
        assert_eq!(names(root).len(), MIGRATIONS.len());
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        let mut conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
        assert!(matches!(
            migrate(&mut conn, &path),
            Err(StoreError::TooNew { .. })
        ));
    }
}
