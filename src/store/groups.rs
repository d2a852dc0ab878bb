//! Groups (`groups`) and memberships (`group_members`).

use super::db::{Db, Optional as _, Row, params};

use super::{StoreError, now_text};

/// A group of people that may have its own OAuth app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    /// Row id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Lower wins when a person's groups have several enabled overrides.
    pub priority: i64,
}

fn group_from_row(row: &Row) -> Result<GroupRow, StoreError> {
    Ok(GroupRow {
        id: row.get(0)?,
        name: row.get(1)?,
        priority: row.get(2)?,
    })
}

/// Creates a group; `None` when the name is taken.
pub fn insert(conn: &Db<'_>, name: &str, priority: i64) -> Result<Option<i64>, StoreError> {
    conn.query_opt(
        "INSERT INTO groups (name, priority, created_at) VALUES (?1, ?2, ?3) ON CONFLICT(name) DO NOTHING RETURNING id",
        params![name, priority, now_text()],
        |r| r.get(0),
    )
}

/// A group by name.
pub fn find_by_name(conn: &Db<'_>, name: &str) -> Result<Option<GroupRow>, StoreError> {
    conn.query_row(
        "SELECT id, name, priority FROM groups WHERE name = ?1",
        params![name],
        group_from_row,
    )
    .optional()
}

/// Every group, by priority then name (the order overrides apply in).
pub fn list(conn: &Db<'_>) -> Result<Vec<GroupRow>, StoreError> {
    let rows = conn.query_map(
        "SELECT id, name, priority FROM groups ORDER BY priority, name",
        params![],
        group_from_row,
    )?;
    Ok(rows)
}

/// Changes a group's priority; returns rows changed.
pub fn set_priority(conn: &Db<'_>, id: i64, priority: i64) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE groups SET priority = ?2 WHERE id = ?1",
        params![id, priority],
    )
}

/// Deletes a group (its memberships and override app go with it).
pub fn delete(conn: &Db<'_>, id: i64) -> Result<usize, StoreError> {
    conn.execute("DELETE FROM groups WHERE id = ?1", params![id])
}

/// Adds a person to a group; returns rows changed (0 when already a member).
pub fn add_member(conn: &Db<'_>, group_id: i64, user_id: i64) -> Result<usize, StoreError> {
    conn.execute(
        "INSERT INTO group_members (group_id, user_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        params![group_id, user_id],
    )
}

/// Removes a person from a group; returns rows changed (0 when not a member).
pub fn remove_member(conn: &Db<'_>, group_id: i64, user_id: i64) -> Result<usize, StoreError> {
    conn.execute(
        "DELETE FROM group_members WHERE group_id = ?1 AND user_id = ?2",
        params![group_id, user_id],
    )
}

/// The e-mails of a group's members, sorted.
pub fn member_emails(conn: &Db<'_>, group_id: i64) -> Result<Vec<String>, StoreError> {
    let rows = conn.query_map(
        "SELECT u.email FROM group_members m JOIN users u ON u.id = m.user_id \
         WHERE m.group_id = ?1 ORDER BY u.email",
        params![group_id],
        |r| r.get(0),
    )?;
    Ok(rows)
}

/// The groups a person belongs to, by priority then name.
pub fn of_user(conn: &Db<'_>, user_id: i64) -> Result<Vec<GroupRow>, StoreError> {
    let rows = conn.query_map(
        "SELECT g.id, g.name, g.priority FROM groups g JOIN group_members m ON m.group_id = g.id \
         WHERE m.user_id = ?1 ORDER BY g.priority, g.name",
        params![user_id],
        group_from_row,
    )?;
    Ok(rows)
}
