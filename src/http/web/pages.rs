//! Plain server-rendered HTML: one layout, escaped text, and headers that keep pages out of
//! caches, frames and referrers (the callback URL carries an authorization code).

use axum::response::{Html, IntoResponse as _, Response};

pub use crate::http::callback::html_escape as escape;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}\
    button{font-size:1rem;padding:.4rem 1rem;margin-right:.5rem}input[type=password]{width:100%;font-size:1rem;padding:.4rem}\
    .error{color:#a00}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}.ok{color:#070}form.inline{display:inline}dt{font-weight:bold}";

/// A complete page: `title` is escaped, `body_html` is trusted markup built by the caller with
/// every piece of data passed through [`escape`].
pub fn page(status: http::StatusCode, title: &str, body_html: &str) -> Response {
    let title = escape(title);
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>salesforce-mcp: {title}</title><style>{STYLE}</style></head>\
         <body><h1>{title}</h1>{body_html}</body></html>"
    );
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (http::header::CACHE_CONTROL, "no-store"),
        (http::header::REFERRER_POLICY, "no-referrer"),
        (http::header::X_FRAME_OPTIONS, "DENY"),
        (http::header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (
            http::header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
        ),
    ] {
        headers.insert(name, http::HeaderValue::from_static(value));
    }
    response
}

/// A 500 page for an unexpected failure (the detail is logged, not shown).
pub fn internal(detail: &str) -> Response {
    tracing::error!(error = %detail, "web page failed");
    page(
        http::StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "<p>The server could not finish this request. Try again; if it repeats, ask your admin to check the server log.</p>",
    )
}

/// A paragraph of escaped text with a CSS class.
pub fn para(class: &str, text: &str) -> String {
    format!("<p class=\"{class}\">{}</p>", escape(text))
}
