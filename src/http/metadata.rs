//! RFC 9728 protected resource metadata, and the `WWW-Authenticate` challenge that points at it.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse as _, Response};
use axum::routing::get;

use super::server::{HttpState, PublicUrl};
use crate::authz::SCOPE;

/// Where the metadata for `/mcp` lives (RFC 9728 section 3.1: well-known prefix + resource path).
pub const METADATA_PATH: &str = "/.well-known/oauth-protected-resource/mcp";

/// The metadata routes (both the root document and the `/mcp` one).
pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/.well-known/oauth-protected-resource", get(document))
        .route(METADATA_PATH, get(document))
}

/// The metadata document: the resource is `<public-url>/mcp`, tokens go in the header only;
/// with OAuth on, this server is the resource's authorization server.
pub fn document_json(public: &PublicUrl, oauth: bool) -> serde_json::Value {
    let mut doc = serde_json::json!({
        "resource": public.join("/mcp"),
        "resource_name": "salesforce-mcp",
        "bearer_methods_supported": ["header"],
        "resource_documentation": public.join("/login"),
    });
    if oauth {
        doc["authorization_servers"] = serde_json::json!([public.as_str()]);
        doc["scopes_supported"] = serde_json::json!([SCOPE]);
    }
    doc
}

async fn document(State(state): State<HttpState>) -> Response {
    let doc = document_json(state.public_url(), state.authz.is_some());
    let mut response = axum::Json(doc).into_response();
    let h = response.headers_mut();
    h.insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("public, max-age=300"),
    );
    h.insert(
        http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
        http::HeaderValue::from_static("*"),
    );
    response
}

/// `Bearer resource_metadata="<public-url>/.well-known/oauth-protected-resource/mcp"` (and the
/// `scope` to ask for, with OAuth on), with an RFC 6750 `error` when a token was sent but is not
/// valid.
pub fn challenge(public: &PublicUrl, error: Option<&str>, oauth: bool) -> String {
    let mut value = format!(
        "Bearer resource_metadata=\"{}\"",
        public.join(METADATA_PATH)
    );
    if oauth {
        value.push_str(&format!(", scope=\"{SCOPE}\""));
    }
    if let Some(error) = error {
        value.push_str(&format!(", error=\"{error}\""));
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_names_the_metadata_url_and_the_error() {
        let p = PublicUrl::parse("https://mcp.example.com").unwrap();
        assert_eq!(
            challenge(&p, None, false),
            "Bearer resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource/mcp\""
        );
        assert!(challenge(&p, Some("invalid_token"), true).ends_with(", error=\"invalid_token\""));
        assert_eq!(
            document_json(&p, false)["resource"],
            "https://mcp.example.com/mcp"
        );
    }
}
