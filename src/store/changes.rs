//! Prepared changes: one function per statement. Every state change is a conditional update
//! whose row count says whether it happened.

use super::db::{Db, Optional as _, Row, params};

use super::StoreError;

/// A stored change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangeRow {
    /// Random, unguessable id.
    pub id: String,
    /// The person who prepared it (the only one who may see or decide it).
    pub user_id: i64,
    /// create, update, upsert or delete.
    pub operation: String,
    /// Object API name.
    pub object: String,
    /// Object label.
    pub object_label: String,
    /// The record (update, delete, upsert that updates).
    pub record_id: Option<String>,
    /// The record's name, when it has one.
    pub record_name: Option<String>,
    /// Upsert: the external id field.
    pub external_id_field: Option<String>,
    /// Upsert: the external id value.
    pub external_id_value: Option<String>,
    /// Upsert: whether the preview found no record (so it creates one).
    pub upsert_creates: Option<bool>,
    /// JSON array of `{name, label, before, after}`.
    pub fields: String,
    /// The record's `SystemModstamp` when previewed (update, delete).
    pub system_modstamp: Option<String>,
    /// pending, executing, succeeded, failed, rejected, cancelled, expired, conflict, unknown.
    pub status: String,
    /// When it was prepared (RFC 3339).
    pub created_at: String,
    /// When it stops being confirmable (RFC 3339).
    pub expires_at: String,
    /// How it was approved or rejected: elicitation, web, command_line, client_consent, tool.
    pub approved_via: Option<String>,
    /// When it was approved, rejected or cancelled.
    pub decided_at: Option<String>,
    /// Host of the process executing it.
    pub executor_host: Option<String>,
    /// Process id executing it.
    pub executor_pid: Option<i64>,
    /// Until when the executor holds it.
    pub lease_until: Option<String>,
    /// JSON outcome: what Salesforce answered.
    pub result: Option<String>,
    /// When it reached a final status.
    pub finished_at: Option<String>,
    /// A change of several records: JSON array of the records and their field changes.
    pub records: Option<String>,
    /// An undo: the id of the change it reverses.
    pub undoes: Option<String>,
    /// The newest undo prepared for this change (read only; derived from `undoes`).
    pub undone_by: Option<String>,
}

const COLUMNS: &str = "id, user_id, operation, object, object_label, record_id, record_name, \
    external_id_field, external_id_value, upsert_creates, fields, system_modstamp, status, \
    created_at, expires_at, approved_via, decided_at, executor_host, executor_pid, lease_until, \
    result, finished_at, records, undoes";

/// The columns read back: the stored ones and the newest undo of the change.
const READ: &str = "id, user_id, operation, object, object_label, record_id, record_name, \
    external_id_field, external_id_value, upsert_creates, fields, system_modstamp, status, \
    created_at, expires_at, approved_via, decided_at, executor_host, executor_pid, lease_until, \
    result, finished_at, records, undoes, \
    (SELECT u.id FROM changes u WHERE u.undoes = changes.id ORDER BY u.created_at DESC LIMIT 1) AS undone_by";

fn from_row(r: &Row) -> Result<ChangeRow, StoreError> {
    Ok(ChangeRow {
        id: r.get(0)?,
        user_id: r.get(1)?,
        operation: r.get(2)?,
        object: r.get(3)?,
        object_label: r.get(4)?,
        record_id: r.get(5)?,
        record_name: r.get(6)?,
        external_id_field: r.get(7)?,
        external_id_value: r.get(8)?,
        upsert_creates: r.get(9)?,
        fields: r.get(10)?,
        system_modstamp: r.get(11)?,
        status: r.get(12)?,
        created_at: r.get(13)?,
        expires_at: r.get(14)?,
        approved_via: r.get(15)?,
        decided_at: r.get(16)?,
        executor_host: r.get(17)?,
        executor_pid: r.get(18)?,
        lease_until: r.get(19)?,
        result: r.get(20)?,
        finished_at: r.get(21)?,
        records: r.get(22)?,
        undoes: r.get(23)?,
        undone_by: r.get(24)?,
    })
}

/// Stores a new pending change.
#[tracing::instrument(skip_all, fields(id = %c.id))]
pub fn insert(conn: &Db<'_>, c: &ChangeRow) -> Result<(), StoreError> {
    conn.execute(
        &format!(
            "INSERT INTO changes ({COLUMNS}) VALUES \
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)"
        ),
        params![
            c.id, c.user_id, c.operation, c.object, c.object_label, c.record_id, c.record_name,
            c.external_id_field, c.external_id_value, c.upsert_creates, c.fields, c.system_modstamp,
            c.status, c.created_at, c.expires_at, c.approved_via, c.decided_at, c.executor_host,
            c.executor_pid, c.lease_until, c.result, c.finished_at, c.records, c.undoes
        ],
    )?;
    Ok(())
}

/// A person's change by id (another person's change is not found).
pub fn find(conn: &Db<'_>, id: &str, user_id: i64) -> Result<Option<ChangeRow>, StoreError> {
    conn.query_row(
        &format!("SELECT {READ} FROM changes WHERE id = ?1 AND user_id = ?2"),
        params![id, user_id],
        from_row,
    )
    .optional()
}

/// A person's changes, newest first, optionally only those with `status`.
pub fn list(
    conn: &Db<'_>,
    user_id: i64,
    status: Option<&str>,
    limit: u32,
) -> Result<Vec<ChangeRow>, StoreError> {
    let rows = conn.query_map(
        &format!(
            "SELECT {READ} FROM changes WHERE user_id = ?1 AND (status = ?2 OR ?2 IS NULL) \
         ORDER BY changes.created_at DESC, changes.id LIMIT ?3"
        ),
        params![user_id, status, limit],
        from_row,
    )?;
    Ok(rows)
}

/// Marks every pending change whose time ran out as expired.
pub fn expire_due(conn: &Db<'_>, now: &str) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE changes SET status = 'expired', finished_at = ?1 \
         WHERE status = 'pending' AND expires_at <= ?1",
        params![now],
    )
}

/// Who takes a change into execution, and until when.
#[derive(Debug, Clone)]
pub struct Executor<'a> {
    /// Host name of this process.
    pub host: &'a str,
    /// Process id.
    pub pid: i64,
    /// End of the lease (RFC 3339).
    pub lease_until: &'a str,
}

/// `pending -> executing` for an approved change that has not expired: 1 row when this caller
/// won, 0 when it was not pending (or expired) any more.
pub fn begin_execution(
    conn: &Db<'_>,
    id: &str,
    user_id: i64,
    via: &str,
    now: &str,
    executor: &Executor<'_>,
) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE changes SET status = 'executing', approved_via = ?3, decided_at = ?4, \
         executor_host = ?5, executor_pid = ?6, lease_until = ?7 \
         WHERE id = ?1 AND user_id = ?2 AND status = 'pending' AND expires_at > ?4",
        params![
            id,
            user_id,
            via,
            now,
            executor.host,
            executor.pid,
            executor.lease_until
        ],
    )
}

/// Extends the lease of a change this executor is still executing: 0 rows when it is no longer
/// executing here (recovery marked it `unknown`), and then it must not be sent.
pub fn renew_lease(conn: &Db<'_>, id: &str, executor: &Executor<'_>) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE changes SET lease_until = ?4 \
         WHERE id = ?1 AND status = 'executing' AND executor_host = ?2 AND executor_pid = ?3",
        params![id, executor.host, executor.pid, executor.lease_until],
    )
}

/// `pending -> rejected | cancelled` (not after expiry): 1 row when it happened.
pub fn decide_without_executing(
    conn: &Db<'_>,
    id: &str,
    user_id: i64,
    status: &str,
    via: &str,
    now: &str,
) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE changes SET status = ?3, approved_via = ?4, decided_at = ?5, finished_at = ?5 \
         WHERE id = ?1 AND user_id = ?2 AND status = 'pending' AND expires_at > ?5",
        params![id, user_id, status, via, now],
    )
}

/// `executing -> succeeded | failed | conflict | unknown` with the outcome: 1 row when it happened.
pub fn finish(
    conn: &Db<'_>,
    id: &str,
    status: &str,
    result: &str,
    now: &str,
) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE changes SET status = ?2, result = ?3, finished_at = ?4 \
         WHERE id = ?1 AND status = 'executing'",
        params![id, status, result, now],
    )
}

/// Every change in execution (for orphan recovery).
pub fn executing(conn: &Db<'_>) -> Result<Vec<ChangeRow>, StoreError> {
    let rows = conn.query_map(
        &format!("SELECT {READ} FROM changes WHERE status = 'executing'"),
        params![],
        from_row,
    )?;
    Ok(rows)
}

/// A named server key, sealed.
pub fn server_key(conn: &Db<'_>, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
    conn.query_row(
        "SELECT sealed FROM server_keys WHERE name = ?1",
        params![name],
        |r| r.get(0),
    )
    .optional()
}

/// Stores a named server key unless one exists already (the first writer wins).
pub fn insert_server_key(
    conn: &Db<'_>,
    name: &str,
    sealed: &[u8],
    now: &str,
) -> Result<usize, StoreError> {
    conn.execute(
        "INSERT INTO server_keys (name, sealed, created_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT(name) DO NOTHING",
        params![name, sealed, now],
    )
}
