//! Staged and previous credential sets: rotating an app's consumer key and secret without
//! reconnecting anyone. The staged set waits beside the main one; promoting it makes it main
//! and keeps the old main set as "previous", which refreshes the connections made under it
//! until an admin removes it (then those connections must reconnect).

use secrecy::SecretString;
use serde_json::json;

use super::apps::parse_client_id;
use super::{AdminError, audit, reconcile, write};
use crate::app::App;
use crate::store::apps::{AppFields, AppRow, CredentialSet};
use crate::store::{self, Db, StoreError};

/// What to do with an app's staged credential set.
#[derive(Debug, Default)]
pub enum StagedChange {
    /// Keep it as it is (or none).
    #[default]
    Keep,
    /// Stage a consumer key and/or secret. A missing key keeps the staged key (one must be
    /// staged already); a missing secret keeps the staged secret when the key is unchanged and
    /// means "no secret" (PKCE-only) for a new key.
    Set {
        /// The new consumer key.
        client_id: Option<String>,
        /// The new consumer secret.
        client_secret: Option<SecretString>,
    },
    /// Remove the staged set.
    Remove,
}

/// The staged and previous changes of one save, checked and sealed.
pub(super) struct CredentialChanges {
    /// `Some(Some(set))`: stage it; `Some(None)`: remove the staged set; `None`: keep it.
    staged: Option<Option<CredentialSet>>,
    /// Remove the previous set.
    remove_previous: bool,
}

/// Checks the staged change against the current app and seals its secret.
pub(super) fn changes(
    app: &App,
    current: Option<&AppRow>,
    input: &super::AppInput,
) -> Result<CredentialChanges, AdminError> {
    let staged_now = current.and_then(|c| c.staged.as_ref());
    let staged = match &input.staged {
        StagedChange::Keep => None,
        StagedChange::Remove => Some(None),
        StagedChange::Set {
            client_id,
            client_secret,
        } => {
            let client_id = match (client_id, staged_now) {
                (Some(id), _) => parse_client_id(id, "--staged-client-id")?,
                (None, Some(s)) => s.client_id.clone(),
                (None, None) => {
                    return Err(AdminError::Invalid(
                        "--staged-client-secret-stdin needs --staged-client-id ID too: the consumer key the new secret belongs to (nothing is staged yet)".into(),
                    ));
                }
            };
            let client_secret_sealed = match (client_secret, staged_now) {
                (Some(secret), _) => Some(app.sealer.seal_secret(secret)),
                (None, Some(s)) if s.client_id == client_id => s.client_secret_sealed.clone(),
                (None, _) => None,
            };
            Some(Some(CredentialSet {
                client_id,
                client_secret_sealed,
            }))
        }
    };
    Ok(CredentialChanges {
        staged,
        remove_previous: input.remove_previous,
    })
}

/// Saves an app's main fields and its staged and previous changes; returns the app as stored.
pub(super) fn save_app(
    c: &Db<'_>,
    group_id: Option<i64>,
    fields: &AppFields,
    changes: &CredentialChanges,
) -> Result<AppRow, StoreError> {
    let row = store::apps::upsert(c, group_id, fields)?;
    match &changes.staged {
        Some(Some(set)) => {
            store::apps::set_staged(c, row.id, set)?;
        }
        Some(None) => {
            store::apps::clear_staged(c, row.id)?;
        }
        None => {}
    }
    if changes.remove_previous {
        store::apps::clear_previous(c, row.id)?;
    }
    store::apps::by_id(c, row.id)?.ok_or(StoreError::NoRow)
}

/// Promotes `current`'s staged set, audited as `action` about `subject`, and marks the
/// connections that were on the discarded previous set (they alone can no longer refresh).
/// `set_command` is the command that stages a set, for the error when nothing is staged.
pub(super) fn promote(
    app: &App,
    actor: &str,
    current: &AppRow,
    (action, subject): (&str, &str),
    set_command: &str,
) -> Result<(AppRow, Vec<String>), AdminError> {
    let nothing_staged = || {
        AdminError::Conflict(format!(
            "nothing is staged to promote: stage the new set first with `printf %s \"$SECRET\" | {set_command} --staged-client-id ID --staged-client-secret-stdin`"
        ))
    };
    if current.staged.is_none() {
        return Err(nothing_staged());
    }
    let id = current.id;
    let promoted = write(app, |c| {
        if store::apps::promote_staged(c, id)? == 0 {
            return Ok(None);
        }
        let row = store::apps::by_id(c, id)?.ok_or(StoreError::NoRow)?;
        let detail = json!({
            "client_id": row.client_id,
            "has_secret": row.client_secret_sealed.is_some(),
            "previous_client_id": row.previous.as_ref().map(|p| &p.client_id),
        });
        audit(c, actor, action, subject, &detail)?;
        let moved = reconcile(c, actor)?;
        Ok(Some((row, moved)))
    })?;
    promoted.ok_or_else(nothing_staged)
}
