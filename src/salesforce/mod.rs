//! Salesforce REST: ids, SOQL read-only guard, SOSL builder, limit header, error mapping, client.

pub mod ids;
