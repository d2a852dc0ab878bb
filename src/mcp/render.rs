//! Compact text for models: each tool result's text block is readable on its own.

use std::fmt::Write as _;

use serde_json::Value;

use super::ConnectionStatus;
use crate::reads::{ObjectInfo, ObjectList, QueryPage, RecordOut, SearchOut};
use crate::salesforce::error::SalesforceError;
use crate::shown::{self, escaped, quoted};

/// A record as compact JSON: every value kept, nothing a terminal would interpret.
fn row_text(v: &Value) -> String {
    shown::json(&v.to_string())
}

/// Salesforce's own message, with what to do next.
pub fn salesforce_error(e: &SalesforceError) -> String {
    let next = match e {
        SalesforceError::InvalidQuery { .. } => {
            " Fix the SOQL (describe_object lists field names) and try again."
        }
        SalesforceError::LimitExceeded { .. } => {
            " The org's API limit is used up; try again later or ask your Salesforce admin."
        }
        SalesforceError::PermissionDenied { .. } => {
            " Your Salesforce user lacks access; ask your Salesforce admin."
        }
        SalesforceError::Unavailable { .. } | SalesforceError::Transport { .. } => {
            " Salesforce is unavailable right now; try again in a minute."
        }
        _ => "",
    };
    // Salesforce's message may quote data (and SOQL ones span lines): escaped, on one line.
    format!("Salesforce error: {}.{next}", escaped(&e.to_string()))
}

pub fn status(s: &ConnectionStatus) -> String {
    let mut t = if s.connected {
        format!(
            "Connected to Salesforce as {} (org {}) at {} via {} (app: {}). Scopes: {}. Offline refresh: {}.",
            escaped(s.username.as_deref().unwrap_or("?")),
            escaped(s.org_id.as_deref().unwrap_or("?")),
            escaped(s.instance_url.as_deref().unwrap_or("?")),
            escaped(s.auth_base_url.as_deref().unwrap_or("?")),
            escaped(s.app.as_deref().unwrap_or("?")),
            escaped(&s.scopes.join(" ")),
            if s.offline_refresh { "yes" } else { "no" }
        )
    } else {
        format!(
            "Salesforce is not connected (status: {}).",
            escaped(&s.status)
        )
    };
    if let Some(u) = &s.api_usage {
        let _ = write!(t, " API usage: {}/{}.", u["used"], u["limit"]);
    }
    if let Some(n) = &s.next_step {
        let _ = write!(t, " Next step: {n}");
    }
    t
}

pub fn object_list(l: &ObjectList) -> String {
    let mut t = format!("{} of {} objects:\n", l.returned, l.total_matching);
    for o in &l.objects {
        let _ = writeln!(
            t,
            "{} ({}){}: {}",
            escaped(&o.name),
            escaped(&o.label),
            if o.custom { ", custom" } else { "" },
            o.capabilities.join(", ")
        );
    }
    if let Some(c) = &l.next_cursor {
        let _ = write!(t, "More objects: call list_objects with cursor \"{c}\".");
    }
    t
}

pub fn object_info(o: &ObjectInfo) -> String {
    let mut t = format!(
        "{} ({}){}: {}. {} of {} fields:\n",
        escaped(&o.name),
        escaped(&o.label),
        if o.custom { ", custom" } else { "" },
        o.capabilities.join(", "),
        o.fields.len(),
        o.total_fields
    );
    if let Some(rt) = &o.record_type {
        t.push_str(&format!(
            "Picklist values of record type {} ({}):\n",
            quoted(rt["name"].as_str().unwrap_or("?")),
            escaped(rt["developer_name"].as_str().unwrap_or("?"))
        ));
    }
    for f in &o.fields {
        let mut flags = Vec::new();
        if f.required_on_create {
            flags.push("required".to_owned())
        }
        if !f.createable && !f.updateable {
            flags.push("read-only".to_owned())
        } else if !f.updateable {
            flags.push("create-only".to_owned())
        }
        if f.external_id {
            flags.push("external id".to_owned())
        }
        if let Some(l) = f.length {
            flags.push(format!("max {l}"))
        }
        if !f.reference_to.is_empty() {
            flags.push(format!("-> {}", escaped(&f.reference_to.join("/"))))
        }
        if let Some(r) = &f.relationship_name {
            flags.push(format!("relationship {}", escaped(r)))
        }
        if let Some(v) = &f.picklist_values {
            flags.push(format!(
                "{}values: {}",
                if f.restricted_picklist == Some(true) {
                    "restricted "
                } else {
                    ""
                },
                v.iter().map(|p| escaped(p)).collect::<Vec<_>>().join(" | ")
            ))
        }
        let _ = writeln!(
            t,
            "- {} {} {}{}",
            escaped(&f.name),
            quoted(&f.label),
            escaped(&f.field_type),
            if flags.is_empty() {
                String::new()
            } else {
                format!(" [{}]", flags.join("; "))
            }
        );
    }
    if let Some(rels) = &o.child_relationships {
        let _ = writeln!(
            t,
            "Child relationships: {}",
            rels.iter()
                .map(|r| format!(
                    "{} ({}.{})",
                    escaped(r["relationship"].as_str().unwrap_or("?")),
                    escaped(r["object"].as_str().unwrap_or("?")),
                    escaped(r["field"].as_str().unwrap_or("?"))
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(rts) = &o.record_types {
        let _ = writeln!(
            t,
            "Record types: {}",
            rts.iter()
                .map(|r| format!(
                    "{} ({})",
                    quoted(r["name"].as_str().unwrap_or("?")),
                    escaped(r["id"].as_str().unwrap_or("?"))
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    t
}

pub fn search(s: &SearchOut) -> String {
    if s.total == 0 {
        return "No records matched.".to_owned();
    }
    let mut t = format!("{} matches:\n", s.total);
    for g in &s.results {
        let _ = writeln!(t, "{} ({}):", escaped(&g.object), g.records.len());
        for r in &g.records {
            let _ = writeln!(t, "  {}", row_text(r));
        }
    }
    t
}

pub fn query_page(p: &QueryPage) -> String {
    let mut t = format!(
        "{} rows (rows {} to {} of {}):\n",
        p.returned,
        p.returned_so_far - p.returned as u64 + u64::from(p.returned > 0),
        p.returned_so_far,
        p.total_size
    );
    for r in &p.records {
        let _ = writeln!(t, "{}", row_text(r));
    }
    match &p.next_cursor {
        Some(c) => {
            let _ = write!(
                t,
                "More rows remain: call query_records with cursor \"{c}\" to continue."
            );
        }
        None => t.push_str("No more rows."),
    }
    t
}

pub fn record(r: &RecordOut) -> String {
    format!(
        "{} {}: {}",
        escaped(&r.object),
        escaped(&r.id),
        row_text(&r.record)
    )
}
