//! Stored policies (`policies`): one row per policy an admin set (approval, change_ttl,
//! read_only); the value as text, parsed by [`crate::policy`].

use super::db::{Db, Row, params};

use super::{StoreError, now_text};

/// A stored policy value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRow {
    /// The policy: `approval`, `change_ttl` or `read_only`.
    pub name: String,
    /// Its value as text (`client-consent`, `90s`, `on`).
    pub value: String,
    /// When it was set (RFC 3339).
    pub updated_at: String,
    /// Who set it (`cli`, `admin:<email>`).
    pub updated_by: String,
}

fn policy_from_row(row: &Row) -> Result<PolicyRow, StoreError> {
    Ok(PolicyRow {
        name: row.get(0)?,
        value: row.get(1)?,
        updated_at: row.get(2)?,
        updated_by: row.get(3)?,
    })
}

/// Every stored policy, by name.
pub fn list(conn: &Db<'_>) -> Result<Vec<PolicyRow>, StoreError> {
    conn.query_map(
        "SELECT name, value, updated_at, updated_by FROM policies ORDER BY name",
        params![],
        policy_from_row,
    )
}

/// Sets one policy (insert or replace its row); returns rows changed.
pub fn set(conn: &Db<'_>, name: &str, value: &str, by: &str) -> Result<usize, StoreError> {
    conn.execute(
        "INSERT INTO policies (name, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, \
         updated_by = excluded.updated_by",
        params![name, value, now_text(), by],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn a_policy_is_set_once_and_replaced_by_the_next_set() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        store
            .call_sync(|c| {
                assert!(list(c)?.is_empty());
                set(c, "read_only", "on", "cli")?;
                set(c, "approval", "client-consent", "cli")?;
                set(c, "read_only", "off", "admin:amy@example.com")?;
                let rows = list(c)?;
                let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
                assert_eq!(names, ["approval", "read_only"]);
                assert_eq!(rows[1].value, "off");
                assert_eq!(rows[1].updated_by, "admin:amy@example.com");
                Ok(())
            })
            .unwrap();
    }
}
