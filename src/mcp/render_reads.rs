//! Compact text for the reads people use (reports, dashboards, related records, list views,
//! recent items, files). Every data value goes through [`shown`].

use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::reads::{
    Aggregate, DashboardOut, FileContent, FileList, Grouping, ListViewOut, QueryPage, RecentOut,
    RelatedOut, ReportOut,
};

/// A data value as it appears in a text block: the one display rule ([`crate::shown::quoted`]:
/// quoted, hidden characters escaped, long values cut with their length).
fn shown(value: &str) -> String {
    crate::shown::quoted(value)
}

/// A JSON value as text: strings as they are, null as empty, others as JSON.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn row(r: &Map<String, Value>) -> String {
    r.iter()
        .map(|(k, v)| format!("{}={}", shown(k), shown(&plain(v))))
        .collect::<Vec<_>>()
        .join("; ")
}

fn record(v: &Value) -> String {
    match v {
        Value::Object(m) => row(m),
        other => shown(&plain(other)),
    }
}

fn aggregates(list: &[Aggregate]) -> String {
    list.iter()
        .map(|a| format!("{} {}", shown(&a.label), shown(&a.formatted)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn groupings(t: &mut String, list: &[Grouping], depth: usize) {
    for g in list {
        let indent = "  ".repeat(depth);
        let _ = writeln!(
            t,
            "{indent}- {} {}: {}",
            shown(&g.column),
            shown(&g.label),
            aggregates(&g.aggregates)
        );
        groupings(t, &g.groupings, depth + 1);
    }
}

/// `run_report`.
pub fn report(r: &ReportOut) -> String {
    let mut t = format!(
        "Report {} ({}, {}): {} rows shown.\n",
        shown(&r.report.name),
        r.report.id,
        r.report.format,
        r.rows.len()
    );
    if !r.all_data {
        t.push_str("Salesforce cut the detail rows at 2,000 (all_data: false); the totals cover every row. Add filters to narrow the report and see all of its rows.\n");
    }
    let _ = writeln!(t, "Grand total: {}", aggregates(&r.grand_total));
    if !r.groupings.is_empty() {
        t.push_str("Groupings:\n");
        groupings(&mut t, &r.groupings, 0);
    }
    let columns: Vec<String> = r
        .columns
        .iter()
        .map(|c| format!("{} {} ({})", shown(&c.name), shown(&c.label), c.column_type))
        .collect();
    let _ = writeln!(t, "Columns: {}", columns.join(", "));
    for r in &r.rows {
        let _ = writeln!(t, "{}", row(r));
    }
    t
}

/// `get_dashboard`.
pub fn dashboard(d: &DashboardOut) -> String {
    let mut t = format!(
        "Dashboard {} ({}): {} components.\n",
        shown(&d.name),
        d.id,
        d.components.len()
    );
    for c in &d.components {
        let _ = writeln!(
            t,
            "Component {} ({}, report {}, {}): total {}",
            shown(&c.title),
            c.visualization.as_deref().unwrap_or("?"),
            c.report_id.as_deref().unwrap_or("?"),
            shown(&c.status),
            aggregates(&c.grand_total)
        );
        groupings(&mut t, &c.groupings, 1);
    }
    t
}

fn page(t: &mut String, p: &QueryPage, tool: &str) {
    let first = p.returned_so_far - p.returned as u64 + u64::from(p.returned > 0);
    let _ = writeln!(
        t,
        "{} rows (rows {first} to {} of {}):",
        p.returned, p.returned_so_far, p.total_size
    );
    for r in &p.records {
        let _ = writeln!(t, "{}", record(r));
    }
    match &p.next_cursor {
        Some(c) => {
            let _ = write!(
                t,
                "More rows remain: call {tool} again with the same arguments and cursor \"{c}\"."
            );
        }
        None => t.push_str("No more rows."),
    }
}

/// `get_related_records`.
pub fn related(r: &RelatedOut) -> String {
    let mut t = format!("Related {} records. ", r.object);
    page(&mut t, &r.page, "get_related_records");
    t
}

/// `run_list_view`.
pub fn list_view(l: &ListViewOut) -> String {
    let columns: Vec<String> = l
        .columns
        .iter()
        .map(|c| format!("{} {}", shown(&c.name), shown(&c.label)))
        .collect();
    let mut t = format!(
        "List view {}. Columns: {}.\n",
        shown(&l.list_view),
        columns.join(", ")
    );
    page(&mut t, &l.page, "run_list_view");
    t
}

/// `list_recent`.
pub fn recent(r: &RecentOut) -> String {
    if r.records.is_empty() {
        return "No recently viewed records (records count as viewed when opened in Salesforce)."
            .to_owned();
    }
    let mut t = format!(
        "{} recently viewed records, newest first:\n",
        r.records.len()
    );
    for i in &r.records {
        let _ = writeln!(
            t,
            "- {} {} {} {}",
            i.object,
            i.id,
            shown(i.name.as_deref().unwrap_or("")),
            i.url
        );
    }
    t
}

/// `list_files`.
pub fn files(f: &FileList) -> String {
    if f.files.is_empty() {
        return "No files are attached to this record.".to_owned();
    }
    let mut t = format!("{} files:\n", f.files.len());
    for file in &f.files {
        let _ = writeln!(
            t,
            "- {} {} ({}, .{}, {} bytes; latest version {})",
            file.id,
            shown(&file.title),
            file.file_type,
            file.extension,
            file.size,
            file.latest_version_id
        );
    }
    t
}

/// `read_file`.
pub fn file(f: &FileContent) -> String {
    let mut t = format!(
        "File {} ({}, version {}, {}, {} bytes).\n",
        shown(&f.file.title),
        f.file.id,
        f.version_id,
        f.file.file_type,
        f.file.size
    );
    if let Some(note) = &f.note {
        let _ = writeln!(t, "{note}");
    }
    if let Some(text) = &f.text {
        let _ = write!(t, "Content: {}", shown(text));
    }
    t
}

/// `describe_object`'s text, with the list views when asked for.
pub fn list_views(views: Option<&Vec<Value>>) -> String {
    let Some(views) = views else {
        return String::new();
    };
    let list: Vec<String> = views
        .iter()
        .map(|v| {
            format!(
                "{} ({}, {})",
                shown(&plain(&v["label"])),
                plain(&v["developer_name"]),
                plain(&v["id"])
            )
        })
        .collect();
    format!("List views: {}\n", list.join(", "))
}

/// A record's page, as a line after its text.
pub fn link(url: &str) -> String {
    format!("\nPage: {url}")
}
