//! The audit log (`/admin/audit`): newest first, [`PAGE`] entries a page with an "Older" link,
//! filtered by person, action and date, through [`admin::audit_search`] like `admin audit`.
//! Entries never hold a secret; their text is shown escaped.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::form::{self, Problems, field, input};
use super::{Admin, call, console_page, nav_title};
use crate::admin::{self, AuditQuery};
use crate::http::server::HttpState;
use crate::http::web::pages::escape;
use crate::shown;

/// Entries a page.
pub(super) const PAGE: u32 = 50;

/// The filters and the page, from the query string.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Filters {
    #[serde(default)]
    user: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    since: String,
    before: Option<i64>,
}

/// Text as shown: visible escapes for control characters, then HTML escaping.
fn data(text: &str) -> String {
    escape(&shown::escaped(text))
}

/// `GET /admin/audit`.
pub(super) async fn page(
    admin: Admin,
    State(state): State<HttpState>,
    Query(f): Query<Filters>,
) -> Response {
    let nonempty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let query = AuditQuery {
        user: nonempty(&f.user),
        action: nonempty(&f.action),
        since: nonempty(&f.since),
        before: f.before,
        limit: PAGE + 1,
    };
    let (rows, problems) = match call(&state, move |app| admin::audit_search(app, &query)).await {
        Err(page) => return page,
        Ok(Ok(rows)) => (rows, Problems::default()),
        Ok(Err(e)) => (
            Vec::new(),
            Problems::of(&e, &[("--since", "since"), ("person", "user")], None),
        ),
    };
    let more = rows.len() > PAGE as usize;
    let shown_rows = &rows[..rows.len().min(PAGE as usize)];
    let table: String = shown_rows
        .iter()
        .map(|r| {
            format!(
                "<tr><td class=\"when\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"detail\"><code>{}</code></td></tr>",
                super::when(&r.at),
                data(&r.actor),
                data(&r.action),
                data(r.subject.as_deref().unwrap_or("-")),
                data(r.detail_text.as_deref().unwrap_or("")),
            )
        })
        .collect();
    let table = if shown_rows.is_empty() {
        if problems.is_empty() {
            "<p id=\"no-entries\">No entries match.</p>".to_owned()
        } else {
            String::new()
        }
    } else {
        format!(
            "<table id=\"audit\" class=\"log\"><colgroup><col class=\"when\"><col class=\"who\"><col class=\"what\"><col class=\"about\"><col></colgroup><tr><th>When</th><th>Who</th><th>Action</th><th>About</th><th>Details</th></tr>{table}</table>"
        )
    };
    let filter_query = |before: Option<i64>| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("user", &f.user),
            ("action", &f.action),
            ("since", &f.since),
        ] {
            if !v.trim().is_empty() {
                q.append_pair(k, v.trim());
            }
        }
        if let Some(b) = before {
            q.append_pair("before", &b.to_string());
        }
        q.finish()
    };
    let mut links = Vec::new();
    if f.before.is_some() {
        links.push(format!(
            "<a href=\"/admin/audit?{}\" id=\"newest\">Newest</a>",
            escape(&filter_query(None))
        ));
    }
    if more && let Some(last) = shown_rows.last() {
        links.push(format!(
            "<a href=\"/admin/audit?{}\" id=\"older\">Older</a>",
            escape(&filter_query(Some(last.id)))
        ));
    }
    let body = format!(
        "<form class=\"card\" method=\"get\" action=\"/admin/audit\" id=\"audit-filter\">{}{}{}{}\
         <button type=\"submit\" id=\"filter\">Filter</button> <a href=\"/admin/audit\">Clear</a></form>{table}<p>{}</p>",
        problems.summary(),
        field(
            "user",
            "Person",
            &input("email", "user", &f.user, ""),
            "Entries by or about this person (e-mail).",
            &problems
        ),
        field(
            "action",
            "Action",
            &input(
                "text",
                "action",
                &f.action,
                " spellcheck=\"false\" placeholder=\"user.add\""
            ),
            "An action such as user.add, or a family such as token.",
            &problems
        ),
        field(
            "since",
            "Since",
            &input("date", "since", &f.since, ""),
            "Entries on or after this day (UTC).",
            &problems
        ),
        links.join(" · "),
    );
    console_page(
        &admin,
        form::status_of(&problems),
        "/admin/audit",
        nav_title("/admin/audit"),
        &body,
    )
}
