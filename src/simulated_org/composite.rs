//! sObject Collections (`/composite/sobjects`) and the UI API picklist values by record type,
//! over HTTP. The dataset does the work.

use axum::http::Method;
use axum::response::Response;
use serde_json::Value;

use super::data::{ApiError, Collection, WriteOutput};
use super::records::{decode, respond, write};
use super::rest::{Call, method_not_allowed};
use super::state::Shared;

/// The response for a collections or UI API route, `None` for any other route.
pub(crate) fn route(
    shared: &Shared,
    call: &Call<'_>,
    route: &[&str],
    method: &Method,
) -> Option<Response> {
    let at = (call.version.as_str(), call.user.as_deref());
    let response = match route {
        ["composite", "sobjects"] if method == Method::POST => collection(call, |body| {
            shared
                .data_mut()
                .collection_write(Collection::Create, body, at)
        }),
        ["composite", "sobjects"] if method == Method::PATCH => collection(call, |body| {
            shared
                .data_mut()
                .collection_write(Collection::Update, body, at)
        }),
        ["composite", "sobjects"] if method == Method::DELETE => {
            let ids = call.params.get("ids").map_or("", String::as_str);
            let all_or_none = call.params.get("allOrNone").is_some_and(|v| v == "true");
            respond(shared.data_mut().collection_delete(ids, all_or_none))
        }
        ["composite", "sobjects"] => method_not_allowed(method, "POST,PATCH,DELETE"),
        ["composite", "sobjects", object, field] if method == Method::PATCH => {
            let (object, field) = (decode(object), decode(field));
            collection(call, |body| {
                let kind = Collection::Upsert(&object, &field);
                shared.data_mut().collection_write(kind, body, at)
            })
        }
        [
            "ui-api",
            "object-info",
            object,
            "picklist-values",
            rt,
            rest @ ..,
        ] if method == Method::GET && rest.len() <= 1 => {
            let field = rest.first().map(|f| decode(f));
            respond(shared.data().picklist_values(
                &decode(object),
                &decode(rt),
                field.as_deref(),
                &call.version,
            ))
        }
        _ => return None,
    };
    Some(response)
}

/// Parses the body and answers 200 with the per-record results.
fn collection(call: &Call<'_>, run: impl FnOnce(&Value) -> Result<Value, ApiError>) -> Response {
    write(call, |body| {
        run(body).map(|results| WriteOutput {
            status: 200,
            body: Some(results),
        })
    })
}
