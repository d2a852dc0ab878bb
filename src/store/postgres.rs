//! The PostgreSQL backend: a `tokio-postgres` connection pool (`deadpool-postgres`) driven by a
//! small runtime of its own, so that store closures (synchronous, as on SQLite) can run a
//! statement from any thread, inside or outside the server's async runtime.

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use tokio_postgres::config::SslMode;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

use super::StoreError;
use super::db::{Row, Value};

/// The advisory lock every writing transaction holds: the one write lock, as SQLite has.
const WRITE_LOCK: i64 = 0x5346_4d43_5057; // "SFMCPW"
/// The advisory lock held while migrations run, so instances starting together migrate once.
const MIGRATE_LOCK: i64 = 0x5346_4d43_504d; // "SFMCPM"
/// How long a request waits for a pooled connection (or a new one) before failing.
const WAIT: Duration = Duration::from_secs(10);
const CONNECT: Duration = Duration::from_secs(5);

/// Default pool size per instance.
pub const DEFAULT_POOL_SIZE: usize = 16;

/// True when `location` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// A pool of connections to one PostgreSQL database.
pub struct PgStore {
    runtime: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
    pool: Pool,
    /// `host:port/db` for messages (never the password).
    shown: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("db", &self.shown)
            .finish_non_exhaustive()
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            // Dropping a runtime may not block inside another runtime.
            rt.shutdown_background();
        }
    }
}

/// Runs `f` where blocking is allowed: a scoped thread when called from inside an async runtime.
pub(super) fn off_runtime<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| match s.spawn(f).join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        })
    } else {
        f()
    }
}

impl PgStore {
    /// Connects (checking the server answers), applies pending migrations.
    pub fn open(url: &str, pool_size: usize) -> Result<Arc<Self>, StoreError> {
        let (url, tls) = tls_options(url)?;
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| StoreError::Url {
            problem: format!("{e}"),
        })?;
        let shown = shown_location(&config);
        if config.get_password().is_none()
            && let Some(password) = password_for(&config)
        {
            config.password(password);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT);
        }
        config.application_name("salesforce-mcp");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("salesforce-mcp-pg")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Task(format!("cannot start the database runtime: {e}")))?;
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = match tls {
            None => {
                config.ssl_mode(SslMode::Disable);
                Manager::from_config(config, tokio_postgres::NoTls, manager_config)
            }
            Some(client) => {
                config.ssl_mode(SslMode::Require);
                let connect = tokio_postgres_rustls::MakeRustlsConnect::new(client);
                Manager::from_config(config, connect, manager_config)
            }
        };
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(1))
            .wait_timeout(Some(WAIT))
            .create_timeout(Some(CONNECT))
            .recycle_timeout(Some(CONNECT))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Task(format!("cannot build the connection pool: {e}")))?;
        let store = Arc::new(Self {
            handle: runtime.handle().clone(),
            runtime: Some(runtime),
            pool,
            shown,
        });
        let s = Arc::clone(&store);
        off_runtime(move || s.migrate())?;
        Ok(store)
    }

    /// `host:port/db`, for messages.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// A pooled connection.
    pub(super) fn checkout(&self) -> Result<PgConn, StoreError> {
        let object = self.handle.block_on(self.pool.get()).map_err(|e| {
            let reason = match &e {
                deadpool_postgres::PoolError::Backend(b) => describe(b),
                other => other.to_string(),
            };
            StoreError::Unavailable {
                db: self.shown.clone(),
                reason,
            }
        })?;
        Ok(PgConn {
            object,
            handle: self.handle.clone(),
            shown: self.shown.clone(),
        })
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let conn = self.checkout()?;
        conn.batch(&format!("SELECT pg_advisory_lock({MIGRATE_LOCK})"))?;
        let result = super::migrations::migrate_postgres(&conn);
        let unlock = conn.batch(&format!("SELECT pg_advisory_unlock({MIGRATE_LOCK})"));
        result?;
        unlock
    }
}

/// One pooled connection.
pub struct PgConn {
    object: Object,
    handle: tokio::runtime::Handle,
    shown: String,
}

impl PgConn {
    fn error(&self, e: tokio_postgres::Error) -> StoreError {
        if e.is_closed() || e.as_db_error().is_none() && e.code().is_none() {
            StoreError::Unavailable {
                db: self.shown.clone(),
                reason: describe(&e),
            }
        } else {
            StoreError::Postgres(describe(&e))
        }
    }

    /// Runs statements without parameters (transaction control, DDL).
    pub(super) fn batch(&self, sql: &str) -> Result<(), StoreError> {
        self.handle
            .block_on(self.object.batch_execute(sql))
            .map_err(|e| self.error(e))
    }

    /// Begins a transaction at `depth` 1 (taking the write lock) or a savepoint deeper.
    pub(super) fn begin(&self, depth: u32) -> Result<(), StoreError> {
        if depth == 1 {
            self.batch(&format!(
                "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
            ))
        } else {
            self.batch(&format!("SAVEPOINT sp{depth}"))
        }
    }

    fn run<T>(
        &self,
        sql: &str,
        values: &[Value],
        autocommit: bool,
        op: impl AsyncFnOnce(
            &Object,
            &tokio_postgres::Statement,
            &[&(dyn ToSql + Sync)],
        ) -> Result<T, tokio_postgres::Error>,
    ) -> Result<T, StoreError> {
        let sql = placeholders(sql);
        // A write outside a transaction takes the write lock too, as on SQLite.
        let locked = autocommit && is_write(&sql);
        if locked {
            self.begin(1)?;
        }
        let params: Vec<&(dyn ToSql + Sync)> =
            values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        let result = self.handle.block_on(async {
            let stmt = self.object.prepare_cached(&sql).await?;
            op(&self.object, &stmt, &params).await
        });
        match result {
            Ok(v) => {
                if locked {
                    self.batch("COMMIT")?;
                }
                Ok(v)
            }
            Err(e) => {
                if locked {
                    let _ = self.batch("ROLLBACK");
                }
                Err(self.error(e))
            }
        }
    }

    pub(super) fn execute(
        &self,
        sql: &str,
        values: &[Value],
        autocommit: bool,
    ) -> Result<usize, StoreError> {
        let n = self.run(sql, values, autocommit, async |c, stmt, params| {
            c.execute(stmt, params).await
        })?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub(super) fn query(
        &self,
        sql: &str,
        values: &[Value],
        autocommit: bool,
    ) -> Result<Vec<Row>, StoreError> {
        let rows = self.run(sql, values, autocommit, async |c, stmt, params| {
            c.query(stmt, params).await
        })?;
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| {
                        r.try_get::<_, Value>(i)
                            .map_err(|e| StoreError::Postgres(describe(&e)))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Row::new)
            })
            .collect()
    }
}

/// An error's message with its causes (the database's message, or why the connection failed).
fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} ({})", db.message(), db.code().code());
    }
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn is_write(sql: &str) -> bool {
    let head = sql.trim_start();
    !(head.len() >= 6 && head[..6].eq_ignore_ascii_case("SELECT")
        || head.len() >= 4 && head[..4].eq_ignore_ascii_case("WITH"))
}

/// `?N` placeholders as `$N` (outside string literals and quoted names).
pub(super) fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut next_bare = 0;
    let mut chars = sql.chars().peekable();
    while let Some(ch) = chars.next() {
        match quote {
            Some(q) => {
                out.push(ch);
                if ch == q {
                    quote = None;
                }
            }
            None if ch == '\'' || ch == '"' => {
                quote = Some(ch);
                out.push(ch);
            }
            None if ch == '?' => {
                out.push('$');
                if chars.peek().is_some_and(char::is_ascii_digit) {
                    while let Some(d) = chars.next_if(char::is_ascii_digit) {
                        out.push(d);
                    }
                } else {
                    next_bare += 1;
                    out.push_str(&next_bare.to_string());
                }
            }
            None => out.push(ch),
        }
    }
    out
}

/// The URL without the TLS options we handle ourselves, and the TLS client to use (if any).
///
/// `sslmode=require`, `verify-ca` and `verify-full` connect over TLS and always verify the server's
/// certificate and host name (tokens and secrets cross this connection): against the CA file named
/// by `sslrootcert`, else the system's trusted roots. `disable`, `allow`, `prefer` and no `sslmode`
/// connect without TLS.
fn tls_options(url: &str) -> Result<(String, Option<rustls::ClientConfig>), StoreError> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let (mut mode, mut root) = (None, None);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value: String = url::form_urlencoded::parse(format!("v={value}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        match key {
            "sslmode" => mode = Some(value.to_ascii_lowercase()),
            "sslrootcert" => root = Some(std::path::PathBuf::from(value)),
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let tls = match mode.as_deref() {
        None | Some("disable" | "allow" | "prefer") => {
            if root.is_some() {
                return Err(StoreError::Url {
                    problem: "sslrootcert is set but sslmode does not ask for TLS: add sslmode=verify-full".into(),
                });
            }
            None
        }
        Some("require" | "verify-ca" | "verify-full") => Some(tls_client(root.as_deref())?),
        Some(other) => {
            return Err(StoreError::Url {
                problem: format!(
                    "sslmode={other} is not known: use disable, prefer, require, verify-ca or verify-full"
                ),
            });
        }
    };
    Ok((url, tls))
}

/// A TLS client verifying against the CA certificates in `root` (PEM), else the system's roots.
fn tls_client(root: Option<&std::path::Path>) -> Result<rustls::ClientConfig, StoreError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;

    let tls_error = |e: rustls::Error| StoreError::Url {
        problem: format!("cannot set up TLS to PostgreSQL: {e}"),
    };
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(tls_error)?;
    let Some(path) = root else {
        use rustls_platform_verifier::BuilderVerifierExt as _;
        return Ok(builder
            .with_platform_verifier()
            .map_err(tls_error)?
            .with_no_client_auth());
    };
    let unreadable = |e: &dyn std::fmt::Display| StoreError::Url {
        problem: format!(
            "sslrootcert {}: {e}; give the path of the CA certificate (PEM) that signed the server's certificate",
            path.display()
        ),
    };
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path).map_err(|e| unreadable(&e))? {
        let cert = cert.map_err(|e| unreadable(&e))?;
        roots.add(cert).map_err(|e| unreadable(&e))?;
    }
    if roots.is_empty() {
        return Err(unreadable(&"no certificate in the file"));
    }
    Ok(builder.with_root_certificates(roots).with_no_client_auth())
}

fn shown_location(config: &tokio_postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(h) => h.clone(),
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    format!("postgres://{host}:{port}/{db}")
}

/// The password from `PGPASSWORD` or the `.pgpass` file (`PGPASSFILE`, else `~/.pgpass`).
fn password_for(config: &tokio_postgres::Config) -> Option<String> {
    if let Ok(p) = std::env::var("PGPASSWORD") {
        return Some(p);
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().join(".pgpass")))?;
    let text = std::fs::read_to_string(file).ok()?;
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "localhost".into(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config.get_user().unwrap_or_default().to_owned();
    let db = config.get_dbname().unwrap_or(&user).to_owned();
    pgpass_lookup(&text, &[&host, &port, &db, &user])
}

/// The password of the first `.pgpass` line matching `host:port:database:user` (`*` matches
/// anything; `\:` and `\\` are escapes).
fn pgpass_lookup(text: &str, want: &[&str; 4]) -> Option<String> {
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => cur.extend(chars.next()),
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut cur)),
                _ => cur.push(c),
            }
        }
        fields.push(cur);
        if fields.len() == 5
            && fields[..4]
                .iter()
                .zip(want)
                .all(|(f, w)| f == "*" || f == w)
        {
            return fields.pop();
        }
    }
    None
}

type BoxError = Box<dyn StdError + Sync + Send>;

fn parse_time(s: &str) -> Result<DateTime<Utc>, BoxError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Ok(t.and_utc());
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    Err(format!("'{s}' is not a timestamp (RFC 3339 or YYYY-MM-DD)").into())
}

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match (self, ty) {
            (Value::Null, _) => Ok(IsNull::Yes),
            (Value::Int(i), &Type::INT8) => i.to_sql(ty, out),
            (Value::Int(i), &Type::INT4) => i32::try_from(*i)?.to_sql(ty, out),
            (Value::Int(i), &Type::INT2) => i16::try_from(*i)?.to_sql(ty, out),
            (Value::Int(i), &Type::BOOL) => (*i != 0).to_sql(ty, out),
            (Value::Int(i), &Type::FLOAT8) => (*i as f64).to_sql(ty, out),
            (Value::Int(i), &Type::TEXT | &Type::VARCHAR) => i.to_string().to_sql(ty, out),
            (Value::Bool(b), &Type::BOOL) => b.to_sql(ty, out),
            (Value::Bool(b), &Type::INT8 | &Type::INT4 | &Type::INT2) => {
                Value::Int(i64::from(*b)).to_sql(ty, out)
            }
            (Value::Real(f), &Type::FLOAT8) => f.to_sql(ty, out),
            (Value::Real(f), &Type::FLOAT4) => (*f as f32).to_sql(ty, out),
            (Value::Text(s), &Type::TIMESTAMPTZ) => parse_time(s)?.to_sql(ty, out),
            (Value::Text(s), &Type::TIMESTAMP) => parse_time(s)?.naive_utc().to_sql(ty, out),
            (Value::Text(s), &Type::JSON) => {
                out.extend_from_slice(s.as_bytes());
                Ok(IsNull::No)
            }
            (Value::Text(s), &Type::JSONB) => {
                out.extend_from_slice(&[1]);
                out.extend_from_slice(s.as_bytes());
                Ok(IsNull::No)
            }
            (Value::Text(s), &Type::TEXT | &Type::VARCHAR | &Type::BPCHAR | &Type::NAME)
            | (Value::Text(s), &Type::UNKNOWN) => {
                out.extend_from_slice(s.as_bytes());
                Ok(IsNull::No)
            }
            (Value::Blob(b), &Type::BYTEA) => b.as_slice().to_sql(ty, out),
            (v, ty) => Err(format!("cannot send {v:?} as {ty}").into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Value {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(match *ty {
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Int(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => Value::Int(i64::from(i16::from_sql(ty, raw)?)),
            Type::OID => Value::Int(i64::from(u32::from_sql(ty, raw)?)),
            Type::BOOL => Value::Bool(bool::from_sql(ty, raw)?),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::TIMESTAMPTZ => Value::Text(super::timestamp(DateTime::<Utc>::from_sql(ty, raw)?)),
            Type::TIMESTAMP => Value::Text(super::timestamp(
                NaiveDateTime::from_sql(ty, raw)?.and_utc(),
            )),
            Type::JSON => Value::Text(std::str::from_utf8(raw)?.to_owned()),
            Type::JSONB => {
                Value::Text(std::str::from_utf8(raw.get(1..).unwrap_or_default())?.to_owned())
            }
            Type::BYTEA => Value::Blob(raw.to_vec()),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                Value::Text(String::from_sql(ty, raw)?)
            }
            ref other => return Err(format!("cannot read a column of type {other}").into()),
        })
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(Value::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollar_numbers_outside_literals() {
        assert_eq!(
            placeholders("SELECT a FROM t WHERE b = ?1 AND c = '?2' AND d = ?12"),
            "SELECT a FROM t WHERE b = $1 AND c = '?2' AND d = $12"
        );
        assert_eq!(placeholders("VALUES (?, ?)"), "VALUES ($1, $2)");
    }

    #[test]
    fn tls_options_are_read_from_the_url_and_removed_from_it() {
        let (url, tls) = tls_options("postgres://u@h:5432/db?application_name=x").unwrap();
        assert_eq!(
            (url.as_str(), tls.is_none()),
            ("postgres://u@h:5432/db?application_name=x", true)
        );
        let (url, tls) = tls_options("postgres://u@h/db?sslmode=prefer").unwrap();
        assert_eq!((url.as_str(), tls.is_none()), ("postgres://u@h/db", true));
        let (url, tls) =
            tls_options("postgres://u@h/db?sslmode=require&connect_timeout=3").unwrap();
        assert_eq!(
            (url.as_str(), tls.is_some()),
            ("postgres://u@h/db?connect_timeout=3", true)
        );
        let e = tls_options("postgres://u@h/db?sslmode=sometimes").unwrap_err();
        assert!(e.to_string().contains("verify-full"), "{e}");
        let e = tls_options("postgres://u@h/db?sslrootcert=/x.pem").unwrap_err();
        assert!(e.to_string().contains("sslmode=verify-full"), "{e}");
        let e = tls_options("postgres://u@h/db?sslmode=verify-full&sslrootcert=%2Fno%2Fca.pem")
            .unwrap_err();
        assert!(e.to_string().contains("/no/ca.pem"), "{e}");
    }

    #[test]
    fn writes_are_told_from_reads() {
        assert!(!is_write("  select 1"));
        assert!(!is_write("WITH x AS (SELECT 1) SELECT * FROM x"));
        assert!(is_write("UPDATE t SET a = 1"));
        assert!(is_write("INSERT INTO t VALUES (1)"));
    }

    #[test]
    fn pgpass_lines_match_with_wildcards_and_escapes() {
        let text = "# comment\nother:5432:*:*:no\nlocalhost:*:app:sf\\:mcp:pa\\:ss\n";
        assert_eq!(
            pgpass_lookup(text, &["localhost", "5433", "app", "sf:mcp"]).as_deref(),
            Some("pa:ss")
        );
        assert_eq!(pgpass_lookup(text, &["db", "5432", "app", "x"]), None);
    }

    #[test]
    fn timestamps_parse_as_stored_and_as_dates() {
        assert!(parse_time("2026-12-02T10:00:00.000Z").is_ok());
        assert!(parse_time("2026-12-02").is_ok());
        assert!(parse_time("yesterday").is_err());
    }
}
