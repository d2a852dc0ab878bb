//! People (`users`), groups and memberships.

use super::db::{Db, Optional as _, Row, params};

use super::{StoreError, now_text};

/// A person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// Row id.
    pub id: i64,
    /// E-mail address (unique, case-insensitive).
    pub email: String,
    /// Whether the person is an admin.
    pub is_admin: bool,
}

fn user_from_row(row: &Row) -> Result<UserRow, StoreError> {
    Ok(UserRow {
        id: row.get(0)?,
        email: row.get(1)?,
        is_admin: row.get(2)?,
    })
}

/// Finds a person by e-mail.
pub fn find_by_email(conn: &Db<'_>, email: &str) -> Result<Option<UserRow>, StoreError> {
    conn.query_row(
        "SELECT id, email, is_admin FROM users WHERE email = ?1",
        params![email],
        user_from_row,
    )
    .optional()
}

/// Finds a person by id.
pub fn find_by_id(conn: &Db<'_>, id: i64) -> Result<Option<UserRow>, StoreError> {
    conn.query_row(
        "SELECT id, email, is_admin FROM users WHERE id = ?1",
        params![id],
        user_from_row,
    )
    .optional()
}

/// Adds a person; returns the new row (or the existing one when the e-mail is taken).
pub fn insert(conn: &Db<'_>, email: &str, is_admin: bool) -> Result<UserRow, StoreError> {
    conn.execute(
        "INSERT INTO users (email, is_admin, created_at) VALUES (?1, ?2, ?3) ON CONFLICT(email) DO NOTHING",
        params![email, is_admin, now_text()],
    )?;
    find_by_email(conn, email)?.ok_or(StoreError::NoRow)
}

/// Sets the admin flag.
pub fn set_admin(conn: &Db<'_>, id: i64, is_admin: bool) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE users SET is_admin = ?2 WHERE id = ?1",
        params![id, is_admin],
    )
}

/// Everyone, by e-mail.
pub fn list(conn: &Db<'_>) -> Result<Vec<UserRow>, StoreError> {
    let rows = conn.query_map(
        "SELECT id, email, is_admin FROM users ORDER BY email",
        params![],
        user_from_row,
    )?;
    Ok(rows)
}

/// Removes a person (their connection, tokens and changes go with them).
pub fn delete(conn: &Db<'_>, id: i64) -> Result<usize, StoreError> {
    conn.execute("DELETE FROM users WHERE id = ?1", params![id])
}
