//! The store's own tests, run on every backend: SQLite always, and PostgreSQL when
//! `SALESFORCE_MCP_TEST_PG` names a server (the test command starts one), each test on a fresh
//! database there. What differs between the two is the dialect, so these check the semantics both
//! must share: migrations, transactions and savepoints, value round trips, upserts.

use super::db::{Db, params};
use super::{Backend, Store, StoreError, apps, audit, groups, users};

/// A fresh database per backend: (its `--db` location, the temp dir that holds a SQLite file).
fn fresh_locations() -> Vec<(std::path::PathBuf, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let mut out = vec![(dir.path().join("t.db"), dir)];
    if let Ok(server) = std::env::var("SALESFORCE_MCP_TEST_PG") {
        out.push((
            fresh_pg_database(&server).into(),
            tempfile::tempdir().unwrap(),
        ));
    }
    out
}

/// A new, empty database on the test PostgreSQL server; its URL.
fn fresh_pg_database(server: &str) -> String {
    let name = format!("u_{}", uuid::Uuid::new_v4().simple());
    let done = std::process::Command::new("psql")
        .args([server, "-q", "-c", &format!("CREATE DATABASE {name}")])
        .output()
        .unwrap();
    assert!(
        done.status.success(),
        "CREATE DATABASE failed: {}",
        String::from_utf8_lossy(&done.stderr)
    );
    let base = server.rsplit_once('/').map_or(server, |(b, _)| b);
    format!("{base}/{name}")
}

/// Runs `f` on a fresh store of every backend.
fn on_every_backend(f: impl Fn(&Db<'_>) -> Result<(), StoreError> + Send + Sync + Copy) {
    for (location, _dir) in fresh_locations() {
        let store = Store::open(&location).unwrap();
        store.call_sync(|c| f(c)).unwrap();
    }
}

fn schema_version(c: &Db<'_>) -> Result<i64, StoreError> {
    match c.backend() {
        Backend::Sqlite => c.query_row("PRAGMA user_version", params![], |r| r.get(0)),
        Backend::Postgres => c.query_row(
            "SELECT version FROM salesforce_mcp_schema",
            params![],
            |r| r.get(0),
        ),
    }
}

#[test]
fn migrations_apply_once_on_an_empty_database_and_again_as_a_no_op() {
    for (location, _dir) in fresh_locations() {
        let first = Store::open(&location).unwrap();
        let version = first.call_sync(|c| schema_version(c)).unwrap();
        assert_eq!(version, super::migrations::count() as i64);
        drop(first);
        let again = Store::open(&location).unwrap();
        assert_eq!(again.call_sync(|c| schema_version(c)).unwrap(), version);
        // A second store on the same database at once (another instance) sees the same schema.
        let other = Store::open(&location).unwrap();
        assert_eq!(other.call_sync(|c| schema_version(c)).unwrap(), version);
    }
}

#[test]
fn a_transaction_rolls_back_unless_committed_and_savepoints_nest() {
    on_every_backend(|c| {
        let tx = c.transaction()?;
        users::insert(&tx, "kept@example.com", false)?;
        {
            let inner = tx.transaction()?;
            users::insert(&inner, "undone@example.com", false)?;
            // dropped without commit: only the savepoint rolls back
        }
        {
            let inner = tx.transaction()?;
            users::insert(&inner, "nested@example.com", true)?;
            inner.commit()?;
        }
        tx.commit()?;
        {
            let tx = c.transaction()?;
            users::insert(&tx, "dropped@example.com", false)?;
        }
        let emails: Vec<String> = users::list(c)?.into_iter().map(|u| u.email).collect();
        assert_eq!(emails, ["kept@example.com", "nested@example.com"]);
        Ok(())
    });
}

#[test]
fn values_come_back_as_they_went_in() {
    on_every_backend(|c| {
        // Booleans, case-insensitive e-mails (a unique, case-insensitive column).
        let amy = users::insert(c, "Amy@Example.com", true)?;
        let found = users::find_by_email(c, "amy@example.COM")?.unwrap();
        assert_eq!((found.id, found.is_admin), (amy.id, true));
        let same = users::insert(c, "AMY@example.com", false)?;
        assert_eq!(
            (same.id, same.is_admin),
            (amy.id, true),
            "the existing person, unchanged"
        );
        // Timestamps: RFC 3339 text in, the same instant out as RFC 3339 text.
        audit::append(
            c,
            "cli",
            "test.value",
            Some("subject"),
            Some("{\"b\":1,\"a\":2}"),
        )?;
        audit::append(c, "cli", "test.null", None, None)?;
        let rows = audit::recent(c, 10)?;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].detail.as_deref(), Some("{\"b\":1,\"a\":2}"));
        assert_eq!(
            (rows[0].subject.as_deref(), rows[0].detail.as_deref()),
            (None, None)
        );
        let at = chrono::DateTime::parse_from_rfc3339(&rows[1].at).unwrap();
        assert!((chrono::Utc::now() - at.to_utc()).num_seconds().abs() < 60);
        // Bytes (a sealed secret) and optional text.
        let fields = apps::AppFields {
            client_id: "first".into(),
            client_secret_sealed: Some(vec![0, 1, 2, 255]),
            auth_base_url: "https://login.salesforce.com".into(),
            scopes: "api".into(),
            prompt: Some("login".into()),
            enabled: true,
        };
        apps::upsert(c, None, &fields)?;
        let app = apps::org_app(c)?.unwrap();
        assert_eq!(
            app.client_secret_sealed.as_deref(),
            Some(&[0u8, 1, 2, 255][..])
        );
        assert_eq!(app.prompt.as_deref(), Some("login"));
        Ok(())
    });
}

#[test]
fn an_upsert_keeps_one_row_with_the_new_values() {
    on_every_backend(|c| {
        let mut fields = apps::AppFields {
            client_id: "first".into(),
            client_secret_sealed: None,
            auth_base_url: "https://login.salesforce.com".into(),
            scopes: "api".into(),
            prompt: None,
            enabled: true,
        };
        let one = apps::upsert(c, None, &fields)?;
        fields.client_id = "second".into();
        fields.enabled = false;
        let two = apps::upsert(c, None, &fields)?;
        assert_eq!(one.id, two.id);
        let app = apps::org_app(c)?.unwrap();
        assert_eq!((app.client_id.as_str(), app.enabled), ("second", false));
        Ok(())
    });
}

#[test]
fn a_group_name_is_taken_only_once_and_members_are_listed_by_email() {
    on_every_backend(|c| {
        let id = groups::insert(c, "sales", 10)?.unwrap();
        assert_eq!(groups::insert(c, "sales", 5)?, None);
        let bob = users::insert(c, "bob@example.com", false)?;
        let amy = users::insert(c, "amy@example.com", false)?;
        assert_eq!(groups::add_member(c, id, bob.id)?, 1);
        assert_eq!(groups::add_member(c, id, bob.id)?, 0);
        groups::add_member(c, id, amy.id)?;
        assert_eq!(
            groups::member_emails(c, id)?,
            vec!["amy@example.com", "bob@example.com"]
        );
        assert_eq!(groups::of_user(c, bob.id)?[0].name, "sales");
        assert_eq!(groups::remove_member(c, id, bob.id)?, 1);
        assert!(groups::of_user(c, bob.id)?.is_empty());
        Ok(())
    });
}

fn encrypted(store: &Store) -> bool {
    store
        .call_sync(|c| {
            c.query_row(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                params![],
                |r| r.get(0),
            )
        })
        .unwrap()
}

#[test]
fn postgres_over_tls_verifies_the_server_certificate() {
    // The test command's cluster speaks TLS with a certificate from its own CA.
    let (Ok(server), Ok(ca)) = (
        std::env::var("SALESFORCE_MCP_TEST_PG"),
        std::env::var("SALESFORCE_MCP_TEST_PG_CA"),
    ) else {
        return;
    };
    let db = fresh_pg_database(&server);
    let plain = Store::open(std::path::Path::new(&db)).unwrap();
    assert!(!encrypted(&plain), "no sslmode: no TLS");
    let verified = format!("{db}?sslmode=verify-full&sslrootcert={ca}");
    let tls = Store::open(std::path::Path::new(&verified)).unwrap();
    assert!(encrypted(&tls), "sslmode=verify-full with the CA: TLS");
    // Without the CA the system roots do not trust the test CA: refused, with the reason.
    let untrusted =
        Store::open(std::path::Path::new(&format!("{db}?sslmode=require"))).unwrap_err();
    let text = untrusted.to_string();
    assert!(
        text.contains("cannot be reached") && text.to_lowercase().contains("certificate"),
        "{text}"
    );
    assert!(!text.contains("sslrootcert="), "{text}");
    let missing = Store::open(std::path::Path::new(&format!(
        "{db}?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem"
    )))
    .unwrap_err();
    assert!(
        missing.to_string().contains("/nonexistent/ca.pem"),
        "{missing}"
    );
}
