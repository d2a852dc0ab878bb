//! `/changes/{id}`: the signed-in person's prepared change with its full preview and Approve /
//! Reject buttons (CSRF-protected POST forms). Anyone else's change, or an unknown id, is a 404.

use axum::extract::{Path, State};
use axum::response::Response;
use http::StatusCode;

use super::login::CsrfForm;
use super::{SignedIn, method, pages};
use crate::changes::{ChangeError, ChangeView, Decision, Via};
use crate::http::server::HttpState;
use crate::shown;

use pages::{escape, para};

fn not_found() -> Response {
    pages::page(
        StatusCode::NOT_FOUND,
        "Change not found",
        "<p>There is no such change for you. Ask your assistant to list your changes (list_changes).</p>",
    )
}

/// Data as shown on the page: [`shown`] first (control characters, bidi controls and
/// separators become visible escapes), then HTML escaping.
fn data(text: &str) -> String {
    escape(&shown::escaped(text))
}

/// The preview: what will happen, the record, and each field before -> after.
fn preview_html(view: &ChangeView) -> String {
    let record = match (&view.record_name, &view.record_id, &view.external_id) {
        _ if view.count > 1 => format!("{} records, listed below", view.count),
        (Some(name), Some(id), _) => format!("{} ({})", escape(&shown::quoted(name)), data(id)),
        (None, Some(id), _) => data(id),
        (_, None, Some(ext)) => format!("by external id {}", data(ext)),
        _ => "new record".to_owned(),
    };
    let rows: String = view
        .fields
        .iter()
        .map(|f| {
            format!(
                "<tr><td>{} <code>{}</code></td><td>{}</td><td>{}</td></tr>",
                data(&f.label),
                data(&f.name),
                escape(&shown::value(&f.before)),
                escape(&shown::value(&f.after))
            )
        })
        .collect();
    let table = if rows.is_empty() {
        String::new()
    } else {
        format!(
            "<table id=\"fields\"><tr><th>Field</th><th>Before</th><th>After</th></tr>{rows}</table>"
        )
    };
    format!(
        "<p id=\"action\"><strong>{}</strong></p><dl><dt>Object</dt><dd>{} <code>{}</code></dd>\
         <dt>Record</dt><dd id=\"record\">{record}</dd><dt>Status</dt><dd id=\"change-status\">{}</dd>\
         <dt>Expires</dt><dd>{}</dd></dl>{table}",
        escape(&view.action),
        data(&view.object_label),
        data(&view.object),
        escape(&view.status),
        escape(&view.expires_at),
    )
}

/// A change of several records: what is common once, then every record (name, id, link)
/// with each of its fields before -> after.
fn records_html(view: &ChangeView) -> String {
    if view.count < 2 {
        return String::new();
    }
    let common: String = view
        .common
        .iter()
        .map(|line| format!("<li>{}</li>", escape(line)))
        .collect();
    let mut rows = String::new();
    for (i, r) in view.records.iter().enumerate() {
        let record = crate::changes::record_words(r, i);
        let link = r.url.as_deref().map_or_else(String::new, |u| {
            format!(" <a href=\"{}\">open</a>", escape(u))
        });
        rows.push_str(&format!(
            "<tr class=\"record\"><td colspan=\"3\">{}. {}{link}</td></tr>",
            i + 1,
            escape(&record)
        ));
        for f in &r.fields {
            rows.push_str(&format!(
                "<tr><td>{} <code>{}</code></td><td>{}</td><td>{}</td></tr>",
                data(&f.label),
                data(&f.name),
                escape(&shown::value(&f.before)),
                escape(&shown::value(&f.after))
            ));
        }
    }
    format!(
        "<p id=\"count\">{} records</p><ul id=\"common\">{common}</ul><table id=\"records\"><tr><th>Field</th><th>Before</th><th>After</th></tr>{rows}</table>",
        view.count
    )
}

fn decision_forms(who: &SignedIn, view: &ChangeView) -> String {
    let id = escape(&view.change_id);
    let reject = format!(
        "<form class=\"inline\" method=\"post\" action=\"/changes/{id}/reject\">{csrf}<button type=\"submit\" id=\"reject\">Reject</button></form>",
        csrf = who.csrf_input()
    );
    if who.method != method::SALESFORCE {
        // An API token is what the MCP client holds: it may reject, never approve.
        let next = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("next", &format!("/changes/{}", view.change_id))
            .finish();
        return format!(
            "<p>To approve, prove it is you: <a class=\"button\" id=\"salesforce-sign-in\" href=\"/login/salesforce?{}\">Sign in with Salesforce</a></p>{reject}",
            escape(&next)
        );
    }
    format!(
        "<form class=\"inline\" method=\"post\" action=\"/changes/{id}/approve\">{csrf}<button type=\"submit\" id=\"approve\">Approve</button></form>{reject}",
        csrf = who.csrf_input()
    )
}

fn view_page(
    status: StatusCode,
    who: &SignedIn,
    view: &ChangeView,
    note: Option<&str>,
) -> Response {
    let mut body = note.map(|n| para("note", n)).unwrap_or_default();
    body.push_str(&preview_html(view));
    body.push_str(&records_html(view));
    if view.status == "pending" {
        body.push_str("<p>Nothing has changed in Salesforce yet. Approve to send exactly these values, once.</p>");
        body.push_str(&decision_forms(who, view));
    } else {
        body.push_str(&para(
            if ["failed", "conflict", "unknown"].contains(&view.status.as_str()) {
                "error"
            } else {
                "ok"
            },
            &view.outcome_text(),
        ));
    }
    pages::page(status, "Prepared change", &body)
}

fn error_page(who: &SignedIn, e: ChangeError) -> Response {
    match e {
        // A malformed id names no change either.
        ChangeError::NotFound(_) | ChangeError::BadInput(_) => not_found(),
        ChangeError::NotPending(view) => view_page(
            StatusCode::CONFLICT,
            who,
            &view,
            Some(&format!(
                "This change is no longer pending (status: {}); nothing was done.",
                view.status
            )),
        ),
        other => pages::page(
            StatusCode::BAD_REQUEST,
            "Cannot do that",
            &para("error", &other.to_string()),
        ),
    }
}

pub(super) async fn show(
    State(state): State<HttpState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> Response {
    match state.app.changes.show(who.user_id, &id).await {
        Ok(view) => view_page(StatusCode::OK, &who, &view, None),
        Err(e) => error_page(&who, e),
    }
}

/// Approves or rejects after checking the form's CSRF token; the page shows the outcome.
async fn decide(
    state: HttpState,
    who: SignedIn,
    id: String,
    form: CsrfForm,
    decision: Decision,
) -> Response {
    if let Err(r) = who.check_csrf(&form.csrf) {
        return axum::response::IntoResponse::into_response(r);
    }
    let note = match decision {
        Decision::Approve => "Approved.",
        Decision::Reject => "Rejected: nothing was sent to Salesforce.",
    };
    match state
        .app
        .changes
        .decide(who.user_id, &id, decision, Via::Web)
        .await
    {
        Ok(view) => view_page(StatusCode::OK, &who, &view, Some(note)),
        Err(e) => error_page(&who, e),
    }
}

pub(super) async fn approve(
    State(state): State<HttpState>,
    who: SignedIn,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Response {
    if let Some(r) = who.salesforce_needed(&format!("/changes/{id}")) {
        return r;
    }
    decide(state, who, id, form, Decision::Approve).await
}

pub(super) async fn reject(
    State(state): State<HttpState>,
    who: SignedIn,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Response {
    decide(state, who, id, form, Decision::Reject).await
}
