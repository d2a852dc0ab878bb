//! salesforce-mcp: a Model Context Protocol server that lets chat assistants read Salesforce and
//! prepare changes that a person approves, each person with their own Salesforce connection.
//!
//! Layers call downward only: `mcp`/`http` -> `changes`/`connections` -> `salesforce`/`oauth` -> `store`.

pub mod admin;
pub mod app;
pub mod authz;
pub mod changes;
pub mod cli;
pub mod config;
pub mod connections;
pub mod demo;
pub mod http;
pub mod mcp;
pub mod oauth;
pub mod policy;
pub mod reads;
pub mod salesforce;
pub mod secrets;
pub mod shown;
pub mod simulated_org;
pub mod store;

/// Internals that the fuzz targets in `fuzz/` drive directly; not a stable interface.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::mcp::approval::{request_state_is_for, seal_request_state};
}
