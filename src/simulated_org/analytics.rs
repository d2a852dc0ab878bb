//! `/analytics/...`: the Reports and Dashboards REST API (report list, describe, Execute Sync by
//! GET or POST with `reportMetadata.reportFilters`, dashboard list, results and describe).

use axum::http::Method;
use axum::response::Response;
use serde_json::Value;

use super::data::ApiError;
use super::rest::{Call, error_response, json_response, method_not_allowed, not_found};
use super::state::Shared;

fn respond(result: Result<Value, ApiError>) -> Response {
    match result {
        Ok(body) => json_response(200, &body),
        Err(error) => error_response(&error),
    }
}

/// Dispatch `route` (starting at `analytics`).
pub(crate) fn route(shared: &Shared, call: &Call<'_>, route: &[&str], method: &Method) -> Response {
    let get = method == Method::GET || method == Method::HEAD;
    let data = shared.data();
    let version = &call.version;
    match route {
        ["analytics", "reports"] if get => json_response(200, &data.report_list(version)),
        ["analytics", "reports", id] if get || method == Method::POST => {
            let details = call.params.get("includeDetails").map(String::as_str) == Some("true");
            let filters = match report_filters(call, method) {
                Ok(filters) => filters,
                Err(error) => return error_response(&error),
            };
            respond(data.run_report(id, &filters, details, version))
        }
        ["analytics", "reports", id, "describe"] if get => respond(data.describe_report(id)),
        ["analytics", "dashboards"] if get => json_response(200, &data.dashboard_list(version)),
        ["analytics", "dashboards", id] if get => respond(data.dashboard(id, version)),
        ["analytics", "dashboards", id, "describe"] if get => {
            respond(data.describe_dashboard(id, version))
        }
        ["analytics", "reports", _] => method_not_allowed(method, "GET,HEAD,POST"),
        ["analytics", "reports" | "dashboards", ..] => method_not_allowed(method, "GET,HEAD"),
        _ => error_response(&not_found()),
    }
}

/// The extra filters of a POST run (none for GET); a body that is not JSON is a 400.
fn report_filters(call: &Call<'_>, method: &Method) -> Result<Vec<Value>, ApiError> {
    if method != Method::POST || call.body.is_empty() {
        return Ok(Vec::new());
    }
    let body: Value = serde_json::from_slice(&call.body)
        .map_err(|e| ApiError::new(400, "JSON_PARSER_ERROR", &e.to_string()))?;
    Ok(body["reportMetadata"]["reportFilters"]
        .as_array()
        .cloned()
        .unwrap_or_default())
}
