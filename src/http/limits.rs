//! Request size and per-person rate limits. Over the rate, a request gets 429 with
//! `Retry-After` (whole seconds) and a message that says when to try again. A body over the size
//! limit gets 413, with or without a `Content-Length`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

use super::server::HttpState;
use crate::mcp::Caller;

/// Request size and rate limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitSettings {
    /// Largest request body, in bytes (larger: 413).
    pub max_body_bytes: usize,
    /// Sustained requests per minute per person.
    pub per_minute: u32,
    /// Requests a person may make at once before the sustained rate applies.
    pub burst: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self::per_minute(600)
    }
}

impl LimitSettings {
    /// 1 MiB bodies and `per_minute` requests per minute, with a burst of a quarter minute's worth
    /// (at least 10).
    pub fn per_minute(per_minute: u32) -> Self {
        let per_minute = per_minute.max(1);
        Self {
            max_body_bytes: 1024 * 1024,
            per_minute,
            burst: (per_minute / 4).max(10),
        }
    }
}

/// Token buckets, one per person.
#[derive(Debug)]
pub struct RateLimiter {
    settings: LimitSettings,
    buckets: Mutex<HashMap<i64, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// A limiter with `settings`.
    pub fn new(settings: LimitSettings) -> Self {
        Self {
            settings,
            buckets: Mutex::default(),
        }
    }

    /// Takes one request from the person's bucket; `Err(wait)` when it is empty.
    pub fn check(&self, user_id: i64, now: Instant) -> Result<(), Duration> {
        let rate = f64::from(self.settings.per_minute) / 60.0;
        let burst = f64::from(self.settings.burst);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets.entry(user_id).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
    }
}

/// The rate-limit middleware (after the bearer check, so the person is known).
pub async fn per_person(State(state): State<HttpState>, request: Request, next: Next) -> Response {
    let Some(caller) = request.extensions().get::<Caller>().copied() else {
        return next.run(request).await;
    };
    match state.limiter.check(caller.user_id, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many(wait, state.config.limits.per_minute),
    }
}

/// Reads an `/mcp` request body whole, within the size limit, before rmcp sees it: a chunked
/// body over the limit is 413 here (rmcp answers the outer limit's body error with 500).
pub async fn whole_body(State(state): State<HttpState>, request: Request, next: Next) -> Response {
    let limit = state.config.limits.max_body_bytes;
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(error) if is_length_limit(&error) => return too_large(limit),
        Err(error) => {
            return (
                http::StatusCode::BAD_REQUEST,
                format!("Bad Request: the request body could not be read ({error})"),
            )
                .into_response();
        }
    };
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

fn too_large(limit: usize) -> Response {
    (
        http::StatusCode::PAYLOAD_TOO_LARGE,
        format!("Payload Too Large: the request body is over the limit of {limit} bytes"),
    )
        .into_response()
}

fn too_many(wait: Duration, per_minute: u32) -> Response {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    let mut response = (
        http::StatusCode::TOO_MANY_REQUESTS,
        format!(
            "Too many requests: the limit is {per_minute} requests per minute per person; try again in {seconds} s"
        ),
    )
        .into_response();
    response
        .headers_mut()
        .insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_the_burst_then_refills_at_the_rate() {
        let limiter = RateLimiter::new(LimitSettings {
            max_body_bytes: 1,
            per_minute: 60,
            burst: 3,
        });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(1, t0).is_ok());
        }
        let wait = limiter.check(1, t0).unwrap_err();
        assert!(wait <= Duration::from_secs(1) && wait > Duration::ZERO);
        assert!(
            limiter.check(2, t0).is_ok(),
            "another person has their own bucket"
        );
        assert!(limiter.check(1, t0 + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn too_many_says_when_to_retry() {
        let r = too_many(Duration::from_millis(1500), 60);
        assert_eq!(r.status(), http::StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[http::header::RETRY_AFTER], "2");
    }
}
