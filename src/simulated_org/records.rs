//! Data-API routes after the version segment: describe, query and paging, search, record
//! reads and writes, and limits. The dataset does the work; this file speaks HTTP.

use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::data::{ApiError, WriteOutput};
use super::pager::{batch_size, has_offset};
use super::rest::{Call, error_response, json_response, method_not_allowed, not_found};
use super::state::{DAILY_API_LIMIT, Shared};

/// Dispatch one data-API call (session already checked).
pub(crate) fn route(shared: &Shared, call: &Call<'_>, route: &[&str], method: &Method) -> Response {
    let get = method == Method::GET || method == Method::HEAD;
    if let Some(response) = super::composite::route(shared, call, route, method) {
        return response;
    }
    match route {
        ["analytics", ..] => super::analytics::route(shared, call, route, method),
        ["sobjects", _, "listviews", ..] => super::listviews::route(shared, call, route, method),
        ["recent"] if get => super::listviews::recent(shared, call),
        ["sobjects", object, id, name] if get => {
            super::files::field_or_relationship(shared, call, &decode(object), &decode(id), name)
        }
        [] if get => resources(&call.version),
        ["sobjects"] if get => describe_global(shared, call),
        ["sobjects", object] if method == Method::POST => {
            let object = decode(object);
            write(call, |body| {
                let user = call.user.as_deref();
                shared
                    .data_mut()
                    .create_as(&object, body, &call.version, user)
            })
        }
        ["sobjects", object] if get => object_info(shared, call, &decode(object)),
        ["sobjects", object, "describe"] if get => describe(shared, call, &decode(object)),
        ["sobjects", _, "describe"] => method_not_allowed(method, "GET,HEAD"),
        ["sobjects", object, id] => record(shared, call, method, &decode(object), &decode(id)),
        ["sobjects", object, field, value] if method == Method::PATCH => {
            let (object, field, value) = (decode(object), decode(field), decode(value));
            write(call, |body| {
                let mut data = shared.data_mut();
                let at = (call.version.as_str(), call.user.as_deref());
                data.upsert_as(&object, (&field, &value), body, at)
            })
        }
        ["query" | "queryAll"] if get => query(shared, call),
        ["query" | "queryAll", locator] if get => {
            let batch = batch_for(shared, call);
            let page = shared
                .inner()
                .pager
                .next_page(locator, batch, &call.version);
            respond(page)
        }
        ["search"] if get => match call.params.get("q") {
            Some(q) => respond(shared.data().search(q, &call.version)),
            None => missing_param("MALFORMED_SEARCH", "A search string has to be specified"),
        },
        ["limits"] if get => limits(shared),
        [] | ["sobjects" | "query" | "queryAll" | "search" | "limits"] => {
            method_not_allowed(method, "GET,HEAD")
        }
        ["sobjects", _] => method_not_allowed(method, "GET,HEAD,POST"),
        ["query" | "queryAll", _] => method_not_allowed(method, "GET,HEAD"),
        ["sobjects", _, _, _] => method_not_allowed(method, "PATCH"),
        _ => error_response(&not_found()),
    }
}

/// A path segment, percent-decoded (`+` stays a plus sign in paths).
pub(crate) fn decode(segment: &str) -> String {
    let escaped = format!("x={}", segment.replace('+', "%2B"));
    url::form_urlencoded::parse(escaped.as_bytes())
        .next()
        .map_or_else(|| segment.to_string(), |(_, v)| v.into_owned())
}

pub(crate) fn respond(result: Result<Value, ApiError>) -> Response {
    match result {
        Ok(body) => json_response(200, &body),
        Err(error) => error_response(&error),
    }
}

fn missing_param(code: &str, message: &str) -> Response {
    error_response(&ApiError::new(400, code, message))
}

fn resources(version: &str) -> Response {
    let base = format!("/services/data/v{version}");
    let names = ["sobjects", "query", "queryAll", "search", "limits"];
    let map: serde_json::Map<String, Value> = names
        .iter()
        .map(|n| (n.to_string(), Value::String(format!("{base}/{n}"))))
        .collect();
    json_response(200, &Value::Object(map))
}

/// 304 when the client's `If-Modified-Since` is not older than `modified`.
fn not_modified(call: &Call<'_>, modified: Option<chrono::DateTime<chrono::Utc>>) -> bool {
    let since = call
        .headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    match (since, modified) {
        (Some(since), Some(modified)) => {
            let since: chrono::DateTime<chrono::Utc> = since.into();
            modified.timestamp() <= since.timestamp()
        }
        _ => false,
    }
}

fn describe_global(shared: &Shared, call: &Call<'_>) -> Response {
    let data = shared.data();
    let body = data.describe_global(&call.version);
    let newest = body["sobjects"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["name"].as_str())
        .filter_map(|name| data.metadata_modified(name))
        .max();
    if not_modified(call, newest) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    json_response(200, &body)
}

fn describe(shared: &Shared, call: &Call<'_>, object: &str) -> Response {
    let data = shared.data();
    match data.describe_as(object, &call.version, call.user.as_deref()) {
        Ok(_) if not_modified(call, data.metadata_modified(object)) => {
            StatusCode::NOT_MODIFIED.into_response()
        }
        other => respond(other),
    }
}

/// `GET /sobjects/{X}`: the object's Describe Global entry and no recent items.
fn object_info(shared: &Shared, call: &Call<'_>, object: &str) -> Response {
    let global = shared.data().describe_global(&call.version);
    let entry = global["sobjects"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["name"].as_str() == Some(object));
    match entry {
        Some(entry) => json_response(200, &json!({ "objectDescribe": entry, "recentItems": [] })),
        None => error_response(&not_found()),
    }
}

fn batch_for(shared: &Shared, call: &Call<'_>) -> usize {
    let options = call
        .headers
        .get("Sforce-Query-Options")
        .and_then(|v| v.to_str().ok());
    batch_size(shared.inner().config.batch_size, options)
}

fn query(shared: &Shared, call: &Call<'_>) -> Response {
    let Some(soql) = call.params.get("q") else {
        return missing_param("MALFORMED_QUERY", "A query string has to be specified");
    };
    let output = match shared.data().query(soql, &call.version) {
        Ok(output) => output,
        Err(error) => return error_response(&error),
    };
    let batch = batch_for(shared, call);
    let page = shared
        .inner()
        .pager
        .first_page(output, batch, &call.version, has_offset(soql));
    json_response(200, &page)
}

fn record(shared: &Shared, call: &Call<'_>, method: &Method, object: &str, id: &str) -> Response {
    match *method {
        Method::GET | Method::HEAD => {
            let fields: Option<Vec<String>> = call.params.get("fields").map(|f| {
                f.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            });
            respond(
                shared
                    .data()
                    .get(object, id, fields.as_deref(), &call.version),
            )
        }
        Method::PATCH => write(call, |body| shared.data_mut().update(object, id, body)),
        Method::DELETE => written(shared.data_mut().delete(object, id)),
        _ => method_not_allowed(method, "GET,HEAD,PATCH,DELETE"),
    }
}

/// Parse the JSON body (400 JSON_PARSER_ERROR when it is not JSON) and run the write.
pub(crate) fn write(
    call: &Call<'_>,
    run: impl FnOnce(&Value) -> Result<WriteOutput, ApiError>,
) -> Response {
    let body: Value = match serde_json::from_slice(&call.body) {
        Ok(body) => body,
        Err(e) => {
            let message = if call.body.is_empty() {
                "No content to map due to end-of-input".to_string()
            } else {
                format!("{e} at [line:{}, column:{}]", e.line(), e.column())
            };
            return error_response(&ApiError::new(400, "JSON_PARSER_ERROR", &message));
        }
    };
    written(run(&body))
}

fn written(result: Result<WriteOutput, ApiError>) -> Response {
    match result {
        Ok(WriteOutput { status, body: None }) => StatusCode::from_u16(status)
            .unwrap_or(StatusCode::NO_CONTENT)
            .into_response(),
        Ok(WriteOutput {
            status,
            body: Some(body),
        }) => json_response(status, &body),
        Err(error) => error_response(&error),
    }
}

fn limits(shared: &Shared) -> Response {
    let used = shared.inner().api_usage;
    let entry = |max: u64, remaining: u64| json!({ "Max": max, "Remaining": remaining });
    json_response(
        200,
        &json!({
            "DailyApiRequests": entry(DAILY_API_LIMIT, DAILY_API_LIMIT.saturating_sub(used)),
            "DailyAsyncApexExecutions": entry(250_000, 250_000),
            "DailyBulkApiBatches": entry(15_000, 15_000),
            "DailyBulkV2QueryJobs": entry(10_000, 10_000),
            "DataStorageMB": entry(1024, 1019),
            "FileStorageMB": entry(1024, 1024),
            "SingleEmail": entry(5000, 5000),
        }),
    )
}
