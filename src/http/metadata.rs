//! RFC 9728 protected resource metadata, and the `WWW-Authenticate` challenge that points at it.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse as _, Response};
use axum::routing::get;

use super::server::{HttpState, PublicUrl};

/// Where the metadata for `/mcp` lives (RFC 9728 section 3.1: well-known prefix + resource path).
pub const METADATA_PATH: &str = "/.well-known/oauth-protected-resource/mcp";

/// The metadata routes (both the root document and the `/mcp` one).
pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/.well-known/oauth-protected-resource", get(document))
        .route(METADATA_PATH, get(document))
}

/// The metadata document: the resource is `<public-url>/mcp`, tokens go in the header only.
pub fn document_json(public: &PublicUrl) -> serde_json::Value {
    serde_json::json!({
        "resource": public.join("/mcp"),
        "resource_name": "salesforce-mcp",
        "bearer_methods_supported": ["header"],
        "resource_documentation": public.join("/login"),
    })
}

async fn document(State(state): State<HttpState>) -> Response {
    let mut response = axum::Json(document_json(state.public_url())).into_response();
    response.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("public, max-age=3600"),
    );
    response
}

/// `Bearer resource_metadata="<public-url>/.well-known/oauth-protected-resource/mcp"`, with an
/// RFC 6750 `error` when a token was sent but is not valid.
pub fn challenge(public: &PublicUrl, error: Option<&str>) -> String {
    let mut value = format!(
        "Bearer resource_metadata=\"{}\"",
        public.join(METADATA_PATH)
    );
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
            challenge(&p, None),
            "Bearer resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource/mcp\""
        );
        assert!(challenge(&p, Some("invalid_token")).ends_with(", error=\"invalid_token\""));
        assert_eq!(document_json(&p)["resource"], "https://mcp.example.com/mcp");
    }
}
