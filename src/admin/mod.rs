//! Every admin action, once: the organization's OAuth app, groups and their override apps,
//! people, API tokens, MCP OAuth clients and grants, policies, and the audit log. The command line
//! (`salesforce-mcp admin ...`) and the web console both call these functions; they only parse
//! input and show the typed, `serde::Serialize` results.
//!
//! Each change runs in one transaction with its audit entry and, when it can move a person's
//! effective app, the reconciliation that marks the affected connections `needs_reconnect`.
//!
//! The `actor` recorded in the audit log is [`CLI_ACTOR`] (`cli`) for the command line and
//! [`console_actor`] (`admin:<email>`) for a signed-in admin in the console.
//!
//! Secrets arrive already read (as [`SecretString`](secrecy::SecretString)) and never appear in
//! results, audit entries or errors.

mod apps;
mod audit;
mod credentials;
mod groups;
mod oauth;
mod policies;
mod test_connection;
mod tokens;
mod users;

use crate::store::Db;
use serde::Serialize;

use crate::app::App;
use crate::connections::Marked;
use crate::store::{self, StoreError};

pub use apps::{
    AppInput, AppView, DEFAULT_AUTH_BASE, DEFAULT_SCOPES, SecretChange, org_promote_staged,
    org_set, org_show,
};
pub use audit::{AuditEntry, AuditQuery, audit_search};
pub use credentials::StagedChange;
pub use groups::{
    DEFAULT_PRIORITY, GroupApp, GroupRemoved, GroupSummary, GroupView, group_add, group_list,
    group_promote_staged, group_remove, group_set, group_show, group_views,
};
pub use oauth::{
    AddedClient, ClientView, GrantView, client_add, client_set_blocked, clients_list, grant_revoke,
    grants_list,
};
pub use policies::{
    CHANGE_TTL_RANGE, PolicyInput, PolicyItem, PolicyView, policy_set, policy_show,
};
pub use test_connection::{AppTarget, app_test_begin, app_test_finish};
pub use tokens::{
    CreatedToken, RevokedToken, TOKEN_PREFIX, TokenView, new_token, token_create, token_list,
    token_revoke,
};
pub use users::{
    ConnectionView, Disconnected, EffectiveApp, GroupRef, UserRemoved, UserSummary, UserView,
    user_add, user_disconnect, user_leave_groups, user_list, user_remove, user_set_admin,
    user_show,
};

/// The actor recorded in the audit log for command-line changes.
pub const CLI_ACTOR: &str = "cli";

/// The actor recorded in the audit log for a change made in the console by the admin with
/// this e-mail: `admin:<email>`.
pub fn console_actor(email: &str) -> String {
    format!("admin:{email}")
}

/// Why an admin action did not happen; `Display` names the problem and the fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdminError {
    /// The input is not valid.
    #[error("{0}")]
    Invalid(String),
    /// The named person, group, token, client or grant does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The change conflicts with the current state (already exists, already revoked).
    #[error("{0}")]
    Conflict(String),
    /// Salesforce refused or failed; the message says why and what to fix.
    #[error("{0}")]
    Salesforce(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A change's result with the people whose effective app it moved (they must reconnect).
#[derive(Debug, Clone, Serialize)]
pub struct Saved<T> {
    /// The changed item, as shown.
    #[serde(flatten)]
    pub item: T,
    /// E-mails of the people who must connect again.
    pub reconnect_required: Vec<String>,
}

/// Runs reads against the database.
fn read<R: Send>(
    app: &App,
    f: impl FnOnce(&Db<'_>) -> Result<R, StoreError> + Send,
) -> Result<R, AdminError> {
    Ok(app.store.call_sync(|c| f(c))?)
}

/// Runs a change in one transaction: the change, its audit entry and its reconciliation
/// commit together or not at all.
fn write<R: Send>(
    app: &App,
    f: impl FnOnce(&Db<'_>) -> Result<R, StoreError> + Send,
) -> Result<R, AdminError> {
    Ok(app.store.call_sync(|c| {
        let tx = c.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    })?)
}

/// Appends an audit entry (`detail` must hold no secret).
fn audit(
    c: &Db<'_>,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &serde_json::Value,
) -> Result<(), StoreError> {
    store::audit::append(c, actor, action, Some(subject), Some(&detail.to_string()))
}

/// Marks the connections whose person's effective app moved; returns their e-mails.
fn reconcile(c: &Db<'_>, actor: &str) -> Result<Vec<String>, StoreError> {
    let marked = crate::connections::reconcile_all(c, actor)?;
    let mut emails = Vec::with_capacity(marked.len());
    for Marked { user_id, .. } in marked {
        if let Some(u) = store::users::find_by_id(c, user_id)? {
            emails.push(u.email);
        }
    }
    Ok(emails)
}
