//! salesforce-mcp: a Model Context Protocol server that lets chat assistants read Salesforce and
//! prepare changes that a person approves, each person with their own Salesforce connection.
//!
//! Layers call downward only: `mcp`/`http` -> `changes`/`connections` -> `salesforce`/`oauth` -> `store`.

pub mod salesforce;
pub mod simulated_org;
