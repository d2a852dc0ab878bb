//! The handle every store function takes: one API over SQLite and PostgreSQL.
//!
//! Statements are written once, in the SQL both databases accept, with `?N` placeholders (PostgreSQL
//! gets `$N`). Values cross as [`Value`]s: on PostgreSQL a text value bound to a `timestamptz` or
//! `json` column is sent as that type and read back as the same RFC 3339 text SQLite stores, so the
//! layers above never see which database runs.
//!
//! Transactions behave alike on both: a transaction takes the database's one write lock when it
//! begins (SQLite `BEGIN IMMEDIATE`; PostgreSQL a transaction-scoped advisory lock), and so does a
//! write outside a transaction, so a read-then-write is never interleaved with another writer on
//! any process or instance.

use super::StoreError;
use super::postgres::PgConn;

/// A value bound to or read from a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Real(f64),
    /// A boolean (an integer 0/1 on SQLite).
    Bool(bool),
    /// Text (also timestamps and JSON, as text).
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

/// Something that can be bound to a statement.
pub trait Param {
    /// The value bound.
    fn to_value(&self) -> Value;
}

macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl Param for $t {
            fn to_value(&self) -> Value {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
int_param!(i64, i32, u32, u16, u8);

impl Param for usize {
    fn to_value(&self) -> Value {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl Param for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}
impl Param for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}
impl Param for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}
impl Param for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}
impl Param for [u8] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}
impl Param for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
}
impl<T: Param + ?Sized> Param for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}
impl<T: Param> Param for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, Param::to_value)
    }
}
impl Param for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

/// Statement parameters: `params![a, b, c]`.
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::store::db::Param]
    };
    ($($x:expr),+ $(,)?) => {
        &[$(&$x as &dyn $crate::store::db::Param),+] as &[&dyn $crate::store::db::Param]
    };
}
pub(crate) use params;

/// A Rust value read from a column.
pub trait FromValue: Sized {
    /// Converts, or says what the column held instead.
    fn from_value(v: Value) -> Result<Self, String>;
}

fn mismatch(want: &str, v: &Value) -> String {
    let held = match v {
        Value::Null => "NULL",
        Value::Int(_) => "an integer",
        Value::Real(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Text(_) => "text",
        Value::Blob(_) => "bytes",
    };
    format!("expected {want}, found {held}")
}

impl FromValue for i64 {
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Int(i) => Ok(i),
            Value::Bool(b) => Ok(i64::from(b)),
            other => Err(mismatch("an integer", &other)),
        }
    }
}
impl FromValue for i32 {
    fn from_value(v: Value) -> Result<Self, String> {
        let i = i64::from_value(v)?;
        i32::try_from(i).map_err(|_| format!("{i} does not fit a 32-bit integer"))
    }
}
impl FromValue for u32 {
    fn from_value(v: Value) -> Result<Self, String> {
        let i = i64::from_value(v)?;
        u32::try_from(i).map_err(|_| format!("{i} does not fit an unsigned 32-bit integer"))
    }
}
impl FromValue for usize {
    fn from_value(v: Value) -> Result<Self, String> {
        let i = i64::from_value(v)?;
        usize::try_from(i).map_err(|_| format!("{i} is not a count"))
    }
}
impl FromValue for f64 {
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Real(f) => Ok(f),
            Value::Int(i) => Ok(i as f64),
            other => Err(mismatch("a number", &other)),
        }
    }
}
impl FromValue for bool {
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Bool(b) => Ok(b),
            Value::Int(i) => Ok(i != 0),
            other => Err(mismatch("a boolean", &other)),
        }
    }
}
impl FromValue for String {
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Text(s) => Ok(s),
            other => Err(mismatch("text", &other)),
        }
    }
}
impl FromValue for Vec<u8> {
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Blob(b) => Ok(b),
            other => Err(mismatch("bytes", &other)),
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// One result row.
#[derive(Debug)]
pub struct Row {
    values: Vec<Value>,
}

impl Row {
    pub(super) fn new(values: Vec<Value>) -> Self {
        Self { values }
    }

    /// Column `i` (from 0) as `T`.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T, StoreError> {
        let v = self
            .values
            .get(i)
            .cloned()
            .ok_or_else(|| StoreError::Column {
                index: i,
                problem: format!("the row has {} columns", self.values.len()),
            })?;
        T::from_value(v).map_err(|problem| StoreError::Column { index: i, problem })
    }
}

/// `Ok(None)` for a query that found no row.
pub trait Optional<T> {
    /// Maps [`StoreError::NoRow`] to `None`.
    fn optional(self) -> Result<Option<T>, StoreError>;
}

impl<T> Optional<T> for Result<T, StoreError> {
    fn optional(self) -> Result<Option<T>, StoreError> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(StoreError::NoRow) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Which database a handle talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

enum Conn<'a> {
    Sqlite(&'a rusqlite::Connection),
    Pg(&'a PgConn),
}

/// A database handle: a connection, or a transaction on one (see the module docs).
pub struct Db<'a> {
    conn: Conn<'a>,
    /// 0 outside a transaction, 1 in one, more in savepoints.
    depth: u32,
    committed: bool,
}

impl<'a> Db<'a> {
    pub(super) fn sqlite(conn: &'a rusqlite::Connection) -> Self {
        Self {
            conn: Conn::Sqlite(conn),
            depth: 0,
            committed: false,
        }
    }

    pub(super) fn postgres(conn: &'a PgConn) -> Self {
        Self {
            conn: Conn::Pg(conn),
            depth: 0,
            committed: false,
        }
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        match self.conn {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Pg(_) => Backend::Postgres,
        }
    }

    /// Runs a statement that returns no rows; the number of rows changed.
    pub fn execute(&self, sql: &str, params: &[&dyn Param]) -> Result<usize, StoreError> {
        let values = values(params);
        match self.conn {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                Ok(stmt.execute(rusqlite::params_from_iter(values.iter()))?)
            }
            Conn::Pg(c) => c.execute(sql, &values, self.depth == 0),
        }
    }

    /// Runs a query; every row through `f`.
    pub fn query_map<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnMut(&Row) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        self.rows(sql, params, usize::MAX, f)
    }

    /// Runs a query for one row; [`StoreError::NoRow`] when there is none.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnOnce(&Row) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        // `rows` takes an FnMut; with a limit of 1 it calls it once.
        let mut f = Some(f);
        self.rows(sql, params, 1, |r| match f.take() {
            Some(f) => f(r),
            None => Err(StoreError::NoRow),
        })?
        .pop()
        .ok_or(StoreError::NoRow)
    }

    /// The first `limit` rows of a query through `f` (SQLite stops reading there; PostgreSQL
    /// answers with every row).
    fn rows<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        limit: usize,
        mut f: impl FnMut(&Row) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let values = values(params);
        match self.conn {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let width = stmt.column_count();
                let mut rows = stmt.query(rusqlite::params_from_iter(values.iter()))?;
                let mut out = Vec::new();
                while out.len() < limit {
                    let Some(r) = rows.next()? else { break };
                    let vals = (0..width)
                        .map(|i| r.get_ref(i).map(from_sqlite))
                        .collect::<Result<Vec<_>, _>>()?;
                    out.push(f(&Row::new(vals))?);
                }
                Ok(out)
            }
            Conn::Pg(c) => c
                .query(sql, &values, self.depth == 0)?
                .iter()
                .take(limit)
                .map(&mut f)
                .collect(),
        }
    }

    /// Runs a query for at most one row.
    pub fn query_opt<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        f: impl FnOnce(&Row) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        self.query_row(sql, params, f).optional()
    }

    /// Begins a transaction (a savepoint inside one). It rolls back unless [`Db::commit`] is called.
    pub fn transaction(&self) -> Result<Db<'_>, StoreError> {
        let depth = self.depth + 1;
        let conn = match self.conn {
            Conn::Sqlite(c) => {
                if depth == 1 {
                    // The connection's default behaviour is IMMEDIATE (see Store::open).
                    c.execute_batch("BEGIN IMMEDIATE")?;
                } else {
                    c.execute_batch(&format!("SAVEPOINT sp{depth}"))?;
                }
                Conn::Sqlite(c)
            }
            Conn::Pg(c) => {
                c.begin(depth)?;
                Conn::Pg(c)
            }
        };
        Ok(Db {
            conn,
            depth,
            committed: false,
        })
    }

    /// Commits the transaction.
    pub fn commit(mut self) -> Result<(), StoreError> {
        self.committed = true;
        let sql = if self.depth <= 1 {
            "COMMIT".to_owned()
        } else {
            format!("RELEASE SAVEPOINT sp{}", self.depth)
        };
        match self.conn {
            Conn::Sqlite(c) => Ok(c.execute_batch(&sql)?),
            Conn::Pg(c) => c.batch(&sql),
        }
    }

    fn rollback(&self) -> Result<(), StoreError> {
        let sql = if self.depth <= 1 {
            "ROLLBACK".to_owned()
        } else {
            format!(
                "ROLLBACK TO SAVEPOINT sp{0}; RELEASE SAVEPOINT sp{0}",
                self.depth
            )
        };
        match self.conn {
            Conn::Sqlite(c) => Ok(c.execute_batch(&sql)?),
            Conn::Pg(c) => c.batch(&sql),
        }
    }
}

impl Drop for Db<'_> {
    fn drop(&mut self) {
        if self.depth > 0
            && !self.committed
            && let Err(e) = self.rollback()
        {
            tracing::warn!(error = %e, "rolling back a transaction failed");
        }
    }
}

fn values(params: &[&dyn Param]) -> Vec<Value> {
    params.iter().map(|p| p.to_value()).collect()
}

fn from_sqlite(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Bool(b) => ValueRef::Integer(i64::from(*b)),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}
