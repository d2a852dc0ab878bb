//! Prepared write actions: validated against describe, previewed, approved by the person who
//! prepared them, executed at most once, and audited. Nothing here knows MCP or HTTP.
//!
//! States: `pending -> executing -> succeeded | failed | conflict | unknown`, and
//! `pending -> rejected | cancelled | expired`. Every move is a conditional update.

mod batch;
mod execute;
mod execute_batch;
mod prepare;
mod preview;
mod record_types;
mod recover;
mod summary;
mod undo;
pub mod validate;

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

pub use batch::{MAX_RECORDS, RecordChange, RecordItem};
pub use execute::Decision;
pub use preview::{ChangeList, ChangeView, FieldChange};
pub use recover::{SWEEP_EVERY, this_host, this_pid};
pub use summary::record_words;
pub use undo::UndoArgs;

use crate::config::Settings;
use crate::policy::Policies;
use crate::reads::{ReadError, Reads};
use crate::secrets::Sealer;
use crate::store::{Store, StoreError};

/// Change statuses, as stored and shown.
pub mod status {
    /// Waiting for the person's decision.
    pub const PENDING: &str = "pending";
    /// Approved and being sent to Salesforce.
    pub const EXECUTING: &str = "executing";
    /// Salesforce applied it.
    pub const SUCCEEDED: &str = "succeeded";
    /// Salesforce refused it; nothing changed.
    pub const FAILED: &str = "failed";
    /// The person said no.
    pub const REJECTED: &str = "rejected";
    /// Withdrawn before a decision.
    pub const CANCELLED: &str = "cancelled";
    /// Not decided in time.
    pub const EXPIRED: &str = "expired";
    /// The record changed after the preview; nothing was written.
    pub const CONFLICT: &str = "conflict";
    /// The executor stopped mid-write; whether Salesforce applied it is not known. Never re-sent.
    pub const UNKNOWN: &str = "unknown";
    /// Every status, for argument checks.
    pub const ALL: [&str; 9] = [
        PENDING, EXECUTING, SUCCEEDED, FAILED, REJECTED, CANCELLED, EXPIRED, CONFLICT, UNKNOWN,
    ];
}

/// A write operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// A new record.
    Create,
    /// Changes to an existing record.
    Update,
    /// Create or update, matched by an external id.
    Upsert,
    /// To the Recycle Bin.
    Delete,
}

impl Operation {
    /// Parses `create`, `update`, `upsert` or `delete` (any case).
    pub fn parse(text: &str) -> Result<Self, ChangeError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "create" | "insert" => Ok(Self::Create),
            "update" => Ok(Self::Update),
            "upsert" => Ok(Self::Upsert),
            "delete" => Ok(Self::Delete),
            _ => Err(ChangeError::BadInput(format!(
                "operation '{text}' is not known: use create, update, upsert or delete"
            ))),
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Upsert => "upsert",
            Self::Delete => "delete",
        }
    }

    /// The `list_objects` capability that allows it.
    pub fn capability(self) -> &'static str {
        match self {
            Self::Create | Self::Upsert => "create",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }
}

/// How a person approved or rejected a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// In the MCP client, through elicitation.
    Elicitation,
    /// On the signed-in web page `/changes/{id}`.
    Web,
    /// With `salesforce-mcp changes approve|reject`.
    CommandLine,
    /// The `confirm_change` call itself (admin policy `client-consent`).
    ClientConsent,
    /// The `cancel_change` tool.
    Tool,
}

impl Via {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Elicitation => "elicitation",
            Self::Web => "web",
            Self::CommandLine => "command_line",
            Self::ClientConsent => "client_consent",
            Self::Tool => "tool",
        }
    }
}

/// A change id: 32 lowercase hex characters (a random UUID v4, unguessable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeId(String);

impl ChangeId {
    /// A new random id.
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string())
    }

    /// Checks a given id.
    pub fn parse(text: &str) -> Result<Self, ChangeError> {
        let t = text.trim().to_ascii_lowercase();
        if t.len() == 32 && t.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(Self(t))
        } else {
            Err(ChangeError::BadInput(format!(
                "'{text}' is not a change id: use the change_id that prepare_change returned (list_changes shows yours)"
            )))
        }
    }

    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Arguments of `prepare_change`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrepareArgs {
    /// "upsert" creates or updates the record matched by an external id.
    #[schemars(extend("enum" = ["create", "update", "upsert", "delete"]))]
    pub operation: String,
    /// Object API name, e.g. "Account" or "Project__c".
    pub object: String,
    /// The record to update or delete (15 or 18 characters). Not for create or upsert.
    pub record_id: Option<String>,
    /// Upsert only: API name of an external id field, e.g. "External_Id__c".
    pub external_id_field: Option<String>,
    /// Upsert only: the external id value to match.
    pub external_id_value: Option<String>,
    /// Field API names and new values, e.g. {"Phone": "+1 555 0100", "Rating": "Hot"}. Not for delete.
    pub fields: Option<Map<String, Value>>,
    /// Instead of record_id / external_id_value / fields: 1 to 200 records of this object, all
    /// with this operation, approved at once. Each item is {record_id?, external_id_value?,
    /// fields?} (record_id for update and delete, external_id_value for upsert with
    /// external_id_field above, fields for create, update and upsert).
    pub records: Option<Vec<RecordItem>>,
}

/// Arguments naming one change.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeIdArgs {
    /// The change_id returned by prepare_change.
    pub change_id: String,
}

/// Arguments of `list_changes`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListChangesArgs {
    /// Only changes with this status.
    #[schemars(extend("enum" = ["pending", "executing", "succeeded", "failed", "rejected", "cancelled", "expired", "conflict", "unknown", null]))]
    pub status: Option<String>,
}

/// Why a change operation failed, named for what the caller does next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChangeError {
    /// The arguments are wrong; the message says how to fix them.
    #[error("{0}")]
    BadInput(String),
    /// No such change for this person (another person's change is never found either).
    #[error(
        "There is no change {0} for you. Use list_changes to see your changes, or prepare_change to make a new one."
    )]
    NotFound(String),
    /// The change is not pending any more; it keeps its first outcome.
    #[error("{}", preview::not_pending_text(.0))]
    NotPending(Box<ChangeView>),
    /// Reading Salesforce (describe, current values) failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// An admin turned changes off (policy `read_only`): nothing is prepared, approved or undone.
    #[error(
        "This server is read-only: an admin turned changes off, so nothing can be prepared, approved or undone now. Nothing was stored or sent to Salesforce, and reading works as before. If a change is needed, ask an admin to turn read-only off (the console's Policies page, or `salesforce-mcp admin policy set --read-only off`)."
    )]
    ReadOnly,
    /// Local storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Change services shared by the tools, the command line and the web page.
#[derive(Debug, Clone)]
pub struct Changes {
    reads: Reads,
    store: Store,
    sealer: Sealer,
    settings: Arc<Settings>,
    picklists: record_types::PicklistCache,
}

impl Changes {
    /// Builds the service.
    pub fn new(reads: Reads, store: Store, sealer: Sealer, settings: Arc<Settings>) -> Self {
        Self {
            reads,
            store,
            sealer,
            settings,
            picklists: record_types::PicklistCache::default(),
        }
    }

    /// The settings this process started with (the policies in force are [`Changes::policies`]).
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The policies in force now (approval, change lifetime, read-only): read from the store at
    /// every use, so that an admin's switch applies at once on every instance.
    pub async fn policies(&self) -> Result<Policies, ChangeError> {
        let settings = Arc::clone(&self.settings);
        Ok(self
            .store
            .call(move |c| crate::policy::read(c, &settings))
            .await?)
    }

    /// [`ChangeError::ReadOnly`] while an admin has turned changes off.
    pub async fn ensure_changes_allowed(&self) -> Result<Policies, ChangeError> {
        let policies = self.policies().await?;
        if policies.read_only.value {
            return Err(ChangeError::ReadOnly);
        }
        Ok(policies)
    }

    /// A person's change as shown to them.
    pub async fn show(&self, user_id: i64, id: &str) -> Result<ChangeView, ChangeError> {
        let id = ChangeId::parse(id)?;
        self.expire_due().await?;
        let row = self.load(user_id, &id).await?;
        Ok(ChangeView::from_row(&row))
    }

    /// A person's changes, newest first (at most 200), optionally with one status.
    pub async fn list(
        &self,
        user_id: i64,
        status: Option<&str>,
    ) -> Result<ChangeList, ChangeError> {
        let status = match status.map(|s| s.trim().to_ascii_lowercase()) {
            Some(s) if !status::ALL.contains(&s.as_str()) => {
                return Err(ChangeError::BadInput(format!(
                    "status '{s}' is not known: use one of {}",
                    status::ALL.join(", ")
                )));
            }
            other => other,
        };
        self.expire_due().await?;
        let rows = self
            .store
            .call(move |c| crate::store::changes::list(c, user_id, status.as_deref(), 200))
            .await?;
        Ok(ChangeList {
            changes: rows.iter().map(ChangeView::from_row).collect(),
        })
    }

    async fn load(
        &self,
        user_id: i64,
        id: &ChangeId,
    ) -> Result<crate::store::changes::ChangeRow, ChangeError> {
        let key = id.as_str().to_owned();
        self.store
            .call(move |c| crate::store::changes::find(c, &key, user_id))
            .await?
            .ok_or_else(|| ChangeError::NotFound(id.as_str().to_owned()))
    }

    /// Marks pending changes whose time ran out as expired.
    pub async fn expire_due(&self) -> Result<usize, ChangeError> {
        Ok(self
            .store
            .call(|c| crate::store::changes::expire_due(c, &crate::store::now_text()))
            .await?)
    }

    /// Appends to the audit log as the person (their e-mail).
    async fn audit(
        &self,
        user_id: i64,
        action: &'static str,
        id: &str,
        detail: Value,
    ) -> Result<(), ChangeError> {
        let id = id.to_owned();
        self.store
            .call(move |c| {
                let actor = crate::store::users::find_by_id(c, user_id)?
                    .map_or_else(|| format!("user:{user_id}"), |u| u.email);
                crate::store::audit::append(c, &actor, action, Some(&id), Some(&detail.to_string()))
            })
            .await?;
        Ok(())
    }
}
