//! Read errors, named for what the caller does next.

use crate::connections::ConnectionError;
use crate::salesforce::error::SalesforceError;
use crate::store::StoreError;

/// Why a read failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The arguments are wrong; the message says how to fix them.
    #[error("{0}")]
    BadInput(String),
    /// Salesforce refused for now (a rate limit); the message says when to try again.
    #[error("{0}")]
    TryLater(String),
    /// The connection cannot be used.
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    /// Salesforce refused or failed.
    #[error(transparent)]
    Salesforce(#[from] SalesforceError),
    /// Local storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
