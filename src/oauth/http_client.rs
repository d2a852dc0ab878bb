//! The small adapter that lets the `oauth2` crate send its requests through our reqwest 0.13
//! client (so only one reqwest is linked, and redirects are never followed).

use std::future::Future;
use std::pin::Pin;

use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse};

/// Transport failure talking to the token endpoint.
#[derive(Debug, thiserror::Error)]
#[error("cannot reach Salesforce's token endpoint: {0}")]
pub struct TransportError(String);

/// reqwest, as seen by `oauth2`.
#[derive(Debug, Clone)]
pub struct OAuthHttp(pub reqwest::Client);

impl<'c> AsyncHttpClient<'c> for OAuthHttp {
    type Error = TransportError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let response = self
                .0
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(|e| TransportError(e.without_url().to_string()))?;
            let mut builder = http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let bytes = response
                .bytes()
                .await
                .map_err(|e| TransportError(e.without_url().to_string()))?;
            builder
                .body(bytes.to_vec())
                .map_err(|e| TransportError(e.to_string()))
        })
    }
}
