//! salesforce-mcp: a Model Context Protocol server that lets chat assistants read Salesforce and
//! prepare changes that a person approves, each person with their own Salesforce connection.
//!
//! Layers call downward only: `mcp`/`http` -> `changes`/`connections` -> `salesforce`/`oauth` -> `store`.

pub mod salesforce;
pub mod simulated_org;
pub mod secrets;
pub mod store;
pub mod oauth;
pub mod config;
pub mod connections;
pub mod reads;
pub mod mcp;
pub mod app;
pub mod http;
pub mod cli;
