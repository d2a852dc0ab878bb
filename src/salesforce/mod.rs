//! Salesforce REST: ids, record links, analytics and file reads, SOQL read-only guard, SOSL builder, limit header, error mapping, client.

pub mod analytics;
pub mod client;
pub mod collections;
pub mod error;
pub mod ids;
pub mod limits;
pub mod links;
pub mod soql;
pub mod sosl;
