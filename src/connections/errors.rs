//! Connection errors, named for what the person does next.

use crate::oauth::OAuthError;
use crate::secrets::SecretsError;
use crate::store::StoreError;

/// Why a person's Salesforce connection cannot be used or made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectionError {
    /// No enabled org app and no enabled group override.
    #[error(
        "Salesforce is not enabled: no enabled OAuth app applies to you. An admin must configure one with `salesforce-mcp admin org set` (or enable a group override)"
    )]
    NotEnabled,
    /// The person has not connected Salesforce.
    #[error("Salesforce is not connected for you")]
    NotConnected,
    /// The connection exists but must be made again.
    #[error("your Salesforce connection needs to be reconnected: {0}")]
    NeedsReconnect(String),
    /// The callback's state is unknown, used or expired.
    #[error(
        "this Salesforce authorization is unknown, already used or older than 10 minutes; start connecting again"
    )]
    UnknownState,
    /// The app changed between starting and finishing the connection.
    #[error("the Salesforce app changed or was disabled while connecting; start connecting again")]
    AppChangedDuringConnect,
    /// The stored app cannot be used.
    #[error(
        "the Salesforce app is misconfigured: {0}; an admin should fix it with `salesforce-mcp admin org set`"
    )]
    AppMisconfigured(String),
    /// The token response pointed at a host that is not Salesforce.
    #[error("refusing Salesforce's answer: {0}")]
    UnsafeInstance(String),
    /// Salesforce refused an authorization; the message says why and what to fix.
    #[error("{0}")]
    Refused(String),
    /// An OAuth exchange failed.
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    /// A stored secret could not be opened.
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
