//! Salesforce error responses, mapped to variants named for what the caller does next.
//!
//! Each variant keeps Salesforce's own message (verbatim, including the caret lines of SOQL
//! errors) and its errorCode. Display says what Salesforce said; callers add the next step.

use serde_json::{Map, Value};

/// Longest Salesforce message kept, in characters (SOQL errors embed the query).
const MAX_MESSAGE_CHARS: usize = 4000;

/// Longest prefix kept of a body that is not a Salesforce error document.
const MAX_TEXT_CHARS: usize = 200;

/// Most record URLs kept from a 300 (multiple matches) body.
const MAX_URLS: usize = 50;

/// Codes that only say "another error stopped this one"; the real cause is elsewhere.
const KNOCK_ON_CODES: &[&str] = &["ALL_OR_NONE_OPERATION_ROLLED_BACK", "PROCESSING_HALTED"];

/// A failed Salesforce call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SalesforceError {
    /// The access token is expired or revoked (401 `INVALID_SESSION_ID`, 403 `Bad_OAuth_Token`):
    /// refresh it or connect again.
    #[error("Salesforce did not accept the session: {message}")]
    SessionExpired {
        /// Salesforce's message.
        message: String,
    },
    /// The SOQL or SOSL is wrong (`MALFORMED_QUERY`, `INVALID_FIELD` in a query, ...): fix it.
    #[error("Salesforce could not run the query{}: {message}", note(code, &[]))]
    InvalidQuery {
        /// Salesforce's errorCode.
        code: String,
        /// Salesforce's message, with the SOQL caret lines kept verbatim.
        message: String,
    },
    /// No such record, external-id field, resource, or query locator.
    #[error("Salesforce found nothing there{}: {message}", note(code, &[]))]
    NotFound {
        /// Salesforce's errorCode.
        code: String,
        /// Salesforce's message.
        message: String,
    },
    /// The object does not exist or this user cannot see it (`INVALID_TYPE`): check the name.
    #[error(
        "Salesforce does not know this object, or this user cannot see it (INVALID_TYPE): {message}"
    )]
    UnknownObject {
        /// Salesforce's message.
        message: String,
    },
    /// A field does not exist or cannot be written (`INVALID_FIELD`, ...): check the field names.
    #[error("Salesforce does not accept a field{}: {message}", note(code, fields))]
    InvalidField {
        /// Salesforce's errorCode.
        code: String,
        /// Salesforce's message.
        message: String,
        /// The fields Salesforce named, if any.
        fields: Vec<String>,
    },
    /// The org's API allowance is used up (403 `REQUEST_LIMIT_EXCEEDED`): wait.
    #[error("The org has used up its Salesforce API calls (REQUEST_LIMIT_EXCEEDED): {message}")]
    LimitExceeded {
        /// Salesforce's message.
        message: String,
    },
    /// This user or org may not do this (`INSUFFICIENT_ACCESS...`, API disabled, other 403s).
    #[error("Salesforce refused access{}: {message}", note(code, &[]))]
    PermissionDenied {
        /// Salesforce's errorCode.
        code: String,
        /// Salesforce's message.
        message: String,
    },
    /// Salesforce refused the data (validation rule, required field, duplicates, ...): change it.
    #[error("Salesforce refused the data{}: {message}", note(code, fields))]
    Rejected {
        /// Salesforce's errorCode.
        code: String,
        /// Salesforce's message.
        message: String,
        /// The fields Salesforce named, if any.
        fields: Vec<String>,
    },
    /// An upsert's external id matched several records (300); nothing was written.
    #[error(
        "The external id matches {} records, so Salesforce changed nothing: {}",
        urls.len(),
        urls.join(", ")
    )]
    MultipleMatches {
        /// The matching records' URLs.
        urls: Vec<String>,
    },
    /// Salesforce is down or overloaded (5xx): retry later.
    #[error("Salesforce is unavailable (HTTP {status}): {message}")]
    Unavailable {
        /// The HTTP status.
        status: u16,
        /// Salesforce's message, or the start of the body.
        message: String,
    },
    /// The request did not complete (timeout, connection error): retry later.
    #[error("Could not reach Salesforce: {message}")]
    Transport {
        /// What went wrong.
        message: String,
    },
    /// The request cannot go to Salesforce as it is (a URL longer than Salesforce accepts, a
    /// value that cannot be a URL path segment): change the request; retrying cannot help.
    #[error("Cannot send this request to Salesforce: {message}")]
    CannotSend {
        /// What is wrong and what to change.
        message: String,
    },
    /// A response this client does not understand.
    #[error("Unexpected answer from Salesforce (HTTP {status}): {message}")]
    Unexpected {
        /// The HTTP status.
        status: u16,
        /// Salesforce's message, or the start of the body.
        message: String,
    },
}

impl SalesforceError {
    /// Whether trying the same call again later may succeed (5xx and transport failures only).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            SalesforceError::Unavailable { .. } | SalesforceError::Transport { .. }
        )
    }

    /// Salesforce's errorCode, where the variant keeps one.
    pub fn code(&self) -> Option<&str> {
        match self {
            SalesforceError::InvalidQuery { code, .. }
            | SalesforceError::NotFound { code, .. }
            | SalesforceError::InvalidField { code, .. }
            | SalesforceError::PermissionDenied { code, .. }
            | SalesforceError::Rejected { code, .. } => {
                Some(code.as_str()).filter(|c| !c.is_empty())
            }
            SalesforceError::UnknownObject { .. } => Some("INVALID_TYPE"),
            SalesforceError::LimitExceeded { .. } => Some("REQUEST_LIMIT_EXCEEDED"),
            _ => None,
        }
    }
}

/// ` (CODE on A, B)`, ` (CODE)`, or nothing, for Display.
fn note(code: &str, fields: &[String]) -> String {
    match (code.is_empty(), fields.is_empty()) {
        (true, true) => String::new(),
        (false, true) => format!(" ({code})"),
        (true, false) => format!(" (on {})", fields.join(", ")),
        (false, false) => format!(" ({code} on {})", fields.join(", ")),
    }
}

/// One error entry from a body, whatever its shape.
#[derive(Debug, Default)]
struct Entry {
    code: String,
    message: String,
    fields: Vec<String>,
    /// From an OAuth `{"error", "error_description"}` body.
    oauth: bool,
}

/// What a response body holds.
enum Body {
    Entries(Vec<Entry>),
    Urls(Vec<String>),
    Text(String),
}

/// Maps a non-success response (or a 2xx body with item errors) to an error.
///
/// Accepts the REST error array, a single error object, OAuth `{error, error_description}`,
/// plain text such as `Bad_OAuth_Token`, and sObject Collections items whose errors use
/// `statusCode`; extra keys such as `duplicateResut` are ignored. Never panics.
pub fn from_response(status: u16, body: &str) -> SalesforceError {
    if matches!(status, 414 | 431) {
        return SalesforceError::CannotSend {
            message: too_long(None),
        };
    }
    match parse_body(body) {
        Body::Urls(urls) => SalesforceError::MultipleMatches { urls },
        _ if status == 300 => SalesforceError::MultipleMatches { urls: Vec::new() },
        Body::Entries(entries) => classify(status, merge(entries)),
        Body::Text(text) => from_text(status, text),
    }
}

fn parse_body(body: &str) -> Body {
    let items = match serde_json::from_str::<Value>(body) {
        Ok(Value::Array(items)) => items,
        Ok(Value::Object(map)) => vec![Value::Object(map)],
        _ => return Body::Text(short_text(body)),
    };
    if !items.is_empty() && items.iter().all(Value::is_string) {
        let urls = items.iter().filter_map(Value::as_str).take(MAX_URLS);
        return Body::Urls(
            urls.map(|url| truncate(&redact(url), MAX_TEXT_CHARS))
                .collect(),
        );
    }
    let mut entries = Vec::new();
    for item in items.iter().filter_map(Value::as_object) {
        match item.get("errors").and_then(Value::as_array) {
            Some(errors) => {
                entries.extend(errors.iter().filter_map(Value::as_object).filter_map(entry))
            }
            None => entries.extend(entry(item)),
        }
    }
    if entries.is_empty() {
        Body::Text(short_text(body))
    } else {
        Body::Entries(entries)
    }
}

/// Reads one error object: `errorCode` (REST), `statusCode` (collection items) or `error` (OAuth).
fn entry(map: &Map<String, Value>) -> Option<Entry> {
    let text = |key: &str| map.get(key).and_then(Value::as_str);
    let (code, message, oauth) = match (text("errorCode").or(text("statusCode")), text("error")) {
        (Some(code), _) => (code, text("message"), false),
        (None, Some(code)) => (code, text("error_description"), true),
        (None, None) => ("", text("message"), false),
    };
    if code.is_empty() && message.is_none() {
        return None;
    }
    let fields = map
        .get("fields")
        .and_then(Value::as_array)
        .map(|f| {
            f.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Some(Entry {
        code: code.to_owned(),
        message: message.map(long_text).unwrap_or_default(),
        fields,
        oauth,
    })
}

/// One entry for the whole body: the first real cause leads; other messages follow on new lines.
fn merge(mut entries: Vec<Entry>) -> Entry {
    let is_knock_on = |e: &Entry| KNOCK_ON_CODES.contains(&e.code.as_str());
    if entries.iter().any(|e| !is_knock_on(e)) {
        entries.retain(|e| !is_knock_on(e));
    }
    let mut iter = entries.into_iter();
    let mut lead = iter.next().unwrap_or_default();
    for other in iter {
        if !other.message.is_empty() && !lead.message.contains(&other.message) {
            lead.message = long_text(&format!("{}\n{}", lead.message, other.message));
        }
        for field in other.fields {
            if !lead.fields.contains(&field) {
                lead.fields.push(field);
            }
        }
    }
    lead
}

fn classify(status: u16, entry: Entry) -> SalesforceError {
    use SalesforceError as E;
    let Entry {
        code,
        message,
        fields,
        oauth,
    } = entry;
    if oauth {
        return classify_oauth(status, code, message);
    }
    // Errors about a query quote it with a caret line and "ERROR at Row:x:Column:y".
    let in_query = message.contains("ERROR at Row:");
    match code.as_str() {
        "INVALID_SESSION_ID" => E::SessionExpired { message },
        "REQUEST_LIMIT_EXCEEDED" => E::LimitExceeded { message },
        "INVALID_TYPE" => E::UnknownObject { message },
        "MALFORMED_QUERY"
        | "MALFORMED_SEARCH"
        | "INVALID_QUERY_FILTER_OPERATOR"
        | "QUERY_TIMEOUT"
        | "QUERY_TOO_COMPLICATED"
        | "INVALID_SEARCH" => E::InvalidQuery { code, message },
        _ if in_query => E::InvalidQuery { code, message },
        "INVALID_FIELD"
        | "INVALID_FIELD_FOR_INSERT_UPDATE"
        | "INVALID_FIELD_WHEN_USING_TEMPLATE" => E::InvalidField {
            code,
            message,
            fields,
        },
        "API_DISABLED_FOR_ORG" | "API_CURRENTLY_DISABLED" | "FUNCTIONALITY_NOT_ENABLED" => {
            E::PermissionDenied { code, message }
        }
        c if c.starts_with("INSUFFICIENT_ACCESS") => E::PermissionDenied { code, message },
        "NOT_FOUND" | "INVALID_QUERY_LOCATOR" => E::NotFound { code, message },
        "ENTITY_IS_DELETED" if status == 404 => E::NotFound { code, message },
        _ => by_status(status, code, message, fields),
    }
}

fn by_status(status: u16, code: String, message: String, fields: Vec<String>) -> SalesforceError {
    use SalesforceError as E;
    match status {
        401 => E::SessionExpired { message },
        403 => E::PermissionDenied { code, message },
        404 => E::NotFound { code, message },
        500..=599 => E::Unavailable {
            status,
            message: with_code(&code, message),
        },
        // A 2xx reaches here only for per-record errors in an sObject Collections response.
        200..=299 | 400 | 409 | 412 | 428 => E::Rejected {
            code,
            message,
            fields,
        },
        _ => E::Unexpected {
            status,
            message: with_code(&code, message),
        },
    }
}

/// OAuth `{"error", "error_description"}` bodies, from the token and identity endpoints.
fn classify_oauth(status: u16, code: String, message: String) -> SalesforceError {
    use SalesforceError as E;
    match code.as_str() {
        "invalid_grant" | "invalid_token" => E::SessionExpired {
            message: with_code(&code, message),
        },
        "inactive_user"
        | "inactive_org"
        | "access_denied"
        | "app_blocked"
        | "invalid_app_access"
        | "oauth_flow_disabled" => E::PermissionDenied { code, message },
        "server_error" | "service_unavailable" | "system_down" => E::Unavailable {
            status,
            message: with_code(&code, message),
        },
        _ if status >= 500 => E::Unavailable {
            status,
            message: with_code(&code, message),
        },
        _ => E::Unexpected {
            status,
            message: with_code(&code, message),
        },
    }
}

/// Bodies that are not JSON error documents: identity-service words, proxy pages, nothing.
fn from_text(status: u16, text: String) -> SalesforceError {
    use SalesforceError as E;
    match (status, text.as_str()) {
        (_, "Bad_OAuth_Token" | "Missing_OAuth_Token") | (401, _) => {
            E::SessionExpired { message: text }
        }
        (500..=599, _) => E::Unavailable {
            status,
            message: text,
        },
        _ => E::Unexpected {
            status,
            message: text,
        },
    }
}

/// Longest request line Salesforce accepts: a longer URI is answered with 414.
pub const MAX_URI_BYTES: usize = 16_384;

/// Says that a request URI is over [`MAX_URI_BYTES`] (`bytes`, when known) and what to do.
pub fn too_long(bytes: Option<usize>) -> String {
    let size = bytes.map_or_else(String::new, |b| format!(" ({b} bytes, URL-encoded)"));
    format!(
        "the request URL is longer than the {MAX_URI_BYTES} bytes Salesforce accepts{size} (HTTP 414). \
         Shorten it: select fewer fields, use shorter IN lists or literals, or split it into several queries"
    )
}

fn with_code(code: &str, message: String) -> String {
    match (code.is_empty(), message.is_empty()) {
        (true, _) => message,
        (false, true) => code.to_owned(),
        (false, false) => format!("{code}: {message}"),
    }
}

/// A Salesforce message, verbatim but capped and with anything token-like removed.
fn long_text(message: &str) -> String {
    truncate(&redact(message), MAX_MESSAGE_CHARS)
}

/// The start of a body that is not an error document, on one line.
fn short_text(body: &str) -> String {
    let one_line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = truncate(&redact(&one_line), MAX_TEXT_CHARS);
    if text.is_empty() {
        "(the response had no body)".to_owned()
    } else {
        text
    }
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Removes Salesforce session ids (`00D<org id>!<secret>`) and `Bearer <token>` values, in case
/// a proxy or a misbehaving endpoint echoes the request.
fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(bang) = rest.find('!') {
        let (head, after) = (&rest[..bang], &rest[bang + 1..]);
        let secret_len = token_len(after);
        out.push_str(head);
        if ends_with_org_id(head) && secret_len >= 16 {
            out.push_str("![redacted]");
            rest = &after[secret_len..];
        } else {
            out.push('!');
            rest = after;
        }
    }
    out.push_str(rest);
    redact_bearer(&out)
}

fn token_len(text: &str) -> usize {
    text.find(|c: char| {
        !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '/' | '='))
    })
    .unwrap_or(text.len())
}

fn ends_with_org_id(head: &str) -> bool {
    let bytes = head.as_bytes();
    [15, 18].iter().any(|&n| {
        bytes.len() >= n && {
            let id = &bytes[bytes.len() - n..];
            id.starts_with(b"00D") && id.iter().all(u8::is_ascii_alphanumeric)
        }
    })
}

fn redact_bearer(text: &str) -> String {
    // ASCII lower-casing keeps byte offsets, so positions found in `lower` apply to `text`.
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    while let Some(found) = lower[pos..].find("bearer ") {
        let start = pos + found + "bearer ".len();
        let len = token_len(&text[start..]);
        out.push_str(&text[pos..start]);
        if len >= 8 {
            out.push_str("[redacted]");
        } else {
            out.push_str(&text[start..start + len]);
        }
        pos = start + len;
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
